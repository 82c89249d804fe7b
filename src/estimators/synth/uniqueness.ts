/**
 * How unique are synthetic-control weights? The range of a counterfactual over every
 * weighting that fits (almost) as well as the optimum.
 *
 * Loss (the fit's own objective, V held at the fitted V): f(w) = ‖b − A w‖² =
 * wᵀHw − 2qᵀw + bᵀb with H = AᵀA (J×J), q = Aᵀb. Outcome-only fits: A = the donors' centred
 * pre-period outcomes, b = the treated unit's. Predictor fits: A = V^{1/2}X₀, b = V^{1/2}X₁ on
 * the standardised predictors.
 *
 * Near-optimal set: W_ε = {w ∈ Δ : f(w) ≤ F}, F = f*(1 + tol) (f* = optimum; when f* is 0 to
 * rounding, F = 10⁻¹²·bᵀb, i.e. the optimal face). For a linear functional oᵀw (a post-period
 * counterfactual Σ_j w_j Y_jt, or the post-period mean), the range [min, max] over W_ε is a
 * convex programme with one convex quadratic constraint. By Lagrangian duality (Slater holds
 * since F > f*), its maximiser is w(s*) with
 *
 *   w(s) = argmin_{w ∈ Δ} ½f(w) − s·oᵀw   (a simplex QP: H, linear term q + s·o),
 *
 * where s* ≥ 0 is the multiplier at which f(w(s*)) = F (f(w(s)) and oᵀw(s) are nondecreasing
 * in s); if even s → ∞ (the best vertex for o) stays inside W_ε, the constraint is inactive.
 * Each w(s) is solved exactly by the project's active-set simplex QP, and s* is found by
 * doubling then 60 bisection steps, keeping the feasible end (so the reported range is inner:
 * every reported value is attained by a weighting in W_ε). The minimum is the maximum for −o.
 */
import { simplexQP } from './simplex.js';

export interface LossQuadratic {
  /** J×J row-major, H = AᵀA. */
  H: Float64Array;
  /** q = Aᵀb (length J). */
  q: Float64Array;
  /** bᵀb. */
  bb: number;
  J: number;
}

/** f(w) = wᵀHw − 2qᵀw + bᵀb (clamped at 0). */
export function lossAt(p: LossQuadratic, w: Float64Array): number {
  const { H, q, J } = p;
  let s = p.bb;
  for (let i = 0; i < J; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    let hi = 0;
    for (let j = 0; j < J; j++) hi += H[i * J + j]! * w[j]!;
    s += wi * hi - 2 * q[i]! * wi;
  }
  return Math.max(0, s);
}

/** Build the quadratic from A (k×J row-major) and b (k). */
export function lossFromFactor(A: Float64Array, k: number, J: number, b: Float64Array): LossQuadratic {
  const H = new Float64Array(J * J);
  const q = new Float64Array(J);
  let bb = 0;
  for (let r = 0; r < k; r++) {
    const off = r * J;
    bb += b[r]! * b[r]!;
    for (let i = 0; i < J; i++) {
      const ai = A[off + i]!;
      if (ai === 0) continue;
      q[i] = q[i]! + ai * b[r]!;
      for (let j = 0; j <= i; j++) H[i * J + j] = H[i * J + j]! + ai * A[off + j]!;
    }
  }
  for (let i = 0; i < J; i++) for (let j = 0; j < i; j++) H[j * J + i] = H[i * J + j]!;
  return { H, q, bb, J };
}

export interface RangeResult {
  min: number;
  max: number;
  /** Weightings attaining the ends. */
  wMin: Float64Array;
  wMax: Float64Array;
  /** Loss bound F used. */
  bound: number;
}

/** Loss bound F for a tolerance (see the module comment). */
export function lossBound(p: LossQuadratic, fStar: number, tol: number): number {
  return fStar > 1e-12 * p.bb ? fStar * (1 + tol) : 1e-12 * Math.max(p.bb, 1e-300) + fStar;
}

/**
 * Range of oᵀw over {w ∈ Δ : f(w) ≤ bound}; `wStar` (an optimum) is the starting point.
 */
export function linearRange(p: LossQuadratic, o: Float64Array, bound: number, wStar: Float64Array): RangeResult {
  const hi = maximise(p, o, bound, wStar);
  const neg = Float64Array.from(o, (v) => -v);
  const lo = maximise(p, neg, bound, wStar);
  return { min: -lo.value, max: hi.value, wMin: lo.w, wMax: hi.w, bound };
}

