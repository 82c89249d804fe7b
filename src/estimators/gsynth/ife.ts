/**
 * Interactive fixed-effects model on the control units (Xu 2017, §3; Bai 2009):
 *
 *   Y_it = X_itᵀβ + μ + α_i + ξ_t + λ_iᵀ f_t + ε_it,   i ∈ controls, t = 1..T,
 *
 * fitted by least squares. Given β the additive effects and the r factors are
 * exact: the (weighted) two-way centred residual matrix Z = M_N (Y − Xβ) M_T has
 * its best rank-r approximation from the top-r eigenvectors V of the T×T Gram
 * matrix ZᵀZ (F = √T·V, so FᵀF/T = I_r; Λ = Z F / T). Given the factors, β is the
 * least-squares fit of the centred Y − ΛFᵀ on the centred X. The two steps
 * alternate (Bai 2009's iterative principal components) until the fitted values
 * change by less than `tol` (relative). Missing control outcome cells are filled
 * with their current fitted value each step (EM, as in Gobillon & Magnac 2016 and
 * Liu, Wang & Xu 2022), so the panel need not be balanced.
 *
 * Row weights c_i (non-negative integers) stand for repeated units, so the
 * nonparametric bootstrap and the jackknife re-fit without copying the data.
 *
 * Treated units: loadings (and α_i) by least squares on their own
 * pre-treatment periods, counterfactual Ŷ_it(0) = X_itᵀβ̂ + μ̂ + ξ̂_t + α̂_i + λ̂_iᵀ f̂_t.
 */
import { EstimationError } from '../../core/errors.js';
import { applyQt, qrFactor, solveR, xtxInverse, type QRFactor } from '../../core/linalg.js';
import { topEigen, topEigenWarm } from './eigen.js';

export type Force = 'none' | 'unit' | 'time' | 'two-way';
export const FORCES: readonly Force[] = ['none', 'unit', 'time', 'two-way'];

/** Outcomes and covariates of a block of units: n×T row-major, NaN = missing outcome. */
export interface UnitBlock {
  n: number;
  T: number;
  y: Float64Array;
  /** One n×T array per covariate (p of them). */
  x: Float64Array[];
  /** Unit names (for messages). */
  names: readonly string[];
}

export interface FitSettings {
  force: Force;
  tol: number;
  maxIter: number;
  covariateNames: readonly string[];
}

export interface ControlFit {
  r: number;
  mu: number;
  /** α_i per control row (0 where the unit effect is not in the model). */
  alpha: Float64Array;
  /** ξ_t (T). */
  xi: Float64Array;
  beta: Float64Array;
  /** F̂: T×r row-major, FᵀF/T = I. */
  F: Float64Array;
  /** Λ̂: n×r row-major (computed only with fitted values; zeros otherwise — the bootstrap never needs it). */
  lambda: Float64Array;
  /** Eigenvalues of the Gram matrix (decreasing), length T. */
  eigenvalues: Float64Array;
  converged: boolean;
  iterations: number;
  /** Fitted values X β + μ + α + ξ + Λ Fᵀ (n×T), when requested. */
  fitted: Float64Array | null;
  /** Number of missing outcome cells imputed (EM). */
  imputed: number;
}

const hasUnitFE = (f: Force) => f === 'unit' || f === 'two-way';
const centreTime = (f: Force) => f === 'time' || f === 'two-way';

/**
 * Fit the IFE model on a block of control units (Bai 2009's iterative principal components,
 * with EM for missing cells): used rows → filled outcome Yf → (fast path) → QR of the centred
 * covariates and a starting β → alternate (additive effects, factors, β, EM refill) until the
 * fitted values settle → final pieces μ̂, α̂_i (n), ξ̂_t (T), F̂ (T×r), Λ̂ (n×r) at the final β.
 * @param r - number of factors.
 * @param weights - row weights c_i (null = all 1); rows with weight 0 are ignored.
 * @param start - warm start: β and/or filled outcome matrix from an earlier fit.
 * @param wantFitted - also return the fitted matrix (costs O(nT) memory).
 */
export function fitControls(
  data: UnitBlock,
  r: number,
  s: FitSettings,
  weights: Float64Array | null = null,
  start: { beta?: Float64Array; fill?: Float64Array; fixed?: boolean; V?: Float64Array } = {},
  wantFitted = false,
): ControlFit {
  const { n, T, y, x } = data;
  const p = x.length;
  const { w, rows, C } = usedRows(n, weights);
  const { allMissing, missing, Yf } = filledOutcomes(y, T, w, rows, start.fill);
  const iterative = !start.fixed && (p > 0 || missing.length > 0);
  if (!iterative && !wantFitted && p === 0 && missing.length === 0) {
    // The fast path reads every row of y (its cached layouts and period means span all n rows),
    // so missing cells in rows left out of this fit (weight 0: a unit not drawn by the bootstrap,
    // the jackknife's left-out unit, the parametric bootstrap's pseudo-treated units) must not
    // reach it as NaN, which made every such replicate fail or come out NaN. They are given
    // finite stand-ins that cannot change the result (their rows have weight 0).
    const yFast = allMissing.length > 0 ? finiteStandIn(y, n, T) : y;
    return fitFast(yFast === y ? data : { ...data, y: yFast }, r, s.force, w, rows, C, start.V && start.V.length === T * r ? start.V : null);
  }
  const sq = new Float64Array(n);
  for (const i of rows) sq[i] = Math.sqrt(w[i]!);
  // Centred covariates and their QR (fixed through the iterations).
  const qr = p > 0 && !start.fixed ? covariateQR(x, n, T, rows, w, sq, C, s) : null;
  let beta: Float64Array = start.beta && start.beta.length === p ? Float64Array.from(start.beta) : new Float64Array(p);
  if (p > 0 && !start.beta) beta = olsBeta(qr!, centre(Yf, n, T, rows, w, C, s.force), null, rows, sq, T, p);
  const st = alternate({ n, T, p, r, Yf, x, rows, w, sq, C, missing, qr, s, iterative, wantFitted, startV: start.V }, beta);
  if (iterative) {
    // Recompute the additive and factor parts at the final β so all pieces agree.
    const res = fitControls({ ...data, y: Yf }, r, s, weights, { beta: st.beta, fixed: true, ...(r > 0 ? { V: st.eig.vectors } : {}) }, wantFitted);
    return { ...res, converged: st.converged, iterations: st.iterations, imputed: missing.length };
  }
  return finalPieces(data, r, s, rows, st, wantFitted);
}

