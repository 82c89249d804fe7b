/**
 * Two-way fixed effects (TWFE) difference-in-differences and event study.
 *
 * Model (static):     Y_it = τ D_it + X_itᵀβ + α_i + γ_t + ε_it
 * Model (event study): Y_it = Σ_{e ≠ −1} μ_e 1{t − g_i = e} + X_itᵀβ + α_i + γ_t + ε_it,
 * with event time e = t − g_i (g_i the unit's first treated period) binned at the
 * window ends (e < lo counts as lo, e > hi as hi) and e = −1 the reference.
 *
 * α_i and γ_t are absorbed by alternating projections (demean.ts); by the
 * Frisch–Waugh–Lovell theorem OLS of M_D y on M_D X gives the same slope
 * coefficients and residuals as the regression with explicit dummies.
 * Optional weights give weighted least squares (weighted demeaning, then √w rows).
 *
 * Variance (sandwich with bread (X̃ᵀWX̃)⁻¹, X̃ = M_D X):
 *   iid:     σ̂² (X̃ᵀWX̃)⁻¹,  σ̂² = Σ w e² / (n − K_full)
 *   hc1:     n/(n − K_full) · bread · Σ w² e² x̃x̃ᵀ · bread          (MacKinnon–White HC1)
 *   cluster: CR1 = G/(G − 1) · (n − 1)/(n − K) · bread · Σ_g s_g s_gᵀ · bread,  s_g = Σ_{o∈g} w x̃ e
 * K counts the slope coefficients plus the fixed effects that are NOT nested in
 * the clusters (fixest's default ssc(fixef.K = "nested")): K_full = p + N_obs + T_obs − 1;
 * with unit effects nested in the clusters (clustering by unit, or by an area
 * containing whole units) K = p + T_obs; with period effects nested (clustering
 * by period) K = p + N_obs; with both nested K = p + 1. A nested effect still
 * absorbs the intercept, which fixest counts (one parameter per fully nested
 * effect: 67 = 1 + 66 periods where p + T_obs − 1 would give 66). t critical values use
 * df = G − 1 for cluster, n − K_full otherwise.
 *
 * Wild cluster restricted bootstrap (WCR; Cameron, Gelbach & Miller 2008;
 * MacKinnon & Webb 2017; Roodman et al. 2019) for τ: residuals of the model with
 * τ = τ₀ imposed are multiplied by one draw v_g per cluster (Rademacher or Webb's
 * six-point weights), the full model (fixed effects included) is re-estimated and
 * the CR1 t statistic t*(τ₀) = (τ* − τ₀)/se*(τ*) computed. p(τ₀) = #{|t*| ≥ |t(τ₀)|}/B.
 * The interval is the set {τ₀ : p(τ₀) > 1 − level} found by test inversion
 * (bisection on each side; the same draws for every τ₀). Because the restricted
 * residuals are affine in τ₀, each replication is reduced to five numbers and
 * inversion costs O(B) per trial value.
 */
import { preTrendWarning, TWFE_PRE_TREND_SCOPE } from './preTrends.js';
import type { Panel } from '../../core/panel.js';
import { EstimationError, InputError, UsageError } from '../../core/errors.js';
import { lstsq, lstsqColumns, solveSpd, xtxInverse, type QRFactor } from '../../core/linalg.js';
import { pf, pchisq, pValueT, qt } from '../../core/stats.js';
import type { Rng } from '../../core/rng.js';
import { eachReplicate, multiplierWeights } from '../../inference/resample.js';
import type { Analysis, Diagnostic, PathPoint, UnitResult, Warning } from '../../core/result.js';
import { demeanColumns, demeanColumnsInPlace, demeanInPlace, feSums, type Convergence, type DemeanControl, type FeIndex } from './demean.js';
import { treatmentTiming, type Timing } from './design.js';

export const VCOV_TYPES = ['iid', 'hc1', 'cluster'] as const;
export type VcovType = (typeof VCOV_TYPES)[number];
export const WILD_WEIGHTS = ['rademacher', 'webb'] as const;
export type WildWeights = (typeof WILD_WEIGHTS)[number];

export interface TwfeOptions {
  vcov: VcovType;
  /** Cluster label per cell (N×T row-major), or null to cluster by unit. */
  cluster: readonly (string | null)[] | null;
  /** Name recorded in options (column name, or 'unit'). */
  clusterName: string;
  /** Weight per cell (N×T), or null. */
  weights: Float64Array | null;
  weightsName: string | null;
  /** Event-time window [lo, hi] (lo ≤ −2, hi ≥ 0), or null for the static model only. */
  eventWindow: [number, number] | null;
  /** Wild cluster bootstrap replications (0 = off). */
  wildBootstrap: number;
  wildWeights: WildWeights;
  level: number;
  seed: number;
  /** Alternating-projection control. */
  maxIter: number;
  tol: number;
}

export const TWFE_DEFAULTS = { vcov: 'cluster' as VcovType, wildWeights: 'rademacher' as WildWeights, maxIter: 10000, tol: 1e-12 };

/** The observations used: present cells with finite outcome, covariates and weight. */
interface Sample {
  cells: Int32Array; // cell index i*T+t per observation
  fe: FeIndex;
  clusterOf: Int32Array;
  nClusters: number;
  clusterLabels: string[];
  unitNested: boolean;
  periodNested: boolean;
  nUnitsObs: number;
  nPeriodsObs: number;
}

/**
 * The estimation sample: cells with an outcome, every covariate, a positive weight (and a cluster
 * when clustering) → units and periods re-indexed to those observed → cluster of each observation
 * → whether the unit and period effects are nested in the clusters.
 * @throws InputError BAD_WEIGHT (a weight ≤ 0)
 */
