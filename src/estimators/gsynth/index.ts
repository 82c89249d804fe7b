/**
 * Generalized synthetic control (Xu 2017, Political Analysis 25:57): a panel and
 * options in, an {@link Analysis} out. See ife.ts for the model and model.ts for
 * the estimator and its inference.
 *
 * Design: the factors F, time effects ξ and β come from the never-treated units
 * only (all fit periods); each treated unit contributes its own pre-treatment
 * periods (before its own start) to estimate its α_i and λ_i; its post cells
 * are never used in any fit. Staggered adoption is handled unit by unit.
 * With `em: true` (Gobillon & Magnac 2016; the EM option of Xu 2017) the treated units'
 * pre-treatment cells join the fit: F, ξ, β (and each unit's α_i, λ_i) come from every
 * untreated cell, the treated post cells being missing values imputed by EM, and a treated
 * unit's counterfactual is its fitted value.
 */
import { preFitWarning } from '../preFit.js';
import { cvFailedMessage, observedControls, requireControlDataEachPeriod } from './checks.js';
import { EstimationError, InputError, UsageError } from '../../core/errors.js';
import { panelDesign, type Panel } from '../../core/panel.js';
import { parsePeriodRange, ordinalLabel } from '../../core/periods.js';
import { unitPath, type Analysis, type Diagnostic, type Interval, type PathPoint, type UnitResult, type Warning } from '../../core/result.js';
import { qnorm, qt, pValueNormal, pValueT, quantileSorted } from '../../core/stats.js';
import { FORCES, type Force, type UnitBlock } from './ife.js';
import { setReplicatePaths, type ReplicatePaths } from '../../core/replicatePaths.js';
import { checkParametric, estimate, INFERENCES, replicateCount, statLayout, type BaseEstimate, type CvRow, type FullEstimate, type Inference, type Problem } from './model.js';
import { runCv, runReplicates, startHelpers, type Helpers, type ProgressCallback } from './pool.js';

export { FORCES, type Force } from './ife.js';
export { INFERENCES, type Inference } from './model.js';
export type { Progress, ProgressCallback } from './pool.js';

export interface GsynthOptions {
  /** Additive fixed effects: 'two-way' (α_i and ξ_t, default), 'unit', 'time' or 'none'. */
  force?: Force;
  /** Number of factors r, or 'auto' (leave-one-period-out cross-validation over 0..factorsMax). Default 'auto'. */
  factors?: number | 'auto';
  /** Largest r tried by cross-validation. Default 5. */
  factorsMax?: number;
  /** Default 'parametric' (Xu 2017, Algorithm 2). */
  inference?: Inference;
  /** Bootstrap replications. Default 1000. */
  boots?: number;
  seed?: number;
  /** Confidence level. Default 0.95. */
  level?: number;
  /** Outcome is a rate per this many people (for counts). Default 100000. */
  ratePer?: number;
  /** Periods left out of the fit, each 'FROM:TO' or a single period. */
  excludePeriods?: readonly string[];
  /** Relative tolerance on the change of the fitted control values between iterations. Default 1e-7. */
  tol?: number;
  /** Iteration cap of the alternating (β, factors) / EM fit. Default 1000. */
  maxIter?: number;
  /**
   * EM variant: fit the factor model on all untreated cells (controls and the treated units'
   * pre-treatment periods), imputing the treated post cells by EM. Default false (Xu's Algorithm 1:
   * factors from the never-treated units only).
   */
  em?: boolean;
  /**
   * Threads for the bootstrap / jackknife and iterative cross-validation fits: the calling thread
   * plus workers − 1 helper threads sharing the replications (src/inference/pool.ts). Results do
   * not depend on it. Default 1.
   */
  workers?: number;
  /** Called as work proceeds (never called with workers results out of order). */
  progress?: ProgressCallback;
}

interface Resolved {
  force: Force;
  factors: number | 'auto';
  factorsMax: number;
  inference: Inference;
  boots: number;
  seed: number;
  level: number;
  ratePer: number;
  excludePeriods: string[];
  tol: number;
  maxIter: number;
  em: boolean;
  workers: number;
}

