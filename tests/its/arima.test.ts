/**
 * Integrated error models of ITS (issue 21): ARIMA(0,1,1) and the local level model.
 *
 * References:
 *  - Nile (tests/its/reference/nile.csv, R datasets::Nile, public): Durbin & Koopman (2012) §2.10
 *    report the diffuse maximum likelihood estimates of the local level model
 *    σ²_ε = 15099 and σ²_η = 1469.1. The exact likelihood of the differences is the diffuse
 *    likelihood of the levels (up to a constant), so the estimates must agree; tolerance 0.2%
 *    (the published figures have 5 significant digits; our optimiser stops at a relative
 *    log-likelihood change of 1e-10).
 *  - Exact MA(1) regression likelihood on a tiny series by a dense Ω = Toeplitz(1 + θ², θ)
 *    (Box, Jenkins & Reinsel 2008 §7.1): Cholesky, GLS β, profile log-likelihood maximised over θ
 *    by golden-section search written here; tolerances 1e-7 on ℓ, 1e-4 on θ and β.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { fitArmaRegression, localLevelTheta, localLevelVariances } from '../../src/estimators/its/arma.js';
import { estimateIts } from '../../src/estimators/its/index.js';
import { expectClose, ROOT } from '../helpers.js';

const nile = readFileSync(join(ROOT, 'tests/its/reference/nile.csv'), 'utf8')
  .split('\n')
  .filter((l) => /^\d/.test(l))
  .map((l) => Number(l.split(',')[1]));

/** Dense exact profile log-likelihood of y = Xβ + w, w MA(1)(θ) with n × n Toeplitz Ω. */
function denseProfile(y: number[], X: number[][], theta: number): { logLik: number; beta: number[] } {
  const n = y.length;
  const k = X[0]!.length;
  const L: number[][] = Array.from({ length: n }, () => new Array(n).fill(0));
  const om = (i: number, j: number) => (i === j ? 1 + theta * theta : Math.abs(i - j) === 1 ? theta : 0);
  for (let j = 0; j < n; j++) {
    let s = om(j, j);
    for (let m = 0; m < j; m++) s -= L[j]![m]! ** 2;
    L[j]![j] = Math.sqrt(s);
    for (let i = j + 1; i < n; i++) {
      let t = om(i, j);
      for (let m = 0; m < j; m++) t -= L[i]![m]! * L[j]![m]!;
      L[i]![j] = t / L[j]![j]!;
    }
  }
  const solve = (b: number[]) => {
    const z = new Array(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = b[i]!;
      for (let m = 0; m < i; m++) s -= L[i]![m]! * z[m]!;
      z[i] = s / L[i]![i]!;
    }
    return z;
  };
  const yt = solve(y);
  const Xt = Array.from({ length: k }, (_, j) => solve(X.map((r) => r[j]!)));
  // Normal equations on the whitened columns (k ≤ 2 here: tiny and well conditioned).
  const A = Xt.map((a) => Xt.map((b) => a.reduce((s, v, i) => s + v * b[i]!, 0)));
  const c = Xt.map((a) => a.reduce((s, v, i) => s + v * yt[i]!, 0));
  const beta = k === 1 ? [c[0]! / A[0]![0]!] : (() => {
    const det = A[0]![0]! * A[1]![1]! - A[0]![1]! * A[1]![0]!;
    return [(A[1]![1]! * c[0]! - A[0]![1]! * c[1]!) / det, (A[0]![0]! * c[1]! - A[1]![0]! * c[0]!) / det];
  })();
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const r = yt[i]! - Xt.reduce((s, col, j) => s + col[i]! * beta[j]!, 0);
    rss += r * r;
  }
  const logDet = L.reduce((s, row, i) => s + 2 * Math.log(row[i]!), 0);
  return { logLik: -0.5 * n * (Math.log(2 * Math.PI) + Math.log(rss / n) + 1) - 0.5 * logDet, beta };
}

function golden(f: (x: number) => number, a: number, b: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  for (let i = 0; i < 200; i++) {
    if (f(c) > f(d)) b = d;
    else a = c;
    c = b - g * (b - a);
    d = a + g * (b - a);
  }
  return (a + b) / 2;
}

