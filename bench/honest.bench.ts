/**
 * `vru-eval did --honest` on the police fixture (18 areas × 66 months, TWFE event study -6:6:
 * 5 pre-period differences, 7 post periods, so 10 pieces of Δ^RM each with 14 moments): the
 * Andrews–Roth–Pakes hybrid sets (the default; 1,000 least favourable draws per piece and M̄,
 * nine M̄ plus the breakdown search) against the Šidák projection. Issue 22 asks that this stay
 * interactive (a few seconds).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCli } from './measure.js';

// dist/bench/honest.bench.js → the repository root.
const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'police_monthly.csv');
const base = ['did', fixture, '--outcome', 'violence_rate', '--event-window', '-6:6', '--honest'];
const cases: [string, string[]][] = [
  ['did twfe 18×66 -6:6 --honest, hybrid, first post period', base],
  ['did twfe 18×66 -6:6 --honest, hybrid, post average', [...base, '--honest-target', 'average']],
  ['did twfe 18×66 -6:6 --honest, Šidák projection, first post period', [...base, '--honest-rm-method', 'projection']],
];
for (const [name, args] of cases) console.log(JSON.stringify(benchCli(name, args, { repeats: 3 })));
