/**
 * src/inference/pool.ts, the one worker-thread backend: the compiled pool (dist/, where the worker
 * file exists) runs a kernel module written to a scratch directory.
 * - replicateRows: the B × K matrix and the tallies equal a plain loop over b with rng.stream(b),
 *   for 0, 1, 2 and 3 helper threads and several chunk sizes, and the helpers really did chunks;
 * - a typed error thrown in a helper thread reaches the caller as the same type and code;
 * - mapIndices returns structured values in index order;
 * - progress is monotone, ends at B/B and carries an ETA.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const DIST = join(ROOT, 'dist', 'src');
const url = (p: string) => pathToFileURL(join(DIST, p)).href;

type Pool = typeof import('../../src/inference/pool.js');
let pool: Pool;
let kernelUrl: string;
let kernels: Record<string, (...a: never[]) => unknown>;

/** The kernel module a helper thread loads by URL. Column 0..2: draws of stream b; column 3: the thread that ran b. */
const KERNEL_SOURCE = (rng: string, errors: string) => `
import { isMainThread, threadId } from 'node:worker_threads';
import { Rng } from '${rng}';
import { EstimationError } from '${errors}';
function spin(ms) { const t = Date.now(); while (Date.now() - t < ms) {} }
export function rows(p, from, to, out) {
  let odd = 0;
  for (let b = from; b < to; b++) {
    const r = new Rng(p.seed).stream(b);
    out[b * 4] = r.uniform(); out[b * 4 + 1] = r.normal(); out[b * 4 + 2] = r.int(1000); out[b * 4 + 3] = threadId;
    if (b % 2 === 1) odd++;
    spin(p.spinMs);
  }
  return { odd, seen: to - from };
}
export function failing(p, from, to, out) {
  spin(p.spinMs);
  if (!isMainThread) throw new EstimationError('KERNEL_FAILED', 'replication ' + from + ' failed in a helper', { from });
  return rows(p, from, to, out);
}
export function square(p, i) { return { i, sq: i * i, label: p.prefix + i }; }
`;

beforeAll(async () => {
  pool = (await import(url('inference/pool.js'))) as Pool;
  const dir = mkdtempSync(join(tmpdir(), 'vru-pool-'));
  const file = join(dir, 'kernel.mjs');
  writeFileSync(file, KERNEL_SOURCE(url('core/rng.js'), url('core/errors.js')));
  kernelUrl = pathToFileURL(file).href;
  kernels = (await import(kernelUrl)) as typeof kernels;
});

async function rowsWith(helpers: number, chunk: number | undefined, B = 120, spinMs = 1) {
  const threads = pool.startThreads(helpers, [kernelUrl]);
  if (helpers > 0) expect(threads, 'worker threads available in dist/').not.toBeNull();
  const events: { done: number; total: number; etaSeconds?: number | null }[] = [];
  try {
    const r = await pool.replicateRows({ kernel: { module: kernelUrl, name: 'rows' }, run: kernels.rows as never, problem: { seed: 11, spinMs }, B, width: 4, ...(chunk ? { chunk } : {}), phase: 'test', progress: (p) => events.push(p) }, threads);
    return { ...r, events };
  } finally {
    await threads?.release();
  }
}

describe('replicateRows', () => {
  it('gives the plain loop over rng.stream(b), whatever the threads and chunks, and helpers share the work', async () => {
    const { Rng } = (await import(url('core/rng.js'))) as typeof import('../../src/core/rng.js');
    const B = 120;
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      const r = new Rng(11).stream(b);
      expected.push(r.uniform(), r.normal(), r.int(1000));
    }
    const stats = (out: Float64Array) => Array.from({ length: B }, (_, b) => [out[b * 4]!, out[b * 4 + 1]!, out[b * 4 + 2]!]).flat();
    for (const [helpers, chunk] of [[0, undefined], [1, 7], [2, undefined], [3, 1], [2, 50]] as const) {
      const r = await rowsWith(helpers, chunk, B, 2);
      expect(stats(r.out), `${helpers} helpers, chunk ${chunk}`).toEqual(expected);
      expect(r.tally).toEqual({ odd: 60, seen: 120 });
      const done = r.events.map((e) => e.done);
      expect(done.every((d, k) => k === 0 || d >= done[k - 1]!)).toBe(true);
      expect(r.events.at(-1)).toMatchObject({ done: B, total: B });
      expect(r.events.some((e) => typeof e.etaSeconds === 'number' && e.etaSeconds >= 0)).toBe(true);
      // 2 ms per replication: helpers start in well under the 240 ms of work, so they take chunks.
      if (helpers >= 2 && chunk === undefined) expect(new Set(Array.from({ length: B }, (_, b) => r.out[b * 4 + 3])).size).toBeGreaterThan(1);
    }
  }, 60_000);

  it("rethrows a helper thread's EstimationError as an EstimationError with its code", async () => {
    const { EstimationError } = (await import(url('core/errors.js'))) as typeof import('../../src/core/errors.js');
    const threads = pool.startThreads(2, [kernelUrl]);
    try {
      const run = pool.replicateRows({ kernel: { module: kernelUrl, name: 'failing' }, run: kernels.failing as never, problem: { seed: 1, spinMs: 20 }, B: 40, width: 4, chunk: 1 }, threads);
      const err = await run.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EstimationError);
      expect((err as { code: string }).code).toBe('KERNEL_FAILED');
    } finally {
      await threads?.release();
    }
  }, 60_000);
});

describe('mapIndices', () => {
  it('returns structured values in index order for 0 and 2 helpers', async () => {
    const want = Array.from({ length: 25 }, (_, i) => ({ i, sq: i * i, label: `r${i}` }));
    for (const helpers of [0, 2]) {
      const threads = pool.startThreads(helpers);
      try {
        const got = await pool.mapIndices({ kernel: { module: kernelUrl, name: 'square' }, run: kernels.square as never, problem: { prefix: 'r' }, n: 25 }, threads);
        expect(got).toEqual(want);
      } finally {
        await threads?.release();
      }
    }
  }, 60_000);
});
