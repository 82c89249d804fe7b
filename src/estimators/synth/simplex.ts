/**
 * Exact simplex-constrained quadratic programme for synthetic-control weights:
 *
 *   minimise  f(w) = ½ wᵀ H w − cᵀ w   subject to  w ≥ 0,  Σ w = 1,
 *
 * where H = X₀ᵀ V X₀ (J×J, positive semidefinite) and c = X₀ᵀ V X₁ (J), so
 * f(w) = ½ (X₁ − X₀W)ᵀ V (X₁ − X₀W) − ½ X₁ᵀVX₁ (Abadie, Diamond & Hainmueller 2010, eq. 2).
 *
 * Method: a primal active-set method (the simplex analogue of Lawson–Hanson NNLS).
 * Starting from the best single donor, it alternates
 *   (i)  solve the equality-constrained problem on the support S (Σ_S w = 1) by
 *        the null-space method (w = e_r + Z y, Z = [e_a − e_r]), stepping back to
 *        the boundary and dropping a donor whenever the solution leaves w ≥ 0;
 *   (ii) price: with λ = the common gradient on S, add the donor j ∉ S with the
 *        most negative reduced gradient g_j − λ.
 * It stops when min_{j∉S}(g_j − λ) ≥ −tol·scale: the KKT conditions
 * (g_i = λ on S, g_j ≥ λ off S, w ≥ 0, Σw = 1) then hold to that tolerance.
 * Adding a donor with g_j < λ never makes the reduced Hessian ZᵀHZ singular
 * (a null direction d has gᵀd = 0), so each subproblem has a unique solution.
 *
 * H may be a sub-matrix of a larger Gram matrix G (n×n, row-major) selected by
 * `idx`, so placebo runs share one Gram matrix without copying it.
 */

export interface SimplexOptions {
  /** Maximum number of pricing iterations (outer loop). Default 10·J + 100. */
  maxIter?: number | undefined;
  /** Relative optimality tolerance on the reduced gradient (× max diag H). Default 1e-12. */
  tol?: number | undefined;
  /** Warm start (length J, nonnegative); its support seeds the active set. */
  warm?: Float64Array | null;
}

export interface SimplexResult {
  /** Weights, length J, on the simplex. */
  w: Float64Array;
  converged: boolean;
  iterations: number;
  /** ½wᵀHw − cᵀw at the solution. */
  objective: number;
  /** KKT residuals divided by scale = max_j H_jj: stationarity max_{w_i>0}|g_i − λ|, dual violation max(0, −min_{w_j=0}(g_j − λ)), |Σw − 1|, max(0, −min w). */
  kkt: { stationarity: number; dual: number; sum: number; negativity: number; scale: number };
}

/**
 * Solve the simplex QP on H = G[idx, idx], c (length idx.length).
 * @param G - n×n symmetric PSD matrix, row-major.
 * @param n - row stride of G.
 * @param idx - donor indices into G (length J ≥ 1).
 * @param c - linear term, length J.
 */
export function simplexQP(G: Float64Array, n: number, idx: Int32Array | readonly number[], c: Float64Array, opts: SimplexOptions = {}): SimplexResult {
  const J = idx.length;
  return activeSetSimplex({
    J,
    c,
    h: (a, b) => G[idx[a]! * n + idx[b]!]!,
    gradient: (w, S, g) => {
      for (let j = 0; j < J; j++) {
        const row = idx[j]! * n;
        let s = -c[j]!;
        for (const k of S) s += G[row + idx[k]!]! * w[k]!;
        g[j] = s;
      }
    },
  }, opts);
}

/**
 * Simplex least squares in factor form: minimise ½‖b − A w‖² (A k×J row-major,
 * column j = donor j's weighted predictors V^{1/2}X₀ⱼ, b = V^{1/2}X₁), i.e. the
 * QP with H = AᵀA and c = Aᵀb, without forming H (cost O(kJ) per pricing step).
 */
export function simplexLS(A: Float64Array, k: number, J: number, b: Float64Array, opts: SimplexOptions = {}): SimplexResult {
  const c = new Float64Array(J);
  for (let p = 0; p < k; p++) for (let j = 0; j < J; j++) c[j] = c[j]! + A[p * J + j]! * b[p]!;
  const r = new Float64Array(k);
  return activeSetSimplex({
    J,
    c,
    h: (a, bb) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[p * J + a]! * A[p * J + bb]!;
      return s;
    },
    gradient: (w, S, g) => {
      r.fill(0);
      for (const j of S) {
        const wj = w[j]!;
        for (let p = 0; p < k; p++) r[p] = r[p]! + A[p * J + j]! * wj;
      }
      for (let p = 0; p < k; p++) r[p] = r[p]! - b[p]!;
      g.fill(0);
      for (let p = 0; p < k; p++) {
        const rp = r[p]!;
        const off = p * J;
        for (let j = 0; j < J; j++) g[j] = g[j]! + A[off + j]! * rp;
      }
    },
  }, opts);
}

