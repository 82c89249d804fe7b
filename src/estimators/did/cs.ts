/**
 * Callaway & Sant'Anna (2021), "Difference-in-Differences with multiple time
 * periods", J. Econometrics 225(2): group-time average treatment effects
 * ATT(g,t) for staggered adoption, their aggregations and inference.
 *
 * Notation: G_i is unit i's first treated period (its cohort g; G = ∞ never
 * treated); n units (balanced panel). For cohort g and period t the base period is
 *   b = g − 1 for t ≥ g (post; no anticipation), and
 *   b = t − 1 for t < g ("varying" base, the did package's default; pre-period
 *   ATT(g,t) are then one-period placebo changes) or b = g − 1 ("universal" base:
 *   every pre-period compares with g − 1, and ATT(g, g−1) ≡ 0 is the reference).
 * Comparison group C_{g,t}: never treated (`never`), or never treated plus units
 * with G > max(t, b), excluding cohort g (`notyet`).
 *
 * Outcome regression (OR; Heckman, Ichimura & Todd 1997; Sant'Anna & Zhao 2020 §2):
 * with ΔY_i = Y_it − Y_ib and X_i = (1, covariates at b), β̂ is OLS of ΔY on X in
 * C_{g,t}, and ATT(g,t) = E_n[D(ΔY − Xᵀβ̂)] / E_n[D] over units in g ∪ C_{g,t}.
 * Without covariates this is the difference of mean changes.
 * Influence function on that subsample (size n_s), with p̄ = E_n[D],
 * H = E_n[(1−D)XXᵀ], m = E_n[DX]:
 *   ψ_i = D_i(ΔY_i − X_iᵀβ̂ − ATT)/p̄ − mᵀH⁻¹(1−D_i)X_i(ΔY_i − X_iᵀβ̂)/p̄,
 * rescaled by n/n_s to the full sample (zero outside it), so that
 * Var(ATT̂) ≈ Σ_i ψ_i² / n².
 *
 * Doubly robust (`dr`; Sant'Anna & Zhao 2020 eq. 3.1): see {@link drAtt}; it adds a
 * logit propensity score and stays consistent if either model is right.
 *
 * Aggregations θ = Σ_k w_k ATT_k with w_k ∝ P(G = g_k) (CS 2021 §3, eqs. 3.4–3.11):
 *   simple: all post cells (t ≥ g);  group θ(g): mean over t ≥ g, overall Σ_g θ(g)P(G=g|post);
 *   dynamic θ(e): cells with t − g = e, overall = mean of θ(e) over e ≥ 0;
 *   calendar θ(t): cells with g ≤ t, overall = mean of θ(t).
 * Their influence functions add the estimation error of the weights:
 *   IF(w_k)_i = [(1{G_i=g_k} − p_k)S − p_k Σ_j(1{G_i=g_j} − p_j)]/S², S = Σ_j p_j.
 * Multiplier bootstrap (CS 2021 Algorithm 1; Rademacher multipliers per unit by default):
 *   θ*_k − θ_k = (1/n) Σ_i V_i ψ_ik; se*_k = IQR of the draws / (z.75 − z.25); the uniform band
 *   θ̂_k ± ĉ·se*_k uses ĉ = the (level) quantile of max_k |θ*_k − θ_k| / se*_k over the elements
 *   of each table. With small cohorts (< 100 units) the band under-covers (a finite-sample gap of
 *   the Gaussian approximation, not a deviation from the paper; tests/did/coverage.test.ts) and
 *   the document says so (UNIFORM_BAND_SMALL_COHORTS).
 */
import { csPreTrendScope, preTrendWarning } from './preTrends.js';
import type { Panel } from '../../core/panel.js';
import { EstimationError, InputError } from '../../core/errors.js';
import { lstsq, solveSpd } from '../../core/linalg.js';
import { pchisq, pValueNormal, qnorm, quantileSorted } from '../../core/stats.js';
import type { Rng } from '../../core/rng.js';
import { eachReplicate, multiplierWeights } from '../../inference/resample.js';
import type { Analysis, Diagnostic, PathPoint, UnitResult, Warning } from '../../core/result.js';
import { treatmentTiming } from './design.js';

export const CS_CONTROLS = ['never', 'notyet'] as const;
export type CsControl = (typeof CS_CONTROLS)[number];
export const BASE_PERIODS = ['varying', 'universal'] as const;
export type BasePeriod = (typeof BASE_PERIODS)[number];

export const CS_ESTIMATORS = ['or', 'dr'] as const;
export type CsEstimator = (typeof CS_ESTIMATORS)[number];

export interface CsOptions {
  control: CsControl;
  /** 'or' outcome regression; 'dr' doubly robust (logit propensity score + outcome regression). */
  estimator: CsEstimator;
  basePeriod: BasePeriod;
  /** Multiplier-bootstrap replications for uniform bands (0 = no bands). */
  boots: number;
  /** Multiplier distribution (default Rademacher, as the did package). */
  multiplier?: CsMultiplier;
  /** What studentises the sup-t statistic and scales the band (default the bootstrap IQR SE, CS 2021 Algorithm 1). */
  bandScale?: CsBandScale;
  level: number;
  seed: number;
}

export const CS_DEFAULTS = { estimator: 'or' as CsEstimator, control: 'never' as CsControl, basePeriod: 'varying' as BasePeriod, boots: 999, multiplier: 'rademacher' as CsMultiplier, bandScale: 'bootstrap' as CsBandScale };

interface Cell {
  g: number;
  t: number;
  base: number;
  att: number;
  /** Full-sample influence function, length n. */
  psi: Float64Array;
  se: number;
  nTreated: number;
  nControl: number;
  reference: boolean;
}

interface Element {
  att: number;
  psi: Float64Array;
  se: number;
}

function seOf(psi: Float64Array): number {
  let s = 0;
  for (let i = 0; i < psi.length; i++) s += psi[i]! * psi[i]!;
  return Math.sqrt(s) / psi.length;
}

