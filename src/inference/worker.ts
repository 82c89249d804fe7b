/**
 * Generic worker thread of src/inference/workers.ts: imports the task module named in the request,
 * takes chunks of replications from the shared counter and lets the task write each into its row
 * of the shared output.
 */
import { parentPort } from 'node:worker_threads';
import type { RowWorkerRequest } from './workers.js';

type Run = (problem: unknown, from: number, to: number, out: Float64Array) => void;

parentPort!.on('message', (msg: RowWorkerRequest) => {
  void (async () => {
    try {
      const mod = (await import(msg.module)) as Record<string, unknown>;
      const run = mod[msg.name];
      if (typeof run !== 'function') throw new Error(`${msg.module} has no function '${msg.name}'`);
      const out = new Float64Array(msg.out);
      const ctr = new Int32Array(msg.ctr);
      const nChunks = Math.ceil(msg.B / msg.chunk);
      for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
        const from = c * msg.chunk;
        const to = Math.min(msg.B, from + msg.chunk);
        (run as Run)(msg.problem, from, to, out);
        Atomics.add(ctr, 1, to - from);
      }
      parentPort!.postMessage({ ok: true });
    } catch (e) {
      parentPort!.postMessage({ ok: false, error: { message: (e as Error).message } });
    }
  })();
});
