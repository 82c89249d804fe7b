/**
 * Micro-area synthetic control (`scm --method micro`), issue 12 targets, against microsynth 2.0.51
 * measured on the same 2-core machine (figures from the issue):
 *   - Seattle DMI (9,642 blocks × 16 quarters, 58 exact constraints), 250 permutations + jackknife:
 *     microsynth 339 s; target ≤ 34 s.
 *   - generated 35,000 areas × 66 months, 3,500 treated (one count outcome by month + 2 covariates,
 *     57 constraints): point estimate microsynth 17 s, target ≤ 3 s; 1,000 permutations target ≤ 60 s;
 *     peak memory < 2 GB.
 * Each CLI case runs once end to end (CSV read included); the point estimate is also timed in
 * process from the panel in memory (the estimator alone). CPU time (user + sys, all threads) is
 * printed after each CLI case because the machine is shared.
 * Run just this file: `npm run bench -- micro` (or `node dist/bench/run.js micro`); one part:
 * `node dist/bench/micro.bench.js seattle` or `… large`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { micro, type MicroData } from '../src/estimators/micro/index.js';
import { microPanelCsv, simulateMicroPanel } from '../src/sim/microDgp.js';
import { BIN, benchCli, benchDir } from './measure.js';

function cpuSeconds(args: string[]): number | null {
  if (!existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.trim());
  return m ? Number(m[1]) + Number(m[2]) : null;
}
const cpuLine = (args: string[]) => {
  const c = cpuSeconds(args);
  if (c !== null) console.log(JSON.stringify({ name: '  (same run again: CPU time user+sys, all threads)', seconds: c, peakRssMiB: 0 }));
};

const here = dirname(fileURLToPath(import.meta.url));
const seattle = join(here, '..', '..', '..', 'shared', 'datasets', 'seattledmi', 'data.csv');
const only = process.argv[2];
if (existsSync(seattle) && (!only || only === 'seattle')) {
  const args = ['scm', seattle, '--method', 'micro', '--outcome', 'i_felony,i_misdemea,i_drugs,any_crime', '--match-covariates', 'TotalPop,BLACK,HISPANIC,Males_1521,HOUSEHOLDS,FAMILYHOUS,FEMALE_HOU,RENTER_HOU,VACANT_HOU', '--inference', 'permutation,jackknife', '--perms', '250', '--no-weight-range'];
  // The default distance is microsynth's (linear) since issue 21; raking is the option.
  console.log(JSON.stringify(benchCli('micro Seattle 9,642 × 16, 250 perms + jackknife (39 groups), linear (default)', args, { repeats: 1, target: '≤ 34 s (microsynth 339 s)' })));
  cpuLine(args);
  const rk = [...args, '--calfun', 'raking'];
  console.log(JSON.stringify(benchCli('micro Seattle, 250 perms + jackknife, --calfun raking', rk, { repeats: 1, target: '≤ 34 s (microsynth 339 s)' })));
  cpuLine(rk);
  const lp = ['scm', seattle, '--method', 'micro', '--outcome', 'i_felony,i_misdemea,i_drugs,any_crime', '--match-covariates', 'TotalPop,BLACK,HISPANIC,Males_1521,HOUSEHOLDS,FAMILYHOUS,FEMALE_HOU,RENTER_HOU,VACANT_HOU', '--inference', 'none'];
  console.log(JSON.stringify(benchCli('micro Seattle point estimate + weight range (8 LPs)', lp, { repeats: 1 })));
  cpuLine(lp);
} else if (!existsSync(seattle)) console.log(JSON.stringify({ name: 'micro Seattle: skipped (../shared/datasets/seattledmi absent)', seconds: 0, peakRssMiB: 0 }));

/**
 * Issue 21, "defaults that finish": the shipped fixture (60 areas × 66 months, 12 treated) and a
 * generated 30 × 66 panel (5 treated) under micro's defaults only (matching periods and
 * permutations chosen from the panel's size), end to end through the CLI: wall time and result.
 */
