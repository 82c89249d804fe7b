/**
 * Worker thread for gsynth: receives the problem once (workerData) and runs
 * bootstrap ranges or cross-validation scores on request. Pure computation; the
 * main thread assembles results in replication order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cvScores, replicateRange, type BaseEstimate, type Inference, type Problem } from './model.js';

interface Init {
  prob: Problem;
  base: BaseEstimate | null;
  kind: Inference;
}

export type WorkerRequest = { id: number; type: 'boot'; from: number; to: number } | { id: number; type: 'cv'; r: number };

const init = workerData as Init;
parentPort!.on('message', (msg: WorkerRequest) => {
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
