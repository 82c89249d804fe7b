/**
 * Columnar reading of a long CSV panel: one pass over the bytes, read in chunks, into
 * typed columns, for the columns a command uses only.
 *
 * - Key columns (unit, period, cluster ids) are dictionary-encoded: an Int32 code per
 *   row into the distinct texts, which are the only strings made (one per distinct value).
 * - Number columns are parsed from the bytes (io/number.ts: exactly Number()'s doubles)
 *   into a Float64Array, with a status per row (ok, missing, not numeric, overflow).
 *
 * The CSV dialect and every error are those of io/csv.ts `parseCsvText` (UTF-8 BOM,
 * CRLF/LF/CR, RFC 4180 quotes with "" escapes and embedded newlines, unquoted fields
 * trimmed of blanks, blank lines skipped), checked in the same order, so messages name
 * the same file and line. Memory: the chunk buffer (4 MiB, grown only for a record longer
 * than that) plus the typed columns; the file is never held whole, and no string per cell.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { NumStatus, numberParse, parseNumberBytes, parseNumberString } from './number.js';
import type { CsvTable } from './csv.js';
import { checkHeader } from './header.js';

export { checkHeader, checkDelimiter } from './header.js';

export type ColumnKind = 'key' | 'number';

/** A column a command needs, and how to hold it. A name absent from the header is skipped (the caller names it). */
export interface ColumnRequest {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** The first cell (in row order) meeting a condition: its data-row index and text. */
export interface CellText {
  readonly row: number;
  readonly text: string;
}

/** Dictionary-encoded text column. */
export interface KeyColumn {
  /** Code of each data row's cell in `values`. */
  readonly codes: Int32Array;
  /** Distinct cell texts in order of first appearance. */
  readonly values: readonly string[];
}

/** Numeric column. */
export interface NumberColumn {
  /** Value per data row: NaN when missing or not numeric, ±Infinity on overflow. */
  readonly values: Float64Array;
  /** {@link NumStatus} per data row. */
  readonly status: Uint8Array;
  /** First cell that is not numeric or overflows (status ≥ NotNumeric), or null. */
  readonly firstBad: CellText | null;
  /** First numeric cell ≤ 0, or null. */
  readonly firstNonPositive: CellText | null;
  /** First cell that is not exactly 0 or 1 (missing included), or null. */
  readonly firstNotBinary: CellText | null;
}

/** The requested columns of a panel file. */
export interface ColumnTable {
  /** Path as given by the caller ('-' for standard input). */
  readonly file: string;
  readonly header: readonly string[];
  /** Number of data rows. */
  readonly nRows: number;
  /** Where each data row is, for messages: its starting line (CSV; header is line 1) or its row number (columnar formats, first data row 1). */
  readonly lines: Int32Array;
  /** 'line' for CSV, 'row' for Parquet / Arrow. */
  readonly where: 'line' | 'row';
  readonly keys: ReadonlyMap<string, KeyColumn>;
  readonly numbers: ReadonlyMap<string, NumberColumn>;
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
const CHUNK = 4 << 20;

/** Growable dictionary from byte strings to codes (open addressing, FNV-1a). */
class KeyDict {
  values: string[] = [];
  private slots = new Int32Array(1024);
  private mask = 1023;
  private hashes = new Int32Array(512);
  private offs = new Int32Array(512);
  private lens = new Int32Array(512);
  private pool = new Uint8Array(1 << 14);
  private used = 0;

  code(b: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5 | 0;
    for (let q = s; q < e; q++) h = Math.imul(h ^ b[q]!, 0x01000193);
    const len = e - s;
    let slot = h & this.mask;
    for (;;) {
      const ent = this.slots[slot]! - 1;
      if (ent < 0) break;
      if (this.hashes[ent] === h && this.lens[ent] === len) {
        const o = this.offs[ent]!;
        let q = 0;
        while (q < len && this.pool[o + q] === b[s + q]) q++;
        if (q === len) return ent;
      }
      slot = (slot + 1) & this.mask;
    }
    return this.insert(b, s, e, h, slot);
  }

