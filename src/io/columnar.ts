/**
 * Columnar panel input: Apache Parquet (hyparquet) and Arrow IPC files/streams
 * (apache-arrow), chosen by extension in io/read.ts, giving the same {@link ColumnTable}
 * as the CSV reader, so a panel from `x.parquet` equals the panel from the CSV of the
 * same data (tests/core/columnar.test.ts).
 *
 * Cell conversion (the CSV reader's rules, applied to typed cells):
 * - number, boolean and integer columns: numbers (bigint via Number(); booleans 0/1);
 *   null, and NaN in a float column, are missing (README, "Missing values"); ±Infinity is
 *   an overflow error, as `1e309` in a CSV.
 * - text columns: ids as they are; as numbers they go through the CSV number grammar.
 * - numbers used as ids (an integer unit code, a year): their shortest decimal text,
 *   String(v), which is what a CSV of the same data holds.
 * - dates (Parquet DATE / TIMESTAMP, Arrow Date): 'YYYY-MM-DD' (UTC).
 * Messages name the data row ('row 17', first data row 1) where the CSV reader names a line.
 *
 * hyparquet's API is asynchronous while panel reading is synchronous throughout the
 * library, so Parquet is decoded on a worker thread that the main thread waits for
 * (Atomics.wait, then receiveMessageOnPort); columns come back as transferred typed arrays.
 */
import { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { InputError } from '../core/errors.js';
import { checkHeader, type CellText, type ColumnRequest, type ColumnTable, type KeyColumn, type NumberColumn } from './columns.js';
import { NumStatus, numberParse, parseNumberString } from './number.js';

/** A decoded column before conversion: numbers (NaN = null) or dictionary-coded texts (code −1 = null). */
export type RawColumn = { kind: 'num'; values: Float64Array; isNull: Uint8Array } | { kind: 'str'; codes: Int32Array; values: string[] };

/** Build the table from decoded columns (shared by the Parquet and Arrow readers). */
export function tableFromRaw(file: string, header: readonly string[], nRows: number, raw: ReadonlyMap<string, RawColumn>, requests: readonly ColumnRequest[]): ColumnTable {
  checkHeader(file, header, 1);
  if (nRows === 0) throw new InputError('EMPTY_FILE', `${file} has a header but no data rows`, { file });
  const keys = new Map<string, KeyColumn>();
  const numbers = new Map<string, NumberColumn>();
  for (const rq of requests) {
    const col = raw.get(rq.name);
    if (!col) continue;
    if (rq.kind === 'key' && !keys.has(rq.name)) keys.set(rq.name, asKey(col, nRows));
    if (rq.kind === 'number' && !numbers.has(rq.name)) numbers.set(rq.name, asNumber(col, nRows));
  }
  const lines = new Int32Array(nRows);
  for (let r = 0; r < nRows; r++) lines[r] = r + 1;
  return { file, header, nRows, lines, where: 'row', keys, numbers };
}

function asKey(col: RawColumn, n: number): KeyColumn {
  if (col.kind === 'str') {
    // Null ids become '' (an empty cell), so the panel reports MISSING_UNIT / MISSING_PERIOD.
    let empty = col.values.indexOf('');
    const values = [...col.values];
    const codes = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let c = col.codes[r]!;
      if (c < 0) {
        if (empty < 0) {
          empty = values.length;
          values.push('');
        }
        c = empty;
      }
      codes[r] = c;
    }
    return { codes, values: reorderByFirstUse(codes, values) };
  }
  const dict = new Map<number, number>();
  const values: string[] = [];
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const v = col.isNull[r] ? Number.NaN : col.values[r]!;
    const key = Number.isNaN(v) ? Number.NaN : v;
    let c = dict.get(key);
    if (c === undefined) {
      c = values.length;
      dict.set(key, c);
      values.push(Number.isNaN(v) ? '' : String(v));
    }
    codes[r] = c;
  }
  return { codes, values };
}

/** Renumber codes so that values are in order of first appearance (as the CSV reader's dictionary is). */
function reorderByFirstUse(codes: Int32Array, values: string[]): string[] {
  const map = new Int32Array(values.length).fill(-1);
  const out: string[] = [];
  for (let r = 0; r < codes.length; r++) {
    const c = codes[r]!;
    if (map[c] === -1) {
      map[c] = out.length;
      out.push(values[c]!);
    }
    codes[r] = map[c]!;
  }
  return out;
}

