/**
 * Rambachan & Roth (2023) sensitivity bounds (src/estimators/did/honest.ts) on hand-built
 * event studies with known β̂ and Σ. Every bound is recomputed here by an independent route:
 *  - the relative-magnitude identified set by a linear programme over δ_post (HiGHS, written
 *    in LP format here), not the closed form Σ|L_k| the module uses;
 *  - the smoothness FLCI by brute force over the free pre-period weight, with the worst-case
 *    bias of each candidate estimator from an LP over δ ∈ Δ^SD(M), not the module's ‖Aᵀw‖₁;
 *  - at M̄ = 0 / M = 0 the intervals against the textbook cases (β̂₀ ± zσ; linear extrapolation).
 */
import { describe, expect, it } from 'vitest';
import * as highsModule from 'highs';
import type { Highs } from 'highs';
import { Rng } from '../../src/core/rng.js';
import { pnorm, qnorm } from '../../src/core/stats.js';
import { cvFoldedNormal, flci, honestDid, prepareHonest, relativeMagnitudes, rmIdentifiedSet, smoothness, type EventStudy } from '../../src/estimators/did/honest.js';
import { expectClose } from '../helpers.js';

const loadHighs = (highsModule as unknown as { default: () => Promise<Highs> }).default;

/** Σ_ab = s_a s_b ρ^|a−b|: a positive definite covariance with correlated neighbours. */
function arCov(sds: number[], rho: number): number[] {
  const k = sds.length;
  const V: number[] = [];
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) V.push(sds[a]! * sds[b]! * rho ** Math.abs(a - b));
  return V;
}

const ES: EventStudy = {
  eventTimes: [-4, -3, -2, 0, 1, 2],
  beta: [0.02, -0.03, 0.01, 0.25, 0.3, 0.4],
  vcov: arCov([0.05, 0.045, 0.04, 0.06, 0.07, 0.08], 0.3),
};

/** max/min of lᵀδ_post over |δ_{e+1} − δ_e| ≤ B for e = −1…e_max−1, δ_{−1} = 0, by LP. */
function rmLp(highs: Highs, l: number[], B: number): [number, number] {
  const Q = l.length; // post event times 0…Q−1; variables d0…d_{Q−1} = δ_e
  const obj = l.map((x, e) => `${x >= 0 ? '+' : '-'} ${Math.abs(x)} d${e}`).join(' ');
  const rows: string[] = [];
  rows.push(` c0a: d0 <= ${B}`, ` c0b: d0 >= ${-B}`);
  for (let e = 1; e < Q; e++) rows.push(` c${e}a: d${e} - d${e - 1} <= ${B}`, ` c${e}b: d${e} - d${e - 1} >= ${-B}`);
  const bounds = l.map((_, e) => ` d${e} free`).join('\n');
  const solve = (sense: string) => {
    const sol = highs.solve(`${sense}\n obj: ${obj}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds}\nEnd\n`);
    expect(sol.Status).toBe('Optimal');
    return sol.ObjectiveValue;
  };
  return [solve('Minimize'), solve('Maximize')];
}