function maximise(p: LossQuadratic, o: Float64Array, bound: number, wStar: Float64Array): { value: number; w: Float64Array } {
  const { H, q, J } = p;
  const idx = Int32Array.from({ length: J }, (_, j) => j);
  const dot = (w: Float64Array) => { let s = 0; for (let j = 0; j < J; j++) s += o[j]! * w[j]!; return s; };
  const solve = (s: number) => simplexQP(H, J, idx, Float64Array.from(q, (v, j) => v + s * o[j]!)).w;
  // Constraint inactive? The best vertex for o (ties: the lowest loss) inside the bound.
  let best = -Infinity;
  for (let j = 0; j < J; j++) best = Math.max(best, o[j]!);
  let bestVertex: Float64Array | null = null;
  for (let j = 0; j < J; j++) {
    if (o[j]! < best - 1e-15 * Math.abs(best)) continue;
    const e = new Float64Array(J);
    e[j] = 1;
    if (lossAt(p, e) <= bound) { bestVertex = e; break; }
  }
  if (bestVertex) return { value: dot(bestVertex), w: bestVertex };
  // Scale of s: o varies by range(o); H by its diagonal.
  let hmax = 0;
  for (let j = 0; j < J; j++) hmax = Math.max(hmax, H[j * J + j]!);
  let orange = 0;
  let omin = Infinity;
  for (let j = 0; j < J; j++) { orange = Math.max(orange, o[j]!); omin = Math.min(omin, o[j]!); }
  orange -= omin;
  if (!(orange > 0)) return { value: dot(wStar), w: Float64Array.from(wStar) };
  let lo = 0;
  let wLo: Float64Array = Float64Array.from(wStar);
  let hiS = (1e-6 * Math.max(hmax, 1e-300)) / orange;
  let wHi: Float64Array = solve(hiS);
  let guard = 0;
  while (lossAt(p, wHi) <= bound && guard++ < 200) {
    lo = hiS;
    wLo = wHi;
    hiS *= 4;
    wHi = solve(hiS);
  }
  for (let it = 0; it < 60; it++) {
    const mid = 0.5 * (lo + hiS);
    const w = solve(mid);
    if (lossAt(p, w) <= bound) { lo = mid; wLo = w; } else hiS = mid;
  }
  return { value: dot(wLo), w: wLo };
}

/** Effective number of donors 1/Σw². */
export function effectiveDonors(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]!;
  return s > 0 ? 1 / s : 0;
}

// ---------------------------------------------------------------- synthetic control documents

import type { Panel } from '../../core/panel.js';
import type { Analysis } from '../../core/result.js';
import { quantileSorted } from '../../core/stats.js';
import { standardise, type UnitFit } from './fit.js';
import { predictorMatrix, type PredictorSpec } from './predictors.js';

export interface UnitUniqueness {
  target: number;
  start: number;
  /** Optimal loss f* and the bound F. */
  loss: number;
  bound: number;
  /** Counterfactual range per post period (index t − start). */
  counterfactual: { min: number; max: number }[];
  /** ATT range (mean post gap) over the near-optimal weightings. */
  att: { min: number; max: number };
  /** Weightings attaining the ATT ends (donor name → weight, nonzero only). */
  attWeights: { min: Record<string, number>; max: Record<string, number> };
  effectiveDonors: number;
}

/** The loss quadratic of a fitted unit (see the module comment). */
export function fitLoss(panel: Panel, f: UnitFit, specs: readonly PredictorSpec[] | null, gram: { G: Float64Array; n: number; pos: Map<number, number> } | null): LossQuadratic {
  const J = f.donors.length;
  if (!specs || specs.length === 0) {
    const { G, n, pos } = gram!;
    const idx = Array.from(f.donors, (d) => pos.get(d)!);
    const ti = pos.get(f.target)!;
    const H = new Float64Array(J * J);
    const q = new Float64Array(J);
    for (let a = 0; a < J; a++) {
      q[a] = G[ti * n + idx[a]!]!;
      for (let b = 0; b < J; b++) H[a * J + b] = G[idx[a]! * n + idx[b]!]!;
    }
    return { H, q, bb: G[ti * n + ti]!, J };
  }
  const k = specs.length;
  const nU = J + 1;
  const X = standardise(predictorMatrix(panel, specs, [f.target, ...f.donors]), k, nU);
  const A = new Float64Array(k * J);
  const b = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    const sv = Math.sqrt(f.v![p]!);
    b[p] = sv * X[p * nU]!;
    for (let a = 0; a < J; a++) A[p * J + a] = sv * X[p * nU + 1 + a]!;
  }
  return lossFromFactor(A, k, J, b);
}