function buildSample(panel: Panel, opts: TwfeOptions): Sample {
  const cells = usableCells(panel, opts);
  const idx = reindexCells(panel, opts, cells);
  const { clusterOf, labels } = clustersOf(panel, opts, cells, idx.uMap);
  const n = cells.length;
  const nested = (fe: Int32Array, levels: number) => {
    const seen = new Int32Array(levels).fill(-1);
    for (let o = 0; o < n; o++) {
      const f = fe[o]!;
      if (seen[f] === -1) seen[f] = clusterOf[o]!;
      else if (seen[f] !== clusterOf[o]) return false;
    }
    return true;
  };
  return {
    cells,
    fe: { n, unit: idx.unit, period: idx.period, nUnits: idx.nu, nPeriods: idx.nt, weight: idx.weight },
    clusterOf,
    nClusters: labels.length,
    clusterLabels: labels,
    unitNested: nested(idx.unit, idx.nu),
    periodNested: nested(idx.period, idx.nt),
    nUnitsObs: idx.nu,
    nPeriodsObs: idx.nt,
  };
}

/** Cell indices (i·T + t) with an outcome, every covariate, a finite weight and (when clustering) a cluster. @throws InputError BAD_WEIGHT */
function usableCells(panel: Panel, opts: TwfeOptions): Int32Array {
  const N = panel.units.length;
  const T = panel.periods.length;
  const covs = panel.covariateNames.map((c) => panel.covariates[c]!);
  const cellBuf = new Int32Array(N * T);
  let n = 0;
  for (let k = 0; k < N * T; k++) {
    if (!panel.present[k] || !Number.isFinite(panel.y[k]!)) continue;
    let ok = true;
    for (const c of covs) if (!Number.isFinite(c[k]!)) ok = false;
    if (opts.weights) {
      const w = opts.weights[k]!;
      if (!Number.isFinite(w)) ok = false;
      else if (w <= 0) {
        const i = Math.floor(k / T);
        throw new InputError('BAD_WEIGHT', `weight column '${opts.weightsName}' is ${w} for unit '${panel.units[i]}', period ${panel.periods[k % T]}; weights must be positive`, { unit: panel.units[i], period: panel.periods[k % T] });
      }
    }
    if (opts.vcov === 'cluster' && opts.cluster && opts.cluster[k] == null) ok = false;
    if (ok) cellBuf[n++] = k;
  }
  return cellBuf.slice(0, n);
}

/** Units and periods that have observations, numbered in order of first appearance, and each observation's weight. */
function reindexCells(panel: Panel, opts: TwfeOptions, cells: Int32Array): { uMap: Int32Array; unit: Int32Array; period: Int32Array; nu: number; nt: number; weight: Float64Array | null } {
  const N = panel.units.length;
  const T = panel.periods.length;
  const n = cells.length;
  const uMap = new Int32Array(N).fill(-1);
  const tMap = new Int32Array(T).fill(-1);
  let nu = 0;
  let nt = 0;
  const unit = new Int32Array(n);
  const period = new Int32Array(n);
  const weight = opts.weights ? new Float64Array(n) : null;
  for (let o = 0; o < n; o++) {
    const k = cells[o]!;
    const i = Math.floor(k / T);
    const t = k - i * T;
    if (uMap[i] === -1) uMap[i] = nu++;
    if (tMap[t] === -1) tMap[t] = nt++;
    unit[o] = uMap[i]!;
    period[o] = tMap[t]!;
    if (weight) weight[o] = opts.weights![k]!;
  }
  return { uMap, unit, period, nu, nt, weight };
}

/** Cluster of each observation: the --cluster column's labels, or one per observed unit; labels sorted so numbering does not depend on row order. */
function clustersOf(panel: Panel, opts: TwfeOptions, cells: Int32Array, uMap: Int32Array): { clusterOf: Int32Array; labels: string[] } {
  const N = panel.units.length;
  const T = panel.periods.length;
  const n = cells.length;
  const clusterOf = new Int32Array(n);
  if (opts.cluster) {
    const cl = opts.cluster;
    const labelSet = new Set<string>();
    for (let o = 0; o < n; o++) labelSet.add(String(cl[cells[o]!]));
    const labels = [...labelSet].sort();
    const cIdx = new Map(labels.map((l, j) => [l, j]));
    for (let o = 0; o < n; o++) clusterOf[o] = cIdx.get(String(cl[cells[o]!]))!;
    return { clusterOf, labels };
  }
  // By unit: one label per observed unit (unit names are distinct).
  const observed: number[] = [];
  for (let i = 0; i < N; i++) if (uMap[i]! >= 0) observed.push(i);
  const labels = observed.map((i) => panel.units[i]!).sort();
  const cIdx = new Map(labels.map((l, j) => [l, j]));
  const clusterOfUnit = new Int32Array(N).fill(-1);
  for (const i of observed) clusterOfUnit[i] = cIdx.get(panel.units[i]!)!;
  for (let o = 0; o < n; o++) clusterOf[o] = clusterOfUnit[Math.floor(cells[o]! / T)]!;
  return { clusterOf, labels };
}

/** A fitted FE regression on the demeaned data. */
export interface FeFit {
  names: string[];
  beta: Float64Array;
  /** Demeaned regressors X̃, p columns of length n. */
  X: Float64Array[];
  /** Demeaned outcome ỹ. */
  yd: Float64Array;
  /** Residuals e = ỹ − X̃β (identical to those of the dummy regression). */
  resid: Float64Array;
  /** (X̃ᵀWX̃)⁻¹, p×p. */
  bread: Float64Array;
  p: number;
  n: number;
  convergence: Convergence;
}

/**
 * Fit ỹ on X̃ after absorbing the unit and period effects.
 * @param X - regressor columns (length n each); with `inPlace` they are demeaned in place
 *   (the event-study dummies, built only for this fit), otherwise copied.
 * Memory: X̃ (n×p) plus one n×p copy for the Householder QR; no row-major copies.
 */
