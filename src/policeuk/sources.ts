/**
 * Where police.uk files come from: archive folders (YYYY-MM/YYYY-MM-<force>-street.csv,
 * as the download unpacks), single CSV files, or the archive zip itself, read entry by
 * entry (yauzl reads the zip's central directory first, so a truncated zip is detected
 * before any row is counted; each entry is then inflated chunk by chunk into a fixed
 * buffer, never to disk and never whole: see readZipEntry).
 */
import { createHash } from 'node:crypto';
import { constants as zc, crc32, createInflateRaw, type InflateRaw } from 'node:zlib';
import { closeSync, createReadStream, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
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
  /** Where a zip entry's data lie (from the central directory), null for plain files. */
  zip: ZipSpan | null;
}

/** A zip entry's place in its archive, from the central directory. */
export interface ZipSpan {
  /** Open descriptor of the zip file (closed by the input's close()). */
  fd: number;
  /** Offset of the entry's local file header. */
  localHeader: number;
  compressedSize: number;
  /** 0 stored, 8 deflated (others are refused when read). */
  method: number;
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
  if (st.isDirectory()) return openFolder(path);
  if ((await startsLikeZip(path)) || /\.zip$/i.test(path)) return openZipInput(path);
  const info = parseName(path, basename(path));
  if (!info) {
    throw new InputError('NOT_AN_ARCHIVE_FILE', `${path} is not a police.uk archive file: names are YYYY-MM-<force>-street.csv or YYYY-MM-<force>-stop-and-search.csv; give the archive folder or zip as downloaded`, { file: path });
  }
  return {
    path,
    type: 'file',
    sha256: null,
    entries: [{ input: path, name: basename(path), display: path, ...info, bytes: st.size, zipped: false, path, crc32: null, zip: null }],
    ignored: [],
    close: () => undefined,
  };
}

/** An unpacked archive folder: every file under it, named YYYY-MM/YYYY-MM-<force>-<kind>.csv (others ignored). */
function openFolder(path: string): ArchiveInput {
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
    entries.push({ input: path, name, display: f, ...info, bytes: statSync(f).size, zipped: false, path: f, crc32: null, zip: null });
  }
  return { path, type: 'folder', sha256: null, entries, ignored, close: () => undefined };
}

/** True when the file's first two bytes are a zip signature ("PK"). */
function startsLikeZip(path: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = createReadStream(path, { start: 0, end: 3 });
    const bufs: Buffer[] = [];
    s.on('data', (c) => bufs.push(c as Buffer));
    s.on('error', () => resolve(false));
    s.on('end', () => {
      const b = Buffer.concat(bufs);
      resolve(b.length >= 2 && b[0] === 0x50 && b[1] === 0x4b);
    });
  });
}