/** Row weights c_i (all 1 when null), the rows with c_i > 0 and C = Σ c_i. */
function usedRows(n: number, weights: Float64Array | null): { w: Float64Array; rows: number[]; C: number } {
  const w = weights ?? new Float64Array(n).fill(1);
  let C = 0;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (w[i]! > 0) {
    C += w[i]!;
    rows.push(i);
  }
  if (rows.length === 0) throw new EstimationError('NO_CONTROL_UNITS', 'no control unit left to fit the factor model');
  return { w, rows, C };
}

/**
 * The outcome Y (n×T) with its missing cells among the used rows filled for EM: from the warm
 * start's fill, else each period's weighted mean of the observed cells. Yf is y itself when no
 * used cell is missing (never written then).
 */
function filledOutcomes(y: Float64Array, T: number, w: Float64Array, rows: readonly number[], fill: Float64Array | undefined): { allMissing: Int32Array; missing: number[]; Yf: Float64Array } {
  // Missing cells (among used rows).
  const allMissing = missingCells(y);
  const missing: number[] = [];
  for (const k of allMissing) if (w[Math.floor(k / T)]! > 0) missing.push(k);
  const Yf = missing.length > 0 ? Float64Array.from(y) : y;
  if (missing.length > 0) {
    if (fill) for (const k of missing) Yf[k] = fill[k]!;
    else {
      // Initial fill: column mean of observed cells.
      const cm = new Float64Array(T);
      const cn = new Float64Array(T);
      for (const i of rows) for (let t = 0; t < T; t++) {
        const v = y[i * T + t]!;
        if (!Number.isNaN(v)) {
          cm[t] = cm[t]! + w[i]! * v;
          cn[t] = cn[t]! + w[i]!;
        }
      }
      for (const k of missing) {
        const t = k % T;
        if (!(cn[t]! > 0)) throw new EstimationError('NO_CONTROL_DATA', `no control unit has an observed outcome in period index ${t}; drop the period (--exclude-periods) or add data`, { period: t });
        Yf[k] = cm[t]! / cn[t]!;
      }
    }
  }
  return { allMissing, missing, Yf };
}

/** QR of the weighted, centred covariates √c_i·M X (nObs×p, nObs = used rows × T); collinear covariates are an error. */
function covariateQR(x: readonly Float64Array[], n: number, T: number, rows: readonly number[], w: Float64Array, sq: Float64Array, C: number, s: FitSettings): QRFactor {
  const p = x.length;
  const nObs = rows.length * T;
  const Xd = new Float64Array(nObs * p);
  for (let k = 0; k < p; k++) {
    const dk = centre(x[k]!, n, T, rows, w, C, s.force);
    let o = 0;
    for (const i of rows) for (let t = 0; t < T; t++) Xd[(o++) * p + k] = sq[i]! * dk[i * T + t]!;
  }
  const qr = qrFactor(Xd, nObs, p);
  if (qr.dependent.length > 0) {
    const name = s.covariateNames[qr.dependent[0]!] ?? `covariate ${qr.dependent[0]! + 1}`;
    throw new EstimationError('RANK_DEFICIENT', `covariate '${name}' does not vary within the control units once unit and period effects are removed (or is collinear with another covariate), so β cannot be estimated; drop it from --covariates`, { covariate: name });
  }
  return qr;
}

/** Inputs of the alternating fit: Yf (n×T, its EM cells overwritten in place), X (p × n×T), the used rows and weights. */
interface AltInput {
  n: number;
  T: number;
  p: number;
  r: number;
  Yf: Float64Array;
  x: Float64Array[];
  rows: number[];
  w: Float64Array;
  sq: Float64Array;
  C: number;
  missing: number[];
  qr: QRFactor | null;
  s: FitSettings;
  iterative: boolean;
  wantFitted: boolean;
  startV: Float64Array | undefined;
}

/**
 * State after the last step: β (p), Z = M(Y − Xβ) in W (n×T), the unit means a_i (n), the
 * period means v_t (T), μ = g and the top-r eigenpairs of G = Σ c_i z_i z_iᵀ (V: T×r).
 */
interface AltState {
  beta: Float64Array;
  W: Float64Array;
  a: Float64Array;
  v: Float64Array;
  mu: number;
  eig: { values: Float64Array; vectors: Float64Array; k: number };
  converged: boolean;
  iterations: number;
}

/**
 * Bai (2009) iterative principal components with EM: given β, the additive effects and the
 * factors V (top-r eigenvectors of the Gram matrix of Z) are exact; given them, β is OLS of
 * the centred Y − L on the centred X (L_i = z_i V Vᵀ); missing cells take their fitted value.
 * Stops when ‖fit − fit_prev‖ ≤ tol·‖fit_prev‖ or after maxIter steps (one step if not iterative).
 */
