/**
 * Linearisation (Taylor-series) variance of the synthetic total Ŝ = Σ_j w_j y_j of calibration
 * weights (Deville & Särndal 1992, JASA 87:376, §3; applied to micro-synthetic control as in
 * Robbins, Saunders & Kilmer 2017, §4.2).
 *
 * Derivation. Let x_j (here the whitened constraint row z_j, which spans the intercept and every
 * matching variable) and let β be any coefficient vector, e_j = y_j − x_jᵀβ. Exact balance
 * Σ_j w_j x_j = Σ_{i∈𝒯} x_i gives the identity
 *
 *     Ŝ − Y⁰ = Σ_j w_j y_j − Σ_{i∈𝒯} y⁰_i = Σ_j w_j e_j − Σ_{i∈𝒯} e⁰_i,
 *
 * where Y⁰ is the treated areas' untreated post-period total. To first order the calibration
 * weights are fixed functions of the x's (their dependence on the sample enters only through
 * the balance, which the identity has already used), so with independent areas
 *
 *     Var(Ŝ − Y⁰ | x) ≈ Σ_j w_j² σ_j² + Σ_{i∈𝒯} σ_i²,    σ_u² = Var(e_u | x_u).
 *
 * β is taken as the weighted least-squares fit of y on x over the controls with weights w (the
 * choice that makes the residuals smallest where the weights put mass), ê_j = y_j − x_jᵀβ̂. The
 * controls' term is estimated by Σ_j w_j² ê_j²; the treated areas' untreated residuals are not
 * observed after the start, and because the weighted controls reproduce the treated areas, their
 * term Σ_{i∈𝒯} σ_i² is estimated by Σ_j w_j ê_j². With a degrees-of-freedom factor n₀/(n₀ − r):
 *
 *     V̂ = n₀/(n₀ − r) · Σ_j (w_j² + w_j) ê_j².
 *
 * For the percentage change 100·(Y/Ŝ − 1) the delta method on log(Y/Ŝ) gives
 * se(log(Y/Ŝ)) ≈ √V̂ / Ŝ, and intervals exp(log(Y/Ŝ) ± z·se) − 1 (the log scale keeps them
 * inside (−100%, ∞)).
 */
import { applyQt, qrFactor, solveR } from '../../core/linalg.js';
import type { Whitened } from './calibrate.js';

/**
 * V̂ above, for several outcomes at once (one QR factor of √w·Z serves them all).
 * @param W whitened constraints (rows z_u, u over all units).
 * @param controls donor row indices (n₀); `w` their weights in the same order.
 * @param ys post-period totals for every unit (indexed by row), one array per outcome.
 */
export function linearisedVariances(W: Whitened, controls: Int32Array, w: Float64Array, ys: readonly Float64Array[]): number[] {
  const n0 = controls.length;
  const r = W.r;
  const X = new Float64Array(n0 * r);
  const sw = new Float64Array(n0);
  for (let a = 0; a < n0; a++) {
    const s = Math.sqrt(w[a]!);
    sw[a] = s;
    const o = controls[a]! * r;
    for (let c = 0; c < r; c++) X[a * r + c] = s * W.Z[o + c]!;
  }
  // Weights that are (numerically) zero can leave √w·Z rank deficient (e.g. after the fallback):
  // then fit on the columns a pivoted QR finds independent, which span the same fitted values.
  let f = qrFactor(X, n0, r);
  let cols = Array.from({ length: r }, (_, c) => c);
  if (f.dependent.length > 0) {
    const dep = new Set(f.dependent);
    cols = cols.filter((c) => !dep.has(c));
    const k = cols.length;
    const Xk = new Float64Array(n0 * k);
    for (let a = 0; a < n0; a++) cols.forEach((c, j) => (Xk[a * k + j] = X[a * r + c]!));
    f = qrFactor(Xk, n0, k);
  }
  return ys.map((y) => {
    const yw = new Float64Array(n0);
    for (let a = 0; a < n0; a++) yw[a] = sw[a]! * y[controls[a]!]!;
    const sol = solveR(f, applyQt(f, yw));
    const beta = new Float64Array(r);
    cols.forEach((c, j) => (beta[c] = sol[j]!));
    let v = 0;
    for (let a = 0; a < n0; a++) {
      const o = controls[a]! * r;
      let fitted = 0;
      for (let c = 0; c < r; c++) fitted += W.Z[o + c]! * beta[c]!;
      const e = y[controls[a]!]! - fitted;
      v += (w[a]! * w[a]! + w[a]!) * e * e;
    }
    return (n0 / Math.max(1, n0 - r)) * v;
  });
}