/** The QP seen by the active-set method: H entries on demand, c, and the gradient Hw − c. */
interface SimplexProblem {
  J: number;
  c: Float64Array;
  h: (a: number, b: number) => number;
  /** Write g = H w − c (w supported on S). */
  gradient: (w: Float64Array, S: readonly number[], g: Float64Array) => void;
}

/**
 * Active-set method for min ½wᵀHw − cᵀw on the simplex {w ≥ 0, Σw = 1}: from a starting support S,
 * repeat (i) the equality-constrained optimum on S, stepping back to w ≥ 0 and dropping blocking
 * members, then (ii) pricing: add the j ∉ S with the most negative reduced gradient g_j − λ,
 * λ = Σ_{i∈S} w_i g_i; stop when none is below −tol (KKT conditions hold).
 */
function activeSetSimplex(prob: SimplexProblem, opts: SimplexOptions): SimplexResult {
  const { J } = prob;
  let scale = 0;
  for (let j = 0; j < J; j++) scale = Math.max(scale, Math.abs(prob.h(j, j)));
  if (!(scale > 0)) scale = 1;
  const tol = (opts.tol ?? 1e-12) * scale;
  const maxIter = opts.maxIter ?? 10 * J + 100;
  const w = new Float64Array(J);
  const inS = new Uint8Array(J);
  let S = startingSupport(prob, opts.warm, w, inS);
  const g = new Float64Array(J);
  const solveSub = subproblemSolver(prob);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    S = optimumOnSupport(J, w, S, inS, solveSub);
    prob.gradient(w, S, g);
    const jMin = pricing(J, w, S, inS, g, tol);
    if (jMin < 0) { converged = true; break; }
    S.push(jMin);
    inS[jMin] = 1;
  }
  prob.gradient(w, S, g);
  return simplexResult(prob, w, S, g, converged, iterations, scale);
}

/** The starting support: the positive part of a warm start (renormalised), else the best single vertex (min ½H_jj − c_j). */
function startingSupport(prob: SimplexProblem, warm: SimplexOptions['warm'], w: Float64Array, inS: Uint8Array): number[] {
  const { J, c } = prob;
  const H = prob.h;
  let S: number[] = [];
  if (warm && warm.length === J) {
    let tot = 0;
    for (let j = 0; j < J; j++) if (warm[j]! > 0) tot += warm[j]!;
    if (tot > 0) for (let j = 0; j < J; j++) if (warm[j]! > 0) { w[j] = warm[j]! / tot; S.push(j); inS[j] = 1; }
  }
  if (S.length === 0) {
    let best = 0;
    let bestF = Infinity;
    for (let j = 0; j < J; j++) {
      const f = 0.5 * H(j, j) - c[j]!;
      if (f < bestF) { bestF = f; best = j; }
    }
    w[best] = 1;
    S = [best];
    inS[best] = 1;
  }
  return S;
}

/**
 * The equality-constrained subproblem on S: eliminate the reference member r (largest w) through
 * Σw = 1 and solve the (s−1)×(s−1) semidefinite system by Cholesky. Returns w* aligned with S
 * (a buffer reused between calls).
 */
function subproblemSolver(prob: SimplexProblem): (w: Float64Array, S: readonly number[]) => Float64Array {
  const { J, c } = prob;
  const H = prob.h;
  let M = new Float64Array(0);
  let rhs = new Float64Array(0);
  let wStar = new Float64Array(0);
  const others = new Int32Array(J);
  const hr = new Float64Array(J);
  let Lbuf = new Float64Array(0);
  let ybuf = new Float64Array(0);
  let zbuf = new Float64Array(0);
  return (w, S) => {
    const s = S.length;
    if (wStar.length < s) wStar = new Float64Array(2 * s + 8);
    if (s === 1) { wStar[0] = 1; return wStar; }
    // Reference: the support member with the largest weight.
    let rk = 0;
    for (let a = 1; a < s; a++) if (w[S[a]!]! > w[S[rk]!]!) rk = a;
    const r = S[rk]!;
    const m = s - 1;
    if (M.length < m * m) { M = new Float64Array(4 * m * m + 16); rhs = new Float64Array(2 * m + 8); }
    for (let a = 0, q = 0; a < s; a++) if (a !== rk) others[q++] = S[a]!;
    const Hrr = H(r, r);
    for (let a = 0; a < m; a++) hr[a] = H(others[a]!, r);
    for (let a = 0; a < m; a++) {
      const ia = others[a]!;
      const Har = hr[a]!;
      rhs[a] = c[ia]! - Har - (c[r]! - Hrr);
      for (let b = 0; b <= a; b++) {
        const v = H(ia, others[b]!) - Har - hr[b]! + Hrr;
        M[a * m + b] = v;
        M[b * m + a] = v;
      }
    }
    if (Lbuf.length < m * m) { Lbuf = new Float64Array(M.length); ybuf = new Float64Array(rhs.length); zbuf = new Float64Array(rhs.length); }
    const y = choleskySolveSemidefinite(M, m, rhs, { L: Lbuf, z: zbuf, x: ybuf });
    let sumY = 0;
    for (let a = 0; a < m; a++) sumY += y[a]!;
    for (let a = 0, q = 0; a < s; a++) wStar[a] = a === rk ? 1 - sumY : y[q++]!;
    return wStar;
  };
}