function alternate(q: AltInput, beta0: Float64Array): AltState {
  const { n, T, p, r, Yf, x, rows, w, sq, C, missing, qr, s, iterative, wantFitted } = q;
  let beta = beta0;
  const W = new Float64Array(n * T);
  const a = new Float64Array(n);
  const v = new Float64Array(T);
  const G = new Float64Array(T * T);
  let fitPrev: Float64Array | null = null;
  let DY: Float64Array | null = null;
  let fit: Float64Array | null = null;
  let L: Float64Array | null = null;
  let mu = 0;
  let eig: { values: Float64Array; vectors: Float64Array; k: number } = { values: new Float64Array(T), vectors: new Float64Array(0), k: 0 };
  let converged = !iterative;
  let iterations = 0;
  const maxIter = iterative ? s.maxIter : 1;
  for (let iter = 1; iter <= maxIter; iter++) {
    iterations = iter;
    const g = centredResiduals(q, beta, W, a, v);
    mu = g;
    // Now W rows are Z_i. G = Σ c_i z_i z_iᵀ.
    if (r > 0) {
      gram(W, rows, w, T, G);
      // Warm start: the previous iteration's factors (or the caller's), else an exact decomposition.
      const warmV = iter > 1 ? eig.vectors : q.startV && q.startV.length === T * r ? q.startV : null;
      eig = warmV ? topEigenWarm(G, T, r, warmV) : topEigen(G, T, r);
    }
    if (!iterative && !wantFitted) break;
    // Low-rank part L_i = z_i V Vᵀ.
    L = lowRank(W, eig.vectors, rows, T, r, L);
    // β step.
    if (iterative && p > 0) {
      // The centred outcome only changes when EM refills missing cells.
      if (DY === null || missing.length > 0) DY = centre(Yf, n, T, rows, w, C, s.force);
      beta = olsBeta(qr!, DY, L, rows, sq, T, p);
    }
    // Fitted values with the current pieces (additive effects of this step, new β).
    fit = fitted(fit, Yf, W, L, x, beta, rows, T, p, s.force, a, g, v);
    for (const k of missing) Yf[k] = fit[k]!;
    if (!iterative) break;
    if (fitPrev && settled(fit, fitPrev, rows, T, s.tol)) {
      converged = true;
      break;
    }
    fitPrev = fitPrev ?? new Float64Array(n * T);
    fitPrev.set(fit);
  }
  return { beta, W, a, v, mu, eig, converged, iterations };
}

/**
 * One additive step at the current β: W = Yf − Xβ on the used rows, unit means a_i, their
 * weighted mean g (returned, = μ), then W ← W − a_i (unit FE) or W − g, period means v_t of
 * that, and W ← W − v_t when time effects are in the model; W's rows are then z_i.
 */
function centredResiduals(q: AltInput, beta: Float64Array, W: Float64Array, a: Float64Array, v: Float64Array): number {
  const { T, p, Yf, x, rows, w, C, s } = q;
  // W = Yf − Xβ on used rows.
  for (const i of rows) {
    const o = i * T;
    for (let t = 0; t < T; t++) {
      let val = Yf[o + t]!;
      for (let k = 0; k < p; k++) val -= beta[k]! * x[k]![o + t]!;
      W[o + t] = val;
    }
  }
  // Additive effects and the Gram matrix of the centred residuals.
  let g = 0;
  for (const i of rows) {
    let m = 0;
    const o = i * T;
    for (let t = 0; t < T; t++) m += W[o + t]!;
    a[i] = m / T;
    g += w[i]! * a[i]!;
  }
  g /= C;
  const unitFE = hasUnitFE(s.force);
  // b_i = w_i − a_i (unit FE) or w_i − g, stored back into W.
  v.fill(0);
  for (const i of rows) {
    const o = i * T;
    const c = unitFE ? a[i]! : g;
    const wi = w[i]!;
    for (let t = 0; t < T; t++) {
      const b = W[o + t]! - c;
      W[o + t] = b;
      v[t] = v[t]! + wi * b;
    }
  }
  for (let t = 0; t < T; t++) v[t] = v[t]! / C;
  if (centreTime(s.force)) {
    for (const i of rows) {
      const o = i * T;
      for (let t = 0; t < T; t++) W[o + t] = W[o + t]! - v[t]!;
    }
  }
  return g;
}

/** Convergence: ‖fit − fitPrev‖ ≤ tol · ‖fitPrev‖ over the used rows (Frobenius norms). */
function settled(fit: Float64Array, fitPrev: Float64Array, rows: readonly number[], T: number, tol: number): boolean {
  let num = 0;
  let den = 0;
  for (const i of rows) for (let t = 0; t < T; t++) {
    const k = i * T + t;
    num += (fit[k]! - fitPrev[k]!) ** 2;
    den += fitPrev[k]! ** 2;
  }
  return Math.sqrt(num) <= tol * Math.max(Math.sqrt(den), 1e-300);
}

/**
 * The model's pieces from the last (exact, non-iterative) step: μ̂, α̂_i = a_i − μ̂ (n), ξ̂_t = v_t
 * (T), F̂ = √T·V (T×r, F̂ᵀF̂/T = I), Λ̂ = Z V / √T (n×r) and, if wanted, the fitted values (n×T).
 */
function finalPieces(data: UnitBlock, r: number, s: FitSettings, rows: readonly number[], st: AltState, wantFitted: boolean): ControlFit {
  const { n, T, x } = data;
  const p = x.length;
  const { beta, W, a, v, eig } = st;
  let mu = st.mu;
  const unitFE = hasUnitFE(s.force);
  const alpha = new Float64Array(n);
  const xi = new Float64Array(T);
  if (unitFE) for (const i of rows) alpha[i] = a[i]! - mu;
  if (centreTime(s.force)) xi.set(v);
  if (s.force === 'unit') {
    // α_i already contains μ.
    for (const i of rows) alpha[i] = a[i]!;
    mu = 0;
  }
  const sqrtT = Math.sqrt(T);
  const F = new Float64Array(T * r);
  for (let t = 0; t < T; t++) for (let k = 0; k < r; k++) F[t * r + k] = sqrtT * eig.vectors[t * r + k]!;
  const lambda = new Float64Array(n * r);
  if (r > 0 && wantFitted) for (const i of rows) for (let k = 0; k < r; k++) {
    let sacc = 0;
    for (let t = 0; t < T; t++) sacc += W[i * T + t]! * eig.vectors[t * r + k]!;
    lambda[i * r + k] = sacc / sqrtT;
  }
  let fit: Float64Array | null = null;
  if (wantFitted) {
    fit = new Float64Array(n * T).fill(Number.NaN);
    for (const i of rows) for (let t = 0; t < T; t++) {
      let val = mu + alpha[i]! + xi[t]!;
      for (let k = 0; k < r; k++) val += lambda[i * r + k]! * F[t * r + k]!;
      for (let k = 0; k < p; k++) val += beta[k]! * x[k]![i * T + t]!;
      fit[i * T + t] = val;
    }
  }
  return { r, mu, alpha, xi, beta, F, lambda, eigenvalues: eig.values, converged: true, iterations: 1, fitted: wantFitted ? fit : null, imputed: 0 };
}