  private insert(b: Uint8Array, s: number, e: number, h: number, slot: number): number {
    const ent = this.values.length;
    const len = e - s;
    if (ent === this.hashes.length) {
      const grow = (a: Int32Array) => {
        const n = new Int32Array(a.length * 2);
        n.set(a);
        return n;
      };
      this.hashes = grow(this.hashes);
      this.offs = grow(this.offs);
      this.lens = grow(this.lens);
    }
    if (this.used + len > this.pool.length) {
      const n = new Uint8Array(Math.max(this.pool.length * 2, this.used + len));
      n.set(this.pool.subarray(0, this.used));
      this.pool = n;
    }
    this.pool.set(b.subarray(s, e), this.used);
    this.hashes[ent] = h;
    this.offs[ent] = this.used;
    this.lens[ent] = len;
    this.used += len;
    this.values.push(Buffer.from(b.buffer, b.byteOffset + s, len).toString('utf8'));
    this.slots[slot] = ent + 1;
    if ((ent + 1) * 2 > this.slots.length) this.rehash();
    return ent;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let ent = 0; ent < this.values.length; ent++) {
      let slot = this.hashes[ent]! & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = ent + 1;
    }
  }
}

/** Column being filled. */
interface KeySink {
  kind: 'key';
  name: string;
  field: number;
  dict: KeyDict;
  codes: Int32Array;
}
interface NumberSink {
  kind: 'number';
  name: string;
  field: number;
  values: Float64Array;
  status: Uint8Array;
  firstBad: CellText | null;
  firstNonPositive: CellText | null;
  firstNotBinary: CellText | null;
}
type Sink = KeySink | NumberSink;

/** Byte source: a file read in chunks, or one whole buffer (stdin, text). */
interface Source {
  fd: number | null;
  size: number;
}

/**
 * Read the requested columns of a CSV file ('-' for stdin).
 * @throws InputError FILE_UNREADABLE, EMPTY_FILE, CSV_MALFORMED, CSV_HEADER, WRONG_DELIMITER.
 */
export function readCsvColumns(file: string, requests: readonly ColumnRequest[], opts: { chunkBytes?: number } = {}): ColumnTable {
  const unreadable = (e: unknown): never => {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new InputError('FILE_UNREADABLE', `cannot read ${file}: ${why}`, { file });
  };
  if (file === '-') {
    let buf: Buffer;
    try {
      buf = readFileSync(0);
    } catch (e) {
      return unreadable(e);
    }
    return new CsvScanner(file, requests, buf, { fd: null, size: buf.length }).run();
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return unreadable(e);
  }
  try {
    let size: number;
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      size = st.size;
    } catch (e) {
      return unreadable(e);
    }
    const buf = Buffer.allocUnsafe(Math.max(16, Math.min(opts.chunkBytes ?? CHUNK, size + 1)));
    return new CsvScanner(file, requests, buf, { fd, size }).run(unreadable);
  } finally {
    closeSync(fd);
  }
}

/** Read the requested columns of CSV text (library and tests; `file` is used in messages). */
export function parseCsvColumns(text: string, requests: readonly ColumnRequest[], file = '<text>'): ColumnTable {
  const buf = Buffer.from(text, 'utf8');
  return new CsvScanner(file, requests, buf, { fd: null, size: buf.length }).run();
}

class CsvScanner {
  private b: Buffer;
  private len: number;
  private eof: boolean;
  private fieldStart = new Int32Array(64);
  private fieldEnd = new Int32Array(64);
  private fieldFlag = new Uint8Array(64); // 1 quoted, 2 quoted with "" escapes
  private nFields = 0;
  private lineAdd = 0;
  private line = 1;
  private header: string[] | null = null;
  private headerLine = 1;
  private sinks: Sink[] = [];
  private cap = 0;
  private nRows = 0;
  private lines = new Int32Array(0);
  private firstRagged: { row: number; line: number; fields: number } | null = null;
  private nonWhite = false;

  constructor(
    private readonly file: string,
    private readonly requests: readonly ColumnRequest[],
    buf: Buffer,
    private readonly src: Source,
  ) {
    this.b = buf;
    this.len = src.fd === null ? buf.length : 0;
    this.eof = src.fd === null;
  }

  private malformed(at: number, what: string): never {
    throw new InputError('CSV_MALFORMED', `${this.file} is not valid CSV at line ${at}: ${what}`, { file: this.file, line: at });
  }

