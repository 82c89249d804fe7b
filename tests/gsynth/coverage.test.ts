/**
 * Coverage of gsynth's nonparametric bootstrap interval with few treated areas (issue 15).
 *
 * Data: the project's generator (src/sim/dgp.ts) with the fixture's police-like settings —
 * 60 areas × 66 months, two random-walk factors, treated areas drawn from the most violent half
 * (selection 'level'), effect −4 from 2019-04, no common shock — and 8 treated areas.
 * Model: gsynth defaults (two-way effects, r by cross-validation), --inference nonparametric.
 *
 * The interval is the basic bootstrap interval with half-widths scaled by κ = t₇(0.975)/z(0.975)
 * = 1.206 (n_tr − 1 = 7 df): [θ̂ − κ(q₉₇.₅ − θ̂), θ̂ + κ(θ̂ − q₂.₅)]. Each replication also records
 * where the unscaled basic interval and the percentile interval [q₂.₅, q₉₇.₅] would have been
 * (recovered from the reported interval and κ), to show the difference: on 400 replications
 * (seeds 1…400) 94.3% (κ-scaled basic) against 90.5% (plain basic) and ≈ 90.8% (percentile);
 * issue 15 measured 89% ± 3% for the percentile interval on 100 replications of its own panels.
 *
 * Monte Carlo SE of a coverage estimate p̂ over n replications: √(p(1 − p)/n) at p = 0.95.
 *  - Slow (VRU_SLOW=1): 400 replications, 200 bootstrap draws; MC SE 1.1 points; asserts the
 *    basic interval's coverage in [93%, 97%].
 *  - Fast (CI): 40 replications, 100 draws; MC SE 3.4 points; asserts coverage ≥ 0.95 − 3.3 SE
 *    = 83.5% (≥ 34 of 40: P(X ≤ 33 | n = 40, p = 0.95) ≈ 0.1%, and the seeds are fixed, so the
 *    test is deterministic) and that the interval is not systematically shifted (misses on one
 *    side ≤ 5 of 40).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { gsynth } from '../../src/estimators/gsynth/index.js';
import { qnorm, qt } from '../../src/core/stats.js';
import { POLICE_FIXTURE_SPEC, simulatePanel, type PanelSpec } from '../../src/sim/dgp.js';

const spec: PanelSpec = { ...POLICE_FIXTURE_SPEC, treatedUnits: 8 };
delete (spec as Partial<PanelSpec>).shock;
const KAPPA = qt(0.975, spec.treatedUnits - 1) / qnorm(0.975);

export async function nonparametricCoverage(reps: number, boots: number, firstSeed: number) {
  let covered = 0;
  let above = 0;
  let below = 0;
  let percentileCovered = 0;
  let plainBasicCovered = 0;
  let sumSe = 0;
  const ests: number[] = [];
  for (let m = 0; m < reps; m++) {
    const { records, truth } = simulatePanel(spec, firstSeed + m);
    const csv = ['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n');
    const a = await gsynth(readPanelText(csv, { outcome: 'y' }), { inference: 'nonparametric', boots, seed: m + 1 });
    const att = a.estimate!.att!;
    const [lo, hi] = a.estimate!.ci!;
    ests.push(att);
    sumSe += a.estimate!.se!;
    if (lo <= truth.att && truth.att <= hi) covered++;
    else if (lo > truth.att) above++;
    else below++;
    // Bootstrap quantiles back from the reported interval: lo = θ̂ − κ(q_hi − θ̂), hi = θ̂ + κ(θ̂ − q_lo).
    const qHi = att + (att - lo) / KAPPA;
    const qLo = att - (hi - att) / KAPPA;
    if (qLo <= truth.att && truth.att <= qHi) percentileCovered++;
    if (2 * att - qHi <= truth.att && truth.att <= 2 * att - qLo) plainBasicCovered++;
  }
  const mean = ests.reduce((s, v) => s + v, 0) / reps;
  const sd = Math.sqrt(ests.reduce((s, v) => s + (v - mean) ** 2, 0) / (reps - 1));
  const p = covered / reps;
  return { reps, coverage: p, mcSe: Math.sqrt((0.95 * 0.05) / reps), above, below, percentile: percentileCovered / reps, plainBasic: plainBasicCovered / reps, meanSe: sumSe / reps, sdEst: sd, bias: mean - spec.effect };
}

function report(r: Awaited<ReturnType<typeof nonparametricCoverage>>): string {
  return `gsynth nonparametric, 8 treated of 60, ${r.reps} reps: basic-interval coverage ${(100 * r.coverage).toFixed(1)}% (MC SE ${(100 * r.mcSe).toFixed(1)} points; ${r.above} wholly above the truth, ${r.below} below); unscaled basic interval ${(100 * r.plainBasic).toFixed(1)}%, percentile interval ${(100 * r.percentile).toFixed(1)}%; mean SE ${r.meanSe.toFixed(3)} vs SD of estimates ${r.sdEst.toFixed(3)}; bias ${r.bias.toFixed(3)}`;
}

describe('gsynth nonparametric interval coverage, 8 treated areas', () => {
  it('fast (40 replications): coverage ≥ 83.5% (0.95 − 3.3 MC SE) and no one-sided shift', async () => {
    const r = await nonparametricCoverage(40, 100, 7001);
    console.log(report(r));
    expect(r.coverage, report(r)).toBeGreaterThanOrEqual(0.835);
    expect(Math.max(r.above, r.below), report(r)).toBeLessThanOrEqual(5);
  }, 120_000);

  it.skipIf(!process.env.VRU_SLOW)('slow (400 replications): basic-interval coverage within 93–97%', async () => {
    const r = await nonparametricCoverage(400, 200, 1);
    console.log(report(r));
    expect(r.coverage, report(r)).toBeGreaterThanOrEqual(0.93);
    expect(r.coverage, report(r)).toBeLessThanOrEqual(0.97);
  }, 3_600_000);
});
