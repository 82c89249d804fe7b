/**
 * Classic synthetic control: `scm --method synth --placebo space` on a generated
 * 300-area × 66-month panel with 40 treated areas (every one of the 260 donors
 * refitted as a placebo, plus the 40 treated fits). Target: under 2 s end to end.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';
import { benchCli, benchDir } from './measure.js';

const dir = benchDir();
const file = join(dir, 'p300.csv');
writeFileSync(file, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 300, treatedUnits: 40 }, 7).records));
console.log(JSON.stringify(benchCli('scm --method synth --placebo space, 300 areas × 66 months, 40 treated', ['scm', file, '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'space'], { target: '< 2 s' })));
