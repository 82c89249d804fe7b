/** Shared set-up for the police.uk tests: one generated archive per seed, cached per test file. */
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { SMALL_POLICEUK_SPEC, writePoliceUkArchive, type PoliceUkSpec, type PoliceUkTruth } from '../../src/sim/policeuk.js';
import { tempDir } from '../helpers.js';

export interface Generated {
  dir: string;
  folder: string;
  zip: string;
  truth: PoliceUkTruth;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export async function generate(spec: PoliceUkSpec = SMALL_POLICEUK_SPEC, seed = 1, zip = true): Promise<Generated> {
  const dir = tempDir();
  made.push(dir);
  const truth = await writePoliceUkArchive(dir, spec, seed, { zip });
  return { dir, folder: `${dir}/archive`, zip: `${dir}/archive.zip`, truth };
}

/** A panel CSV as rows of cells keyed by column name (no quoting in these panels). */
export function parsePanel(csv: string): { header: string[]; rows: Record<string, string>[] } {
  const lines = csv.trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, k) => [h, cells[k]!]));
  });
  return { header, rows };
}