/**
 * Weighted aggregation Σ_k w_k θ_k with w_k ∝ p[grp_k], including the influence of estimating p.
 * `cohortOf[i]` is unit i's cohort (−1 never); `p[g]` = share of units in cohort g.
 */
function aggregateByGroupShare(items: { att: number; psi: Float64Array; g: number }[], cohortOf: Int32Array, p: Map<number, number>): Element {
  const n = cohortOf.length;
  const S = items.reduce((s, it) => s + p.get(it.g)!, 0);
  const att = items.reduce((s, it) => s + (p.get(it.g)! / S) * it.att, 0);
  const psi = new Float64Array(n);
  for (const it of items) {
    const w = p.get(it.g)! / S;
    for (let i = 0; i < n; i++) psi[i] = psi[i]! + w * it.psi[i]!;
  }
  // Weight-estimation term: Σ_k θ_k IF(w_k).
  for (let i = 0; i < n; i++) {
    let sumDev = 0;
    for (const it of items) sumDev += (cohortOf[i] === it.g ? 1 : 0) - p.get(it.g)!;
    let add = 0;
    for (const it of items) {
      const pk = p.get(it.g)!;
      const ifw = (((cohortOf[i] === it.g ? 1 : 0) - pk) * S - pk * sumDev) / (S * S);
      add += it.att * ifw;
    }
    psi[i] = psi[i]! + add;
  }
  return { att, psi, se: seOf(psi) };
}

/** Equal-weight average of elements (fixed weights). */
function average(items: Element[]): Element {
  const n = items[0]!.psi.length;
  const m = items.length;
  const psi = new Float64Array(n);
  let att = 0;
  for (const it of items) {
    att += it.att / m;
    for (let i = 0; i < n; i++) psi[i] = psi[i]! + it.psi[i]! / m;
  }
  return { att, psi, se: seOf(psi) };
}

/** Multiplier distributions: Rademacher ±1 (the did package's), Mammen (1993) two-point, standard normal. */
export const CS_MULTIPLIERS = ['rademacher', 'mammen', 'gaussian'] as const;
export type CsMultiplier = (typeof CS_MULTIPLIERS)[number];
/** Scale of the sup-t statistic and of the band: the bootstrap IQR SE (CS 2021 Algorithm 1) or the analytic SE. */
export const CS_BAND_SCALES = ['bootstrap', 'analytic'] as const;
export type CsBandScale = (typeof CS_BAND_SCALES)[number];

/** Cohort size (units) under which the uniform band is flagged as approximate (UNIFORM_BAND_SMALL_COHORTS). */
const SMALL_COHORT = 100;
/** Monte Carlo coverage of the 95% uniform dynamic band, Rademacher multipliers, from tests/did/coverage.test.ts (slow). */
const BAND_COVERAGE_15 = '88%';
const BAND_COVERAGE_50 = '91.5%';


/**
 * Multiplier bootstrap for several tables of elements at once (same multipliers), CS 2021
 * Algorithm 1: draw V_1…V_n (mean 0, variance 1), R*_k = √n·E_n[V ψ_k] (= √n(θ*_k − θ̂_k));
 * Σ̂_k^{1/2} = (q_.75 − q_.25)/(z_.75 − z_.25) of the B draws of R*_k (robust bootstrap SE);
 * ĉ = the `level` quantile of max_k |R*_k|/Σ̂_k^{1/2} over the elements of a table;
 * band θ̂_k ± ĉ·Σ̂_k^{1/2}/√n. Here draws are kept on the θ scale (E_n[Vψ_k], so the bootstrap
 * SE is Σ̂_k^{1/2}/√n directly). `scale` 'analytic' studentises by the analytic SE instead
 * (the behaviour before issue 15's follow-up; kept for the Monte Carlo comparison).
 * Elements whose scale is zero (reference cells) are left out of the max.
 * Returns per table the critical value ĉ, the bootstrap SEs and the SEs the band uses.
 */
function multiplierBootstrap(tables: Element[][], n: number, B: number, level: number, rng: Rng, multiplier: CsMultiplier, scale: CsBandScale): { crit: number | null; seBoot: (number | null)[]; bandSe: (number | null)[] }[] {
  const all = tables.flat();
  const K = all.length;
  const draws = new Float64Array(B * K);
  const v = new Float64Array(n);
  // draw b: E_n[V ψ_k] with multipliers V from stream b (src/inference/resample.ts)
  eachReplicate(B, rng, (r, b) => {
    multiplierWeights(r, v, multiplier, n);
    for (let k = 0; k < K; k++) {
      const psi = all[k]!.psi;
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i]! * psi[i]!;
      draws[b * K + k] = s / n;
    }
  });
  const out: { crit: number | null; seBoot: (number | null)[]; bandSe: (number | null)[] }[] = [];
  const q25 = qnorm(0.75) - qnorm(0.25);
  let off = 0;
  for (const tab of tables) {
    const seBoot = tab.map((e, j) => {
      if (!(e.se > 1e-300)) return null;
      const col = Float64Array.from({ length: B }, (_, b) => draws[b * K + off + j]!).sort();
      const s = (quantileSorted(col, 0.75) - quantileSorted(col, 0.25)) / q25;
      return s > 0 ? s : null;
    });
    const bandSe = tab.map((e, j) => (scale === 'bootstrap' ? seBoot[j]! : e.se > 1e-300 ? e.se : null));
    const usable = bandSe.map((s, j) => (s !== null ? j : -1)).filter((j) => j >= 0);
    let crit: number | null = null;
    if (usable.length > 0) {
      const mx = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        let m = 0;
        for (const j of usable) m = Math.max(m, Math.abs(draws[b * K + off + j]!) / bandSe[j]!);
        mx[b] = m;
      }
      mx.sort();
      crit = quantileSorted(mx, level);
    }
    out.push({ crit, seBoot, bandSe });
    off += tab.length;
  }
  return out;
}

