/**
 * CS with covariates on simulated conditional parallel trends (sim/dgp.ts
 * simulateCovariateDid): trends depend on x and x drives selection, so the
 * unconditional estimator is biased and the covariate-adjusted one is not.
 * The analytic influence-function SE (which includes the estimation error of the
 * outcome regression) is checked against the Monte Carlo SD of the estimates.
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { estimateCs, type CsOptions } from '../../src/estimators/did/index.js';
import { simulateCovariateDid } from '../../src/sim/dgp.js';

const SPEC = { units: 400, periods: 4, treatStart: 3, effect: 1, selection: 1.2, trendOnX: 1 };
const opts = (o: Partial<CsOptions> = {}): CsOptions => ({ control: 'never', basePeriod: 'varying', boots: 0, level: 0.95, seed: 1, estimator: 'or', ...o });

function run(seed: number, covariates: string[], o: Partial<CsOptions> = {}, spec = SPEC) {
  const { csv } = simulateCovariateDid(spec, seed);
  const panel = readPanelText(csv, { outcome: 'y', covariates });
  return estimateCs(panel, opts(o), new Rng(1)) as any;
}

function monteCarlo(reps: number, o: Partial<CsOptions>, spec = SPEC) {
  const est: number[] = [];
  const se: number[] = [];
  for (let r = 0; r < reps; r++) {
    const a = run(100000 + 7 * r, ['x'], o, spec);
    est.push(a.estimate.att);
    se.push(a.estimate.se);
  }
  const mean = est.reduce((s, v) => s + v, 0) / reps;
  const sd = Math.sqrt(est.reduce((s, v) => s + (v - mean) ** 2, 0) / (reps - 1));
  const meanSe = se.reduce((s, v) => s + v, 0) / reps;
  return { mean, sd, meanSe };
}

describe('CS with covariates (simulated conditional parallel trends)', () => {
  it('unadjusted estimate is biased; outcome regression on x recovers the ATT', () => {
    const no = run(1, []);
    const or = run(1, ['x']);
    // Bias of the unadjusted estimator (≈ 0.7 = 0.5·(E[x|treated] − E[x|never])) is several SEs.
    expect(Math.abs(no.estimate.att - 1)).toBeGreaterThan(3 * no.estimate.se);
    // 4 SEs: fails with probability < 1e-4 for an unbiased estimator with a correct SE.
    expect(Math.abs(or.estimate.att - 1)).toBeLessThan(4 * or.estimate.se);
  });

  for (const estimator of ['or', 'dr'] as const) {
    it(`${estimator}: analytic SE matches the Monte Carlo SD over 120 panels (±20%), mean within 4 MC SEs of the truth`, () => {
      // ±20%: the MC SD from 120 draws has relative SE ≈ 1/√240 ≈ 6.5%, so ±20% is ≈ 3 SEs wide.
      const r = monteCarlo(120, { estimator });
      console.log(`[cs ${estimator}] MC mean ${r.mean.toFixed(4)}, MC SD ${r.sd.toFixed(4)}, mean analytic SE ${r.meanSe.toFixed(4)}`);
      expect(Math.abs(r.mean - 1)).toBeLessThan(4 * (r.sd / Math.sqrt(120)));
      expect(r.meanSe / r.sd).toBeGreaterThan(0.8);
      expect(r.meanSe / r.sd).toBeLessThan(1.2);
    }, 60_000);
  }

  it('dr is consistent when the outcome model is misspecified (trend in x²) but the propensity score is right', () => {
    const spec = { ...SPEC, units: 2000, nonlinear: true };
    const or = run(3, ['x'], { estimator: 'or' }, spec);
    const dr = run(3, ['x'], { estimator: 'dr' }, spec);
    console.log(`[cs misspecified OR] or ${or.estimate.att.toFixed(4)} (se ${or.estimate.se.toFixed(4)}), dr ${dr.estimate.att.toFixed(4)} (se ${dr.estimate.se.toFixed(4)}), truth 1`);
    expect(Math.abs(dr.estimate.att - 1)).toBeLessThan(4 * dr.estimate.se);
    expect(Math.abs(or.estimate.att - 1)).toBeGreaterThan(Math.abs(dr.estimate.att - 1));
  });

  it('without covariates or = dr exactly (constant propensity score)', () => {
    const a = run(2, [], { estimator: 'or' });
    const b = run(2, [], { estimator: 'dr' });
    expect(Math.abs(a.estimate.att - b.estimate.att)).toBeLessThan(1e-12);
    expect(Math.abs(a.estimate.se - b.estimate.se) / a.estimate.se).toBeLessThan(1e-9);
  });
});
