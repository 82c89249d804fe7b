/**
 * Synthetic difference-in-differences on a panel (Arkhangelsky, Athey, Hirshberg,
 * Imbens & Wager 2021, AER 111:4088), with the paper's SC and DID as alternatives,
 * staggered adoption by cohort (Clarke, Pailañir, Athey & Imbens 2024, Stata Journal
 * 24(4), §2.2), covariates by projection, and placebo / bootstrap / jackknife variance
 * (the paper's Algorithms 4 / 2 / 3), optionally by cluster.
 *
 * Staggered adoption: each adoption cohort a (units first treated in period a) is
 * estimated as its own block — the cohort's units against every never-treated unit, over
 * all periods, pre = periods before a — and the cohort estimates τ̂_a are averaged with
 * weights N_a·T_post,a / Σ_b N_b·T_post,b (treated unit-periods). With one cohort this is
 * the plain estimator.
 *
 * Covariates ("projected", Kranz 2022; Clarke et al. 2024 §2.3): β from the two-way
 * fixed-effects regression y_it = α_i + γ_t + X_itβ + e_it on the never-treated units'
 * cells, then SDID on y_it − X_itβ.
 *
 * Inference (variance V̂, interval τ̂ ± z·√V̂, two-sided normal p-value):
 * - placebo (Algorithm 4): drop the treated units; B times, draw N_tr distinct controls as
 *   pseudo-treated, give them the treated units' adoption periods (in a random order), and
 *   re-estimate; V̂ = (1/B)Σ(τ̂_b − τ̄)². Needs more controls than treated units; the only one
 *   of the three valid with a single treated unit; assumes homoskedastic unit errors.
 * - bootstrap (Algorithm 2): B times, resample units (or clusters) with replacement, redraw
 *   when the sample has no treated or no control unit, re-estimate; V̂ as above. Needs ≥ 2
 *   treated units (the paper advises many).
 * - jackknife (Algorithm 3): leave one unit (or cluster) out with the weights held fixed
 *   (ω renormalised over the remaining controls, λ fixed), V̂ = ((n−1)/n)Σ(τ̂₍₋ᵢ₎ − τ̄)². Needs
 *   ≥ 2 treated units; a cohort whose only unit is left out drops from that replicate's average.
 * Replications re-solve the weights from the full-sample weights (warm start) with ζ held at
 * the full-sample value of the cohort, as the reference implementation does.
 */
import { setReplicatePaths } from '../../core/replicatePaths.js';
import { preFitWarning } from '../preFit.js';
import { InputError, UsageError } from '../../core/errors.js';
import { lstsq } from '../../core/linalg.js';
import { panelDesign, requireBalanced, type Panel } from '../../core/panel.js';
import { unitPath, type Analysis, type Diagnostic, type PathPoint, type UnitResult, type Warning } from '../../core/result.js';
import { Rng } from '../../core/rng.js';
import { bootstrapRows, leaveOneOut, replicates, replicatesUntil, resamplingGroups, rmsDeviation, type Replicates } from '../../inference/resample.js';
import { pValueNormal, qnorm } from '../../core/stats.js';
import { blockPaths, exactTau, fitBlock, sumNormalise, type Block, type BlockFit, type SdidKind } from './core.js';

/** Largest number of controls for which the exact-optimum check of the weights runs. */
export const EXACT_CHECK_MAX_CONTROLS = 150;

export const SDID_INFERENCE = ['placebo', 'bootstrap', 'jackknife', 'none'] as const;
export type SdidInference = (typeof SDID_INFERENCE)[number];

export interface SdidOptions {
  /** 'sdid' (default), 'sc' or 'did' (Arkhangelsky et al. 2021, Table 1 columns). */
  estimator?: SdidKind;
  /** Default 'placebo'. */
  inference?: SdidInference;
  /** Replications for placebo and bootstrap. Default 200. */
  reps?: number;
  /** Cluster label of each panel unit (length N) for bootstrap / jackknife, or null. */
  clusters?: readonly string[] | null;
  /** Name of the cluster column (recorded). */
  clusterColumn?: string | null;
  /** Residualise on the panel's covariates first (projected). Default: when the panel has covariates. */
  covariates?: readonly string[];
  level?: number;
  seed: number;
}