/**
 * Doubly robust DiD for one (g,t) cell (Sant'Anna & Zhao 2020, eq. 3.1, panel data),
 * given the outcome-regression residuals r_i = ΔY_i − X_iᵀβ̂ (β̂ from the comparison units).
 * Propensity score π(X) = logistic(Xᵀγ) by maximum likelihood (Newton–Raphson by
 * weighted least squares, maxIter 100, tol 1e-10 on the step); w1 = D, w0 = π(1−D)/(1−π):
 *   ATT = E[w1 r]/E[w1] − E[w0 r]/E[w0].
 * Returns the influence function on the subsample except the β̂ term, and
 * mDiff = E[w1X]/E[w1] − E[w0X]/E[w0] for the caller to add it. The γ̂ term is included:
 *   −cᵀH_γ⁻¹X_i(D_i − π_i), c = E[w0(r − η0)X]/E[w0], H_γ = E[π(1−π)XXᵀ].
 */
function drAtt(X: Float64Array, D: Float64Array, ns: number, p: number, r: Float64Array): { att: number; psi: Float64Array; mDiff: Float64Array; converged: boolean; maxPs: number } {
  const gamma = new Float64Array(p);
  const pi = new Float64Array(ns);
  const Xw = new Float64Array(ns * p);
  const z = new Float64Array(ns);
  let converged = false;
  for (let it = 0; it < 100; it++) {
    for (let i = 0; i < ns; i++) {
      let e = 0;
      for (let a = 0; a < p; a++) e += X[i * p + a]! * gamma[a]!;
      pi[i] = 1 / (1 + Math.exp(-e));
      const w = Math.max(pi[i]! * (1 - pi[i]!), 1e-12);
      const sw = Math.sqrt(w);
      for (let a = 0; a < p; a++) Xw[i * p + a] = sw * X[i * p + a]!;
      z[i] = (D[i]! - pi[i]!) / sw;
    }
    const step = lstsq(Xw, ns, p, z).beta;
    let mx = 0;
    for (let a = 0; a < p; a++) {
      gamma[a] = gamma[a]! + step[a]!;
      mx = Math.max(mx, Math.abs(step[a]!));
    }
    if (mx < 1e-10) {
      converged = true;
      break;
    }
  }
  let maxPs = 0;
  for (let i = 0; i < ns; i++) {
    let e = 0;
    for (let a = 0; a < p; a++) e += X[i * p + a]! * gamma[a]!;
    pi[i] = 1 / (1 + Math.exp(-e));
    if (D[i] === 0) maxPs = Math.max(maxPs, pi[i]!);
  }
  const w1 = D;
  const w0 = Float64Array.from(pi, (q, i) => (D[i] === 1 ? 0 : q / (1 - q)));
  const mean = (f: (i: number) => number) => {
    let s = 0;
    for (let i = 0; i < ns; i++) s += f(i);
    return s / ns;
  };
  const e1 = mean((i) => w1[i]!);
  const e0 = mean((i) => w0[i]!);
  const eta1 = mean((i) => w1[i]! * r[i]!) / e1;
  const eta0 = mean((i) => w0[i]! * r[i]!) / e0;
  const mDiff = new Float64Array(p);
  const c = new Float64Array(p);
  const H = new Float64Array(p * p);
  for (let i = 0; i < ns; i++) {
    for (let a = 0; a < p; a++) {
      const xa = X[i * p + a]!;
      mDiff[a] = mDiff[a]! + (w1[i]! * xa) / (ns * e1) - (w0[i]! * xa) / (ns * e0);
      c[a] = c[a]! + (w0[i]! * (r[i]! - eta0) * xa) / (ns * e0);
      for (let b = 0; b < p; b++) H[a * p + b] = H[a * p + b]! + (pi[i]! * (1 - pi[i]!) * xa * X[i * p + b]!) / ns;
    }
  }
  const hc = solveSpd(H, p, c);
  const psi = new Float64Array(ns);
  for (let i = 0; i < ns; i++) {
    let xh = 0;
    for (let a = 0; a < p; a++) xh += X[i * p + a]! * hc[a]!;
    psi[i] = (w1[i]! * (r[i]! - eta1)) / e1 - (w0[i]! * (r[i]! - eta0)) / e0 - xh * (D[i]! - pi[i]!);
  }
  return { att: eta1 - eta0, psi, mDiff, converged, maxPs };
}

/**
 * Estimate ATT(g,t) and the four aggregations.
 * @throws InputError NO_TREATED_UNITS | NO_COMPARISON_UNITS; EstimationError RANK_DEFICIENT
 */
export function estimateCs(panel: Panel, opts: CsOptions, rng: Rng): Analysis {
  // Prepare: balanced sample of n units, cohorts g with shares P(G = g).
  const setup = prepareCs(panel, opts);
  // Fit: ATT(g,t) with influence functions ψ (n each), then the aggregations θ.
  const cells = fitCells(panel, opts, setup);
  const agg = aggregateCs(setup, cells);
  // Infer: multiplier bootstrap for the uniform bands, pre-trend Wald test.
  const boot = bootstrapCs(panel, opts, setup, agg, rng);
  preTrendTest(opts, setup, agg.est);
  // Assemble the document.
  return assembleCs(panel, opts, setup, agg, boot);
}

/** The estimation sample: n kept units (balanced, not always treated), their cohorts G_j (−1 = never), T periods. */
interface CsSetup {
  T: number;
  n: number;
  keep: number[];
  /** G_j for each kept unit j (length n); negative = never treated. */
  cohortOf: Int32Array;
  /** Treated cohorts g, ascending. */
  cohorts: number[];
  nNever: number;
  /** P(G = g) = n_g / n. */
  pShare: Map<number, number>;
  covs: readonly string[];
  yAt: (j: number, t: number) => number;
  xAt: (j: number, t: number, c: string) => number;
  level: number;
  /** z_{(1+level)/2} for pointwise intervals. */
  z: number;
  warnings: Warning[];
  diagnostics: Diagnostic[];
}

/**
 * Prepare: keep units observed in every period (balanced panel, as CS's panel estimator needs),
 * drop units treated in the first period (no untreated base period), and check that a treated
 * cohort and (with --control never) a never-treated unit remain.
 */