function fitFe(sample: Sample, y: Float64Array, X: Float64Array[], names: string[], ctl: DemeanControl, inPlace = false): FeFit {
  const { fe } = sample;
  const n = fe.n;
  const p = X.length;
  const sums = feSums(fe);
  // Before demeaning in place: the scale of each column, for the absorbed-regressor check.
  const rawMax = X.map((col) => {
    let b = 0;
    for (let o = 0; o < n; o++) b = Math.max(b, Math.abs(col[o]!));
    return b;
  });
  const dy = demeanColumns([y], fe, ctl, sums);
  const yd = dy.cols[0]!;
  let Xcols: Float64Array[];
  let convergence: Convergence = dy.convergence;
  if (inPlace) {
    const r = demeanColumnsInPlace(X, fe, ctl, sums);
    Xcols = X;
    if (!r.converged || r.iterations > convergence.iterations) convergence = { converged: convergence.converged && r.converged, iterations: Math.max(convergence.iterations, r.iterations) };
  } else {
    const d = demeanColumns(X, fe, ctl, sums);
    Xcols = d.cols;
    convergence = { converged: convergence.converged && d.convergence.converged, iterations: Math.max(convergence.iterations, d.convergence.iterations) };
  }
  // A regressor with nothing left after demeaning is absorbed by the fixed effects.
  Xcols.forEach((col, j) => {
    let a = 0;
    for (let o = 0; o < n; o++) a = Math.max(a, Math.abs(col[o]!));
    const b = rawMax[j]!;
    if (b === 0 || a <= 1e-9 * b) {
      throw new EstimationError('ABSORBED_BY_FIXED_EFFECTS', `'${names[j]}' does not vary within units and periods once unit and period effects are removed (e.g. a time-invariant covariate, or no treated/untreated contrast), so it cannot be estimated; drop it`, { term: names[j] });
    }
  });
  let ls: { beta: Float64Array; factor: QRFactor };
  if (fe.weight) {
    const sw = Float64Array.from(fe.weight, (w) => Math.sqrt(w));
    const ys = Float64Array.from(yd, (v, o) => sw[o]! * v);
    ls = lstsqColumns(Xcols.map((c) => Float64Array.from(c, (v, o) => sw[o]! * v)), n, ys, names);
  } else {
    ls = lstsqColumns(Xcols, n, yd, names);
  }
  const bread = xtxInverse(ls.factor);
  const resid = Float64Array.from(yd);
  // e = ỹ − X̃β, subtracting column by column (j ascending, as a row-major loop would).
  for (let j = 0; j < p; j++) {
    const col = Xcols[j]!;
    const bj = ls.beta[j]!;
    for (let o = 0; o < n; o++) resid[o] = resid[o]! - col[o]! * bj;
  }
  return { names, beta: ls.beta, X: Xcols, yd, resid, bread, p, n, convergence };
}

interface Vcov {
  V: Float64Array;
  /** Degrees of freedom for t / F reference distributions. */
  df: number;
  K: number;
  /** Small-sample factor applied to the sandwich. */
  factor: number;
  G: number | null;
}

function vcovOf(fit: FeFit, sample: Sample, type: VcovType): Vcov {
  const { n, p, X, resid, bread } = fit;
  const w = sample.fe.weight;
  const Kfull = p + sample.nUnitsObs + sample.nPeriodsObs - 1;
  const meat = new Float64Array(p * p);
  let factor: number;
  let df: number;
  let K = Kfull;
  let G: number | null = null;
  if (type === 'iid') {
    let ss = 0;
    for (let o = 0; o < n; o++) ss += (w ? w[o]! : 1) * resid[o]! ** 2;
    const s2 = ss / (n - Kfull);
    const V = bread.map((b) => b * s2);
    return { V, df: n - Kfull, K: Kfull, factor: 1, G: null };
  }
  if (type === 'hc1') {
    for (let o = 0; o < n; o++) {
      const u = (w ? w[o]! : 1) * resid[o]!;
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) meat[a * p + b] = meat[a * p + b]! + u * u * X[a]![o]! * X[b]![o]!;
    }
    factor = n / (n - Kfull);
    df = n - Kfull;
  } else {
    G = sample.nClusters;
    if (G < 2) throw new EstimationError('TOO_FEW_CLUSTERS', `only ${G} cluster: cluster-robust standard errors need at least 2 clusters; use --vcov hc1 or another --cluster column`, { clusters: G });
    // Score sums by cluster in one pass per column: S[g, a] = Σ_{o∈g} w_o e_o x̃_oa.
    const S = new Float64Array(G * p);
    const cl = sample.clusterOf;
    const u = w ? Float64Array.from(resid, (e, o) => w[o]! * e) : resid;
    for (let a = 0; a < p; a++) {
      const xa = X[a]!;
      for (let o = 0; o < n; o++) S[cl[o]! * p + a] = S[cl[o]! * p + a]! + u[o]! * xa[o]!;
    }
    for (let g = 0; g < G; g++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) meat[a * p + b] = meat[a * p + b]! + S[g * p + a]! * S[g * p + b]!;
    // fixest ssc(fixef.K = "nested"): levels of both effects, minus the nested effects' levels,
    // minus one reference level (n_fe − 1 = 1), plus one per fully nested effect (the intercept
    // the nested effect absorbed). Unit effects nested: K = p + T; none nested: p + N + T − 1.
    const nNested = (sample.unitNested ? 1 : 0) + (sample.periodNested ? 1 : 0);
    const Kfe = (sample.unitNested ? 0 : sample.nUnitsObs) + (sample.periodNested ? 0 : sample.nPeriodsObs) - 1 + nNested;
    K = p + Kfe;
    factor = (G / (G - 1)) * ((n - 1) / (n - K));
    df = G - 1;
  }
  const V = sandwich(bread, meat, p, factor);
  return { V, df, K, factor, G };
}

function sandwich(bread: Float64Array, meat: Float64Array, p: number, factor: number): Float64Array {
  const tmp = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += bread[i * p + k]! * meat[k * p + j]!;
    tmp[i * p + j] = s;
  }
  const V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += tmp[i * p + k]! * bread[k * p + j]!;
    V[i * p + j] = s * factor;
  }
  return V;
}

/** Result of a wild cluster restricted bootstrap for one coefficient. */
export interface WildResult {
  replications: number;
  weights: WildWeights;
  /** Bootstrap p-value of H0: τ = 0. */
  pValue: number;
  /** Test-inversion interval at `level` (null when a side is unbounded within the search). */
  ci: [number, number] | null;
  clusters: number;
}

