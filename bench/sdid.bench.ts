/**
 * SDID speed: `scm --method sdid` with 200 placebo replications on Prop 99
 * (../shared/datasets/prop99, 39 states × 31 years) and on a generated 300-area × 66-month
 * panel (40 treated), end to end through the CLI, plus the library call alone (in this
 * process, after one warm-up run; median of 5), which is what R's timings measure.
 * Reference (issue 13): R synthdid on Prop 99 on this machine took 0.16 s for the estimate and
 * 20.7 s for 200 placebo replications; target at least 10× faster (≤ 0.016 s and ≤ 2.07 s).
 * The library lines also print CPU time, the fairer figure when the machine is shared.
 * The estimate includes the SC and DID comparison points and the exact-optimum check.
 * Run alone: `npm run build && node dist/bench/run.js sdid`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPanel } from '../src/core/panel.js';
import { sdid } from '../src/estimators/sdid/sdid.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';
import { benchCli, benchDir } from './measure.js';

function inProcess(name: string, run: () => void, target?: string, repeats = 5): void {
  run();
  const times: number[] = [];
  const cpus: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    run();
    const d = process.cpuUsage(c);
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
    cpus.push((d.user + d.system) / 1e6);
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  console.log(JSON.stringify({ name, seconds: times[mid], peakRssMiB: process.memoryUsage().rss / 2 ** 20, ...(target ? { target } : {}) }));
  // On a shared machine wall time includes waiting for a core; CPU time does not.
  console.log(JSON.stringify({ name: '  (same: median CPU time user+sys)', seconds: cpus[mid], peakRssMiB: 0 }));
}

const prop99 = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..', 'shared', 'datasets', 'prop99', 'data.csv');
if (existsSync(prop99)) {
  const p = readPanel(prop99, { outcome: 'cigsale' });
  inProcess('sdid Prop 99 estimate (library, in process)', () => void sdid(p, { inference: 'none', seed: 1 }), '≤ 0.016 s (R synthdid 0.16 s / 10)');
  inProcess('sdid Prop 99 estimate + 200 placebos (library, in process)', () => void sdid(p, { inference: 'placebo', reps: 200, seed: 1 }), '≤ 2.07 s (R synthdid 20.7 s / 10)');
  console.log(JSON.stringify(benchCli('sdid Prop 99, 200 placebos (CLI end to end)', ['scm', prop99, '--method', 'sdid', '--outcome', 'cigsale', '--reps', '200'], { target: '≤ 2.07 s' })));
} else console.log(`sdid bench: ${prop99} not found; Prop 99 cases skipped`);

const dir = benchDir();
const file = join(dir, 'p300.csv');
writeFileSync(file, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 300, treatedUnits: 40 }, 7).records));
const big = readPanel(file, { outcome: 'violence_rate' });
inProcess('sdid 300 areas × 66 months, 40 treated, estimate (library)', () => void sdid(big, { inference: 'none', seed: 1 }), undefined, 3);
inProcess('sdid 300 areas × 66 months, 40 treated, 200 placebos (library)', () => void sdid(big, { inference: 'placebo', reps: 200, seed: 1 }), undefined, 1);
console.log(JSON.stringify(benchCli('sdid 300 areas × 66 months, 200 placebos (CLI end to end)', ['scm', file, '--method', 'sdid', '--outcome', 'violence_rate', '--reps', '200'], { repeats: 1 })));