/** One adoption cohort's block, in panel terms. */
interface Cohort {
  /** Adoption period index a. */
  start: number;
  /** Panel rows of controls then treated (possibly repeated in resamples). */
  rows: number[];
  N0: number;
  fit: BlockFit;
}

interface Aggregate {
  tau: number;
  cohorts: Cohort[];
  /** Cohort weights N_a·T_post,a / Σ. */
  weights: number[];
}

/** Reference fits for warm starts: per start, the full-sample controls and fit. */
type RefMap = Map<number, { controls: number[]; fit: BlockFit }>;

/**
 * Estimate over the given rows. `start[k]` is row k's adoption index (−1 = control).
 * Rows may repeat (bootstrap). Returns null when there is no treated or no control row.
 */
function estimateRows(Y: Float64Array, T: number, rows: readonly number[], start: readonly number[], kind: SdidKind, ref: RefMap | null, fixWeights: boolean): Aggregate | null {
  const controls: number[] = [];
  const byStart = new Map<number, number[]>();
  rows.forEach((r, k) => {
    const s = start[k]!;
    if (s < 0) controls.push(r);
    else {
      let l = byStart.get(s);
      if (!l) byStart.set(s, (l = []));
      l.push(r);
    }
  });
  if (controls.length === 0 || byStart.size === 0) return null;
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  const cohorts: Cohort[] = [];
  const wts: number[] = [];
  let total = 0;
  for (const a of starts) {
    const tr = byStart.get(a)!;
    const blockRows = [...controls, ...tr];
    const b = makeBlock(Y, T, blockRows, controls.length, a);
    const r = ref?.get(a);
    let fit: BlockFit;
    if (r) {
      const pos = new Map<number, number>();
      r.controls.forEach((c, q) => pos.set(c, q));
      const omegaInit = sumNormalise(Float64Array.from(controls, (c) => r.fit.omega[pos.get(c)!] ?? 0));
      fit = fitBlock(b, {
        kind,
        noise: r.fit.noise,
        zetaOmega: r.fit.zetaOmega,
        zetaLambda: r.fit.zetaLambda,
        omegaInit,
        lambdaInit: r.fit.lambda,
        fixOmega: fixWeights,
        fixLambda: fixWeights,
      });
    } else fit = fitBlock(b, { kind });
    cohorts.push({ start: a, rows: blockRows, N0: controls.length, fit });
    const w = tr.length * (T - a);
    wts.push(w);
    total += w;
  }
  let tau = 0;
  cohorts.forEach((c, q) => (tau += (wts[q]! / total) * c.fit.tau));
  return { tau, cohorts, weights: wts.map((w) => w / total) };
}

function makeBlock(Y: Float64Array, T: number, rows: readonly number[], N0: number, T0: number): Block {
  const M = new Float64Array(rows.length * T);
  rows.forEach((r, k) => M.set(Y.subarray(r * T, (r + 1) * T), k * T));
  return { Y: M, N: rows.length, T, N0, T0 };
}

/**
 * Projected covariate adjustment: β from y = α_i + γ_t + Xβ on the control units' cells
 * (least squares by QR), returns Y − Xβ for every cell and β.
 */
