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

/**
 * Write `content` to `file` atomically: a temporary file beside it, fsync, then
 * rename. A failure never leaves a partial file at `file`.
 * @throws UsageError OUTPUT_UNWRITABLE
 */
export function writeFileAtomic(file: string, content: string | Uint8Array | Iterable<string>): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx');
    if (typeof content === 'string' || content instanceof Uint8Array) writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    // pieces (e.g. a national LSOA panel) are written one by one, never joined into one string
    else for (const piece of content) writeSync(fd, piece);
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
    // name the user's path, not the temporary file beside it
    throw new UsageError('OUTPUT_UNWRITABLE', `cannot write ${file}: ${describeFsError(e, file)}`, { file });
  }
}

/** An fs error in words, about `file` (the user's path) rather than any temporary name. */
function describeFsError(e: unknown, file: string): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const dir = dirname(file);
  switch (code) {
    case 'ENOENT':
      return `the directory ${dir} does not exist; create it or choose another path`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${dir}; choose a directory you can write to`;
    case 'EROFS':
      return `${dir} is on a read-only file system`;
    case 'ENOSPC':
      return 'the disk is full';
    case 'EISDIR':
      return `${file} is a directory; give a file name`;
    case 'ENOTDIR':
      return `a part of ${dir} is not a directory`;
    default:
      return code ?? String((e as Error)?.message ?? e);
  }
}

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
