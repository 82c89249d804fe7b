/**
 * One synthetic control: a target unit, a donor set, a pre-period, and the
 * weights W* (and V for predictors), following Abadie, Diamond & Hainmueller
 * (2010, §2.3) and Abadie & Gardeazabal (2003).
 *
 * Shapes: the panel outcome is N×T row-major; a "problem" is a target unit i,
 * donors j₁…j_J (panel indices) and a start index s (periods t < s are the pre-period).
 */
import { lstsq } from '../../core/linalg.js';
import { EstimationError } from '../../core/errors.js';
import type { Panel } from '../../core/panel.js';
import { nelderMead } from './nelderMead.js';
import { predictorMatrix, type PredictorSpec } from './predictors.js';
import { simplexLS, simplexQP, type SimplexResult } from './simplex.js';

export type VMethod = 'nested' | 'equal' | 'regression' | 'identity';

/** Result of one synthetic-control fit. */
export interface UnitFit {
  /** Target unit index in the panel. */
  target: number;
  /** Donor panel indices, aligned with `w`. */
  donors: Int32Array;
  /** Donor weights W* (simplex). */
  w: Float64Array;
  /** Gap Y_it − Σ_j w_j Y_jt for every period t (length T). */
  gaps: Float64Array;
  /** Synthetic outcome Σ_j w_j Y_jt (length T). */
  synthetic: Float64Array;
  start: number;
  preRmspe: number;
  postRmspe: number;
  /** Post/pre RMSPE ratio (ADH 2010 §3.3 / Abadie et al. 2015). */
  ratio: number;
  /** Mean gap over the post periods. */
  att: number;
  /** Predictor weights V (diagonal) or null for outcome-only fits. */
  v: Float64Array | null;
  solver: { converged: boolean; iterations: number; kkt: SimplexResult['kkt'] };
  /** Nested-V optimiser summary (null unless V was chosen by nested optimisation). */
  vSearch: { loss: number; evaluations: number; converged: boolean; start: string } | null;
}

/** Fill gaps/synthetic and the RMSPE summary for weights w. */
export function summariseFit(panel: Panel, target: number, donors: Int32Array, w: Float64Array, start: number): Pick<UnitFit, 'gaps' | 'synthetic' | 'preRmspe' | 'postRmspe' | 'ratio' | 'att'> {
  const T = panel.periods.length;
  const y = panel.y;
  const synthetic = new Float64Array(T);
  for (let a = 0; a < donors.length; a++) {
    const wa = w[a]!;
    if (wa === 0) continue;
    const off = donors[a]! * T;
    for (let t = 0; t < T; t++) synthetic[t] = synthetic[t]! + wa * y[off + t]!;
  }
  const gaps = new Float64Array(T);
  let pre = 0;
  let post = 0;
  let sumPost = 0;
  for (let t = 0; t < T; t++) {
    const g = y[target * T + t]! - synthetic[t]!;
    gaps[t] = g;
    if (t < start) pre += g * g;
    else { post += g * g; sumPost += g; }
  }
  const nPost = T - start;
  const preRmspe = Math.sqrt(pre / start);
  const postRmspe = nPost > 0 ? Math.sqrt(post / nPost) : Number.NaN;
  return { gaps, synthetic, preRmspe, postRmspe, ratio: postRmspe / preRmspe, att: nPost > 0 ? sumPost / nPost : Number.NaN };
}

/**
 * Gram matrix of pre-period outcomes for outcome-only fits with V = I:
 * G = Ỹ Ỹᵀ (N×N) over periods t < start, where Ỹ_it = Y_it − m_t and m_t is the
 * mean over `centreUnits` (centering leaves the simplex problem unchanged because
 * Σw = 1, and makes it invariant to adding a constant and better conditioned).
 */