let scratch = new Float64Array(0);
let gramScratch = new Float64Array(0);

/** Indices of the NaN cells of an outcome matrix, computed once per array (the bootstrap refits the same one). */
const missingCache = new WeakMap<Float64Array, Int32Array>();
function missingCells(y: Float64Array): Int32Array {
  let m = missingCache.get(y);
  if (!m) {
    const out: number[] = [];
    for (let k = 0; k < y.length; k++) if (Number.isNaN(y[k]!)) out.push(k);
    m = Int32Array.from(out);
    missingCache.set(y, m);
  }
  return m;
}

/**
 * Per outcome matrix with missing cells: a copy with each missing cell replaced by its period's
 * mean over the observed cells (0 when none), computed once per array. Only ever read for rows
 * that have weight 0 in the fit (see {@link fitControls}); the values keep the fast path's
 * unweighted period centring close to the data's scale.
 */
const standInCache = new WeakMap<Float64Array, Float64Array>();
function finiteStandIn(y: Float64Array, n: number, T: number): Float64Array {
  let c = standInCache.get(y);
  if (!c) {
    const cm = new Float64Array(T);
    const cn = new Float64Array(T);
    for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) {
      const v = y[i * T + t]!;
      if (!Number.isNaN(v)) {
        cm[t] = cm[t]! + v;
        cn[t] = cn[t]! + 1;
      }
    }
    c = Float64Array.from(y);
    for (let k = 0; k < c.length; k++) if (Number.isNaN(c[k]!)) {
      const t = k % T;
      c[k] = cn[t]! > 0 ? cm[t]! / cn[t]! : 0;
    }
    standInCache.set(y, c);
  }
  return c;
}

/**
 * The same fit without covariates or missing cells and without fitted values
 * (the bootstrap's case): one pass builds the centred residuals directly in the
 * column-major scratch used by the Gram product; no n×T row-major temporaries.
 */
/** Per outcome matrix (by identity): its column-major copy (T × n) and row means, reused by every replication. */
const layoutCache = new WeakMap<Float64Array, { yT: Float64Array; rowMean: Float64Array }>();
function columnLayout(y: Float64Array, n: number, T: number): { yT: Float64Array; rowMean: Float64Array } {
  let c = layoutCache.get(y);
  if (!c) {
    const yT = new Float64Array(n * T);
    const rowMean = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let t = 0; t < T; t++) {
        const val = y[i * T + t]!;
        yT[t * n + i] = val;
        sum += val;
      }
      rowMean[i] = sum / T;
    }
    c = { yT, rowMean };
    layoutCache.set(y, c);
  }
  return c;
}

/** Per outcome matrix: u = y − ȳ_i· − (ȳ·_t − ȳ) in column layout (T × n) and the unweighted period means of y − ȳ_i·. */
const twoWayCache = new WeakMap<Float64Array, { uT: Float64Array; vFull: Float64Array }>();
function twoWayLayout(y: Float64Array, n: number, T: number): { uT: Float64Array; vFull: Float64Array } {
  let c = twoWayCache.get(y);
  if (!c) {
    const { yT, rowMean } = columnLayout(y, n, T);
    const uT = new Float64Array(n * T);
    const vFull = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const col = t * n;
      let acc = 0;
      for (let i = 0; i < n; i++) {
        const u = yT[col + i]! - rowMean[i]!;
        uT[col + i] = u;
        acc += u;
      }
      const vt = acc / n;
      vFull[t] = vt;
      for (let i = 0; i < n; i++) uT[col + i] = uT[col + i]! - vt;
    }
    c = { uT, vFull };
    twoWayCache.set(y, c);
  }
  return c;
}

function fitFast(data: UnitBlock, r: number, force: Force, w: Float64Array, rows: readonly number[], C: number, warmV: Float64Array | null): ControlFit {
  const { n, T, y } = data;
  const twoWay = hasUnitFE(force) && centreTime(force);
  const { zt, v, g, a } = centredRows(data, force, w, rows, C);
  const eig = fastFactors(zt, v, rows.length, T, r, C, twoWay, warmV);
  if (twoWay) {
    const { vFull } = twoWayLayout(y, n, T);
    for (let t = 0; t < T; t++) v[t] = vFull[t]! + v[t]!;
  }
  return fastEffects(data, r, force, rows, g, a, v, eig);
}

/**
 * The used rows' centred, √c_i-weighted outcomes z (T × m, period-major, in the shared scratch),
 * the weighted period means v (T), the weighted grand mean g of the unit means a (n).
 * Two-way: z_i = √c_i (u_i − v′) from the cached unit- and period-centred u, v′ = Σ c_i u_i / C.
 */
