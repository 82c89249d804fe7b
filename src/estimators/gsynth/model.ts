/**
 * The generalized synthetic control estimator on prepared arrays (Xu 2017,
 * Algorithm 1 for the estimate and the factor number, Algorithm 2 for the
 * parametric bootstrap), plus the nonparametric (unit) bootstrap and the
 * jackknife. Everything here is plain data in, typed arrays out, so the same
 * code runs in the main thread and in worker threads; replication b always draws
 * from `new Rng(seed).stream(b)`, so results never depend on the number of workers.
 */
import { EstimationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { fitControls, projectUnits, truncateFit, type ControlFit, type FitSettings, type UnitBlock } from './ife.js';

export type Inference = 'parametric' | 'nonparametric' | 'jackknife' | 'none';
export const INFERENCES: readonly Inference[] = ['parametric', 'nonparametric', 'jackknife', 'none'];

/** Everything the estimator needs, on the fit-period grid (excluded periods removed). Structured-clone friendly. */
export interface Problem {
  /** Never-treated units: n_co × T. */
  co: UnitBlock;
  /** Treated units: n_tr × T. */
  tr: UnitBlock;
  /** Index (on the fit grid) of each treated unit's first treated period. */
  starts: Int32Array;
  settings: FitSettings;
  /** Population of treated units, n_tr × T, or null. */
  popTr: Float64Array | null;
  ratePer: number;
  /** Earliest start. */
  firstStart: number;
  /** Calendar event time of each treated cell, n_tr × T: panel period index − the unit's panel start index (so excluded periods do not shift it). */
  eventTime: Int32Array;
  /** Event-time range covered. */
  eMin: number;
  eMax: number;
  seed: number;
  /**
   * EM variant (Gobillon & Magnac 2016; Xu 2017's EM option): the factor model is fitted on
   * controls and treated units together, the treated units' post-treatment cells (t ≥ start_j)
   * treated as missing and imputed by EM; the counterfactual of a treated unit is its fitted value.
   * False: Xu's Algorithm 1 (factors from the controls, treated loadings from their pre-periods).
   */
  em: boolean;
}

/** Layout of one replicate's statistic vector. */
export interface StatLayout {
  T: number;
  nTr: number;
  E: number;
  p: number;
  att: number;
  path: number;
  cum: number;
  unit: number;
  event: number;
  count: number;
  beta: number;
  K: number;
}

export function statLayout(prob: Problem): StatLayout {
  const T = prob.co.T;
  const nTr = prob.tr.n;
  const E = prob.eMax - prob.eMin + 1;
  const p = prob.co.x.length;
  const att = 0;
  const path = 1;
  const cum = path + T;
  const unit = cum + T;
  const event = unit + nTr;
  const count = event + E;
  const beta = count + 1;
  return { T, nTr, E, p, att, path, cum, unit, event, count, beta, K: beta + p };
}

/**
 * Statistics of an effect matrix eff (n_tr × T, NaN where not observed): ATT,
 * calendar path and cumulative path, unit ATTs (unweighted), event path, count
 * of offences avoided, β. `trw` = multiplicity of each treated unit (bootstrap) or null.
 */
export function computeStats(prob: Problem, lay: StatLayout, eff: Float64Array, trw: Float64Array | null, beta: Float64Array): Float64Array {
  const out = new Float64Array(lay.K).fill(Number.NaN);
  const { T, nTr, E } = lay;
  const starts = prob.starts;
  let attS = 0;
  let attN = 0;
  let cnt = 0;
  const ps = new Float64Array(T);
  const pn = new Float64Array(T);
  const es = new Float64Array(E);
  const en = new Float64Array(E);
  for (let j = 0; j < nTr; j++) {
    const d = trw ? trw[j]! : 1;
    const s = starts[j]!;
    let us = 0;
    let un = 0;
    for (let t = 0; t < T; t++) {
      const v = eff[j * T + t]!;
      if (Number.isNaN(v)) continue;
      const post = t >= s;
      if (post) {
        us += v;
        un++;
        if (prob.popTr) cnt += d * v * prob.popTr[j * T + t]!;
      }
      if (d > 0) {
        if (post || t < prob.firstStart) {
          ps[t] = ps[t]! + d * v;
          pn[t] = pn[t]! + d;
        }
        const e = prob.eventTime[j * T + t]! - prob.eMin;
        es[e] = es[e]! + d * v;
        en[e] = en[e]! + d;
      }
    }
    out[lay.unit + j] = un > 0 ? us / un : Number.NaN;
    attS += d * us;
    attN += d * un;
  }
  out[lay.att] = attN > 0 ? attS / attN : Number.NaN;
  let run = 0;
  for (let t = 0; t < T; t++) {
    const v = pn[t]! > 0 ? ps[t]! / pn[t]! : Number.NaN;
    out[lay.path + t] = v;
    if (t >= prob.firstStart) {
      run += v;
      out[lay.cum + t] = run;
    }
  }
  for (let e = 0; e < E; e++) out[lay.event + e] = en[e]! > 0 ? es[e]! / en[e]! : Number.NaN;
  // The count is a total over the treated units, n_tr × their mean contribution: a replicate
  // with treated weights d (Σd = n_tr in a bootstrap resample, n_tr − 1 when the jackknife leaves a
  // treated unit out) is scaled by n_tr / Σd. Without it each treated leave-one-out dropped that
  // unit's whole contribution from the total and the jackknife interval of offences avoided came
  // out several times too wide. The factor is exactly 1 for the estimate and the bootstrap.
  let dSum = nTr;
  if (trw) {
    dSum = 0;
    for (let j = 0; j < nTr; j++) dSum += trw[j]!;
  }
  out[lay.count] = prob.popTr && dSum > 0 ? (-cnt / prob.ratePer) * (nTr / dSum) : Number.NaN;
  for (let k = 0; k < lay.p; k++) out[lay.beta + k] = beta[k]!;
  return out;
}

export interface FullEstimate {
  fit: ControlFit;
  cf: Float64Array;
  eff: Float64Array;
  alpha: Float64Array;
  lambda: Float64Array;
  stats: Float64Array;
  /** Control residuals Y − Ŷ (NaN where missing), n_co × T. */
  residCo: Float64Array;
}

/** The point estimate with r factors. */
export function estimate(prob: Problem, r: number): FullEstimate {
  if (prob.em) {
    const em = emFit(prob, r, null, null, null, {}, null);
    const eff = effects(prob.tr.y, em.cfTr);
    const residCo = new Float64Array(prob.co.y.length);
    for (let k = 0; k < residCo.length; k++) residCo[k] = prob.co.y[k]! - em.fit.fitted![k]!;
    const nCo = prob.co.n;
    const rr = em.fit.r;
    const alpha = em.fit.alpha.slice(nCo);
    const lambda = em.fit.lambda.slice(nCo * rr);
    return { fit: em.fit, cf: em.cfTr, eff, alpha, lambda, stats: computeStats(prob, statLayout(prob), eff, null, em.fit.beta), residCo };
  }
  const fit = fitControls(prob.co, r, prob.settings, null, {}, true);
  const pr = projectUnits(prob.tr, prob.starts, fit, prob.settings.force);
  const eff = effects(prob.tr.y, pr.cf);
  const residCo = new Float64Array(prob.co.y.length);
  for (let k = 0; k < residCo.length; k++) residCo[k] = prob.co.y[k]! - fit.fitted![k]!;
  return { fit, cf: pr.cf, eff, alpha: pr.alpha, lambda: pr.lambda, stats: computeStats(prob, statLayout(prob), eff, null, fit.beta), residCo };
}

/** Per problem: the covariates of the combined (controls, then treated) block, built once. */
const emX = new WeakMap<Problem, Float64Array[]>();

/**
 * The EM block: n_co + n_tr rows (controls first, then treated), T columns. Treated rows have
 * their post-treatment cells (t ≥ start_j) set missing; so do the rows listed in `pseudo`
 * (controls playing treated units in the parametric bootstrap: row c masked from pseudo.starts[k]).
 */
export function emBlock(prob: Problem, yCo: Float64Array, yTr: Float64Array, pseudo: { rows: Int32Array; starts: Int32Array } | null): UnitBlock {
  const { co, tr, starts } = prob;
  const T = co.T;
  const nCo = co.n;
  const y = new Float64Array((nCo + tr.n) * T);
  y.set(yCo.subarray(0, nCo * T));
  if (pseudo) for (let k = 0; k < pseudo.rows.length; k++) y.fill(Number.NaN, pseudo.rows[k]! * T + pseudo.starts[k]!, (pseudo.rows[k]! + 1) * T);
  for (let j = 0; j < tr.n; j++) {
    const o = (nCo + j) * T;
    const s = starts[j]!;
    y.set(yTr.subarray(j * T, j * T + s), o);
    y.fill(Number.NaN, o + s, o + T);
  }
  let x = emX.get(prob);
  if (!x) {
    x = co.x.map((xc, q) => {
      const a = new Float64Array((nCo + tr.n) * T);
      a.set(xc);
      a.set(tr.x[q]!, nCo * T);
      return a;
    });
    emX.set(prob, x);
  }
  return { n: nCo + tr.n, T, y, x, names: [...co.names, ...tr.names] };
}

/**
 * One EM fit (see {@link Problem.em}): the IFE model on every untreated cell, missing cells
 * (treated post cells, masked cells, missing control cells) imputed by their fitted values until
 * the fit converges. Counterfactual of treated unit j = its fitted row; a treated unit with weight 0
 * (left out of a resample) is projected on the fitted factors from its pre-periods instead, which
 * is the same formula (at the EM fixed point an in-fit unit's α_j, λ_j are the least-squares fit of
 * its observed pre-period cells). The projection also checks every treated unit has enough
 * pre-periods for its loadings (TOO_FEW_PRE_PERIODS / RANK_DEFICIENT otherwise).
 * @param weights - n_co + n_tr row weights or null.
 */
export function emFit(
  prob: Problem,
  r: number,
  yCo: Float64Array | null,
  yTr: Float64Array | null,
  weights: Float64Array | null,
  warm: { beta?: Float64Array; fill?: Float64Array; V?: Float64Array },
  pseudo: { rows: Int32Array; starts: Int32Array } | null,
): { fit: ControlFit; cfTr: Float64Array; block: UnitBlock } {
  const { co, tr } = prob;
  const T = co.T;
  const block = emBlock(prob, yCo ?? co.y, yTr ?? tr.y, pseudo);
  const trY = yTr ? { ...tr, y: yTr } : tr;
  if (!warm.fill) warm = algorithm1Start(prob, r, yCo ? { ...co, y: yCo } : co, trY) ?? warm;
  const fit = fitControls(block, r, prob.settings, weights, warm, true);
  const pr = projectUnits(trY, prob.starts, fit, prob.settings.force);
  const cfTr = new Float64Array(tr.n * T);
  const fv = fit.fitted!;
  for (let j = 0; j < tr.n; j++) {
    const o = (co.n + j) * T;
    const inFit = !Number.isNaN(fv[o]!);
    for (let t = 0; t < T; t++) cfTr[j * T + t] = inFit ? fv[o + t]! : pr.cf[j * T + t]!;
  }
  return { fit, cfTr, block };
}

/**
 * Starting values of a cold EM fit: Algorithm 1's fit (factors from the controls, treated
 * counterfactuals by projection). Starting from column means instead lets the treated post block —
 * a whole rectangle of missing cells — be absorbed by a spurious factor that is zero on every
 * observed cell (free in the observed sum of squares), from which EM escapes only very slowly when
 * r exceeds the number of factors the controls need. Null when Algorithm 1 cannot be fitted.
 */
function algorithm1Start(prob: Problem, r: number, co: UnitBlock, tr: UnitBlock): { beta: Float64Array; fill: Float64Array; V: Float64Array } | null {
  const T = co.T;
  try {
    const f0 = fitControls(co, r, prob.settings, null, {}, true);
    const p0 = projectUnits(tr, prob.starts, f0, prob.settings.force);
    const fill = new Float64Array((co.n + tr.n) * T);
    fill.set(f0.fitted!.subarray(0, co.n * T));
    fill.set(p0.cf, co.n * T);
    return { beta: f0.beta, fill, V: f0.F.map((f) => f / Math.sqrt(T)) };
  } catch (e) {
    if (e instanceof EstimationError) return null;
    throw e;
  }
}

/**
 * EM cross-validation score for r: fit on all untreated cells, then for each period s before the
 * last start leave out the cells (j, s) of every treated unit still untreated at s, refit (warm
 * started from the full fit) and score the left-out cells by their fitted values.
 */
function cvScoreEm(prob: Problem, r: number): CvRow {
  const { tr, starts } = prob;
  const T = tr.T;
  const nCo = prob.co.n;
  const full = emFit(prob, r, null, null, null, {}, null);
  const V = full.fit.F.map((f) => f / Math.sqrt(T));
  const warm = { beta: full.fit.beta, fill: full.fit.fitted!, V };
  let sse = 0;
  let n = 0;
  let converged = full.fit.converged;
  let maxStart = 0;
  for (let j = 0; j < tr.n; j++) maxStart = Math.max(maxStart, starts[j]!);
  for (let s = 0; s < maxStart; s++) {
    const cells: number[] = [];
    for (let j = 0; j < tr.n; j++) if (s < starts[j]! && !Number.isNaN(tr.y[j * T + s]!)) cells.push(j);
    if (cells.length === 0) continue;
    const y = Float64Array.from(full.block.y);
    for (const j of cells) y[(nCo + j) * T + s] = Number.NaN;
    const fit = fitControls({ ...full.block, y }, r, prob.settings, null, warm, true);
    converged &&= fit.converged;
    for (const j of cells) {
      const e = tr.y[j * T + s]! - fit.fitted![(nCo + j) * T + s]!;
      sse += e * e;
      n++;
    }
  }
  return { r, mspe: n > 0 ? sse / n : null, converged, iterations: full.fit.iterations };
}

function effects(y: Float64Array, cf: Float64Array, into: Float64Array | null = null): Float64Array {
  const eff = into ?? new Float64Array(y.length);
  for (let k = 0; k < y.length; k++) eff[k] = y[k]! - cf[k]!;
  return eff;
}

export interface CvRow {
  r: number;
  /** Mean squared leave-one-period-out prediction error over treated pre-periods (null when r is not feasible). */
  mspe: number | null;
  converged: boolean;
  iterations: number;
  /** Why r could not be scored (the fit's error message), when it could not. */
  error?: string;
}

/**
 * Cross-validation score for each r (Xu 2017, Algorithm 1): fit on the controls with
 * r factors, then for each treated unit leave out one pre-period at a time, fit its
 * loadings on the rest and predict the left-out outcome (exact leave-one-out via the hat matrix).
 */
export function cvScores(prob: Problem, rs: readonly number[]): CvRow[] {
  if (prob.em) {
    return rs.map((r) => {
      try {
        return cvScoreEm(prob, r);
      } catch (e) {
        if (e instanceof EstimationError) return { r, mspe: null, converged: false, iterations: 0, error: e.message };
        throw e;
      }
    });
  }
  const noIter = prob.co.x.length === 0 && !hasNaN(prob.co.y);
  const out: CvRow[] = [];
  let big: ControlFit | null = null;
  if (noIter && rs.length > 0) big = fitControls(prob.co, Math.max(...rs), prob.settings);
  for (const r of rs) {
    try {
      const fit = big ? truncateFit(big, r, prob.co.n, prob.co.T) : fitControls(prob.co, r, prob.settings);
      const pr = projectUnits(prob.tr, prob.starts, fit, prob.settings.force, true);
      out.push({ r, mspe: pr.looOk && pr.looN > 0 ? pr.looSse / pr.looN : null, converged: fit.converged, iterations: fit.iterations });
    } catch (e) {
      if (e instanceof EstimationError) out.push({ r, mspe: null, converged: false, iterations: 0, error: e.message });
      else throw e;
    }
  }
  return out;
}

function hasNaN(a: Float64Array): boolean {
  for (let k = 0; k < a.length; k++) if (Number.isNaN(a[k]!)) return true;
  return false;
}

/** What a replicate needs from the point estimate. */
export interface BaseEstimate {
  r: number;
  beta: Float64Array;
  /** Fitted control outcomes (n_co × T, imputed cells included); in EM mode the whole fitted block (controls then treated, (n_co + n_tr) × T). */
  fittedCo: Float64Array;
  residCo: Float64Array;
  /** Counterfactual of treated units (n_tr × T). */
  cfTr: Float64Array;
  /** Full-sample eigenvectors V = F̂/√T (T × r): the warm start of every replication's decomposition. */
  V: Float64Array;
}

export interface ReplicateResult {
  stats: Float64Array;
  converged: boolean;
}

/** Number of replications of a kind (the jackknife has one per unit). */
export function replicateCount(prob: Problem, kind: Inference, boots: number): number {
  if (kind === 'jackknife') return prob.co.n + prob.tr.n;
  if (kind === 'none') return 0;
  return boots;
}

/**
 * Replication b of the given inference kind; returns its statistic vector.
 * - nonparametric: resample control units and treated units (separately) with replacement.
 * - parametric (Xu 2017, Algorithm 2): pick n_tr controls as pseudo-treated units with the
 *   treated units' timing, fit on the other controls and take their prediction errors;
 *   build a sample with no effect (Ŷ_co + resampled control residual vectors,
 *   Ŷ_tr(0) + the pseudo-treated errors) and re-estimate. Its effects are draws of the
 *   estimator's error.
 * - jackknife: leave unit b out (controls first, then treated).
 */
/**
 * Controls for a parametric-bootstrap sample under zero effect (Xu 2017, Algorithm 2):
 * fitted control values plus whole residual rows drawn with replacement (nCo×T).
 */
function zeroEffectControls(prob: Problem, base: BaseEstimate, complete: Int32Array, rng: Rng): Float64Array {
  const { n: nCo, T, y } = prob.co;
  const yCo = new Float64Array(nCo * T);
  for (let i = 0; i < nCo; i++) {
    // Residual rows come from fully observed controls only (a row with missing cells has no
    // residual there); each unit keeps its own missing cells, so the sample has the data's
    // pattern of observation. On a balanced panel complete[k] = k: the draws are unchanged.
    const jres = complete[rng.int(complete.length)]!;
    for (let t = 0; t < T; t++) yCo[i * T + t] = Number.isNaN(y[i * T + t]!) ? Number.NaN : base.fittedCo[i * T + t]! + base.residCo[jres * T + t]!;
  }
  return yCo;
}

/** Per problem: the control rows (indices into co) with every fitted-period outcome observed. */
const completeCache = new WeakMap<Problem, Int32Array>();
export function completeControls(prob: Problem): Int32Array {
  let c = completeCache.get(prob);
  if (!c) {
    const { n, T, y } = prob.co;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      let ok = true;
      for (let t = 0; t < T && ok; t++) if (Number.isNaN(y[i * T + t]!)) ok = false;
      if (ok) out.push(i);
    }
    c = Int32Array.from(out);
    completeCache.set(prob, c);
  }
  return c;
}

