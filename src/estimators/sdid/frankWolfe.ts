/**
 * Regularised simplex least squares by Frank–Wolfe, the weight problem of
 * synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens &
 * Wager 2021, AER 111:4088, eqs. (2.2)–(2.3) and Online Appendix: the weights are
 * computed by Frank–Wolfe with exact line search).
 *
 * Given A (n×k, row-major) and b (n), solve
 *
 *   minimise  ζ²‖x‖² + ‖A x − b‖² / n   subject to  x ≥ 0, Σx = 1,
 *
 * optionally with an unpenalised intercept (x₀ + Aᵢ·x ≈ bᵢ), which is the same as
 * centring every column of A and b over the n rows first (the intercept's optimum is
 * mean(b) − mean(A)·x).
 *
 * Unit weights ω: rows = pre-periods (n = T_pre), columns = control units (k = N_co),
 * b = the treated units' mean pre-period outcome; the objective × n is the paper's
 * ‖ω₀ + ω·Y_co,pre − ȳ_tr,pre‖² + ζ² T_pre ‖ω‖².
 * Time weights λ: rows = control units (n = N_co), columns = pre-periods (k = T_pre),
 * b = each control's mean post-period outcome, with a tiny ζ.
 *
 * Stopping rule (the reference implementation's, reproduced because the published
 * Prop 99 numbers depend on it): stop after iteration t ≥ 2 once the objective fell by
 * at most `minDecrease²` in that iteration, or at `maxIter` iterations.
 * Each iteration: half-gradient g = Aᵀ(Ax − b) + nζ²x, vertex i = argmin g, direction
 * d = e_i − x, exact line search s = −[(Ax − b)·(A d) + nζ² x·d] / (‖A d‖² + nζ²‖d‖²) clipped
 * to [0, 1]. (Dropping the penalty term nζ²x·d from the step moves Prop 99 SDID to −13.5.)
 */

import { simplexQP } from '../synth/simplex.js';

export interface FwResult {
  /** Weights on the simplex (length k). */
  x: Float64Array;
  /** Iterations run. */
  iterations: number;
  /** True when the stopping rule on the decrease was met (false = stopped at maxIter). */
  converged: boolean;
  /** Final objective ζ²‖x‖² + ‖Ax − b‖²/n (with the intercept profiled out). */
  objective: number;
  /** Frank–Wolfe duality gap at x: an upper bound on objective − minimum. */
  gap: number;
}

export interface FwOptions {
  zeta: number;
  intercept: boolean;
  /** Starting point (length k, on the simplex); default uniform 1/k. */
  init?: Float64Array | null;
  minDecrease: number;
  maxIter: number;
}

/**
 * Frank–Wolfe on the (optionally centred) problem. A and b are not modified.
 * @param A - n×k row-major.
 * @param b - length n.
 */
export function frankWolfe(A: Float64Array, n: number, k: number, b: Float64Array, o: FwOptions & { direct?: boolean }): FwResult {
  let Ac = A;
  let bc = b;
  if (o.intercept) {
    Ac = new Float64Array(n * k);
    bc = new Float64Array(n);
    const colMean = new Float64Array(k);
    let bm = 0;
    for (let r = 0; r < n; r++) {
      const off = r * k;
      for (let j = 0; j < k; j++) colMean[j] = colMean[j]! + A[off + j]!;
      bm += b[r]!;
    }
    for (let j = 0; j < k; j++) colMean[j] = colMean[j]! / n;
    bm /= n;
    for (let r = 0; r < n; r++) {
      const off = r * k;
      for (let j = 0; j < k; j++) Ac[off + j] = A[off + j]! - colMean[j]!;
      bc[r] = b[r]! - bm;
    }
  }
  const x = new Float64Array(k);
  if (o.init && o.init.length === k) x.set(o.init);
  else x.fill(1 / k);
  return o.direct || k > 3000 ? fwDirect(Ac, n, k, bc, x, o) : fwGram(Ac, n, k, bc, x, o);
}

/**
 * Gram form: with G = AᵀA (k×k), c = Aᵀb and h = AᵀAx kept up to date
 * (h ← (1 − s)h + s G_i after a step towards vertex i), an iteration costs O(k):
 * g = h − c + ηx, res·Ad = (h_i − c_i) − (xᵀh − xᵀc), ‖Ad‖² = G_ii − 2h_i + xᵀh.
 * The objective change of a step is computed exactly from the quadratic along d, so the
 * decrease test does not suffer cancellation.
 */