function centredRows(data: UnitBlock, force: Force, w: Float64Array, rows: readonly number[], C: number): { zt: Float64Array; v: Float64Array; g: number; a: Float64Array } {
  const { n, T, y } = data;
  const m = rows.length;
  if (scratch.length < 2 * m * T) scratch = new Float64Array(2 * m * T);
  const zt = scratch;
  const unitFE = hasUnitFE(force);
  const { yT, rowMean: a } = columnLayout(y, n, T);
  let g = 0;
  for (let k = 0; k < m; k++) {
    const i = rows[k]!;
    g += w[i]! * a[i]!;
  }
  g /= C;
  // Gather the used rows period by period (contiguous writes), centre, weight by √c_i:
  // G = Σ (√c_i z_i)(√c_i z_i)ᵀ from one copy.
  if (fastWork.sc.length < m) fastWork = { sc: new Float64Array(m), wk: new Float64Array(m), ck: new Float64Array(m), ri: new Int32Array(m) };
  const { sc, wk, ck, ri } = fastWork;
  for (let k = 0; k < m; k++) {
    const i = rows[k]!;
    ri[k] = i;
    wk[k] = w[i]!;
    sc[k] = Math.sqrt(w[i]!);
    ck[k] = unitFE ? a[i]! : g;
  }
  const time = centreTime(force);
  const v = new Float64Array(T);
  if (unitFE && time) {
    // One pass: with u = the unit- and (unweighted) period-centred outcome (cached), the weighted
    // two-way residual is z_i = u_i − v′ with v′ = Σ c_i u_i / C, and Σ c_i z_i z_iᵀ =
    // Σ c_i u_i u_iᵀ − C v′v′ᵀ. v′ is only the resampling fluctuation of the period means, so the
    // subtraction loses no precision (unlike the same identity on uncentred data).
    const { uT } = twoWayLayout(y, n, T);
    for (let t = 0; t < T; t++) {
      const base = t * m;
      const col = t * n;
      let acc = 0;
      for (let k = 0; k < m; k++) {
        const z = sc[k]! * uT[col + ri[k]!]!;
        zt[base + k] = z;
        acc += sc[k]! * z;
      }
      v[t] = acc / C;
    }
  } else {
    for (let t = 0; t < T; t++) {
      const base = t * m;
      const col = t * n;
      let acc = 0;
      for (let k = 0; k < m; k++) {
        const b = yT[col + ri[k]!]! - ck[k]!;
        zt[base + k] = b;
        acc += wk[k]! * b;
      }
      const vt = acc / C;
      v[t] = vt;
      const sub = time ? vt : 0;
      for (let k = 0; k < m; k++) zt[base + k] = sc[k]! * (zt[base + k]! - sub);
    }
  }
  return { zt, v, g, a };
}

/** The top r eigenpairs of G = Σ_i z_i z_iᵀ (T × T; two-way: − C v′v′ᵀ), warm-started from V when given. */
function fastFactors(zt: Float64Array, v: Float64Array, m: number, T: number, r: number, C: number, twoWay: boolean, warmV: Float64Array | null): { values: Float64Array; vectors: Float64Array } {
  if (gramScratch.length !== T * T) gramScratch = new Float64Array(T * T);
  const G = gramScratch;
  if (r === 0) return { values: new Float64Array(T), vectors: new Float64Array(0) };
  gramDots(zt, 0, m, T, G);
  if (twoWay) for (let s1 = 0; s1 < T; s1++) for (let t = 0; t < T; t++) G[s1 * T + t] = G[s1 * T + t]! - C * v[s1]! * v[t]!;
  return warmV ? topEigenWarm(G, T, r, warmV) : topEigen(G, T, r);
}

/** μ̂, α̂_i, ξ̂_t by the force, F̂ = √T × the eigenvectors (T × r); Λ̂ is not computed here. */
function fastEffects(data: UnitBlock, r: number, force: Force, rows: readonly number[], g: number, a: Float64Array, v: Float64Array, eig: { values: Float64Array; vectors: Float64Array }): ControlFit {
  const { n, T } = data;
  const alpha = new Float64Array(n);
  const xi = new Float64Array(T);
  let mu = g;
  if (hasUnitFE(force)) for (const i of rows) alpha[i] = a[i]! - g;
  if (centreTime(force)) xi.set(v);
  if (force === 'unit') {
    for (const i of rows) alpha[i] = a[i]!;
    mu = 0;
  }
  const sqrtT = Math.sqrt(T);
  const F = new Float64Array(T * r);
  for (let k = 0; k < T * r; k++) F[k] = sqrtT * eig.vectors[k]!;
  return { r, mu, alpha, xi, beta: NO_BETA, F, lambda: zeroLoadings(n * r), eigenvalues: eig.values, converged: true, iterations: 1, fitted: null, imputed: 0 };
}

/** Per-row work arrays of {@link fitFast}, reused across replications (fewer off-heap allocations to collect). */
let fastWork = { sc: new Float64Array(0), wk: new Float64Array(0), ck: new Float64Array(0), ri: new Int32Array(0) };
const NO_BETA = new Float64Array(0);
/** The all-zero Λ̂ a fast fit reports (it never computes loadings); shared, never written. */
let zeroLambda = new Float64Array(0);
function zeroLoadings(len: number): Float64Array {
  if (zeroLambda.length !== len) zeroLambda = new Float64Array(len);
  return zeroLambda;
}

/** Store an entry on or above the diagonal of G and its mirror image (entries below are clamped duplicates: skipped). */
function putSym(G: Float64Array, T: number, a: number, b: number, v: number): void {
  if (b >= a) {
    G[a * T + b] = v;
    G[b * T + a] = v;
  }
}

/** G[s][t] = Σ_k zt[off + s·m + k]·zt[t·m + k] (the c-weighted copy times the plain one), symmetric. */
function gramDots(zt: Float64Array, off: number, m: number, T: number, G: Float64Array): void {
  // 2×4 register blocking: eight entries of G per pass over the rows (six loads per eight
  // multiply-adds). Indices past the end are clamped; only entries on or above the diagonal are
  // stored (and mirrored), so clamped duplicates write the same value twice.
  for (let s1 = 0; s1 < T; s1 += 2) {
    const s2 = Math.min(s1 + 1, T - 1);
    const a1 = off + s1 * m;
    const a2 = off + s2 * m;
    for (let t = s1; t < T; t += 4) {
      const t1 = t;
      const t2 = Math.min(t + 1, T - 1);
      const t3 = Math.min(t + 2, T - 1);
      const t4 = Math.min(t + 3, T - 1);
      const b1 = t1 * m, b2 = t2 * m, b3 = t3 * m, b4 = t4 * m;
      let c11 = 0, c12 = 0, c13 = 0, c14 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0;
      for (let k = 0; k < m; k++) {
        const x1 = zt[a1 + k]!, x2 = zt[a2 + k]!;
        const y1 = zt[b1 + k]!, y2 = zt[b2 + k]!, y3 = zt[b3 + k]!, y4 = zt[b4 + k]!;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c14 += x1 * y4;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c24 += x2 * y4;
      }
      putSym(G, T, s1, t1, c11);
      putSym(G, T, s1, t2, c12);
      putSym(G, T, s1, t3, c13);
      putSym(G, T, s1, t4, c14);
      putSym(G, T, s2, t1, c21);
      putSym(G, T, s2, t2, c22);
      putSym(G, T, s2, t3, c23);
      putSym(G, T, s2, t4, c24);
    }
  }
}