/**
 * Wild cluster restricted bootstrap for coefficient 0 of `fit` (see the module comment).
 * Stages: restricted residuals ũ(τ0) = ua − τ0·ub (affine in τ0) → per replication, the numerator and
 * the cluster-score sums of the bootstrap t for the a and b parts → p(τ0) from those sums for any τ0 →
 * the interval by test inversion (p(τ0) > α inside).
 * @param rng - seeded generator; replication b uses rng.stream(b).
 */
export function wildClusterBootstrap(fit: FeFit, sample: Sample, B: number, kind: WildWeights, level: number, rng: Rng, ctl: DemeanControl, withCi = true): WildResult {
  const Xd = rowMajorX(fit);
  const { ua, ub } = restrictedResiduals(fit, sample, Xd);
  const h = influenceRow(fit, Xd);
  const vc = vcovOf(fit, sample, 'cluster');
  const tauHat = fit.beta[0]!;
  const seHat = Math.sqrt(vc.V[0]!);
  const sums = bootstrapSums(fit, sample, Xd, ua, ub, h, { B, kind, rng, ctl });
  const pAt = wildPValue(sums, B, vc.factor, tauHat, seHat);
  const ci = withCi ? invertTest(pAt, tauHat, seHat, 1 - level) : null;
  return { replications: B, weights: kind, pValue: pAt(0), ci, clusters: sample.nClusters };
}

/** Row-major X̃ (n×p) for the replication loops (the static model: p is small). */
function rowMajorX(fit: FeFit): Float64Array {
  const { n, p } = fit;
  const Xd = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const col = fit.X[j]!;
    for (let o = 0; o < n; o++) Xd[o * p + j] = col[o]!;
  }
  return Xd;
}

/** Restricted residuals as affine functions of τ0, ũ_r(τ0) = ua − τ0·ub: the other regressors partialled out of ỹ and of d̃ (weighted least squares). */
function restrictedResiduals(fit: FeFit, sample: Sample, Xd: Float64Array): { ua: Float64Array; ub: Float64Array } {
  const { n, p, yd } = fit;
  const w = sample.fe.weight;
  if (p === 1) return { ua: Float64Array.from(yd), ub: Float64Array.from({ length: n }, (_, o) => Xd[o * p]!) };
  const q = p - 1;
  const Z = new Float64Array(n * q);
  const ysw = new Float64Array(n);
  const dsw = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    const sw = w ? Math.sqrt(w[o]!) : 1;
    for (let j = 0; j < q; j++) Z[o * q + j] = sw * Xd[o * p + j + 1]!;
    ysw[o] = sw * yd[o]!;
    dsw[o] = sw * Xd[o * p]!;
  }
  const ra = lstsq(Z, n, q, ysw, fit.names.slice(1));
  const rb = lstsq(Z, n, q, dsw, fit.names.slice(1));
  const ua = new Float64Array(n);
  const ub = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    let a = yd[o]!;
    let b = Xd[o * p]!;
    for (let j = 0; j < q; j++) {
      a -= Xd[o * p + j + 1]! * ra.beta[j]!;
      b -= Xd[o * p + j + 1]! * rb.beta[j]!;
    }
    ua[o] = a;
    ub[o] = b;
  }
  return { ua, ub };
}

/** h_o = (row 0 of bread)·x̃_o: τ* − τ0 = Σ_o h_o w_o u*_o. */
function influenceRow(fit: FeFit, Xd: Float64Array): Float64Array {
  const { n, p, bread } = fit;
  const h = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += bread[j]! * Xd[o * p + j]!;
    h[o] = s;
  }
  return h;
}

/** Per replication b: numerators Na, Nb of τ* − τ0 for the a and b parts, and the cluster-score cross sums Saa, Sab, Sbb. */
interface WildSums {
  Na: Float64Array;
  Nb: Float64Array;
  Saa: Float64Array;
  Sab: Float64Array;
  Sbb: Float64Array;
}

/**
 * The B replications: cluster weights v_g from stream b (src/inference/resample.ts); for u = ua and ub,
 * v∘u, its coefficient shift δ = bread X̃ᵀW(v∘u), the bootstrap residuals M_D(v∘u) − X̃δ and their
 * cluster scores s_g = Σ_{o∈g} h_o w_o e_o.
 */
function bootstrapSums(fit: FeFit, sample: Sample, Xd: Float64Array, ua: Float64Array, ub: Float64Array, h: Float64Array, r: { B: number; kind: WildWeights; rng: Rng; ctl: DemeanControl }): WildSums {
  const { n, p, bread } = fit;
  const { B } = r;
  const w = sample.fe.weight;
  const G = sample.nClusters;
  const cl = sample.clusterOf;
  const sums = feSums(sample.fe);
  const su = new Float64Array(sample.fe.nUnits);
  const st = new Float64Array(sample.fe.nPeriods);
  const out: WildSums = { Na: new Float64Array(B), Nb: new Float64Array(B), Saa: new Float64Array(B), Sab: new Float64Array(B), Sbb: new Float64Array(B) };
  const v = new Float64Array(G);
  const va = new Float64Array(n);
  const vb = new Float64Array(n);
  const sa = new Float64Array(G);
  const sb = new Float64Array(G);
  const delta = new Float64Array(p);
  eachReplicate(B, r.rng, (rs, b) => {
    multiplierWeights(rs, v, r.kind, G);
    for (const [src, dst, which] of [[ua, va, 0], [ub, vb, 1]] as const) {
      for (let o = 0; o < n; o++) dst[o] = v[cl[o]!]! * src[o]!;
      // δ = bread X̃ᵀW (v∘u): coefficient shift of the bootstrap sample.
      delta.fill(0);
      for (let o = 0; o < n; o++) {
        const wu = (w ? w[o]! : 1) * dst[o]!;
        for (let j = 0; j < p; j++) delta[j] = delta[j]! + Xd[o * p + j]! * wu;
      }
      const shift = new Float64Array(p);
      for (let i = 0; i < p; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += bread[i * p + j]! * delta[j]!;
        shift[i] = s;
      }
      // Bootstrap residuals: M_D(v∘u) − X̃ shift.
      demeanInPlace(dst, sample.fe, sums, r.ctl, su, st);
      const s = which === 0 ? sa : sb;
      s.fill(0);
      for (let o = 0; o < n; o++) {
        let e = dst[o]!;
        for (let j = 0; j < p; j++) e -= Xd[o * p + j]! * shift[j]!;
        s[cl[o]!] = s[cl[o]!]! + h[o]! * (w ? w[o]! : 1) * e;
      }
      (which === 0 ? out.Na : out.Nb)[b] = shift[0]!;
    }
    let aa = 0, ab = 0, bb = 0;
    for (let g = 0; g < G; g++) {
      aa += sa[g]! * sa[g]!;
      ab += sa[g]! * sb[g]!;
      bb += sb[g]! * sb[g]!;
    }
    out.Saa[b] = aa;
    out.Sab[b] = ab;
    out.Sbb[b] = bb;
  });
  return out;
}

