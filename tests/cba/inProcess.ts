/**
 * Run the CLI's `main` in this process with captured output: the same parsing, error mapping and
 * exit codes as the binary (bin/vru-eval.ts only calls main), without a process spawn per case.
 * The binary itself is exercised by runCli in each test file.
 */
import { main } from '../../src/cli/main.js';
import type { CliRun } from '../helpers.js';

export async function runMain(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false });
  return {
    code,
    stdout,
    stderr,
    json: () => JSON.parse(stdout),
    error: () => (JSON.parse(stderr.trim().split('\n').pop()!) as { error: { code: string; message: string; details: Record<string, unknown> } }).error,
  };
}
