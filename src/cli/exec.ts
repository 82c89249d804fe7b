/**
 * Running vru-eval commands from a plan or a robustness suite: in this thread (serial, one job),
 * or on a pool of worker threads (parallel), each running the same `main` as the command line.
 * Both run the same code and write the same bytes; the pool only changes when things run.
 */
import { Worker } from 'node:worker_threads';
import type { Exec } from '../plan/robustness.js';
import type { CliIO } from './io.js';

type Result = { code: number; stdout: string; stderr: string };

export const inProcessExec: Exec = async (args) => {
  const { main } = await import('./main.js');
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false };
  const code = await main(['node', 'vru-eval', ...args], io);
  return { code, stdout, stderr };
};

/** A pool of `n` worker threads; `close()` ends them. */
export function workerPool(n: number): Exec & { close: () => Promise<void> } {
  const idle: Worker[] = [];
  const all: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  const pending = new Map<number, (r: Result) => void>();
  let next = 0;
  const spawn = (): Worker => {
    const w = new Worker(new URL('./execWorker.js', import.meta.url));
    w.on('message', (m: Result & { id: number }) => {
      pending.get(m.id)?.({ code: m.code, stdout: m.stdout, stderr: m.stderr });
      pending.delete(m.id);
      const give = waiting.shift();
      if (give) give(w);
      else idle.push(w);
    });
    all.push(w);
    return w;
  };
  const acquire = (): Promise<Worker> => {
    const w = idle.pop();
    if (w) return Promise.resolve(w);
    if (all.length < n) return Promise.resolve(spawn());
    return new Promise((r) => waiting.push(r));
  };
  const exec = (async (args: readonly string[]) => {
    const w = await acquire();
    const id = next++;
    return new Promise<Result>((resolve) => {
      pending.set(id, resolve);
      w.postMessage({ id, args: [...args] });
    });
  }) as Exec & { close: () => Promise<void> };
  exec.close = async () => {
    await Promise.all(all.map((w) => w.terminate()));
  };
  return exec;
}

/** Serial in this thread for one job, a pool of worker threads for several. */
export function execFor(jobs: number): Exec & { close: () => Promise<void> } {
  if (jobs <= 1) return Object.assign(((args: readonly string[]) => inProcessExec(args)) as Exec, { close: async () => undefined });
  return workerPool(jobs);
}