function prepareCs(panel: Panel, opts: CsOptions): CsSetup {
  const T = panel.periods.length;
  const timing = treatmentTiming(panel);
  const warnings: Warning[] = [];
  const diagnostics: Diagnostic[] = [];
  const level = opts.level;
  const z = qnorm(0.5 + level / 2);
  const covs = panel.covariateNames;
  const keep: number[] = [];
  const droppedMissing: string[] = [];
  const droppedAlways: string[] = [];
  for (let i = 0; i < panel.units.length; i++) {
    let ok = true;
    for (let t = 0; t < T && ok; t++) {
      const k = i * T + t;
      if (!Number.isFinite(panel.y[k]!)) ok = false;
      for (const c of covs) if (!Number.isFinite(panel.covariates[c]![k]!)) ok = false;
    }
    if (!ok) droppedMissing.push(panel.units[i]!);
    else if (timing.start[i] === 0) droppedAlways.push(panel.units[i]!);
    else keep.push(i);
  }
  if (droppedMissing.length > 0) {
    warnings.push({ code: 'UNBALANCED_UNITS_DROPPED', message: `${droppedMissing.length} unit(s) with a missing outcome${covs.length ? ' or covariate' : ''} in some period were dropped (the estimator needs a balanced panel): ${droppedMissing.slice(0, 5).join(', ')}${droppedMissing.length > 5 ? ', …' : ''}` });
  }
  if (droppedAlways.length > 0) {
    warnings.push({ code: 'ALWAYS_TREATED_DROPPED', message: `${droppedAlways.length} unit(s) treated already in the first period ${panel.periods[0]} have no untreated base period and were dropped: ${droppedAlways.slice(0, 5).join(', ')}${droppedAlways.length > 5 ? ', …' : ''}` });
  }
  const n = keep.length;
  const cohortOf = Int32Array.from(keep, (i) => timing.start[i]!);
  const cohorts = [...new Set(Array.from(cohortOf).filter((g) => g > 0))].sort((a, b) => a - b);
  if (cohorts.length === 0) throw new InputError('NO_TREATED_UNITS', `${panel.file}: after dropping incomplete and always-treated units no treated unit is left`, { file: panel.file });
  const nNever = Array.from(cohortOf).filter((g) => g < 0).length;
  if (opts.control === 'never' && nNever === 0) {
    throw new InputError('NO_COMPARISON_UNITS', `${panel.file}: no never-treated unit is left, so --control never has no comparison group; use --control notyet (compares with units not yet treated)`, { file: panel.file });
  }
  const pShare = new Map<number, number>();
  for (const g of cohorts) pShare.set(g, Array.from(cohortOf).filter((c) => c === g).length / n);
  const yAt = (j: number, t: number) => panel.y[keep[j]! * T + t]!;
  const xAt = (j: number, t: number, c: string) => panel.covariates[c]![keep[j]! * T + t]!;
  return { T, n, keep, cohortOf, cohorts, nNever, pShare, covs, yAt, xAt, level, z, warnings, diagnostics };
}

/** Cell-level problems collected while fitting, reported as warnings after the loop. */
interface CellIssues {
  skipped: string[];
  notConverged: string[];
  overlap: string[];
}

/**
 * Fit: ATT(g,t) for every cohort g and period t with its base period b (varying: b = t − 1
 * before g; universal: b = g − 1, with ATT(g, g−1) ≡ 0 as the reference cell).
 */
function fitCells(panel: Panel, opts: CsOptions, setup: CsSetup): Cell[] {
  const { T, n, cohortOf, cohorts, warnings } = setup;
  const cells: Cell[] = [];
  const issues: CellIssues = { skipped: [], notConverged: [], overlap: [] };
  for (const g of cohorts) {
    for (let t = 0; t < T; t++) {
      let base: number;
      if (t >= g) base = g - 1;
      else if (opts.basePeriod === 'varying') {
        if (t === 0) continue;
        base = t - 1;
      } else {
        base = g - 1;
        if (t === g - 1) {
          cells.push({ g, t, base, att: 0, psi: new Float64Array(n), se: 0, nTreated: Array.from(cohortOf).filter((c) => c === g).length, nControl: 0, reference: true });
          continue;
        }
      }
      const cell = fitCell(panel, opts, setup, g, t, base, issues);
      if (cell) cells.push(cell);
    }
  }
  const { notConverged, overlap, skipped } = issues;
  if (notConverged.length > 0) warnings.push({ code: 'NOT_CONVERGED', message: `the propensity-score logit did not converge for ${notConverged.length} ATT(g,t) cell(s): ${notConverged.slice(0, 6).join(', ')}; the covariates may separate treated from comparison units` });
  if (overlap.length > 0) warnings.push({ code: 'WEAK_OVERLAP', message: `estimated propensity scores above 0.995 in ${overlap.length} ATT(g,t) cell(s) (${overlap.slice(0, 6).join(', ')}): some treated units have almost no comparable comparison units; the doubly robust weights are unstable` });
  if (skipped.length > 0) warnings.push({ code: 'NO_COMPARISON_FOR_CELL', message: `${skipped.length} ATT(g,t) cell(s) have no comparison unit and were left out: ${skipped.slice(0, 6).join(', ')}${skipped.length > 6 ? ', …' : ''}` });
  return cells;
}

/** One cell's regression inputs: comparison design X_c (n_c × p, row-major) and ΔY_c (n_c), β̂ and residual r_j = ΔY_j − X_jᵀβ̂. */
interface CellRegression {
  treatedIdx: number[];
  controlIdx: number[];
  sub: number[];
  ns: number;
  nc: number;
  p: number;
  Xc: Float64Array;
  resid: (j: number) => number;
}

/**
 * ATT(g,t) on g ∪ C_{g,t} (size n_s): OLS of ΔY = Y_t − Y_b on X = (1, covariates at b) in the
 * comparison group, then outcome regression or doubly robust; ψ rescaled by n/n_s (length n).
 * Returns null (and records the cell) when C_{g,t} is empty.
 */
