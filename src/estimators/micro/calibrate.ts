/**
 * Calibration weights for micro-area synthetic control (Robbins, Saunders & Kilmer 2017, §3;
 * Robbins & Davenport 2021, §2.2): non-negative weights w_j on the control areas j = 1..n₀ such
 * that the weighted controls reproduce the treated areas' totals on every matching variable,
 *
 *     Σ_j w_j x_j = t = Σ_{i treated} x_i        (x_j ∈ ℝ^p, first entry 1, so Σ_j w_j = n₁),
 *
 * and, among all weightings that do, the one closest to the uniform base weights d = n₁/n₀ in
 * the raking (Kullback–Leibler) sense: minimise Σ_j w_j log(w_j/d) − w_j + d subject to the
 * constraints. Its solution is the exponential tilt w_j = d·exp(x_jᵀλ) where λ ∈ ℝ^p minimises
 * the convex dual
 *
 *     F(λ) = Σ_j d·exp(x_jᵀλ) − tᵀλ,   ∇F = Σ_j w_j x_j − t,   ∇²F = Σ_j w_j x_j x_jᵀ.
 *
 * The dual has dimension p (dozens), whatever n₀ (thousands): each Newton step costs O(n₀·p²)
 * for the Hessian plus O(p³) for its Cholesky factor, on row-major Float64Arrays.
 *
 * Conditioning ({@link whiten}): the constraint columns are centred and scaled by the controls'
 * means and SDs, then rotated and scaled by the eigen-decomposition of the Gram matrix
 * G = Σ_j d x̃_j x̃_jᵀ (relative rank tolerance 1e-12 on its eigenvalues), so that the Hessian is
 * the identity at λ = 0 and redundant constraints (e.g. one outcome the sum of two others) drop
 * out. Because the intercept is one of the constraints, the tilted family d·exp(x̃ᵀλ) is the
 * same for any affine reparametrisation of the columns: the weights do not depend on the units
 * a covariate is measured in (tested).
 *
 * Truncated linear distance (`distance: 'linear'`; survey::calibrate's calfun "linear" with
 * bounds (0, ∞), which is microsynth's default): minimise Σ_j (w_j − d)²/(2d) subject to the
 * constraints and w ≥ 0. Its KKT conditions give w_j = d·max(0, 1 + x_jᵀλ), λ minimising
 *
 *     F(λ) = Σ_j d·½·max(0, 1 + x_jᵀλ)² − tᵀλ,  ∇F = Σ_j w_j x_j − t,  ∂²F = Σ_{j: w_j>0} d·x_j x_jᵀ,
 *
 * a convex, piecewise quadratic, once differentiable dual; the same damped Newton iteration with
 * the generalised Hessian (semismooth Newton) solves it. Unlike raking, weights can be exactly
 * zero. Both distances give the unique closest weighting to uniform in their own sense; when many
 * weightings balance exactly (thousands of controls, dozens of constraints) the two differ, and
 * with them the synthetic post-period totals (see range.ts for the full range).
 *
 * When the treated totals are outside what non-negative weights on the controls can reproduce,
 * the dual is unbounded below and Newton does not converge. Then {@link rakePenalised} solves the
 * penalised problem min KL(w‖d) + (μ/2)‖Zᵀw − t′‖² for an increasing sequence of μ, which tends to
 * the raking solution closest to exact balance (in the whitened metric); callers say so.
 */
import { choleskyFactor, symmetricEigen } from '../../core/linalg.js';

/** Constraint columns in whitened coordinates, for all units (treated and controls). */
export interface Whitened {
  /** nAll × r, row-major: z_i = M ᵀ x̃_i. */
  Z: Float64Array;
  nAll: number;
  /** Number of raw constraint columns (intercept + matching variables). */
  p: number;
  /** Rank kept (columns of Z). */
  r: number;
  /** Centre and scale of each raw column (p; intercept: 0 and 1). */
  centre: Float64Array;
  scale: Float64Array;
  /** p × r: maps a whitened gradient back to standardised residuals, res_x̃ = U g. */
  U: Float64Array;
  /** Raw columns dropped as constant among the controls (index into the p columns). */
  constantColumns: number[];
  /**
   * The scaled but uncentred columns x̂_k = x_k / s_k (k = 1..q) in compressed sparse rows, so the
   * per-area loops of the solver touch only non-zero entries (crime counts in small areas are
   * mostly zero). Row u holds entries xsPtr[u] … xsPtr[u+1]−1; column indices are 1..q.
   */
  xsPtr: Int32Array;
  xsCol: Int32Array;
  xsVal: Float64Array;
  /** 1 for raw columns that are non-negative for every unit (counts), indexed 0..p−1 (intercept 1). */
  nonNegative: Uint8Array;
  /** r × p: z = R x̂ₑ with x̂ₑ = (1, x̂_1, …, x̂_q), i.e. R = Mᵀ C where C centres (x̃_k = x̂_k − c_k/s_k). */
  R: Float64Array;
}

