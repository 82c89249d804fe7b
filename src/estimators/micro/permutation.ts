/**
 * Permutation (placebo treated set) inference for micro-area synthetic control.
 *
 * B placebo sets of n₁ areas are drawn from a pool (`controls`: the untreated areas, ours;
 * `all`: every area, as microsynth documents) and each is re-weighted against the controls
 * outside it exactly as the treated set was. The observed set's statistic is ranked among the
 * placebo statistics and the test is inverted into an interval (see {@link permutationHalfWidth}),
 * so the interval always contains the estimate and excludes "no effect" exactly when p ≤ α.
 *
 * Statistics (`permStat`), with ℓ = log(Y/Ŝ) and V̂ the linearisation variance of Ŝ − Y⁰
 * (linearise.ts) computed for each set from its own weights:
 *   - `log-ratio` (default): t = ℓ. Earlier versions inverted it asymmetrically, ℓ − q_{1−α/2} …
 *     ℓ − q_{α/2} of the placebo ℓ_b: when the placebo distribution is not centred at 0 (hotspot
 *     treated sets are not exchangeable with random placebo sets) that interval shifts by the
 *     placebo centre, can exclude its own estimate, and under-covered (86% in a police-like
 *     design). The symmetric inversion here, ℓ ± h with h from |ℓ_b|, cannot.
 *   - `studentised`: t = ℓ / se, se = √V̂ / Ŝ (delta method), each set on its own standard-error
 *     scale. The linearisation SE ignores error common to all areas (a random-walk factor the
 *     weights match imperfectly), and in such a design it under-covered (tests/micro/coverage.test.ts).
 *   - `z`: microsynth's standardised difference (Y − Ŝ)/√V̂, with its p formula #{|z_b| ≥ |z|}/B
 *     (no +1, so p can be 0). Its interval is Y − Ŝ ± h·√V̂ on the difference scale.
 */
import { InputError } from '../../core/errors.js';
import type { Diagnostic, Warning } from '../../core/result.js';
import { diffFromPct, permutationHalfWidth, permutationP, quantile, sorted, type InferenceBlock } from './blocks.js';
import type { ResampleProgress } from '../../inference/resample.js';
import { defaultChunk, replicateRows, startThreads } from '../../inference/pool.js';
import { permutationRange, replicateWidth, shareProblem, varianceOffset, type MicroProgress, type ReplicateProblem } from './replicates.js';

export const PERM_STATS = ['studentised', 'log-ratio', 'z'] as const;
export type PermStat = (typeof PERM_STATS)[number];
export const PERM_POOLS = ['controls', 'all'] as const;
export type PermPool = (typeof PERM_POOLS)[number];

/** One outcome as the permutation stage sees it. */
export interface PermOutcome {
  treatedTotal: number;
  syntheticTotal: number;
  /** Linearisation variance of the observed synthetic total (NaN when not needed). */
  variance: number;
  permutation?: InferenceBlock;
  path: { treated: number; synthetic: number }[];
}

export interface PermutationInput {
  prob: ReplicateProblem;
  outcomes: PermOutcome[];
  perms: number;
  stat: PermStat;
  pool: PermPool;
  level: number;
  threads: number;
  /** Index of the first post period in `outcomes[o].path`, number of post periods, their labels. */
  t0: number;
  nPost: number;
  periods: readonly string[];
  distance: string;
  /** --match-min columns (0 without) and their penalty, for the placebo balance note. */
  qB: number;
  minMu: number | null;
  progress?: (p: MicroProgress) => void;
}

export interface PermutationOutput {
  warnings: Warning[];
  diagnostics: Diagnostic[];
  extra: Record<string, unknown>;
  /** Per post period of the first outcome: bands for the effect and the cumulative effect (totals). */
  pathCi: { effect: ([number, number] | null)[]; cumulative: ([number, number] | null)[] };
  /** Placebo log ratios (B × O, NaN when undefined), for the omnibus test. */
  logRatios: Float64Array;
  draws: number;
}

