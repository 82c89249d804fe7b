/**
 * Running vru-eval commands from a plan or a robustness suite: in this process (serial), or as a
 * child process of the same binary (parallel). Both run the same code and write the same bytes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Exec } from '../plan/robustness.js';
import type { CliIO } from './io.js';

const BIN = fileURLToPath(new URL('../../bin/vru-eval.js', import.meta.url));

export const inProcessExec: Exec = async (args) => {
  const { main } = await import('./main.js');
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false };
  const code = await main(['node', 'vru-eval', ...args], io);
  return { code, stdout, stderr };
};

export const childExec: Exec = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });

/** Serial in this process for one job, child processes for several. */
export function execFor(jobs: number): Exec {
  return jobs <= 1 ? inProcessExec : childExec;
}
