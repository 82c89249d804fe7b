/**
 * The Andrews–Roth–Pakes hybrid test for relative magnitudes (src/estimators/did/honestArp.ts,
 * honestRm.ts, standardLp.ts) against references computed independently here:
 *  - the simplex against HiGHS on the primal of the ARP statistic (written in LP format here);
 *  - the truncated-normal tail against the textbook formula and the Mills-ratio asymptote;
 *  - at M̄ = 0 the hybrid set against the closed form lᵀβ̂ ± c_H σ derived in honestRm.ts
 *    (Φ̄(c_H) = Φ̄(c̃) + α̃(½ − Φ̄(c̃)), c̃ the simulated c_LF in σ units), and c̃ against
 *    z_{1−κ/2} within the binomial error of an empirical 1 − κ quantile from N draws;
 *  - size by Monte Carlo with β on the boundary of Δ^RM(M̄) (VRU_SLOW=1 for the long run);
 *  - nesting in M̄ and length against the Šidák projection, measured over random (β̂, Σ).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as highsModule from 'highs';
import type { Highs } from 'highs';
import { Rng } from '../../src/core/rng.js';
import { pnorm, qnorm } from '../../src/core/stats.js';
import { prepareHonest, relativeMagnitudes, type EventStudy } from '../../src/estimators/did/honest.js';
import { truncatedUpperTail } from '../../src/estimators/did/honestArp.js';
import { rmHybrid, rmHybridTester, RM_HYBRID_DEFAULTS } from '../../src/estimators/did/honestRm.js';
import { StandardLp } from '../../src/estimators/did/standardLp.js';
import { expectClose, ROOT } from '../helpers.js';

const loadHighs = (highsModule as unknown as { default: () => Promise<Highs> }).default;
const SLOW = process.env.VRU_SLOW === '1';

function arCov(sds: number[], rho: number): number[] {
  const k = sds.length;
  const V: number[] = [];
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) V.push(sds[a]! * sds[b]! * rho ** Math.abs(a - b));
  return V;
}

/** A random positive definite covariance: G Gᵀ/k + 0.2 diag, scaled by s². */
function randomCov(rng: Rng, k: number, s: number): number[] {
  const G = Array.from({ length: k * k }, () => rng.normal());
  const V: number[] = [];
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    let v = a === b ? 0.2 : 0;
    for (let c = 0; c < k; c++) v += (G[a * k + c]! * G[b * k + c]!) / k;
    V.push(v * s * s);
  }
  return V;
}

function cholesky(V: number[], k: number): Float64Array {
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) {
    let sum = V[i * k + j]!;
    for (let q = 0; q < j; q++) sum -= L[i * k + q]! * L[j * k + q]!;
    L[i * k + j] = i === j ? Math.sqrt(sum) : sum / L[j * k + j]!;
  }
  return L;
}

