/**
 * Micro-area synthetic control (Robbins, Saunders & Kilmer 2017, JASA 112:109; Robbins &
 * Davenport 2021, JSS 97(2), the R package microsynth): one set of calibration weights on the
 * control areas reproduces the treated areas' totals exactly on pre-period outcomes and
 * time-invariant covariates; the weighted controls' post-period totals are the counterfactual
 * for the treated areas' totals; inference by placebo treated sets (permutation), a
 * delete-a-group jackknife and a linearisation (Taylor) variance; and the range of the
 * counterfactual over every exactly balancing weighting (two linear programmes per outcome).
 *
 * Symbols: n₁ treated areas (set 𝒯), n₀ controls (j), outcomes o, periods t (pre: t < t₀; post:
 * t₀ ≤ t ≤ t_end); x_j ∈ ℝ^p the matching variables with an intercept; w_j the weights;
 * Y_o = Σ_{i∈𝒯} Σ_{t post} y_{oit} the treated total; Ŝ_o = Σ_j w_j Σ_{t post} y_{ojt} the
 * synthetic total; percentage change 100·(Y_o − Ŝ_o)/Ŝ_o.
 */
import { EstimationError, InputError, UsageError } from '../../core/errors.js';
import type { Panel } from '../../core/panel.js';
import type { Analysis, Diagnostic, PathPoint, Warning } from '../../core/result.js';
import { Rng } from '../../core/rng.js';
import { symmetricEigen } from '../../core/linalg.js';
import { hessianAt, rake, rakePenalised, whiten, zeroTargetKeep, type CalibrationDistance, type RakeProblem, type RakeResult, type Whitened } from './calibrate.js';
import { linearisedVariances } from './linearise.js';
import { type InferenceBlock, normalBlock, quantile, sorted } from './blocks.js';
import type { MicroProgress } from './replicates.js';
import { permutationInference, type PermOutcome, type PermPool, type PermStat } from './permutation.js';
import { syntheticRange, type SyntheticRange } from './range.js';
import { leaveOneOut, type ResampleProgress } from '../../inference/resample.js';
import { denominators, fitSet, type ReplicateProblem } from './replicates.js';

export type { MicroProgress } from './replicates.js';
export type { InferenceBlock } from './blocks.js';
export { PERM_POOLS, PERM_STATS, type PermPool, type PermStat } from './permutation.js';

export const MICRO_INFERENCES = ['permutation', 'jackknife', 'linearisation'] as const;
export type MicroInference = (typeof MICRO_INFERENCES)[number];

/** How pre-period outcomes enter the constraints: each period, their total, or sums of K consecutive periods. */
export type MatchPeriods = { kind: 'each' } | { kind: 'total' } | { kind: 'every'; k: number };

/** A micro-area panel: several outcomes, time-invariant covariates, one common start. */
export interface MicroData {
  units: readonly string[];
  periods: readonly string[];
  /** Outcomes reported (and, unless `matchOutcomes` says otherwise, matched). */
  outcomes: readonly string[];
  /** Each outcome's N × T matrix, row-major (cell (i,t) at i·T + t). */
  y: Readonly<Record<string, Float64Array>>;
  /** Time-invariant covariates' values, one per unit. */
  covariates: Readonly<Record<string, Float64Array>>;
  /** 1 for treated units. */
  treated: Uint8Array;
  /** Index of the first treated period. */
  start: number;
  /** N × T residents (`--population`), for rates per 100,000 beside the counts; optional. */
  population?: Float64Array;
}

export interface MicroOptions {
  matchPeriods: MatchPeriods;
  /** Outcomes whose pre-period values are matched (default: every outcome in `data.outcomes`). */
  matchOutcomes?: readonly string[];
  /** Covariates matched exactly (default: every covariate in `data.covariates`). */
  matchCovariates?: readonly string[];
  /**
   * Variables balanced as closely as possible without being exact (`--match-min`): outcomes in
   * `data.y` (their pre-period values, in the blocks of `matchPeriods`) and covariates.
   */
  matchMinOutcomes?: readonly string[];
  matchMinCovariates?: readonly string[];
  /** Last post period index (default: the last period). */
  endPost?: number;
  inference: readonly MicroInference[];
  perms: number;
  /** Jackknife groups (default min(n₁, 40)). */
  jackGroups?: number;
  /** Compute the range of the synthetic totals over all exactly balancing weights. */
  weightRange: boolean;
  seed: number;
  level: number;
  /**
   * Distance from uniform weights that the calibration minimises: 'linear' (the default: truncated
   * linear / χ² with w ≥ 0, microsynth's default calfun "linear" with bounds (0, ∞)) or 'raking'
   * (Kullback–Leibler, exponential tilting, every weight > 0).
   */
  distance?: CalibrationDistance;
  /** Relative imbalance at which the raking stops. */
  tol: number;
  maxIter: number;
  threads: number;
  progress?: (p: MicroProgress) => void;
  /** Permutation statistic (see permutation.ts): 'log-ratio' (default), 'studentised', or microsynth's 'z'. */
  permStat?: PermStat;
  /** Placebo sets drawn from the controls (default) or from all areas (microsynth). */
  permPool?: PermPool;
  /**
   * Largest relative imbalance accepted when exact balance is infeasible (default 0.05): the
   * closest achievable weights are used, with a warning, only when every balanced variable's
   * synthetic total is within this fraction of the treated total; otherwise micro refuses.
   */
  maxImbalance?: number;
}

/**
 * Pull a {@link MicroData} out of a panel read with the first outcome as `outcome` and the other
 * outcomes and the covariates as (time-varying) covariates. Covariates must not vary over time
 * within a unit, and no cell may be missing (micro-area counts: a missing count is an error, not 0).
 */
export function microDataFromPanel(panel: Panel, outcomes: readonly string[], covariates: readonly string[]): MicroData {
  const N = panel.units.length;
  const T = panel.periods.length;
  const y: Record<string, Float64Array> = {};
  outcomes.forEach((o, k) => {
    const m = k === 0 ? panel.y : panel.covariates[o];
    if (!m) throw new InputError('MISSING_COLUMN', `${panel.file} has no column '${o}' (from --outcome)`, { file: panel.file, column: o });
    for (let i = 0; i < N; i++)
      for (let t = 0; t < T; t++)
        if (!Number.isFinite(m[i * T + t]!))
          throw new InputError('MISSING_VALUE', `${panel.file}: outcome '${o}' is missing for unit '${panel.units[i]}' in period ${panel.periods[t]} (micro-area synthetic control needs every unit × period; fill true zeros with 0 or drop the unit)`, { file: panel.file, unit: panel.units[i], period: panel.periods[t], column: o });
    y[o] = m;
  });
  const cov: Record<string, Float64Array> = {};
  for (const c of covariates) {
    const m = panel.covariates[c];
    if (!m) throw new InputError('MISSING_COLUMN', `${panel.file} has no column '${c}' (from --match-covariates)`, { file: panel.file, column: c });
    const v = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const first = m[i * T]!;
      for (let t = 0; t < T; t++) {
        const x = m[i * T + t]!;
        if (!Number.isFinite(x)) throw new InputError('MISSING_VALUE', `${panel.file}: covariate '${c}' is missing for unit '${panel.units[i]}' in period ${panel.periods[t]}`, { file: panel.file, unit: panel.units[i], period: panel.periods[t], column: c });
        if (x !== first) throw new InputError('TIME_VARYING_COVARIATE', `${panel.file}: covariate '${c}' changes over time for unit '${panel.units[i]}' (${first} in ${panel.periods[0]}, ${x} in ${panel.periods[t]}); --match-covariates takes time-invariant columns (match a time-varying series as an outcome with --match-outcomes)`, { file: panel.file, unit: panel.units[i], column: c });
      }
      v[i] = first;
    }
    cov[c] = v;
  }
  const treated = new Uint8Array(N);
  let start = -1;
  for (let i = 0; i < N; i++) {
    let s = -1;
    for (let t = 0; t < T; t++)
      if (panel.treated[i * T + t] === 1) {
        s = t;
        break;
      }
    if (s < 0) continue;
    treated[i] = 1;
    if (start < 0) start = s;
    else if (s !== start)
      throw new InputError('STAGGERED_START', `unit '${panel.units[i]}' is first treated in ${panel.periods[s]} but others in ${panel.periods[start]}; micro-area synthetic control needs one common start (run each cohort separately)`, { unit: panel.units[i] });
  }
  if (start < 0) throw new InputError('NO_TREATED', `${panel.file}: no unit is ever treated; name the treatment column with --treated or give --treated-units and --start`, { file: panel.file });
  if (panel.population)
    for (let i = 0; i < N; i++)
      for (let t = 0; t < T; t++)
        if (!Number.isFinite(panel.population[i * T + t]!))
          throw new InputError('MISSING_VALUE', `${panel.file}: population ('${panel.populationColumn}') is missing for unit '${panel.units[i]}' in period ${panel.periods[t]} (rates need every unit × period)`, { file: panel.file, unit: panel.units[i], period: panel.periods[t], column: panel.populationColumn });
  return { units: panel.units, periods: panel.periods, outcomes, y, covariates: cov, treated, start, ...(panel.population ? { population: panel.population } : {}) };
}