function projectCovariates(panel: Panel, names: readonly string[], controls: readonly number[]): { Y: Float64Array; beta: number[] } {
  const T = panel.periods.length;
  const N = panel.units.length;
  const K = names.length;
  for (const c of names) {
    const X = panel.covariates[c];
    if (!X) throw new UsageError('UNKNOWN_COVARIATE', `covariate '${c}' is not in the panel; pass it with --covariates`);
    for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) {
      if (!Number.isFinite(X[i * T + t]!)) throw new InputError('MISSING_COVARIATE', `${panel.file}: covariate '${c}' is missing for '${panel.units[i]}' in ${panel.periods[t]}; SDID's projected covariate adjustment needs every cell (drop the unit with --exclude-units or fill the value)`, { file: panel.file, unit: panel.units[i], period: panel.periods[t], covariate: c });
    }
  }
  const nC = controls.length;
  const p = K + 1 + (nC - 1) + (T - 1);
  const n = nC * T;
  if (n <= p) throw new InputError('TOO_FEW_CONTROL_CELLS', `${panel.file}: the covariate regression needs more control cells (${n}) than parameters (${p})`);
  const D = new Float64Array(n * p);
  const yv = new Float64Array(n);
  controls.forEach((u, q) => {
    for (let t = 0; t < T; t++) {
      const r = q * T + t;
      const off = r * p;
      for (let k = 0; k < K; k++) D[off + k] = panel.covariates[names[k]!]![u * T + t]!;
      D[off + K] = 1;
      if (q > 0) D[off + K + q] = 1;
      if (t > 0) D[off + K + nC - 1 + t] = 1;
      yv[r] = panel.y[u * T + t]!;
    }
  });
  const fit = lstsq(D, n, p, yv);
  const beta = Array.from({ length: K }, (_, k) => fit.beta[k]!);
  if (beta.some((b) => !Number.isFinite(b))) throw new InputError('COLLINEAR_COVARIATES', `${panel.file}: the covariates ${names.join(', ')} are collinear with the unit and period effects among the controls (e.g. constant within units); drop them`);
  const Y = Float64Array.from(panel.y);
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += beta[k]! * panel.covariates[names[k]!]![i * T + t]!;
    Y[i * T + t] = Y[i * T + t]! - s;
  }
  return { Y, beta };
}

/**
 * Event-time and calendar-time effect paths of an aggregate.
 * Event time e = t − a; at each e, cohorts are averaged with weights N_a (units) over the
 * cohorts observed at e. Calendar path: at t ≥ first start, cohorts already treated at t,
 * weights N_a; before the first start, all cohorts (pre-period fit).
 */
function paths(agg: Aggregate, T: number): { calendar: Float64Array; observed: Float64Array; counterfactual: Float64Array; event: Map<number, number>; perCohort: ReturnType<typeof blockPaths>[] } {
  const per = agg.cohorts.map((c) => blockPaths(blockOf(c), c.fit));
  const first = Math.min(...agg.cohorts.map((c) => c.start));
  const calendar = new Float64Array(T);
  const observed = new Float64Array(T);
  const counterfactual = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let wsum = 0;
    agg.cohorts.forEach((c, q) => {
      if (t >= first && t < c.start) return;
      const w = c.rows.length - c.N0;
      wsum += w;
      calendar[t] = calendar[t]! + w * per[q]!.effect[t]!;
      observed[t] = observed[t]! + w * per[q]!.observed[t]!;
      counterfactual[t] = counterfactual[t]! + w * per[q]!.counterfactual[t]!;
    });
    calendar[t] = calendar[t]! / wsum;
    observed[t] = observed[t]! / wsum;
    counterfactual[t] = counterfactual[t]! / wsum;
  }
  const acc = new Map<number, [number, number]>();
  agg.cohorts.forEach((c, q) => {
    const w = c.rows.length - c.N0;
    for (let t = 0; t < T; t++) {
      const e = t - c.start;
      const cur = acc.get(e) ?? [0, 0];
      cur[0] += w * per[q]!.effect[t]!;
      cur[1] += w;
      acc.set(e, cur);
    }
  });
  const event = new Map<number, number>();
  for (const e of [...acc.keys()].sort((a, b) => a - b)) event.set(e, acc.get(e)![0] / acc.get(e)![1]);
  return { calendar, observed, counterfactual, event, perCohort: per };
}

/** The block of a cohort is rebuilt on demand from the cached matrix (set by estimate). */
let currentY: Float64Array = new Float64Array(0);
let currentT = 0;
function blockOf(c: Cohort): Block {
  return makeBlock(currentY, currentT, c.rows, c.N0, c.start);
}

/** Stage 1 (prepare): the design, the (projected) outcome matrix Y and the checks that need no fit. */
interface SdidSetup {
  kind: SdidKind;
  inference: SdidInference;
  reps: number;
  level: number;
  T: number;
  /** Never-treated units (the donor pool, N₀) and treated units, as panel rows. */
  controls: readonly number[];
  treated: readonly number[];
  /** Controls then treated: the rows every estimate starts from. */
  allRows: number[];
  /** Adoption period index a of a row (−1 = never treated). */
  startOf: (u: number) => number;
  firstStart: number;
  /** N×T outcomes, residualised on the covariates (Y − Xβ̂) when there are any. */
  Y: Float64Array;
  covNames: readonly string[];
  beta: number[] | null;
  warnings: Warning[];
  diagnostics: Diagnostic[];
}