describe('StandardLp (dense simplex) against HiGHS', () => {
  it('the ARP statistic min η s.t. Y − X̃τ̃ ≤ ησ equals its dual max γᵀY, warm-started over 40 objectives', async () => {
    const highs = await loadHighs();
    const rng = new Rng(7);
    for (const [m, q] of [[12, 3], [8, 1], [20, 5], [6, 0]] as const) {
      const X = Array.from({ length: m * q }, () => rng.normal());
      const sd = Array.from({ length: m }, () => 0.5 + rng.uniform());
      const B = new Float64Array((q + 1) * m);
      for (let a = 0; a < q; a++) for (let j = 0; j < m; j++) B[a * m + j] = X[j * q + a]!;
      for (let j = 0; j < m; j++) B[q * m + j] = sd[j]!;
      const b = new Float64Array(q + 1);
      b[q] = 1;
      const lp = new StandardLp(B, q + 1, m, b);
      expect(lp.feasible).toBe(true);
      for (let rep = 0; rep < 40; rep++) {
        const Y = Array.from({ length: m }, () => rng.normal() * 3);
        const sol = lp.maximise(Y);
        expect(sol.status).toBe('optimal');
        // Primal in LP format: minimise eta s.t. −X_j τ − σ_j eta ≤ −Y_j.
        const terms = (j: number) => [...Array.from({ length: q }, (_, a) => `${X[j * q + a]! >= 0 ? '-' : '+'} ${Math.abs(X[j * q + a]!)} t${a}`), `- ${sd[j]} eta`].join(' ');
        const rows = Array.from({ length: m }, (_, j) => ` c${j}: ${terms(j)} <= ${-Y[j]!}`);
        const bounds = [' eta free', ...Array.from({ length: q }, (_, a) => ` t${a} free`)];
        const res = highs.solve(`Minimize\n obj: eta\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`);
        expect(res.Status).toBe('Optimal');
        expectClose(sol.value, res.ObjectiveValue, { atol: 1e-9 }, `m=${m} q=${q} rep ${rep}: η̂`);
        // γ is dual feasible and attains the value.
        expect(Math.min(...sol.gamma)).toBeGreaterThanOrEqual(0);
        for (let a = 0; a <= q; a++) {
          let v = 0;
          for (let j = 0; j < m; j++) v += B[a * m + j]! * sol.gamma[j]!;
          expectClose(v, b[a]!, { atol: 1e-10 }, `constraint ${a}`);
        }
        expectClose(sol.gamma.reduce((acc, g, j) => acc + g * Y[j]!, 0), sol.value, { atol: 1e-10 }, 'γᵀY');
      }
    }
  });

  it('reports infeasible and unbounded programmes', () => {
    expect(new StandardLp([1, 1], 1, 2, [-1]).feasible).toBe(false);
    expect(new StandardLp([0, 0], 1, 2, [1]).feasible).toBe(false);
    const lp = new StandardLp([1, -1], 1, 2, [0]);
    expect(lp.feasible).toBe(true);
    expect(lp.maximise([1, 0]).status).toBe('unbounded');
    expect(lp.maximise([-1, 0]).value).toBe(0);
    // A redundant row (twice the first) is dropped, not reported as infeasible.
    const red = new StandardLp([1, 1, 2, 2], 2, 2, [1, 2]);
    expect(red.feasible).toBe(true);
    expect(red.maximise([3, 1]).value).toBeCloseTo(3, 12);
  });
});

describe('truncated normal upper tail', () => {
  it('agrees with (Φ(b) − Φ(x))/(Φ(b) − Φ(a)) where that is accurate, and with the Mills ratio far out', () => {
    for (const [x, a, b] of [[0.3, -1, 2], [1.5, 1, 3], [-1.2, -2, -0.5], [2, 0, Infinity], [-3, -Infinity, -2]] as const) {
      const direct = (pnorm(b) - pnorm(x)) / (pnorm(b) - pnorm(a));
      expectClose(truncatedUpperTail(x, a, b), direct, { atol: 1e-12 }, `(${x}, ${a}, ${b})`);
    }
    // P(Z > 40.5 | Z > 40) ≈ φ(40.5)/40.5 · 40/φ(40) (Mills ratio), to O(1/x²).
    const far = truncatedUpperTail(40.5, 40, Infinity);
    expectClose(far, Math.exp(-(40.5 ** 2 - 40 ** 2) / 2) * (40 / 40.5), { rtol: 2e-3 }, 'far tail');
    // Reflection: P(Z > x | a ≤ Z ≤ b) = 1 − P(Z > −x | −b ≤ Z ≤ −a), also beyond 38 where Φ underflows.
    for (const [x, a, b] of [[-44.1, -46, -44], [39.2, 39, 41]] as const) {
      expectClose(truncatedUpperTail(x, a, b), 1 - truncatedUpperTail(-x, -b, -a), { atol: 1e-12 }, `reflect (${x})`);
      expect(truncatedUpperTail(x, a, b)).toBeGreaterThan(0);
      expect(truncatedUpperTail(x, a, b)).toBeLessThan(1);
    }
    expect(truncatedUpperTail(1, 1, 1)).toBe(1);
  });
});

/** Σ_t |L_t| σ_t: the studentising scale of the post rows (L_t = Σ_{e>t} l_e, σ_t = sd of β_{t+1} − β_t). */
function postScale(es: EventStudy, l: number[]): number {
  const k = es.eventTimes.length;
  const V = es.vcov as number[];
  const idx = (e: number) => es.eventTimes.indexOf(e);
  let out = 0;
  for (let t = -1; t < l.length - 1; t++) {
    const L = l.slice(t + 1).reduce((a, b) => a + b, 0);
    const i = idx(t + 1);
    const j = t === -1 ? -1 : idx(t);
    const v = V[i * k + i]! + (j >= 0 ? V[j * k + j]! - 2 * V[i * k + j]! : 0);
    out += Math.abs(L) * Math.sqrt(v);
  }
  return out;
}