describe('relative magnitudes Δ^RM(M̄)', () => {
  it('identified set equals an independent LP over δ_post (targets first and average)', async () => {
    const highs = await loadHighs();
    const beta = ES.beta as number[];
    // Pre first differences: β_{-3}−β_{-4}, β_{-2}−β_{-3}, β_{-1}−β_{-2} (β_{-1} = 0).
    const m = Math.max(Math.abs(-0.03 - 0.02), Math.abs(0.01 + 0.03), Math.abs(0 - 0.01));
    for (const target of ['first', 'average'] as const) {
      const s = prepareHonest(ES, target);
      const l = target === 'first' ? [1, 0, 0] : [1 / 3, 1 / 3, 1 / 3];
      const b = l.reduce((acc, x, e) => acc + x * beta[3 + e]!, 0);
      for (const mbar of [0, 0.5, 1, 2.5]) {
        const [lo, hi] = rmLp(highs, l, mbar * m);
        const [a, c] = rmIdentifiedSet(s, mbar);
        expectClose(a, b - hi, { atol: 1e-9 }, `${target} M̄=${mbar} lower`);
        expectClose(c, b - lo, { atol: 1e-9 }, `${target} M̄=${mbar} upper`);
      }
    }
  });

  it('robust intervals nest as M̄ grows, contain the identified set, and at M̄ = 0 are β̂₀ ± zσ', () => {
    const s = prepareHonest(ES, 'first');
    const grid = [0, 0.1, 0.25, 0.5, 1, 2, 4];
    const rm = relativeMagnitudes(s, grid, 0.95);
    const z = qnorm(0.975);
    expectClose(rm.rows[0]!.lower, 0.25 - z * 0.06, { atol: 1e-12 }, 'M̄ = 0 lower');
    expectClose(rm.rows[0]!.upper, 0.25 + z * 0.06, { atol: 1e-12 }, 'M̄ = 0 upper');
    for (let j = 1; j < grid.length; j++) {
      expect(rm.rows[j]!.lower).toBeLessThanOrEqual(rm.rows[j - 1]!.lower);
      expect(rm.rows[j]!.upper).toBeGreaterThanOrEqual(rm.rows[j - 1]!.upper);
    }
    for (const r of rm.rows) {
      expect(r.lower).toBeLessThanOrEqual(r.identifiedSet[0]);
      expect(r.upper).toBeGreaterThanOrEqual(r.identifiedSet[1]);
    }
    // Šidák critical value for J = 3 pre differences + the target: (2Φ(c) − 1)^4 = 0.95.
    expectClose((2 * pnorm(rm.criticalValue) - 1) ** 4, 0.95, { atol: 1e-12 }, 'Šidák');
    // Breakdown: the interval at M̄* touches 0.
    expect(rm.breakdown).not.toBeNull();
    const at = relativeMagnitudes(s, [rm.breakdown!], 0.95).rows[0]!;
    expectClose(at.lower, 0, { atol: 1e-12 }, 'lower bound at the breakdown M̄');
  });

  it('covers θ at least 95% when δ_post sits at the edge of Δ^RM (Monte Carlo, 4,000 draws)', () => {
    // True β: pre trend with largest first difference 0.04, post violation at the worst case for M̄ = 1.
    const tau = 0.1;
    const mbar = 1;
    const pre = [0.02, -0.02, 0.02]; // e = −4…−2; first diffs −0.04, 0.04, −0.02 → m = 0.04
    const deltaPost = [mbar * 0.04, 2 * mbar * 0.04, 3 * mbar * 0.04]; // |first diffs| = M̄ m
    const beta = [...pre, tau + deltaPost[0]!, tau + deltaPost[1]!, tau + deltaPost[2]!];
    const V = ES.vcov as number[];
    const k = 6;
    // Cholesky of V for draws.
    const L = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) {
      let sum = V[i * k + j]!;
      for (let q = 0; q < j; q++) sum -= L[i * k + q]! * L[j * k + q]!;
      L[i * k + j] = i === j ? Math.sqrt(sum) : sum / L[j * k + j]!;
    }
    const rng = new Rng(2023);
    const R = 4000;
    let cover = 0;
    for (let r = 0; r < R; r++) {
      const zs = Array.from({ length: k }, () => rng.normal());
      const b = beta.map((mu, i) => mu + zs.reduce((acc, zz, q) => acc + L[i * k + q]! * zz, 0));
      const s = prepareHonest({ eventTimes: ES.eventTimes, beta: b, vcov: V }, 'first');
      const row = relativeMagnitudes(s, [mbar], 0.95).rows[0]!;
      if (row.lower <= tau && tau <= row.upper) cover++;
    }
    const rate = cover / R;
    const mcSe = Math.sqrt(0.95 * 0.05 / R);
    expect(rate).toBeGreaterThanOrEqual(0.95 - 2 * mcSe);
  });
});