function fitCell(panel: Panel, opts: CsOptions, setup: CsSetup, g: number, t: number, base: number, issues: CellIssues): Cell | null {
  const { n, cohortOf, covs, yAt, xAt } = setup;
  const horizon = Math.max(t, base);
  const treatedIdx: number[] = [];
  const controlIdx: number[] = [];
  for (let j = 0; j < n; j++) {
    const c = cohortOf[j]!;
    if (c === g) treatedIdx.push(j);
    else if (c < 0) controlIdx.push(j);
    else if (opts.control === 'notyet' && c > horizon) controlIdx.push(j);
  }
  if (controlIdx.length === 0) {
    issues.skipped.push(`(${panel.periods[g]}, ${panel.periods[t]})`);
    return null;
  }
  const sub = [...treatedIdx, ...controlIdx];
  const ns = sub.length;
  const p = 1 + covs.length;
  // Regression of ΔY on X in the comparison group.
  const nc = controlIdx.length;
  if (nc < p) throw new EstimationError('TOO_FEW_COMPARISON_UNITS', `ATT(${panel.periods[g]}, ${panel.periods[t]}): ${nc} comparison unit(s) for ${p} regression coefficient(s); drop covariates or use --control notyet`, { group: panel.periods[g], period: panel.periods[t] });
  const Xc = new Float64Array(nc * p);
  const dyc = new Float64Array(nc);
  controlIdx.forEach((j, r) => {
    Xc[r * p] = 1;
    covs.forEach((c, k) => (Xc[r * p + 1 + k] = xAt(j, base, c)));
    dyc[r] = yAt(j, t) - yAt(j, base);
  });
  const fit = lstsq(Xc, nc, p, dyc, ['(intercept)', ...covs]);
  const beta = fit.beta;
  const resid = (j: number) => {
    let e = yAt(j, t) - yAt(j, base) - beta[0]!;
    covs.forEach((c, k) => (e -= beta[k + 1]! * xAt(j, base, c)));
    return e;
  };
  const reg: CellRegression = { treatedIdx, controlIdx, sub, ns, nc, p, Xc, resid };
  const { att, psi } = opts.estimator === 'dr' ? drCell(panel, setup, g, t, base, reg, issues) : orCell(setup, base, reg);
  return { g, t, base, att, psi, se: seOf(psi), nTreated: treatedIdx.length, nControl: nc, reference: false };
}

/** H = E[(1−D)XXᵀ] on the subsample (p × p): Σ over comparison rows of X_c X_cᵀ / n_s. */
function comparisonGram(reg: CellRegression): Float64Array {
  const { p, nc, ns, Xc } = reg;
  const H = new Float64Array(p * p);
  for (let r = 0; r < nc; r++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) H[a * p + b] = H[a * p + b]! + (Xc[r * p + a]! * Xc[r * p + b]!) / ns;
  return H;
}

/** Doubly robust cell (Sant'Anna & Zhao 2020): {@link drAtt} plus the outcome-regression (β̂) correction of ψ. */
function drCell(panel: Panel, setup: CsSetup, g: number, t: number, base: number, reg: CellRegression, issues: CellIssues): { att: number; psi: Float64Array } {
  const { n, cohortOf, covs, xAt } = setup;
  const { sub, ns, nc, p, Xc, controlIdx, resid } = reg;
  const psi = new Float64Array(n);
  const scale = n / ns;
  const X = new Float64Array(ns * p);
  const D = new Float64Array(ns);
  sub.forEach((j, r) => {
    X[r * p] = 1;
    covs.forEach((c, k) => (X[r * p + 1 + k] = xAt(j, base, c)));
    D[r] = cohortOf[j] === g ? 1 : 0;
  });
  const dr = drAtt(X, D, ns, p, Float64Array.from(sub, (j) => resid(j)));
  if (!dr.converged) issues.notConverged.push(`(${panel.periods[g]}, ${panel.periods[t]})`);
  if (dr.maxPs > 0.995) issues.overlap.push(`(${panel.periods[g]}, ${panel.periods[t]})`);
  const att = dr.att;
  sub.forEach((j, r) => (psi[j] = scale * dr.psi[r]!));
  // Outcome-regression correction (estimated β): −(E[w1X]/E[w1] − E[w0X]/E[w0])ᵀ H_β⁻¹ (1−D)X r.
  const hb = p === 1 ? Float64Array.of(dr.mDiff[0]! / (nc / ns)) : solveSpd(comparisonGram(reg), p, dr.mDiff);
  controlIdx.forEach((j, r) => {
    let xh = 0;
    for (let a = 0; a < p; a++) xh += Xc[r * p + a]! * hb[a]!;
    psi[j] = psi[j]! - scale * xh * resid(j);
  });
  return { att, psi };
}

/** Outcome-regression cell: ATT = mean of r over cohort g; ψ_i = D_i(r_i − ATT)/p̄ − mᵀH⁻¹(1−D_i)X_i r_i/p̄, times n/n_s. */
function orCell(setup: CsSetup, base: number, reg: CellRegression): { att: number; psi: Float64Array } {
  const { n, covs, xAt } = setup;
  const { treatedIdx, controlIdx, ns, nc, p, Xc, resid } = reg;
  const psi = new Float64Array(n);
  const scale = n / ns;
  const pbar = treatedIdx.length / ns;
  let att = 0;
  for (const j of treatedIdx) att += resid(j);
  att /= treatedIdx.length;
  // mᵀH⁻¹ with m = E[D X], H = E[(1−D) X Xᵀ] (subsample means).
  const m = new Float64Array(p);
  for (const j of treatedIdx) {
    m[0] = m[0]! + 1 / ns;
    covs.forEach((c, k) => (m[k + 1] = m[k + 1]! + xAt(j, base, c) / ns));
  }
  const hinvM = p === 1 ? Float64Array.of(m[0]! / (nc / ns)) : solveSpd(comparisonGram(reg), p, m);
  for (const j of treatedIdx) psi[j] = (scale * (resid(j) - att)) / pbar;
  controlIdx.forEach((j, r) => {
    let xh = 0;
    for (let a = 0; a < p; a++) xh += Xc[r * p + a]! * hinvM[a]!;
    psi[j] = (-scale * xh * resid(j)) / pbar;
  });
  return { att, psi };
}

