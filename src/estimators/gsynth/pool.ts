/**
 * gsynth's replications and cross-validation fits on src/inference's threads: the bootstrap and
 * jackknife are the row kernel `replicateRowsKernel` (replication b draws from rng.stream(b) and
 * lands in row b), iterative cross-validation fits the map kernel `cvRowKernel`. The output is
 * identical for any number of threads (src/inference/pool.ts).
 */
import { mapIndices, replicateRows, startThreads, type Threads } from '../../inference/pool.js';
import type { ResampleProgress } from '../../inference/resample.js';
import { cvRowKernel, cvScores, KERNEL_MODULE, replicateRowsKernel, statLayout, type BaseEstimate, type CvRow, type Inference, type Problem } from './model.js';

export interface Progress {
  phase: 'cross-validation' | 'bootstrap' | 'jackknife';
  done: number;
  total: number;
  /** Estimated seconds left (threaded runs), null before the first chunk. */
  etaSeconds?: number | null;
}
export type ProgressCallback = (p: Progress) => void;

export type Helpers = Threads;

/** The pool reports the phase it was given ('bootstrap', 'jackknife', 'cross-validation'). */
function asResampleProgress(progress: ProgressCallback | undefined): ResampleProgress | undefined {
  return progress && ((p) => progress(p as Progress));
}

/**
 * Helper threads started ahead of cross-validation and the bootstrap (so their start-up, ≈ 30 ms
 * each, and the loading of this method's kernels overlap the point estimate); null when n ≤ 0 or
 * worker threads are not available (TypeScript sources).
 */
export function startHelpers(n: number): Helpers | null {
  return startThreads(n, [KERNEL_MODULE]);
}

/** Replications 0..B−1 as a B×K matrix (NaN rows for failed ones), over this thread and the helpers. */
export async function runReplicates(
  prob: Problem,
  base: BaseEstimate,
  kind: Inference,
  B: number,
  progress: ProgressCallback | undefined,
  helpers: Helpers | null,
): Promise<{ reps: Float64Array; notConverged: number; failed: number }> {
  const phase = kind === 'jackknife' ? 'jackknife' : 'bootstrap';
  const { out, tally } = await replicateRows(
    { kernel: { module: KERNEL_MODULE, name: 'replicateRowsKernel' }, run: replicateRowsKernel, problem: { prob, base, kind }, B, width: statLayout(prob).K, phase, progress: asResampleProgress(progress) },
    helpers,
  );
  return { reps: out, notConverged: tally.notConverged ?? 0, failed: tally.failed ?? 0 };
}

/** Cross-validation rows for each r (one fit per r; spread over the helpers when fits are iterative). */
export async function runCv(prob: Problem, rs: readonly number[], progress: ProgressCallback | undefined, helpers: Helpers | null): Promise<CvRow[]> {
  const iterative = prob.em || prob.co.x.length > 0 || prob.co.y.some((v) => Number.isNaN(v));
  // Without iterations every r is one truncation of the largest fit: all at once, in this thread.
  if (!iterative) return cvScores(prob, rs);
  return mapIndices({ kernel: { module: KERNEL_MODULE, name: 'cvRowKernel' }, run: cvRowKernel, problem: { prob, rs }, n: rs.length, phase: 'cross-validation', progress: asResampleProgress(progress) }, helpers);
}