  /** Keep b[pos, len), read more behind it. Returns the new position of `pos` (0). */
  private refill(pos: number, onError: (e: unknown) => never): void {
    const keep = this.len - pos;
    if (keep > 0 && pos > 0) this.b.copyWithin(0, pos, this.len);
    this.len = keep;
    if (this.len === this.b.length) {
      const n = Buffer.allocUnsafe(this.b.length * 2);
      this.b.copy(n, 0, 0, this.len);
      this.b = n;
    }
    let got: number;
    try {
      got = readSync(this.src.fd!, this.b, this.len, this.b.length - this.len, null);
    } catch (e) {
      return onError(e);
    }
    if (got === 0) this.eof = true;
    this.len += got;
  }

  run(onError: (e: unknown) => never = (e) => { throw e; }): ColumnTable {
    let pos = 0;
    if (!this.eof) this.refill(0, onError);
    // UTF-8 byte-order mark.
    if (this.len >= 3 && this.b[0] === 0xef && this.b[1] === 0xbb && this.b[2] === 0xbf) pos = 3;
    for (;;) {
      if (pos >= this.len) {
        if (this.eof) break;
        this.refill(pos, onError);
        pos = 0;
        continue;
      }
      const c = this.b[pos]!;
      if (c === LF) {
        pos++;
        this.line++;
        continue;
      }
      if (c === CR) {
        if (pos + 1 >= this.len && !this.eof) {
          this.refill(pos, onError);
          pos = 0;
          continue;
        }
        pos += pos + 1 < this.len && this.b[pos + 1] === LF ? 2 : 1;
        this.line++;
        continue;
      }
      const np = this.scanRecord(pos);
      if (np < 0) {
        this.refill(pos, onError);
        pos = 0;
        continue;
      }
      this.commit();
      this.line += this.lineAdd;
      pos = np;
    }
    return this.finish();
  }