export function outcomeGram(panel: Panel, start: number, units: readonly number[], centreUnits: readonly number[]): { G: Float64Array; n: number; pos: Map<number, number> } {
  const T = panel.periods.length;
  const n = units.length;
  const m = new Float64Array(start);
  for (const j of centreUnits) for (let t = 0; t < start; t++) m[t] = m[t]! + panel.y[j * T + t]! / centreUnits.length;
  const Z = new Float64Array(n * start);
  units.forEach((u, a) => {
    for (let t = 0; t < start; t++) Z[a * start + t] = panel.y[u * T + t]! - m[t]!;
  });
  const G = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const za = a * start;
    for (let b = 0; b <= a; b++) {
      const zb = b * start;
      let s = 0;
      for (let t = 0; t < start; t++) s += Z[za + t]! * Z[zb + t]!;
      G[a * n + b] = s;
      G[b * n + a] = s;
    }
  }
  const pos = new Map<number, number>();
  units.forEach((u, a) => pos.set(u, a));
  return { G, n, pos };
}

export interface SolverOptions {
  maxIter?: number | undefined;
  tol?: number | undefined;
}

/** Outcome-only fit (V = I over all pre-period outcomes) from a shared Gram matrix. */
export function fitOutcomeOnly(panel: Panel, gram: { G: Float64Array; n: number; pos: Map<number, number> }, target: number, donors: readonly number[], start: number, solver: SolverOptions = {}): UnitFit {
  const idx = new Int32Array(donors.length);
  donors.forEach((d, a) => (idx[a] = gram.pos.get(d)!));
  const ti = gram.pos.get(target)!;
  const c = new Float64Array(donors.length);
  for (let a = 0; a < idx.length; a++) c[a] = gram.G[ti * gram.n + idx[a]!]!;
  const res = simplexQP(gram.G, gram.n, idx, c, solver);
  const dn = Int32Array.from(donors);
  return {
    target,
    donors: dn,
    w: res.w,
    start,
    ...summariseFit(panel, target, dn, res.w, start),
    v: null,
    solver: { converged: res.converged, iterations: res.iterations, kkt: res.kkt },
    vSearch: null,
  };
}

export interface PredictorFitOptions {
  specs: readonly PredictorSpec[];
  vMethod: Exclude<VMethod, 'identity'>;
  /** Period indices of the MSPE window for nested V (default: all pre periods). */
  optWindow: readonly number[] | null;
  solver?: SolverOptions;
  /**
   * Nested-V search, keeping the V with the lowest MSPE over its starts:
   * 'equal-start' (one Nelder–Mead search from equal V, the Synth package's practice),
   * 'equal-regression' (from equal V and from the regression-based V; default), or
   * 'multistart' (also one start emphasising each predictor and quasi-random starts).
   */
  vSearch?: 'equal-start' | 'equal-regression' | 'multistart';
  /** Number of quasi-random (Halton) starts for multistart. Default 8. */
  extraStarts?: number;
  /**
   * V given (e.g. from a training step, ADH 2015 §"training and validation"): used as is,
   * no search. Length = number of predictors, on the simplex.
   */
  fixedV?: Float64Array | null;
}

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53];
/** Radical inverse of h in base b (Halton sequence), in [0, 1). */
function halton(h: number, b: number): number {
  let f = 1;
  let r = 0;
  while (h > 0) {
    f /= b;
    r += f * (h % b);
    h = Math.floor(h / b);
  }
  return r;
}

/**
 * Standardise predictor rows by their standard deviation across the problem's
 * units (target and donors), as in ADH/Synth. X is k×n (target first).
 */
export function standardise(X: Float64Array, k: number, n: number): Float64Array {
  const out = new Float64Array(k * n);
  for (let p = 0; p < k; p++) {
    let m = 0;
    for (let j = 0; j < n; j++) m += X[p * n + j]! / n;
    let ss = 0;
    for (let j = 0; j < n; j++) ss += (X[p * n + j]! - m) ** 2;
    const sd = Math.sqrt(ss / (n - 1));
    const s = sd > 0 ? sd : 1;
    for (let j = 0; j < n; j++) out[p * n + j] = (X[p * n + j]! - m) / s;
  }
  return out;
}

