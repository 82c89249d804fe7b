/**
 * The worker-thread backend of src/inference/resample.ts (issue 23): B replications whose results
 * are rows of a B × width matrix, spread over threads, for estimators whose replications are
 * expensive (a re-weighting or a re-fit each). Same mechanism as the rest of resample.ts:
 *
 *  - Seeding: the task computes replication b from stream b of the method's seed
 *    (`new Rng(seed).stream(b)`), so a row does not depend on which thread computed it.
 *  - Order: replication b is written to row b; chunks of consecutive replications are taken from a
 *    shared atomic counter by this thread and n − 1 worker threads. The matrix is therefore the
 *    same for any number of threads, byte for byte.
 *  - Progress: {phase, done, total} after each chunk (the ResampleOptions callback).
 *
 * A method supplies a {@link RowTask}: a function `run(problem, from, to, out)` that fills rows
 * from … to − 1 of `out`, exported from an ES module that a worker thread can import (its compiled
 * URL), and the problem: plain data and typed arrays. Typed arrays are best moved into shared
 * memory first ({@link sharedCopy}), so that workers read them without a copy each. Threads are
 * used only when the compiled worker file exists (in dist/; not when the TypeScript sources run
 * directly, e.g. under vitest), when the task module is a file, and when there are at least two
 * chunks; otherwise every chunk runs in this thread, in the same order.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResampleOptions } from './resample.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** One kind of replication, computable in any thread. */
export interface RowTask<P> {
  /** URL of the compiled ES module that exports the function named `name` (`new URL('./x.js', import.meta.url)`). */
  module: URL;
  /** Export name of `run` in that module. */
  name: string;
  /** Fill rows from … to − 1 of `out` (B × width, row b at b·width); replication b from stream b. */
  run: (problem: P, from: number, to: number, out: Float64Array) => void;
  problem: P;
  /** The problem as sent to workers (e.g. its typed arrays in shared memory); default: `problem`. */
  shareable?: () => P;
}

/** True when worker threads can run `task` (the compiled worker and the task module exist on disk). */
export function workersAvailable(task?: { module: URL }): boolean {
  const file = (u: URL) => u.protocol === 'file:' && existsSync(fileURLToPath(u));
  return file(WORKER_URL) && (!task || file(task.module));
}

/** Copy a typed array into shared memory (workers then read it without a copy each). */
export function sharedCopy<T extends Float64Array | Int32Array>(a: T): T {
  const Ctor = a.constructor as { new (buf: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  out.set(a as never);
  return out;
}

/** The message a worker receives (src/inference/worker.ts). */
export interface RowWorkerRequest {
  module: string;
  name: string;
  problem: unknown;
  out: SharedArrayBuffer;
  ctr: SharedArrayBuffer;
  chunk: number;
  B: number;
}

/**
 * B replications as rows of a B × width matrix, over `threads` threads (this one included).
 * Chunks hold at most 20 replications and about B / (8 × threads), so threads stay busy to the end.
 */
export async function replicateRows<P>(B: number, width: number, task: RowTask<P>, threads: number, o?: ResampleOptions): Promise<Float64Array> {
  const helpers = Math.max(0, Math.min(threads, 64) - 1);
  const chunk = Math.max(1, Math.min(20, Math.ceil(B / (8 * (helpers + 1)))));
  const nChunks = Math.ceil(B / chunk);
  const report = (done: number) => o?.progress?.({ phase: o.phase ?? 'replications', done, total: B });
  if (helpers === 0 || nChunks < 2 || !workersAvailable(task)) {
    const out = new Float64Array(B * width);
    for (let c = 0; c < nChunks; c++) {
      const from = c * chunk;
      const to = Math.min(B, from + chunk);
      task.run(task.problem, from, to, out);
      report(to);
    }
    return out;
  }
  const problem = task.shareable ? task.shareable() : task.problem;
  const outBuf = new SharedArrayBuffer(B * width * 8);
  const out = new Float64Array(outBuf);
  // ctr[0]: next chunk to take; ctr[1]: replications done (for progress).
  const ctr = new Int32Array(new SharedArrayBuffer(8));
  const request: RowWorkerRequest = { module: task.module.href, name: task.name, problem, out: outBuf, ctr: ctr.buffer as SharedArrayBuffer, chunk, B };
  const workers = Array.from({ length: Math.min(helpers, nChunks - 1) }, () => new Worker(WORKER_URL));
  const finished = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        w.once('message', (msg: { ok: boolean; error?: { message?: string } }) => (msg.ok ? resolve() : reject(new Error(msg.error?.message ?? 'worker failed'))));
        w.once('error', reject);
        w.postMessage(request);
      }),
  );
  try {
    for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
      const from = c * chunk;
      const to = Math.min(B, from + chunk);
      task.run(problem, from, to, out);
      report(Atomics.add(ctr, 1, to - from) + (to - from));
    }
    await Promise.all(finished);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  report(B);
  return Float64Array.from(out);
}