describe('M̄ = 0: no post-period violation, the hybrid set is the usual interval up to c_LF', () => {
  const rng = new Rng(11);
  const designs: [string, EventStudy][] = [
    ['AR(0.3), 3 pre, 3 post', { eventTimes: [-4, -3, -2, 0, 1, 2], beta: [0.02, -0.03, 0.01, 0.25, 0.3, 0.4], vcov: arCov([0.05, 0.045, 0.04, 0.06, 0.07, 0.08], 0.3) }],
    ['random Σ, 2 pre, 4 post', { eventTimes: [-3, -2, 0, 1, 2, 3], beta: [0.1, -0.2, 0.5, 0.1, -0.3, 0.2], vcov: randomCov(rng, 6, 0.2) }],
    ['random Σ, 4 pre, 2 post', { eventTimes: [-5, -4, -3, -2, 0, 1], beta: [1, 0.5, -0.2, 0.4, 2, 1.5], vcov: randomCov(rng, 6, 1) }],
    // One post period: no nuisance, and the rows ±δ₀ have σ_j − r_j = 0 on the binding row (round-off case).
    ['random Σ, 2 pre, 1 post', { eventTimes: [-3, -2, 0], beta: [-0.069, 0.02, 0.123], vcov: randomCov(rng, 3, 0.1) }],
  ];
  for (const [label, es] of designs) {
    for (const target of ['first', 'average'] as const) {
      it(`${label}, target ${target}`, () => {
        const s = prepareHonest(es, target);
        const post = es.eventTimes.filter((e) => e >= 0).length;
        const l = target === 'first' ? [1, ...new Array<number>(post - 1).fill(0)] : new Array<number>(post).fill(1 / post);
        const b = l.reduce((acc, x, e) => acc + x * (es.beta as number[])[es.eventTimes.indexOf(e)]!, 0);
        const k = es.eventTimes.length;
        let vb = 0;
        l.forEach((x, e) => l.forEach((y, f) => (vb += x * y * (es.vcov as number[])[es.eventTimes.indexOf(e) * k + es.eventTimes.indexOf(f)]!)));
        const sb = Math.sqrt(vb);
        const res = rmHybrid(s, [0], { level: 0.95, seed: 5, breakdown: false });
        const row = res.rows[0]!;
        // Every piece has the same rows at M̄ = 0, so the same c_LF (common draws).
        const cLF = row.pieces[0]!.lfCritical!;
        for (const p of row.pieces) expect(p.lfCritical).toBe(cLF);
        const cTilde = (cLF * postScale(es, l)) / sb;
        const alpha = 0.05;
        const kappa = alpha / 10;
        const aTilde = (alpha - kappa) / (1 - kappa);
        const tail = 1 - pnorm(cTilde);
        const cH = qnorm(1 - (tail + aTilde * (0.5 - tail)));
        expectClose(row.lower, b - cH * sb, { atol: 1e-5 * sb }, 'lower = b − c_H σ');
        expectClose(row.upper, b + cH * sb, { atol: 1e-5 * sb }, 'upper = b + c_H σ');
        expect(row.convex).toBe(true);
        // c̃ is an empirical 1 − κ quantile of |N(0,1)| from N draws: its tail 2Φ̄(c̃) is within 3 binomial SEs of κ.
        const N = RM_HYBRID_DEFAULTS.draws;
        expect(Math.abs(2 * tail - kappa)).toBeLessThanOrEqual(3 * Math.sqrt((kappa * (1 - kappa)) / N) + 1 / N);
        // Hence the length relative to the usual 2 z σ lies in the derived band [0.973, 1.020] (3 SE, N = 1000).
        const ratio = (row.upper - row.lower) / (2 * qnorm(0.975) * sb);
        expect(ratio).toBeGreaterThan(0.973);
        expect(ratio).toBeLessThan(1.02);
        // The conditional test alone (c_LF = ∞, κ = 0) gives exactly the usual interval b ± z σ.
        const cond = rmHybrid(s, [0], { level: 0.95, seed: 5, breakdown: false, test: 'conditional' }).rows[0]!;
        expectClose(cond.lower, b - qnorm(0.975) * sb, { atol: 1e-5 * sb }, 'conditional lower = b − z σ');
        expectClose(cond.upper, b + qnorm(0.975) * sb, { atol: 1e-5 * sb }, 'conditional upper = b + z σ');
      });
    }
  }
});