/**
 * Standardise and whiten the constraint columns.
 * @param A nAll × q raw matching variables (row-major), without the intercept.
 * @param controls indices of the control rows (the donors), which define centre, scale and the Gram matrix.
 * @param d base weight n₁/n₀.
 */
export function whiten(A: Float64Array, nAll: number, q: number, controls: Int32Array, d: number): Whitened {
  const p = q + 1;
  const { centre, scale, constantColumns } = standardise(A, q, controls);
  const G = controlGram(A, q, controls, d, centre, scale);
  const { r, M, U } = whiteningMap(G, p);
  const Z = whitenedRows(A, nAll, q, r, centre, scale, M);
  const { xsPtr, xsCol, xsVal } = sparseScaledRows(A, nAll, q, scale);
  const R = rawToWhitened(M, p, r, centre, scale);
  const nonNegative = new Uint8Array(p).fill(1);
  for (let i = 0; i < nAll * q; i++) if (A[i]! < 0) nonNegative[(i % q) + 1] = 0;
  return { Z, nAll, p, r, centre, scale, U, constantColumns, xsPtr, xsCol, xsVal, R, nonNegative };
}

/** Centre c_k and scale s_k of each column over the controls (index 0 is the intercept: 0, 1); columns constant among the controls keep scale 1. */
function standardise(A: Float64Array, q: number, controls: Int32Array): { centre: Float64Array; scale: Float64Array; constantColumns: number[] } {
  const p = q + 1;
  const centre = new Float64Array(p);
  const scale = new Float64Array(p).fill(1);
  const n0 = controls.length;
  const constantColumns: number[] = [];
  for (let k = 0; k < q; k++) {
    let m = 0;
    for (let a = 0; a < n0; a++) m += A[controls[a]! * q + k]!;
    m /= n0;
    let v = 0;
    for (let a = 0; a < n0; a++) {
      const e = A[controls[a]! * q + k]! - m;
      v += e * e;
    }
    const s = Math.sqrt(v / Math.max(1, n0 - 1));
    centre[k + 1] = m;
    // A column constant among the controls carries no information beyond the intercept; keep it
    // centred (all zeros) so the rank step drops it, and let the caller check its target.
    if (!(s > 0) || s <= 1e-13 * Math.max(1, Math.abs(m))) {
      scale[k + 1] = 1;
      constantColumns.push(k + 1);
    } else scale[k + 1] = s;
  }
  return { centre, scale, constantColumns };
}