  /**
   * Scan one record starting at b[pos] (not a line end). Fills the field spans and
   * returns the position after the record, or −1 when the buffer ends first (more to read).
   */
  private scanRecord(pos: number): number {
    const b = this.b;
    const len = this.len;
    const eof = this.eof;
    let p = pos;
    let nf = 0;
    let lineAdd = 0;
    for (;;) {
      while (p < len && (b[p] === SPACE || b[p] === TAB)) p++;
      if (p >= len && !eof) return -1;
      let fs: number, fe: number, flag: number;
      if (p < len && b[p] === QUOTE) {
        let q = p + 1;
        let esc = false;
        for (;;) {
          if (q >= len) {
            if (!eof) return -1;
            this.malformed(this.line, 'a quoted field is not closed');
          }
          const c = b[q]!;
          if (c === QUOTE) {
            if (q + 1 >= len && !eof) return -1;
            if (q + 1 < len && b[q + 1] === QUOTE) {
              esc = true;
              q += 2;
              continue;
            }
            break;
          }
          if (c === LF) lineAdd++;
          q++;
        }
        fs = p + 1;
        fe = q;
        flag = esc ? 2 : 1;
        q++;
        while (q < len && (b[q] === SPACE || b[q] === TAB)) q++;
        if (q >= len && !eof) return -1;
        const c = q < len ? b[q]! : LF;
        if (c !== COMMA && c !== LF && c !== CR) this.malformed(this.line + lineAdd, 'unexpected text after a closing quote (quote the whole field and double any quotes inside it)');
        p = q;
      } else {
        let q = p;
        while (q < len) {
          const c = b[q]!;
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) this.malformed(this.line + lineAdd, 'a quote inside an unquoted field (quote the whole field and double the quote)');
          q++;
        }
        if (q >= len && !eof) return -1;
        let e = q;
        while (e > p && (b[e - 1] === SPACE || b[e - 1] === TAB)) e--;
        fs = p;
        fe = e;
        flag = 0;
        p = q;
      }
      if (nf === this.fieldStart.length) this.growFields();
      this.fieldStart[nf] = fs;
      this.fieldEnd[nf] = fe;
      this.fieldFlag[nf] = flag;
      nf++;
      if (p >= len) break; // end of input ends the record
      const c = b[p]!;
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === CR) {
        if (p + 1 >= len && !eof) return -1;
        p += p + 1 < len && b[p + 1] === LF ? 2 : 1;
      } else p++;
      lineAdd++;
      break;
    }
    this.nFields = nf;
    this.lineAdd = lineAdd;
    return p;
  }

  private growFields(): void {
    const n = this.fieldStart.length * 2;
    const s = new Int32Array(n);
    s.set(this.fieldStart);
    const e = new Int32Array(n);
    e.set(this.fieldEnd);
    const f = new Uint8Array(n);
    f.set(this.fieldFlag);
    this.fieldStart = s;
    this.fieldEnd = e;
    this.fieldFlag = f;
  }

  /** Text of field j of the current record (quotes removed, "" unescaped). */
  private text(j: number): string {
    const t = this.b.toString('utf8', this.fieldStart[j]!, this.fieldEnd[j]!);
    return this.fieldFlag[j] === 2 ? t.replaceAll('""', '"') : t;
  }

  private commit(): void {
    const nf = this.nFields;
    if (!this.nonWhite) {
      if (nf > 1) this.nonWhite = true;
      else if (this.fieldFlag[0] !== 0 || this.fieldEnd[0]! > this.fieldStart[0]!) this.nonWhite = true;
    }
    if (this.header === null) {
      const h: string[] = [];
      for (let j = 0; j < nf; j++) h.push(this.text(j));
      this.header = h;
      this.headerLine = this.line;
      this.setupSinks();
      return;
    }
    const r = this.nRows;
    if (r === this.cap) this.grow();
    this.lines[r] = this.line;
    this.nRows = r + 1;
    if (nf !== this.header.length) {
      if (this.firstRagged === null) this.firstRagged = { row: r, line: this.line, fields: nf };
      return;
    }
    const sinks = this.sinks;
    for (let k = 0; k < sinks.length; k++) {
      const sk = sinks[k]!;
      const j = sk.field;
      const fs = this.fieldStart[j]!;
      const fe = this.fieldEnd[j]!;
      const escaped = this.fieldFlag[j] === 2;
      if (sk.kind === 'key') {
        if (escaped) {
          const u = Buffer.from(this.text(j), 'utf8');
          sk.codes[r] = sk.dict.code(u, 0, u.length);
        } else sk.codes[r] = sk.dict.code(this.b, fs, fe);
      } else {
        const v = escaped ? parseNumberString(this.text(j)) : parseNumberBytes(this.b, fs, fe);
        const st = numberParse.status;
        sk.values[r] = v;
        sk.status[r] = st;
        if (st >= NumStatus.NotNumeric) {
          if (sk.firstBad === null) sk.firstBad = { row: r, text: this.text(j) };
        } else if (st === NumStatus.Ok && v <= 0 && sk.firstNonPositive === null) sk.firstNonPositive = { row: r, text: this.text(j) };
        if (sk.firstNotBinary === null && !(st === NumStatus.Ok && (v === 0 || v === 1))) sk.firstNotBinary = { row: r, text: this.text(j) };
      }
    }
  }

  private setupSinks(): void {
    const header = this.header!;
    // Estimate the row count from the first chunk (grown by half when exceeded).
    const sampleLines = Math.max(1, this.countLines());
    const est = Math.ceil((this.src.size / Math.max(1, this.len)) * sampleLines * 1.02) + 16;
    this.cap = Math.max(16, est);
    this.lines = new Int32Array(this.cap);
    const fieldOf = new Map<string, number>();
    header.forEach((h, j) => fieldOf.set(h, j));
    const seen = new Set<string>();
    for (const rq of this.requests) {
      const key = rq.kind + '\u0000' + rq.name;
      if (seen.has(key)) continue;
      seen.add(key);
      const field = fieldOf.get(rq.name);
      if (field === undefined) continue;
      const sk: Sink =
        rq.kind === 'key'
          ? { kind: 'key', name: rq.name, field, dict: new KeyDict(), codes: new Int32Array(this.cap) }
          : { kind: 'number', name: rq.name, field, values: new Float64Array(this.cap), status: new Uint8Array(this.cap), firstBad: null, firstNonPositive: null, firstNotBinary: null };
      this.sinks.push(sk);
    }
  }

  private countLines(): number {
    let n = 0;
    for (let p = 0; p < this.len; p++) if (this.b[p] === LF) n++;
    return n;
  }

  private grow(): void {
    const cap = Math.max(16, Math.ceil(this.cap * 1.5));
    const g = <A extends Int32Array | Float64Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const n = make(cap);
      n.set(a as never);
      return n;
    };
    this.lines = g(this.lines, (n) => new Int32Array(n));
    for (const sk of this.sinks) {
      if (sk.kind === 'key') sk.codes = g(sk.codes, (n) => new Int32Array(n));
      else {
        sk.values = g(sk.values, (n) => new Float64Array(n));
        sk.status = g(sk.status, (n) => new Uint8Array(n));
      }
    }
    this.cap = cap;
  }

  private finish(): ColumnTable {
    const file = this.file;
    if (!this.nonWhite) throw new InputError('EMPTY_FILE', `${file} is empty: expected a header row and one row per unit × period`, { file });
    const header = this.header;
    if (header === null) throw new InputError('EMPTY_FILE', `${file} is empty`, { file });
    checkHeader(file, header, this.headerLine);
    if (this.nRows === 0) throw new InputError('EMPTY_FILE', `${file} has a header but no data rows`, { file });
    if (this.firstRagged) {
      const { line, fields } = this.firstRagged;
      throw new InputError('CSV_MALFORMED', `${file} line ${line}: ${fields} field(s) where the header has ${header.length}; every row needs one cell per column (quote cells that contain commas)`, { file, line, fields, columns: header.length });
    }
    const n = this.nRows;
    // Trim to the row count (copy only when the estimate overshot by more than an eighth).
    const fit = <A extends Int32Array | Float64Array | Uint8Array>(a: A): A => (a.length - n > n / 8 ? (a.slice(0, n) as A) : (a.subarray(0, n) as A));
    const keys = new Map<string, KeyColumn>();
    const numbers = new Map<string, NumberColumn>();
    for (const sk of this.sinks) {
      if (sk.kind === 'key') keys.set(sk.name, { codes: fit(sk.codes), values: sk.dict.values });
      else numbers.set(sk.name, { values: fit(sk.values), status: fit(sk.status), firstBad: sk.firstBad, firstNonPositive: sk.firstNonPositive, firstNotBinary: sk.firstNotBinary });
    }
    return { file, header, nRows: n, lines: fit(this.lines), where: 'line', keys, numbers };
  }
}

