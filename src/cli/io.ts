/**
 * CLI output plumbing: where documents and errors go. Only the CLI layer writes
 * to stdout/stderr or files.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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

/**
 * Write `content` to `file` atomically: a temporary file beside it, fsync, then
 * rename. A failure never leaves a partial file at `file`.
 * @throws UsageError OUTPUT_UNWRITABLE
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx');
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw new UsageError('OUTPUT_UNWRITABLE', `cannot write ${file}: ${(e as Error).message}`, { file });
  }
}