describe('integrated (ARIMA(0,1,1) / local level) error models', () => {
  it('Nile: local level ML gives Durbin & Koopman\'s σ²_ε = 15099, σ²_η = 1469.1', () => {
    expect(nile.length).toBe(100);
    expect(nile.reduce((a, b) => a + b, 0)).toBe(91935); // mean 919.35, as R's mean(Nile)
    const dy = Float64Array.from({ length: 99 }, (_, t) => nile[t + 1]! - nile[t]!);
    const fit = fitArmaRegression(dy, new Float64Array(0), 99, 0, 0, 1, [0], { maxIter: 200, tol: 1e-12, method: 'ml', localLevel: true });
    const v = localLevelVariances(fit.theta[0]!, fit.sigma2);
    expectClose(v.sigma2Eps, 15099, { rtol: 2e-3 }, 'σ²_ε');
    expectClose(v.sigma2Eta, 1469.1, { rtol: 2e-3 }, 'σ²_η');
    // docs/methods/its.md quotes these estimates.
    const doc = readFileSync(join(ROOT, 'docs', 'methods', 'its.md'), 'utf8');
    const f1 = (x: number) => x.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    expect(doc).toContain(`σ²_ε = ${f1(v.sigma2Eps)} and σ²_η = ${f1(v.sigma2Eta)}`);
    // The unconstrained ARIMA(0,1,1) reaches the same optimum (θ̂ < 0).
    const free = fitArmaRegression(dy, new Float64Array(0), 99, 0, 0, 1, [0], { maxIter: 200, tol: 1e-12, method: 'ml' });
    expectClose(free.theta[0], fit.theta[0]!, { atol: 1e-4 }, 'θ free vs local level');
    expectClose(free.logLik, fit.logLik, { atol: 1e-6 }, 'ℓ');
  });

  it('local level ↔ MA(1) map: θ(q) in (−1, 0) and the variances round-trip', () => {
    for (const q of [1e-4, 0.097, 1, 30]) {
      const th = localLevelTheta(q);
      expect(th).toBeGreaterThan(-1);
      expect(th).toBeLessThan(0);
      const v = localLevelVariances(th, 1);
      expectClose(v.sigma2Eta / v.sigma2Eps, q, { rtol: 1e-9 }, `q = ${q}`);
    }
  });

  it('MA(1) regression likelihood equals the dense Σ⁻¹ computation on a tiny series', () => {
    // w_t = e_t + 0.5e_{t−1} from fixed pseudo-random e (an LCG), plus 1 + 2·1{t ≥ 10}, n = 20: θ̂ ≈ 0.43, inside (−1, 1).
    let state = 1;
    const e = Array.from({ length: 21 }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return (state / 2 ** 31 - 0.5) * 3.4;
    });
    const y = Array.from({ length: 20 }, (_, t) => 1 + (t >= 10 ? 2 : 0) + e[t + 1]! + 0.5 * e[t]!);
    const X = y.map((_, t) => [1, t >= 10 ? 1 : 0]);
    const th = golden((x) => denseProfile(y, X, x).logLik, -0.999, 0.999);
    expect(Math.abs(th)).toBeLessThan(0.95);
    const ref = denseProfile(y, X, th);
    const fit = fitArmaRegression(Float64Array.from(y), Float64Array.from(X.flat()), 20, 2, 0, 1, [0], { maxIter: 500, tol: 1e-14, method: 'ml' });
    expectClose(fit.theta[0], th, { atol: 1e-4 }, 'θ̂');
    expectClose(fit.logLik, ref.logLik, { atol: 1e-7 }, 'ℓ');
    ref.beta.forEach((b, j) => expectClose(fit.beta[j], b, { atol: 1e-4 }, `β${j}`));
  });

  it('its --errors arima:0,1,1 on the Nile with a break at 1899: the level is not a parameter, the drop is found, and the effect interval widens with the horizon', () => {
    const csv = ['unit,period,y,treated', ...nile.map((v, i) => `nile,${1871 + i},${v},${1871 + i >= 1899 ? 1 : 0}`)].join('\n');
    const panel = readPanelText(csv, { outcome: 'y' });
    const a = estimateIts(panel, { interruptions: ['1899'], errors: 'arima:0,1,1' });
    const terms = (a.coefficients as { term: string }[]).map((c) => c.term);
    expect(terms).not.toContain('intercept');
    expect(terms).toContain('ma:1');
    const e = a.estimate!;
    expect(e.att!).toBeLessThan(-100); // the Aswan dam: flow fell by roughly 250 from 1899
    expect(e.ci![0]).toBeLessThanOrEqual(e.att!);
    expect(e.ci![1]).toBeGreaterThanOrEqual(e.att!);
    const w = (i: number) => a.path[i]!.ci![1] - a.path[i]!.ci![0];
    const t1 = 1899 - 1871;
    expect(w(99)).toBeGreaterThan(2 * w(t1 + 1)); // slope change × horizon
    expect((a.options as { errors: string }).errors).toBe('arima:0,1,1');
    const ll = estimateIts(panel, { interruptions: ['1899'], errors: 'local-level' });
    expect((ll.details as Record<string, unknown>).localLevel).toBeTruthy();
    // Pre-period counterfactual is the observed series (the effect terms are 0 there).
    expect(a.path[5]!.effect).toBe(0);
  });
});