function resolve(o: GsynthOptions): Resolved {
  const r: Resolved = {
    force: o.force ?? 'two-way',
    factors: o.factors ?? 'auto',
    factorsMax: o.factorsMax ?? 5,
    inference: o.inference ?? 'parametric',
    boots: o.boots ?? 1000,
    seed: o.seed ?? 20190401,
    level: o.level ?? 0.95,
    ratePer: o.ratePer ?? 100000,
    excludePeriods: [...(o.excludePeriods ?? [])],
    tol: o.tol ?? 1e-7,
    maxIter: o.maxIter ?? 1000,
    em: o.em ?? false,
    workers: o.workers ?? 1,
  };
  if (!FORCES.includes(r.force)) throw new UsageError('BAD_OPTION', `--force ${String(r.force)} is not one of ${FORCES.join(', ')}`, { flag: '--force' });
  if (!INFERENCES.includes(r.inference)) throw new UsageError('BAD_INFERENCE', `--inference ${String(r.inference)} is not available for gsynth (choose ${INFERENCES.join(', ')})`, { flag: '--inference', allowed: INFERENCES });
  if (r.factors !== 'auto' && !(Number.isInteger(r.factors) && r.factors >= 0)) throw new UsageError('BAD_NUMBER', `--factors must be 'auto' or an integer ≥ 0`, { flag: '--factors' });
  if (!(Number.isInteger(r.factorsMax) && r.factorsMax >= 0)) throw new UsageError('BAD_NUMBER', `--factors-max must be an integer ≥ 0`, { flag: '--factors-max' });
  if (!(Number.isInteger(r.boots) && r.boots >= 2)) throw new UsageError('BAD_NUMBER', `--reps must be an integer ≥ 2 for gsynth's bootstrap`, { flag: '--reps' });
  if (!(r.tol > 0 && r.tol < 1)) throw new UsageError('BAD_NUMBER', `tol must be in (0, 1)`, { flag: '--tol' });
  if (!(r.level > 0 && r.level < 1)) throw new UsageError('BAD_NUMBER', `--level must be in (0, 1)`, { flag: '--level' });
  return r;
}

/** Largest share of failed bootstrap / jackknife replications for which an interval is still reported. */
const MAX_FAILED_SHARE = 0.05;

/** Resolve the excluded periods to panel indices. */
function excludedIndices(panel: Panel, specs: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const spec of specs) {
    const [a, b] = parsePeriodRange(spec.includes(':') ? spec : `${spec}:${spec}`, panel.frequency, '--exclude-periods');
    let hit = 0;
    panel.ordinals.forEach((o, t) => {
      if (o >= a && o <= b) {
        out.add(t);
        hit++;
      }
    });
    if (hit === 0) throw new UsageError('PERIOD_OUT_OF_RANGE', `--exclude-periods ${spec} covers none of the panel's periods (${panel.periods[0]} … ${panel.periods[panel.periods.length - 1]})`, { flag: '--exclude-periods', value: spec, from: ordinalLabel(a, panel.frequency) });
  }
  return out;
}

/**
 * Estimate the generalized synthetic control model.
 * @throws InputError (data), UsageError (options), EstimationError (model cannot be fitted)
 */
export async function gsynth(panel: Panel, options: GsynthOptions = {}): Promise<Analysis> {
  const o = resolve(options);
  // Helper threads (src/inference/pool.ts) start now, so their start-up overlaps the fit; they
  // share cross-validation fits and the bootstrap / jackknife replications with this thread.
  const helpers = o.workers > 1 && (o.inference !== 'none' || o.factors === 'auto') ? startHelpers(o.workers - 1) : null;
  try {
    return await estimateAll(panel, options, o, helpers);
  } finally {
    await helpers?.release();
  }
}

/**
 * The algorithm of Xu (2017) as named stages, for
 *   Y_it = δ_it D_it + X_itᵀβ + α_i + ξ_t + λ_iᵀ f_t + ε_it:
 * prepare the fit blocks → choose r (cross-validation, Algorithm 1) → fit the interactive
 * fixed effects and impute Ŷ_it(0) → infer (bootstrap, Algorithm 2, or jackknife) → assemble the
 * document. Warnings and diagnostics are appended in this order, which the documents record.
 */
async function estimateAll(panel: Panel, options: GsynthOptions, o: Resolved, helpers: Helpers | null): Promise<Analysis> {
  const prep = prepare(panel, o);
  const diagnostics: Diagnostic[] = [];
  const r = await chooseFactors(prep, o, options.progress, helpers, diagnostics);
  const est = fitModel(prep, o, r, diagnostics);
  const reps = await infer(prep, o, r, est, options.progress, helpers, diagnostics);
  const analysis = assemble(prep, o, r, est, reps, diagnostics);
  if (reps) setReplicatePaths(analysis, replicatePathsOf(prep, o, reps));
  return analysis;
}

/**
 * The replicates' calendar effect paths (internal, for the pre-trend Wald test of `pretrends`):
 * V̂ as the intervals use it, the sample covariance of the bootstrap paths or (n − 1)/n Σ of the
 * jackknife's; ν = replicates − 1, at most the resampled units − 1 (controls for the parametric
 * bootstrap, all units otherwise).
 */