/** Stage 2 (fit): the full-sample estimate τ̂ = Σ_a w_a τ̂_a, its paths and the exact-optimum check. */
interface SdidFit {
  main: Aggregate;
  /** Full-sample controls and fit per cohort: warm starts for the replications. */
  ref: RefMap;
  pth: ReturnType<typeof paths>;
  exactOn: boolean;
  exact: { tau: number; converged: boolean }[];
  tauExact: number;
}

/** Stage 3 (infer): the replicates' τ̂_b, calendar and event paths, and the variance factor. */
interface SdidReplicates {
  taus: number[];
  calReps: Float64Array[];
  eventReps: Map<number, number>[];
  failed: number;
  /** 1 for placebo / bootstrap; n − 1 for the jackknife (V̂ = (n−1) · (1/n)Σ(τ̂ − τ̄)²). */
  seMultiplier: number;
  clustered: boolean;
}

/**
 * Synthetic difference-in-differences (or SC / DID) on a panel: prepare → fit → infer → assemble.
 * @throws InputError (unbalanced panel, missing covariates), UsageError (inference not applicable).
 */
export function sdid(panel: Panel, options: SdidOptions): Analysis {
  const setup = prepareSdid(panel, options);
  const fit = fitSdid(panel, setup);
  const reps = inferSdid(setup, fit, options);
  return assembleSdid(panel, options, setup, fit, reps);
}

/** Design, balance and outcome checks; covariates projected out (β̂ from TWFE on the controls). */
function prepareSdid(panel: Panel, options: SdidOptions): SdidSetup {
  const kind = options.estimator ?? 'sdid';
  const inference = options.inference ?? 'placebo';
  const reps = options.reps ?? 200;
  const level = options.level ?? 0.95;
  const design = panelDesign(panel, 2);
  const T = panel.periods.length;
  const treated = design.treatedUnits;
  const controls = design.controlUnits;
  requireBalanced(panel, 'synthetic difference-in-differences', [...treated, ...controls]);
  if (controls.length < 2) throw new InputError('TOO_FEW_CONTROLS', `${panel.file}: synthetic difference-in-differences needs at least 2 never-treated units, found ${controls.length}`, { controls: controls.length });
  for (const i of treated) if (T - design.startIndex[i]! < 1) throw new InputError('NO_POST_PERIODS', `${panel.file}: '${panel.units[i]}' has no post-treatment period`);

  const covNames = options.covariates ?? [];
  let Y = panel.y;
  let beta: number[] | null = null;
  if (covNames.length > 0) {
    const pr = projectCovariates(panel, covNames, controls);
    Y = pr.Y;
    beta = pr.beta;
  }
  currentY = Y;
  currentT = T;
  // Constant or near-constant data.
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const u of [...controls, ...treated]) for (let t = 0; t < T; t++) { const v = Y[u * T + t]!; if (v < ymin) ymin = v; if (v > ymax) ymax = v; }
  if (!(ymax > ymin)) throw new InputError('CONSTANT_OUTCOME', `${panel.file}: the outcome '${panel.outcome}' is constant (${ymin}) over the analysed units and periods; there is nothing to estimate`);
  const allRows = [...controls, ...treated];
  const startOf = (u: number) => design.startIndex[u]!;
  return { kind, inference, reps, level, T, controls, treated, allRows, startOf, firstStart: design.firstStart, Y, covNames, beta, warnings: [], diagnostics: [] };
}

/**
 * The cohort blocks' weights (ω̂, λ̂) and τ̂. Convergence: the reference stopping rule often ends
 * Frank–Wolfe at its iteration limit, so the weights are judged by what matters: τ̂ at the exact
 * optimum of the same objectives (active-set, O(support⁴); skipped above EXACT_CHECK_MAX_CONTROLS controls).
 */