/** Gram matrix of the standardised controls, G = Σ d x̃ x̃ᵀ (p×p, x̃ = (1, (x_k − c_k)/s_k)). */
function controlGram(A: Float64Array, q: number, controls: Int32Array, d: number, centre: Float64Array, scale: Float64Array): Float64Array {
  const p = q + 1;
  const G = new Float64Array(p * p);
  const xt = new Float64Array(p);
  for (let a = 0; a < controls.length; a++) {
    const row = controls[a]! * q;
    xt[0] = 1;
    for (let k = 0; k < q; k++) xt[k + 1] = (A[row + k]! - centre[k + 1]!) / scale[k + 1]!;
    for (let i = 0; i < p; i++) {
      const xi = d * xt[i]!;
      if (xi === 0) continue;
      for (let j = i; j < p; j++) G[i * p + j] = G[i * p + j]! + xi * xt[j]!;
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) G[i * p + j] = G[j * p + i]!;
  return G;
}

/** G = V Λ Vᵀ; keep eigenvalues above 1e-12·λ_max (rank r): M = V Λ^{−½} (p × r, z = Mᵀx̃), U = V Λ^{½} (x̃ = U z). */
function whiteningMap(G: Float64Array, p: number): { r: number; M: Float64Array; U: Float64Array } {
  const { values, vectors } = symmetricEigen(G, p);
  const top = values[0]!;
  const keep: number[] = [];
  for (let k = 0; k < p; k++) if (values[k]! > 1e-12 * top) keep.push(k);
  const r = keep.length;
  const M = new Float64Array(p * r);
  const U = new Float64Array(p * r);
  keep.forEach((k, c) => {
    const f = 1 / Math.sqrt(values[k]!);
    const g = Math.sqrt(values[k]!);
    for (let i = 0; i < p; i++) {
      M[i * r + c] = vectors[i * p + k]! * f;
      U[i * r + c] = vectors[i * p + k]! * g;
    }
  });
  return { r, M, U };
}

/** Whitened rows z_u = Mᵀ x̃_u for every unit (nAll × r). */
function whitenedRows(A: Float64Array, nAll: number, q: number, r: number, centre: Float64Array, scale: Float64Array, M: Float64Array): Float64Array {
  const p = q + 1;
  const xt = new Float64Array(p);
  const Z = new Float64Array(nAll * r);
  for (let u = 0; u < nAll; u++) {
    xt[0] = 1;
    for (let k = 0; k < q; k++) xt[k + 1] = (A[u * q + k]! - centre[k + 1]!) / scale[k + 1]!;
    const o = u * r;
    for (let i = 0; i < p; i++) {
      const xi = xt[i]!;
      if (xi === 0) continue;
      const mi = i * r;
      for (let c = 0; c < r; c++) Z[o + c] = Z[o + c]! + xi * M[mi + c]!;
    }
  }
  return Z;
}

/** The scaled, uncentred columns x̂_k = x_k/s_k in compressed sparse rows (see {@link Whitened.xsPtr}). */
function sparseScaledRows(A: Float64Array, nAll: number, q: number, scale: Float64Array): { xsPtr: Int32Array; xsCol: Int32Array; xsVal: Float64Array } {
  let nnz = 0;
  for (let i = 0; i < nAll * q; i++) if (A[i] !== 0) nnz++;
  const xsPtr = new Int32Array(nAll + 1);
  const xsCol = new Int32Array(nnz);
  const xsVal = new Float64Array(nnz);
  let m = 0;
  for (let u = 0; u < nAll; u++) {
    for (let k = 0; k < q; k++) {
      const v = A[u * q + k]!;
      if (v !== 0) {
        xsCol[m] = k + 1;
        xsVal[m] = v / scale[k + 1]!;
        m++;
      }
    }
    xsPtr[u + 1] = m;
  }
  return { xsPtr, xsCol, xsVal };
}

/** R = Mᵀ C (r × p): z = R x̂ₑ for x̂ₑ = (1, x̂_1, …, x̂_q), folding the centring into the intercept column. */
function rawToWhitened(M: Float64Array, p: number, r: number, centre: Float64Array, scale: Float64Array): Float64Array {
  const R = new Float64Array(r * p);
  for (let c = 0; c < r; c++) {
    let r0 = M[c]!;
    for (let k = 1; k < p; k++) {
      const mk = M[k * r + c]!;
      R[c * p + k] = mk;
      r0 -= mk * (centre[k]! / scale[k]!);
    }
    R[c * p] = r0;
  }
  return R;
}

export interface RakeOptions {
  /** Stop when every constraint's relative imbalance is at most this (see {@link RakeProblem.den}). */
  tol: number;
  maxIter: number;
  /** Starting dual point (length r); default 0 (uniform weights). */
  lambda0?: Float64Array;
  /**
   * Cholesky factor (r×r lower, row-major) of a Hessian to start with; default: identity, which is
   * the exact Hessian at λ = 0 over all controls in whitened coordinates. The factor is refreshed
   * with the true Hessian whenever a step reduces the gradient by less than a factor 4, so easy
   * problems (placebos, jackknife) take cheap O(n·r) chord steps and hard ones full Newton steps.
   */
  L0?: Float64Array;
  /** Always use the true Hessian (plain damped Newton). */
  fullNewton?: boolean;
}

/** Distance from the uniform base weights that calibration minimises (see the module comment). */
export type CalibrationDistance = 'raking' | 'linear';
export const CALIBRATION_DISTANCES = ['raking', 'linear'] as const;

export interface RakeProblem {
  W: Whitened;
  /** Distance minimised: raking (KL, exponential tilting) or truncated linear (χ², w ≥ 0). */
  distance: CalibrationDistance;
  /**
   * Approximate balance (`--match-min`): per raw column k (length p), ρ_k > 0 for a column balanced
   * as closely as a penalty allows rather than exactly (0 for exact columns). The dual gains
   * ½·Σ_k ρ_k·λ̃_k², λ̃ = Rᵀλ the multipliers of the standardised columns, which is the primal
   * penalty ½·Σ_k e_k²/ρ_k on their standardised imbalances e_k. With every column linearly
   * independent the exact columns stay exactly balanced at the optimum; the caller residualises
   * the min columns on the exact ones so that collinear ones cannot trade exact balance away.
   */
  minRidge?: Float64Array;
  /** Indices of the donor rows into W.Z. */
  donors: Int32Array;
  /** Target Σ_treated z_i (length r). */
  target: Float64Array;
  /** Base weight d. */
  d: number;
  /**
   * Per raw constraint k (length p), the scale of the relative imbalance: |raw residual_k| / den_k
   * must fall below tol. Typically max(|t_k|, scale_k).
   */
  den: Float64Array;
}

export interface RakeResult {
  lambda: Float64Array;
  /** Weights of the donors, in the order of `donors`. */
  w: Float64Array;
  iterations: number;
  hessians: number;
  converged: boolean;
  /** Largest relative imbalance (raw units, over den) at the end. */
  maxRelImbalance: number;
}

/** Relative imbalance of each raw constraint from a whitened gradient g: |s_k·(Ug)_k + c_k·(Ug)_0| / den_k, max over k. */
function relImbalance(W: Whitened, g: Float64Array, den: Float64Array): number {
  const { p, r, U, centre, scale } = W;
  let res0 = 0;
  for (let c = 0; c < r; c++) res0 += U[c]! * g[c]!;
  let worst = Math.abs(res0) / den[0]!;
  for (let k = 1; k < p; k++) {
    let s = 0;
    const o = k * r;
    for (let c = 0; c < r; c++) s += U[o + c]! * g[c]!;
    const raw = Math.abs(scale[k]! * s + centre[k]! * res0) / den[k]!;
    if (raw > worst) worst = raw;
  }
  return worst;
}

/**
 * Dual value F(λ) = Σ d·ρ(z_jᵀλ) − tᵀλ (+ ‖λ‖²/(2μ)), ρ(η) = exp(η) (raking) or ½·max(0, 1 + η)²
 * (linear), with weights w_j = d·ρ′(η_j) and gradient written into `w` and `g`. Non-finite when a
 * weight overflows.
 */
function evaluate(prob: RakeProblem, lambda: Float64Array, w: Float64Array, g: Float64Array, invMu: number): number {
  const { r, p, R, xsPtr, xsCol, xsVal } = prob.W;
  const { donors, target, d } = prob;
  // η_j = z_jᵀλ = x̂ₑⱼᵀ(Rᵀλ): one sparse dot product per area.
  const mu = new Float64Array(p);
  for (let c = 0; c < r; c++) {
    const lc = lambda[c]!;
    if (lc === 0) continue;
    const o = c * p;
    for (let k = 0; k < p; k++) mu[k] = mu[k]! + R[o + k]! * lc;
  }
  const mu0 = mu[0]!;
  const gx = new Float64Array(p);
  let sumW = 0;
  // Σ d·ρ(η_j): equals Σ w_j for raking; ½ Σ w_j²/d for the linear distance.
  let sumRho = 0;
  const linear = prob.distance === 'linear';
  const n = donors.length;
  for (let a = 0; a < n; a++) {
    const u = donors[a]!;
    const e = xsPtr[u + 1]!;
    let eta = mu0;
    for (let m = xsPtr[u]!; m < e; m++) eta += mu[xsCol[m]!]! * xsVal[m]!;
    let wa: number;
    if (linear) {
      const g1 = 1 + eta;
      wa = g1 > 0 ? d * g1 : 0;
      sumRho += 0.5 * wa * (g1 > 0 ? g1 : 0);
    } else {
      wa = d * Math.exp(eta);
      sumRho += wa;
    }
    w[a] = wa;
    sumW += wa;
    if (wa !== 0) for (let m = xsPtr[u]!; m < e; m++) gx[xsCol[m]!] = gx[xsCol[m]!]! + wa * xsVal[m]!;
  }
  gx[0] = sumW;
  // Approximate-balance ridge on the min columns' multipliers: gradient Σ_k R[c,k]·ρ_k·mu_k.
  let mm = 0;
  const ridge = prob.minRidge;
  if (ridge)
    for (let k = 1; k < p; k++) {
      const rk = ridge[k]!;
      if (rk === 0) continue;
      mm += rk * mu[k]! * mu[k]!;
      gx[k] = gx[k]! + rk * mu[k]!;
    }
  let tl = 0;
  let ll = 0;
  for (let c = 0; c < r; c++) {
    let s = 0;
    const o = c * p;
    for (let k = 0; k < p; k++) s += R[o + k]! * gx[k]!;
    tl += target[c]! * lambda[c]!;
    ll += lambda[c]! * lambda[c]!;
    g[c] = s - target[c]! + invMu * lambda[c]!;
  }
  return sumRho - tl + 0.5 * invMu * ll + 0.5 * mm;
}

/**
 * Hessian Σ c_j z_j z_jᵀ (+ I/μ) → its Cholesky factor (null if not positive definite), with the
 * curvature c_j = d·ρ″(η_j): w_j for raking, d on the donors with positive weight for the linear
 * distance (its generalised Hessian).
 */
function hessianFactor(prob: RakeProblem, wIn: Float64Array, invMu: number): Float64Array | null {
  const { r, p, R, xsPtr, xsCol, xsVal } = prob.W;
  const { donors } = prob;
  const w = prob.distance === 'linear' ? wIn.map((v) => (v > 0 ? prob.d : 0)) : wIn;
  // Hₓ = Σ w x̂ₑ x̂ₑᵀ over the non-zero entries only (upper triangle), then H = R Hₓ Rᵀ.
  const Hx = new Float64Array(p * p);
  const xr = new Float64Array(p);
  const n = donors.length;
  for (let a = 0; a < n; a++) {
    const wa = w[a]!;
    if (wa === 0) continue;
    const u = donors[a]!;
    const b = xsPtr[u]!;
    const e = xsPtr[u + 1]!;
    if (e - b === p - 1) {
      // Dense row (e.g. monthly counts of larger areas): direct indexing, no gather.
      xr[0] = 1;
      for (let m = b; m < e; m++) xr[m - b + 1] = xsVal[m]!;
      for (let i = 0; i < p; i++) {
        const vi = wa * xr[i]!;
        const hi = i * p;
        for (let j = i; j < p; j++) Hx[hi + j] = Hx[hi + j]! + vi * xr[j]!;
      }
      continue;
    }
    Hx[0] = Hx[0]! + wa;
    for (let m = b; m < e; m++) {
      const k = xsCol[m]!;
      const vk = wa * xsVal[m]!;
      Hx[k] = Hx[k]! + vk;
      const hk = k * p;
      for (let m2 = m; m2 < e; m2++) Hx[hk + xsCol[m2]!] = Hx[hk + xsCol[m2]!]! + vk * xsVal[m2]!;
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) Hx[i * p + j] = Hx[j * p + i]!;
  // Approximate-balance ridge (see RakeProblem.minRidge): + Σ_k ρ_k e_k e_kᵀ in raw coordinates.
  if (prob.minRidge) for (let k = 1; k < p; k++) Hx[k * p + k] = Hx[k * p + k]! + prob.minRidge[k]!;
  // T = R Hₓ (r × p), H = T Rᵀ (r × r).
  const Tm = new Float64Array(r * p);
  for (let c = 0; c < r; c++)
    for (let k = 0; k < p; k++) {
      const rck = R[c * p + k]!;
      if (rck === 0) continue;
      const hk = k * p;
      const o = c * p;
      for (let l = 0; l < p; l++) Tm[o + l] = Tm[o + l]! + rck * Hx[hk + l]!;
    }
  const H = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = i; j < r; j++) {
      let s = 0;
      const oi = i * p;
      const oj = j * p;
      for (let l = 0; l < p; l++) s += Tm[oi + l]! * R[oj + l]!;
      H[i * r + j] = s;
      H[j * r + i] = s;
    }
  for (let i = 0; i < r; i++) H[i * r + i] = H[i * r + i]! + invMu;
  const L = choleskyFactor(H, r);
  if (L !== null) return L;
  // A direction with no information (e.g. a constraint every remaining donor meets with 0 = 0
  // after the zero-target presolve): a tiny ridge keeps the step finite; the gradient has no
  // component along it.
  let dmax = 0;
  for (let i = 0; i < r; i++) dmax = Math.max(dmax, H[i * r + i]!);
  for (let i = 0; i < r; i++) H[i * r + i] = H[i * r + i]! + 1e-12 * dmax;
  return choleskyFactor(H, r);
}

/**
 * Zero-target presolve: for a non-negative column whose treated (or placebo) total is 0, every
 * donor with a positive value must get weight 0 in any exactly balancing non-negative weighting,
 * so those donors are removed before raking (the raking solution is their limit w → 0, which
 * Newton would otherwise approach only linearly). Returns the kept donors' positions.
 */
export function zeroTargetKeep(W: Whitened, donors: Int32Array, setRows: ArrayLike<number>, exactCols: number = W.p): Int32Array | null {
  const { xsPtr, xsCol, xsVal, nonNegative } = W;
  // Only exactly balanced columns (the first exactCols, intercept included) force zero weights.
  const p = exactCols;
  const tot = new Float64Array(p);
  for (let a = 0; a < setRows.length; a++) {
    const u = setRows[a]!;
    for (let m = xsPtr[u]!; m < xsPtr[u + 1]!; m++) if (xsCol[m]! < p) tot[xsCol[m]!] = tot[xsCol[m]!]! + xsVal[m]!;
  }
  const zero = new Uint8Array(p);
  let any = false;
  for (let k = 1; k < p; k++)
    if (nonNegative[k] && tot[k] === 0) {
      zero[k] = 1;
      any = true;
    }
  if (!any) return null;
  const keep: number[] = [];
  for (let a = 0; a < donors.length; a++) {
    const u = donors[a]!;
    let ok = true;
    for (let m = xsPtr[u]!; m < xsPtr[u + 1]!; m++) if (xsCol[m]! < p && zero[xsCol[m]!] && xsVal[m]! > 0) ok = false;
    if (ok) keep.push(a);
  }
  return keep.length === donors.length ? null : Int32Array.from(keep);
}

function cholSolve(L: Float64Array, r: number, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < r; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * r + k]! * out[k]!;
    out[i] = s / L[i * r + i]!;
  }
  for (let i = r - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let k = i + 1; k < r; k++) s -= L[k * r + i]! * out[k]!;
    out[i] = s / L[i * r + i]!;
  }
}