interface Column {
  name: string;
  /** Value for unit i. */
  get: (i: number) => number;
}

/** One outcome's pre-period constraint columns: each period, the total, or sums of K periods. */
function outcomeColumns(data: MicroData, opts: MicroOptions, o: string, flag: string): Column[] {
  const T = data.periods.length;
  const pre = data.start;
  const m = data.y[o];
  if (!m) throw new UsageError('UNKNOWN_OUTCOME', `${flag} names '${o}', which is not an outcome read from the panel`, { outcome: o });
  const blocks: [number, number][] = [];
  if (opts.matchPeriods.kind === 'each') for (let t = 0; t < pre; t++) blocks.push([t, t]);
  else if (opts.matchPeriods.kind === 'total') blocks.push([0, pre - 1]);
  else {
    // Blocks of K counted back from the last pre period, so the latest block is complete.
    const K = opts.matchPeriods.k;
    for (let end = pre - 1; end >= 0; end -= K) blocks.unshift([Math.max(0, end - K + 1), end]);
  }
  return blocks.map(([a, b]) => ({
    name: a === b ? `${o}@${data.periods[a]}` : `${o}@${data.periods[a]}:${data.periods[b]}`,
    get: (i: number) => {
      let s = 0;
      for (let t = a; t <= b; t++) s += m[i * T + t]!;
      return s;
    },
  }));
}

function covariateColumn(data: MicroData, c: string): Column {
  const v = data.covariates[c];
  if (!v) throw new UsageError('UNKNOWN_COVARIATE', `covariate '${c}' was not read from the panel`, { covariate: c });
  return { name: c, get: (i) => v[i]! };
}

/** The exactly balanced variables, in order: each matched outcome's pre-period values (or sums), then covariates. */
function matchingColumns(data: MicroData, opts: MicroOptions): Column[] {
  return [...(opts.matchOutcomes ?? data.outcomes).flatMap((o) => outcomeColumns(data, opts, o, '--match-outcomes')), ...(opts.matchCovariates ?? Object.keys(data.covariates)).map((c) => covariateColumn(data, c))];
}

/** The approximately balanced variables (`--match-min`), in the same layout. */
function minColumns(data: MicroData, opts: MicroOptions): Column[] {
  return [...(opts.matchMinOutcomes ?? []).flatMap((o) => outcomeColumns(data, opts, o, '--match-min')), ...(opts.matchMinCovariates ?? []).map((c) => covariateColumn(data, c))];
}

/** N × q row-major matrix of the columns' values, checked finite. */
function columnMatrix(data: MicroData, cols: readonly Column[]): Float64Array {
  const N = data.units.length;
  const q = cols.length;
  const A = new Float64Array(N * q);
  for (let k = 0; k < q; k++) {
    const get = cols[k]!.get;
    for (let i = 0; i < N; i++) {
      const v = get(i);
      if (!Number.isFinite(v)) throw new InputError('NON_FINITE', `matching variable ${cols[k]!.name} is not finite for unit '${data.units[i]}'`, { unit: data.units[i] });
      A[i * q + k] = v;
    }
  }
  return A;
}

/**
 * Residualise the approximately balanced columns B (N × q_B) on the span of the exact constraints
 * over the controls: b⊥ = b − Z(Σ_j d z_j b_j), using that the exact constraints' whitened rows
 * are orthonormal over the controls (Σ_j d z_j z_jᵀ = I). Under exact balance the imbalance of b
 * equals that of b⊥, and a column the exact constraints already determine (‖b⊥‖ ≤ 1e-9·‖b − b̄‖
 * over the controls) becomes 0, so no penalty can act on exact directions. Returns b⊥ and, per
 * column, the ratio of the raw SD to the residual SD among the controls (0 for a zeroed column).
 */
function residualise(WE: Whitened, B: Float64Array, N: number, qB: number, controls: Int32Array, d: number): { Bp: Float64Array; sdRatio: Float64Array; implied: boolean[] } {
  const r = WE.r;
  const Bp = new Float64Array(N * qB);
  const sdRatio = new Float64Array(qB);
  const implied: boolean[] = [];
  const n0 = controls.length;
  const beta = new Float64Array(r);
  for (let k = 0; k < qB; k++) {
    beta.fill(0);
    let mean = 0;
    for (let a = 0; a < n0; a++) {
      const j = controls[a]!;
      const b = B[j * qB + k]!;
      mean += b;
      for (let c = 0; c < r; c++) beta[c] = beta[c]! + d * WE.Z[j * r + c]! * b;
    }
    mean /= n0;
    for (let u = 0; u < N; u++) {
      let f = 0;
      for (let c = 0; c < r; c++) f += WE.Z[u * r + c]! * beta[c]!;
      Bp[u * qB + k] = B[u * qB + k]! - f;
    }
    let ssRaw = 0;
    let ssRes = 0;
    for (let a = 0; a < n0; a++) {
      const j = controls[a]!;
      ssRaw += (B[j * qB + k]! - mean) ** 2;
      ssRes += Bp[j * qB + k]! ** 2;
    }
    const tiny = !(ssRes > 1e-18 * ssRaw) || ssRaw === 0;
    implied.push(tiny);
    if (tiny) for (let u = 0; u < N; u++) Bp[u * qB + k] = 0;
    sdRatio[k] = tiny ? 0 : Math.sqrt(ssRaw / ssRes);
  }
  return { Bp, sdRatio, implied };
}

