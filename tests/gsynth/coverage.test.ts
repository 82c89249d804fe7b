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

/**
 * The parametric bootstrap's SE against the Monte Carlo SD of the estimate, with and without
 * staggered adoption (issue 15 measured SE ≈ 10% too large and 98% coverage with staggered starts).
 * Measured with 120 replications each (12 treated of 60, r = 2 fixed, 150 draws; the ratio's MC
 * error is ≈ 6.5%): SE/SD 1.10 (level selection) and 1.12 (random) with one start, 1.09 and 1.01
 * with three starts (2019-04, 2019-10, 2020-01); coverage 95–96% throughout. So the excess is not
 * specific to staggered adoption: Xu's Algorithm 2 takes the treated units' error from pseudo-
 * treated controls predicted by a model fitted on n_co − n_tr controls, then refits the factor
 * model on a resampled control panel, so the factor-estimation part of the error enters twice (and
 * from fewer controls). It is conservative by design; see the README. Slow only.
 */
describe.skipIf(!process.env.VRU_SLOW)('gsynth parametric SE vs the sampling SD (slow)', () => {
  it('is conservative by about 10%, with and without staggered adoption; coverage ≥ 93%', async () => {
    for (const staggered of [false, true]) {
      const sp: PanelSpec = { ...POLICE_FIXTURE_SPEC, treatedUnits: 12, ...(staggered ? { staggerStarts: ['2019-10', '2020-01'] } : {}) };
      delete (sp as Partial<PanelSpec>).shock;
      const errs: number[] = [];
      let se = 0;
      let cov = 0;
      const reps = 120;
      for (let m = 0; m < reps; m++) {
        const { records, truth } = simulatePanel(sp, 500 + m);
        const csv = ['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n');
        const a = await gsynth(readPanelText(csv, { outcome: 'y' }), { inference: 'parametric', boots: 150, seed: m + 1, factors: 2 });
        errs.push(a.estimate!.att! - truth.att);
        se += a.estimate!.se!;
        const ci = a.estimate!.ci!;
        if (ci[0] <= truth.att && truth.att <= ci[1]) cov++;
      }
      const mu = errs.reduce((s, v) => s + v, 0) / reps;
      const sd = Math.sqrt(errs.reduce((s, v) => s + (v - mu) ** 2, 0) / (reps - 1));
      const ratio = se / reps / sd;
      console.log(`gsynth parametric, ${staggered ? 'three starts' : 'one start'}: mean SE ${(se / reps).toFixed(3)}, SD of estimates ${sd.toFixed(3)}, ratio ${ratio.toFixed(3)}, coverage ${(100 * cov / reps).toFixed(1)}% (${reps} reps, MC SE 2.0 points)`);
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.3);
      expect(cov / reps).toBeGreaterThanOrEqual(0.93);
    }
  }, 3_600_000);
});