/**
 * G = Σ_i c_i z_i z_iᵀ (T×T, row-major) over the used rows of Z (n×T row-major).
 * The used rows are copied into column-major scratch (T × n′, one contiguous
 * column per period, pre-multiplied by c_i in a second copy) so each entry of G is
 * one contiguous dot product — the hot loop of the bootstrap.
 */
function gram(Z: Float64Array, rows: readonly number[], w: Float64Array, T: number, G: Float64Array): void {
  const m = rows.length;
  if (scratch.length < 2 * m * T) scratch = new Float64Array(2 * m * T);
  const zt = scratch;
  const off = m * T;
  for (let k = 0; k < m; k++) {
    const i = rows[k]!;
    const o = i * T;
    const c = w[i]!;
    for (let t = 0; t < T; t++) {
      const val = Z[o + t]!;
      zt[t * m + k] = val;
      zt[off + t * m + k] = c * val;
    }
  }
  gramDots(zt, off, m, T, G);
}

/** Keep only the first r factors of a fit (exact when the fit has no covariates and no missing cells). */
export function truncateFit(fit: ControlFit, r: number, n: number, T: number): ControlFit {
  const R = fit.r;
  const F = new Float64Array(T * r);
  for (let t = 0; t < T; t++) for (let k = 0; k < r; k++) F[t * r + k] = fit.F[t * R + k]!;
  const lambda = new Float64Array(n * r);
  for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) lambda[i * r + k] = fit.lambda[i * R + k]!;
  return { ...fit, r, F, lambda, fitted: null };
}

/** Weighted centring of an n×T matrix over used rows, as the force option says (two-way: A − a_i − m_t + g). */
function centre(A: Float64Array, n: number, T: number, rows: readonly number[], w: Float64Array, C: number, force: Force): Float64Array {
  const out = new Float64Array(n * T);
  const m = new Float64Array(T);
  let g = 0;
  const rm = new Float64Array(n);
  for (const i of rows) {
    let s = 0;
    for (let t = 0; t < T; t++) {
      const val = A[i * T + t]!;
      s += val;
      m[t] = m[t]! + w[i]! * val;
    }
    rm[i] = s / T;
    g += w[i]! * rm[i]!;
  }
  g /= C;
  for (let t = 0; t < T; t++) m[t] = m[t]! / C;
  const unit = hasUnitFE(force);
  const time = centreTime(force);
  for (const i of rows) for (let t = 0; t < T; t++) {
    let val = A[i * T + t]! - (unit ? rm[i]! : g);
    if (time) val -= m[t]! - g;
    out[i * T + t] = val;
  }
  return out;
}

/** β = argmin Σ c_i ‖D(Y)_i − L_i − D(X)_i β‖² via the precomputed QR of √c·D(X). */
function olsBeta(qr: QRFactor, DY: Float64Array, L: Float64Array | null, rows: readonly number[], sq: Float64Array, T: number, p: number): Float64Array {
  const z = new Float64Array(rows.length * T);
  let o = 0;
  for (const i of rows) for (let t = 0; t < T; t++) z[o++] = sq[i]! * (DY[i * T + t]! - (L ? L[i * T + t]! : 0));
  return solveR(qr, applyQt(qr, z)).subarray(0, p);
}

function lowRank(Z: Float64Array, V: Float64Array, rows: readonly number[], T: number, r: number, out: Float64Array | null): Float64Array {
  const L = out ?? new Float64Array(Z.length);
  const c = new Float64Array(r);
  for (const i of rows) {
    const o = i * T;
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += Z[o + t]! * V[t * r + k]!;
      c[k] = s;
    }
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += c[k]! * V[t * r + k]!;
      L[o + t] = s;
    }
  }
  return L;
}

function fitted(
  out: Float64Array | null,
  Yf: Float64Array,
  Z: Float64Array,
  L: Float64Array,
  x: Float64Array[],
  beta: Float64Array,
  rows: readonly number[],
  T: number,
  p: number,
  force: Force,
  a: Float64Array,
  g: number,
  v: Float64Array,
): Float64Array {
  const f = out ?? new Float64Array(Yf.length);
  const unit = hasUnitFE(force);
  const time = centreTime(force);
  for (const i of rows) {
    const o = i * T;
    const base = unit ? a[i]! : g;
    for (let t = 0; t < T; t++) {
      let val = base + (time ? v[t]! : 0) + L[o + t]!;
      for (let k = 0; k < p; k++) val += beta[k]! * x[k]![o + t]!;
      f[o + t] = val;
    }
  }
  void Z;
  return f;
}

