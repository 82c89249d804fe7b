/**
 * A streaming byte-level CSV row scanner for police.uk files.
 *
 * Chunks (any size) are pushed as they arrive from a file or a zip entry; each complete
 * row is found by one pass over its bytes (commas, quotes and line ends outside quotes)
 * and handed to `row()` as field offsets into the buffer, so no row string is ever
 * decoded: the subclasses read only the few fields they need straight from the bytes.
 * For exact-duplicate detection a subclass asks for two 32-bit hashes of the row's bytes
 * ({@link RowScanner.hashRow}: only for the rows that need it, four bytes at a time;
 * see {@link RowHashSet}).
 *
 * Quoting follows RFC 4180: a quote toggles "inside quotes" (so "" inside a quoted field
 * toggles twice and is harmless); commas and line ends inside quotes do not split.
 * A partial row at the end of a chunk is carried over and scanned again with the next
 * chunk. Line numbers (1 = header) count every LF, including those inside quotes.
 */
import { InputError } from '../core/errors.js';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

export abstract class RowScanner {
  /** Start and end offsets (end exclusive, quotes not stripped) of each field of the current row. */
  protected readonly fs = new Int32Array(64);
  protected readonly fe = new Int32Array(64);
  /** Hashes of the current row's bytes (without its line end), set by hashRow(). */
  protected h1 = 0;
  protected h2 = 0;
  /** The current row's bytes are rs..re of the buffer given to row() (line end excluded). */
  protected rs = 0;
  protected re = 0;
  /** A view of the buffer being scanned, for reading words in hashRow(). */
  private dv: DataView = new DataView(new ArrayBuffer(0));
  /** Line number where the current row starts. */
  protected line = 1;
  private headerSeen = false;
  private emptyLineAt = 0;
  protected rows = 0;

  constructor(
    /** File name used in messages (e.g. 'archive.zip:2019-04/2019-04-kent-street.csv'). */
    readonly file: string,
    private readonly header: string,
    private readonly nFields: number,
  ) {}

  /** Called with each data row; fields are fs[k]..fe[k] of `buf`, k < n (n is checked = nFields first). */
  protected abstract row(buf: Buffer): void;

  /**
   * Feed the next chunk of the file's bytes. Rows wholly inside the chunk are scanned in
   * place; only a row cut by the chunk's end is copied (into a reused work buffer), and it
   * is completed with the next chunk's bytes up to its first line end, so no chunk is ever
   * copied whole. The chunk may be reused by the caller once push returns.
   */
  push(chunk: Buffer): void {
    let start = 0;
    if (this.carryLen > 0) {
      for (;;) {
        const lf = chunk.indexOf(LF, start);
        if (lf < 0) {
          this.append(chunk, start, chunk.length);
          return;
        }
        this.append(chunk, start, lf + 1);
        start = lf + 1;
        const used = this.scan(this.work.subarray(0, this.carryLen), false);
        if (used === this.carryLen) {
          this.carryLen = 0;
          break;
        }
        // the line end was inside quotes: keep the (partial) row and take the next line end
        this.work.copy(this.work, 0, used, this.carryLen);
        this.carryLen -= used;
      }
    }
    const rest = start === 0 ? chunk : chunk.subarray(start);
    const used = this.scan(rest, false);
    if (used < rest.length) this.append(rest, used, rest.length);
  }

  private work: Buffer = Buffer.allocUnsafe(1 << 16);
  private carryLen = 0;

  private append(src: Buffer, from: number, to: number): void {
    const need = this.carryLen + (to - from);
    if (need > this.work.length) {
      const w = Buffer.allocUnsafe(Math.max(need, this.work.length * 2));
      this.work.copy(w, 0, 0, this.carryLen);
      this.work = w;
    }
    src.copy(this.work, this.carryLen, from, to);
    this.carryLen = need;
  }

  /** End of the file: the last row may lack a line end. */
  end(): void {
    if (this.carryLen > 0) {
      const n = this.carryLen;
      this.carryLen = 0;
      this.scan(this.work.subarray(0, n), true);
    }
    if (!this.headerSeen) throw new InputError('EMPTY_FILE', `${this.file} is empty: a police.uk file starts with the header line '${this.header}'`, { file: this.file, line: 1 });
  }