/** Statistic of a set with treated total Y, synthetic total S and linearisation variance V. */
export function permStatistic(stat: PermStat, Y: number, S: number, V: number): number {
  if (stat === 'log-ratio') return Math.log(Y / S);
  if (!(V > 0)) return Number.NaN;
  return stat === 'z' ? (Y - S) / Math.sqrt(V) : (Math.log(Y / S) * S) / Math.sqrt(V);
}

/** The interval of effects not rejected, on the percentage-change and difference scales. */
function invertedInterval(stat: PermStat, Y: number, S: number, V: number, h: number): { pct: [number, number] | null; diff: [number, number] | null } {
  if (stat === 'z') {
    const d = Y - S;
    const sd = Math.sqrt(V);
    const diff: [number, number] = [d - h * sd, d + h * sd];
    // pct = 100·δ/(Y − δ) for δ < Y (the counterfactual Y − δ must be positive).
    const pct: [number, number] | null = S - h * sd > 0 ? [(100 * diff[0]) / (Y - diff[0]), (100 * diff[1]) / (Y - diff[1])] : null;
    return { pct, diff };
  }
  const l = Math.log(Y / S);
  const se = stat === 'log-ratio' ? 1 : Math.sqrt(V) / S;
  const pct: [number, number] = [100 * (Math.exp(l - h * se) - 1), 100 * (Math.exp(l + h * se) - 1)];
  return { pct, diff: diffFromPct(Y, pct) };
}

/** Run the placebo re-weightings and fill each outcome's `permutation` block. */
export async function permutationInference(inp: PermutationInput): Promise<PermutationOutput> {
  const { prob, outcomes, level, stat } = inp;
  const alpha = 1 - level;
  const n1 = prob.treated.length;
  const n0 = prob.controls.length;
  const poolRows = inp.pool === 'all' ? Int32Array.from({ length: prob.W.nAll }, (_, i) => i) : prob.controls;
  if (n0 - n1 < 1) throw new InputError('TOO_FEW_CONTROLS', `permutation inference draws placebo sets of ${n1} areas and re-weights with the controls outside them; it needs more controls (${n0}) than treated areas (use --inference jackknife or linearisation)`, {});
  const B = placeboCount(poolRows.length, n1, inp.perms);
  const warnings: Warning[] = [];
  if (B < inp.perms) warnings.push({ code: 'PERMS_CAPPED', message: `only ${B} distinct placebo sets of ${n1} areas exist among the ${poolRows.length} areas of the pool; --reps ${inp.perms} reduced to ${B} (random draws, so some sets may repeat; p-values cannot fall below ${stat === 'z' ? '0' : `1/(B+1)`})` });
  const O = outcomes.length;
  const width = replicateWidth(O, inp.nPost);
  const p: ReplicateProblem = { ...prob, linearise: stat !== 'log-ratio', ...(inp.pool === 'all' ? { pool: poolRows } : {}) };
  // Placebo set b from stream b, row b of the matrix, over --threads threads (src/inference/pool.ts).
  const reps = await placeboRows(p, B, width, inp.threads, inp.progress as ResampleProgress | undefined);
  const c0: 0 | 1 = stat === 'z' ? 0 : 1;
  const L = new Float64Array(B * O);
  let dropped = 0;
  outcomes.forEach((r, o) => {
    const vOff = varianceOffset(O, inp.nPost, o);
    const draws: number[] = [];
    for (let b = 0; b < B; b++) {
      const Yb = reps[b * width + 2 * o]!;
      const Sb = reps[b * width + 2 * o + 1]!;
      L[b * O + o] = Math.log(Yb / Sb);
      const s = permStatistic(stat, Yb, Sb, reps[b * width + vOff]!);
      if (Number.isFinite(s)) draws.push(s);
      else dropped++;
    }
    r.permutation = outcomeBlock(stat, r, draws, alpha, c0);
    const pl: number[] = [];
    for (let b = 0; b < B; b++) if (Number.isFinite(L[b * O + o]!)) pl.push(100 * (Math.exp(L[b * O + o]!) - 1));
    r.permutation.placeboPercentChange = pl;
  });
  const extra: Record<string, unknown> = { permsUsed: B };
  const { inexact, iters } = placeboFitSummary(reps, B, O);
  if (inexact > 0) warnings.push({ code: 'PLACEBO_INEXACT', message: `${inexact} of ${B} placebo sets could not be balanced exactly and used penalised ${inp.distance} calibration (closest achievable balance)` });
  if (dropped > 0) warnings.push({ code: 'PLACEBO_NON_FINITE', message: `${dropped} placebo outcome statistics were undefined (a zero treated or synthetic total${stat === 'log-ratio' ? '' : ', or a zero linearisation variance'}) and were left out of the permutation distribution` });
  let minNote = '';
  if (inp.qB > 0) {
    const mi = sorted(Array.from({ length: B }, (_, b) => reps[b * width + 2 * O + 3]!));
    extra.placeboMinImbalance = { median: quantile(mi, 0.5), max: mi[B - 1]!, unit: 'largest |imbalance| over the --match-min variables, in SD units of each (residualised) variable among the controls' };
    minNote = `; --match-min variables balanced to a median largest imbalance of ${quantile(mi, 0.5).toExponential(2)} SD (penalty μ = ${inp.minMu?.toExponential(0)}, as for the main weights)`;
  }
  const diagnostics: Diagnostic[] = [
    {
      code: 'PERMUTATION',
      passed: inexact === 0,
      value: B,
      message: `${B} placebo treated sets of ${n1} ${inp.pool === 'all' ? 'areas drawn from all areas' : 'controls'}, each re-weighted (mean ${(iters / Math.max(1, B)).toFixed(1)} iterations; ${inexact} not exactly balanced${minNote}); statistic ${stat}${stat === 'z' ? " (microsynth's, p = #{|z_b| ≥ |z|}/B)" : ', p = (1 + #{|t_b| ≥ |t|})/(B + 1)'}`,
    },
  ];
  const bands = pathBands(reps, B, O, inp, alpha);
  warnings.push(...bands.warnings);
  return { warnings, diagnostics, extra, pathCi: bands.pathCi, logRatios: L, draws: B };
}