function fwGram(A: Float64Array, n: number, k: number, b: Float64Array, x: Float64Array, o: FwOptions): FwResult {
  const G = new Float64Array(k * k);
  const c = new Float64Array(k);
  let bb = 0;
  for (let r = 0; r < n; r++) {
    const off = r * k;
    const br = b[r]!;
    bb += br * br;
    for (let i = 0; i < k; i++) {
      const ai = A[off + i]!;
      if (ai === 0) continue;
      c[i] = c[i]! + ai * br;
      const gi = i * k;
      for (let j = 0; j <= i; j++) G[gi + j] = G[gi + j]! + ai * A[off + j]!;
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) G[j * k + i] = G[i * k + j]!;
  const h = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    const gi = i * k;
    for (let j = 0; j < k; j++) s += G[gi + j]! * x[j]!;
    h[i] = s;
  }
  const eta = n * o.zeta * o.zeta;
  const zeta2 = o.zeta * o.zeta;
  const thr = o.minDecrease * o.minDecrease;
  let xh = 0;
  let xc = 0;
  let xx = 0;
  for (let j = 0; j < k; j++) { xh += x[j]! * h[j]!; xc += x[j]! * c[j]!; xx += x[j]! * x[j]!; }
  let obj = zeta2 * xx + Math.max(0, xh - 2 * xc + bb) / n;
  let lastDecrease = Infinity;
  let t = 0;
  let converged = false;
  while (t < o.maxIter) {
    if (t >= 2 && !(lastDecrease > thr)) { converged = true; break; }
    t++;
    let i = 0;
    let gmin = Infinity;
    for (let j = 0; j < k; j++) {
      const gj = h[j]! - c[j]! + eta * x[j]!;
      if (gj < gmin) { gmin = gj; i = j; }
    }
    const dd = xx - 2 * x[i]! + 1;
    const rAd = h[i]! - c[i]! - (xh - xc);
    const adad = G[i * k + i]! - 2 * h[i]! + xh;
    const num = -(rAd + eta * (x[i]! - xx));
    const den = adad + eta * dd;
    let step = 0;
    if (dd > 0 && den > 0) {
      step = num / den;
      step = step < 0 ? 0 : step > 1 ? 1 : step;
    }
    if (step > 0) {
      // Objective change along d: (2s·(−num) + s²·den) / n, ζ² folded into η/n.
      const delta = (-2 * step * num + step * step * den) / n;
      const q = 1 - step;
      const gi = i * k;
      xh = 0; xc = 0; xx = 0;
      for (let j = 0; j < k; j++) {
        const xj = x[j]! * q + (j === i ? step : 0);
        x[j] = xj;
        const hj = h[j]! * q + step * G[gi + j]!;
        h[j] = hj;
        xh += xj * hj;
        xc += xj * c[j]!;
        xx += xj * xj;
      }
      obj += delta;
      lastDecrease = -delta;
    } else lastDecrease = 0;
  }
  if (!converged && t >= 2 && !(lastDecrease > thr)) converged = true;
  let gx = 0;
  let gmin = Infinity;
  for (let j = 0; j < k; j++) { const gj = h[j]! - c[j]! + eta * x[j]!; gx += gj * x[j]!; if (gj < gmin) gmin = gj; }
  return { x, iterations: t, converged, objective: zeta2 * xx + Math.max(0, xh - 2 * xc + bb) / n, gap: (2 / n) * (gx - gmin) };
}