/** p(τ0): the share of replications whose |t*(τ0)| (CR1 factor c) is at least |τ̂ − τ0| / se. */
function wildPValue(sums: WildSums, B: number, c: number, tauHat: number, seHat: number): (tau0: number) => number {
  const { Na, Nb, Saa, Sab, Sbb } = sums;
  return (tau0: number): number => {
    const t = Math.abs((tauHat - tau0) / seHat);
    let count = 0;
    for (let b = 0; b < B; b++) {
      const num = Na[b]! - tau0 * Nb[b]!;
      const den = c * (Saa[b]! - 2 * tau0 * Sab[b]! + tau0 * tau0 * Sbb[b]!);
      const ts = den > 0 ? Math.abs(num) / Math.sqrt(den) : Number.POSITIVE_INFINITY;
      if (ts >= t) count++;
    }
    return count / B;
  };
}

/** The interval {τ0 : p(τ0) > α}: on each side, expand from τ̂ until p ≤ α, then bisect; null when no side bound is found. */
function invertTest(pAt: (tau0: number) => number, tauHat: number, seHat: number, alpha: number): [number, number] | null {
  const side = (dir: 1 | -1): number | null => {
    // Find an outside point with p ≤ α, expanding from the CR1 interval.
    let inside = tauHat;
    let step = Math.max(seHat, 1e-12 * (1 + Math.abs(tauHat))) * 2;
    let outside = tauHat + dir * step;
    let k = 0;
    while (pAt(outside) > alpha) {
      inside = outside;
      step *= 2;
      outside = tauHat + dir * step;
      if (++k > 60) return null;
    }
    for (let it = 0; it < 100 && Math.abs(outside - inside) > 1e-12 * (1 + Math.abs(tauHat)) + 1e-10 * seHat; it++) {
      const mid = 0.5 * (inside + outside);
      if (pAt(mid) > alpha) inside = mid;
      else outside = mid;
    }
    return 0.5 * (inside + outside);
  };
  const lo = side(-1);
  const hi = side(1);
  return lo === null || hi === null ? null : [lo, hi];
}

/**
 * Event-time regressors: one 0/1 column per event time with observations (e ≠ −1), built
 * from each observation's bin index (no dense dummy block beyond the p columns the fit needs).
 */
function eventColumns(sample: Sample, timing: Timing, T: number, window: [number, number]) {
  const [lo, hi] = window;
  const n = sample.fe.n;
  const width = hi - lo + 1;
  const binOf = new Int32Array(n).fill(-1); // e − lo, or −1 for never-treated units
  const counts = new Float64Array(width);
  for (let o = 0; o < n; o++) {
    const k = sample.cells[o]!;
    const i = Math.floor(k / T);
    const g = timing.start[i]!;
    if (g < 0) continue;
    const e = Math.min(hi, Math.max(lo, k - i * T - g));
    binOf[o] = e - lo;
    counts[e - lo] = counts[e - lo]! + 1;
  }
  const count = new Map<number, number>();
  for (let b = 0; b < width; b++) if (counts[b]! > 0) count.set(b + lo, counts[b]!);
  const times: number[] = [];
  for (let e = lo; e <= hi; e++) if (e !== -1 && (count.get(e) ?? 0) > 0) times.push(e);
  const cols = times.map(() => new Float64Array(n));
  const colOfBin = new Int32Array(width).fill(-1);
  times.forEach((e, j) => (colOfBin[e - lo] = j));
  for (let o = 0; o < n; o++) {
    const b = binOf[o]!;
    if (b < 0) continue;
    const j = colOfBin[b]!;
    if (j >= 0) cols[j]![o] = 1;
  }
  return { times, cols, count };
}

/**
 * Estimate TWFE DiD (and, with `eventWindow`, the event study) on a panel.
 * @throws InputError NO_TREATED_UNITS; EstimationError RANK_DEFICIENT | ABSORBED_BY_FIXED_EFFECTS | TOO_FEW_CLUSTERS
 */
/** The data of the regression: the estimation sample, y, D and the covariate columns over its observations. */
interface TwfeData {
  T: number;
  timing: Timing;
  sample: Sample;
  n: number;
  ctl: DemeanControl;
  y: Float64Array;
  D: Float64Array;
  covCols: Float64Array[];
  warnings: Warning[];
  diagnostics: Diagnostic[];
}

/** The event study: coefficients β_e for e in the window (reference e = −1), their fit and covariance. */
interface TwfeEvent {
  eventPath: Record<string, unknown>[] | undefined;
  /** For sensitivity analysis (honest.ts): the event coefficients and their covariance, rows = eventTimes. */
  eventCovariance?: { eventTimes: number[]; estimates: number[]; vcov: number[][]; df: number; clusters: number | null } | undefined;
  eventFit: FeFit | null;
  times: number[];
}

/**
 * Two-way fixed effects y_it = α_i + γ_t + τ D_it + X_it β + ε_it (unit and period effects absorbed),
 * optionally with an event study, and iid / HC1 / CR1 or wild-cluster-bootstrap inference:
 * prepare → fit → infer → event study → assemble.
 */