/** β on the boundary of Δ^RM(M̄): pre-trend with largest first difference m, every post difference ±M̄ m. */
function boundaryBeta(pre: number[], tau: number[], mbar: number, signs: number[]): number[] {
  const diffs = pre.map((x, i) => (i + 1 < pre.length ? pre[i + 1]! : 0) - x);
  const m = Math.max(...diffs.map(Math.abs));
  const delta: number[] = [];
  let d = 0;
  for (let t = 0; t < tau.length; t++) {
    d += signs[t]! * mbar * m;
    delta.push(d);
  }
  return [...pre, ...tau.map((x, t) => x + delta[t]!)];
}

describe('size by Monte Carlo: β on the boundary of Δ^RM(M̄), rejection of the true θ ≤ α + 2 MC SE', () => {
  const R = SLOW ? 10000 : 1000;
  const rngCov = new Rng(99);
  const designs: { label: string; times: number[]; pre: number[]; tau: number[]; V: number[]; mbar: number; signs: number[]; target: 'first' | 'average' }[] = [
    { label: 'AR(0.3), M̄ = 1, all post differences +M̄m, first', times: [-4, -3, -2, 0, 1, 2], pre: [0.02, -0.02, 0.02], tau: [0.1, 0.1, 0.1], V: arCov([0.05, 0.045, 0.04, 0.06, 0.07, 0.08], 0.3), mbar: 1, signs: [1, 1, 1], target: 'first' },
    { label: 'AR(0.3), M̄ = 0.5, alternating, average', times: [-4, -3, -2, 0, 1, 2], pre: [0.02, -0.02, 0.02], tau: [0.1, 0.1, 0.1], V: arCov([0.05, 0.045, 0.04, 0.06, 0.07, 0.08], 0.3), mbar: 0.5, signs: [1, -1, 1], target: 'average' },
    { label: 'AR(0.3), M̄ = 0 (parallel trends after treatment), average', times: [-4, -3, -2, 0, 1, 2], pre: [0.02, -0.02, 0.02], tau: [0.1, 0.1, 0.1], V: arCov([0.05, 0.045, 0.04, 0.06, 0.07, 0.08], 0.3), mbar: 0, signs: [1, 1, 1], target: 'average' },
    { label: 'one sharp pre-period difference (m = 10 SE), M̄ = 0.5, θ at the lower edge of the identified set, first', times: [-3, -2, 0, 1, 2], pre: [-1, 0], tau: [0.2, 0.2, 0.2], V: arCov([0.1, 0.1, 0.1, 0.1, 0.1], 0.5), mbar: 0.5, signs: [1, 1, 1], target: 'first' },
    { label: 'one sharp pre-period difference (m = 10 SE), M̄ = 0.5, θ at the lower edge, average', times: [-3, -2, 0, 1, 2], pre: [-1, 0], tau: [0.2, 0.2, 0.2], V: arCov([0.1, 0.1, 0.1, 0.1, 0.1], 0.5), mbar: 0.5, signs: [1, 1, 1], target: 'average' },
    { label: 'random Σ, no pre-trend (m = 0), M̄ = 2, first', times: [-3, -2, 0, 1], pre: [0, 0], tau: [0.3, 0.3], V: randomCov(rngCov, 4, 0.1), mbar: 2, signs: [1, 1], target: 'first' },
    { label: 'random Σ, steep pre-trend, M̄ = 2, average', times: [-3, -2, 0, 1, 2, 3], pre: [0.4, 0.2], tau: [0, 0, 0, 0], V: randomCov(rngCov, 6, 0.1), mbar: 2, signs: [-1, -1, -1, -1], target: 'average' },
  ];
  for (const d of designs) {
    it(d.label, () => {
      const beta = boundaryBeta(d.pre, d.tau, d.mbar, d.signs);
      const es: EventStudy = { eventTimes: d.times, beta, vcov: d.V };
      const s = prepareHonest(es, d.target);
      const theta = d.target === 'first' ? d.tau[0]! : d.tau.reduce((a, b) => a + b, 0) / d.tau.length;
      const reject = rmHybridTester(s, d.mbar, { level: 0.95, seed: 3 });
      const k = d.times.length;
      const L = cholesky(d.V, k);
      const rng = new Rng(2024);
      const grid = Float64Array.from(s.betaGrid);
      let rej = 0;
      for (let r = 0; r < R; r++) {
        const z = Array.from({ length: k }, () => rng.normal());
        d.times.forEach((e, i) => {
          let v = beta[i]!;
          for (let q = 0; q <= i; q++) v += L[i * k + q]! * z[q]!;
          grid[e - s.eMin] = v;
        });
        if (reject(grid, theta)) rej++;
      }
      const rate = rej / R;
      const mcSe = Math.sqrt((0.05 * 0.95) / R);
      console.log(`size ${d.label}: ${(100 * rate).toFixed(2)}% (R = ${R}, MC SE ${(100 * mcSe).toFixed(2)}%)`);
      expect(rate).toBeLessThanOrEqual(0.05 + 2 * mcSe);
    }, SLOW ? 1_200_000 : 60_000);
  }
});