export interface OutcomeResult {
  outcome: string;
  treatedTotal: number;
  syntheticTotal: number;
  difference: number;
  /** Null when the synthetic total is not positive (the ratio is undefined; see the ZERO_SYNTHETIC_TOTAL warning). */
  percentChange: number | null;
  path: { period: string; treated: number; synthetic: number; effect: number; cumulative: number | null }[];
  permutation?: InferenceBlock;
  jackknife?: InferenceBlock;
  linearisation?: InferenceBlock;
  /**
   * With a population: crimes per 100,000 residents per period over the post period, treated
   * (Σ_𝒯 Σ_t y / Σ_𝒯 Σ_t pop) and synthetic (Σ_j w_j Σ_t y_j / Σ_j w_j Σ_t pop_j), and their
   * difference and percentage change. Equal in percentage terms to the counts when population is
   * balanced exactly (then the synthetic population equals the treated one).
   */
  rate?: { per: number; treatedPopulation: number; syntheticPopulation: number; treated: number; synthetic: number; difference: number; percentChange: number | null };
  weightRange?: { syntheticMin: number | null; syntheticMax: number | null; percentChangeMin: number | null; percentChangeMax: number | null; status: string };
}

/** Everything the stages share: the data, the options, the treated and control index sets. */
interface Setup {
  data: MicroData;
  opts: MicroOptions;
  N: number;
  T: number;
  /** First treated period t₀, last post period, number of post periods. */
  t0: number;
  tEnd: number;
  nPost: number;
  treatedIdx: number[];
  controlIdx: number[];
  controls: Int32Array;
  treated: Int32Array;
  n1: number;
  n0: number;
  warnings: Warning[];
  diagnostics: Diagnostic[];
  distance: CalibrationDistance;
}

/**
 * Micro-area synthetic control: prepare → fit → infer → assemble.
 * Async because the weight-range LPs load HiGHS and permutations may use threads.
 */
export async function micro(data: MicroData, opts: MicroOptions): Promise<Analysis> {
  // Prepare: index sets and checks.
  const s = setup(data, opts);
  // Fit: calibration weights w (exact balance, or the closest achievable within --max-imbalance, or a refusal).
  const c = calibrate(s);
  const bal = balanceReport(s, c);
  const e = outcomeEffects(s, c.w);
  // Infer: permutation, jackknife, linearisation, and the range over exactly balancing weights.
  const prob = replicateProblem(s, c, e);
  const linVar = opts.inference.includes('linearisation') || (opts.inference.includes('permutation') && (opts.permStat ?? 'log-ratio') !== 'log-ratio') ? linearisedVariances(c.WE, s.controls, c.w, data.outcomes.map((_, o) => e.P.subarray(o * s.N, (o + 1) * s.N))) : null;
  const extra: Record<string, unknown> = {};
  const pathCi = opts.inference.includes('permutation') ? await permutationStage(s, c, e, prob, linVar, extra) : null;
  if (opts.inference.includes('jackknife')) jackknifeStage(s, c, e, prob);
  if (opts.inference.includes('linearisation')) linearisationStage(s, e, linVar!);
  if (opts.weightRange) await weightRangeStage(s, c, e, bal.exact);
  // Assemble.
  headlineDiagnostic(s, e.results);
  return assemble(s, c, e, bal, pathCi, extra);
}

/** Prepare: checks and the treated / control index sets. */
function setup(data: MicroData, opts: MicroOptions): Setup {
  const N = data.units.length;
  const T = data.periods.length;
  const warnings: Warning[] = [];
  const diagnostics: Diagnostic[] = [];
  const t0 = data.start;
  const tEnd = opts.endPost ?? T - 1;
  if (t0 < 1) throw new InputError('NO_PRE_PERIOD', `treatment starts in the first period (${data.periods[0]}); micro-area synthetic control needs pre-intervention periods to match on`, { start: data.periods[0] });
  if (tEnd < t0 || tEnd >= T) throw new UsageError('BAD_END_POST', `--end-post must lie between the first treated period ${data.periods[t0]} and the last period ${data.periods[T - 1]}`, {});
  const treatedIdx: number[] = [];
  const controlIdx: number[] = [];
  for (let i = 0; i < N; i++) (data.treated[i] ? treatedIdx : controlIdx).push(i);
  const n1 = treatedIdx.length;
  const n0 = controlIdx.length;
  if (n0 === 0) throw new InputError('NO_CONTROLS', 'every unit is treated: micro-area synthetic control needs untreated control areas to weight', {});
  if (opts.matchPeriods.kind === 'every' && opts.matchPeriods.k > t0) throw new UsageError('BAD_MATCH_PERIODS', `--match-periods every:${opts.matchPeriods.k} is longer than the ${t0} pre-period(s)`, {});
  const controls = Int32Array.from(controlIdx);
  const treated = Int32Array.from(treatedIdx);
  if (data.population)
    for (let k = 0; k < data.population.length; k++) {
      const v = data.population[k]!;
      if (!(Number.isFinite(v) && v > 0)) throw new InputError('BAD_POPULATION', `population for unit '${data.units[Math.floor(k / T)]}' in period ${data.periods[k % T]} is ${v}; rates need a positive population in every cell`, { unit: data.units[Math.floor(k / T)], period: data.periods[k % T] });
    }

  const nPost = tEnd - t0 + 1;
  const distance: CalibrationDistance = opts.distance ?? 'linear';
  return { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance };
}

/**
 * Fit: the calibration weights. Matching variables (exact: qE columns; approximate, --match-min:
 * qB columns residualised on the exact ones), whitened over the controls; then the weights w
 * closest to uniform (d = n₁/n₀) in the chosen distance with Σ_j w_j x_j = Σ_{i∈𝒯} x_i, or the
 * penalised fallback when no such w ≥ 0 exists.
 */
function calibrate(s: Setup) {
  const m = matchingVariables(s);
  const first = calibrationProblem(s, m, true);
  const targetE = m.qB > 0 ? zTarget(s, m.WE) : first.target;
  // Zero-target presolve (see zeroTargetKeep), on the exact columns: controls that must get weight 0 leave the iterations.
  const keep = zeroTargetKeep(first.W, s.controls, s.treated, m.qE + 1);
  const active = keep ? Int32Array.from(keep, (a) => s.controls[a]!) : s.controls;
  const { prob, fit, method, mu, minMu } = fitWeights(s, m, first, active);
  const { A, W, implied, rawTarget, den, rp } = prob;
  let w = fit.w;
  if (keep) {
    w = new Float64Array(s.n0);
    keep.forEach((a, k) => (w[a] = fit.w[k]!));
  }
  const zeroed = keep ? s.n0 - keep.length : 0;
  const { cols, mins, qE, qB, q, d, WE, AB } = m;
  return { cols, mins, qE, qB, q, d, WE, AB, A, W, implied, rawTarget, den, targetE, rp, fit, method, mu, minMu, w, zeroed };
}

/** The matching variables: exact columns (qE) whitened over the controls, and the raw --match-min columns (qB). */
function matchingVariables(s: Setup) {
  const { data, opts, N, controls, n1, n0 } = s;
  const cols = matchingColumns(data, opts);
  const mins = minColumns(data, opts);
  const qE = cols.length;
  const qB = mins.length;
  const q = qE + qB;
  const d = n1 / n0;
  const AE = columnMatrix(data, cols);
  const WE = whiten(AE, N, qE, controls, d);
  const AB: Float64Array | null = qB > 0 ? columnMatrix(data, mins) : null;
  return { cols, mins, qE, qB, q, d, AE, WE, AB };
}
type Matching = ReturnType<typeof matchingVariables>;

/** The treated areas' whitened totals Σ_{i∈𝒯} z_i (the calibration target). */
function zTarget(s: Setup, Wh: Whitened): Float64Array {
  const t = new Float64Array(Wh.r);
  for (const i of s.treatedIdx) for (let c = 0; c < Wh.r; c++) t[c] = t[c]! + Wh.Z[i * Wh.r + c]!;
  return t;
}