function asNumber(col: RawColumn, n: number): NumberColumn {
  const values = new Float64Array(n);
  const status = new Uint8Array(n);
  let firstBad: CellText | null = null;
  let firstNonPositive: CellText | null = null;
  let firstNotBinary: CellText | null = null;
  if (col.kind === 'num') {
    for (let r = 0; r < n; r++) {
      const v = col.values[r]!;
      let st: number;
      if (col.isNull[r] || Number.isNaN(v)) st = NumStatus.Missing;
      else if (!Number.isFinite(v)) st = NumStatus.Overflow;
      else st = NumStatus.Ok;
      values[r] = st === NumStatus.Missing ? Number.NaN : v;
      status[r] = st;
      const text = () => (st === NumStatus.Missing ? '' : String(v));
      if (st >= NumStatus.NotNumeric) firstBad ??= { row: r, text: text() };
      else if (st === NumStatus.Ok && v <= 0) firstNonPositive ??= { row: r, text: text() };
      if (firstNotBinary === null && !(st === NumStatus.Ok && (v === 0 || v === 1))) firstNotBinary = { row: r, text: text() };
    }
  } else {
    const parsed = col.values.map((s) => [parseNumberString(s), numberParse.status] as const);
    for (let r = 0; r < n; r++) {
      const c = col.codes[r]!;
      const [v, st] = c < 0 ? [Number.NaN, NumStatus.Missing] : parsed[c]!;
      values[r] = v;
      status[r] = st;
      const text = () => (c < 0 ? '' : col.values[c]!);
      if (st >= NumStatus.NotNumeric) firstBad ??= { row: r, text: text() };
      else if (st === NumStatus.Ok && v <= 0) firstNonPositive ??= { row: r, text: text() };
      if (firstNotBinary === null && !(st === NumStatus.Ok && (v === 0 || v === 1))) firstNotBinary = { row: r, text: text() };
    }
  }
  return { values, status, firstBad, firstNonPositive, firstNotBinary };
}

/** 'YYYY-MM-DD' of a Date (UTC). */
function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Encode a JS array of cells (numbers, bigints, booleans, strings, Dates, null) as a raw
 * column: numeric when every non-null cell is a number/bigint/boolean, else texts.
 */
export function encodeCells(cells: ArrayLike<unknown>): RawColumn {
  const n = cells.length;
  let numeric = true;
  for (let r = 0; r < n; r++) {
    const v = cells[r];
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t !== 'number' && t !== 'bigint' && t !== 'boolean') {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    const values = new Float64Array(n);
    const isNull = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const v = cells[r];
      if (v === null || v === undefined) {
        isNull[r] = 1;
        values[r] = Number.NaN;
      } else values[r] = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    }
    return { kind: 'num', values, isNull };
  }
  const dict = new Map<string, number>();
  const values: string[] = [];
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const v = cells[r];
    if (v === null || v === undefined) {
      codes[r] = -1;
      continue;
    }
    const s = v instanceof Date ? isoDate(v) : typeof v === 'string' ? v : String(v);
    let c = dict.get(s);
    if (c === undefined) {
      c = values.length;
      dict.set(s, c);
      values.push(s);
    }
    codes[r] = c;
  }
  return { kind: 'str', codes, values };
}

const unreadable = (file: string, format: string, e: unknown): never => {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : `not a readable ${format} file (${err.message ?? String(e)})`;
  throw new InputError('FILE_UNREADABLE', `cannot read ${file}: ${why}`, { file, format });
};

/** Read the requested columns of an Arrow IPC file or stream (.arrow, .feather, .ipc, .arrows). */
export function readArrowColumns(file: string, requests: readonly ColumnRequest[]): ColumnTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return unreadable(file, 'Arrow IPC', e);
  }
  type ArrowModule = typeof import('apache-arrow');
  const arrow = createRequire(import.meta.url)('apache-arrow') as ArrowModule;
  let table: import('apache-arrow').Table;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (e) {
    return unreadable(file, 'Arrow IPC', e);
  }
  const header = table.schema.fields.map((f) => f.name);
  const nRows = table.numRows;
  const raw = new Map<string, RawColumn>();
  const wanted = new Set(requests.map((r) => r.name));
  for (const name of header) {
    if (!wanted.has(name) || raw.has(name)) continue;
    const vec = table.getChild(name)!;
    if (arrow.DataType.isFloat(vec.type) || arrow.DataType.isInt(vec.type)) {
      const values = new Float64Array(nRows);
      const isNull = new Uint8Array(nRows);
      let r = 0;
      for (const v of vec) {
        if (v === null || v === undefined) {
          isNull[r] = 1;
          values[r] = Number.NaN;
        } else values[r] = Number(v);
        r++;
      }
      raw.set(name, { kind: 'num', values, isNull });
    } else {
      const cells: unknown[] = new Array(nRows);
      let r = 0;
      for (const v of vec) cells[r++] = arrow.DataType.isDate(vec.type) || arrow.DataType.isTimestamp(vec.type) ? (v === null ? null : new Date(Number(v))) : v;
      raw.set(name, encodeCells(cells));
    }
  }
  return tableFromRaw(file, header, nRows, raw, requests);
}

