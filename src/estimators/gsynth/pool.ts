/**
 * Spread gsynth's bootstrap replications and cross-validation fits over worker
 * threads. Work is dealt in small chunks; each replication b draws from
 * rng.stream(b) and lands at row b of the result, so the output is identical
 * for any number of workers (including 1, which runs in this thread).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EstimationError, InputError, UsageError } from '../../core/errors.js';
import { cvScores, replicateRange, statLayout, type BaseEstimate, type CvRow, type Inference, type Problem } from './model.js';

export interface Progress {
  phase: 'cross-validation' | 'bootstrap' | 'jackknife';
  done: number;
  total: number;
}
export type ProgressCallback = (p: Progress) => void;

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** True when the compiled worker file exists (it does in dist/; not when running the TypeScript sources directly). */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

function rethrow(error: { name?: string; code?: string; message?: string; details?: Record<string, unknown> }): never {
  const details = error.details ?? {};
  if (error.name === 'EstimationError') throw new EstimationError(error.code ?? 'ESTIMATION', error.message ?? '', details);
  if (error.name === 'InputError') throw new InputError(error.code ?? 'INPUT', error.message ?? '', details);
  if (error.name === 'UsageError') throw new UsageError(error.code ?? 'USAGE', error.message ?? '', details);
  throw new Error(error.message ?? 'worker failed');
}

type Task<R> = { payload: Record<string, unknown>; onDone: (msg: R) => void };

