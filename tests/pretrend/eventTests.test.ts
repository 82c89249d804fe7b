/**
 * Pre-trend tests (src/estimators/pretrend/eventTests.ts, placebo.ts).
 *  - Noncentral χ² tail and Roth (2022) power against closed forms for one coefficient
 *    (P(|Z + √λ| > z) = Φ(√λ − z) + Φ(−√λ − z)).
 *  - Size on generated panels with no pre-trend (TWFE event study, cluster-robust Σ, 60 clusters): the
 *    joint Wald test (Hotelling F form) and the hold-out placebo test reject 5% ± 2 MC SE; the TOST at the boundary of its null
 *    (one pre coefficient exactly at the bound) rejects at most 5% + 2 MC SE.
 *    Fast: 200 panels; VRU_SLOW=1: 2,000.
 *  - Roth power: a linear pre-trend of slope γ₈₀ (120 units) is detected 80% ± 2 MC SE of the time.
 */
import { describe, expect, it } from 'vitest';
import { readPanelText, type Panel } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { pnorm, qnorm } from '../../src/core/stats.js';
import { estimateTwfe, TWFE_DEFAULTS, type TwfeOptions } from '../../src/estimators/did/index.js';
import { noncentralChisqTail, preTrendTests, residualSd } from '../../src/estimators/pretrend/eventTests.js';
import { placeboHoldoutSync, placeboPanel } from '../../src/estimators/pretrend/placebo.js';
import { expectClose } from '../helpers.js';

const SLOW = process.env.VRU_SLOW === '1';
const R = SLOW ? 2000 : 200;
/** Per-test timeout: the slow run takes ~12 min on a loaded 2-core machine. */
const TIMEOUT = SLOW ? 3_600_000 : 240_000;

const twfeOpts = (window: [number, number] | null): TwfeOptions => ({
  vcov: 'cluster', cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: window,
  wildBootstrap: 0, wildWeights: 'rademacher', level: 0.95, seed: 1, maxIter: TWFE_DEFAULTS.maxIter, tol: 1e-10,
});

/** N units × T periods, half treated from period `start`, unit and period effects, iid noise; `pre(e)` adds to treated units at event time e. */
function panel(rng: Rng, N: number, T: number, start: number, pre: (e: number) => number = () => 0): Panel {
  const lines = ['unit,period,y,treated'];
  const gamma = Array.from({ length: T }, () => rng.normal());
  for (let i = 0; i < N; i++) {
    const treated = i < N / 2;
    const a = rng.normal();
    for (let t = 0; t < T; t++) {
      const d = treated && t >= start ? 1 : 0;
      const bump = treated ? pre(t - start) : 0;
      lines.push(`u${i},${2000 + t},${a + gamma[t]! + bump + rng.normal()},${d}`);
    }
  }
  return readPanelText(lines.join('\n') + '\n', { outcome: 'y' }, 'gen.csv');
}

/** Pre-period part of the event study of a TWFE result. */
function preOf(a: ReturnType<typeof estimateTwfe>) {
  const ec = a.eventCovariance as { eventTimes: number[]; estimates: number[]; vcov: number[][] };
  const idx = ec.eventTimes.map((e, j) => [e, j] as const).filter(([e]) => e <= -2);
  return { eventTimes: idx.map(([e]) => e), beta: idx.map(([, j]) => ec.estimates[j]!), vcov: idx.flatMap(([, a1]) => idx.map(([, b1]) => ec.vcov[a1]![b1]!)), clusters: (ec as { clusters?: number | null }).clusters ?? null };
}

const band = (rate: number, p: number, n: number) => {
  const se = Math.sqrt((p * (1 - p)) / n);
  return { lo: p - 2 * se, hi: p + 2 * se, se, rate };
};

describe('closed forms', () => {
  it('noncentral χ²₁ tail equals Φ(√λ − z) + Φ(−√λ − z); λ₈₀ for one coefficient is (z₀.₉₇₅ + z₀.₈)² up to the far tail', () => {
    const z = qnorm(0.975);
    for (const lam of [0, 0.5, 3, 7.849, 20]) {
      const exact = pnorm(Math.sqrt(lam) - z) + pnorm(-Math.sqrt(lam) - z);
      expectClose(noncentralChisqTail(z * z, 1, lam), exact, { atol: 1e-10 }, `λ = ${lam}`);
    }
    // One pre coefficient at e = −2 with se σ: r = −1, so γ₈₀ = √λ₈₀ · σ.
    const sigma = 0.2;
    const t = preTrendTests({ eventTimes: [-2], beta: [0.01], vcov: [sigma * sigma] }, { level: 0.95, bound: 0.1, boundSource: 'test', unit: 'month' });
    const lam80 = t.power.slope80 ** 2 / (sigma * sigma);
    expectClose(pnorm(Math.sqrt(lam80) - z) + pnorm(-Math.sqrt(lam80) - z), 0.8, { atol: 1e-8 }, 'power at γ₈₀');
    expect(t.summary).toMatch(/cannot rule out a trend of .* per month/);
    // TOST for one coefficient: p = max of the two one-sided p-values.
    expectClose(t.equivalence.pValue, Math.max(1 - pnorm((0.01 + 0.1) / sigma), pnorm((0.01 - 0.1) / sigma)), { atol: 1e-14 }, 'TOST p');
    // Trend not ruled out = |γ̂| + z₀.₉₅ se with γ̂ = −β̂₋₂ (r = −1).
    expectClose(t.trend.notRuledOut, 0.01 + qnorm(0.95) * sigma, { atol: 1e-12 }, 'trend not ruled out');
  });

  it('residual SD: two-way demeaned untreated cells (exact on a balanced additive panel plus known residuals)', () => {
    const N = 4, T = 3;
    const e = [1, -1, 0, -1, 1, 0, 0, 0, 0, 0, 0, 0];
    // Doubly centred residual matrix (rows and columns sum to 0) plus additive effects.
    const y = e.map((v, k) => v + 10 * Math.floor(k / T) + 3 * (k % T));
    const sd = residualSd(y, new Uint8Array(N * T), N, T);
    expectClose(sd, Math.sqrt(4 / 11), { atol: 1e-10 }, 'σ_ε');
  });
});