const norm2 = (g: Float64Array) => {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
};

/** Identity factor. */
function identity(r: number): Float64Array {
  const L = new Float64Array(r * r);
  for (let i = 0; i < r; i++) L[i * r + i] = 1;
  return L;
}

/**
 * Backtracking (Armijo) line search along `step` from λ: trial = λ + α·step, α = 1, ½, ¼, … (60
 * halvings at most). Armijo on F; near the solution F stops resolving the decrease (its rounding
 * error, ε·|tᵀλ|, exceeds ½gᵀH⁻¹g), so a step that keeps F within that rounding and shrinks the
 * gradient is accepted too. Leaves the accepted point in `trial`, its weights in `wNew` and its
 * gradient in `gNew`.
 */
function lineSearch(prob: RakeProblem, lambda: Float64Array, step: Float64Array, F: number, slope: number, gBefore: number, trial: Float64Array, wNew: Float64Array, gNew: Float64Array, invMu: number): { accepted: boolean; alpha: number; Fn: number } {
  const r = lambda.length;
  let alpha = 1;
  let Fn = Number.NaN;
  const fNoise = 1e-13 * (Math.abs(F) + 1);
  for (let ls = 0; ls < 60; ls++) {
    for (let c = 0; c < r; c++) trial[c] = lambda[c]! + alpha * step[c]!;
    Fn = evaluate(prob, trial, wNew, gNew, invMu);
    if (Number.isFinite(Fn) && (Fn <= F + 1e-4 * alpha * slope || (Fn <= F + fNoise && norm2(gNew) <= (1 - 1e-4 * alpha) * gBefore))) return { accepted: true, alpha, Fn };
    alpha *= 0.5;
  }
  return { accepted: false, alpha, Fn };
}

