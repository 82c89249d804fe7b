/**
 * `vru-eval did` end to end on a generated 3,000-area × 66-month panel (198,000 rows;
 * 300 treated areas in three cohorts 2019-04 / 2020-04 / 2021-04), plus the wild
 * cluster bootstrap on an 18-area panel (police force areas). No target in the issue.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';
import { benchCli, benchDir } from './measure.js';

const dir = benchDir();
const big = join(dir, 'p3000.csv');
writeFileSync(big, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 3000, treatedUnits: 300, staggerStarts: ['2020-04', '2021-04'] }, 1).records));
const small = join(dir, 'p18.csv');
writeFileSync(small, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 18, treatedUnits: 6 }, 2).records));
const base = ['did', big, '--outcome', 'violence_rate'];
const cases: [string, string[]][] = [
  ['did twfe 3000×66, CR1 by area', base],
  ['did twfe 3000×66, event study -12:12, stop_search covariate', [...base, '--event-window', '-12:12', '--covariates', 'stop_search']],
  ['did cs 3000×66, never-treated, 999 multiplier draws', [...base, '--method', 'cs']],
  ['did cs 3000×66, not-yet-treated, 999 multiplier draws', [...base, '--method', 'cs', '--control', 'notyet']],
  ['did twfe 18×66, wild cluster bootstrap 9999 + CI inversion', ['did', small, '--outcome', 'violence_rate', '--wild-bootstrap', '9999']],
];
for (const [name, args] of cases) console.log(JSON.stringify(benchCli(name, args, { repeats: 3 })));
