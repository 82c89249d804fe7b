/**
 * The worker-thread backend of src/inference (issue 23: one threading mechanism for every method).
 *
 * A method supplies a *kernel*, a plain function exported from one of its modules, and this module
 * spreads the replication indices over the calling thread plus helper threads:
 *
 *  - `replicateRows`: replications b = 0 … B−1 of a numeric statistic vector of fixed width K,
 *    written into row b of a B × K matrix (row-major) in shared memory. The kernel is
 *    `kernel(problem, from, to, out) → tally`: it computes replications [from, to), writes each
 *    into its row of `out` (the whole B × K matrix) and returns integer counts (failed draws, fits
 *    that did not converge, …) that are summed over chunks.
 *  - `mapIndices`: n independent jobs i = 0 … n−1 each returning any structured-cloneable value
 *    (`kernel(problem, i) → R`), collected in index order.
 *
 * Determinism: the kernel must make replication b depend on (problem, b) only (replication b draws
 * from `rng.stream(b)`, src/core/rng.ts). Every thread takes the next chunk of indices from one
 * atomic counter and writes by index, so the result is the same whichever thread computes which
 * chunk, for any number of threads (1 runs everything in the calling thread) and any chunk size.
 * Tallies are sums of integers, so their order does not matter either.
 *
 * Threads: helper threads run `worker.js` (this folder), which loads the kernel's module by URL on
 * first use. They can be started ahead of the work (`startThreads`, with modules to preload) so
 * their start-up overlaps the caller's point estimate. When the compiled worker is not there (the
 * TypeScript sources run directly, as in unit tests) everything runs in the calling thread.
 *
 * Errors: a kernel's typed error (EstimationError, InputError, UsageError) is rethrown as the
 * same type in the calling thread.
 *
 * Progress: `{ phase, done, total, etaSeconds }` after each chunk (done is monotone; etaSeconds is
 * the elapsed time scaled by the share left, null before the first chunk finishes).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EstimationError, InputError, UsageError } from '../core/errors.js';
import type { ResampleProgress } from './resample.js';

/** Where a worker thread finds a kernel: the URL of the module (its `import.meta.url`) and the export's name. */
export interface KernelRef {
  module: string;
  name: string;
}