describe('properties over random (β̂, Σ): measured, not theorems', () => {
  it('nesting in M̄ and length against the Šidák projection', () => {
    const rng = new Rng(31);
    const R = SLOW ? 200 : 25;
    const grid = [0, 0.25, 0.5, 1, 2];
    let pairs = 0;
    let nestFail = 0;
    let rowsN = 0;
    let longer = 0;
    let ratioSum = 0;
    let worst = 0;
    for (let r = 0; r < R; r++) {
      const nPre = 1 + rng.int(3);
      const nPost = 1 + rng.int(3);
      const times = [...Array.from({ length: nPre }, (_, i) => -nPre - 1 + i), ...Array.from({ length: nPost }, (_, i) => i)];
      const V = randomCov(rng, times.length, 0.1);
      const beta = times.map((e) => (e < 0 ? 0.05 * rng.normal() : 0.2 + 0.1 * rng.normal()));
      const s = prepareHonest({ eventTimes: times, beta, vcov: V }, rng.uniform() < 0.5 ? 'first' : 'average');
      const h = rmHybrid(s, grid, { level: 0.95, seed: r, breakdown: false });
      const p = relativeMagnitudes(s, grid, 0.95);
      const tol = 1e-5 * Math.sqrt(V[0]!);
      for (let j = 0; j < grid.length; j++) {
        const a = h.rows[j]!;
        if (j > 0) {
          const prev = h.rows[j - 1]!;
          pairs++;
          if (a.lower > prev.lower + tol || a.upper < prev.upper - tol) {
            nestFail++;
            worst = Math.max(worst, (a.lower - prev.lower) / (prev.upper - prev.lower), (prev.upper - a.upper) / (prev.upper - prev.lower));
          }
        }
        if (grid[j]! > 0) {
          rowsN++;
          const ratio = (a.upper - a.lower) / (p.rows[j]!.upper - p.rows[j]!.lower);
          ratioSum += ratio;
          if (ratio > 1 + 1e-9) longer++;
        }
      }
    }
    console.log(`nesting: ${nestFail}/${pairs} consecutive M̄ pairs not nested (largest shortfall ${(100 * worst).toFixed(1)}% of the smaller set's length); hybrid longer than Šidák in ${longer}/${rowsN} rows (M̄ > 0), mean length ratio ${(ratioSum / rowsN).toFixed(3)}`);
    // Measured (see docs/sensitivity.md: 0 of 100 pairs not nested, never longer, mean ratio 0.62);
    // the bounds leave room for Monte Carlo noise in c_LF.
    expect(nestFail / pairs).toBeLessThanOrEqual(0.03);
    expect(longer / rowsN).toBeLessThanOrEqual(0.05);
    expect(ratioSum / rowsN).toBeLessThan(0.8);
    if (!SLOW) {
      const doc = readFileSync(join(ROOT, 'docs', 'sensitivity.md'), 'utf8').replace(/\s+/g, ' ');
      expect(doc).toContain(`Over ${R} random event studies, the hybrid set was never longer`);
      expect(longer).toBe(0);
      expect(nestFail).toBe(0);
      expect(doc).toContain(`It was on average ${(ratioSum / rowsN).toFixed(2)} of its length, and the sets nested in M̄.`);
    }
  }, SLOW ? 1_800_000 : 60_000);

  it('is deterministic for a seed, records it, and depends on it only through c_LF', () => {
    const es: EventStudy = { eventTimes: [-3, -2, 0, 1], beta: [0.05, -0.02, 0.3, 0.2], vcov: arCov([0.04, 0.04, 0.05, 0.06], 0.2) };
    const s = prepareHonest(es, 'average');
    const a = rmHybrid(s, [0, 1], { level: 0.95, seed: 42 });
    const b = rmHybrid(s, [0, 1], { level: 0.95, seed: 42 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.seed).toBe(42);
    const c = rmHybrid(s, [0, 1], { level: 0.95, seed: 43 });
    expect(c.rows[1]!.lower).not.toBe(a.rows[1]!.lower);
    expect(Math.abs(c.rows[1]!.lower - a.rows[1]!.lower)).toBeLessThan(0.05 * (a.rows[1]!.upper - a.rows[1]!.lower));
  });
});
