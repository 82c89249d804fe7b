/**
 * `vru-eval power` (issue 22): wall time and peak memory, end to end through the CLI.
 *   - gsynth on a generated 300-area × 66-month panel (40 treated from 2019-04), 200 simulated
 *     placebo designs, 100 parametric-bootstrap draws inside each run (shift evaluation: one run each);
 *   - micro on a generated 3,000-area × 66-month count panel (300 treated), 100 designs at three effect
 *     sizes plus the null (rerun evaluation: 400 micro runs with jackknife inference).
 * The load average is printed with each line (the machine is shared).
 * Run: `npm run bench -- power`, or one part: `node dist/bench/power.bench.js gsynth|micro`.
 */
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';
import { microPanelCsv, simulateMicroPanel } from '../src/sim/microDgp.js';
import { benchCli, benchDir } from './measure.js';

const only = process.argv[2];
const dir = benchDir();
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

if (!only || only === 'gsynth') {
  const file = join(dir, 'p300.csv');
  writeFileSync(file, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 300, treatedUnits: 40 }, 7).records));
  const args = ['power', file, '--outcome', 'violence_rate', '--population', 'population', '--method', 'gsynth', '--sims', '200', '--reps', '100'];
  const before = load();
  console.log(JSON.stringify({ ...benchCli('power gsynth, 300 areas × 66 months, 200 simulations', args, { repeats: 1 }), load: `${before} → ${load()}` }));
}

if (!only || only === 'micro') {
  const spec = { areas: 3000, periods: 66, firstPeriod: '2015-04', treated: 300, start: 54, effect: 0, outcomes: 1, base: 5, sigmaU: 0.4, selection: 'random' as const };
  const file = join(dir, 'm3000.csv');
  writeFileSync(file, microPanelCsv(simulateMicroPanel(spec, 11), spec.start));
  const args = ['power', file, '--outcome', 'crime1', '--method', 'micro', '--sims', '100', '--effect-type', 'proportional', '--effects', '0.02,0.05,0.1', '--outcome-scale', 'count', '--post', '12'];
  const before = load();
  console.log(JSON.stringify({ ...benchCli('power micro, 3,000 areas × 66 months, 100 simulations × (null + 3 effects)', args, { repeats: 1 }), load: `${before} → ${load()}` }));
}