export function estimateTwfe(panel: Panel, opts: TwfeOptions, rng: Rng): Analysis {
  const d = prepareTwfe(panel, opts);
  const { fit, vc, coefficients } = fitTwfe(panel, opts, d);
  const tau = coefficients[0]!;
  const wild = inferTwfe(opts, d, fit, rng);
  negativeWeights(panel, d, fit);
  let convergence = fit.convergence;
  const ev = eventStudy(panel, opts, d);
  if (ev.converged === false) convergence = ev.convergence!;
  convergenceChecks(opts, d, convergence, wild);
  return assembleTwfe(panel, opts, d, { fit, vc, coefficients, tau, wild, convergence, ev });
}

/** The estimation sample (observed outcome, covariates and weight) and its columns. */
function prepareTwfe(panel: Panel, opts: TwfeOptions): TwfeData {
  const T = panel.periods.length;
  const timing = treatmentTiming(panel);
  const sample = buildSample(panel, opts);
  const n = sample.fe.n;
  if (n === 0) throw new InputError('NO_OBSERVATIONS', `${panel.file}: no unit-period has an observed outcome${panel.covariateNames.length ? ' and covariates' : ''}`, { file: panel.file });
  const ctl: DemeanControl = { maxIter: opts.maxIter, tol: opts.tol };
  const y = gather(panel.y, sample.cells);
  const D = gather(panel.treated, sample.cells);
  const covCols = panel.covariateNames.map((c) => gather(panel.covariates[c]!, sample.cells));
  return { T, timing, sample, n, ctl, y, D, covCols, warnings: [], diagnostics: [] };
}

/** τ̂ and β̂ by least squares on the demeaned columns; t-based intervals from the chosen covariance. */
function fitTwfe(panel: Panel, opts: TwfeOptions, d: TwfeData) {
  const fit = fitFe(d.sample, d.y, [d.D, ...d.covCols], ['treated', ...panel.covariateNames], d.ctl);
  const vc = vcovOf(fit, d.sample, opts.vcov);
  const crit = qt(0.5 + opts.level / 2, vc.df);
  const coefficients = fit.names.map((term, j) => {
    const est = fit.beta[j]!;
    const se = Math.sqrt(vc.V[j * fit.p + j]!);
    return { term, estimate: est, se, ci: [est - crit * se, est + crit * se] as [number, number], pValue: pValueT(est / se, vc.df) };
  });
  return { fit, vc, coefficients };
}

/** The wild cluster bootstrap (restricted, WCR) of τ̂, when asked for. */
function inferTwfe(opts: TwfeOptions, d: TwfeData, fit: FeFit, rng: Rng): WildResult | null {
  if (!(opts.wildBootstrap > 0)) return null;
  const wild = wildClusterBootstrap(fit, d.sample, opts.wildBootstrap, opts.wildWeights, opts.level, rng, d.ctl);
  if (opts.wildWeights === 'rademacher' && d.sample.nClusters <= 11) {
    d.warnings.push({ code: 'WILD_FEW_CLUSTERS', message: `with ${d.sample.nClusters} clusters Rademacher weights allow only ${2 ** d.sample.nClusters} distinct bootstrap samples, so p-values are coarse; use --wild-weights webb` });
  }
  return wild;
}

function negativeWeights(panel: Panel, d: TwfeData, fit: FeFit): void {
  const { n, D, timing, warnings, diagnostics } = d;
  // Negative-weight risk: treated cells whose residualised treatment is negative
  // get negative weight in τ̂ (de Chaisemartin & D'Haultfœuille 2020; Goodman-Bacon 2021).
  let negTreated = 0;
  let nTreatedCells = 0;
  for (let o = 0; o < n; o++) {
    if (D[o] === 1) {
      nTreatedCells++;
      if (fit.X[0]![o]! < 0) negTreated++;
    }
  }
  if (timing.staggered) {
    warnings.push({
      code: 'TWFE_STAGGERED',
      message: `treatment starts at ${timing.cohorts.length} different periods (${timing.cohorts.map((t) => panel.periods[t]).join(', ')}): with heterogeneous effects TWFE compares later- with earlier-treated units and can weight some effects negatively (${negTreated} of ${nTreatedCells} treated unit-periods carry negative weight here); use --method cs (Callaway & Sant'Anna) for staggered adoption`,
    });
  }
  diagnostics.push({
    code: 'NEGATIVE_WEIGHTS',
    passed: negTreated === 0,
    value: nTreatedCells > 0 ? negTreated / nTreatedCells : null,
    message: `${negTreated} of ${nTreatedCells} treated unit-periods get a negative weight in the TWFE estimate (share reported as value)`,
  });

}