/**
 * The calibration problem: the exact columns, then the --match-min columns (residualised on the
 * exact ones when `residual`, which keeps exact balance exact; raw otherwise, for the case where
 * exact balance is infeasible and the residualised imbalance would no longer be the raw one),
 * whitened; targets, imbalance scales, and the per-column ridge of the min columns per unit 1/μ.
 * Raw targets and their imbalance scales: |residual_k| / den_k is the relative imbalance (a
 * redundant constraint among the controls that the treated break, or a covariate constant among
 * the controls but not equal to it for the treated, makes exact balance impossible).
 */
function calibrationProblem(s: Setup, m: Matching, residual: boolean) {
  const { N, controls, treatedIdx, n1 } = s;
  const { qE, qB, q, d, AE, WE, AB } = m;
  let A = AE;
  let W = WE;
  let ridgeUnit: Float64Array | null = null;
  let implied: boolean[] = [];
  if (AB) {
    A = new Float64Array(N * q);
    let Bcols = AB;
    let ratio: Float64Array = new Float64Array(qB).fill(1);
    if (residual) {
      const res = residualise(WE, AB, N, qB, controls, d);
      implied = res.implied;
      Bcols = res.Bp;
      ratio = res.sdRatio;
    }
    for (let u = 0; u < N; u++) {
      A.set(AE.subarray(u * qE, (u + 1) * qE), u * q);
      A.set(Bcols.subarray(u * qB, (u + 1) * qB), u * q + qE);
    }
    // Penalty ½μ·Σ_k (imbalance_k / raw SD_k)², i.e. ρ_k = (raw SD / residual SD)² / μ per unit 1/μ.
    ridgeUnit = new Float64Array(q + 1);
    for (let k = 0; k < qB; k++) ridgeUnit[qE + 1 + k] = ratio[k]! ** 2;
    W = whiten(A, N, q, controls, d);
  }
  const target = zTarget(s, W);
  const rawTarget = new Float64Array(q);
  for (const i of treatedIdx) for (let k = 0; k < q; k++) rawTarget[k] = rawTarget[k]! + A[i * q + k]!;
  const den = new Float64Array(q + 1);
  den[0] = n1;
  for (let k = 0; k < q; k++) den[k + 1] = Math.max(Math.abs(rawTarget[k]!), W.scale[k + 1]!);
  return { A, W, ridgeUnit, implied, target, rawTarget, den };
}
type CalibrationProblem = ReturnType<typeof calibrationProblem>;

/**
 * The weights: exact calibration (with --match-min, the penalty path); when even the exact
 * constraints cannot be met with --match-min, every variable balanced as closely as possible with
 * the min columns raw; when the exact fit does not converge, the penalised fallback.
 */
function fitWeights(s: Setup, m: Matching, first: CalibrationProblem, active: Int32Array) {
  const { opts, warnings, distance } = s;
  const { qE, qB, q, d } = m;
  let prob = { ...first, rp: { W: first.W, distance, donors: active, target: first.target, d, den: first.den } as RakeProblem };
  let fit: RakeResult;
  let method: string = distance;
  let mu: number | null = null;
  // --match-min: the penalty path (minPenaltyPath).
  let minMu: number | null = null;
  const { A, W, rawTarget, ridgeUnit: minRidgeUnit } = first;
  const minImbalance = (wa: Float64Array) => {
    // ‖standardised imbalance‖ of the min columns, in raw-SD units.
    let ss = 0;
    for (let k = 0; k < qB; k++) {
      const col = qE + k;
      let sv = 0;
      for (let a = 0; a < active.length; a++) sv += wa[a]! * A[active[a]! * q + col]!;
      const e = ((rawTarget[col]! - sv) / W.scale[col + 1]!) * Math.sqrt(minRidgeUnit![col + 1]!);
      ss += e * e;
    }
    return Math.sqrt(ss);
  };
  if (minRidgeUnit) {
    const best = minPenaltyPath(prob.rp, minRidgeUnit, minImbalance, opts, warnings, distance);
    if (best) {
      fit = best.fit;
      minMu = best.mu;
      prob.rp.minRidge = minRidgeUnit.map((v) => v / best.mu);
    } else {
      // Even the exact constraints cannot be met (or the first fit did not converge): balance
      // every variable as closely as possible (the penalised fallback below), with the min
      // columns raw, not residualised (their residualised imbalance equals the raw one only
      // under exact balance), each weighted by its penalty relative to the exact ones.
      const raw = calibrationProblem(s, m, false);
      minMu = 1e2;
      prob = { ...raw, implied: first.implied.map(() => false), rp: { W: raw.W, distance, donors: active, target: raw.target, d, den: raw.den, minRidge: raw.ridgeUnit!.map((v) => v / 1e2) } };
      fit = rake(prob.rp, { tol: opts.tol, maxIter: opts.maxIter });
    }
  } else fit = rake(prob.rp, { tol: opts.tol, maxIter: opts.maxIter });
  if (!fit.converged) {
    const pen = rakePenalised(prob.rp, { tol: opts.tol, maxIter: opts.maxIter });
    fit = pen;
    mu = pen.mu;
    method = `penalised-${distance}`;
  }
  return { prob, fit, method, mu, minMu };
}
type Calibration = ReturnType<typeof calibrate>;

/**
 * --match-min: raise the penalty μ = 10², 10⁴, … 10¹² (warm-started) while the approximate
 * imbalance keeps shrinking and the exact constraints stay exact; the limit is the weighting
 * closest to uniform among those that balance the exact variables and come closest on the others.
 * Null when even the first fit fails (exact balance infeasible).
 */
function minPenaltyPath(rp: RakeProblem, minRidgeUnit: Float64Array, minImbalance: (w: Float64Array) => number, opts: MicroOptions, warnings: Warning[], distance: CalibrationDistance): { fit: RakeResult; mu: number } | null {
  let best: { fit: RakeResult; mu: number; imb: number } | null = null;
  let lambda0: Float64Array | undefined;
  let iterations = 0;
  let hessians = 0;
  let stalled: number | null = null;
  for (let e = 2; e <= 12; e += 2) {
    const ridge = minRidgeUnit.map((v) => v * 10 ** -e);
    const f = rake({ ...rp, minRidge: ridge }, { tol: opts.tol, maxIter: opts.maxIter, ...(lambda0 ? { lambda0 } : {}) });
    iterations += f.iterations;
    hessians += f.hessians;
    if (!f.converged || !f.w.every(Number.isFinite)) {
      if (best) stalled = 10 ** e;
      break;
    }
    const imb = minImbalance(f.w);
    const improved = best === null || imb < best.imb * (1 - 1e-3);
    best = { fit: f, mu: 10 ** e, imb };
    lambda0 = f.lambda;
    if (!improved || imb <= opts.tol) break;
  }
  if (!best) return null;
  if (stalled !== null)
    warnings.push({
      code: 'MIN_BALANCE_PENALTY_LIMIT',
      message: `--match-min: with the penalty raised to μ = ${stalled.toExponential(0)} the ${distance} calibration did not converge in ${opts.maxIter} iterations, so the weights use μ = ${best.mu.toExponential(0)}; the approximately balanced variables may be balanced less closely than the exact constraints allow (see MIN_BALANCE${distance === 'raking' ? '; --calfun linear copes better with targets at the edge of what the controls can reach' : ''})`,
    });
  return { fit: { ...best.fit, iterations, hessians }, mu: best.mu };
}