if (!only || only === 'defaults') {
  const dir = benchDir();
  const small = simulateMicroPanel({ areas: 30, periods: 66, firstPeriod: '2015-04', treated: 5, start: 54, effect: -0.2, outcomes: 1, base: 150, sigmaU: 0.3, selection: 'random' }, 30);
  const file30 = join(dir, 'micro30x66.csv');
  writeFileSync(file30, microPanelCsv(small, 54));
  const cases: [string, string[]][] = [
    ['micro defaults: fixtures/police_monthly.csv (60 × 66, 12 treated)', ['scm', join(here, '..', '..', 'fixtures', 'police_monthly.csv'), '--method', 'micro', '--outcome', 'offences']],
    ['micro defaults: generated 30 × 66 (5 treated, true −20%)', ['scm', file30, '--method', 'micro', '--outcome', 'crime1']],
  ];
  for (const [name, args] of cases) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, ...args, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const d = r.status === 0 ? (JSON.parse(r.stdout) as { estimate: { percentChange: number; percentChangeCi: [number, number] | null; pValue: number | null }; options: { matchPeriods: string; perms: number } }) : null;
    console.log(JSON.stringify({ name, seconds, peakRssMiB: 0, target: 'seconds', exit: r.status, ...(d ? { matchPeriods: d.options.matchPeriods, perms: d.options.perms, percentChange: d.estimate.percentChange, percentChangeCi: d.estimate.percentChangeCi, pValue: d.estimate.pValue } : { stderr: r.stderr.slice(0, 300) }) }));
  }
}

if (!only || only === 'large') {
  const spec = { areas: 35000, periods: 66, firstPeriod: '2015-04', treated: 3500, start: 54, effect: -0.05, outcomes: 1, base: 5, sigmaU: 0.4, selection: 'hotspots' as const };
  const sim = simulateMicroPanel(spec, 11);
  const data: MicroData = { units: sim.units, periods: sim.periods, outcomes: ['crime1'], y: { crime1: sim.y[0]! }, covariates: { pop: sim.pop, dep: sim.dep }, treated: sim.treated, start: spec.start };
  const base = { matchPeriods: { kind: 'each' as const }, weightRange: false, seed: 1, level: 0.95, tol: 1e-10, maxIter: 500, threads: 1 };
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const a = await micro(data, { ...base, inference: [], perms: 0 });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = process.cpuUsage(c0);
  console.log(JSON.stringify({ name: 'micro 35,000 × 66, 3,500 treated: point estimate in process (estimator only)', seconds: sec, peakRssMiB: process.memoryUsage().rss / 2 ** 20, target: '≤ 3 s (microsynth 17 s)', exact: (a.calibration as { exact: boolean }).exact }));
  console.log(JSON.stringify({ name: '  (same run: CPU time user+sys)', seconds: (c1.user + c1.system) / 1e6, peakRssMiB: 0 }));
  const t1 = process.hrtime.bigint();
  const b = await micro(data, { ...base, inference: [], perms: 0, distance: 'linear' });
  console.log(JSON.stringify({ name: 'micro 35,000 × 66 point estimate in process, --calfun linear', seconds: Number(process.hrtime.bigint() - t1) / 1e9, peakRssMiB: process.memoryUsage().rss / 2 ** 20, target: '≤ 3 s (microsynth 17 s)', exact: (b.calibration as { exact: boolean }).exact }));
  const dir = benchDir();
  const file = join(dir, 'micro35k.csv');
  writeFileSync(file, microPanelCsv(sim, spec.start));
  const common = ['scm', file, '--method', 'micro', '--outcome', 'crime1', '--match-covariates', 'pop,dep', '--no-weight-range'];
  console.log(JSON.stringify(benchCli('micro 35,000 × 66 CLI point estimate (2.3M-row CSV read included)', [...common, '--inference', 'none'], { repeats: 1, target: '≤ 3 s (microsynth 17 s)' })));
  cpuLine([...common, '--inference', 'none']);
  const perms = [...common, '--inference', 'permutation', '--perms', '1000', '--threads', '2'];
  console.log(JSON.stringify(benchCli('micro 35,000 × 66 CLI, 1,000 permutations, 2 threads', perms, { repeats: 1, target: '≤ 60 s, peak < 2 GB' })));
  cpuLine(perms);
  const permsLinear = [...perms, '--calfun', 'linear'];
  console.log(JSON.stringify(benchCli('micro 35,000 × 66 CLI, 1,000 permutations, 2 threads, --calfun linear', permsLinear, { repeats: 1, target: '≤ 60 s, peak < 2 GB' })));
}
