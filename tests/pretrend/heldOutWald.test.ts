/**
 * Joint Wald / F test of the held-out placebo effects for gsynth, synth, sdid and ascm
 * (src/estimators/pretrend/heldOutWald.ts, src/analyse/pretrends.ts).
 *  - The covariance and statistic by hand on small replicate sets (spread × multiplier, Hotelling F).
 *  - Size on generated factor-model panels with no pre-trend (40 areas, 5 treated (synth: 1), 18
 *    periods, k = 3 held-out periods): the joint test rejects 5% ± 2 MC SE for each method.
 *    Fast: 40 panels per method; VRU_SLOW=1: 400.
 *  - Roth (2022) power: the linear trend γ₈₀ the test reports, added to the treated units' held-out
 *    periods, is detected 80% ± 2 MC SE of the time, for each method (gsynth parametric bootstrap,
 *    sdid placebo (VRU_SLOW only), synth's permutation with one treated area, ascm leave-one-out).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText, type Panel } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { pf } from '../../src/core/stats.js';
import type { Analysis } from '../../src/core/result.js';
import { analysePretrends } from '../../src/analyse/pretrends.js';
import { heldOutFromReplicates, heldOutWald } from '../../src/estimators/pretrend/heldOutWald.js';

const SLOW = process.env.VRU_SLOW === '1';
const R = SLOW ? 400 : 40;
const TIMEOUT = SLOW ? 7_200_000 : 300_000;

/**
 * N areas × T periods, the first nTr treated from `start`; unit, period and one interactive
 * factor effect, iid N(0, 1) noise; `trend` adds trend·(h + 1) to the treated units in the k = 3
 * periods before the start (the held-out window of --placebo-holdout 3).
 */
function panel(rng: Rng, trend = 0, N = 40, T = 18, start = 15, nTr = 5): Panel {
  const lines = ['unit,period,y,treated'];
  const gamma = Array.from({ length: T }, () => rng.normal());
  const f = Array.from({ length: T }, () => rng.normal());
  for (let i = 0; i < N; i++) {
    const tr = i < nTr;
    const a = rng.normal();
    const l = rng.normal();
    for (let t = 0; t < T; t++) {
      const bump = tr && t >= start - 3 && t < start ? trend * (t - (start - 4)) : 0;
      lines.push(`u${i},${2000 + t},${a + gamma[t]! + l * f[t]! + bump + rng.normal()},${tr && t >= start ? 1 : 0}`);
    }
  }
  return readPanelText(lines.join('\n') + '\n', { outcome: 'y' }, 'gen.csv');
}

const band = (p: number, n: number) => 2 * Math.sqrt((p * (1 - p)) / n);

describe('held-out Wald by hand', () => {
  it('V̂ = multiplier · (1/R)Σ(x − x̄)(x − x̄)ᵀ over the held-out columns; W, Hotelling F and p as written', () => {
    const periods = ['p0', 'p1', 'p2', 'p3'];
    const reps = [[9, 1, 2, 9], [9, -1, 0, 9], [9, 0.5, -1, 9], [9, -0.5, 1, 9], [9, 0, 0, 9], [9, 2, 1, 9]];
    const a = { path: periods.map((p, t) => ({ period: p, effect: [0, 0.3, -0.2, 0][t] })) } as unknown as Analysis;
    const cov = heldOutFromReplicates(a, ['p1', 'p2'], { scheme: 'jackknife', periods, paths: reps.map((r) => Float64Array.from(r)), multiplier: 5, df: 5 });
    // by hand: columns 1 and 2
    const x = reps.map((r) => [r[1]!, r[2]!]);
    const m = [x.reduce((s, r) => s + r[0]!, 0) / 6, x.reduce((s, r) => s + r[1]!, 0) / 6];
    const v = (i: number, j: number) => (5 / 6) * x.reduce((s, r) => s + (r[i]! - m[i]!) * (r[j]! - m[j]!), 0);
    expect(cov.vcov[0]).toBeCloseTo(v(0, 0), 14);
    expect(cov.vcov[1]).toBeCloseTo(v(0, 1), 14);
    expect(cov.vcov[3]).toBeCloseTo(v(1, 1), 14);
    expect(cov.beta).toEqual([0.3, -0.2]);
    const t = heldOutWald(cov, { level: 0.95, bound: 1, boundSource: 'test', unit: 'month' });
    const det = v(0, 0) * v(1, 1) - v(0, 1) ** 2;
    const W = (0.3 * 0.3 * v(1, 1) - 2 * 0.3 * -0.2 * v(0, 1) + 0.2 * 0.2 * v(0, 0)) / det;
    expect(t.wald.statistic).toBeCloseTo(W, 12);
    const G = 6;
    const F = (W * (G - 2)) / (2 * (G - 1));
    expect(t.wald.pValue).toBeCloseTo(1 - pf(F, 2, G - 2), 12);
    expect(t.hotellingG).toBe(6);
    expect(t.summary).toMatch(/the pre-period cannot rule out a trend of [\d.]+ per month/);
    expect(t.power.slope80).toBeGreaterThan(0);
  });

  it('too few replicates for k held-out periods is an estimation error, not a number', () => {
    const periods = ['p0', 'p1', 'p2'];
    const a = { path: periods.map((p) => ({ period: p, effect: 0.1 })) } as unknown as Analysis;
    const cov = heldOutFromReplicates(a, periods, { scheme: 'placebo', periods, paths: [[1, 2, 3], [0, 1, 0], [2, 0, 1]].map((r) => Float64Array.from(r)), multiplier: 1, df: 2 });
    expect(() => heldOutWald(cov, { level: 0.95, bound: 1, boundSource: 'test', unit: 'month' })).toThrow(/needs ν ≥ k/);
  });
});