function replicatePathsOf(prep: Prepared, o: Resolved, reps: Float64Array): ReplicatePaths {
  const lay = statLayout(prep.prob);
  const B = reps.length / lay.K;
  const paths: Float64Array[] = [];
  for (let b = 0; b < B; b++) {
    const x = new Float64Array(prep.Tall).fill(Number.NaN);
    for (let t = 0; t < prep.Tall; t++) if (prep.fitIndex[t]! >= 0) x[t] = reps[b * lay.K + lay.path + prep.fitIndex[t]!]!;
    if (!Number.isNaN(reps[b * lay.K + lay.att]!)) paths.push(x);
  }
  const R = paths.length;
  const units = o.inference === 'parametric' ? prep.prob.co.n : prep.prob.co.n + prep.prob.tr.n;
  const jack = o.inference === 'jackknife';
  return { scheme: jack ? 'jackknife' : `bootstrap-${o.inference}`, periods: prep.panel.periods, paths, multiplier: jack ? R - 1 : R / (R - 1), df: Math.min(R, units) - 1 };
}

/** Everything the stages share once the panel is laid out for the fit. */
interface Prepared {
  panel: Panel;
  design: ReturnType<typeof panelDesign>;
  /** Periods in the panel (T_all) and in the fit (T = T_all − excluded). */
  Tall: number;
  T: number;
  excluded: Set<number>;
  /** Panel period index of fit period k (length T). */
  keep: number[];
  /** Fit period index of panel period t, −1 if excluded (length T_all). */
  fitIndex: Int32Array;
  /** Panel unit indices of the treated units (N_tr). */
  treated: readonly number[];
  cov: readonly string[];
  /** Control (N_co×T) and treated (N_tr×T) blocks, and the rest of the estimation problem. */
  prob: Problem;
  /** Missing control outcome cells (imputed by EM). */
  imputedCells: number;
  /** α_i in the model (force 'unit' or 'two-way'). */
  unitFE: boolean;
  warnings: Warning[];
}

/** The periods left in the fit: keep (fit → panel index) and fitIndex (panel → fit index, −1). */
function fitPeriods(panel: Panel, o: Resolved): { excluded: Set<number>; keep: number[]; fitIndex: Int32Array; Tall: number; T: number } {
  const Tall = panel.periods.length;
  const excluded = excludedIndices(panel, o.excludePeriods);
  const keep: number[] = [];
  for (let t = 0; t < Tall; t++) if (!excluded.has(t)) keep.push(t);
  const T = keep.length;
  const fitIndex = new Int32Array(Tall).fill(-1);
  keep.forEach((t, k) => (fitIndex[t] = k));
  if (T < 3) throw new UsageError('TOO_FEW_PERIODS', `--exclude-periods leaves ${T} period(s) to fit; at least 3 are needed`, { periods: T });
  return { excluded, keep, fitIndex, Tall, T };
}

/** Outcomes Y (n×T) and covariates X (p arrays of n×T) of the given units over the fit periods. */
function unitBlock(panel: Panel, keep: readonly number[], units: readonly number[]): UnitBlock {
  const Tall = panel.periods.length;
  const T = keep.length;
  const cov = panel.covariateNames;
  const n = units.length;
  const y = new Float64Array(n * T);
  const x = cov.map(() => new Float64Array(n * T));
  units.forEach((i, j) => {
    keep.forEach((t, k) => {
      y[j * T + k] = panel.y[i * Tall + t]!;
      cov.forEach((c, q) => {
        const v = panel.covariates[c]![i * Tall + t]!;
        if (Number.isNaN(v)) throw new InputError('MISSING_COVARIATE', `${panel.file}: covariate '${c}' is missing for unit '${panel.units[i]}' in ${panel.periods[t]}; gsynth needs covariates in every fitted cell — fill it, drop the unit, or leave the period out with --exclude-periods`, { file: panel.file, unit: panel.units[i], period: panel.periods[t], column: c });
        x[q]![j * T + k] = v;
      });
    });
  });
  return { n, T, y, x, names: units.map((i) => panel.units[i]!) };
}

/** Each treated unit's first post-treatment fit period T0_i + 1 (length N_tr). */
function treatedStarts(panel: Panel, design: Prepared['design'], treated: readonly number[], keep: readonly number[]): Int32Array {
  const T = keep.length;
  const starts = new Int32Array(treated.length);
  treated.forEach((i, j) => {
    const s = design.startIndex[i]!;
    let fs = 0;
    while (fs < T && keep[fs]! < s) fs++;
    if (fs >= T) throw new InputError('NO_POST_PERIODS', `treated unit '${panel.units[i]}' (start ${panel.periods[s]}) has no post-treatment period left after --exclude-periods`, { unit: panel.units[i] });
    starts[j] = fs;
  });
  return starts;
}