/**
 * Balance table and its diagnostics; refuses (EXACT_BALANCE_INFEASIBLE, exit 4) when the closest
 * achievable weights leave a balanced variable more than --max-imbalance off.
 */
function balanceReport(s: Setup, c: Calibration): { exact: boolean; worst: number } {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  const { cols, mins, qE, qB, q, d, WE, AB, A, W, implied, rawTarget, den, targetE, rp, fit, method, mu, minMu, w, zeroed } = c;
  // Balance table in raw units (including the intercept: Σw = n₁).
  const balance: Record<string, unknown>[] = [];
  let sumW = 0;
  for (let a = 0; a < n0; a++) sumW += w[a]!;
  let worst = Math.abs(sumW - n1) / n1;
  balance.push({ variable: 'Intercept', treated: n1, synthetic: sumW, difference: n1 - sumW, relative: (n1 - sumW) / n1 });
  for (let k = 0; k < qE; k++) {
    let s = 0;
    for (let a = 0; a < n0; a++) s += w[a]! * A[controls[a]! * q + k]!;
    const t = rawTarget[k]!;
    const rel = (t - s) / den[k + 1]!;
    worst = Math.max(worst, Math.abs(rel));
    balance.push({ variable: cols[k]!.name, treated: t, synthetic: s, difference: t - s, relative: rel });
  }
  const exact = worst <= Math.max(opts.tol * 100, 1e-8);
  if (!exact) {
    const ranked = balance.slice().sort((a, b) => Math.abs(b.relative as number) - Math.abs(a.relative as number));
    const maxImb = opts.maxImbalance ?? 0.05;
    const describe = (r: Record<string, unknown>) => `${r.variable as string} (treated ${r.treated as number}, synthetic ${(r.synthetic as number).toPrecision(6)}, ${(100 * Math.abs(r.relative as number)).toPrecision(3)}% off)`;
    const help = `${opts.matchPeriods.kind === 'total' ? '' : 'match pre-period outcomes as one total (--match-periods total) or in blocks (--match-periods every:K), '}match fewer covariates, or leave out treated areas outside the controls' range`;
    // A fallback may never give a counterfactual that contradicts its own balance table: refuse
    // unless every balanced variable's synthetic total is within maxImbalance of the treated one.
    if (!(worst <= maxImb)) {
      const bad = ranked.filter((r) => !(Math.abs(r.relative as number) <= maxImb));
      throw new EstimationError(
        'EXACT_BALANCE_INFEASIBLE',
        `no non-negative weighting of the ${n0} controls reproduces the ${n1} treated areas' totals: the closest weights found (${method.startsWith('penalised-') ? `penalised ${distance} calibration` : method}) leave ${bad.length} of ${balance.length} balanced variables more than ${100 * maxImb}% off, e.g. ${bad.slice(0, 4).map(describe).join('; ')}. To fix: ${help}; or accept approximate balance with --max-imbalance (now ${maxImb})`,
        { variables: bad.map((r) => r.variable as string), largestRelativeImbalance: worst },
      );
    }
    warnings.push({
      code: 'EXACT_BALANCE_INFEASIBLE',
      message: `no non-negative weighting of the ${n0} controls reproduces the treated totals exactly; used the closest achievable balance (${method.startsWith('penalised-') ? `penalised ${distance} calibration, μ = ${mu}` : method}): every balanced variable within ${(100 * worst).toPrecision(3)}% of the treated total (limit --max-imbalance ${maxImb}), worst ${ranked.slice(0, 3).map(describe).join('; ')}. The estimate carries that imbalance; for exact balance ${help}`,
    });
  }
  diagnostics.push({
    code: 'BALANCE',
    passed: exact,
    value: worst,
    message: exact
      ? `exact balance on ${qE + 1} constraints (intercept + ${qE} matching variables; rank ${WE.r}; ${distance} distance), largest relative imbalance ${worst.toExponential(2)}`
      : `balance NOT exact (${method}); largest relative imbalance ${worst.toExponential(2)}`,
    table: balance,
  });
  minBalanceReport(s, c, exact);
  weightsDiagnostic(s, c, sumW);
  return { exact, worst };
}

/** The approximately balanced variables (--match-min): their table and diagnostic, flagged when weighting leaves one worse than uniform weights. */
function minBalanceReport(s: Setup, c: Calibration, exact: boolean): void {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  const { cols, mins, qE, qB, q, d, WE, AB, A, W, implied, rawTarget, den, targetE, rp, fit, method, mu, minMu, w, zeroed } = c;
  // Approximately balanced variables (--match-min), in raw units, with their imbalance before
  // weighting (uniform weights) for comparison.
  const minBalance: Record<string, unknown>[] = [];
  if (AB) {
    for (let k = 0; k < qB; k++) {
      let s = 0;
      let s0 = 0;
      let t = 0;
      for (let a = 0; a < n0; a++) {
        s += w[a]! * AB[controls[a]! * qB + k]!;
        s0 += d * AB[controls[a]! * qB + k]!;
      }
      for (const i of treatedIdx) t += AB[i * qB + k]!;
      // Relative to the treated total, or to the controls' SD when that total is near 0 (as den).
      let m = 0;
      for (let a = 0; a < n0; a++) m += AB[controls[a]! * qB + k]!;
      m /= n0;
      let v = 0;
      for (let a = 0; a < n0; a++) v += (AB[controls[a]! * qB + k]! - m) ** 2;
      const scaleK = Math.max(Math.abs(t), Math.sqrt(v / Math.max(1, n0 - 1)), 1e-300);
      minBalance.push({ variable: mins[k]!.name, treated: t, synthetic: s, difference: t - s, relative: (t - s) / scaleK, uniformSynthetic: s0, impliedByExact: implied[k] });
    }
  }
  if (AB) {
    let worstMin = 0;
    for (const r of minBalance) worstMin = Math.max(worstMin, Math.abs(r.relative as number));
    // Never worse than no weighting at all: each variable at least as close as uniform weights get it.
    const worse = minBalance.filter((r) => Math.abs(r.difference as number) > Math.abs((r.treated as number) - (r.uniformSynthetic as number)) * (1 + 1e-9) + 1e-9 * Math.abs(r.treated as number));
    if (worse.length > 0)
      warnings.push({
        code: 'MIN_BALANCE_WORSE_THAN_UNIFORM',
        message: `--match-min: ${worse.length} variable(s) end further from the treated total than uniform weights would leave them (${worse
          .slice(0, 3)
          .map((r) => `${r.variable as string}: treated ${r.treated as number}, synthetic ${(r.synthetic as number).toPrecision(6)}, uniform ${(r.uniformSynthetic as number).toPrecision(6)}`)
          .join('; ')}): the exact constraints pull them away${exact ? '' : ', and exact balance itself is infeasible'}; match fewer variables exactly or check the data`,
      });
    diagnostics.push({
      code: 'MIN_BALANCE',
      passed: worse.length === 0,
      value: worstMin,
      message: `${qB} variable(s) balanced as closely as possible (--match-min; penalty μ = ${minMu === null ? 'n/a' : minMu.toExponential(0)} on imbalances in raw-SD units): largest relative imbalance ${worstMin.toExponential(2)}${implied.some(Boolean) ? `; ${implied.filter(Boolean).length} already fixed by the exact constraints` : ''}`,
      table: minBalance,
    });
  }
}

