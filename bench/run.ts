/**
 * `npm run bench`: runs every dist/bench/*.bench.js in its own process (so peak
 * memory is per benchmark) and prints what each reports. A bench file prints
 * one JSON line per case: {"name", "seconds", "peakRssMiB", "target", ...}.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only))).sort();
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, [join(dir, f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    try {
      const m = JSON.parse(line) as { name: string; seconds: number; peakRssMiB: number; cpuSeconds?: number; target?: string };
      process.stdout.write(`${m.name.padEnd(70)} ${m.seconds.toFixed(3).padStart(8)} s  ${m.peakRssMiB.toFixed(0).padStart(6)} MiB peak RSS${m.cpuSeconds !== undefined ? `  ${m.cpuSeconds.toFixed(2)} s CPU` : ''}${m.target ? `   target: ${m.target}` : ''}\n`);
    } catch {
      process.stdout.write(line + '\n');
    }
  }
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`${f} exited with ${r.status}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
