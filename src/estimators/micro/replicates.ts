/**
 * Re-weighting replications for micro-area synthetic control: placebo treated sets
 * (permutation inference) and delete-a-group jackknife. Pure functions of a
 * {@link ReplicateProblem}, shared by the main thread and worker threads; replication b
 * draws from `new Rng(seed).stream(b)` and writes row b of the output, so results are
 * identical for any number of threads.
 */
import { Rng } from '../../core/rng.js';
import { sharedCopy } from '../../inference/pool.js';
import { linearisedVariances } from './linearise.js';
import { rake, rakePenalised, zeroTargetKeep, type CalibrationDistance, type RakeOptions, type RakeProblem, type Whitened } from './calibrate.js';

export interface MicroProgress {
  phase: 'permutation' | 'jackknife' | 'weight range';
  done: number;
  total: number;
}

/** Everything a replication needs (plain typed arrays, so it can cross into a worker). */
export interface ReplicateProblem {
  W: Whitened;
  /** Calibration distance, as for the main weights. */
  distance: CalibrationDistance;
  /** Control row indices (into W.Z), length n₀. */
  controls: Int32Array;
  /** Treated row indices, length n₁. */
  treated: Int32Array;
  /** Number of outcomes O. */
  outcomes: number;
  /** O × nAll: each unit's post-period total of outcome o (row-major by outcome). */
  P: Float64Array;
  /** Post periods of the first outcome, for per-period intervals: nPost × nAll, each unit's value in post period t. */
  path: Float64Array;
  nPost: number;
  tol: number;
  maxIter: number;
  seed: number;
  /** Raw columns (intercept included) balanced exactly; the rest are --match-min columns. */
  exactCols: number;
  /** The --match-min penalty chosen for the main weights (see RakeProblem.minRidge), reused as is. */
  minRidge?: Float64Array;
  /**
   * Rows placebo treated sets are drawn from (`--perm-pool`): the controls (ours) or every area
   * (microsynth's). Donors are always the controls outside the set (a treated area's post-period
   * counts are treated, so it never weights a counterfactual). Default: `controls`.
   */
  pool?: Int32Array;
  /** Compute each placebo's linearisation variance V̂_b (studentised and z statistics). */
  linearise?: boolean;
}

/**
 * Columns of a replication row: per outcome (treated total, synthetic total), then iterations,
 * exact flag, imbalance, the largest --match-min imbalance (in SD units of the residualised
 * column; 0 without --match-min), then per post period of the first outcome (treated, synthetic),
 * then per outcome the linearisation variance V̂ of the synthetic total (NaN unless computed).
 */
export function replicateWidth(outcomes: number, nPost: number): number {
  return 3 * outcomes + 4 + 2 * nPost;
}

/** Offset of outcome o's linearisation variance in a replication row. */
export function varianceOffset(outcomes: number, nPost: number, o: number): number {
  return 2 * outcomes + 4 + 2 * nPost + o;
}

/** Relative-imbalance scales den_k = max(|t_k|, scale_k) from a whitened target (raw target via U). */
export function denominators(W: Whitened, target: Float64Array, n1: number): Float64Array {
  const { p, r, U, centre, scale } = W;
  const den = new Float64Array(p);
  den[0] = n1;
  for (let k = 1; k < p; k++) {
    let s = 0;
    for (let c = 0; c < r; c++) s += U[k * r + c]! * target[c]!;
    const raw = scale[k]! * s + centre[k]! * n1;
    den[k] = Math.max(Math.abs(raw), scale[k]!);
  }
  return den;
}