type DynRow = { e: number; el: Element; reference: boolean; nUnits: number };

/** The cells and their aggregations θ (CS 2021 §3): simple, group θ(g), dynamic θ(e), calendar θ(t), each with ψ (n). */
interface CsAggregates {
  cells: Cell[];
  est: Cell[];
  post: Cell[];
  simple: Element;
  groupRows: { g: number; el: Element }[];
  groupAll: Element;
  dynRows: DynRow[];
  dynamicAll: Element;
  calRows: { t: number; el: Element }[];
  calendarAll: Element;
}

/** Aggregations with weights ∝ P(G = g) and their influence functions (eqs. 3.4–3.11). */
function aggregateCs(setup: CsSetup, cells: Cell[]): CsAggregates {
  const { n, cohortOf, cohorts, pShare } = setup;
  const est = cells.filter((c) => !c.reference);
  const post = est.filter((c) => c.t >= c.g);
  if (post.length === 0) throw new EstimationError('NO_POST_CELLS', 'no post-treatment ATT(g,t) could be estimated (no comparison units after treatment starts)', {});
  const simple = aggregateByGroupShare(post.map((c) => ({ att: c.att, psi: c.psi, g: c.g })), cohortOf, pShare);
  const groupRows = cohorts
    .map((g) => {
      const cs = post.filter((c) => c.g === g);
      return cs.length ? { g, el: average(cs.map((c) => ({ att: c.att, psi: c.psi, se: c.se }))) } : null;
    })
    .filter((r): r is { g: number; el: Element } => r !== null);
  const groupAll = aggregateByGroupShare(groupRows.map((r) => ({ att: r.el.att, psi: r.el.psi, g: r.g })), cohortOf, pShare);
  const eTimes = [...new Set(cells.map((c) => c.t - c.g))].sort((a, b) => a - b);
  const dynRows: DynRow[] = eTimes
    .map((e) => {
      const cs = cells.filter((c) => c.t - c.g === e);
      if (cs.every((c) => c.reference)) return { e, el: { att: 0, psi: new Float64Array(n), se: 0 }, reference: true, nUnits: cs.reduce((s, c) => s + c.nTreated, 0) };
      return { e, el: aggregateByGroupShare(cs.map((c) => ({ att: c.att, psi: c.psi, g: c.g })), cohortOf, pShare), reference: false, nUnits: cs.reduce((s, c) => s + c.nTreated, 0) };
    });
  const dynPost = dynRows.filter((r) => r.e >= 0);
  const dynamicAll = average(dynPost.map((r) => r.el));
  const calPeriods = [...new Set(post.map((c) => c.t))].sort((a, b) => a - b);
  const calRows = calPeriods.map((t) => ({ t, el: aggregateByGroupShare(post.filter((c) => c.t === t).map((c) => ({ att: c.att, psi: c.psi, g: c.g })), cohortOf, pShare) }));
  const calendarAll = average(calRows.map((r) => r.el));
  return { cells, est, post, simple, groupRows, groupAll, dynRows, dynamicAll, calRows, calendarAll };
}

type CsBoot = ReturnType<typeof multiplierBootstrap> | null;

/** Cell elements for table 0 (reference cells with se 0). */
const cellElements = (cells: readonly Cell[]): Element[] => cells.map((c) => ({ att: c.att, psi: c.psi, se: c.reference ? 0 : c.se }));

/**
 * Infer: multiplier bootstrap (CS 2021 Algorithm 1) over the four tables (ATT(g,t), dynamic,
 * group, calendar) for uniform bands; warns when a cohort is small enough that the band under-covers.
 */
function bootstrapCs(panel: Panel, opts: CsOptions, setup: CsSetup, agg: CsAggregates, rng: Rng): CsBoot {
  const { n, level, cohorts, cohortOf, warnings } = setup;
  const cellEls = cellElements(agg.cells);
  const dynEls = agg.dynRows.map((r) => r.el);
  const grpEls = agg.groupRows.map((r) => r.el);
  const calEls = agg.calRows.map((r) => r.el);
  const multiplier = opts.multiplier ?? CS_DEFAULTS.multiplier;
  const bandScale = opts.bandScale ?? CS_DEFAULTS.bandScale;
  const boot = opts.boots > 0 ? multiplierBootstrap([cellEls, dynEls, grpEls, calEls], n, opts.boots, level, rng, multiplier, bandScale) : null;
  // Small-sample caveat (issue 15 follow-up, tests/did/coverage.test.ts): the critical value is the
  // multiplier bootstrap's Gaussian approximation to sup_k |t_k|; with small cohorts the t statistics
  // (SEs estimated from few units) have heavier tails than that approximation and the band
  // under-covers the whole curve, though each pointwise interval is fine.
  const cohortSizes = cohorts.map((g) => ({ g, size: Array.from(cohortOf).filter((c) => c === g).length }));
  const smallest = cohortSizes.reduce((a, b) => (b.size < a.size ? b : a));
  if (boot && smallest.size < SMALL_COHORT) {
    warnings.push({
      code: 'UNIFORM_BAND_SMALL_COHORTS',
      message: `the uniform bands are approximate: the smallest cohort (${panel.periods[smallest.g]}) has ${smallest.size} unit(s), and with cohorts under ${SMALL_COHORT} units the multiplier bootstrap's critical value is too small (in simulations with cohorts of 15 areas the 95% band covered the whole event-study curve in ${BAND_COVERAGE_15} of samples, with cohorts of 50 in ${BAND_COVERAGE_50}); pointwise intervals are not affected${multiplier === 'gaussian' ? '' : '; --bootstrap-weights gaussian under-covers less'}`,
    });
  }
  return boot;
}