/**
 * Parametric bootstrap, step 1 (Xu 2017, Algorithm 2): n_tr distinct controls to play the
 * treated units. They are drawn from the fully observed controls: a control with missing
 * cells has no prediction error there, and the treated effect cells matching them would drop
 * out of the replicate's statistics (a count of offences avoided over fewer cells, so a
 * too-narrow null distribution). On a balanced panel these are the draws of every control.
 */
function pseudoTreatedRows(prob: Problem, rng: Rng): Int32Array {
  const complete = completeControls(prob);
  const idx = rng.partialShuffle(complete.length, prob.tr.n);
  const rows = new Int32Array(prob.tr.n);
  for (let k = 0; k < prob.tr.n; k++) rows[k] = complete[idx[k]!]!;
  return rows;
}

export function replicate(prob: Problem, base: BaseEstimate, kind: Inference, b: number): ReplicateResult {
  const lay = statLayout(prob);
  const { co, tr } = prob;
  const nCo = co.n;
  const nTr = tr.n;
  const T = co.T;
  const r = base.r;
  const warm = { beta: base.beta, fill: base.fittedCo, V: base.V };
  if (prob.em) return replicateEm(prob, base, kind, b, warm);
  if (kind === 'nonparametric') {
    const rng = new Rng(prob.seed).stream(b);
    const cw = new Float64Array(nCo);
    for (let k = 0; k < nCo; k++) cw[rng.int(nCo)]! += 1;
    const tw = new Float64Array(nTr);
    for (let k = 0; k < nTr; k++) tw[rng.int(nTr)]! += 1;
    const fit = fitControls(co, r, prob.settings, cw, warm);
    const pr = projectUnits(tr, prob.starts, fit, prob.settings.force);
    // The counterfactual is not needed afterwards: the effects overwrite it.
    return { stats: computeStats(prob, lay, effects(tr.y, pr.cf, pr.cf), tw, fit.beta), converged: fit.converged };
  }
  if (kind === 'jackknife') {
    const cw = new Float64Array(nCo).fill(1);
    const tw = new Float64Array(nTr).fill(1);
    if (b < nCo) cw[b] = 0;
    else tw[b - nCo] = 0;
    const fit = fitControls(co, r, prob.settings, cw, warm);
    const pr = projectUnits(tr, prob.starts, fit, prob.settings.force);
    // The counterfactual is not needed afterwards: the effects overwrite it.
    return { stats: computeStats(prob, lay, effects(tr.y, pr.cf, pr.cf), tw, fit.beta), converged: fit.converged };
  }
  if (kind === 'parametric') {
    const rng = new Rng(prob.seed).stream(b);
    // 1. Pseudo-treated controls and their prediction errors.
    const idx = pseudoTreatedRows(prob, rng);
    const cw = new Float64Array(nCo).fill(1);
    const pseudo: UnitBlock = { n: nTr, T, y: new Float64Array(nTr * T), x: co.x.map(() => new Float64Array(nTr * T)), names: [] };
    const names: string[] = [];
    for (let k = 0; k < nTr; k++) {
      const c = idx[k]!;
      cw[c] = 0;
      pseudo.y.set(co.y.subarray(c * T, (c + 1) * T), k * T);
      co.x.forEach((xk, q) => pseudo.x[q]!.set(xk.subarray(c * T, (c + 1) * T), k * T));
      names.push(co.names[c]!);
    }
    pseudo.names = names;
    const fit1 = fitControls(co, r, prob.settings, cw, warm);
    const pr1 = projectUnits(pseudo, prob.starts, fit1, prob.settings.force);
    // 2. Bootstrap sample with zero effect.
    const yCo = zeroEffectControls(prob, base, completeControls(prob), rng);
    const yTr = new Float64Array(nTr * T);
    for (let k = 0; k < nTr; k++) {
      for (let t = 0; t < T; t++) {
        const e = pseudo.y[k * T + t]! - pr1.cf[k * T + t]!;
        yTr[k * T + t] = Number.isNaN(tr.y[k * T + t]!) ? Number.NaN : base.cfTr[k * T + t]! + e;
      }
    }
    const fit2 = fitControls({ ...co, y: yCo }, r, prob.settings, null, warm);
    const pr2 = projectUnits({ ...tr, y: yTr }, prob.starts, fit2, prob.settings.force);
    return { stats: computeStats(prob, lay, effects(yTr, pr2.cf), null, fit2.beta), converged: fit1.converged && fit2.converged };
  }
  throw new Error(`no replicates for inference '${kind}'`);
}