describe(`size and power on generated panels (${R} panels${SLOW ? '' : '; VRU_SLOW=1 for 2,000'})`, () => {
  it('joint Wald pre-test and hold-out placebo (k = 2) reject 5% ± 2 MC SE with no pre-trend', () => {
    const rng = new Rng(22);
    let wald = 0;
    let placebo = 0;
    for (let r = 0; r < R; r++) {
      const p = panel(rng, 60, 10, 6);
      const a = estimateTwfe(p, twfeOpts([-6, 3]), new Rng(1));
      const t = preTrendTests(preOf(a), { level: 0.95, bound: 1, boundSource: 'test', unit: 'period' });
      if (t.wald.rejected) wald++;
      const pl = placeboHoldoutSync(p, 2, (q) => estimateTwfe(q, twfeOpts(null), new Rng(1)), 0.95, 1, 'period');
      if (pl.passed === false) placebo++;
    }
    const bw = band(wald / R, 0.05, R);
    const bp = band(placebo / R, 0.05, R);
    console.log(`Wald pre-test size ${bw.rate} (MC SE ${bw.se.toFixed(4)}), placebo size ${bp.rate}, R = ${R}`);
    expect(bw.rate).toBeGreaterThanOrEqual(bw.lo);
    expect(bw.rate).toBeLessThanOrEqual(bw.hi);
    expect(bp.rate).toBeGreaterThanOrEqual(bp.lo);
    expect(bp.rate).toBeLessThanOrEqual(bp.hi);
  }, TIMEOUT);

  it('TOST at the boundary (one pre coefficient exactly at the bound) rejects ≤ 5% + 2 MC SE; Roth γ₈₀ trend detected 80% ± 2 MC SE', () => {
    const rng = new Rng(2022);
    const bound = 1.5;
    // γ₈₀ is a property of the design's Σ; average it over 10 pilot panels (each Σ̂ is an estimate).
    const NP = 120;
    let g80 = 0;
    for (let q = 0; q < 10; q++) g80 += preTrendTests(preOf(estimateTwfe(panel(new Rng(100 + q), NP, 10, 6), twfeOpts([-6, 3]), new Rng(1))), { level: 0.95, bound, boundSource: 'test', unit: 'period' }).power.slope80 / 10;
    let tost = 0;
    let detect = 0;
    for (let r = 0; r < R; r++) {
      const pb = panel(rng, 60, 10, 6, (e) => (e === -3 ? bound : 0));
      const tb = preTrendTests(preOf(estimateTwfe(pb, twfeOpts([-6, 3]), new Rng(1))), { level: 0.95, bound, boundSource: 'test', unit: 'period' });
      if (tb.equivalence.equivalent) tost++;
      const pt = panel(rng, NP, 10, 6, (e) => g80 * (e + 1));
      const tt = preTrendTests(preOf(estimateTwfe(pt, twfeOpts([-6, 3]), new Rng(1))), { level: 0.95, bound, boundSource: 'test', unit: 'period' });
      if (tt.wald.rejected) detect++;
    }
    const bt = band(tost / R, 0.05, R);
    const bd = band(detect / R, 0.8, R);
    console.log(`TOST boundary rejection ${bt.rate}, Roth γ80 = ${g80.toFixed(4)} detected ${bd.rate} (MC SE ${bd.se.toFixed(4)}), R = ${R}`);
    expect(bt.rate).toBeLessThanOrEqual(bt.hi);
    expect(bd.rate).toBeGreaterThanOrEqual(bd.lo);
    expect(bd.rate).toBeLessThanOrEqual(bd.hi);
  }, TIMEOUT);
});

describe('placebo panel', () => {
  it('keeps the periods before the first start and pseudo-treats the first cohort from start − k', () => {
    const p = panel(new Rng(3), 6, 8, 5);
    const pp = placeboPanel(p, 2);
    expect(pp.panel.periods).toEqual(['2000', '2001', '2002', '2003', '2004']);
    expect(pp.heldOut).toEqual(['2003', '2004']);
    expect(Array.from(pp.panel.treated.subarray(0, 5))).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(pp.panel.treated.subarray(5 * 5, 6 * 5))).toEqual([0, 0, 0, 0, 0]);
    expect(pp.panel.y[1 * 5 + 4]).toBe(p.y[1 * 8 + 4]);
    expect(() => placeboPanel(p, 4)).toThrow(/at least 2 earlier periods/);
  });
});
