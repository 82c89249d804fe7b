/**
 * Analytic MDE: Bloom (1995) and Burlig, Preonas & Woerman (2020) eq. 2 on hand-computable cases,
 * the moments from a hand residual matrix, and simulated power at the analytic MDE = 80% within
 * 2 Monte Carlo SEs on generated panels with a known noise (fast here; 1,000 designs under VRU_SLOW=1).
 */
import { describe, expect, it } from 'vitest';
import { bloomDidMde, bloomMultiplier, bpwMde, bpwVariance, errorMoments, twoWayResiduals } from '../../src/power/analytic.js';
import { simulatePower } from '../../src/power/simulate.js';
import { analyticMde } from '../../src/power/document.js';
import { expectClose } from '../helpers.js';
import { noisePanel } from './gen.js';

describe('analytic MDE formulas', () => {
  it("Bloom's multiplier is z_{0.975} + z_{0.8} = 2.8016 with many df, and t-based with few", () => {
    expectClose(bloomMultiplier(0.05, 0.8, 1e7), 1.959964 + 0.841621, { atol: 1e-5 }, 'M(∞)');
    // Student t tables: t_{0.975,9} = 2.262157, t_{0.8,9} = 0.883404
    expectClose(bloomMultiplier(0.05, 0.8, 9), 2.262157 + 0.883404, { atol: 1e-5 }, 'M(9)');
  });

  it('BPW variance by hand: J = 10, P = ½, m = r = 2', () => {
    const d = { units: 10, treated: 5, pre: 2, post: 2 };
    // no serial correlation: σ²(m+r)/(mr) / (P(1−P)J) = 4·1/2.5 = 1.6
    expectClose(bpwVariance(d, { sigma2: 4, psiB: 0, psiA: 0, psiX: 0 }), 1.6, { rtol: 1e-14 });
    // ψ^B = 1, ψ^A = ½, ψ^X = ¼: bracket 4 + ½·1 + ½·½ − 2·¼ = 4.25 → 1.7
    expectClose(bpwVariance(d, { sigma2: 4, psiB: 1, psiA: 0.5, psiX: 0.25 }), 1.7, { rtol: 1e-14 });
    const r = bpwMde(d, { sigma2: 4, psiB: 1, psiA: 0.5, psiX: 0.25 }, 0.05, 0.8);
    expect(r.df).toBe(9);
    expectClose(r.mde, (2.262157 + 0.883404) * Math.sqrt(1.7), { rtol: 1e-6 }, 'BPW MDE');
    expectClose(bloomDidMde(d, 4, 0.05, 0.8).mde, (2.262157 + 0.883404) * Math.sqrt(1.6), { rtol: 1e-6 }, 'Bloom MDE');
  });

  it('error moments from a hand residual matrix', () => {
    // J = 2, T = 3, last period post; C[s,t] = Σ_i w_is w_it / (J − 1)
    const w = [1, -1, 0, -1, 1, 0];
    const m = errorMoments(w, 2, 3, 1);
    expectClose(m.sigma2, 4 / 3, { rtol: 1e-14 }, 'σ²');
    expectClose(m.psiB, -2, { rtol: 1e-14 }, 'ψB');
    expect(m.psiA).toBe(0);
    expect(m.psiX).toBe(0);
    expectClose(m.sigma2Iid, 2, { rtol: 1e-14 }, 'σ² two-way df');
  });

  it('two-way residuals of an additive panel are zero, and the BPW bracket undoes the demeaning bias', () => {
    const J = 3, T = 4;
    const y = Array.from({ length: J * T }, (_, k) => 5 * Math.floor(k / T) + 0.7 * (k % T) ** 2);
    for (const v of twoWayResiduals(y, J, T)) expect(Math.abs(v)).toBeLessThan(1e-12);
    // i.i.d. σ = 2 noise, many units: the bracket is σ²(m+r)/(mr) (≈ 4·(8+4)/32 = 1.5) despite the −σ²/T covariances demeaning induces
    // (each estimate has a sampling SE of ≈ 2%; the mean of three panels is within 3 of its SEs)
    let v = 0;
    for (const seed of [5, 6, 7]) {
      const p = noisePanel(4000, 12, 2, seed);
      const mom = errorMoments(twoWayResiduals(p.y, 4000, 12), 4000, 12, 4);
      expect(mom.psiB).toBeLessThan(-0.2); // ≈ −σ²/T = −0.33: the demeaning covariance is there
      v += (bpwVariance({ units: 4000, treated: 2000, pre: 8, post: 4 }, mom) * 0.25 * 4000) / 3;
    }
    expectClose(v, 1.5, { rtol: 0.035 }, 'bracket');
  });
});

describe('simulated power at the analytic MDE', () => {
  const slow = process.env.VRU_SLOW === '1';
  const K = slow ? 4000 : 400;
  it(`twfe, σ = 1 known: power at Bloom's MDE is 80% within 2 MC SEs over ${K} generated panels (one placebo design each)`, async () => {
    // The power of a design is over the noise: each draw is a fresh panel with one pseudo-treated design
    // (designs on one fixed panel share its noise and estimate the power given that panel instead).
    const J = 40, T = 20, n1 = 10, post = 5;
    const mde = bloomDidMde({ units: J, treated: n1, pre: T - post, post }, 1, 0.05, 0.8).mde;
    let rej = 0;
    for (let k = 0; k < K; k++) {
      const r = await simulatePower(noisePanel(J, T, 1, 1000 + k), { method: 'twfe', sims: 1, effects: [mde], effectType: 'additive', direction: 'decrease', power: 0.8, alpha: 0.05, placebo: 'space', reps: 10, start: T, seed: k, outcomeScale: null, ratePer: 1e5, nTreated: n1, post });
      rej += r.curve.find((c) => c.effect === mde)!.rejections;
    }
    const p = rej / K;
    const se = Math.sqrt((0.8 * 0.2) / K);
    expect(Math.abs(p - 0.8), `power ${p} at MDE ${mde}, MC SE ${se}`).toBeLessThanOrEqual(2 * se);
  }, 600_000);

  it('on one generated panel, the simulated MDE and the BPW MDE from its own residuals agree within 15%', async () => {
    const panel = noisePanel(100, 20, 1, 14);
    const o = { method: 'twfe' as const, sims: 400, effectType: 'additive' as const, direction: 'decrease' as const, power: 0.8, alpha: 0.05, placebo: 'space' as const, reps: 10, start: 20, seed: 3, outcomeScale: null, ratePer: 1e5, nTreated: 20, post: 5 };
    const r = await simulatePower(panel, o);
    const an = analyticMde(panel, o, r);
    expect(an.applies).toBe(true);
    expectClose(r.mde.value, an.bpw!.mde, { rtol: 0.15 }, 'simulated vs BPW MDE');
  }, 120_000);
});