/**
 * Minimise the (optionally penalised) dual by Newton steps with a backtracking (Armijo) line search.
 * The Hessian factor is reused while steps contract the gradient well (chord method) and refreshed
 * otherwise, or at every step with `fullNewton`.
 */
function newton(prob: RakeProblem, opts: RakeOptions, invMu: number): RakeResult {
  const { r } = prob.W;
  const n = prob.donors.length;
  const lambda = opts.lambda0 ? Float64Array.from(opts.lambda0) : new Float64Array(r);
  let w = new Float64Array(n);
  let g = new Float64Array(r);
  let wNew = new Float64Array(n);
  let gNew = new Float64Array(r);
  const trial = new Float64Array(r);
  const step = new Float64Array(r);
  let F = evaluate(prob, lambda, w, g, invMu);
  let hessians = 0;
  let L: Float64Array | null = null;
  if (opts.fullNewton) {
    L = hessianFactor(prob, w, invMu);
    hessians++;
  } else L = opts.L0 ?? identity(r);
  let imb = relImbalance(prob.W, g, prob.den);
  let it = 0;
  let fresh = opts.fullNewton === true;
  while (it < opts.maxIter && !(invMu === 0 && imb <= opts.tol)) {
    if (!Number.isFinite(F)) break;
    if (L === null) break;
    it++;
    for (let c = 0; c < r; c++) gNew[c] = -g[c]!;
    cholSolve(L, r, gNew, step);
    let slope = 0;
    for (let c = 0; c < r; c++) slope += g[c]! * step[c]!;
    if (!(slope < 0)) {
      // Not a descent direction (stale factor): refresh, or stop if it is already fresh.
      if (fresh) break;
      L = hessianFactor(prob, w, invMu);
      hessians++;
      fresh = true;
      it--;
      continue;
    }
    const gBefore = norm2(g);
    const { accepted, alpha, Fn } = lineSearch(prob, lambda, step, F, slope, gBefore, trial, wNew, gNew, invMu);
    if (!accepted) {
      if (fresh) break;
      L = hessianFactor(prob, w, invMu);
      hessians++;
      fresh = true;
      continue;
    }
    const before = gBefore;
    lambda.set(trial);
    [w, wNew] = [wNew, w];
    [g, gNew] = [gNew, g];
    const improvement = F - Fn;
    F = Fn;
    imb = relImbalance(prob.W, g, prob.den);
    if (invMu > 0 && improvement <= 1e-15 * Math.max(1, Math.abs(F))) break;
    const after = norm2(g);
    if (opts.fullNewton || after > 0.25 * before || alpha < 1) {
      const Lh = hessianFactor(prob, w, invMu);
      hessians++;
      if (Lh !== null) {
        L = Lh;
        fresh = true;
      }
    } else fresh = false;
  }
  return { lambda, w, iterations: it, hessians, converged: invMu === 0 ? imb <= opts.tol : true, maxRelImbalance: imb };
}