/** Ranges of every post-period counterfactual and of the ATT for one fitted unit. */
export function unitUniqueness(panel: Panel, f: UnitFit, loss: LossQuadratic, tol: number): UnitUniqueness {
  const T = panel.periods.length;
  const J = f.donors.length;
  const fStar = lossAt(loss, f.w);
  const bound = lossBound(loss, fStar, tol);
  const counterfactual: { min: number; max: number }[] = [];
  const meanPost = new Float64Array(J);
  const nPost = T - f.start;
  let y1 = 0;
  for (let t = f.start; t < T; t++) {
    const o = Float64Array.from(f.donors, (d) => panel.y[d * T + t]!);
    o.forEach((v, a) => (meanPost[a] = meanPost[a]! + v / nPost));
    y1 += panel.y[f.target * T + t]! / nPost;
    const r = linearRange(loss, o, bound, f.w);
    counterfactual.push({ min: r.min, max: r.max });
  }
  const r = linearRange(loss, meanPost, bound, f.w);
  const named = (w: Float64Array) => {
    const out: Record<string, number> = {};
    for (let a = 0; a < J; a++) if (w[a]! > 0) out[panel.units[f.donors[a]!]!] = w[a]!;
    return out;
  };
  return { target: f.target, start: f.start, loss: fStar, bound, counterfactual, att: { min: y1 - r.max, max: y1 - r.min }, attWeights: { min: named(r.wMax), max: named(r.wMin) }, effectiveDonors: effectiveDonors(f.w) };
}

/**
 * Put the uniqueness results into a synth document: `estimate.attRange`, each post
 * `path[].counterfactualRange` (programme level: the average over contributing units of
 * their ranges — exact, since the units' weight problems are separate), the
 * `WEIGHTS_UNIQUE` and `EFFECTIVE_DONORS` diagnostics, and a `WEIGHTS_NOT_UNIQUE` warning
 * when the ATT range is at least a quarter as wide as the reference interval: the ATT's
 * confidence interval when the document has one (conformal), else the central (level)
 * range of the placebo units' mean post-period gaps, else |ATT|.
 */
export function attachUniqueness(analysis: Analysis, panel: Panel, us: UnitUniqueness[], tol: number, placeboAtts: number[] | null): void {
  const T = panel.periods.length;
  const firstStart = Math.min(...us.map((u) => u.start));
  let lo = 0;
  let hi = 0;
  let n = 0;
  for (const u of us) { const k = T - u.start; lo += k * u.att.min; hi += k * u.att.max; n += k; }
  lo /= n;
  hi /= n;
  const width = hi - lo;
  const est = analysis.estimate!;
  est.attRange = [lo, hi];
  for (let t = firstStart; t < T; t++) {
    let a = 0;
    let b = 0;
    let m = 0;
    for (const u of us) if (t >= u.start) { a += u.counterfactual[t - u.start]!.min; b += u.counterfactual[t - u.start]!.max; m++; }
    if (m > 0) analysis.path[t]!.counterfactualRange = [a / m, b / m];
  }
  const level = est.level;
  let refWidth: number;
  let refWhat: string;
  if (est.ci) { refWidth = est.ci[1] - est.ci[0]; refWhat = `the ATT's ${level * 100}% interval (width ${fmt(refWidth)})`; }
  else if (placeboAtts && placeboAtts.length >= 2) {
    const xs = Float64Array.from(placeboAtts).sort();
    refWidth = quantileSorted(xs, 1 - (1 - level) / 2) - quantileSorted(xs, (1 - level) / 2);
    refWhat = `the central ${level * 100}% range of the placebo units' mean post-period gaps (width ${fmt(refWidth)})`;
  } else { refWidth = Math.abs(est.att ?? 0); refWhat = `|ATT| (${fmt(refWidth)})`; }
  const wide = width >= 0.25 * refWidth;
  analysis.diagnostics.push({
    code: 'WEIGHTS_UNIQUE',
    passed: !wide,
    value: width,
    message: `over every donor weighting whose pre-period loss is within ${tol * 100}% of the optimum, the ATT ranges from ${fmt(lo)} to ${fmt(hi)} (width ${fmt(width)}); passes when the width is below a quarter of ${refWhat}`,
    table: us.map((u) => ({ unit: panel.units[u.target], loss: u.loss, lossBound: u.bound, attMin: u.att.min, attMax: u.att.max, weightsAtAttMin: u.attWeights.min, weightsAtAttMax: u.attWeights.max })),
  });
  analysis.diagnostics.push({ code: 'EFFECTIVE_DONORS', passed: null, value: us.reduce((s, u) => s + u.effectiveDonors, 0) / us.length, message: 'effective number of donors 1/Σw² (mean over treated units)', table: us.map((u) => ({ unit: panel.units[u.target], effectiveDonors: u.effectiveDonors })) });
  if (wide) analysis.warnings.push({ code: 'WEIGHTS_NOT_UNIQUE', message: `the synthetic control weights are not pinned down: weightings that fit the pre-period within ${tol * 100}% of the best give ATTs from ${fmt(lo)} to ${fmt(hi)}, a range at least a quarter as wide as ${refWhat}; report the range, or add predictors that separate the donors` });
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