function fitSdid(panel: Panel, s: SdidSetup): SdidFit {
  const main = estimateRows(s.Y, s.T, s.allRows, s.allRows.map(s.startOf), s.kind, null, false)!;
  const ref: RefMap = new Map(main.cohorts.map((c) => [c.start, { controls: c.rows.slice(0, c.N0), fit: c.fit }]));
  const pth = paths(main, s.T);
  const exactOn = s.controls.length <= EXACT_CHECK_MAX_CONTROLS;
  const exact = exactOn ? main.cohorts.map((c) => exactTau(blockOf(c), c.fit)) : main.cohorts.map(() => ({ tau: Number.NaN, converged: true }));
  let tauExact = 0;
  main.cohorts.forEach((_c, q) => (tauExact += main.weights[q]! * exact[q]!.tau));
  for (const c of main.cohorts) {
    if (c.fit.noise === 0) s.warnings.push({ code: 'ZERO_NOISE', message: `the controls' pre-period outcomes before ${panel.periods[c.start]} do not change over time (σ̂ = 0), so the unit weights are not regularised (ζ = 0)` });
  }
  return { main, ref, pth, exactOn, exact, tauExact };
}

/**
 * Variance by the paper's Algorithms 4 (placebo), 2 (bootstrap) and 3 (jackknife), through the shared
 * resampling module (src/inference/resample.ts): each replication only re-estimates on its rows.
 */
function inferSdid(s: SdidSetup, f: SdidFit, options: SdidOptions): SdidReplicates {
  const clusters = options.clusters ?? null;
  const { inference, reps, treated, controls, T } = s;
  if (clusters && inference === 'placebo') throw new UsageError('CLUSTER_WITH_PLACEBO', '--cluster applies to --inference bootstrap or jackknife (the placebo draws pseudo-treated units, not clusters)');
  const rng = new Rng(options.seed);
  const groups = resamplingGroups(s.allRows, clusters);
  const fitRows = (rows: number[], st: number[], fixWeights: boolean) => estimateRows(s.Y, T, rows, st, s.kind, f.ref, fixWeights);
  let run: Replicates<Aggregate> = { results: [], failed: 0, attempts: 0 };
  let seMultiplier = 1;
  if (inference === 'placebo') {
    if (controls.length <= treated.length) throw new UsageError('PLACEBO_TOO_FEW_CONTROLS', `--inference placebo needs more never-treated units (${controls.length}) than treated units (${treated.length}); use --inference bootstrap or jackknife`);
    const trStarts = treated.map(s.startOf);
    // Pseudo-treated controls: their warm-start ω entries are dropped by the renormalisation.
    run = replicates(reps, rng, (r) => placeboDraw(r, controls, trStarts, fitRows), { phase: 'placebo' });
  } else if (inference === 'bootstrap') {
    if (treated.length < 2) throw new UsageError('BOOTSTRAP_ONE_TREATED', 'the bootstrap (Algorithm 2) needs at least 2 treated units; with one treated unit use --inference placebo');
    if (clusters && groups.filter((g) => g.some((u) => s.startOf(u) >= 0)).length < 2) throw new UsageError('BOOTSTRAP_ONE_TREATED', 'the clustered bootstrap needs treated units in at least 2 clusters; use --inference placebo without --cluster');
    const tooMany = () => new UsageError('BOOTSTRAP_DEGENERATE', 'almost every bootstrap sample lacked treated or control units; use --inference placebo');
    run = replicatesUntil(reps, rng, (r) => { const rows = bootstrapRows(groups, r); return fitRows(rows, rows.map(s.startOf), false); }, 100 * reps, tooMany, { phase: 'bootstrap' });
  } else if (inference === 'jackknife') {
    if (treated.length < 2) throw new UsageError('JACKKNIFE_ONE_TREATED', 'the jackknife (Algorithm 3) is not defined with one treated unit; use --inference placebo');
    run = leaveOneOut(groups.length, (g) => { const drop = new Set(groups[g]); const rows = s.allRows.filter((u) => !drop.has(u)); return fitRows(rows, rows.map(s.startOf), true); }, { phase: 'jackknife' });
    if (run.failed > 0) throw new UsageError('JACKKNIFE_UNDEFINED', `leaving out ${run.failed} of the ${groups.length} ${clusters ? 'clusters' : 'units'} removes every treated or every control unit; the jackknife is undefined (use --inference placebo or bootstrap)`);
    seMultiplier = run.results.length - 1; // ((n−1)/n)Σ(τ−τ̄)² = (n − 1) × (1/n)Σ(τ−τ̄)²
  }
  const taus: number[] = [];
  const eventReps: Map<number, number>[] = [];
  const calReps: Float64Array[] = [];
  for (const agg of run.results) {
    taus.push(agg.tau);
    const p = paths(agg, T);
    eventReps.push(p.event);
    calReps.push(p.calendar);
  }
  return { taus, calReps, eventReps, failed: run.failed, seMultiplier, clustered: clusters !== null };
}