/** Units sharing a pre-period pattern (start and missing pre cells) and their observed pre-periods. */
interface PreGroup {
  members: number[];
  pre: Int32Array;
}
/** Per (outcome matrix, starts) pair: the groups, computed once (the bootstrap projects the same treated block every time). */
const groupCache = new WeakMap<Float64Array, { starts: Int32Array; groups: PreGroup[] }>();
function preGroups(y: Float64Array, starts: Int32Array, n: number, T: number): PreGroup[] {
  const hit = groupCache.get(y);
  if (hit && hit.starts === starts) return hit.groups;
  const byKey = new Map<string, PreGroup>();
  for (let j = 0; j < n; j++) {
    let key = String(starts[j]);
    for (let t = 0; t < starts[j]!; t++) if (Number.isNaN(y[j * T + t]!)) key += ',' + t;
    const gr = byKey.get(key);
    if (gr) gr.members.push(j);
    else {
      const pre: number[] = [];
      for (let t = 0; t < starts[j]!; t++) if (!Number.isNaN(y[j * T + t]!)) pre.push(t);
      byKey.set(key, { members: [j], pre: Int32Array.from(pre) });
    }
  }
  const groups = [...byKey.values()];
  groupCache.set(y, { starts, groups });
  return groups;
}

/**
 * P = R⁻¹Q₁ᵀ (q×m row-major) for a full-rank QR factor of an m×q matrix A, so that the
 * least-squares coefficients of any e are P e. Q₁ = H₀H₁…H_{q−1}[I_q; 0] is formed by applying
 * the q reflections to q columns (not m unit vectors), then each row of Q₁ is back-substituted.
 */
function projector(f: QRFactor): Float64Array {
  const { n: m, p: q, qr, tau } = f;
  const Q1 = new Float64Array(q * m); // column c of Q₁ at [c·m, (c+1)·m)
  for (let c = 0; c < q; c++) {
    const o = c * m;
    Q1[o + c] = 1;
    for (let k = Math.min(c, q - 1); k >= 0; k--) {
      const t = tau[k]!;
      if (t === 0) continue;
      const off = k * m;
      let sacc = Q1[o + k]!;
      for (let i = k + 1; i < m; i++) sacc += qr[off + i]! * Q1[o + i]!;
      sacc *= t;
      Q1[o + k] = Q1[o + k]! - sacc;
      for (let i = k + 1; i < m; i++) Q1[o + i] = Q1[o + i]! - sacc * qr[off + i]!;
    }
  }
  // R P = Q₁ᵀ: back substitution, row j of P from rows j+1.. (all m columns at once).
  const P = new Float64Array(q * m);
  for (let j = q - 1; j >= 0; j--) {
    const pj = j * m;
    const rjj = qr[j * m + j]!;
    for (let rr = 0; rr < m; rr++) {
      let sacc = Q1[pj + rr]!;
      for (let k = j + 1; k < q; k++) sacc -= qr[k * m + j]! * P[k * m + rr]!;
      P[pj + rr] = sacc / rjj;
    }
  }
  return P;
}

export interface Projection {
  /** Counterfactual Ŷ(0), n×T. */
  cf: Float64Array;
  /** α̂_i (0 without unit effects) and λ̂_i (n×r). */
  alpha: Float64Array;
  lambda: Float64Array;
  /** Leave-one-period-out squared prediction errors summed over pre-periods, and their count (when requested). */
  looSse: number;
  looN: number;
  /** False when some unit has too few pre-periods for leave-one-out with this r. */
  looOk: boolean;
}

/**
 * Project treated (or pseudo-treated) units on the fitted factors: for unit j,
 * regress e_jt = Y_jt − X_jtᵀβ̂ − μ̂ − ξ̂_t on [1, f̂_t] over its observed pre-periods
 * t < start_j (Xu 2017 eq. 4), then Ŷ_jt(0) for every t.
 * Units sharing the same pre-period pattern share one QR factorisation.
 * @throws EstimationError TOO_FEW_PRE_PERIODS | RANK_DEFICIENT naming the unit.
 */
export function projectUnits(block: UnitBlock, starts: Int32Array, fit: ControlFit, force: Force, loo = false): Projection {
  const { n, T } = block;
  const ctx = projectionContext(block, fit, force, loo);
  const out: Projection = { cf: new Float64Array(n * T), alpha: new Float64Array(n), lambda: new Float64Array(n * fit.r), looSse: 0, looN: 0, looOk: true };
  for (const group of preGroups(block.y, starts, n, T)) {
    const design = groupDesign(block, fit, ctx, group);
    if (design.looTooShort) out.looOk = false;
    for (const j of group.members) projectUnit(block, fit, ctx, group.pre, design, j, out);
  }
  return out;
}

/** What every unit's projection shares: q = [α_i] + r parameters, F̂ by columns (r × T), μ̂ + ξ̂_t (T), a T-buffer. */
interface ProjectionContext {
  unitFE: boolean;
  q: number;
  loo: boolean;
  /** F̂ column by column (r × T) for the counterfactual loop. */
  Fc: Float64Array;
  /** μ̂ + ξ̂_t (length T). */
  base0: Float64Array;
  /** μ̂ + ξ̂_t + X_jtᵀβ̂ of the current unit (length T). */
  base: Float64Array;
}

function projectionContext(block: UnitBlock, fit: ControlFit, force: Force, loo: boolean): ProjectionContext {
  const { T } = block;
  const r = fit.r;
  const unitFE = hasUnitFE(force);
  const F = fit.F;
  const Fc = new Float64Array(r * T);
  for (let t = 0; t < T; t++) for (let k = 0; k < r; k++) Fc[k * T + t] = F[t * r + k]!;
  const base0 = new Float64Array(T);
  for (let t = 0; t < T; t++) base0[t] = fit.mu + fit.xi[t]!;
  return { unitFE, q: (unitFE ? 1 : 0) + r, loo, Fc, base0, base: new Float64Array(T) };
}

/** One pre-period pattern's regression: P = (AᵀA)⁻¹Aᵀ (q × m) for A = [1, f̂_t]_{t ∈ pre}, the leverages h_tt for leave-one-out, buffers. */
interface GroupDesign {
  P: Float64Array | null;
  hdiag: Float64Array | null;
  /** Leave-one-out asked for but m ≤ q: no prediction error can be computed. */
  looTooShort: boolean;
  e: Float64Array;
  coef: Float64Array;
}

