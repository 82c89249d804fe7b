/**
 * gsynth end to end: `scm --method gsynth --factors auto --inference nonparametric --boots 1000`
 * on generated 300-area and 3,000-area × 66-month panels (40 and 300 treated).
 * Reference (issue 3): R gsynth 1.2.1 on the same shapes and machine took 0.06 s + 2.9 s
 * (1,000 bootstraps) at 300 areas and 13.5 s at 3,000 areas; target ≥ 3× faster.
 * The panel read alone is measured with `inspect` on the same file, for comparison.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';
import { benchCli, benchDir } from './measure.js';

const dir = benchDir();
const cases = [
  { units: 300, treated: 40, target: '≤ 0.99 s (R gsynth 2.96 s / 3)' },
  { units: 3000, treated: 300, target: '≤ 4.5 s (R gsynth 13.5 s / 3)' },
];
for (const c of cases) {
  const file = join(dir, `p${c.units}.csv`);
  writeFileSync(file, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: c.units, treatedUnits: c.treated }, 7).records));
  const args = ['scm', file, '--outcome', 'violence_rate', '--method', 'gsynth', '--factors', 'auto', '--inference', 'nonparametric', '--boots', '1000'];
  console.log(JSON.stringify({ ...benchCli(`gsynth ${c.units} areas × 66 months, ${c.treated} treated, 1000 boots`, args, { target: c.target }), units: c.units }));
  console.log(JSON.stringify(benchCli(`  (panel read only: inspect, ${c.units * 66} rows)`, ['inspect', file, '--outcome', 'violence_rate'])));
}