/** Placebo sets to draw: --reps, capped at the number of distinct sets C(pool, n₁). */
function placeboCount(pool: number, n1: number, perms: number): number {
  let distinct = 1;
  for (let k = 0; k < n1 && distinct <= perms; k++) distinct = (distinct * (pool - k)) / (k + 1);
  return Math.max(1, Math.min(perms, Math.floor(distinct + 1e-9)));
}

function placeboFitSummary(reps: Float64Array, B: number, O: number): { inexact: number; iters: number } {
  const width = reps.length / Math.max(1, B);
  let inexact = 0;
  let iters = 0;
  for (let b = 0; b < B; b++) {
    iters += reps[b * width + 2 * O]!;
    if (reps[b * width + 2 * O + 1] !== 1) inexact++;
  }
  return { inexact, iters };
}

/** One outcome's block: p-values from the ranks, the interval by inverting the same test. */
function outcomeBlock(stat: PermStat, r: PermOutcome, draws: number[], alpha: number, c0: 0 | 1): InferenceBlock {
  const Y = r.treatedTotal;
  const S = r.syntheticTotal;
  const s = permStatistic(stat, Y, S, r.variance);
  const base = { seLogRatio: stat === 'log-ratio' || !(r.variance > 0) ? null : Math.sqrt(r.variance) / S, draws: draws.length, statistic: Number.isFinite(s) ? s : null, placeboPercentChange: [] as number[] };
  if (!Number.isFinite(s) || draws.length === 0) return { ...base, pValue: null, pLower: null, pUpper: null, percentChangeCi: null, differenceCi: null };
  const ps = permutationP(s, draws, c0);
  const abs = Float64Array.from(draws, Math.abs).sort().reverse();
  const h = permutationHalfWidth(abs, alpha, c0);
  const ci = h === null ? { pct: null, diff: null } : invertedInterval(stat, Y, S, r.variance, h);
  return { ...base, ...ps, percentChangeCi: ci.pct, differenceCi: ci.diff, halfWidth: h };
}