/** Population of the treated units over the fit periods (N_tr×T), to turn rates into counts; null without a population column. */
function treatedPopulation(panel: Panel, treated: readonly number[], keep: readonly number[], starts: Int32Array): Float64Array | null {
  if (!panel.population) return null;
  const Tall = panel.periods.length;
  const T = keep.length;
  const popTr = new Float64Array(treated.length * T).fill(Number.NaN);
  treated.forEach((i, j) => {
    keep.forEach((t, k) => {
      const v = panel.population![i * Tall + t]!;
      if (k >= starts[j]! && !Number.isNaN(panel.y[i * Tall + t]!) && Number.isNaN(v)) {
        throw new InputError('MISSING_POPULATION', `${panel.file}: population ('${panel.populationColumn}') is missing for treated unit '${panel.units[i]}' in ${panel.periods[t]}, which is needed to convert the effect to counts`, { file: panel.file, unit: panel.units[i], period: panel.periods[t] });
      }
      popTr[j * T + k] = v;
    });
  });
  return popTr;
}

/** Event time e = t − start_i of each treated cell (N_tr×T) and its range [eMin, eMax] (eMin ≤ 0 ≤ eMax). */
function eventTimes(design: Prepared['design'], treated: readonly number[], keep: readonly number[]): { eventTime: Int32Array; eMin: number; eMax: number } {
  const T = keep.length;
  let eMin = 0;
  let eMax = 0;
  const eventTime = new Int32Array(treated.length * T);
  treated.forEach((i, j) => {
    keep.forEach((t, k) => {
      const e = t - design.startIndex[i]!;
      eventTime[j * T + k] = e;
      eMin = Math.min(eMin, e);
      eMax = Math.max(eMax, e);
    });
  });
  return { eventTime, eMin, eMax };
}

/**
 * Stage 1, prepare: the fit periods, the control block (never-treated units with data; N_co×T)
 * and the treated block (N_tr×T), each treated unit's start, population and event times.
 */
function prepare(panel: Panel, o: Resolved): Prepared {
  const design = panelDesign(panel, 2);
  const { excluded, keep, fitIndex, Tall, T } = fitPeriods(panel, o);
  const warnings: Warning[] = [];
  const cov = panel.covariateNames;
  // Controls: drop units with no observed outcome at all in the fit periods (one warning, issue 20).
  const controls = observedControls(panel, design.controlUnits, keep, warnings);
  if (!o.em) requireControlDataEachPeriod(panel, controls, keep);
  const treated = design.treatedUnits;
  const co = unitBlock(panel, keep, controls);
  const tr = unitBlock(panel, keep, treated);
  const starts = treatedStarts(panel, design, treated, keep);
  const popTr = treatedPopulation(panel, treated, keep, starts);
  const { eventTime, eMin, eMax } = eventTimes(design, treated, keep);
  const prob: Problem = {
    co,
    tr,
    starts,
    settings: { force: o.force, tol: o.tol, maxIter: o.maxIter, covariateNames: cov },
    popTr,
    ratePer: o.ratePer,
    firstStart: Math.min(...starts),
    eventTime,
    eMin,
    eMax,
    seed: o.seed,
    em: o.em,
  };
  let imputedCells = 0;
  for (let k = 0; k < co.y.length; k++) if (Number.isNaN(co.y[k]!)) imputedCells++;
  const unitFE = o.force === 'unit' || o.force === 'two-way';
  return { panel, design, Tall, T, excluded, keep, fitIndex, treated, cov, prob, imputedCells, unitFE, warnings };
}

/**
 * Stage 2, choose r: leave-one-period-out cross-validation over r = 0..r_max on the treated
 * units' pre-treatment periods (Xu 2017, Algorithm 1), or the fixed --factors checked against
 * min(N_fit, T) − 1. Pushes FACTORS_CV or FACTORS_FIXED.
 */