/** {@link replicate} in EM mode: the same three schemes, each refit being the EM fit on all untreated cells. */
function replicateEm(prob: Problem, base: BaseEstimate, kind: Inference, b: number, warm: { beta: Float64Array; fill: Float64Array; V: Float64Array }): ReplicateResult {
  const lay = statLayout(prob);
  const { co, tr } = prob;
  const nCo = co.n;
  const nTr = tr.n;
  const T = co.T;
  const r = base.r;
  if (kind === 'nonparametric' || kind === 'jackknife') {
    const w = new Float64Array(nCo + nTr);
    if (kind === 'nonparametric') {
      // Same draws, in the same order, as the non-EM scheme: controls, then treated units.
      const rng = new Rng(prob.seed).stream(b);
      for (let k = 0; k < nCo; k++) w[rng.int(nCo)]! += 1;
      for (let k = 0; k < nTr; k++) w[nCo + rng.int(nTr)]! += 1;
    } else {
      w.fill(1);
      w[b] = 0;
    }
    const em = emFit(prob, r, null, null, w, warm, null);
    return { stats: computeStats(prob, lay, effects(tr.y, em.cfTr), w.subarray(nCo), em.fit.beta), converged: em.fit.converged };
  }
  if (kind === 'parametric') {
    const rng = new Rng(prob.seed).stream(b);
    // 1. n_tr controls take the treated units' timing (their post cells masked); EM fit on all
    //    untreated cells; their prediction errors over all periods.
    const rows = pseudoTreatedRows(prob, rng);
    const fit1 = emFit(prob, r, null, null, null, warm, { rows, starts: prob.starts }).fit;
    // 2. A sample with zero effect: fitted controls + resampled control residual rows; treated
    //    counterfactual + the pseudo-treated errors. Re-estimate by EM.
    const yCo = zeroEffectControls(prob, base, completeControls(prob), rng);
    const yTr = new Float64Array(nTr * T);
    for (let k = 0; k < nTr; k++) {
      const c = rows[k]!;
      for (let t = 0; t < T; t++) {
        const e = co.y[c * T + t]! - fit1.fitted![c * T + t]!;
        yTr[k * T + t] = Number.isNaN(tr.y[k * T + t]!) ? Number.NaN : base.cfTr[k * T + t]! + e;
      }
    }
    const em2 = emFit(prob, r, yCo, yTr, null, warm, null);
    return { stats: computeStats(prob, lay, effects(yTr, em2.cfTr), null, em2.fit.beta), converged: fit1.converged && em2.fit.converged };
  }
  throw new Error(`no replicates for inference '${kind}'`);
}