  /** Data rows seen so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Scan complete rows of buf; returns the offset where an incomplete row starts (buf.length if none). */
  private scan(buf: Buffer, final: boolean): number {
    const n = buf.length;
    const fs = this.fs;
    const fe = this.fe;
    const dv = (this.dv = new DataView(buf.buffer, buf.byteOffset, n));
    let i = 0;
    let rowStart = 0;
    while (rowStart < n) {
      // one row from rowStart
      let nf = 0;
      fs[0] = rowStart;
      let inQ = false;
      let quoted = false;
      i = rowStart;
      let endAt = -1;
      for (;;) {
        // Four bytes at a time while none of them is a comma, a quote or a line feed
        // (each test is "has a zero byte" on the word xor the character repeated, Mycroft's
        // bit trick): most of a row's bytes.
        while (i + 4 <= n) {
          const w = dv.getInt32(i, true);
          const c = w ^ 0x2c2c2c2c;
          const q = w ^ 0x22222222;
          const l = w ^ 0x0a0a0a0a;
          if ((((c - 0x01010101) & ~c) | ((q - 0x01010101) & ~q) | ((l - 0x01010101) & ~l)) & 0x80808080) break;
          i += 4;
        }
        if (i >= n) break;
        // then byte by byte through the word holding the special byte(s)
        const lim = i + 4 < n ? i + 4 : n;
        for (; i < lim; i++) {
          const b = buf[i]!;
          if (b > COMMA) continue; // letters, digits, '-', '.'
          if (b === COMMA) {
            if (!inQ) {
              if (nf < 63) {
                fe[nf] = i;
                nf++;
                fs[nf] = i + 1;
              } else nf++;
            }
          } else if (b === LF) {
            if (!inQ) {
              endAt = i;
              break;
            }
          } else if (b === QUOTE) {
            inQ = !inQ;
            quoted = true;
          }
        }
        if (endAt >= 0) break;
      }
      if (endAt < 0) {
        if (!final) return rowStart; // incomplete: carry
        if (inQ) throw new InputError('CSV_MALFORMED', `${this.file} line ${this.line}: a quoted field is not closed before the end of the file (the file is truncated or a quote is stray); re-download the file`, { file: this.file, line: this.line });
        endAt = n;
      }
      // strip CR before LF
      let rowEnd = endAt;
      if (rowEnd > rowStart && buf[rowEnd - 1] === CR) rowEnd--;
      if (nf < 63) fe[nf] = rowEnd;
      nf++;
      const lineHere = this.line;
      let lfs = 1;
      if (quoted) for (let k = rowStart; k < endAt; k++) if (buf[k] === LF) lfs++;
      if (!this.headerSeen) this.checkHeader(buf, rowStart, rowEnd);
      else if (rowEnd === rowStart) {
        if (this.emptyLineAt === 0) this.emptyLineAt = lineHere;
      } else this.dataRow(buf, rowStart, rowEnd, nf, quoted, lineHere);
      this.line = lineHere + lfs;
      rowStart = endAt + 1;
    }
    return n;
  }