/** The archive zip: its central directory (names checked before anything is read), its sha256, and one descriptor for reading entries. */
async function openZipInput(path: string): Promise<ArchiveInput> {
  const zf = await openZip(path);
  let list: yauzl.Entry[];
  try {
    list = await readZipEntries(path, zf);
  } finally {
    zf.close();
  }
  const sha = readFileChunks(path, path, () => undefined);
  const entries: ArchiveEntry[] = [];
  const ignored: string[] = [];
  const spans: ZipSpan[] = [];
  for (const e of list) {
    if (e.fileName.endsWith('/')) continue;
    const info = parseName(`${path}:${e.fileName}`, e.fileName);
    if (!info) {
      ignored.push(e.fileName);
      continue;
    }
    const span: ZipSpan = { fd: -1, localHeader: e.relativeOffsetOfLocalHeader, compressedSize: e.compressedSize, method: e.compressionMethod };
    spans.push(span);
    entries.push({ input: path, name: e.fileName, display: `${path}:${e.fileName}`, ...info, bytes: e.uncompressedSize, zipped: true, path: null, crc32: e.crc32, zip: span });
  }
  // Entries are read through our own descriptor (see readZipEntry), opened once every name is checked, closed by close().
  let zipFd: number;
  try {
    zipFd = openSync(path, 'r');
  } catch (e) {
    throw new InputError('FILE_UNREADABLE', `cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  for (const z of spans) z.fd = zipFd;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { path, type: 'zip', sha256: sha, entries, ignored, close: () => closeSync(zipFd) };
}

/**
 * Read one entry through `onChunk` (synchronously, chunk by chunk into reused buffers),
 * returning its sha256. A zip entry's inflated bytes are checked against the size and
 * CRC-32 of the central directory; a corrupt entry is InputError BAD_ZIP naming it.
 * Errors thrown by `onChunk` (bad rows) are passed on as they are. The chunk passed to
 * `onChunk` is reused once it returns.
 */
export function streamEntry(entry: ArchiveEntry, onChunk: (b: Buffer) => void): string {
  if (entry.zip === null) return readFileChunks(entry.path!, entry.display, onChunk);
  const h = createHash('sha256');
  let crc = 0;
  let size = 0;
  readZipEntry(entry.zip, entry.display, (c) => {
    h.update(c);
    crc = crc32(c, crc);
    size += c.length;
    onChunk(c);
  });
  if (size !== entry.bytes) throw badEntry(entry.display, `${size} bytes inflated where the central directory says ${entry.bytes}`);
  if (entry.crc32 !== null && crc >>> 0 !== entry.crc32 >>> 0) {
    throw new InputError('BAD_ZIP', `${entry.display}: the inflated bytes do not match the CRC-32 in the zip (the download is corrupt): download it again`, { file: entry.display, reason: 'crc32 mismatch' });
  }
  return h.digest('hex');
}

function badEntry(display: string, reason: string): InputError {
  return new InputError('BAD_ZIP', `${display}: the zip entry cannot be read (${reason}); the download is truncated or corrupt: download it again`, { file: display, reason });
}

/**
 * The native zlib handle under a zlib stream (`_handle`, with its `_writeState` [avail_out,
 * avail_in]): Node's own zlib.js makes this call for every zlib *Sync function; we make it with
 * an output buffer we own. These are Node internals, not public API: rawInflater checks they
 * exist, and every zip test goes through them, so a Node.js without them fails loudly.
 */
interface ZlibHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
}

const ZIP_IN = Buffer.allocUnsafe(1 << 20);
const ZIP_OUT = Buffer.allocUnsafe(1 << 18);
const LOCAL_HEADER = Buffer.allocUnsafe(30);

/**
 * Read a zip entry's data: the local header is checked, then the compressed bytes are read
 * in chunks of `inBuf`'s size and inflated into `outBuf`, each filled part handed to
 * `onChunk`. Memory is the two buffers and one inflater (reset for each entry) whatever
 * the entry's size: no stream, no thread-pool trip, no new buffer per chunk (inflating
 * 1.08 GB of generated police.uk CSV took 1.23 CPU-s this way, 1.58 through a zlib stream
 * with 256 KiB chunks, which also left garbage to collect; 2026-11-29, load 1.5). Exported with its buffers as
 * parameters for tests.
 * @throws InputError BAD_ZIP naming the entry (bad header, data cut short, inflate error, method)
 */
export function readZipEntry(z: ZipSpan, display: string, onChunk: (b: Buffer) => void, inBuf: Buffer = ZIP_IN, outBuf: Buffer = ZIP_OUT): void {
  if (z.method !== 0 && z.method !== 8) {
    throw new InputError('BAD_ZIP', `${display} uses zip compression method ${z.method}; only stored and deflated entries are read: unzip and re-zip it, or pass the unzipped folder`, { file: display, method: z.method });
  }
  const read = (buf: Buffer, len: number, pos: number): number => {
    try {
      return readSync(z.fd, buf, 0, len, pos);
    } catch (e) {
      throw badEntry(display, (e as Error).message);
    }
  };
  if (read(LOCAL_HEADER, 30, z.localHeader) !== 30 || LOCAL_HEADER.readUInt32LE(0) !== 0x04034b50) throw badEntry(display, 'no local file header where the central directory points');
  let pos = z.localHeader + 30 + LOCAL_HEADER.readUInt16LE(26) + LOCAL_HEADER.readUInt16LE(28);
  let left = z.compressedSize;
  if (z.method === 0) {
    while (left > 0) {
      const n = read(inBuf, Math.min(inBuf.length, left), pos);
      if (n === 0) throw badEntry(display, 'the data end before the size in the central directory');
      pos += n;
      left -= n;
      onChunk(n === inBuf.length ? inBuf : inBuf.subarray(0, n));
    }
    return;
  }
  if (left === 0) return;
  const { inf, handle, state } = rawInflater();
  const outLen = outBuf.length;
  for (;;) {
    const n = read(inBuf, Math.min(inBuf.length, left), pos);
    if (n === 0) throw badEntry(display, 'the data end before the size in the central directory');
    pos += n;
    left -= n;
    const flush = left === 0 ? zc.Z_FINISH : zc.Z_NO_FLUSH;
    let inOff = 0;
    let inLen = n;
    for (;;) {
      handle.writeSync(flush, inBuf, inOff, inLen, outBuf, 0, outLen);
      if (inf.errored) throw badEntry(display, inf.errored.message);
      const availOut = state[0]!;
      const availIn = state[1]!;
      const got = outLen - availOut;
      if (got > 0) onChunk(got === outLen ? outBuf : outBuf.subarray(0, got));
      inOff += inLen - availIn;
      inLen = availIn;
      // Output space left over: zlib has used all the input it can (with Z_FINISH, the stream has ended).
      if (availOut !== 0) break;
    }
    if (left === 0) return;
  }
}

let inflater: { inf: InflateRaw; handle: ZlibHandle; state: Uint32Array } | null = null;

/** One raw inflater for every entry, reset before each (a new one only after an inflate error destroyed it). */
function rawInflater(): { inf: InflateRaw; handle: ZlibHandle; state: Uint32Array } {
  if (inflater !== null && !inflater.inf.destroyed) {
    inflater.inf.reset();
    return inflater;
  }
  const inf = createInflateRaw();
  inf.on('error', () => undefined); // the error is taken from inf.errored, synchronously, in readZipEntry
  const handle = (inf as unknown as { _handle?: ZlibHandle })._handle;
  const state = (inf as unknown as { _writeState?: Uint32Array })._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) throw new Error(`this Node.js (${process.version}) has no synchronous zlib handle under its inflate stream; vru-eval needs Node.js 20.19 or later`);
  inflater = { inf, handle, state };
  return inflater;
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