/** The group's design A (m × q), its QR factor and projector; TOO_FEW_PRE_PERIODS / RANK_DEFICIENT name the group's first unit. */
function groupDesign(block: UnitBlock, fit: ControlFit, ctx: ProjectionContext, group: PreGroup): GroupDesign {
  const { unitFE, q, loo } = ctx;
  const r = fit.r;
  const { members, pre } = group;
  const j0 = members[0]!;
  const m = pre.length;
  if (m < q || (m === q && q > 0 && !loo)) {
    if (m < q) {
      throw new EstimationError('TOO_FEW_PRE_PERIODS', `unit '${block.names[j0]}' has ${m} observed pre-treatment period(s) but the model needs at least ${q} (${unitFE ? 'a unit effect + ' : ''}${r} factor loading(s)); use fewer factors (--factors), --force time/none, or drop the unit`, { unit: block.names[j0], preperiods: m, parameters: q });
    }
  }
  let P: Float64Array | null = null;
  let hdiag: Float64Array | null = null;
  let looTooShort = false;
  if (q > 0) {
    const A = new Float64Array(m * q);
    pre.forEach((t, rr) => {
      let c = 0;
      if (unitFE) A[rr * q + c++] = 1;
      for (let k = 0; k < r; k++) A[rr * q + c++] = fit.F[t * r + k]!;
    });
    const f = qrFactor(A, m, q);
    if (f.dependent.length === 0) P = projector(f);
    if (f.dependent.length > 0) {
      throw new EstimationError('RANK_DEFICIENT', `the estimated factors are collinear over unit '${block.names[j0]}'s ${m} pre-treatment periods, so its loadings are not identified; use fewer factors (--factors)`, { unit: block.names[j0], factors: r });
    }
    if (loo) {
      if (m <= q) looTooShort = true;
      else hdiag = leverages(f, A, m, q);
    }
  }
  return { P, hdiag, looTooShort, e: new Float64Array(m), coef: new Float64Array(q) };
}

/** h_tt = a_tᵀ(AᵀA)⁻¹a_t for each row of A (m × q). */
function leverages(f: QRFactor, A: Float64Array, m: number, q: number): Float64Array {
  const inv = xtxInverse(f);
  const hdiag = new Float64Array(m);
  for (let rr = 0; rr < m; rr++) {
    let h = 0;
    for (let a1 = 0; a1 < q; a1++) for (let b1 = 0; b1 < q; b1++) h += A[rr * q + a1]! * inv[a1 * q + b1]! * A[rr * q + b1]!;
    hdiag[rr] = h;
  }
  return hdiag;
}

/**
 * Unit j: e_jt = Y_jt − X_jtᵀβ̂ − μ̂ − ξ̂_t over its pre-periods, (α̂_j, λ̂_j) = P e_j, leave-one-out
 * errors (e_t − ê_t)/(1 − h_tt) added to `out`, and Ŷ_jt(0) = μ̂ + ξ̂_t + X_jtᵀβ̂ + α̂_j + f̂_tᵀλ̂_j for every t.
 */
function projectUnit(block: UnitBlock, fit: ControlFit, ctx: ProjectionContext, pre: Int32Array, d: GroupDesign, j: number, out: Projection): void {
  const { T, y, x } = block;
  const p = x.length;
  const r = fit.r;
  const { unitFE, q, loo, base, base0 } = ctx;
  const { e, coef } = d;
  const m = pre.length;
  const o = j * T;
  if (p === 0) base.set(base0);
  else
    for (let t = 0; t < T; t++) {
      let val = base0[t]!;
      for (let k = 0; k < p; k++) val += fit.beta[k]! * x[k]![o + t]!;
      base[t] = val;
    }
  coef.fill(0);
  if (q > 0) {
    for (let rr = 0; rr < m; rr++) e[rr] = y[o + pre[rr]!]! - base[pre[rr]!]!;
    projectCoefficients(d.P!, e, m, q, coef);
    if (loo && d.hdiag) {
      const hdiag = d.hdiag;
      pre.forEach((t, rr) => {
        let pred = 0;
        let c = 0;
        if (unitFE) pred += coef[c++]!;
        for (let k = 0; k < r; k++) pred += coef[c++]! * fit.F[t * r + k]!;
        const res = (e[rr]! - pred) / (1 - hdiag[rr]!);
        out.looSse += res * res;
        out.looN++;
      });
    }
  } else if (loo) {
    for (const t of pre) {
      const res = y[o + t]! - base[t]!;
      out.looSse += res * res;
      out.looN++;
    }
  }
  counterfactual(ctx, fit.r, coef, j, T, out);
}

/** coef = P e (q × m times m), two accumulators per row. */
function projectCoefficients(P: Float64Array, e: Float64Array, m: number, q: number, coef: Float64Array): void {
  for (let c = 0; c < q; c++) {
    const po = c * m;
    let a0 = 0, a1 = 0;
    let rr = 0;
    for (; rr + 1 < m; rr += 2) {
      a0 += P[po + rr]! * e[rr]!;
      a1 += P[po + rr + 1]! * e[rr + 1]!;
    }
    if (rr < m) a0 += P[po + rr]! * e[rr]!;
    coef[c] = a0 + a1;
  }
}

/** α̂_j, λ̂_j into `out`, and Ŷ_j(0) = base + α̂_j + F̂λ̂_j, one factor at a time over contiguous columns of F̂. */
function counterfactual(ctx: ProjectionContext, r: number, coef: Float64Array, j: number, T: number, out: Projection): void {
  const { cf, alpha, lambda } = out;
  const o = j * T;
  let c = 0;
  const aj = ctx.unitFE ? coef[c++]! : 0;
  alpha[j] = aj;
  for (let k = 0; k < r; k++) lambda[j * r + k] = coef[c + k]!;
  for (let t = 0; t < T; t++) cf[o + t] = ctx.base[t]! + aj;
  for (let k = 0; k < r; k++) {
    const lk = lambda[j * r + k]!;
    const fo = k * T;
    for (let t = 0; t < T; t++) cf[o + t] = cf[o + t]! + lk * ctx.Fc[fo + t]!;
  }
}