  /** The first row must be police.uk's header (after a BOM; a spreadsheet re-save that quotes every field is the same header). @throws InputError BAD_HEADER */
  private checkHeader(buf: Buffer, rowStart: number, rowEnd: number): void {
    let s = rowStart;
    if (buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
    const got = buf.toString('utf8', s, rowEnd);
    // a spreadsheet re-save quotes every field: valid CSV, the same header
    if (got !== this.header && unquoteFields(got) !== this.header) {
      throw new InputError('BAD_HEADER', `${this.file} line 1: the header is not police.uk's (expected '${this.header}', found '${got.slice(0, 300)}'); pass the files as downloaded from data.police.uk, unedited`, { file: this.file, line: 1, expected: this.header, found: got.slice(0, 300) });
    }
    this.headerSeen = true;
  }

  /** A data row of nf fields in buf[rowStart, rowEnd): no empty line before it, the right number of fields; then handed to row(). */
  private dataRow(buf: Buffer, rowStart: number, rowEnd: number, nf: number, quoted: boolean, lineHere: number): void {
    if (this.emptyLineAt !== 0) this.malformed(this.emptyLineAt, 'an empty line in the middle of the file');
    if (nf !== this.nFields) {
      this.malformed(lineHere, `${nf} field(s) where police.uk files have ${this.nFields}${quoted ? '' : ' (a field holding a comma must be quoted)'}`);
    }
    this.rs = rowStart;
    this.re = rowEnd;
    this.line = lineHere;
    this.rows++;
    this.row(buf);
  }

  /**
   * Set h1, h2 to two 32-bit hashes of the current row's bytes, read four at a time
   * (little-endian words, the last 1–3 bytes as a short word, then the length): h1 is
   * MurmurHash3's x86_32 body and finaliser (Appleby), h2 an xxHash32 lane (Collet) with
   * its own primes and the same finaliser, so the two are different functions of the row.
   */
  protected hashRow(buf: Buffer): void {
    const s = this.rs;
    const e = this.re;
    const dv = this.dv;
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x9747b28c | 0;
    let k = s;
    for (; k + 4 <= e; k += 4) {
      const w = dv.getInt32(k, true);
      let x = Math.imul(w, 0xcc9e2d51);
      x = (x << 15) | (x >>> 17);
      h1 ^= Math.imul(x, 0x1b873593);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 = (h2 + Math.imul(w, 0x85ebca77)) | 0;
      h2 = Math.imul((h2 << 13) | (h2 >>> 19), 0x9e3779b1);
    }
    if (k < e) {
      let w = 0;
      for (let j = e - 1; j >= k; j--) w = (w << 8) | buf[j]!;
      let x = Math.imul(w, 0xcc9e2d51);
      x = (x << 15) | (x >>> 17);
      h1 ^= Math.imul(x, 0x1b873593);
      h2 = (h2 + Math.imul(w, 0x165667b1)) | 0;
      h2 = Math.imul((h2 << 17) | (h2 >>> 15), 0x27d4eb2f);
    }
    this.h1 = fmix32(h1 ^ (e - s));
    this.h2 = fmix32(h2 ^ (e - s));
  }

  /** @throws InputError CSV_MALFORMED naming the file and line. */
  protected malformed(line: number, what: string): never {
    throw new InputError('CSV_MALFORMED', `${this.file} line ${line}: ${what}; the file is damaged or was edited: re-download it from data.police.uk`, { file: this.file, line });
  }

  /** Field k of the current row as a string, quotes removed ("" → "). Slow path: for messages and rare fields. */
  protected field(buf: Buffer, k: number): string {
    let s = this.fs[k]!;
    let e = this.fe[k]!;
    if (e - s >= 2 && buf[s] === QUOTE && buf[e - 1] === QUOTE) {
      s++;
      e--;
      return buf.toString('utf8', s, e).replace(/""/g, '"');
    }
    return buf.toString('utf8', s, e);
  }

  /** True when field k is empty (or a quoted empty string). */
  protected emptyField(buf: Buffer, k: number): boolean {
    const len = this.fe[k]! - this.fs[k]!;
    return len === 0 || (len === 2 && buf[this.fs[k]!] === QUOTE);
  }
}

/** A header line with its quoted fields unquoted ("a","b" → a,b; "" → "), fields joined by commas. */
function unquoteFields(line: string): string {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      if (inQ && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else inQ = !inQ;
    } else if (ch === ',' && !inQ) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.join(',');
}

/** MurmurHash3's 32-bit finaliser: every input bit reaches every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A set of 64-bit row hashes (two 32-bit halves) by open addressing, for exact-duplicate
 * rows within one file. Memory: 8 bytes × 2 × capacity, bounded by the largest file.
 *
 * Collision risk: two different rows are taken as duplicates only if both 32-bit hashes
 * agree; treating the pair as a uniform 64-bit value, a file of n rows has a probability
 * of about n²/2⁶⁵ of any false duplicate (n = 100,000, the largest force-month: 3·10⁻¹⁰).
 */
export class RowHashSet {
  private a: Uint32Array;
  private b: Uint32Array;
  private used: Uint8Array;
  private size = 0;
  private mask: number;

  constructor(capacity = 1 << 14) {
    this.a = new Uint32Array(capacity);
    this.b = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  clear(): void {
    if (this.size > 0) this.used.fill(0);
    this.size = 0;
  }

  /** Add (h1, h2); false when it was already there. */
  add(h1: number, h2: number): boolean {
    const x = h1 >>> 0;
    const y = h2 >>> 0;
    let k = (Math.imul(x ^ (y >>> 7), 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      if (this.used[k] === 0) break;
      if (this.a[k] === x && this.b[k] === y) return false;
      k = (k + 1) & this.mask;
    }
    this.used[k] = 1;
    this.a[k] = x;
    this.b[k] = y;
    if (++this.size * 2 > this.mask) this.grow();
    return true;
  }

  private grow(): void {
    const { a, b, used } = this;
    const cap = (this.mask + 1) * 2;
    this.a = new Uint32Array(cap);
    this.b = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let k = 0; k < used.length; k++) if (used[k]) this.add(a[k]!, b[k]!);
  }
}