/** Direct form (O(nk) per iteration); the Gram form's reference in the tests and for very wide problems. */
function fwDirect(Ac: Float64Array, n: number, k: number, bc: Float64Array, x: Float64Array, o: FwOptions): FwResult {
  const eta = n * o.zeta * o.zeta;
  const zeta2 = o.zeta * o.zeta;
  const Ax = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const off = r * k;
    let s = 0;
    for (let j = 0; j < k; j++) s += Ac[off + j]! * x[j]!;
    Ax[r] = s;
  }
  const res = new Float64Array(n);
  const g = new Float64Array(k);
  const thr = o.minDecrease * o.minDecrease;
  let prev = Number.NaN;
  let cur = Number.NaN;
  let t = 0;
  let converged = false;
  const objective = () => {
    let ss = 0;
    for (let r = 0; r < n; r++) { const e = Ax[r]! - bc[r]!; ss += e * e; }
    let xx = 0;
    for (let j = 0; j < k; j++) xx += x[j]! * x[j]!;
    return zeta2 * xx + ss / n;
  };
  while (t < o.maxIter) {
    if (t >= 2 && !(prev - cur > thr)) { converged = true; break; }
    t++;
    // Half-gradient g = Aᵀ(Ax − b) + ηx.
    for (let r = 0; r < n; r++) res[r] = Ax[r]! - bc[r]!;
    for (let j = 0; j < k; j++) g[j] = eta * x[j]!;
    for (let r = 0; r < n; r++) {
      const off = r * k;
      const e = res[r]!;
      if (e === 0) continue;
      for (let j = 0; j < k; j++) g[j] = g[j]! + Ac[off + j]! * e;
    }
    let i = 0;
    for (let j = 1; j < k; j++) if (g[j]! < g[i]!) i = j;
    // d = e_i − x; A d = A_i − Ax; ‖d‖² = ‖x‖² − 2x_i + 1.
    let num = 0;
    let den = 0;
    for (let r = 0; r < n; r++) {
      const de = Ac[r * k + i]! - Ax[r]!;
      num -= res[r]! * de;
      den += de * de;
    }
    let xx = 0;
    for (let j = 0; j < k; j++) xx += x[j]! * x[j]!;
    const dd = xx - 2 * x[i]! + 1;
    den += eta * dd;
    // Exact line search: the penalty's derivative along d is η x·d = η (x_i − ‖x‖²).
    num -= eta * (x[i]! - xx);
    if (dd > 0 && den > 0) {
      let step = num / den;
      step = step < 0 ? 0 : step > 1 ? 1 : step;
      if (step > 0) {
        for (let j = 0; j < k; j++) x[j] = x[j]! * (1 - step);
        x[i] = x[i]! + step;
        for (let r = 0; r < n; r++) Ax[r] = Ax[r]! + step * (Ac[r * k + i]! - Ax[r]!);
      }
    }
    prev = cur;
    cur = objective();
  }
  if (!converged && t >= 2 && !(prev - cur > thr)) converged = true;
  // Frank–Wolfe duality gap (upper bound on objective − optimum): ∇f·(x − e_i), ∇f = 2g/n.
  for (let r = 0; r < n; r++) res[r] = Ax[r]! - bc[r]!;
  for (let j = 0; j < k; j++) g[j] = eta * x[j]!;
  for (let r = 0; r < n; r++) { const off = r * k; const e = res[r]!; for (let j = 0; j < k; j++) g[j] = g[j]! + Ac[off + j]! * e; }
  let gx = 0;
  let gmin = Infinity;
  for (let j = 0; j < k; j++) { gx += g[j]! * x[j]!; if (g[j]! < gmin) gmin = g[j]!; }
  return { x, iterations: t, converged, objective: objective(), gap: (2 / n) * (gx - gmin) };
}

/**
 * Sparsification used between the two Frank–Wolfe passes: weights at or below a
 * quarter of the largest are set to zero and the rest renormalised (the reference
 * implementation's default; the paper's appendix notes the weights are sparsified
 * this way before a second solve started from them).
 */
export function sparsify(x: Float64Array): Float64Array {
  let mx = -Infinity;
  for (const v of x) if (v > mx) mx = v;
  const out = Float64Array.from(x, (v) => (v <= mx / 4 ? 0 : v));
  let s = 0;
  for (const v of out) s += v;
  if (s > 0) for (let j = 0; j < out.length; j++) out[j] = out[j]! / s;
  else out.fill(1 / out.length);
  return out;
}

/**
 * The same problem solved exactly by the project's active-set simplex QP
 * ({@link simplexQP}): H = AᵀA + nζ²I, c = Aᵀb (A, b centred when `intercept`), so
 * ½xᵀHx − cᵀx = (n/2)·objective − const. Used as a check on how far the reference
 * stopping rule leaves the weights from the optimum.
 */
export function exactRidgeSimplex(A: Float64Array, n: number, k: number, b: Float64Array, zeta: number, intercept: boolean): { x: Float64Array; converged: boolean } {
  let Ac = A;
  let bc = b;
  if (intercept) {
    Ac = Float64Array.from(A);
    bc = Float64Array.from(b);
    for (let j = 0; j < k; j++) {
      let m = 0;
      for (let r = 0; r < n; r++) m += A[r * k + j]!;
      m /= n;
      for (let r = 0; r < n; r++) Ac[r * k + j] = A[r * k + j]! - m;
    }
    let bm = 0;
    for (let r = 0; r < n; r++) bm += b[r]!;
    bm /= n;
    for (let r = 0; r < n; r++) bc[r] = b[r]! - bm;
  }
  const H = new Float64Array(k * k);
  const c = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const off = r * k;
    for (let i = 0; i < k; i++) {
      const ai = Ac[off + i]!;
      c[i] = c[i]! + ai * bc[r]!;
      for (let j = 0; j <= i; j++) H[i * k + j] = H[i * k + j]! + ai * Ac[off + j]!;
    }
  }
  const eta = n * zeta * zeta;
  for (let i = 0; i < k; i++) {
    H[i * k + i] = H[i * k + i]! + eta;
    for (let j = 0; j < i; j++) H[j * k + i] = H[i * k + j]!;
  }
  const r = simplexQP(H, k, Int32Array.from({ length: k }, (_, j) => j), c);
  return { x: r.w, converged: r.converged };
}