/** Source of the Parquet worker (an eval worker, so it runs the same from src/ under the tests and from dist/). */
const PARQUET_WORKER = `
const { workerData } = require('node:worker_threads');
const { port, signal, file, columns, hyparquetUrl } = workerData;
function isoDate(d) { return d.toISOString().slice(0, 10); }
function encode(cells) {
  const n = cells.length;
  let numeric = true;
  for (let r = 0; r < n; r++) {
    const v = cells[r];
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t !== 'number' && t !== 'bigint' && t !== 'boolean') { numeric = false; break; }
  }
  if (numeric) {
    const values = new Float64Array(n);
    const isNull = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const v = cells[r];
      if (v === null || v === undefined) { isNull[r] = 1; values[r] = NaN; }
      else values[r] = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    }
    return { kind: 'num', values, isNull };
  }
  const dict = new Map();
  const values = [];
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const v = cells[r];
    if (v === null || v === undefined) { codes[r] = -1; continue; }
    const s = v instanceof Date ? isoDate(v) : typeof v === 'string' ? v : String(v);
    let c = dict.get(s);
    if (c === undefined) { c = values.length; dict.set(s, c); values.push(s); }
    codes[r] = c;
  }
  return { kind: 'str', codes, values };
}
(async () => {
  let msg;
  const transfer = [];
  try {
    const hp = await import(hyparquetUrl);
    const buf = require('node:fs').readFileSync(file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const metadata = hp.parquetMetadata(ab);
    const header = hp.parquetSchema(metadata).children.map((c) => c.element.name);
    const nRows = Number(metadata.num_rows);
    const want = [...new Set(columns)].filter((c) => header.includes(c));
    const out = {};
    for (const name of want) {
      const cells = new Array(nRows);
      await hp.parquetRead({ file: ab, metadata, columns: [name], onChunk: (ch) => {
        if (ch.columnName !== name) return;
        const d = ch.columnData;
        for (let k = 0; k < d.length; k++) cells[ch.rowStart + k] = d[k];
      } });
      const col = encode(cells);
      out[name] = col;
      if (col.kind === 'num') transfer.push(col.values.buffer, col.isNull.buffer); else transfer.push(col.codes.buffer);
    }
    msg = { ok: true, header, nRows, columns: out };
  } catch (e) {
    msg = { ok: false, code: e && e.code, message: String((e && e.message) || e) };
  }
  port.postMessage(msg, transfer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
})();
`;

/** Read the requested columns of a Parquet file (decoded on a worker thread; see the module comment). */
export function readParquetColumns(file: string, requests: readonly ColumnRequest[]): ColumnTable {
  try {
    if (statSync(file).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
  } catch (e) {
    return unreadable(file, 'Parquet', e);
  }
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const hyparquetUrl = import.meta.resolve('hyparquet');
  const worker = new Worker(PARQUET_WORKER, { eval: true, workerData: { port: port2, signal, file, columns: requests.map((r) => r.name), hyparquetUrl }, transferList: [port2] });
  let msg: { ok: true; header: string[]; nRows: number; columns: Record<string, RawColumn> } | { ok: false; code?: string; message: string } | undefined;
  try {
    // Wait for the worker's answer (it catches every error and always posts, then notifies).
    const deadline = Date.now() + 3_600_000;
    while (Date.now() < deadline) {
      Atomics.wait(signal, 0, 0, 1000);
      const got = receiveMessageOnPort(port1);
      if (got) {
        msg = got.message as typeof msg;
        break;
      }
    }
    if (msg === undefined) msg = { ok: false, message: 'the Parquet decoder did not answer within an hour' };
  } finally {
    port1.close();
    void worker.terminate();
  }
  if (!msg!.ok) return unreadable(file, 'Parquet', Object.assign(new Error(msg!.message), { code: msg!.code }));
  return tableFromRaw(file, msg!.header, msg!.nRows, new Map(Object.entries(msg!.columns)), requests);
}