async function chooseFactors(prep: Prepared, o: Resolved, progress: ProgressCallback | undefined, helpers: Helpers | null, diagnostics: Diagnostic[]): Promise<number> {
  const { prob, T, unitFE, imputedCells } = prep;
  const { co, tr, starts } = prob;
  let minPre = Infinity;
  for (let j = 0; j < tr.n; j++) {
    let m = 0;
    for (let t = 0; t < starts[j]!; t++) if (!Number.isNaN(tr.y[j * T + t]!)) m++;
    minPre = Math.min(minPre, m);
  }
  // Units in the factor fit: the controls, plus the treated units in EM mode.
  const nFit = co.n + (o.em ? tr.n : 0);
  if (o.factors !== 'auto') {
    const r = o.factors;
    const cap = Math.min(nFit, T) - 1;
    if (r > cap) throw new EstimationError('TOO_MANY_FACTORS', `--factors ${r} is more than the data can identify: at most ${cap} with ${nFit} ${o.em ? 'fitted (control + treated)' : 'control'} units and ${T} fitted periods`, { factors: r, max: cap });
    diagnostics.push({ code: 'FACTORS_FIXED', passed: null, value: r, message: `number of factors fixed at r = ${r} (--factors)` });
    return r;
  }
  const rMax = Math.min(o.factorsMax, minPre - (unitFE ? 1 : 0) - 1, nFit - 1, T - 1);
  if (rMax < 0) throw new InputError('TOO_FEW_PRE_PERIODS', `cross-validation needs every treated unit to have at least ${(unitFE ? 1 : 0) + 1} observed pre-treatment periods; the shortest has ${minPre}`, { preperiods: minPre });
  const rs = Array.from({ length: rMax + 1 }, (_, k) => k);
  const cvRows: CvRow[] = await runCv(prob, rs, progress, helpers);
  let best = -1;
  for (const row of cvRows) if (row.mspe !== null && (best < 0 || row.mspe < cvRows[best]!.mspe!)) best = row.r;
  if (best < 0) throw new InputError('CV_FAILED', cvFailedMessage(cvRows, minPre, imputedCells, co.n * T), { preperiods: minPre, missingControlCells: imputedCells });
  const r = best;
  diagnostics.push({
    code: 'FACTORS_CV',
    passed: null,
    value: r,
    message: `number of factors chosen by leave-one-period-out cross-validation over the treated units' pre-treatment periods (Xu 2017, Algorithm 1${o.em ? '; EM: each period is left out of every treated unit still untreated then, the model refitted by EM and the left-out cells predicted' : ''}): r = ${r} minimises the mean squared prediction error among r = 0..${rMax}${rMax < o.factorsMax ? ` (capped from ${o.factorsMax} by the shortest pre-period / number of controls)` : ''}`,
    table: cvRows.map((row) => ({ r: row.r, mspe: row.mspe, converged: row.converged })),
  });
  return r;
}

/**
 * Stage 3, fit: β̂, F̂ (T×r), ξ̂_t from the controls (Bai 2009 iterative principal components),
 * α̂_i, λ̂_i (N_tr×r) from each treated unit's pre-periods, Ŷ_it(0) and δ̂_it = Y_it − Ŷ_it(0)
 * (est.eff, N_tr×T). Pushes IFE_CONVERGENCE and PRE_FIT (in-sample pre-period RMSE of δ̂).
 */