/** Event-study coefficients and the joint pre-trend test (e ≤ −2). */
function eventStudy(panel: Panel, opts: TwfeOptions, d: TwfeData): TwfeEvent & { converged?: boolean; convergence?: FeFit['convergence'] } {
  const { sample, T, timing, y, covCols, ctl, warnings, diagnostics } = d;
  const level = opts.level;
  let converged: boolean | undefined;
  let evConvergence: FeFit['convergence'] | undefined;
  // Event study.
  let eventPath: Record<string, unknown>[] | undefined;
  let eventFit: FeFit | null = null;
  let eventV: Vcov | null = null;
  let times: number[] = [];
  let eventCovariance: { eventTimes: number[]; estimates: number[]; vcov: number[][]; df: number; clusters: number | null } | undefined;
  if (opts.eventWindow) {
    const ev = eventColumns(sample, timing, T, opts.eventWindow);
    times = ev.times;
    if (times.length === 0) throw new EstimationError('EMPTY_EVENT_WINDOW', `no treated unit-period falls in --event-window ${opts.eventWindow.join(':')}`, {});
    const names = [...times.map((e) => `event:${e}`), ...panel.covariateNames];
    eventFit = fitFe(sample, y, [...ev.cols, ...covCols.map((c) => Float64Array.from(c))], names, ctl, true);
    eventV = vcovOf(eventFit, sample, opts.vcov);
    if (!eventFit.convergence.converged) {
      converged = false;
      evConvergence = eventFit.convergence;
    }
    const c2 = qt(0.5 + level / 2, eventV.df);
    eventPath = [];
    for (let e = opts.eventWindow[0]; e <= opts.eventWindow[1]; e++) {
      const nObs = ev.count.get(e) ?? 0;
      if (e === -1) {
        eventPath.push({ eventTime: e, effect: 0, se: null, ci: null, n: nObs, reference: true });
        continue;
      }
      const j = times.indexOf(e);
      if (j < 0) {
        eventPath.push({ eventTime: e, effect: null, se: null, ci: null, n: 0 });
        continue;
      }
      const est = eventFit.beta[j]!;
      const se = Math.sqrt(eventV.V[j * eventFit.p + j]!);
      eventPath.push({ eventTime: e, effect: est, se, ci: [est - c2 * se, est + c2 * se], n: nObs, binned: e === opts.eventWindow[0] || e === opts.eventWindow[1] });
    }
    // Hook for sensitivity analysis (honest.ts): the event coefficients' covariance, rows = eventTimes.
    eventCovariance = { eventTimes: times, estimates: times.map((_, j) => eventFit!.beta[j]!), vcov: times.map((_, a) => times.map((__, b) => eventV!.V[a * eventFit!.p + b]!)), df: eventV.df, clusters: opts.vcov === 'cluster' ? sample.nClusters : null };
    // Joint Wald test of the pre-period coefficients (e ≤ −2).
    const pre = times.map((e, j) => [e, j] as const).filter(([e]) => e <= -2).map(([, j]) => j);
    if (pre.length > 0) {
      const k = pre.length;
      const b = Float64Array.from(pre, (j) => eventFit!.beta[j]!);
      const Vs = new Float64Array(k * k);
      pre.forEach((a, r) => pre.forEach((c, s) => (Vs[r * k + s] = eventV!.V[a * eventFit!.p + c]!)));
      const x = solveSpd(Vs, k, b);
      let W = 0;
      for (let r = 0; r < k; r++) W += b[r]! * x[r]!;
      const F = W / k;
      const pval = 1 - pf(F, k, eventV.df);
      diagnostics.push({
        code: 'PRE_TRENDS',
        passed: pval >= 1 - level,
        value: pval,
        message: `joint Wald test that the ${k} pre-period event coefficients (e = ${opts.eventWindow[0]}…−2, reference −1) are zero: W = ${W.toFixed(3)}, F(${k}, ${eventV.df}) = ${F.toFixed(3)}, p = ${pval.toPrecision(4)} (χ² p = ${(1 - pchisq(W, k)).toPrecision(4)}); ${pval >= 1 - level ? 'no evidence against parallel pre-trends' : 'pre-trends differ: parallel trends is doubtful'} (${TWFE_PRE_TREND_SCOPE})`,
        table: pre.map((j) => ({ eventTime: times[j], estimate: eventFit!.beta[j], se: Math.sqrt(eventV!.V[j * eventFit!.p + j]!) })),
      });
      if (pval < 1 - level) warnings.push(preTrendWarning('twfe', pval));
    } else {
      warnings.push({ code: 'NO_PRE_PERIODS', message: `--event-window ${opts.eventWindow.join(':')} has no pre-period coefficient besides the reference −1, so there is no pre-trend test; widen the window (e.g. -6:12)` });
    }
  }

  return { eventPath, eventCovariance, eventFit, times, ...(converged === false ? { converged, convergence: evConvergence! } : {}) };
}

/** Convergence of the absorbed fixed effects, and the few-clusters warning. */
function convergenceChecks(opts: TwfeOptions, d: TwfeData, convergence: FeFit['convergence'], wild: WildResult | null): void {
  const { sample, warnings, diagnostics } = d;
  diagnostics.push({
    code: 'FE_CONVERGENCE',
    passed: convergence.converged,
    value: convergence.iterations,
    message: `unit and period effects absorbed by alternating projections: ${convergence.converged ? 'converged' : 'did NOT converge'} in ${convergence.iterations} sweep(s) (tol ${opts.tol}, maxIter ${opts.maxIter})`,
  });
  if (!convergence.converged) warnings.push({ code: 'NOT_CONVERGED', message: `absorbing the fixed effects did not converge in ${opts.maxIter} sweeps; estimates may be inaccurate (the panel may be poorly connected)` });
  if (opts.vcov === 'cluster' && sample.nClusters < 42) {
    warnings.push({ code: 'FEW_CLUSTERS', message: `only ${sample.nClusters} clusters: cluster-robust (CR1) inference can over-reject; ${wild ? 'the wild cluster bootstrap p-value and interval are reported in estimate' : 'add --wild-bootstrap 999'}` });
  }

}

/** Per period: the treated units treated then, their mean outcome and effect (τ̂, or the event coefficients). */
function twfePath(panel: Panel, opts: TwfeOptions, d: TwfeData, tau: { estimate: number; ci: [number, number] }, ev: TwfeEvent): PathPoint[] {
  const { T, timing } = d;
  const { eventFit, times } = ev;
  const path: PathPoint[] = [];
  let cum = 0;
  for (let t = 0; t < T; t++) {
    let sy = 0, ny = 0, effSum = 0, ne = 0, anyTreated = false;
    for (let i = 0; i < panel.units.length; i++) {
      const g = timing.start[i]!;
      if (g < 0) continue;
      const k = i * T + t;
      const treatedNow = t >= g;
      if (treatedNow) anyTreated = true;
      if (!Number.isFinite(panel.y[k]!)) continue;
      if (anyTreatedAt(timing, t) && !treatedNow) continue; // post: only units treated now
      sy += panel.y[k]!;
      ny++;
      if (treatedNow) {
        let eff = tau.estimate;
        if (eventFit && opts.eventWindow) {
          const e = Math.min(opts.eventWindow[1], Math.max(opts.eventWindow[0], t - g));
          const j = times.indexOf(e);
          eff = e === -1 ? 0 : j >= 0 ? eventFit.beta[j]! : Number.NaN;
        }
        effSum += eff;
        ne++;
      }
    }
    const observed = ny > 0 ? sy / ny : null;
    if (!anyTreated) {
      path.push({ period: panel.periods[t]!, observed, counterfactual: null, effect: null, ci: null, cumulative: null, cumulativeCi: null });
      continue;
    }
    const effect = ne > 0 ? effSum / ne : null;
    if (effect !== null && Number.isFinite(effect)) cum += effect;
    path.push({
      period: panel.periods[t]!,
      observed,
      counterfactual: observed !== null && effect !== null ? observed - effect : null,
      effect,
      ci: eventFit ? null : tau.ci,
      cumulative: cum,
      cumulativeCi: null,
      treatedUnits: ne,
    });
  }

  return path;
}

