/**
 * gsynth end to end: `scm --method gsynth --factors auto --inference nonparametric --boots 1000`
 * on generated 300-area and 3,000-area × 66-month panels (40 and 300 treated).
 * Reference (issue 3): R gsynth 1.2.1 on the same shapes and machine took 0.06 s + 2.9 s
 * (1,000 bootstraps) at 300 areas and 13.5 s at 3,000 areas; target ≥ 3× faster.
 * Also printed: the panel read alone (`inspect` on the same file), and the CPU time
 * (user + sys, all threads) of one run, which is what matters when the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';
import { BIN, benchCli, benchDir } from './measure.js';

/** CPU seconds (user + sys, all threads) of one run, via /usr/bin/time when present. */
function cpuSeconds(args: string[]): number | null {
  if (!existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.trim());
  return m ? Number(m[1]) + Number(m[2]) : null;
}

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
  const cpu = cpuSeconds(args);
  if (cpu !== null) console.log(JSON.stringify({ name: `  (same run: CPU time user+sys over both threads)`, seconds: cpu, peakRssMiB: 0 }));
  const read = ['inspect', file, '--outcome', 'violence_rate'];
  console.log(JSON.stringify(benchCli(`  (panel read only: inspect, ${c.units * 66} rows)`, read)));
}