/**
 * Per-period and cumulative-path bands for the first outcome, by inverting the symmetric
 * log-ratio test in each post period (placebo periods whose ratio is undefined, a zero count, are
 * left out; a period whose treated count is 0 gets none). The last cumulative band is the
 * headline interval itself (same draws, same totals).
 */
function pathBands(reps: Float64Array, B: number, O: number, inp: PermutationInput, alpha: number): { pathCi: PermutationOutput['pathCi']; warnings: Warning[] } {
  const width = replicateWidth(O, inp.nPost);
  const head = inp.outcomes[0]!;
  const band = (Y: number, S: number, pl: number[]): [number, number] | null => {
    const l = Math.log(Y / S);
    if (!Number.isFinite(l) || pl.length === 0) return null;
    const h = permutationHalfWidth(Float64Array.from(pl, Math.abs).sort().reverse(), alpha, 1);
    return h === null ? null : diffFromPct(Y, [100 * (Math.exp(l - h) - 1), 100 * (Math.exp(l + h) - 1)]);
  };
  const effect: ([number, number] | null)[] = [];
  const cumulative: ([number, number] | null)[] = [];
  const dropped: string[] = [];
  const noTreated: string[] = [];
  const cumT = new Float64Array(B);
  const cumS = new Float64Array(B);
  let cY = 0;
  let cS = 0;
  for (let t = 0; t < inp.nPost; t++) {
    const pt = head.path[inp.t0 + t]!;
    cY += pt.treated;
    cS += pt.synthetic;
    const pl: number[] = [];
    const plc: number[] = [];
    for (let b = 0; b < B; b++) {
      const yt = reps[b * width + 2 * O + 4 + 2 * t]!;
      const st = reps[b * width + 2 * O + 5 + 2 * t]!;
      cumT[b] = cumT[b]! + yt;
      cumS[b] = cumS[b]! + st;
      const v = Math.log(yt / st);
      if (Number.isFinite(v)) pl.push(v);
      const vc = Math.log(cumT[b]! / cumS[b]!);
      if (Number.isFinite(vc)) plc.push(vc);
    }
    effect.push(band(pt.treated, pt.synthetic, pl));
    cumulative.push(t === inp.nPost - 1 ? (head.permutation?.differenceCi ?? null) : band(cY, cS, plc));
    if (pl.length < B) dropped.push(`${inp.periods[inp.t0 + t]} (${B - pl.length})`);
    if (!(pt.treated > 0)) noTreated.push(inp.periods[inp.t0 + t]!);
  }
  const warnings: Warning[] = [];
  if (dropped.length > 0)
    warnings.push({
      code: 'PATH_PLACEBO_NON_FINITE',
      message: `per-period placebo bands: placebo sets with a zero count (treated or synthetic) in a period have no log ratio there and were left out of that period's band, in ${dropped.length} of ${inp.nPost} post period(s): ${dropped.slice(0, 6).join(', ')}${dropped.length > 6 ? ', …' : ''} (period (draws left out) of ${B}); with sparse counts those bands may be too narrow: aggregate periods or areas`,
    });
  if (noTreated.length > 0) warnings.push({ code: 'PATH_ZERO_TREATED', message: `no band for post period(s) ${noTreated.join(', ')}: the treated areas' count there is 0, so the log ratio is undefined` });
  return { pathCi: { effect, cumulative }, warnings };
}

/** The B placebo re-weightings as rows of a B × width matrix: this thread and threads − 1 helpers (the problem's arrays shared with them). */
async function placeboRows(p: ReplicateProblem, B: number, width: number, threads: number, progress: ResampleProgress | undefined): Promise<Float64Array> {
  const chunk = defaultChunk(B, Math.max(1, threads), 20);
  const helpers = B > chunk ? startThreads(Math.min(threads, 64) - 1) : null;
  try {
    const problem = helpers ? shareProblem(p) : p;
    const kernel = { module: new URL('./replicates.js', import.meta.url).href, name: 'permutationRange' };
    return (await replicateRows({ kernel, run: permutationRange, problem, B, width, chunk, phase: 'permutation', progress }, helpers)).out;
  } finally {
    await helpers?.release();
  }
}