/** Fit one replication: donors and a treated (or placebo) set given as row indices. */
export function fitSet(prob: ReplicateProblem, donors: Int32Array, set: ArrayLike<number>, extra: Partial<RakeOptions> = {}): { res: ReturnType<typeof rake>; exact: boolean; stats: Float64Array } {
  const { W } = prob;
  const r = W.r;
  const target = new Float64Array(r);
  for (let a = 0; a < set.length; a++) {
    const o = set[a]! * r;
    for (let c = 0; c < r; c++) target[c] = target[c]! + W.Z[o + c]!;
  }
  const n1 = set.length;
  // Zero-target presolve: donors that must get weight 0 are left out of the Newton iterations.
  const keep = zeroTargetKeep(W, donors, set, prob.exactCols);
  const active = keep ? Int32Array.from(keep, (a) => donors[a]!) : donors;
  const rp: RakeProblem = { W, distance: prob.distance, donors: active, target, d: n1 / donors.length, den: denominators(W, target, n1), ...(prob.minRidge ? { minRidge: prob.minRidge } : {}) };
  const opts: RakeOptions = { tol: prob.tol, maxIter: prob.maxIter, ...extra };
  let res = rake(rp, opts);
  let exact = true;
  if (!res.converged) {
    exact = false;
    const { lambda0: _l, L0: _L, ...rest } = opts;
    res = rakePenalised(rp, rest);
  }
  if (keep) {
    const w = new Float64Array(donors.length);
    keep.forEach((a, k) => (w[a] = res.w[k]!));
    res = { ...res, w };
  }
  const O = prob.outcomes;
  const nAll = W.nAll;
  const stats = new Float64Array(replicateWidth(O, prob.nPost));
  for (let o = 0; o < O; o++) {
    const P = prob.P;
    const off = o * nAll;
    let tt = 0;
    for (let a = 0; a < set.length; a++) tt += P[off + set[a]!]!;
    let st = 0;
    for (let a = 0; a < donors.length; a++) st += res.w[a]! * P[off + donors[a]!]!;
    stats[2 * o] = tt;
    stats[2 * o + 1] = st;
  }
  stats[2 * O] = res.iterations;
  stats[2 * O + 1] = exact ? 1 : 0;
  stats[2 * O + 2] = res.maxRelImbalance;
  // Largest --match-min imbalance |Σ_donors w x̂_k − Σ_set x̂_k| over the min columns k (x̂ scaled).
  if (prob.exactCols < W.p) {
    const tot = new Float64Array(W.p);
    for (let a = 0; a < set.length; a++) {
      const u = set[a]!;
      for (let m = W.xsPtr[u]!; m < W.xsPtr[u + 1]!; m++) if (W.xsCol[m]! >= prob.exactCols) tot[W.xsCol[m]!] = tot[W.xsCol[m]!]! - W.xsVal[m]!;
    }
    for (let a = 0; a < donors.length; a++) {
      const wa = res.w[a]!;
      if (wa === 0) continue;
      const u = donors[a]!;
      for (let m = W.xsPtr[u]!; m < W.xsPtr[u + 1]!; m++) if (W.xsCol[m]! >= prob.exactCols) tot[W.xsCol[m]!] = tot[W.xsCol[m]!]! + wa * W.xsVal[m]!;
    }
    let worst = 0;
    for (let k = prob.exactCols; k < W.p; k++) worst = Math.max(worst, Math.abs(tot[k]!));
    stats[2 * O + 3] = worst;
  }
  for (let t = 0; t < prob.nPost; t++) {
    const off = t * nAll;
    let tt = 0;
    for (let a = 0; a < set.length; a++) tt += prob.path[off + set[a]!]!;
    let st = 0;
    for (let a = 0; a < donors.length; a++) st += res.w[a]! * prob.path[off + donors[a]!]!;
    stats[2 * O + 4 + 2 * t] = tt;
    stats[2 * O + 5 + 2 * t] = st;
  }
  const vOff = varianceOffset(O, prob.nPost, 0);
  if (prob.linearise) {
    const ys = Array.from({ length: O }, (_, o) => prob.P.subarray(o * nAll, (o + 1) * nAll));
    linearisedVariances(W, donors, res.w, ys).forEach((v, o) => (stats[vOff + o] = v));
  } else for (let o = 0; o < O; o++) stats[vOff + o] = Number.NaN;
  return { res, exact, stats };
}

/**
 * Placebo replications from..to−1: n₁ areas drawn without replacement from the pool as the
 * placebo treated set (a partial Fisher–Yates shuffle from stream b), the controls outside the
 * set as donors, re-weighted from uniform weights. Writes rows into `out` (B × width, row b at
 * b·width).
 */
export function permutationRange(prob: ReplicateProblem, from: number, to: number, out: Float64Array): void {
  const root = new Rng(prob.seed);
  const pool = prob.pool ?? prob.controls;
  const n1 = prob.treated.length;
  const width = replicateWidth(prob.outcomes, prob.nPost);
  const inSet = new Uint8Array(prob.W.nAll);
  const set = new Int32Array(n1);
  for (let b = from; b < to; b++) {
    const idx = root.stream(b).partialShuffle(pool.length, n1);
    inSet.fill(0);
    for (let a = 0; a < n1; a++) {
      set[a] = pool[idx[a]!]!;
      inSet[set[a]!] = 1;
    }
    const donors = prob.controls.filter((j) => !inSet[j]);
    const { stats } = fitSet(prob, donors, set);
    out.set(stats, b * width);
  }
}

/** The problem with its large typed arrays in shared memory, for worker threads (src/inference/workers.ts). */
export function shareProblem(prob: ReplicateProblem): ReplicateProblem {
  const W: Whitened = { ...prob.W, Z: sharedCopy(prob.W.Z) };
  return { ...prob, W, P: sharedCopy(prob.P), path: sharedCopy(prob.path), controls: sharedCopy(prob.controls), treated: sharedCopy(prob.treated), ...(prob.pool ? { pool: sharedCopy(prob.pool) } : {}) };
}