/** One placebo draw (Algorithm 4): N_tr distinct controls made pseudo-treated with the treated units' starts in a random order. */
function placeboDraw(r: Rng, controls: readonly number[], trStarts: readonly number[], fitRows: (rows: number[], st: number[], fix: boolean) => Aggregate | null): Aggregate | null {
  const perm = r.partialShuffle(controls.length, controls.length);
  const nTr = trStarts.length;
  const nCo = controls.length - nTr;
  const rows: number[] = [];
  const st: number[] = [];
  for (let q = 0; q < nCo; q++) { rows.push(controls[perm[q]!]!); st.push(-1); }
  const order = r.shuffle(trStarts);
  for (let q = 0; q < nTr; q++) { rows.push(controls[perm[nCo + q]!]!); st.push(order[q]!); }
  return fitRows(rows, st, false);
}

/** Stage 4 (assemble): intervals τ̂ ± z·√V̂, paths, units, diagnostics and the document's analysis. */
function assembleSdid(panel: Panel, options: SdidOptions, s: SdidSetup, f: SdidFit, rp: SdidReplicates): Analysis {
  const { level, inference, T } = s;
  const z = qnorm(1 - (1 - level) / 2);
  const se = rp.taus.length >= 2 ? Math.sqrt(rp.seMultiplier) * rmsDeviation(rp.taus) : null;
  const ci = (est: number, sd: number | null): [number, number] | null => (sd !== null && Number.isFinite(sd) ? [est - z * sd, est + z * sd] : null);
  const { path, cum, eventPath } = sdidPaths(panel, s, f, rp, ci);
  const { diagnostics, warnings } = sdidDiagnostics(panel, s, f, rp, se);
  const main = f.main;
  const analysis: Analysis = {
    method: 'sdid',
    options: {
      estimator: s.kind,
      inference,
      reps: inference === 'placebo' || inference === 'bootstrap' ? s.reps : null,
      cluster: options.clusterColumn ?? null,
      covariates: s.covNames.length ? [...s.covNames] : null,
      covariateMethod: s.covNames.length ? 'projected' : null,
      seed: options.seed,
      level,
      controls: s.controls.map((u) => panel.units[u]!),
    },
    estimate: {
      att: main.tau,
      se,
      ci: ci(main.tau, se),
      level,
      pValue: se !== null && se > 0 ? pValueNormal(main.tau / se) : null,
      inference: inference === 'none' ? 'none' : rp.clustered ? `${inference}-cluster` : inference,
      cumulative: { value: cum, ci: null },
    },
    path,
    units: sdidUnits(panel, s, main),
    diagnostics,
    warnings,
    eventPath,
    timeWeights: main.cohorts.map((c) => ({ start: panel.periods[c.start]!, weights: Object.fromEntries(Array.from(c.fit.lambda, (l, t) => [panel.periods[t]!, l])) })),
    cohorts: sdidCohorts(panel, main),
    comparison: sdidComparison(s, main),
  };
  // internal, for the pre-trend Wald test of `pretrends` (src/core/replicatePaths.ts): V̂ = seMultiplier · (1/R)Σ(x − x̄)(x − x̄)ᵀ as the intervals use it
  if (rp.calReps.length >= 2) setReplicatePaths(analysis, { scheme: inference, periods: panel.periods, paths: rp.calReps, multiplier: rp.seMultiplier, df: Math.min(rp.calReps.length, inference === 'placebo' ? s.controls.length : s.allRows.length) - 1 });
  const poorFit = preFitWarning(analysis, { demean: true, fix: 'try covariates, --sdid-estimator sc to compare, or control areas that resemble the treated ones (--donors)' }); // issue 21
  if (poorFit) warnings.push(poorFit);
  return analysis;
}