/**
 * Step (i): move w toward the subproblem optimum w* on S; when w* has a member ≤ 0, step only to
 * the first one that hits 0 (ratio test), drop it (and any other at 0) from S and renormalise; repeat.
 * Returns the new support (w updated in place).
 */
function optimumOnSupport(J: number, w: Float64Array, S: number[], inS: Uint8Array, solveSub: (w: Float64Array, S: readonly number[]) => Float64Array): number[] {
  for (let guard = 0; guard <= J + 1; guard++) {
    const wStar = solveSub(w, S);
    let alpha = 1;
    let blocking = -1;
    for (let a = 0; a < S.length; a++) {
      const ws = wStar[a]!;
      if (ws <= 0) {
        const wi = w[S[a]!]!;
        const step = wi / (wi - ws);
        if (step < alpha) { alpha = step; blocking = a; }
      }
    }
    if (blocking < 0) {
      for (let a = 0; a < S.length; a++) w[S[a]!] = wStar[a]!;
      break;
    }
    for (let a = 0; a < S.length; a++) { const i = S[a]!; w[i] = w[i]! + alpha * (wStar[a]! - w[i]!); }
    const keep: number[] = [];
    for (let a = 0; a < S.length; a++) {
      const i = S[a]!;
      if (a === blocking || w[i]! <= 0) { w[i] = 0; inS[i] = 0; } else keep.push(i);
    }
    S = keep;
    let tot = 0;
    for (const i of S) tot += w[i]!;
    for (const i of S) w[i] = w[i]! / tot;
  }
  return S;
}

/** Step (ii): the j ∉ S with the most negative reduced gradient g_j − λ below −tol, or −1 (optimal). */
function pricing(J: number, w: Float64Array, S: readonly number[], inS: Uint8Array, g: Float64Array, tol: number): number {
  let lambda = 0;
  for (const i of S) lambda += w[i]! * g[i]!;
  let jMin = -1;
  let dMin = -tol;
  for (let j = 0; j < J; j++) {
    if (inS[j]) continue;
    const d = g[j]! - lambda;
    if (d < dMin) { dMin = d; jMin = j; }
  }
  return jMin;
}

/** The objective ½wᵀHw − cᵀw (from g = Hw − c) and the KKT residuals, relative to the scale of H. */
function simplexResult(prob: SimplexProblem, w: Float64Array, S: readonly number[], g: Float64Array, converged: boolean, iterations: number, scale: number): SimplexResult {
  const { J, c } = prob;
  let lambda = 0;
  for (const i of S) lambda += w[i]! * g[i]!;
  let stat = 0;
  let dual = 0;
  let sum = 0;
  let neg = 0;
  let obj = 0;
  for (let j = 0; j < J; j++) {
    sum += w[j]!;
    neg = Math.max(neg, -w[j]!);
    obj += w[j]! * (0.5 * (g[j]! + c[j]!) - c[j]!);
    if (w[j]! > 0) stat = Math.max(stat, Math.abs(g[j]! - lambda));
    else dual = Math.max(dual, lambda - g[j]!);
  }
  return { w, converged, iterations, objective: obj, kkt: { stationarity: stat / scale, dual: Math.max(0, dual) / scale, sum: Math.abs(sum - 1), negativity: neg, scale } };
}

/**
 * Solve M y = b for symmetric positive semidefinite M (m×m, row-major) by Cholesky;
 * a pivot below m·ε·max diag is treated as zero (that component of y set to 0).
 */
export function choleskySolveSemidefinite(M: Float64Array, m: number, b: Float64Array, work?: { L: Float64Array; z: Float64Array; x: Float64Array }): Float64Array {
  const L = work ? work.L.fill(0, 0, m * m) : new Float64Array(m * m);
  const zero = new Uint8Array(m);
  let dmax = 0;
  for (let i = 0; i < m; i++) dmax = Math.max(dmax, Math.abs(M[i * m + i]!));
  const eps = m * 4 * Number.EPSILON * dmax;
  for (let j = 0; j < m; j++) {
    let s = M[j * m + j]!;
    for (let k = 0; k < j; k++) s -= L[j * m + k]! * L[j * m + k]!;
    if (!(s > eps)) { zero[j] = 1; continue; }
    const d = Math.sqrt(s);
    L[j * m + j] = d;
    for (let i = j + 1; i < m; i++) {
      let t = M[i * m + j]!;
      for (let k = 0; k < j; k++) t -= L[i * m + k]! * L[j * m + k]!;
      L[i * m + j] = t / d;
    }
  }
  const z = work ? work.z.fill(0, 0, m) : new Float64Array(m);
  for (let i = 0; i < m; i++) {
    if (zero[i]) continue;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * m + k]! * z[k]!;
    z[i] = s / L[i * m + i]!;
  }
  const x = work ? work.x.fill(0, 0, m) : new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    if (zero[i]) continue;
    let s = z[i]!;
    for (let k = i + 1; k < m; k++) s -= L[k * m + i]! * x[k]!;
    x[i] = s / L[i * m + i]!;
  }
  return x;
}
