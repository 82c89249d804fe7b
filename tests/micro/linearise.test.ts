/**
 * The leverage-corrected linearisation variance (src/estimators/micro/linearise.ts) against a
 * brute-force reference: V̂ = Σ_j [w_j² ê_j ẽ_j + w_j ẽ_j²], where ê_j is control j's residual in the
 * w-weighted least-squares fit of y on z over all controls and ẽ_j its deleted residual, the
 * prediction error from the same fit refitted without control j. (ê_j²/(1 − h_j) = ê_j ẽ_j and
 * ê_j²/(1 − h_j)² = ẽ_j², since ẽ_j = ê_j/(1 − h_j).) The reference refits n₀ times and never
 * computes a leverage, so it checks the leverages, the formula and the rank-deficient path.
 */
import { describe, expect, it } from 'vitest';
import { lstsq } from '../../src/core/linalg.js';
import { Rng } from '../../src/core/rng.js';
import { whiten } from '../../src/estimators/micro/calibrate.js';
import { linearisedVariances } from '../../src/estimators/micro/linearise.js';

function reference(Z: Float64Array, r: number, controls: Int32Array, w: Float64Array, y: Float64Array, cols: number[]): number {
  const n0 = controls.length;
  const k = cols.length;
  const fit = (skip: number) => {
    const rows = Array.from({ length: n0 }, (_, a) => a).filter((a) => a !== skip);
    const X = new Float64Array(rows.length * k);
    const yw = new Float64Array(rows.length);
    rows.forEach((a, i) => {
      const s = Math.sqrt(w[a]!);
      cols.forEach((c, j) => (X[i * k + j] = s * Z[controls[a]! * r + c]!));
      yw[i] = s * y[controls[a]!]!;
    });
    return lstsq(X, rows.length, k, yw).beta;
  };
  const resid = (beta: Float64Array, a: number) => {
    let f = 0;
    cols.forEach((c, j) => (f += Z[controls[a]! * r + c]! * beta[j]!));
    return y[controls[a]!]! - f;
  };
  const full = fit(-1);
  let v = 0;
  for (let a = 0; a < n0; a++) {
    const e = resid(full, a);
    const ed = resid(fit(a), a);
    v += w[a]! * w[a]! * e * ed + w[a]! * ed * ed;
  }
  return v;
}

/** A small calibration-like problem: N units, q matching columns, weights concentrated on a few controls (as with hotspot treated areas). */
function problem(seed: number, N: number, q: number, collinear: boolean) {
  const rng = new Rng(seed);
  const A = new Float64Array(N * q);
  for (let i = 0; i < N; i++) for (let k = 0; k < q; k++) A[i * q + k] = 10 + 3 * rng.normal() + (k === 0 ? 2 * (i % 7) : 0);
  if (collinear) for (let i = 0; i < N; i++) A[i * q + q - 1] = A[i * q]! + A[i * q + 1]!;
  const controls = Int32Array.from({ length: N - 5 }, (_, a) => a + 5);
  const W = whiten(A, N, q, controls, 5 / controls.length);
  const w = new Float64Array(controls.length);
  for (let a = 0; a < w.length; a++) w[a] = a < 4 ? 0.8 + rng.uniform() : 0.02 * rng.uniform();
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) y[i] = A[i * q]! * 0.5 + (rng.normal() + 1.5) ** 2;
  return { W, controls, w, y };
}

describe('linearisedVariances: leverage-corrected Deville–Särndal variance', () => {
  it.each([
    [1, 40, 3, false],
    [2, 25, 5, false],
    [3, 60, 4, true],
  ])('seed %i, %i units, %i columns (collinear: %s) equals the leave-one-out reference to 1e-9 (relative)', (seed, N, q, collinear) => {
    const { W, controls, w, y } = problem(seed, N, q, collinear);
    const got = linearisedVariances(W, controls, w, [y])[0]!;
    // Whitening drops a collinear direction itself (rank r < p), so the reference uses every whitened column.
    const want = reference(W.Z, W.r, controls, w, y, Array.from({ length: W.r }, (_, c) => c));
    expect(Math.abs(got - want) / want).toBeLessThan(1e-9);
  });

  it('exceeds the plain n₀/(n₀ − r)·Σ(w² + w)ê² when the weights concentrate on high-leverage controls', () => {
    const { W, controls, w, y } = problem(4, 40, 3, false);
    const got = linearisedVariances(W, controls, w, [y])[0]!;
    const n0 = controls.length;
    const cols = Array.from({ length: W.r }, (_, c) => c);
    // Plain residuals from the full fit.
    const X = new Float64Array(n0 * W.r);
    const yw = new Float64Array(n0);
    for (let a = 0; a < n0; a++) {
      const s = Math.sqrt(w[a]!);
      cols.forEach((c) => (X[a * W.r + c] = s * W.Z[controls[a]! * W.r + c]!));
      yw[a] = s * y[controls[a]!]!;
    }
    const beta = lstsq(X, n0, W.r, yw).beta;
    let plain = 0;
    for (let a = 0; a < n0; a++) {
      let f = 0;
      cols.forEach((c) => (f += W.Z[controls[a]! * W.r + c]! * beta[c]!));
      const e = y[controls[a]!]! - f;
      plain += (w[a]! * w[a]! + w[a]!) * e * e;
    }
    plain *= n0 / (n0 - W.r);
    expect(got).toBeGreaterThan(1.2 * plain);
  });
});