function fitModel(prep: Prepared, o: Resolved, r: number, diagnostics: Diagnostic[]): FullEstimate {
  const { prob, T, cov, imputedCells, warnings } = prep;
  const { tr, starts } = prob;
  const est = estimate(prob, r);
  diagnostics.push({
    code: 'IFE_CONVERGENCE',
    passed: est.fit.converged,
    value: est.fit.iterations,
    message: est.fit.iterations === 1 && cov.length === 0 && imputedCells === 0 && !o.em
      ? 'no covariates and a balanced control panel: the factors are exact after one eigen-decomposition'
      : `${o.em ? `EM fit on all untreated cells (controls and the treated units' pre-treatment periods; ${est.fit.imputed} missing cell(s) imputed, the treated post cells among them): ` : ''}alternating β / factor${imputedCells || o.em ? ' / EM imputation' : ''} iterations: ${est.fit.iterations} (tolerance ${o.tol} on the relative change of the fitted control values, cap ${o.maxIter})${est.fit.converged ? '' : ' — NOT converged'}`,
  });
  if (!est.fit.converged) warnings.push({ code: 'NOT_CONVERGED', message: `the interactive fixed-effects fit did not converge in ${o.maxIter} iterations (relative tolerance ${o.tol}); raise the cap or check the covariates` });
  if (imputedCells > 0) warnings.push({ code: 'IMPUTED_CONTROL_CELLS', message: `${imputedCells} missing control outcome cell(s) were imputed by EM (fitted values of the factor model, iterated to convergence)` });
  // Pre-period fit of treated units.
  let preSs = 0;
  let preN = 0;
  for (let j = 0; j < tr.n; j++) for (let t = 0; t < starts[j]!; t++) {
    const v = est.eff[j * T + t]!;
    if (!Number.isNaN(v)) {
      preSs += v * v;
      preN++;
    }
  }
  diagnostics.push({ code: 'PRE_FIT', passed: null, value: Math.sqrt(preSs / preN), message: 'root mean squared error of the treated units over their pre-treatment periods (in sample)' });
  return est;
}

/**
 * Stage 4, infer: B replicates of every statistic (B×K row-major, K = statLayout(prob).K), from
 * the parametric bootstrap (Xu 2017, Algorithm 2), the nonparametric bootstrap or the
 * jackknife; null for --inference none. Too many failed replicates is an error.
 */
async function infer(prep: Prepared, o: Resolved, r: number, est: FullEstimate, progress: ProgressCallback | undefined, helpers: Helpers | null, diagnostics: Diagnostic[]): Promise<Float64Array | null> {
  const { prob, T, imputedCells, warnings } = prep;
  if (o.inference === 'none') return null;
  const B = replicateCount(prob, o.inference, o.boots);
  if (o.inference === 'parametric') checkParametric(prob, r);
  const base: BaseEstimate = { r, beta: est.fit.beta, fittedCo: est.fit.fitted!, residCo: est.residCo, cfTr: est.cf, V: est.fit.F.map((f) => f / Math.sqrt(T)) };
  const res = await runReplicates(prob, base, o.inference, B, progress, helpers);
  // Replicates that fail are not a random subset of the resamples (before this check, every
  // resample that left out a control with missing cells failed, and the interval came from the
  // few that did not: degenerate or far too wide, with exit 0). Beyond a small share the
  // interval of the survivors is not an interval of the estimator, so none is returned.
  if (res.failed > MAX_FAILED_SHARE * B || B - res.failed < 2) {
    throw new EstimationError('REPLICATES_FAILED', `${res.failed} of ${B} ${o.inference} replication(s) could not be estimated (degenerate resamples${imputedCells > 0 ? `; the panel has ${imputedCells} missing control cell(s)` : ''}), more than ${100 * MAX_FAILED_SHARE}%, so the interval would come from an unrepresentative subset; use another --inference, fewer --factors${imputedCells > 0 ? ', or build the panel with --drop-incomplete' : ''}`, { failed: res.failed, replications: B, inference: o.inference, imputedCells });
  }
  if (res.failed > 0) warnings.push({ code: 'REPLICATES_FAILED', message: `${res.failed} of ${B} ${o.inference} replication(s) could not be estimated (degenerate resample) and were dropped` });
  if (res.notConverged > 0) warnings.push({ code: 'NOT_CONVERGED', message: `${res.notConverged} of ${B} ${o.inference} replication(s) did not converge within ${o.maxIter} iterations` });
  diagnostics.push({ code: 'REPLICATES', passed: res.failed === 0, value: B - res.failed, message: `${B - res.failed} ${o.inference} replication(s) used` });
  return res.reps;
}

/** se, interval and p-value of statistic k (θ̂ = est.stats[k]) from its replicates. */
type Summary = (k: number, centre?: number, overTreated?: boolean) => { se: number | null; ci: Interval; pValue: number | null };

/** The interval rule of each inference scheme, over the replicates reps (B×K). */
function summariser(prep: Prepared, o: Resolved, est: FullEstimate, reps: Float64Array | null): Summary {
  const lay = statLayout(prep.prob);
  const B = replicateCount(prep.prob, o.inference, o.boots);
  const z = qnorm(0.5 + o.level / 2);
  // Small-sample correction of the nonparametric interval for quantities averaged over the treated
  // units (ATT, path, event times, counts): with n_tr treated units resampled, the bootstrap
  // spread understates the sampling spread of a mean over n_tr units and ignores that it is
  // itself estimated from n_tr units, so the basic interval's half-widths are scaled by
  // κ = t_{n_tr−1}(½ + level/2) / z(½ + level/2) and p-values use t with n_tr − 1 df (the normal
  // limits as n_tr grows). Without it the 95% interval covered 90.5% with 8 treated of 60 areas.
  const dfTr = prep.prob.tr.n - 1;
  const kappa = o.inference === 'nonparametric' && dfTr >= 1 ? qt(0.5 + o.level / 2, dfTr) / qnorm(0.5 + o.level / 2) : 1;
  return (k: number, centre = 0, overTreated = true): { se: number | null; ci: Interval; pValue: number | null } => {
    const theta = est.stats[k]!;
    if (!reps || Number.isNaN(theta)) return { se: null, ci: null, pValue: null };
    const vals: number[] = [];
    for (let b = 0; b < B; b++) {
      const v = reps[b * lay.K + k]!;
      if (!Number.isNaN(v)) vals.push(v);
    }
    if (vals.length < 2) return { se: null, ci: null, pValue: null };
    const n = vals.length;
    let m = 0;
    for (const v of vals) m += v;
    m /= n;
    let ss = 0;
    for (const v of vals) ss += (v - m) ** 2;
    let se: number;
    let ci: Interval;
    if (o.inference === 'jackknife') {
      se = Math.sqrt(((n - 1) / n) * ss);
      ci = [theta - z * se, theta + z * se];
    } else {
      se = Math.sqrt(ss / (n - 1));
      const s = Float64Array.from(vals).sort();
      const lo = quantileSorted(s, (1 - o.level) / 2);
      const hi = quantileSorted(s, (1 + o.level) / 2);
      // Basic bootstrap interval θ̂ − (q_hi − c), θ̂ − (q_lo − c) for both schemes: for the
      // nonparametric bootstrap c = θ̂ (i.e. [2θ̂ − q_hi, 2θ̂ − q_lo]), for the parametric one the
      // replicates are centred at zero effect (c = 0; c = β̂ for β). The percentile interval
      // [q_lo, q_hi] was shifted by the estimator's small-sample bias and covered 89% at 95%
      // with 8 treated of 60 areas (issue 15); the basic interval reflects the shift back.
      const c = o.inference === 'nonparametric' ? theta : centre;
      const f = overTreated ? kappa : 1;
      ci = [theta - f * (hi - c), theta - f * (lo - c)];
    }
    const studentT = o.inference === 'nonparametric' && overTreated && dfTr >= 1;
    return { se, ci, pValue: se > 0 ? (studentT ? pValueT(theta / se, dfTr) : pValueNormal(theta / se)) : null };
  };
}

const num = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** Path by calendar period (T_all points): treated means of Y and Ŷ(0) over the units in the set, effect and cumulative effect. */
function calendarPath(prep: Prepared, est: FullEstimate, summary: Summary): PathPoint[] {
  const { panel, design, treated, Tall, T, fitIndex } = prep;
  const lay = statLayout(prep.prob);
  const path: PathPoint[] = [];
  const firstStartPanel = Math.min(...treated.map((i) => design.startIndex[i]!));
  for (let t = 0; t < Tall; t++) {
    const k = fitIndex[t]!;
    let os = 0;
    let cs = 0;
    let n = 0;
    treated.forEach((i, j) => {
      const s = design.startIndex[i]!;
      const inSet = t >= firstStartPanel ? t >= s : true;
      const y = panel.y[i * Tall + t]!;
      if (!inSet || Number.isNaN(y)) return;
      os += y;
      if (k >= 0) cs += est.cf[j * T + k]!;
      n++;
    });
    const sm = k >= 0 ? summary(lay.path + k) : { se: null, ci: null };
    const cm = k >= 0 && t >= firstStartPanel ? summary(lay.cum + k) : { se: null, ci: null };
    path.push({
      period: panel.periods[t]!,
      observed: n > 0 ? os / n : null,
      counterfactual: n > 0 && k >= 0 ? cs / n : null,
      effect: k >= 0 ? num(est.stats[lay.path + k]!) : null,
      se: sm.se,
      ci: sm.ci,
      cumulative: k >= 0 && t >= firstStartPanel ? num(est.stats[lay.cum + k]!) : null,
      cumulativeCi: cm.ci,
      n,
      excluded: k < 0,
    });
  }
  return path;
}

/** The EXCLUDED_PERIODS warning, if any periods were left out of the fit. */
function excludedWarning(prep: Prepared, o: Resolved, path: readonly PathPoint[]): Warning | null {
  const { panel, design, treated, excluded } = prep;
  const firstStartPanel = Math.min(...treated.map((i) => design.startIndex[i]!));
  const nPostExcluded = path.filter((p) => p.excluded && panel.periods.indexOf(p.period) >= firstStartPanel).length;
  if (excluded.size === 0) return null;
  return { code: 'EXCLUDED_PERIODS', message: `${excluded.size} period(s) left out of the fit (--exclude-periods ${o.excludePeriods.join(',')})${nPostExcluded ? `; ${nPostExcluded} of them after treatment start have no counterfactual and do not count in the ATT or the cumulative effect` : ''}` };
}

/** Effect by event time e = eMin..eMax (those with at least one fitted treated cell). */
function eventPathOf(prep: Prepared, est: FullEstimate, summary: Summary): Record<string, unknown>[] {
  const { prob, T } = prep;
  const lay = statLayout(prob);
  const eventPath: Record<string, unknown>[] = [];
  for (let e = prob.eMin; e <= prob.eMax; e++) {
    let n = 0;
    for (let j = 0; j < prob.tr.n; j++) for (let t = 0; t < T; t++) if (prob.eventTime[j * T + t] === e && !Number.isNaN(est.eff[j * T + t]!)) n++;
    const k = lay.event + e - prob.eMin;
    if (n === 0) continue; // event times that fall only in excluded periods
    const sm = summary(k);
    eventPath.push({ eventTime: e, effect: num(est.stats[k]!), se: sm.se, ci: sm.ci, n });
  }
  return eventPath;
}

/** One result per treated unit: its ATT, pre-period RMSE, α̂_i, λ̂_i (r) and its Y / Ŷ(0) path. */
function unitResults(prep: Prepared, r: number, est: FullEstimate, summary: Summary): UnitResult[] {
  const { panel, design, treated, T, unitFE } = prep;
  const { tr, starts } = prep.prob;
  const lay = statLayout(prep.prob);
  return treated.map((i, j) => {
    let ss = 0;
    let m = 0;
    let nPost = 0;
    for (let t = 0; t < T; t++) {
      const v = est.eff[j * T + t]!;
      if (Number.isNaN(v)) continue;
      if (t < starts[j]!) {
        ss += v * v;
        m++;
      } else nPost++;
    }
    const sm = summary(lay.unit + j, 0, false);
    return {
      unit: panel.units[i]!,
      att: num(est.stats[lay.unit + j]!),
      se: sm.se,
      ci: sm.ci,
      preRmspe: m > 0 ? Math.sqrt(ss / m) : null,
      weights: null,
      start: panel.periods[design.startIndex[i]!]!,
      postPeriods: nPost,
      alpha: unitFE ? est.alpha[j]! : null,
      loadings: Array.from(est.lambda.subarray(j * r, (j + 1) * r)),
      path: unitPath(
        panel.periods,
        tr.y.subarray(j * T, (j + 1) * T),
        Float64Array.from({ length: T }, (_, t) => tr.y[j * T + t]! - est.eff[j * T + t]!),
      ),
    };
  });
}

/** The options block of the document: every option as used (r as chosen). */
function recordedOptions(panel: Panel, o: Resolved, r: number): Analysis['options'] {
  return {
    method: 'gsynth',
    force: o.force,
    factors: r,
    factorSelection: o.factors === 'auto' ? 'cross-validation' : 'fixed',
    factorsMax: o.factorsMax,
    inference: o.inference,
    boots: o.inference === 'parametric' || o.inference === 'nonparametric' ? o.boots : null,
    seed: o.seed,
    level: o.level,
    covariates: [...panel.covariateNames],
    population: panel.populationColumn,
    ratePer: panel.population ? o.ratePer : null,
    excludePeriods: o.excludePeriods,
    tol: o.tol,
    maxIter: o.maxIter,
    em: o.em,
  };
}

/**
 * Stage 5, assemble: the ATT (mean δ̂_it over treated post cells), cumulative effect, paths,
 * units, β̂ with intervals, pre-fit warning and counts, into one {@link Analysis}.
 */
function assemble(prep: Prepared, o: Resolved, r: number, est: FullEstimate, reps: Float64Array | null, diagnostics: Diagnostic[]): Analysis {
  const { panel, T, cov, warnings } = prep;
  const { co, tr, starts } = prep.prob;
  const lay = statLayout(prep.prob);
  const summary = summariser(prep, o, est, reps);
  const inferenceLabel = o.inference === 'none' ? 'none' : o.inference === 'jackknife' ? 'jackknife' : `bootstrap-${o.inference}`;
  const path = calendarPath(prep, est, summary);
  const excludedW = excludedWarning(prep, o, path);
  if (excludedW) warnings.push(excludedW);
  const eventPath = eventPathOf(prep, est, summary);
  const units = unitResults(prep, r, est, summary);
  const attS = summary(lay.att);
  const lastCum = lay.cum + T - 1;
  const cumS = summary(lastCum);
  let cells = 0;
  for (let j = 0; j < tr.n; j++) for (let t = starts[j]!; t < T; t++) if (!Number.isNaN(est.eff[j * T + t]!)) cells++;
  const analysis: Analysis = {
    method: 'gsynth',
    options: recordedOptions(panel, o, r),
    estimate: {
      att: num(est.stats[lay.att]!),
      se: attS.se,
      ci: attS.ci,
      level: o.level,
      pValue: attS.pValue,
      inference: inferenceLabel,
      cumulative: { value: num(est.stats[lastCum]!), ci: cumS.ci },
      treatedUnits: tr.n,
      controlUnits: co.n,
      treatedCells: cells,
    },
    path,
    units,
    diagnostics,
    warnings,
    eventPath,
  };
  if (cov.length > 0) {
    analysis.coefficients = cov.map((c, k) => {
      const sm = summary(lay.beta + k, est.fit.beta[k]!, false);
      return { term: c, estimate: est.fit.beta[k]!, se: sm.se, ci: sm.ci, pValue: sm.pValue };
    });
  }
  const poorFit = preFitWarning(analysis, { demean: false, fix: 'try a different number of factors (--factors), covariates, or --em' }); // issue 21
  if (poorFit) warnings.push(poorFit);
  if (panel.population) {
    const cs = summary(lay.count);
    analysis.counts = {
      population: panel.populationColumn,
      ratePer: o.ratePer,
      offencesAvoided: num(est.stats[lay.count]!),
      se: cs.se,
      ci: cs.ci,
      cells,
      definition: `−Σ effect × ${panel.populationColumn} / ${o.ratePer} over treated units and their post-treatment periods (negative effects = offences avoided)`,
    };
  }
  return analysis;
}
