/**
 * Atomic file writes for every layer (CLI documents, plan outputs, charts): a temporary file
 * beside the target, fsync, rename. Moved from src/cli/io.ts so that plans need not import the CLI.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.js';

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
export function describeFsError(e: unknown, file: string): string {
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