/** Method, its options, treated areas (synth's permutation test is for one treated area). */
const METHODS: [string, Record<string, unknown>, number][] = [
  ['gsynth', { reps: 100, factors: 1 }, 5],
  ['sdid', { reps: 100 }, 5],
  ['synth', {}, 1],
  ['ascm', {}, 5],
];

describe('size of the joint test with no pre-trend (generated panels)', () => {
  for (const [method, opts, nTr] of METHODS) {
    it(`${method}: rejects 5% ± 2 MC SE (${R} panels, ${nTr} treated)`, async () => {
      let rej = 0;
      let n = 0;
      for (let s = 0; s < R; s++) {
        const a = await analysePretrends(panel(new Rng(1000 + s), 0, 40, 18, 15, nTr), { method: method as 'gsynth', placeboHoldout: 3, methodOptions: opts, seed: s + 1, level: 0.95 });
        const w = (a.pretrends as { wald?: { rejected: boolean; form: string } }).wald;
        expect(w, `panel ${s}: ${JSON.stringify(a.warnings)}`).toBeDefined();
        n++;
        if (w!.rejected) rej++;
      }
      const rate = rej / n;
      console.log(`held-out Wald size, ${method}: ${rate} over ${n} panels (MC SE ${Math.sqrt((0.05 * 0.95) / n).toFixed(4)})`);
      expect(Math.abs(rate - 0.05)).toBeLessThanOrEqual(band(0.05, n) + 1e-12);
    }, TIMEOUT);
  }
});

describe('Roth (2022) power from the held-out covariance', () => {
  // sdid's placebo runs are ~4× gsynth's: its Roth check runs under VRU_SLOW only.
  // VRU_SLOW (R = 400, MC SE 2.0 points), 2026-12-07: gsynth 81.75%, sdid 81.5%, synth 79.5%, ascm 81.0%;
  // before the (ν − k − 1)/ν correction of rᵀV̂⁻¹r (eventTests.ts): 76.0%, 75.0%, 79.5% (permutation, unaffected), 75.25%.
  for (const [method, opts, nTr] of METHODS) {
    it.skipIf(method === 'sdid' && !SLOW)(`${method}: the reported γ₈₀, added as a linear trend over the held-out periods, is detected 80% ± 2 MC SE (${R} panels, ${nTr} treated)`, async () => {
      let hit = 0;
      for (let s = 0; s < R; s++) {
        const o = { method: method as 'gsynth', placeboHoldout: 3, methodOptions: opts, seed: s + 1, level: 0.95 };
        const base = await analysePretrends(panel(new Rng(5000 + s), 0, 40, 18, 15, nTr), o);
        const g80 = (base.pretrends as { power: { slope80: number } }).power.slope80;
        const withTrend = await analysePretrends(panel(new Rng(5000 + s), g80, 40, 18, 15, nTr), o);
        if ((withTrend.pretrends as { wald: { rejected: boolean } }).wald.rejected) hit++;
      }
      const rate = hit / R;
      console.log(`held-out Wald power at γ80, ${method}: ${rate} over ${R} panels (MC SE ${Math.sqrt((0.8 * 0.2) / R).toFixed(4)})`);
      expect(Math.abs(rate - 0.8)).toBeLessThanOrEqual(band(0.8, R) + 1e-12);
    }, TIMEOUT);
  }
});