/** Pre-trend test: Wald W = θ_preᵀV⁻¹θ_pre on the estimated pre-period ATT(g,t) (k of them), V = ΨΨᵀ/n² (k × k), χ²(k). */
function preTrendTest(opts: CsOptions, setup: CsSetup, est: readonly Cell[]): void {
  const { n, level, warnings, diagnostics } = setup;
  const pre = est.filter((c) => c.t < c.g);
  if (pre.length > 0) {
    const k = pre.length;
    const V = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = a; b < k; b++) {
      let s = 0;
      const pa = pre[a]!.psi;
      const pb = pre[b]!.psi;
      for (let i = 0; i < n; i++) s += pa[i]! * pb[i]!;
      V[a * k + b] = V[b * k + a] = s / (n * n);
    }
    try {
      const x = solveSpd(V, k, Float64Array.from(pre, (c) => c.att));
      let W = 0;
      pre.forEach((c, a) => (W += c.att * x[a]!));
      const pval = 1 - pchisq(W, k);
      diagnostics.push({
        code: 'PRE_TRENDS',
        passed: pval >= 1 - level,
        value: pval,
        message: `Wald test that all ${k} pre-treatment ATT(g,t) (${opts.basePeriod} base period) are zero: W = ${W.toFixed(3)}, χ²(${k}), p = ${pval.toPrecision(5)}; ${pval >= 1 - level ? 'no evidence against parallel pre-trends' : 'pre-trends differ: parallel trends is doubtful'} (${csPreTrendScope(opts.basePeriod)})`,
      });
      if (pval < 1 - level) warnings.push(preTrendWarning('cs', pval));
    } catch {
      diagnostics.push({ code: 'PRE_TRENDS', passed: null, value: null, message: 'the covariance of the pre-treatment ATT(g,t) is singular, so the joint Wald pre-trend test is not available' });
    }
  } else {
    diagnostics.push({ code: 'PRE_TRENDS', passed: null, value: null, message: 'no pre-treatment ATT(g,t) to test (every cohort starts in the second period)' });
  }
}

/** Interval helpers: pointwise θ̂ ± z·se, and the uniform band of element k of a table. */
interface CsIntervals {
  /** Uniform band of element k of table `tab` (0 ATT(g,t), 1 dynamic, 2 group, 3 calendar): θ̂_k ± ĉ·Σ̂_k^{1/2}/√n. */
  band: (el: Element, tab: number, k: number) => [number, number] | null;
  ci: (el: Element) => [number, number] | null;
  summary: (el: Element) => { att: number; se: number; ci: [number, number] | null; pValue: number | null };
  label: (t: number) => string;
}

function csIntervals(panel: Panel, setup: CsSetup, boot: CsBoot): CsIntervals {
  const { z } = setup;
  const band = (el: Element, tab: number, k: number): [number, number] | null => {
    const crit = boot?.[tab]!.crit;
    const s = boot?.[tab]!.bandSe[k];
    return crit != null && s != null && el.se > 0 ? [el.att - crit * s, el.att + crit * s] : null;
  };
  const ci = (el: Element): [number, number] | null => (el.se > 0 ? [el.att - z * el.se, el.att + z * el.se] : null);
  const summary = (el: Element) => ({ att: el.att, se: el.se, ci: ci(el), pValue: el.se > 0 ? pValueNormal(el.att / el.se) : null });
  const label = (t: number) => panel.periods[t]!;
  return { band, ci, summary, label };
}

/** The ATT(g,t) table: one row per cell, with base period, pointwise interval and uniform band. */
function attGtTable(agg: CsAggregates, iv: CsIntervals, boot: CsBoot): Record<string, unknown>[] {
  const { ci, band, label } = iv;
  const cellEls = cellElements(agg.cells);
  return agg.cells.map((c, k) => ({
    group: label(c.g),
    period: label(c.t),
    att: c.att,
    se: c.reference ? null : c.se,
    ci: c.reference ? null : ci(cellEls[k]!),
    band: c.reference ? null : band(cellEls[k]!, 0, k),
    seBootstrap: c.reference ? null : (boot?.[0]!.seBoot[k] ?? null),
    eventTime: c.t - c.g,
    basePeriod: label(c.base),
    post: c.t >= c.g,
    treatedUnits: c.nTreated,
    comparisonUnits: c.nControl,
    ...(c.reference ? { reference: true } : {}),
  }));
}

/** The four aggregation tables with their overall θ and (dynamic/group/calendar) critical values ĉ. */
function aggregationTables(agg: CsAggregates, iv: CsIntervals, boot: CsBoot) {
  const { ci, band, summary, label } = iv;
  const { simple, dynamicAll, dynRows, groupAll, groupRows, calendarAll, calRows } = agg;
  return {
    simple: { ...summary(simple), description: 'average of post-treatment ATT(g,t) weighted by cohort size (per treated unit-period)' },
    dynamic: {
      ...summary(dynamicAll),
      description: 'mean of θ(e) over event times e ≥ 0',
      criticalValue: boot?.[1]!.crit ?? null,
      rows: dynRows.map((r, k) => ({ eventTime: r.e, att: r.el.att, se: r.reference ? null : r.el.se, ci: r.reference ? null : ci(r.el), band: r.reference ? null : band(r.el, 1, k), seBootstrap: r.reference ? null : (boot?.[1]!.seBoot[k] ?? null), n: r.nUnits, ...(r.reference ? { reference: true } : {}) })),
    },
    group: {
      ...summary(groupAll),
      description: 'Σ_g θ(g)·P(G = g | treated), θ(g) = mean of ATT(g,t) over t ≥ g',
      criticalValue: boot?.[2]!.crit ?? null,
      rows: groupRows.map((r, k) => ({ group: label(r.g), att: r.el.att, se: r.el.se, ci: ci(r.el), band: band(r.el, 2, k), seBootstrap: boot?.[2]!.seBoot[k] ?? null })),
    },
    calendar: {
      ...summary(calendarAll),
      description: 'mean over periods of θ(t), the cohort-size-weighted ATT(g,t) of cohorts treated by t',
      criticalValue: boot?.[3]!.crit ?? null,
      rows: calRows.map((r, k) => ({ period: label(r.t), att: r.el.att, se: r.el.se, ci: ci(r.el), band: band(r.el, 3, k), seBootstrap: boot?.[3]!.seBoot[k] ?? null })),
    },
  };
}