/**
 * Fit with predictors: W*(V) = argmin (X₁ − X₀W)ᵀV(X₁ − X₀W) on standardised predictors;
 * V diagonal on the simplex, either equal, regression-based (V_p ∝ Σ_t β_pt², β from
 * regressing window outcomes on [1, X] across units, as Abadie et al. 2011 describe) or
 * nested: V minimising the outcome MSPE over `optWindow` (ADH 2010 §2.3), searched by
 * Nelder–Mead on a softmax parametrisation from the equal and regression starts,
 * each restarted from its end point until it stops improving.
 */
export function fitWithPredictors(panel: Panel, target: number, donors: readonly number[], start: number, o: PredictorFitOptions): UnitFit {
  const k = o.specs.length;
  const n = donors.length + 1;
  const X = standardise(predictorMatrix(panel, o.specs, [target, ...donors]), k, n);
  const dn = Int32Array.from(donors);
  const solve = weightSolver(X, k, donors.length, o.solver);
  const window = o.optWindow ?? Array.from({ length: start }, (_, t) => t);
  const { v, vSearch } = chooseV(panel, X, target, donors, window, solve, o);
  const res = solve(v);
  return {
    target,
    donors: dn,
    w: res.w,
    start,
    ...summariseFit(panel, target, dn, res.w, start),
    v,
    solver: { converged: res.converged, iterations: res.iterations, kkt: res.kkt },
    vSearch,
  };
}

type WeightSolver = (v: Float64Array, warm?: boolean) => ReturnType<typeof simplexLS>;

/** W*(V) = argmin_{W ∈ simplex} ‖b − AW‖² in factor form A = V^{1/2} X₀ (k×J), b = V^{1/2} X₁ (X: k × (1 + J), target first). */
function weightSolver(X: Float64Array, k: number, J: number, solver: PredictorFitOptions['solver']): WeightSolver {
  const n = J + 1;
  const A = new Float64Array(k * J);
  const bvec = new Float64Array(k);
  let lastW: Float64Array | null = null;
  return (v, warm = false) => {
    for (let p = 0; p < k; p++) {
      const sv = Math.sqrt(v[p]!);
      const row = p * n;
      bvec[p] = sv * X[row]!;
      for (let a = 0; a < J; a++) A[p * J + a] = sv * X[row + 1 + a]!;
    }
    const r = simplexLS(A, k, J, bvec, { ...solver, warm: warm ? lastW : null });
    if (warm) lastW = r.w;
    return r;
  };
}

/** V: fixed, equal, regression-based, or nested (outcome MSPE over the window minimised over V). */
function chooseV(panel: Panel, X: Float64Array, target: number, donors: readonly number[], window: readonly number[], solve: WeightSolver, o: PredictorFitOptions): { v: Float64Array; vSearch: UnitFit['vSearch'] } {
  const k = o.specs.length;
  const equalV = new Float64Array(k).fill(1 / k);
  if (o.fixedV) return { v: o.fixedV, vSearch: null };
  if (o.vMethod === 'equal' || k === 1) return { v: equalV, vSearch: null };
  const regV = regressionV(panel, X, k, donors.length + 1, [target, ...donors], window);
  if (o.vMethod === 'regression') return { v: regV ?? equalV, vSearch: null };
  return nestedV(windowLoss(panel, target, Int32Array.from(donors), window), solve, k, equalV, regV, o);
}

/** Outcome MSPE of weights w over the window: (1/|window|) Σ_t (Y_1t − Σ_j w_j Y_jt)². */
function windowLoss(panel: Panel, target: number, dn: Int32Array, window: readonly number[]): (w: Float64Array) => number {
  const T = panel.periods.length;
  const J = dn.length;
  return (w) => {
    let s = 0;
    for (const t of window) {
      let syn = 0;
      for (let a = 0; a < J; a++) if (w[a]! !== 0) syn += w[a]! * panel.y[dn[a]! * T + t]!;
      s += (panel.y[target * T + t]! - syn) ** 2;
    }
    return s / window.length;
  };
}

