/**
 * Spread the placebo re-weightings over threads. Every thread (this one and n−1 worker threads)
 * takes the next chunk of replications from a shared atomic counter and writes replication b
 * into row b of a shared B × width matrix; replication b draws from rng.stream(b). So the result
 * is the same whichever thread computes which chunk, and for any number of threads.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Whitened } from './calibrate.js';
import { permutationRange, replicateWidth, type ReplicateProblem } from './replicates.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** True when the compiled worker file exists (in dist/; not when running the TypeScript sources). */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

export interface MicroProgress {
  phase: 'permutation' | 'jackknife' | 'weight range';
  done: number;
  total: number;
}

/** Copy a typed array into shared memory (so workers read it without a copy each). */
function shared<T extends Float64Array | Int32Array>(a: T): T {
  const Ctor = a.constructor as { new (buf: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  out.set(a as never);
  return out;
}

/** The B × width matrix of placebo replications (see {@link permutationRange}). */
export async function runPermutations(prob: ReplicateProblem, B: number, threads: number, progress?: (p: MicroProgress) => void): Promise<Float64Array> {
  const width = replicateWidth(prob.outcomes, prob.nPost);
  const helpers = Math.max(0, Math.min(threads, 64) - 1);
  const chunk = Math.max(1, Math.min(20, Math.ceil(B / (8 * (helpers + 1)))));
  const nChunks = Math.ceil(B / chunk);
  if (helpers === 0 || !workersAvailable() || nChunks < 2) {
    const out = new Float64Array(B * width);
    for (let c = 0; c < nChunks; c++) {
      const from = c * chunk;
      const to = Math.min(B, from + chunk);
      permutationRange(prob, from, to, out);
      progress?.({ phase: 'permutation', done: to, total: B });
    }
    return out;
  }
  const W: Whitened = { ...prob.W, Z: shared(prob.W.Z) };
  const sp: ReplicateProblem = { ...prob, W, P: shared(prob.P), path: shared(prob.path), controls: shared(prob.controls), treated: shared(prob.treated), ...(prob.pool ? { pool: shared(prob.pool) } : {}) };
  const outBuf = new SharedArrayBuffer(B * width * 8);
  const out = new Float64Array(outBuf);
  const ctr = new Int32Array(new SharedArrayBuffer(8));
  const workers = Array.from({ length: Math.min(helpers, nChunks - 1) }, () => new Worker(WORKER_URL));
  const finished = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        w.once('message', (msg: { ok: boolean; error?: { message?: string } }) => (msg.ok ? resolve() : reject(new Error(msg.error?.message ?? 'worker failed'))));
        w.once('error', reject);
        w.postMessage({ prob: sp, out: outBuf, ctr: ctr.buffer, chunk, B });
      }),
  );
  try {
    for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
      const from = c * chunk;
      const to = Math.min(B, from + chunk);
      permutationRange(sp, from, to, out);
      const done = Atomics.add(ctr, 1, to - from) + (to - from);
      progress?.({ phase: 'permutation', done, total: B });
    }
    await Promise.all(finished);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  progress?.({ phase: 'permutation', done: B, total: B });
  return Float64Array.from(out);
}
