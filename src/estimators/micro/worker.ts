/**
 * Worker thread for micro-area synthetic control: takes chunks of placebo replications from the
 * shared counter and writes each into its row of the shared output (see pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { permutationRange, type ReplicateProblem } from './replicates.js';

interface Request {
  prob: ReplicateProblem;
  out: SharedArrayBuffer;
  ctr: SharedArrayBuffer;
  chunk: number;
  B: number;
}

parentPort!.on('message', (msg: Request) => {
  try {
    const out = new Float64Array(msg.out);
    const ctr = new Int32Array(msg.ctr);
    const nChunks = Math.ceil(msg.B / msg.chunk);
    for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
      const from = c * msg.chunk;
      const to = Math.min(msg.B, from + msg.chunk);
      permutationRange(msg.prob, from, to, out);
      Atomics.add(ctr, 1, to - from);
    }
    parentPort!.postMessage({ ok: true });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: { message: (e as Error).message } });
  }
});