/** Calendar path with pointwise and cumulative intervals from the replicates, and the event-time path. */
function sdidPaths(panel: Panel, s: SdidSetup, f: SdidFit, rp: SdidReplicates, ci: (est: number, sd: number | null) => [number, number] | null): { path: PathPoint[]; cum: number; eventPath: Record<string, unknown>[] } {
  const { T } = s;
  const pointSe = (vals: number[]) => (vals.length >= 2 ? Math.sqrt(rp.seMultiplier) * rmsDeviation(vals) : null);
  const path: PathPoint[] = [];
  let cum = 0;
  const cumReps = rp.calReps.map(() => 0);
  for (let t = 0; t < T; t++) {
    const post = t >= s.firstStart;
    const eff = f.pth.calendar[t]!;
    const sd = pointSe(rp.calReps.map((c) => c[t]!));
    if (post) { cum += eff; rp.calReps.forEach((c, q) => (cumReps[q] = cumReps[q]! + c[t]!)); }
    const cs = post ? pointSe(cumReps) : null;
    path.push({ period: panel.periods[t]!, observed: f.pth.observed[t]!, counterfactual: f.pth.counterfactual[t]!, effect: eff, ci: post ? ci(eff, sd) : null, cumulative: post ? cum : null, cumulativeCi: post ? ci(cum, cs) : null, se: post ? sd : null });
  }
  const eventPath = [...f.pth.event.entries()].map(([e, v]) => {
    const sd = pointSe(rp.eventReps.map((m) => m.get(e)).filter((x): x is number => x !== undefined));
    return { eventTime: e, effect: v, se: e >= 0 ? sd : null, ci: e >= 0 ? ci(v, sd) : null, units: f.main.cohorts.filter((c) => e + c.start >= 0 && e + c.start < T).reduce((a, c) => a + c.rows.length - c.N0, 0) };
  });
  return { path, cum, eventPath };
}

/** Each treated unit with its cohort's ω and its own counterfactual: the weighted controls shifted by the unit's λ-weighted pre-period gap. */
function sdidUnits(panel: Panel, s: SdidSetup, main: Aggregate): UnitResult[] {
  const { T, Y } = s;
  const units: UnitResult[] = [];
  for (const c of main.cohorts) {
    for (const u of c.rows.slice(c.N0)) {
      const cf = new Float64Array(T);
      let synthPreLambda = 0;
      let ownPreLambda = 0;
      const synth = new Float64Array(T);
      for (let k = 0; k < c.N0; k++) { const w = c.fit.omega[k]!; if (w) for (let t = 0; t < T; t++) synth[t] = synth[t]! + w * Y[c.rows[k]! * T + t]!; }
      for (let t = 0; t < c.start; t++) { synthPreLambda += c.fit.lambda[t]! * synth[t]!; ownPreLambda += c.fit.lambda[t]! * Y[u * T + t]!; }
      for (let t = 0; t < T; t++) cf[t] = synth[t]! + ownPreLambda - synthPreLambda;
      let att = 0;
      for (let t = c.start; t < T; t++) att += (Y[u * T + t]! - cf[t]!) / (T - c.start);
      const weights: Record<string, number> = {};
      for (let k = 0; k < c.N0; k++) weights[panel.units[c.rows[k]!]!] = c.fit.omega[k]!;
      let pre = 0;
      for (let t = 0; t < c.start; t++) pre += (Y[u * T + t]! - cf[t]!) ** 2 / c.start;
      units.push({ unit: panel.units[u]!, att, preRmspe: Math.sqrt(pre), weights, start: panel.periods[c.start]!, cohortAtt: c.fit.tau, nonzeroWeights: countNonzero(c.fit.omega), effectiveDonors: effectiveN(c.fit.omega), path: unitPath(panel.periods, Y.subarray(u * T, (u + 1) * T), cf) });
    }
  }
  return units.sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
}

function sdidCohorts(panel: Panel, main: Aggregate) {
  const T = panel.periods.length;
  return main.cohorts.map((c, q) => ({
    start: panel.periods[c.start]!,
    att: c.fit.tau,
    weight: main.weights[q]!,
    treatedUnits: c.rows.slice(c.N0).map((u) => panel.units[u]!),
    postPeriods: T - c.start,
    noise: c.fit.noise,
    zetaOmega: c.fit.zetaOmega,
    zetaLambda: c.fit.zetaLambda,
    solver: c.fit.solver,
  }));
}

