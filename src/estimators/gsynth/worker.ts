/**
 * Worker thread for gsynth: receives the problem once (workerData) and runs
 * bootstrap ranges or cross-validation scores on request. Pure computation; the
 * main thread assembles results in replication order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cvScores, replicateRange, statLayout, type BaseEstimate, type Inference, type Problem } from './model.js';

interface Init {
  prob: Problem;
  base: BaseEstimate | null;
  kind: Inference;
}

export type WorkerRequest = { id: number; type: 'boot'; from: number; to: number } | { id: number; type: 'cv'; r: number };

const init = workerData as Init | null;

interface SharedRequest {
  type: 'shared';
  prob: Problem;
  base: BaseEstimate;
  kind: Inference;
  reps: SharedArrayBuffer;
  ctr: SharedArrayBuffer;
  chunk: number;
  B: number;
}

/** Take chunks from the shared counter until none is left; write each replication into its row. */
function runShared(msg: SharedRequest): void {
  const K = statLayout(msg.prob).K;
  const reps = new Float64Array(msg.reps);
  const ctr = new Int32Array(msg.ctr);
  const nChunks = Math.ceil(msg.B / msg.chunk);
  let notConverged = 0;
  let failed = 0;
  for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
    const from = c * msg.chunk;
    const to = Math.min(msg.B, from + msg.chunk);
    const res = replicateRange(msg.prob, msg.base, msg.kind, from, to);
    reps.set(res.block, from * K);
    notConverged += res.notConverged;
    failed += res.failed;
    Atomics.add(ctr, 1, to - from);
  }
  parentPort!.postMessage({ ok: true, notConverged, failed });
}

parentPort!.on('message', (msg: WorkerRequest | SharedRequest) => {
  if (msg.type === 'shared') {
    try {
      runShared(msg);
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string; details?: unknown };
      parentPort!.postMessage({ ok: false, error: { name: err.name, code: err.code, message: err.message, details: err.details } });
    }
    return;
  }
  if (!init) return;
  try {
    if (msg.type === 'boot') {
      const res = replicateRange(init.prob, init.base!, init.kind, msg.from, msg.to);
      parentPort!.postMessage({ id: msg.id, ok: true, ...res }, [res.block.buffer as ArrayBuffer]);
    } else {
      parentPort!.postMessage({ id: msg.id, ok: true, cv: cvScores(init.prob, [msg.r])[0] });
    }
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string; details?: unknown; exitCode?: number };
    parentPort!.postMessage({ id: msg.id, ok: false, error: { name: err.name, code: err.code, message: err.message, details: err.details, exitCode: err.exitCode } });
  }
});