async function runTasks<R>(workers: number, init: unknown, tasks: Task<R>[], progress?: () => void): Promise<void> {
  const pool = Array.from({ length: Math.min(workers, tasks.length) }, () => new Worker(WORKER_URL, { workerData: init }));
  let next = 0;
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= tasks.length) return resolve();
              const id = next++;
              w.postMessage({ id, ...tasks[id]!.payload });
            };
            w.on('message', (msg: { id: number; ok: boolean; error?: never } & R) => {
              if (!msg.ok) {
                try {
                  rethrow(msg.error!);
                } catch (e) {
                  reject(e);
                }
                return;
              }
              tasks[msg.id]!.onDone(msg);
              progress?.();
              send();
            });
            w.on('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/**
 * Helper threads started ahead of the bootstrap (so their start-up, ≈ 30 ms each, overlaps the
 * main thread's cross-validation and point estimate). They take replication chunks from a shared
 * counter alongside the main thread; see {@link runReplicates}.
 */
export interface Helpers {
  workers: Worker[];
  /** Stop the threads (idempotent). */
  release: () => Promise<void>;
}

/** Start n helper threads, or return null when worker threads are not available (TypeScript sources). */
export function startHelpers(n: number): Helpers | null {
  if (n <= 0 || !workersAvailable()) return null;
  const workers = Array.from({ length: n }, () => new Worker(WORKER_URL, { workerData: null }));
  // A helper that is never given work must not keep the process alive.
  for (const w of workers) w.unref();
  let released = false;
  return {
    workers,
    release: async () => {
      if (released) return;
      released = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Replications shared between the main thread and helper threads through shared memory: every
 * thread takes the next chunk index from an atomic counter and writes replication b into row b of
 * a shared B×K matrix, so the result is the same whoever computes which chunk. The main thread
 * never waits for a message while work remains, so a slow or busy helper costs at most its last chunk.
 */
async function runShared(
  prob: Problem,
  base: BaseEstimate,
  kind: Inference,
  B: number,
  helpers: Helpers,
  progress?: ProgressCallback,
): Promise<{ reps: Float64Array; notConverged: number; failed: number }> {
  const K = statLayout(prob).K;
  const threads = helpers.workers.length + 1;
  const chunk = Math.max(1, Math.min(25, Math.ceil(B / (8 * threads))));
  const nChunks = Math.ceil(B / chunk);
  const repsBuf = new SharedArrayBuffer(B * K * 8);
  const reps = new Float64Array(repsBuf).fill(Number.NaN);
  // [0] next chunk to take, [1] replications finished (for progress).
  const ctrBuf = new SharedArrayBuffer(8);
  const ctr = new Int32Array(ctrBuf);
  const phase = kind === 'jackknife' ? 'jackknife' : 'bootstrap';
  const finished = helpers.workers.map(
    (w) =>
      new Promise<{ notConverged: number; failed: number }>((resolve, reject) => {
        w.ref();
        w.once('message', (msg: { ok: boolean; notConverged: number; failed: number; error?: never }) => {
          if (!msg.ok) {
            try {
              rethrow(msg.error!);
            } catch (e) {
              reject(e);
            }
            return;
          }
          resolve(msg);
        });
        w.once('error', reject);
        w.postMessage({ type: 'shared', prob, base, kind, reps: repsBuf, ctr: ctrBuf, chunk, B });
      }),
  );
  let notConverged = 0;
  let failed = 0;
  try {
    for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
      const from = c * chunk;
      const to = Math.min(B, from + chunk);
      const res = replicateRange(prob, base, kind, from, to);
      reps.set(res.block, from * K);
      notConverged += res.notConverged;
      failed += res.failed;
      const done = Atomics.add(ctr, 1, to - from) + (to - from);
      progress?.({ phase, done, total: B });
    }
    for (const r of await Promise.all(finished)) {
      notConverged += r.notConverged;
      failed += r.failed;
    }
  } finally {
    await helpers.release();
  }
  progress?.({ phase, done: B, total: B });
  return { reps: Float64Array.from(reps), notConverged, failed };
}

/**
 * Replications 0..B−1 as a B×K matrix (NaN rows for failed ones). With `helpers` the main
 * thread and the helpers share the work; otherwise `workers` > 1 threads do it (main thread idle).
 */
export async function runReplicates(
  prob: Problem,
  base: BaseEstimate,
  kind: Inference,
  B: number,
  workers: number,
  progress?: ProgressCallback,
  helpers: Helpers | null = null,
): Promise<{ reps: Float64Array; notConverged: number; failed: number }> {
  if (helpers && B >= 2) return runShared(prob, base, kind, B, helpers, progress);
  await helpers?.release();
  const K = statLayout(prob).K;
  const reps = new Float64Array(B * K).fill(Number.NaN);
  let notConverged = 0;
  let failed = 0;
  const chunk = Math.max(1, Math.min(25, Math.ceil(B / (8 * Math.max(1, workers)))));
  const phase = kind === 'jackknife' ? 'jackknife' : 'bootstrap';
  let done = 0;
  if (workers <= 1 || !workersAvailable() || B < 2 * chunk) {
    for (let from = 0; from < B; from += chunk) {
      const to = Math.min(B, from + chunk);
      const res = replicateRange(prob, base, kind, from, to);
      reps.set(res.block, from * K);
      notConverged += res.notConverged;
      failed += res.failed;
      done = to;
      progress?.({ phase, done, total: B });
    }
    return { reps, notConverged, failed };
  }
  const tasks: Task<{ block: Float64Array; notConverged: number; failed: number }>[] = [];
  for (let from = 0; from < B; from += chunk) {
    const to = Math.min(B, from + chunk);
    tasks.push({
      payload: { type: 'boot', from, to },
      onDone: (m) => {
        reps.set(m.block, from * K);
        notConverged += m.notConverged;
        failed += m.failed;
        done += to - from;
      },
    });
  }
  await runTasks(workers, { prob, base, kind }, tasks, () => progress?.({ phase, done, total: B }));
  return { reps, notConverged, failed };
}

/** Cross-validation rows for each r (one fit per r; spread over workers when fits are iterative). */
export async function runCv(prob: Problem, rs: readonly number[], workers: number, progress?: ProgressCallback): Promise<CvRow[]> {
  const iterative = prob.em || prob.co.x.length > 0 || prob.co.y.some((v) => Number.isNaN(v));
  if (!iterative || workers <= 1 || !workersAvailable() || rs.length < 2) {
    const out = iterative ? rs.map((r, k) => {
      const row = cvScores(prob, [r])[0]!;
      progress?.({ phase: 'cross-validation', done: k + 1, total: rs.length });
      return row;
    }) : cvScores(prob, rs);
    return out;
  }
  const out: CvRow[] = new Array(rs.length);
  let done = 0;
  const tasks: Task<{ cv: CvRow }>[] = rs.map((r, k) => ({
    payload: { type: 'cv', r },
    onDone: (m) => {
      out[k] = m.cv;
      done++;
    },
  }));
  await runTasks(workers, { prob, base: null, kind: 'none' }, tasks, () => progress?.({ phase: 'cross-validation', done, total: rs.length }));
  return out;
}