/** The three estimators of the paper's Table 1 on the same data (points only). */
function sdidComparison(s: SdidSetup, main: Aggregate): Record<string, number> {
  const comparison: Record<string, number> = {};
  for (const k of ['sdid', 'sc', 'did'] as const) comparison[k] = k === s.kind ? main.tau : estimateRows(s.Y, s.T, s.allRows, s.allRows.map(s.startOf), k, null, false)!.tau;
  return comparison;
}

/** COHORTS, EFFECTIVE_DONORS, SOLVER (Frank–Wolfe vs the exact optimum), REPLICATIONS, COVARIATES_PROJECTED and their warnings. */
function sdidDiagnostics(panel: Panel, s: SdidSetup, f: SdidFit, rp: SdidReplicates, se: number | null): { diagnostics: Diagnostic[]; warnings: Warning[] } {
  const { diagnostics, warnings, inference } = s;
  const main = f.main;
  const cohortsOut = sdidCohorts(panel, main);
  diagnostics.push({ code: 'COHORTS', passed: null, value: main.cohorts.length, message: 'adoption cohorts: each estimated against the never-treated units; the ATT averages them with weights ∝ treated unit-periods', table: cohortsOut.map(({ solver: _s, ...r }) => r) });
  diagnostics.push({ code: 'EFFECTIVE_DONORS', passed: null, value: effectiveN(main.cohorts[0]!.fit.omega), message: 'effective number of control units 1/Σω² (first cohort; per cohort in units[].effectiveDonors)' });
  const exactDiff = f.exactOn ? Math.abs(f.tauExact - main.tau) : 0;
  const exactTol = 0.01 * Math.max(Math.abs(main.tau), se ?? 0, 1e-12);
  diagnostics.push({ code: 'SOLVER', passed: f.exactOn ? exactDiff <= exactTol : null, value: f.exactOn ? f.tauExact : null, message: `${f.exactOn ? '' : `(exact check skipped: more than ${EXACT_CHECK_MAX_CONTROLS} controls) `}Frank–Wolfe with the reference stopping rule (decrease ≤ (1e-5 σ̂)², at most 10,000 iterations, sparsified restart) gives ${fmt(main.tau)}; the exact optimum of the same objectives (active-set QP, no sparsification) gives ${fmt(f.tauExact)}; passes when they differ by ≤ 1% of max(|τ̂|, SE)`, table: main.cohorts.map((c, q) => ({ start: panel.periods[c.start], tau: c.fit.tau, tauExact: f.exact[q]!.tau, omega: c.fit.solver.omega, lambda: c.fit.solver.lambda })) });
  if (!(exactDiff <= exactTol)) warnings.push({ code: 'NOT_CONVERGED', message: `the weights from Frank–Wolfe with the reference stopping rule give ${fmt(main.tau)}, but the exact optimum of the same objectives gives ${fmt(f.tauExact)}; the estimate depends on where the solver stops` });
  if (f.exact.some((e) => !e.converged)) warnings.push({ code: 'NOT_CONVERGED', message: 'the exact active-set check of the weights stopped at its iteration limit' });
  if (inference !== 'none') {
    diagnostics.push({ code: 'REPLICATIONS', passed: null, value: rp.taus.length, message: `${inference} replications used${rp.failed > 0 && inference === 'bootstrap' ? ` (${rp.failed} redrawn: no treated or no control unit)` : ''}` });
    if (inference === 'placebo') warnings.push({ code: 'PLACEBO_HOMOSKEDASTIC', message: 'placebo variance (Algorithm 4) assumes the treated and control units have errors of the same variance' });
    if (inference === 'bootstrap' && s.treated.length < 10) warnings.push({ code: 'FEW_TREATED', message: `the bootstrap (Algorithm 2) relies on many treated units; with ${s.treated.length}, consider --inference placebo` });
  }
  if (s.beta) diagnostics.push({ code: 'COVARIATES_PROJECTED', passed: null, value: null, message: 'covariate coefficients of the two-way fixed-effects regression on the never-treated units; the outcome was residualised on them first', table: s.covNames.map((c, k) => ({ covariate: c, beta: s.beta![k] })) });
  return { diagnostics, warnings };
}

export function effectiveN(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]!;
  return s > 0 ? 1 / s : 0;
}

function countNonzero(w: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < w.length; i++) if (w[i]! > 0) c++;
  return c;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