/** Effective number of controls and the largest weight; non-convergence. */
function weightsDiagnostic(s: Setup, c: Calibration, sumW: number): void {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  const { cols, mins, qE, qB, q, d, WE, AB, A, W, implied, rawTarget, den, targetE, rp, fit, method, mu, minMu, w, zeroed } = c;
  let ess = 0;
  let wmax = 0;
  for (let a = 0; a < n0; a++) {
    ess += w[a]! * w[a]!;
    wmax = Math.max(wmax, w[a]!);
  }
  ess = (sumW * sumW) / ess;
  diagnostics.push({ code: 'WEIGHTS', passed: null, value: ess, message: `effective number of controls (Σw)²/Σw² = ${ess.toFixed(1)} of ${n0}; largest weight ${wmax.toPrecision(4)} (uniform ${d.toPrecision(4)})` });
  if (!fit.converged && method === distance) warnings.push({ code: 'NOT_CONVERGED', message: `${distance} calibration stopped after ${fit.iterations} iterations without reaching the tolerance ${opts.tol}` });

}

/** Per-outcome effects: treated and synthetic totals Y, Ŝ over the post period, their paths, rates. */
function outcomeEffects(s: Setup, w: Float64Array): { O: number; P: Float64Array; results: OutcomeResult[] } {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  // Per-outcome effects.
  const O = data.outcomes.length;
  const P = new Float64Array(O * N);
  const results: OutcomeResult[] = data.outcomes.map((o, k) => {
    const m = data.y[o]!;
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let t = t0; t <= tEnd; t++) s += m[i * T + t]!;
      P[k * N + i] = s;
    }
    const path: OutcomeResult['path'] = [];
    let cum = 0;
    for (let t = 0; t <= tEnd; t++) {
      let yt = 0;
      for (const i of treatedIdx) yt += m[i * T + t]!;
      let st = 0;
      for (let a = 0; a < n0; a++) st += w[a]! * m[controls[a]! * T + t]!;
      const eff = yt - st;
      if (t >= t0) cum += eff;
      path.push({ period: data.periods[t]!, treated: yt, synthetic: st, effect: eff, cumulative: t >= t0 ? cum : null });
    }
    let Y = 0;
    for (const i of treatedIdx) Y += P[k * N + i]!;
    let S = 0;
    for (let a = 0; a < n0; a++) S += w[a]! * P[k * N + controls[a]!]!;
    const out: OutcomeResult = { outcome: o, treatedTotal: Y, syntheticTotal: S, difference: Y - S, percentChange: S > 0 ? (100 * (Y - S)) / S : null, path };
    if (data.population) {
      const pop = data.population;
      let pt = 0;
      let ps = 0;
      for (let t = t0; t <= tEnd; t++) {
        for (const i of treatedIdx) pt += pop[i * T + t]!;
        for (let a = 0; a < n0; a++) ps += w[a]! * pop[controls[a]! * T + t]!;
      }
      const rt = (1e5 * Y) / pt;
      const rs = (1e5 * S) / ps;
      out.rate = { per: 1e5, treatedPopulation: pt, syntheticPopulation: ps, treated: rt, synthetic: rs, difference: rt - rs, percentChange: rs > 0 ? (100 * (rt - rs)) / rs : null };
    }
    return out;
  });
  if (data.population) {
    const r0 = results[0]!.rate!;
    const gap = (r0.syntheticPopulation - r0.treatedPopulation) / r0.treatedPopulation;
    diagnostics.push({
      code: 'RATES',
      passed: null,
      value: gap,
      message: `rates per 100,000 residents per period over the post period; the synthetic population is ${Math.abs(gap) < 1e-8 ? 'equal to the treated one (population balanced), so rates and counts give the same percentage change' : `${Math.abs(100 * gap).toFixed(2)}% ${gap > 0 ? 'above' : 'below'} the treated one (population is not balanced exactly: balance it with --match-covariates for counts and rates to agree)`}`,
      table: results.map((r) => ({ outcome: r.outcome, ...r.rate })),
    });
  }
  for (const r of results) {
    if (r.syntheticTotal <= 0) warnings.push({ code: 'ZERO_SYNTHETIC_TOTAL', message: `outcome ${r.outcome}: the synthetic post-period total is ${r.syntheticTotal}; the percentage change and every interval on its log scale are undefined (null)` });
    else if (r.treatedTotal <= 0) warnings.push({ code: 'ZERO_TREATED_TOTAL', message: `outcome ${r.outcome}: the treated areas' post-period total is ${r.treatedTotal} (a −100% change); intervals on the log-ratio scale are undefined (null)` });
  }

  return { O, P, results };
}
type Effects = ReturnType<typeof outcomeEffects>;

/** The replication problem shared by permutation and jackknife (plain typed arrays). */
function replicateProblem(s: Setup, c: Calibration, e: Effects): ReplicateProblem {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  const { cols, mins, qE, qB, q, d, WE, AB, A, W, implied, rawTarget, den, targetE, rp, fit, method, mu, minMu, w, zeroed } = c;
  const { O, P } = e;
  // The first outcome's post-period values, for per-period placebo intervals (nPost × N).
  const y0 = data.y[data.outcomes[0]!]!;
  const postPath = new Float64Array(nPost * N);
  for (let t = 0; t < nPost; t++) for (let i = 0; i < N; i++) postPath[t * N + i] = y0[i * T + t0 + t]!;
  const prob: ReplicateProblem = { W, distance, controls, treated, outcomes: O, P, path: postPath, nPost, tol: opts.tol, maxIter: opts.maxIter, seed: opts.seed, exactCols: qE + 1, ...(rp.minRidge ? { minRidge: rp.minRidge } : {}) };

  return prob;
}

/** Infer: permutation (placebo treated sets); returns the per-period bands of the first outcome. */
async function permutationStage(s: Setup, c: Calibration, e: Effects, prob: ReplicateProblem, linVar: number[] | null, extra: Record<string, unknown>) {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  const { qB, minMu } = c;
  const { O, results } = e;
  const logObs = results.map((r) => Math.log(r.treatedTotal / r.syntheticTotal));
  let pathCi: { effect: ([number, number] | null)[]; cumulative: ([number, number] | null)[] } | null = null;
  // Permutation inference.
  if (opts.inference.includes('permutation')) {
    const permOut: PermOutcome[] = results.map((r, o) => ({ treatedTotal: r.treatedTotal, syntheticTotal: r.syntheticTotal, variance: linVar?.[o] ?? Number.NaN, path: r.path }));
    const perm = await permutationInference({
      prob,
      outcomes: permOut,
      perms: opts.perms,
      stat: opts.permStat ?? 'log-ratio',
      pool: opts.permPool ?? 'controls',
      level: opts.level,
      threads: opts.threads,
      t0,
      nPost,
      periods: data.periods,
      distance,
      qB,
      minMu,
      ...(opts.progress ? { progress: opts.progress } : {}),
    });
    warnings.push(...perm.warnings);
    diagnostics.push(...perm.diagnostics);
    Object.assign(extra, perm.extra);
    pathCi = perm.pathCi;
    permOut.forEach((p, o) => (results[o]!.permutation = p.permutation!));
    if (O >= 2) extra.omnibus = omnibus(perm.logRatios, perm.draws, O, logObs);
  }

  return pathCi;
}

