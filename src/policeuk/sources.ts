/**
 * Where police.uk files come from: archive folders (YYYY-MM/YYYY-MM-<force>-street.csv,
 * as the download unpacks), single CSV files, or the archive zip itself, read entry by
 * entry as streams (yauzl: the zip's central directory is read first, so a truncated zip
 * is detected before any row is counted; entries are inflated as streams, never to disk).
 */
import { createHash } from 'node:crypto';
import { crc32, createInflateRaw } from 'node:zlib';
import { closeSync, createReadStream, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { InputError } from '../core/errors.js';
import { ARCHIVE_FILE, MONTH_DIR, monthOrdinal, type ArchiveFileKind } from './format.js';

/** One archive file found in an input. */
export interface ArchiveEntry {
  /** The input path as given. */
  input: string;
  /** Path inside the input (folder-relative or zip entry name), '/'-separated. */
  name: string;
  /** Name used in messages: input, or input:name for zip entries. */
  display: string;
  month: number;
  force: string;
  kind: ArchiveFileKind;
  /** Uncompressed size in bytes. */
  bytes: number;
  /** True for a zip entry. */
  zipped: boolean;
  /** Path of a plain file (read synchronously in chunks into one reused buffer), null for zip entries. */
  path: string | null;
  /** CRC-32 recorded in the zip's central directory (checked against the inflated bytes), or null. */
  crc32: number | null;
  /** Opens the file's bytes as a stream. */
  open: () => Promise<Readable>;
}

export interface ArchiveInput {
  path: string;
  type: 'folder' | 'zip' | 'file';
  /** sha256 of the zip file itself (entries have their own); null for folders and files (their files carry theirs). */
  sha256: string | null;
  entries: ArchiveEntry[];
  /** CSV or other files that are not police.uk archive files (listed in the manifest, not read). */
  ignored: string[];
  close: () => void;
}

function parseName(display: string, name: string): { month: number; force: string; kind: ArchiveFileKind } | null {
  const base = name.split('/').pop()!;
  const m = ARCHIVE_FILE.exec(base);
  if (!m) return null;
  const month = monthOrdinal(`${m[1]}-${m[2]}`);
  if (month === null) return null;
  const parts = name.split('/');
  const dir = parts.length > 1 ? parts[parts.length - 2]! : null;
  if (dir !== null && MONTH_DIR.test(dir) && dir !== `${m[1]}-${m[2]}`) {
    throw new InputError('WRONG_MONTH_FOLDER', `${display}: the file is for ${m[1]}-${m[2]} but sits in the folder ${dir}; police.uk puts each month's files in their own YYYY-MM folder: move it back or re-download the archive`, { file: display, folder: dir, month: `${m[1]}-${m[2]}` });
  }
  return { month, force: m[3]!, kind: m[4] as ArchiveFileKind };
}

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new InputError('FILE_UNREADABLE', `cannot read the folder ${dir}: ${(e as Error).message}`, { file: dir });
  }
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
}