/** Run replications [from, to) into a (to−from)×K block; returns it and the number that did not converge or failed. */
export function replicateRange(prob: Problem, base: BaseEstimate, kind: Inference, from: number, to: number): { block: Float64Array; notConverged: number; failed: number } {
  const K = statLayout(prob).K;
  const block = new Float64Array((to - from) * K).fill(Number.NaN);
  let notConverged = 0;
  let failed = 0;
  for (let b = from; b < to; b++) {
    try {
      const res = replicate(prob, base, kind, b);
      block.set(res.stats, (b - from) * K);
      if (!res.converged) notConverged++;
    } catch (e) {
      // A resample can be degenerate (e.g. too few distinct controls for r factors): it is dropped and counted.
      if (e instanceof EstimationError) failed++;
      else throw e;
    }
  }
  return { block, notConverged, failed };
}

/** What a replication needs: the problem, the point estimate and the inference kind (sent to helper threads once per job). */
export interface ReplicateJob {
  prob: Problem;
  base: BaseEstimate;
  kind: Inference;
}

/** This module's URL: where src/inference/pool.ts's helper threads load the kernels below. */
export const KERNEL_MODULE = import.meta.url;

/** Row kernel (src/inference/pool.ts): replications [from, to) into their rows of the B×K matrix `out`. */
export function replicateRowsKernel(job: ReplicateJob, from: number, to: number, out: Float64Array): { notConverged: number; failed: number } {
  const res = replicateRange(job.prob, job.base, job.kind, from, to);
  out.set(res.block, from * statLayout(job.prob).K);
  return { notConverged: res.notConverged, failed: res.failed };
}