/** Replications [from, to) written into their rows of `out` (B × width); returns counts to sum (or nothing). */
export type RowKernel<P> = (problem: P, from: number, to: number, out: Float64Array) => Record<string, number> | void;
/** Job i of a map. */
export type MapKernel<P, R> = (problem: P, i: number) => R;

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** True when the compiled worker file exists (it does in dist/; not when running the TypeScript sources). */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/** Copy a typed array into shared memory (helper threads then read it without a copy each). */
export function sharedCopy<T extends Float64Array | Int32Array>(a: T): T {
  const Ctor = a.constructor as { new (buf: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  out.set(a as never);
  return out;
}

/** Helper threads (the calling thread works alongside them). */
export interface Threads {
  /** Number of helper threads (the calling thread not counted). */
  readonly size: number;
  /** @internal */
  readonly workers: readonly Worker[];
  /** Stop the threads (idempotent). */
  release: () => Promise<void>;
}

/**
 * Start n helper threads, or null when n ≤ 0 or worker threads are not available. `preload`:
 * kernel modules to import now, so the first job does not wait for them. Threads never given
 * work do not keep the process alive; call `release()` when done.
 */
export function startThreads(n: number, preload: readonly string[] = []): Threads | null {
  if (!(n > 0) || !workersAvailable()) return null;
  const workers = Array.from({ length: Math.min(n, 64) }, () => new Worker(WORKER_URL));
  for (const w of workers) {
    w.unref();
    for (const module of preload) w.postMessage({ type: 'load', module });
  }
  let released = false;
  return {
    size: workers.length,
    workers,
    release: async () => {
      if (released) return;
      released = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

interface SerializedError {
  name?: string;
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}

/** A worker's error as the typed error it was (library code maps types to exit codes). */
function rethrow(error: SerializedError | undefined): never {
  const e = error ?? {};
  const details = e.details ?? {};
  if (e.name === 'EstimationError') throw new EstimationError(e.code ?? 'ESTIMATION', e.message ?? '', details);
  if (e.name === 'InputError') throw new InputError(e.code ?? 'INPUT', e.message ?? '', details);
  if (e.name === 'UsageError') throw new UsageError(e.code ?? 'USAGE', e.message ?? '', details);
  throw new Error(e.message ?? 'worker thread failed');
}

/** Progress with an ETA from the elapsed time. */
function progressReporter(phase: string, total: number, progress: ResampleProgress | undefined): (done: number) => void {
  const t0 = Date.now();
  return (done) => {
    if (!progress) return;
    const elapsed = (Date.now() - t0) / 1000;
    progress({ phase, done, total, etaSeconds: done > 0 ? (elapsed * (total - done)) / done : null });
  };
}

function addTally(into: Record<string, number>, t: Record<string, number> | void): void {
  if (!t) return;
  for (const [k, v] of Object.entries(t)) into[k] = (into[k] ?? 0) + v;
}

/** Chunk size: about 8 chunks per thread (so a slow thread costs at most a small share), 1 … cap. */
export function defaultChunk(n: number, threads: number, cap = 25): number {
  return Math.max(1, Math.min(cap, Math.ceil(n / (8 * Math.max(1, threads)))));
}

export interface RowJob<P> {
  kernel: KernelRef;
  /** The same function, called in this thread (so the calling thread needs no dynamic import). */
  run: RowKernel<P>;
  problem: P;
  /** Replications B and the width K of each row. */
  B: number;
  width: number;
  /** Indices per chunk; default {@link defaultChunk}(B, threads). */
  chunk?: number;
  phase?: string;
  progress?: ResampleProgress | undefined;
}

/**
 * Send a job to every helper; resolves with each helper's final message (`onMessage` consumes
 * intermediate ones by returning true). On a helper's failure `abort()` stops the other threads
 * taking chunks, and the promise rejects with the helper's error, typed as it was thrown.
 */
function dispatch<M extends { ok: boolean; error?: SerializedError }>(threads: Threads, message: Record<string, unknown>, onMessage: ((m: M) => boolean) | null, abort: () => void): Promise<M[]> {
  const all = Promise.all(
    threads.workers.map(
      (w) =>
        new Promise<M>((resolve, reject) => {
          const stop = () => {
            w.off('message', listener);
            w.off('error', failed);
            w.unref();
          };
          const failed = (e: unknown) => {
            stop();
            abort();
            reject(e);
          };
          const listener = (msg: M) => {
            if (onMessage && onMessage(msg)) return;
            if (!msg.ok) {
              try {
                rethrow(msg.error);
              } catch (e) {
                failed(e);
              }
              return;
            }
            stop();
            resolve(msg);
          };
          w.ref();
          w.on('message', listener);
          w.on('error', failed);
          w.postMessage(message);
        }),
    ),
  );
  // Awaited after this thread's share of the work; until then a failure must not count as unhandled.
  all.catch(() => undefined);
  return all;
}

/**
 * Replications 0 … B−1 as a B × width matrix (row b = replication b), computed by this thread and
 * the helper `threads` (null: this thread alone), plus the kernels' summed tallies.
 */
export async function replicateRows<P>(job: RowJob<P>, threads: Threads | null): Promise<{ out: Float64Array; tally: Record<string, number> }> {
  const { B, width } = job;
  const nThreads = (threads?.size ?? 0) + 1;
  const chunk = job.chunk ?? defaultChunk(B, nThreads);
  const nChunks = Math.ceil(B / chunk);
  const report = progressReporter(job.phase ?? 'replications', B, job.progress);
  const tally: Record<string, number> = {};
  if (!threads || nChunks < 2) {
    const out = new Float64Array(B * width);
    for (let c = 0; c < nChunks; c++) {
      const from = c * chunk;
      const to = Math.min(B, from + chunk);
      addTally(tally, job.run(job.problem, from, to, out));
      report(to);
    }
    return { out, tally };
  }
  const outBuf = new SharedArrayBuffer(B * width * 8);
  const out = new Float64Array(outBuf);
  // [0] next chunk to take, [1] replications finished (for progress).
  const ctrBuf = new SharedArrayBuffer(8);
  const ctr = new Int32Array(ctrBuf);
  const finished = dispatch<{ ok: boolean; tally?: Record<string, number>; error?: SerializedError }>(threads, { type: 'rows', kernel: job.kernel, problem: job.problem, out: outBuf, ctr: ctrBuf, chunk, B }, null, () => Atomics.store(ctr, 0, nChunks));
  // The calling thread never waits for a message while chunks remain.
  for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
    const from = c * chunk;
    const to = Math.min(B, from + chunk);
    addTally(tally, job.run(job.problem, from, to, out));
    report(Atomics.add(ctr, 1, to - from) + (to - from));
  }
  for (const m of await finished) addTally(tally, m.tally);
  report(B);
  return { out: Float64Array.from(out), tally };
}

export interface MapJob<P, R> {
  kernel: KernelRef;
  run: MapKernel<P, R>;
  problem: P;
  n: number;
  phase?: string;
  progress?: ResampleProgress | undefined;
}

/** Jobs 0 … n−1 in index order, computed by this thread and the helper `threads` (null: this thread alone). */
export async function mapIndices<P, R>(job: MapJob<P, R>, threads: Threads | null): Promise<R[]> {
  const { n } = job;
  const report = progressReporter(job.phase ?? 'jobs', n, job.progress);
  const out: R[] = new Array(n);
  if (!threads || n < 2) {
    for (let i = 0; i < n; i++) {
      out[i] = job.run(job.problem, i);
      report(i + 1);
    }
    return out;
  }
  const ctrBuf = new SharedArrayBuffer(4);
  const ctr = new Int32Array(ctrBuf);
  let done = 0;
  const finished = dispatch<{ ok: boolean; i?: number; value?: R; error?: SerializedError }>(threads, { type: 'map', kernel: job.kernel, problem: job.problem, ctr: ctrBuf, n }, (m) => {
    if (m.ok && m.i !== undefined) {
      out[m.i] = m.value as R;
      report(++done);
      return true;
    }
    return false;
  }, () => Atomics.store(ctr, 0, n));
  for (let i = Atomics.add(ctr, 0, 1); i < n; i = Atomics.add(ctr, 0, 1)) {
    out[i] = job.run(job.problem, i);
    report(++done);
    // Let helper results in (and their progress) between jobs of this thread.
    await new Promise((r) => setImmediate(r));
  }
  await finished;
  return out;
}