/** Infer: delete-a-group jackknife over treated and control areas. */
function jackknifeStage(s: Setup, c: Calibration, e: Effects, prob: ReplicateProblem): void {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  const { rp, fit } = c;
  const { O, results } = e;
  // Jackknife.
  if (opts.inference.includes('jackknife')) {
    const G = Math.min(n1, opts.jackGroups ?? Math.min(n1, 40));
    if (G < 2) {
      warnings.push({ code: 'JACKKNIFE_SKIPPED', message: 'the jackknife needs at least two treated areas (one per group)' });
    } else {
      const rng = new Rng(opts.seed).stream(0x7fffffff);
      const tOrder = rng.shuffle(treatedIdx);
      const cOrder = rng.shuffle(controlIdx);
      const groupOf = new Int32Array(N);
      tOrder.forEach((i, k) => (groupOf[i] = k % G));
      cOrder.forEach((i, k) => (groupOf[i] = k % G));
      const L0 = hessianAt(rp, fit.w);
      const theta = new Float64Array(G * O);
      let inexact = 0;
      // Group g left out in turn (src/inference/resample.ts), re-weighted from the full fit's multipliers.
      leaveOneOut(
        G,
        (g) => {
          const donors = Int32Array.from(controlIdx.filter((i) => groupOf[i] !== g));
          const set = treatedIdx.filter((i) => groupOf[i] !== g);
          const { stats, exact: ex } = fitSet(prob, donors, set, { lambda0: fit.lambda, ...(L0 ? { L0 } : {}) });
          if (!ex) inexact++;
          for (let o = 0; o < O; o++) theta[g * O + o] = Math.log(stats[2 * o]! / stats[2 * o + 1]!);
          return g;
        },
        { phase: 'jackknife', progress: opts.progress as ResampleProgress | undefined },
      );
      results.forEach((r, o) => {
        let m = 0;
        for (let g = 0; g < G; g++) m += theta[g * O + o]!;
        m /= G;
        let v = 0;
        for (let g = 0; g < G; g++) v += (theta[g * O + o]! - m) ** 2;
        const se = Math.sqrt(((G - 1) / G) * v);
        r.jackknife = { ...normalBlock(r.treatedTotal, r.syntheticTotal, se, opts.level), groups: G };
      });
      if (inexact > 0) warnings.push({ code: 'JACKKNIFE_INEXACT', message: `${inexact} of ${G} jackknife replicates could not be balanced exactly and used penalised ${distance} calibration (closest achievable balance)` });
      diagnostics.push({ code: 'JACKKNIFE', passed: inexact === 0, value: G, message: `${G} groups (each one ${n1 % G === 0 ? `${n1 / G}` : `${Math.floor(n1 / G)}–${Math.ceil(n1 / G)}`} treated area(s) and about ${Math.round(n0 / G)} controls), each dropped in turn and re-weighted` });
    }
  }

}

/** Infer: linearisation (Taylor) variance of Ŝ − Y⁰ (see linearise.ts). */
function linearisationStage(s: Setup, e: Effects, linVar: number[]): void {
  const { opts } = s;
  // On the exact constraints only: the linearisation identity needs exact balance on its regressors.
  e.results.forEach((r, o) => {
    const v = linVar[o]!;
    const se = Math.sqrt(v) / r.syntheticTotal;
    r.linearisation = { ...normalBlock(r.treatedTotal, r.syntheticTotal, se, opts.level), varianceSynthetic: v };
  });
}

/** Infer: the range of Ŝ over every exactly balancing weighting (two LPs per outcome). */
async function weightRangeStage(s: Setup, c: Calibration, e: Effects, exact: boolean): Promise<void> {
  const { data, opts, N, T, t0, tEnd, nPost, treatedIdx, controlIdx, controls, treated, n1, n0, warnings, diagnostics, distance } = s;
  const { WE, targetE } = c;
  const { O, P, results } = e;
  // Weight range.
  if (opts.weightRange) {
    opts.progress?.({ phase: 'weight range', done: 0, total: O });
    const ranges: SyntheticRange[] = exact ? await syntheticRange(WE, controls, targetE, data.outcomes.map((_, o) => P.subarray(o * N, (o + 1) * N)), treated) : [];
    results.forEach((r, o) => {
      const rg = ranges[o];
      if (!rg) {
        r.weightRange = { syntheticMin: null, syntheticMax: null, percentChangeMin: null, percentChangeMax: null, status: 'not computed: exact balance is infeasible' };
        return;
      }
      const lo = rg.min.value;
      const hi = rg.max.value;
      const pct = (s: number | null) => (s === null || s <= 0 ? null : (100 * (r.treatedTotal - s)) / s);
      r.weightRange = { syntheticMin: lo, syntheticMax: hi, percentChangeMin: pct(hi), percentChangeMax: pct(lo), status: rg.min.status === 'optimal' && rg.max.status === 'optimal' ? 'optimal' : `min ${rg.min.detail}, max ${rg.max.detail}` };
    });
    opts.progress?.({ phase: 'weight range', done: O, total: O });
    diagnostics.push({
      code: 'WEIGHT_RANGE',
      passed: null,
      value: null,
      message: 'range of the synthetic post-period total over every non-negative weighting that balances exactly (linear programmes, HiGHS); an effect whose sign changes within the range depends on the choice of weights',
      table: results.map((r) => ({ outcome: r.outcome, synthetic: r.syntheticTotal, ...r.weightRange })),
    });
  }

}