/** Hook for sensitivity analysis (honest.ts): covariance of the dynamic θ(e), V = ΨᵀΨ/n², reference rows left out. */
function eventCovarianceOf(opts: CsOptions, setup: CsSetup, dynRows: readonly DynRow[]) {
  const { n } = setup;
  const dynEst = dynRows.filter((r) => !r.reference);
  return {
    eventTimes: dynEst.map((r) => r.e),
    estimates: dynEst.map((r) => r.el.att),
    vcov: dynEst.map((a) => dynEst.map((b) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += a.el.psi[i]! * b.el.psi[i]!;
      return s / (n * n);
    })),
    basePeriod: opts.basePeriod,
  };
}

/** Path by calendar period (length T): observed mean of treated units, θ(t) as the effect, cumulative sum. */
function csPath(setup: CsSetup, agg: CsAggregates, iv: CsIntervals): PathPoint[] {
  const { T, n, cohorts, cohortOf, yAt } = setup;
  const { calRows } = agg;
  const { ci, band, label } = iv;
  const path: PathPoint[] = [];
  let cum = 0;
  for (let t = 0; t < T; t++) {
    const rowIdx = calRows.findIndex((r) => r.t === t);
    const row = rowIdx >= 0 ? calRows[rowIdx] : undefined;
    const anyStarted = cohorts[0]! <= t;
    let sy = 0, ny = 0;
    for (let j = 0; j < n; j++) {
      const g = cohortOf[j]!;
      if (g < 0) continue;
      if (anyStarted ? t >= g : true) {
        sy += yAt(j, t);
        ny++;
      }
    }
    const observed = ny > 0 ? sy / ny : null;
    if (!row) {
      path.push({ period: label(t), observed, counterfactual: null, effect: null, ci: null, cumulative: null, cumulativeCi: null });
      continue;
    }
    cum += row.el.att;
    path.push({ period: label(t), observed, counterfactual: observed !== null ? observed - row.el.att : null, effect: row.el.att, ci: ci(row.el), cumulative: cum, cumulativeCi: null, band: band(row.el, 3, rowIdx) });
  }
  return path;
}

/** Treated units with their cohort's θ(g). */
function csUnits(panel: Panel, setup: CsSetup, agg: CsAggregates, iv: CsIntervals): UnitResult[] {
  const { n, cohortOf, keep } = setup;
  const units: UnitResult[] = [];
  for (let j = 0; j < n; j++) {
    const g = cohortOf[j]!;
    if (g < 0) continue;
    const gr = agg.groupRows.find((r) => r.g === g);
    units.push({ unit: panel.units[keep[j]!]!, att: gr ? gr.el.att : null, preRmspe: null, weights: null, start: iv.label(g), cohort: iv.label(g), se: gr ? gr.el.se : null });
  }
  return units;
}

/** Assemble: tables, event path, covariance hook, path, units, recorded options and details. */
function assembleCs(panel: Panel, opts: CsOptions, setup: CsSetup, agg: CsAggregates, boot: CsBoot): Analysis {
  const { n, level, covs, cohorts, cohortOf, nNever, pShare, diagnostics, warnings } = setup;
  const multiplier = opts.multiplier ?? CS_DEFAULTS.multiplier;
  const bandScale = opts.bandScale ?? CS_DEFAULTS.bandScale;
  const iv = csIntervals(panel, setup, boot);
  const { ci, band, summary, label } = iv;
  const attGt = attGtTable(agg, iv, boot);
  const aggregations = aggregationTables(agg, iv, boot);
  const eventPath = agg.dynRows.map((r, k) => ({
    eventTime: r.e,
    effect: r.el.att,
    se: r.reference ? null : r.el.se,
    ci: r.reference ? null : ci(r.el),
    n: r.nUnits,
    ...(r.reference ? { reference: true } : { band: band(r.el, 1, k), seBootstrap: boot?.[1]!.seBoot[k] ?? null }),
  }));
  const eventCovariance = eventCovarianceOf(opts, setup, agg.dynRows);
  const path = csPath(setup, agg, iv);
  const units = csUnits(panel, setup, agg, iv);
  return {
    method: 'cs',
    options: {
      method: 'cs',
      control: opts.control,
      basePeriod: opts.basePeriod,
      estimator: opts.estimator === 'dr' ? 'doubly-robust' : 'outcome-regression',
      covariates: covs,
      anticipation: 0,
      boots: opts.boots,
      // null without the bootstrap (--reps 0), so that a re-run does not pass an unused --bootstrap-weights.
      bootstrapWeights: opts.boots > 0 ? multiplier : null,
      bandScale: opts.boots > 0 ? bandScale : null,
      level,
      seed: opts.seed,
    },
    estimate: {
      ...summary(agg.simple),
      level,
      inference: 'influence-function',
      cumulative: null,
      aggregation: 'simple',
    },
    path,
    units,
    diagnostics,
    warnings,
    attGt,
    aggregations,
    eventPath,
    eventCovariance,
    details: {
      units: n,
      neverTreated: nNever,
      cohorts: cohorts.map((g) => ({ group: label(g), units: Array.from(cohortOf).filter((c) => c === g).length, share: pShare.get(g) })),
      criticalValueAttGt: boot?.[0]!.crit ?? null,
      conventions: `ATT(g,t) for t < g use the ${opts.basePeriod} base period (${opts.basePeriod === 'varying' ? 'b = t − 1: one-period placebo changes' : 'b = g − 1: long differences, ATT(g, g−1) = 0 is the reference'}); post cells use b = g − 1; analytic SEs = sqrt(Σψ²)/n from influence functions; bands from ${opts.boots} ${multiplier === 'rademacher' ? 'Rademacher' : multiplier === 'mammen' ? 'Mammen' : 'Gaussian'} multiplier-bootstrap draws, sup-t studentised by ${bandScale === 'bootstrap' ? 'the bootstrap IQR SE (CS 2021 Algorithm 1), band = ATT ± crit × that SE' : 'the analytic SE'}`,
    },
  };
}
