/**
 * Helper thread of src/inference/pool.ts: loads a method's kernel by module URL and export name,
 * then takes chunks (rows) or single indices (map) from the shared counter until none is left.
 * Pure computation; the calling thread assembles results by index.
 */
import { parentPort } from 'node:worker_threads';
import type { KernelRef, MapKernel, RowKernel } from './pool.js';

type Request =
  | { type: 'load'; module: string }
  | { type: 'rows'; kernel: KernelRef; problem: unknown; out: SharedArrayBuffer; ctr: SharedArrayBuffer; chunk: number; B: number }
  | { type: 'map'; kernel: KernelRef; problem: unknown; ctr: SharedArrayBuffer; n: number };

const modules = new Map<string, Promise<Record<string, unknown>>>();

function load(module: string): Promise<Record<string, unknown>> {
  let m = modules.get(module);
  if (!m) {
    m = import(module) as Promise<Record<string, unknown>>;
    modules.set(module, m);
  }
  return m;
}

async function kernelOf<K>(ref: KernelRef): Promise<K> {
  const f = (await load(ref.module))[ref.name];
  if (typeof f !== 'function') throw new Error(`${ref.module} exports no kernel '${ref.name}'`);
  return f as K;
}

async function rows(msg: Extract<Request, { type: 'rows' }>): Promise<void> {
  const run = await kernelOf<RowKernel<unknown>>(msg.kernel);
  const out = new Float64Array(msg.out);
  const ctr = new Int32Array(msg.ctr);
  const nChunks = Math.ceil(msg.B / msg.chunk);
  const tally: Record<string, number> = {};
  for (let c = Atomics.add(ctr, 0, 1); c < nChunks; c = Atomics.add(ctr, 0, 1)) {
    const from = c * msg.chunk;
    const to = Math.min(msg.B, from + msg.chunk);
    const t = run(msg.problem, from, to, out);
    if (t) for (const [k, v] of Object.entries(t)) tally[k] = (tally[k] ?? 0) + v;
    Atomics.add(ctr, 1, to - from);
  }
  parentPort!.postMessage({ ok: true, tally });
}

async function map(msg: Extract<Request, { type: 'map' }>): Promise<void> {
  const run = await kernelOf<MapKernel<unknown, unknown>>(msg.kernel);
  const ctr = new Int32Array(msg.ctr);
  for (let i = Atomics.add(ctr, 0, 1); i < msg.n; i = Atomics.add(ctr, 0, 1)) parentPort!.postMessage({ ok: true, i, value: run(msg.problem, i) });
  parentPort!.postMessage({ ok: true });
}

parentPort!.on('message', (msg: Request) => {
  if (msg.type === 'load') {
    // A failed preload surfaces when the kernel is used.
    load(msg.module).catch(() => undefined);
    return;
  }
  (msg.type === 'rows' ? rows(msg) : map(msg)).catch((e: { name?: string; code?: string; message?: string; details?: unknown }) => {
    parentPort!.postMessage({ ok: false, error: { name: e.name, code: e.code, message: e.message, details: e.details } });
  });
});