/** Assemble: the headline diagnostic, percentage change per outcome with the first inference. */
function headlineDiagnostic(s: Setup, results: OutcomeResult[]): void {
  const { opts, diagnostics } = s;
  // The headline unit: percentage change per outcome, with the first requested inference.
  const fmtP = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(1)}%`;
  const first = opts.inference[0];
  diagnostics.unshift({
    code: 'PERCENT_CHANGE',
    passed: null,
    value: results[0]!.percentChange,
    message: results
      .map((r) => {
        const b = first ? r[first] : undefined;
        const ci = b?.percentChangeCi ? ` (${Math.round(opts.level * 100)}% CI ${fmtP(b.percentChangeCi[0])} to ${fmtP(b.percentChangeCi[1])}${typeof b.pValue === 'number' ? `, p = ${b.pValue.toPrecision(2)}` : ''}, ${first})` : '';
        const rg = r.weightRange && r.weightRange.percentChangeMin !== null && r.weightRange.percentChangeMax !== null ? `; any exact balance: ${fmtP(r.weightRange.percentChangeMin)} to ${fmtP(r.weightRange.percentChangeMax)}` : '';
        return `${r.outcome} ${r.percentChange === null ? 'undefined' : fmtP(r.percentChange)}: ${r.treatedTotal} vs synthetic ${r.syntheticTotal.toFixed(1)}${ci}${rg}`;
      })
      .join('; '),
    table: results.map((r) => ({ outcome: r.outcome, treated: r.treatedTotal, synthetic: r.syntheticTotal, difference: r.difference, percentChange: r.percentChange })),
  });

}

type PathBands = { effect: ([number, number] | null)[]; cumulative: ([number, number] | null)[] };

/** Assemble: estimate, path, options and calibration record of the document. */
function assemble(s: Setup, c: Calibration, e: Effects, bal: { exact: boolean; worst: number }, pathCi: PathBands | null, extra: Record<string, unknown>): Analysis {
  const { data, controls, n0, warnings, diagnostics } = s;
  const estimate = headlineEstimate(s, e);
  const path = pathPoints(s, e, estimate, pathCi);
  const weights: Record<string, number> = {};
  for (let a = 0; a < n0; a++) weights[data.units[controls[a]!]!] = c.w[a]!;
  return {
    method: 'micro',
    options: optionsRecord(s),
    estimate,
    path,
    units: [],
    diagnostics,
    warnings,
    calibration: calibrationRecord(s, c, bal),
    effects: e.results,
    weights,
    ...extra,
  };
}

/** The headline estimate: the first outcome, first requested inference (ATT per treated area-period, cumulative per area, totals). */
function headlineEstimate(s: Setup, e: Effects) {
  const { opts, nPost, n1 } = s;
  const head = e.results[0]!;
  const primary = opts.inference[0];
  const blk = primary ? head[primary] : undefined;
  const scaleAtt = 1 / (n1 * nPost);
  return {
    att: head.difference * scaleAtt,
    se: null,
    ci: blk?.differenceCi ? ([blk.differenceCi[0] * scaleAtt, blk.differenceCi[1] * scaleAtt] as [number, number]) : null,
    level: opts.level,
    pValue: blk?.pValue ?? null,
    inference: primary ?? 'none',
    cumulative: { value: head.difference / n1, ci: blk?.differenceCi ? ([blk.differenceCi[0] / n1, blk.differenceCi[1] / n1] as [number, number]) : null },
    outcome: head.outcome,
    treatedTotal: head.treatedTotal,
    syntheticTotal: head.syntheticTotal,
    difference: head.difference,
    differenceCi: blk?.differenceCi ?? null,
    percentChange: head.percentChange,
    percentChangeCi: blk?.percentChangeCi ?? null,
  };
}

/** Per-area path of the first outcome; per-period bands from the placebo distribution when permutation is the headline inference. */
function pathPoints(s: Setup, e: Effects, estimate: ReturnType<typeof headlineEstimate>, pathCi: PathBands | null): PathPoint[] {
  const { opts, t0, tEnd, n1 } = s;
  const head = e.results[0]!;
  const bands = opts.inference[0] === 'permutation' ? pathCi : null;
  const per = (ci: [number, number] | null | undefined): [number, number] | null => (ci ? [ci[0] / n1, ci[1] / n1] : null);
  return head.path.map((p, t) => ({
    period: p.period,
    observed: p.treated / n1,
    counterfactual: p.synthetic / n1,
    effect: p.effect / n1,
    ci: bands && t >= t0 && t <= tEnd ? per(bands.effect[t - t0]) : null,
    cumulative: p.cumulative === null ? null : p.cumulative / n1,
    cumulativeCi: bands && t >= t0 && t <= tEnd ? per(bands.cumulative[t - t0]) : t === tEnd && estimate.cumulative.ci ? estimate.cumulative.ci : null,
    observedTotal: p.treated,
    counterfactualTotal: p.synthetic,
  }));
}

/** The options as used (every flag recorded; inference settings null when that inference was not run). */
function optionsRecord(s: Setup): Record<string, unknown> {
  const { data, opts, t0, tEnd, n1, distance } = s;
  return {
    outcomes: [...data.outcomes],
    matchOutcomes: [...(opts.matchOutcomes ?? data.outcomes)],
    matchCovariates: [...(opts.matchCovariates ?? Object.keys(data.covariates))],
    matchMin: [...(opts.matchMinOutcomes ?? []), ...(opts.matchMinCovariates ?? [])],
    matchPeriods: opts.matchPeriods.kind === 'every' ? `every:${opts.matchPeriods.k}` : opts.matchPeriods.kind,
    start: data.periods[t0],
    endPost: data.periods[tEnd],
    inference: [...opts.inference],
    perms: opts.inference.includes('permutation') ? opts.perms : null,
    permStat: opts.inference.includes('permutation') ? (opts.permStat ?? 'log-ratio') : null,
    permPool: opts.inference.includes('permutation') ? (opts.permPool ?? 'controls') : null,
    maxImbalance: opts.maxImbalance ?? 0.05,
    jackGroups: opts.inference.includes('jackknife') ? Math.min(n1, opts.jackGroups ?? Math.min(n1, 40)) : null,
    weightRange: opts.weightRange,
    calfun: distance,
    population: data.population ? true : null,
    tol: opts.tol,
    maxIter: opts.maxIter,
    seed: opts.seed,
    level: opts.level,
  };
}

/** The calibration record: method, convergence, balance, constraint counts, penalties. */
function calibrationRecord(s: Setup, c: Calibration, bal: { exact: boolean; worst: number }): Record<string, unknown> {
  const { n1, n0, distance } = s;
  return {
    method: c.method,
    distance,
    exact: bal.exact,
    converged: c.fit.converged,
    iterations: c.fit.iterations,
    hessians: c.fit.hessians,
    zeroTargetControls: c.zeroed,
    maxRelativeImbalance: bal.worst,
    constraints: c.qE + 1,
    rank: c.WE.r,
    approximateConstraints: c.qB,
    approximatePenalty: c.minMu,
    penalty: c.mu,
    treatedUnits: n1,
    controlUnits: n0,
  };
}

/**
 * Omnibus permutation test across outcomes (as microsynth's omnibus statistic): the vector of log
 * ratios ℓ = (log Y_o/Ŝ_o)_o, the statistic ℓᵀ Σ⁺ ℓ with Σ the placebo covariance (two-sided),
 * and Σ_o ℓ_o/sd_o for one-sided alternatives; p-values by rank among the placebo statistics.
 */
function omnibus(L: Float64Array, B: number, O: number, obs: number[]): Record<string, unknown> {
  const rows: number[] = [];
  for (let b = 0; b < B; b++) {
    let ok = true;
    for (let o = 0; o < O; o++) if (!Number.isFinite(L[b * O + o]!)) ok = false;
    if (ok) rows.push(b);
  }
  const n = rows.length;
  if (n < O + 2 || obs.some((v) => !Number.isFinite(v))) return { statistic: null, pValue: null, pLower: null, pUpper: null, draws: n };
  const mean = new Float64Array(O);
  for (const b of rows) for (let o = 0; o < O; o++) mean[o] = mean[o]! + L[b * O + o]! / n;
  const S = new Float64Array(O * O);
  for (const b of rows)
    for (let i = 0; i < O; i++)
      for (let j = 0; j < O; j++) S[i * O + j] = S[i * O + j]! + ((L[b * O + i]! - mean[i]!) * (L[b * O + j]! - mean[j]!)) / (n - 1);
  // Pseudo-inverse by eigen-decomposition with a relative tolerance.
  const sd = Array.from({ length: O }, (_, o) => Math.sqrt(S[o * O + o]!));
  const quad = pinvQuad(S, O);
  const stat = (v: ArrayLike<number>) => quad(v);
  const sum = (v: ArrayLike<number>) => {
    let s = 0;
    for (let o = 0; o < O; o++) s += v[o]! / sd[o]!;
    return s;
  };
  const q0 = stat(obs);
  const s0 = sum(obs);
  let ge = 0;
  let le = 0;
  let ge1 = 0;
  for (const b of rows) {
    const v = L.subarray(b * O, (b + 1) * O);
    if (stat(v) >= q0 * (1 - 1e-12)) ge++;
    const sb = sum(v);
    if (sb <= s0) le++;
    if (sb >= s0) ge1++;
  }
  return { statistic: q0, sumStandardised: s0, pValue: (1 + ge) / (n + 1), pLower: (1 + le) / (n + 1), pUpper: (1 + ge1) / (n + 1), draws: n, outcomes: O };
}


function pinvQuad(S: Float64Array, O: number): (v: ArrayLike<number>) => number {
  const { values, vectors } = symmetricEigen(S, O);
  const top = values[0]!;
  return (v) => {
    let s = 0;
    for (let k = 0; k < O; k++) {
      if (!(values[k]! > 1e-10 * top)) continue;
      let c = 0;
      for (let i = 0; i < O; i++) c += vectors[i * O + k]! * v[i]!;
      s += (c * c) / values[k]!;
    }
    return s;
  };
}

export { whiten, rake, rakePenalised, denominators };
export type { Whitened };
