import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's name and version, read from the nearest package.json named vru-eval. */
export function toolInfo(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    const f = join(dir, 'package.json');
    if (existsSync(f)) {
      const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vru-eval' && pkg.version) return { name: 'vru-eval', version: pkg.version };
    }
    dir = dirname(dir);
  }
  return { name: 'vru-eval', version: '0.0.0' };
}
