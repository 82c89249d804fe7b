/** Panel reading: `inspect` on a generated 3,000-area × 66-month panel (198,000 rows). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';
import { benchCli, benchDir } from './measure.js';

const dir = benchDir();
const file = join(dir, 'p3000.csv');
writeFileSync(file, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 3000, treatedUnits: 300 }, 1).records));
console.log(JSON.stringify(benchCli('inspect 3000 areas × 66 months (198,000 rows)', ['inspect', file, '--outcome', 'violence_rate', '--population', 'population', '--covariates', 'stop_search'])));