function assembleTwfe(panel: Panel, opts: TwfeOptions, d: TwfeData, r: { fit: FeFit; vc: Vcov; coefficients: { term: string; estimate: number; se: number; ci: [number, number]; pValue: number }[]; tau: { estimate: number; se: number; ci: [number, number]; pValue: number }; wild: WildResult | null; convergence: FeFit['convergence']; ev: TwfeEvent }): Analysis {
  const { fit, vc, coefficients, tau, wild, convergence } = r;
  const { eventPath, eventCovariance } = r.ev;
  const { sample, n, timing, warnings, diagnostics } = d;
  const level = opts.level;
  const path = twfePath(panel, opts, d, tau, r.ev);
  const units: UnitResult[] = [];
  for (let i = 0; i < panel.units.length; i++) {
    const g = timing.start[i]!;
    if (g < 0) continue;
    units.push({ unit: panel.units[i]!, att: null, preRmspe: null, weights: null, start: panel.periods[g]!, cohort: panel.periods[g]! });
  }

  const estimate = {
    att: tau.estimate,
    se: tau.se,
    ci: wild ? wild.ci : tau.ci,
    level,
    pValue: wild ? wild.pValue : tau.pValue,
    inference: wild ? `wild-cluster-bootstrap-${opts.wildWeights}` : opts.vcov === 'cluster' ? 'cluster-robust-CR1' : opts.vcov === 'hc1' ? 'heteroskedasticity-robust-HC1' : 'iid',
    cumulative: null,
    analytic: { se: tau.se, ci: tau.ci, pValue: tau.pValue, df: vc.df },
    wildBootstrap: wild,
  };

  return {
    method: 'twfe',
    options: {
      method: 'twfe',
      vcov: opts.vcov,
      cluster: opts.vcov === 'cluster' ? opts.clusterName : null,
      weights: opts.weightsName,
      covariates: panel.covariateNames,
      eventWindow: opts.eventWindow ? `${opts.eventWindow[0]}:${opts.eventWindow[1]}` : null,
      reference: opts.eventWindow ? -1 : null,
      wildBootstrap: opts.wildBootstrap,
      wildWeights: opts.wildBootstrap > 0 ? opts.wildWeights : null,
      level,
      seed: opts.seed,
      maxIter: opts.maxIter,
      tol: opts.tol,
    },
    estimate,
    path,
    units,
    diagnostics,
    warnings,
    coefficients,
    ...(eventPath ? { eventPath, eventCovariance } : {}),
    details: {
      observations: n,
      units: sample.nUnitsObs,
      periods: sample.nPeriodsObs,
      clusters: opts.vcov === 'cluster' ? sample.nClusters : null,
      K: vc.K,
      dfResidual: vc.df,
      smallSampleFactor: vc.factor,
      ssc:
        opts.vcov === 'cluster'
          ? `CR1: G/(G−1)·(n−1)/(n−K) with G = ${sample.nClusters}, n = ${n}, K = ${vc.K} (${fit.p} slope coefficient(s) + fixed effects not nested in the clusters: unit effects ${sample.unitNested ? 'nested (levels not counted, the intercept they absorb is)' : 'counted'}, period effects ${sample.periodNested ? 'nested (levels not counted, the intercept they absorb is)' : 'counted'}; fixest ssc(fixef.K = "nested"))`
          : opts.vcov === 'hc1'
            ? `HC1: n/(n−K), K = ${vc.K} = slopes + units + periods − 1`
            : `iid: σ² = RSS/(n−K), K = ${vc.K} = slopes + units + periods − 1`,
      fixedEffects: { converged: convergence.converged, iterations: convergence.iterations },
      cohorts: timing.cohorts.map((t) => ({ start: panel.periods[t], units: Array.from(timing.start).filter((s) => s === t).length })),
      neverTreated: timing.nNever,
    },
  };
}

/** out[o] = src[cells[o]] (a loop: Float64Array.from with a map function is several times slower). */
function gather(src: Float64Array | Uint8Array, cells: Int32Array): Float64Array {
  const out = new Float64Array(cells.length);
  for (let o = 0; o < cells.length; o++) out[o] = src[cells[o]!]!;
  return out;
}

function anyTreatedAt(timing: Timing, t: number): boolean {
  return timing.cohorts.length > 0 && timing.cohorts[0]! <= t;
}

/** Validate the TWFE options that depend on each other. @throws UsageError */
export function checkTwfeOptions(o: TwfeOptions): void {
  if (o.eventWindow) {
    const [lo, hi] = o.eventWindow;
    if (!(lo <= -1 && hi >= 0 && Number.isInteger(lo) && Number.isInteger(hi))) {
      throw new UsageError('BAD_EVENT_WINDOW', `--event-window ${lo}:${hi} must run from a negative to a non-negative event time around the reference −1, e.g. -12:12`, { lo, hi });
    }
  }
  if (o.wildBootstrap > 0 && o.vcov !== 'cluster') {
    throw new UsageError('WILD_NEEDS_CLUSTER', '--wild-bootstrap resamples clusters: use it with --vcov cluster (the default)', {});
  }
}

/** Exposed for tests: the sample and fit used by the static model. */
export const internals = { buildSample, fitFe, vcovOf };