/**
 * Nested V (ADH 2010 §2.3): V = |θ| / Σ|θ| minimising loss(W*(V)), by Nelder–Mead from the equal
 * start, the regression start and (multistart) emphasis and Halton starts; the best end point wins.
 */
function nestedV(loss: (w: Float64Array) => number, solve: WeightSolver, k: number, equalV: Float64Array, regV: Float64Array | null, o: PredictorFitOptions): { v: Float64Array; vSearch: UnitFit['vSearch'] } {
  // V = |θ| / Σ|θ| (a point of the simplex for any θ ≠ 0), searched by Nelder–Mead.
  const toV = (th: Float64Array) => {
    let sum = 0;
    for (const x of th) sum += Math.abs(x);
    return Float64Array.from(th, (x) => (sum > 0 ? Math.abs(x) / sum : 1 / k));
  };
  const objective = (th: Float64Array) => loss(solve(toV(th)).w);
  const starts: { name: string; theta: Float64Array }[] = [{ name: 'equal', theta: Float64Array.from(equalV) }];
  if (o.vSearch !== 'equal-start' && regV) starts.push({ name: 'regression', theta: Float64Array.from(regV) });
  if (o.vSearch === 'multistart') {
    for (let p = 0; p < k; p++) starts.push({ name: `emphasis-${p + 1}`, theta: Float64Array.from({ length: k }, (_, q) => (q === p ? 0.7 : 0.3 / (k - 1))) });
    for (let h = 1; h <= (o.extraStarts ?? 8); h++) starts.push({ name: `halton-${h}`, theta: Float64Array.from({ length: k }, (_, p) => 0.05 + halton(h, PRIMES[p % PRIMES.length]!)) });
  }
  let best: { theta: Float64Array; f: number; start: string; converged: boolean } | null = null;
  let evals = 0;
  for (const st of starts) {
    let mx = 0;
    for (const x of st.theta) mx = Math.max(mx, Math.abs(x));
    // Initial simplex step 10% of the largest start coordinate (as R's optim does).
    const r = nelderMead(objective, st.theta, { step: 0.1 * mx, maxEval: 1000 * k, ftol: 1e-8, xtol: 1e-8 });
    evals += r.evaluations;
    if (!best || r.f < best.f) best = { theta: r.x, f: r.f, start: st.name, converged: r.converged };
  }
  return { v: toV(best!.theta), vSearch: { loss: best!.f, evaluations: evals, converged: best!.converged, start: best!.start } };
}

/**
 * Regression-based V: regress each window outcome on [1, standardised predictors]
 * across the problem's units; V_p ∝ Σ_t β_pt², normalised to sum 1.
 * Returns null when there are too few units (n ≤ k + 1).
 */
function regressionV(panel: Panel, X: Float64Array, k: number, n: number, units: readonly number[], window: readonly number[]): Float64Array | null {
  if (n <= k + 1) return null;
  const T = panel.periods.length;
  const D = new Float64Array(n * (k + 1));
  for (let j = 0; j < n; j++) {
    D[j * (k + 1)] = 1;
    for (let p = 0; p < k; p++) D[j * (k + 1) + 1 + p] = X[p * n + j]!;
  }
  const v = new Float64Array(k);
  try {
    for (const t of window) {
      const yv = Float64Array.from(units, (u) => panel.y[u * T + t]!);
      const r = lstsq(D, n, k + 1, yv);
      for (let p = 0; p < k; p++) v[p] = v[p]! + r.beta[p + 1]! ** 2;
    }
  } catch (e) {
    if (e instanceof EstimationError) return null;
    throw e;
  }
  let s = 0;
  for (const x of v) s += x;
  if (!(s > 0)) return null;
  return v.map((x) => x / s);
}