/** Exact raking (unpenalised dual). `converged` is false when exact balance was not reached. */
export function rake(prob: RakeProblem, opts: RakeOptions): RakeResult {
  return newton(prob, opts, 0);
}

/**
 * Closest achievable balance when exact balance is infeasible: the penalised dual
 * min F(λ) + ‖λ‖²/(2μ) ⇔ primal min KL(w‖d) + (μ/2)‖Σ w z − t′‖², solved for μ = 10², 10⁴, …,
 * 10¹², warm-started, stopping when the imbalance no longer shrinks (or a weight would overflow).
 */
export function rakePenalised(prob: RakeProblem, opts: RakeOptions): RakeResult & { mu: number } {
  let best: (RakeResult & { mu: number }) | null = null;
  let lambda0: Float64Array | undefined = opts.lambda0;
  let iterations = 0;
  let hessians = 0;
  for (let e = 2; e <= 12; e += 2) {
    const mu = 10 ** e;
    const res = newton(prob, { tol: opts.tol, maxIter: Math.min(opts.maxIter, 100), fullNewton: true, ...(lambda0 ? { lambda0 } : {}) }, 1 / mu);
    iterations += res.iterations;
    hessians += res.hessians;
    let finite = true;
    for (let a = 0; a < res.w.length; a++) if (!Number.isFinite(res.w[a]!)) finite = false;
    if (!finite) break;
    const improved = best === null || res.maxRelImbalance < best.maxRelImbalance * (1 - 1e-3);
    best = { ...res, mu, iterations, hessians };
    lambda0 = res.lambda;
    if (!improved || res.maxRelImbalance <= opts.tol) break;
  }
  return { ...best!, converged: best!.maxRelImbalance <= opts.tol };
}

/** Hessian factor at a solution, to start related fits (jackknife) with chord steps. */
export function hessianAt(prob: RakeProblem, w: Float64Array): Float64Array | null {
  return hessianFactor(prob, w, 0);
}
