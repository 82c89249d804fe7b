/**
 * Worker thread of the parallel executor (exec.ts): runs vru-eval commands in this thread, one
 * at a time, for as long as the pool lives (modules load once per worker, not once per step).
 */
import { parentPort } from 'node:worker_threads';
import { main } from './main.js';
import type { CliIO } from './io.js';

parentPort!.on('message', (m: { id: number; args: string[] }) => {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false };
  main(['node', 'vru-eval', ...m.args], io).then(
    (code) => parentPort!.postMessage({ id: m.id, code, stdout, stderr }),
    (e: unknown) => parentPort!.postMessage({ id: m.id, code: 1, stdout, stderr: stderr + String((e as Error)?.stack ?? e) }),
  );
});