/** The same columns from a parsed {@link CsvTable} (string cells; library compatibility). */
export function columnsFromRows(table: CsvTable, requests: readonly ColumnRequest[]): ColumnTable {
  const n = table.rows.length;
  const keys = new Map<string, KeyColumn>();
  const numbers = new Map<string, NumberColumn>();
  for (const rq of requests) {
    const j = table.header.indexOf(rq.name);
    if (j < 0) continue;
    if (rq.kind === 'key') {
      if (keys.has(rq.name)) continue;
      const codes = new Int32Array(n);
      const dict = new Map<string, number>();
      const values: string[] = [];
      for (let r = 0; r < n; r++) {
        const s = table.rows[r]![j]!;
        let c = dict.get(s);
        if (c === undefined) {
          c = values.length;
          dict.set(s, c);
          values.push(s);
        }
        codes[r] = c;
      }
      keys.set(rq.name, { codes, values });
    } else {
      if (numbers.has(rq.name)) continue;
      const values = new Float64Array(n);
      const status = new Uint8Array(n);
      let firstBad: CellText | null = null;
      let firstNonPositive: CellText | null = null;
      let firstNotBinary: CellText | null = null;
      for (let r = 0; r < n; r++) {
        const s = table.rows[r]![j]!;
        const v = parseNumberString(s);
        const st = numberParse.status;
        values[r] = v;
        status[r] = st;
        if (st >= NumStatus.NotNumeric) firstBad ??= { row: r, text: s };
        else if (st === NumStatus.Ok && v <= 0) firstNonPositive ??= { row: r, text: s };
        if (!(st === NumStatus.Ok && (v === 0 || v === 1))) firstNotBinary ??= { row: r, text: s };
      }
      numbers.set(rq.name, { values, status, firstBad, firstNonPositive, firstNotBinary });
    }
  }
  return { file: table.file, header: table.header, nRows: n, lines: Int32Array.from(table.lines), where: 'line', keys, numbers };
}