/** sha256 of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    const s = createReadStream(path, { highWaterMark: 1 << 20 });
    s.on('data', (c) => h.update(c));
    s.on('error', (e) => reject(new InputError('FILE_UNREADABLE', `cannot read ${path}: ${e.message}`, { file: path })));
    s.on('end', () => resolve(h.digest('hex')));
  });
}

function zipError(path: string, e: Error): InputError {
  return new InputError('BAD_ZIP', `${path} is not a readable zip archive (${e.message}); the download is truncated or corrupt: download it again`, { file: path, reason: e.message });
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zf) => {
      if (err || !zf) reject(zipError(path, err ?? new Error('cannot open')));
      else resolve(zf);
    });
  });
}

function readZipEntries(path: string, zf: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zf.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zf.readEntry();
    });
    zf.on('end', () => resolve(out));
    zf.on('error', (e: Error) => reject(zipError(path, e)));
    zf.readEntry();
  });
}

/** List the archive files of one input path (folder, zip or CSV). @throws InputError FILE_UNREADABLE | BAD_ZIP | WRONG_MONTH_FOLDER */
export async function openInput(path: string): Promise<ArchiveInput> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError('FILE_UNREADABLE', `${path} does not exist: give the police.uk archive folder, its zip, or a street-level CSV`, { file: path });
  }
  if (st.isDirectory()) {
    const files: string[] = [];
    walk(path, files);
    const entries: ArchiveEntry[] = [];
    const ignored: string[] = [];
    for (const f of files) {
      const name = relative(path, f).split(sep).join('/');
      const info = parseName(f, name);
      if (!info) {
        ignored.push(name);
        continue;
      }
      entries.push({ input: path, name, display: f, ...info, bytes: statSync(f).size, zipped: false, path: f, crc32: null, open: async () => createReadStream(f, { highWaterMark: 1 << 20 }) });
    }
    return { path, type: 'folder', sha256: null, entries, ignored, close: () => undefined };
  }
  const isZip = await new Promise<boolean>((resolve) => {
    const s = createReadStream(path, { start: 0, end: 3 });
    const bufs: Buffer[] = [];
    s.on('data', (c) => bufs.push(c as Buffer));
    s.on('error', () => resolve(false));
    s.on('end', () => {
      const b = Buffer.concat(bufs);
      resolve(b.length >= 2 && b[0] === 0x50 && b[1] === 0x4b);
    });
  });
  if (isZip || /\.zip$/i.test(path)) {
    const zf = await openZip(path);
    const list = await readZipEntries(path, zf);
    const entries: ArchiveEntry[] = [];
    const ignored: string[] = [];
    for (const e of list) {
      if (e.fileName.endsWith('/')) continue;
      const info = parseName(`${path}:${e.fileName}`, e.fileName);
      if (!info) {
        ignored.push(e.fileName);
        continue;
      }
      entries.push({
        input: path,
        name: e.fileName,
        display: `${path}:${e.fileName}`,
        ...info,
        bytes: e.uncompressedSize,
        zipped: true,
        path: null,
        crc32: e.crc32,
        // yauzl reads the central directory and checks the local header (fileDataStart within the
        // file); the compressed bytes are then read in 1 MiB chunks and inflated with 256 KiB output
        // chunks (yauzl's own stream reads 16 KiB at a time: ~60× more inflate calls, each a trip to
        // the thread pool). Integrity: the CRC-32 of the inflated bytes is checked in streamEntry.
        open: () =>
          new Promise((resolve, reject) => {
            const method = e.compressionMethod;
            if (method !== 0 && method !== 8) {
              reject(new InputError('BAD_ZIP', `${path}:${e.fileName} uses zip compression method ${method}; only stored and deflated entries are read: unzip and re-zip it, or pass the unzipped folder`, { file: `${path}:${e.fileName}`, method }));
              return;
            }
            zf.readLocalFileHeader(e, { minimal: true }, (err, h) => {
              if (err || !h) {
                reject(zipError(path, err ?? new Error('cannot read a local file header')));
                return;
              }
              if (e.compressedSize === 0) {
                resolve(Readable.from([]));
                return;
              }
              const raw = createReadStream(path, { start: h.fileDataStart, end: h.fileDataStart + e.compressedSize - 1, highWaterMark: 1 << 20 });
              if (method === 0) resolve(raw);
              else {
                const inf = createInflateRaw({ chunkSize: 256 * 1024 });
                raw.on('error', (x) => inf.destroy(x));
                resolve(raw.pipe(inf));
              }
            });
          }),
      });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const sha = await sha256File(path);
    return { path, type: 'zip', sha256: sha, entries, ignored, close: () => zf.close() };
  }
  const info = parseName(path, basename(path));
  if (!info) {
    throw new InputError('NOT_AN_ARCHIVE_FILE', `${path} is not a police.uk archive file: names are YYYY-MM-<force>-street.csv or YYYY-MM-<force>-stop-and-search.csv; give the archive folder or zip as downloaded`, { file: path });
  }
  return {
    path,
    type: 'file',
    sha256: null,
    entries: [{ input: path, name: basename(path), display: path, ...info, bytes: st.size, zipped: false, path, crc32: null, open: async () => createReadStream(path, { highWaterMark: 1 << 20 }) }],
    ignored: [],
    close: () => undefined,
  };
}

/**
 * Stream one entry through `onChunk`, returning its sha256. Errors from the stream
 * (a corrupt zip entry) become InputError BAD_ZIP naming the entry; errors thrown by
 * `onChunk` (bad rows) are passed on as they are.
 */
export async function streamEntry(entry: ArchiveEntry, onChunk: (b: Buffer) => void): Promise<string> {
  if (entry.path !== null) return readFileChunks(entry.path, entry.display, onChunk);
  const s = await entry.open();
  const h = createHash('sha256');
  return new Promise((resolve, reject) => {
    let failed = false;
    let crc = 0;
    const checkCrc = entry.crc32 !== null;
    s.on('data', (c: Buffer) => {
      if (failed) return;
      try {
        h.update(c);
        if (checkCrc) crc = crc32(c, crc);
        onChunk(c);
      } catch (e) {
        failed = true;
        s.destroy();
        reject(e);
      }
    });
    s.on('error', (e: Error) => {
      if (failed) return;
      failed = true;
      reject(
        entry.zipped
          ? new InputError('BAD_ZIP', `${entry.display}: the zip entry cannot be read (${e.message}); the download is truncated or corrupt: download it again`, { file: entry.display, reason: e.message })
          : new InputError('FILE_UNREADABLE', `cannot read ${entry.display}: ${e.message}`, { file: entry.display }),
      );
    });
    s.on('end', () => {
      if (failed) return;
      if (checkCrc && crc >>> 0 !== entry.crc32! >>> 0) {
        reject(new InputError('BAD_ZIP', `${entry.display}: the inflated bytes do not match the CRC-32 in the zip (the download is corrupt): download it again`, { file: entry.display, reason: 'crc32 mismatch' }));
        return;
      }
      resolve(h.digest('hex'));
    });
  });
}

const READ_BUF = Buffer.allocUnsafe(1 << 20);

/** Read a plain file in 1 MiB chunks into one reused buffer (no allocation per chunk), returning its sha256. */
function readFileChunks(path: string, display: string, onChunk: (b: Buffer) => void): string {
  const h = createHash('sha256');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputError('FILE_UNREADABLE', `cannot read ${display}: ${(e as Error).message}`, { file: display });
  }
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, READ_BUF, 0, READ_BUF.length, null);
      } catch (e) {
        throw new InputError('FILE_UNREADABLE', `cannot read ${display}: ${(e as Error).message}`, { file: display });
      }
      if (n === 0) break;
      const chunk = n === READ_BUF.length ? READ_BUF : READ_BUF.subarray(0, n);
      h.update(chunk);
      onChunk(chunk);
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
