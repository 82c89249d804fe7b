/**
 * Ridge-augmented synthetic control on one block (Ben-Michael, Feller & Rothstein 2021,
 * JASA 116:1789, §4, eqs. (9)–(12)).
 *
 * Shapes: X₀ is N₀×P (controls × fit periods), x₁ (P) the treated (mean) series, both
 * centred period by period by the control mean (which leaves every estimate unchanged
 * because all weight vectors below sum to one, and is the intercept of the ridge model).
 *
 * - SC weights ŵ: simplex least squares min ‖x₁ − X₀ᵀw‖² (V = I, outcome-only), solved
 *   exactly by the project's active-set simplex QP.
 * - Ridge outcome model m̂(x) = xᵀη̂ with η̂ = (X₀ᵀX₀ + λI)⁻¹X₀ᵀY₀ (per post period), and
 *   the augmented estimator Ŷ₁ᴺ = Σŵ_jY_j + (x₁ − X₀ᵀŵ)ᵀη̂, i.e. the weights
 *   γ̂ = ŵ + X₀(X₀ᵀX₀ + λI)⁻¹(x₁ − X₀ᵀŵ) (eq. 11), which sum to one and may be negative.
 *   Computed from the thin SVD X₀ = U S Vᵀ: γ̂ − ŵ = U diag(s/(s² + λ)) Vᵀ(x₁ − X₀ᵀŵ); no
 *   matrix is inverted.
 * - λ by cross-validation over pre-periods (the paper's §4.3 / Appendix: "leave out one
 *   pre-period at a time"): for each pre-period i except the last, fit ŵ and γ̂ on the
 *   other pre-periods and record the squared error of the treated series at period i.
 *   Candidates λ_k = λ_max·(10⁻⁸)^{k/20}, k = 0…20, λ_max = s_max(X₀)²; choose the λ with
 *   the smallest mean error ('min'), or the largest λ whose mean error is within one
 *   standard error (SD/√n over the folds) of the smallest ('1se', the default of the
 *   authors' package, which the published Kansas figure uses).
 */
import { jacobiSvd } from '../../core/jacobiSvd.js';
import { simplexQP } from '../synth/simplex.js';

export interface CvResult {
  lambda: number;
  lambdas: number[];
  errors: number[];
  se: number[];
  rule: 'min' | '1se';
}

/** G = X₀X₀ᵀ (N₀×N₀) over the listed columns. */
export function gramCols(X: Float64Array, N0: number, P: number, cols: readonly number[]): Float64Array {
  const G = new Float64Array(N0 * N0);
  for (let a = 0; a < N0; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (const t of cols) s += X[a * P + t]! * X[b * P + t]!;
      G[a * N0 + b] = s;
      G[b * N0 + a] = s;
    }
  }
  return G;
}

/** Simplex SC weights on the columns `cols` of X₀ (N₀×P) for target x₁. */
export function scWeights(X: Float64Array, N0: number, P: number, x1: Float64Array, cols: readonly number[], G?: Float64Array): { w: Float64Array; converged: boolean } {
  const g = G ?? gramCols(X, N0, P, cols);
  const c = new Float64Array(N0);
  for (let a = 0; a < N0; a++) {
    let s = 0;
    for (const t of cols) s += X[a * P + t]! * x1[t]!;
    c[a] = s;
  }
  const r = simplexQP(g, N0, Int32Array.from({ length: N0 }, (_, j) => j), c);
  return { w: r.w, converged: r.converged };
}

/**
 * Thin SVD of X₀ restricted to `cols` (N₀×|cols|), by bounded one-sided Jacobi (src/core/jacobiSvd.ts:
 * ml-matrix's SVD never returned on nearly identical control series, issue 21).
 */
export function svdCols(X: Float64Array, N0: number, P: number, cols: readonly number[]): ReturnType<typeof jacobiSvd> & { cols: readonly number[] } {
  const m = cols.length;
  const M = new Float64Array(N0 * m);
  for (let a = 0; a < N0; a++) cols.forEach((t, q) => (M[a * m + q] = X[a * P + t]!));
  return { ...jacobiSvd(M, N0, m), cols };
}

/** γ̂ = ŵ + U diag(s/(s²+λ)) Vᵀ r with r = x₁ − X₀ᵀŵ on the SVD's columns. */
export function ridgeWeights(X: Float64Array, N0: number, P: number, x1: Float64Array, w: Float64Array, lambda: number, d: ReturnType<typeof svdCols>): Float64Array {
  const cols = d.cols;
  const m = cols.length;
  const r = new Float64Array(m);
  cols.forEach((t, q) => {
    let s = x1[t]!;
    for (let a = 0; a < N0; a++) s -= X[a * P + t]! * w[a]!;
    r[q] = s;
  });
  const k = d.k;
  const coef = new Float64Array(k);
  const smax = d.s[0] ?? 0;
  for (let j = 0; j < k; j++) {
    const sj = d.s[j]!;
    if (!(sj > 1e-13 * smax)) continue; // relative rank tolerance
    let s = 0;
    for (let q = 0; q < m; q++) s += d.V[q * k + j]! * r[q]!;
    coef[j] = (s * sj) / (sj * sj + lambda);
  }
  const g = Float64Array.from(w);
  for (let a = 0; a < N0; a++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += d.U[a * k + j]! * coef[j]!;
    g[a] = g[a]! + s;
  }
  return g;
}

/** Cross-validation of λ over pre-periods 0…T₀−1 (see the module comment). */
export function cvLambda(X: Float64Array, N0: number, T0: number, x1: Float64Array, rule: 'min' | '1se'): CvResult {
  const all = Array.from({ length: T0 }, (_, t) => t);
  const full = svdCols(X, N0, T0, all);
  const lambdaMax = (full.s[0] ?? 0) ** 2;
  const lambdas = Array.from({ length: 21 }, (_, k) => lambdaMax * Math.pow(1e-8, k / 20));
  const folds = T0 - 1;
  const err = lambdas.map(() => new Float64Array(folds));
  const Gfull = gramCols(X, N0, T0, all);
  for (let i = 0; i < folds; i++) {
    const cols = all.filter((t) => t !== i);
    // G without column i: G_full − x_i x_iᵀ.
    const G = Float64Array.from(Gfull);
    for (let a = 0; a < N0; a++) for (let b = 0; b < N0; b++) G[a * N0 + b] = G[a * N0 + b]! - X[a * T0 + i]! * X[b * T0 + i]!;
    const w = scWeights(X, N0, T0, x1, cols, G).w;
    const d = svdCols(X, N0, T0, cols);
    lambdas.forEach((lam, k) => {
      const g = ridgeWeights(X, N0, T0, x1, w, lam, d);
      let pred = 0;
      for (let a = 0; a < N0; a++) pred += g[a]! * X[a * T0 + i]!;
      err[k]![i] = (x1[i]! - pred) ** 2;
    });
  }
  const errors = err.map((e) => e.reduce((s, v) => s + v, 0) / folds);
  const se = err.map((e, k) => {
    const m = errors[k]!;
    const v = e.reduce((s, x) => s + (x - m) ** 2, 0) / (folds - 1);
    return Math.sqrt(v / folds);
  });
  let best = 0;
  for (let k = 1; k < lambdas.length; k++) if (errors[k]! < errors[best]!) best = k;
  let lambda = lambdas[best]!;
  if (rule === '1se') {
    for (let k = 0; k < lambdas.length; k++) if (errors[k]! <= errors[best]! + se[best]! && lambdas[k]! > lambda) lambda = lambdas[k]!;
  }
  return { lambda, lambdas, errors, se, rule };
}