/** Map kernel (src/inference/pool.ts): the cross-validation row of the k-th candidate r (one iterative fit). */
export function cvRowKernel(job: { prob: Problem; rs: readonly number[] }, k: number): CvRow {
  return cvScores(job.prob, [job.rs[k]!])[0]!;
}

/** Check that the parametric bootstrap has enough controls to set n_tr of them aside. */
export function checkParametric(prob: Problem, r: number): void {
  const complete = completeControls(prob);
  if (prob.co.n < Math.max(prob.tr.n, 2)) {
    // issue 21: with more treated than control areas (e.g. 87 treated, 65 controls at force level) the cause is the design, not missing data
    throw new EstimationError('TOO_FEW_CONTROLS', `the parametric bootstrap (Xu 2017, Algorithm 2) sets aside one control unit as pseudo-treated for each treated unit, so it needs at least as many control units as treated ones: this panel has ${prob.tr.n} treated and ${prob.co.n} control units (${complete.length} of them observed in every fitted period). Use --inference nonparametric (resamples whole units; suited to many treated units) or --inference jackknife`, { controls: prob.co.n, complete: complete.length, treated: prob.tr.n });
  }
  if (complete.length < Math.max(prob.tr.n, 2)) {
    const incomplete: string[] = [];
    for (let i = 0; i < prob.co.n && incomplete.length < 10; i++) if (!complete.includes(i)) incomplete.push(prob.co.names[i]!);
    throw new EstimationError('TOO_FEW_COMPLETE_CONTROLS', `the parametric bootstrap draws ${prob.tr.n} pseudo-treated control unit(s) and the residual rows from the controls observed in every fitted period, so it needs at least ${Math.max(prob.tr.n, 2)} such controls (one per treated unit), and only ${complete.length} of the ${prob.co.n} controls are observed in every fitted period (incomplete: ${incomplete.join(', ')}${prob.co.n - complete.length > incomplete.length ? ', …' : ''}); use --inference nonparametric or jackknife, leave the incomplete periods out (--exclude-periods), or build the panel with --drop-incomplete`, { controls: prob.co.n, complete: complete.length, treated: prob.tr.n, incomplete });
  }
  const need = prob.tr.n + r + 2;
  if (prob.co.n < need) {
    throw new EstimationError('TOO_FEW_CONTROLS', `the parametric bootstrap sets ${prob.tr.n} control unit(s) aside as pseudo-treated and needs at least ${r + 2} more to fit ${r} factor(s), so at least ${need} control units; there are ${prob.co.n}. Use --inference nonparametric or jackknife`, { controls: prob.co.n, treated: prob.tr.n, factors: r });
  }
}

export type { ControlFit, FitSettings, UnitBlock };