/** Worst-case bias max_{δ ∈ Δ^SD(M)} wᵀδ by LP (variables δ on the grid, δ_{−1} = 0). */
function sdBiasLp(highs: Highs, eMin: number, eMax: number, w: Map<number, number>, M: number): number {
  const v = (e: number) => `x${e - eMin}`;
  const terms = [...w.entries()].filter(([, c]) => c !== 0).map(([e, c]) => `${c >= 0 ? '+' : '-'} ${Math.abs(c)} ${v(e)}`).join(' ');
  const rows: string[] = [];
  for (let e = eMin + 1; e < eMax; e++) {
    rows.push(` s${e - eMin}a: ${v(e + 1)} - 2 ${v(e)} + ${v(e - 1)} <= ${M}`, ` s${e - eMin}b: ${v(e + 1)} - 2 ${v(e)} + ${v(e - 1)} >= ${-M}`);
  }
  rows.push(` ref: ${v(-1)} = 0`);
  const bounds: string[] = [];
  for (let e = eMin; e <= eMax; e++) bounds.push(` ${v(e)} free`);
  const sol = highs.solve(`Maximize\n obj: ${terms}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`);
  expect(sol.Status).toBe('Optimal');
  return sol.ObjectiveValue;
}

describe('smoothness Δ^SD(M): fixed-length confidence intervals', () => {
  it('c_α(t), the 1 − α quantile of |N(t,1)|: z at t = 0, t + z_{1−α} for large t', () => {
    expectClose(cvFoldedNormal(0, 0.05), qnorm(0.975), { atol: 1e-10 }, 'c(0)');
    expectClose(cvFoldedNormal(10, 0.05), 10 + qnorm(0.95), { atol: 1e-10 }, 'c(10)');
    const c = cvFoldedNormal(1.3, 0.05);
    expectClose(pnorm(c - 1.3) - pnorm(-c - 1.3), 0.95, { atol: 1e-12 }, 'coverage at t = 1.3');
  });

  it('with one pre-period coefficient, M = 0 is linear extrapolation β̂₀ + β̂₋₂ (± zσ)', () => {
    const es: EventStudy = { eventTimes: [-2, 0, 1], beta: [0.05, 0.3, 0.2], vcov: arCov([0.04, 0.05, 0.06], 0.2) };
    const s = prepareHonest(es, 'first');
    const r = flci(s, 0, 0.95);
    // δ linear through δ₋₁ = 0: δ₀ = −δ₋₂, so θ̂ = β̂₀ + β̂₋₂, Var = σ₀² + σ₋₂² + 2 cov.
    const V = es.vcov as number[];
    const sd = Math.sqrt(V[4]! + V[0]! + 2 * V[1]!);
    expectClose(r.centre, 0.35, { atol: 1e-12 }, 'centre');
    expectClose(r.upper - r.centre, qnorm(0.975) * sd, { atol: 1e-12 }, 'half-length');
  });

  for (const [label, es, target, l] of [
    ['one post period', { eventTimes: [-3, -2, 0, 1], beta: [-0.04, 0.01, 0.3, 0.2], vcov: arCov([0.05, 0.04, 0.06, 0.07], 0.4) }, 'first', [1, 0]],
    ['three post periods, average', { eventTimes: [-3, -2, 0, 1, 2], beta: [-0.04, 0.01, 0.3, 0.2, 0.25], vcov: arCov([0.05, 0.04, 0.06, 0.07, 0.08], 0.4) }, 'average', [1 / 3, 1 / 3, 1 / 3]],
  ] as [string, EventStudy, 'first' | 'average', number[]][]) {
    it(`FLCI equals a brute-force search over the free pre weight with LP worst-case bias (${label})`, async () => {
      const highs = await loadHighs();
      const s = prepareHonest(es, target);
      const V = es.vcov as number[];
      const k = es.eventTimes.length;
      const eMax = es.eventTimes[k - 1]!;
      // w = (v₋₃, v₋₂, l); unbiased for linear trends δ_e = e + 1: −2 v₋₃ − v₋₂ + Σ_e l_e (e + 1) = 0.
      const c = l.reduce((acc, x, e) => acc + x * (e + 1), 0);
      for (const M of [0, 0.01, 0.05, 0.2]) {
        const half = (u: number) => {
          const w = [u, c - 2 * u, ...l];
          let vv = 0;
          for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) vv += w[a]! * V[a * k + b]! * w[b]!;
          const sd = Math.sqrt(vv);
          const wm = new Map<number, number>([[-3, w[0]!], [-2, w[1]!], ...l.map((x, e) => [e, x] as [number, number])]);
          const bias = M === 0 ? 0 : sdBiasLp(highs, -3, eMax, wm, M);
          return sd * cvFoldedNormal(bias / sd, 0.05);
        };
        // Grid then golden-section refinement (the half-length is convex in u).
        let best = -3;
        let fb = Infinity;
        for (let u = -3; u <= 3; u += 0.02) {
          const f = half(u);
          if (f < fb) [fb, best] = [f, u];
        }
        let a = best - 0.02;
        let b = best + 0.02;
        const g = (Math.sqrt(5) - 1) / 2;
        for (let it = 0; it < 60; it++) {
          const cc = b - g * (b - a);
          const d = a + g * (b - a);
          if (half(cc) < half(d)) b = d;
          else a = cc;
        }
        const brute = half((a + b) / 2);
        const r = flci(s, M, 0.95);
        expectClose((r.upper - r.lower) / 2, brute, { rtol: 1e-6 }, `FLCI half-length at M = ${M}`);
        expect((r.upper - r.lower) / 2).toBeLessThanOrEqual(brute * (1 + 1e-6)); // Nelder–Mead stops within 1e-7 of a kinked optimum
        // The module's worst-case bias (‖Aᵀw‖₁ M) equals the LP's for its own optimal weights.
        if (M > 0) {
          const wm = new Map<number, number>([[-3, r.preWeights[0]!], [-2, r.preWeights[1]!], ...l.map((x, e) => [e, x] as [number, number])]);
          expectClose(r.maxBias, sdBiasLp(highs, -3, eMax, wm, M), { rtol: 1e-9, atol: 1e-12 }, `worst-case bias at M = ${M}`);
        }
      }
    });
  }

  it('FLCIs widen with M, breakdown M is where the interval first covers 0', () => {
    const s = prepareHonest(ES, 'first');
    const res = smoothness(s, [0, 0.01, 0.02, 0.05, 0.1], 0.95);
    for (let j = 1; j < res.rows.length; j++) {
      const w = res.rows[j]!.upper - res.rows[j]!.lower;
      const w0 = res.rows[j - 1]!.upper - res.rows[j - 1]!.lower;
      expect(w).toBeGreaterThanOrEqual(w0 * (1 - 1e-9));
    }
    expect(res.breakdown).not.toBeNull();
    const before = flci(s, res.breakdown! * 0.999, 0.95);
    const after = flci(s, res.breakdown! * 1.001 + 1e-9, 0.95);
    expect(before.lower > 0 || before.upper < 0).toBe(true);
    expect(after.lower <= 0 && after.upper >= 0).toBe(true);
  });

  it('refuses event studies without pre-periods or with gaps', () => {
    expect(() => prepareHonest({ eventTimes: [0, 1], beta: [1, 1], vcov: [1, 0, 0, 1] }, 'first')).toThrow(/pre-period/);
    expect(() => prepareHonest({ eventTimes: [-3, 0], beta: [1, 1], vcov: [1, 0, 0, 1] }, 'first')).toThrow(/every event time/);
  });

  it('honestDid assembles both and words the breakdown', () => {
    const h = honestDid(ES, { target: 'first', mbar: [0, 0.5, 1], m: [0, 0.02], level: 0.95 });
    expect(h.relativeMagnitudes.rows).toHaveLength(3);
    expect(h.smoothness.rows).toHaveLength(2);
    expect(h.summary).toMatch(/breakdown M̄/);
  });
});
