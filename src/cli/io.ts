/**
 * CLI output plumbing: where documents and errors go. Only the CLI layer writes
 * to stdout/stderr or files.
 */
import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** True when stderr is an interactive terminal (progress output allowed; errors as sentences). */
  stderrIsTTY: boolean;
  /**
   * True when stdout is an interactive terminal: commands then print a readable summary
   * instead of the JSON document (see output.ts). Absent = false (scripts, pipes, tests).
   */
  stdoutIsTTY?: boolean;
  /** Width of the terminal in characters, for wrapping the summary (default 100). */
  columns?: number;
}

export const processIO: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
};

export { writeFileAtomic, describeFsError } from '../io/atomic.js';
import { describeFsError } from '../io/atomic.js';

/**
 * Check before any work that `file` can be written: its directory exists and is writable and
 * `file` is not a directory. Errors name the flag and the user's path.
 * @throws UsageError OUTPUT_UNWRITABLE
 */
export function checkWritable(file: string, flag: string): void {
  if (file === '-' || file === '') return;
  const dir = dirname(file);
  let problem: string | null = null;
  try {
    if (!statSync(dir).isDirectory()) problem = `${dir} is not a directory`;
    else accessSync(dir, constants.W_OK);
    if (problem === null && existsSync(file) && statSync(file).isDirectory()) problem = `${file} is a directory; give a file name`;
  } catch (e) {
    problem = describeFsError(e, file);
  }
  if (problem !== null) throw new UsageError('OUTPUT_UNWRITABLE', `${flag} ${file}: cannot write there: ${problem}`, { flag, file });
}
