/**
 * Counting police.uk rows straight from their bytes.
 *
 * Street-level rows are checked (12 fields, Month = the file's month, a known crime
 * type), de-duplicated (exact duplicate rows with a Crime ID count once within their file:
 * {@link RowHashSet}; rows without a Crime ID, i.e. anti-social behaviour, are never
 * merged, since police.uk's anonymised map points make separate incidents identical),
 * placed (LSOA code, or coordinates in a drawn area) and counted into a typed array
 * indexed (base area, month, crime type). Only Month, LSOA code, Crime type and, for
 * drawn areas, Longitude/Latitude are looked at; LSOA codes are interned from their
 * bytes (E01/W01 codes through a direct table, others through a Map).
 *
 * Stop-and-search rows are counted per force and month, and per drawn area when
 * their coordinates are given. They are not de-duplicated: several people searched
 * together give identical rows.
 */
import { isUtf8 } from 'node:buffer';
import { InputError } from '../core/errors.js';
import { CRIME_TYPES, N_TYPES, STOP_SEARCH_FIELDS, STOP_SEARCH_HEADER, STREET_FIELDS, STREET_HEADER, monthLabel } from './format.js';
import type { GeoAreas } from './geo.js';
import { RowHashSet, RowScanner } from './scan.js';

/** Per-file tallies (one street or stop-and-search file = one force-month). */
export interface FileTally {
  /** Data rows read. */
  records: number;
  /** Exact duplicate rows with a Crime ID (counted once). */
  duplicates: number;
  /** No LSOA code (LSOA mode) or no coordinates (drawn areas): cannot be placed. */
  unlocated: number;
  /** Placed, but in no area of --areas. */
  outsideAreas: number;
  /** Counted in the panel (before any force or area is dropped later). */
  used: number;
}

export const newTally = (): FileTally => ({ records: 0, duplicates: 0, unlocated: 0, outsideAreas: 0, used: 0 });

/**
 * Resolves a new LSOA code (as found in a file) to its base area: the code itself, or
 * its crosswalk group's representative; null when the code is outside --areas.
 * Throws InputError (e.g. a code missing from --lookup) naming file and line.
 */
export type LsoaResolver = (code: string, file: string, line: number) => string | null;

/** Counts by (base area, month, type), growing as base areas are found, and each base area's records by filing force. */
export class Counts {
  data: Uint32Array;
  private cap: number;
  readonly baseIds: string[] = [];
  private readonly baseIndex = new Map<string, number>();
  /** Records per (base area, filing force), keyed b × forces + f (for each area's home force); added to once per area and file. Sparse: most areas have one or two forces. */
  private byForce = new Map<number, number>();
  /** Stop-and-search per base area × month (drawn areas only). */
  ss: Uint32Array | null = null;

  constructor(
    readonly months: number,
    readonly forces: number,
    withStopSearchByArea: boolean,
  ) {
    this.cap = 1024;
    this.data = new Uint32Array(this.cap * months * N_TYPES);
    if (withStopSearchByArea) this.ss = new Uint32Array(this.cap * months);
  }

  /** Index of base area `id`, added when new. */
  base(id: string): number {
    let k = this.baseIndex.get(id);
    if (k !== undefined) return k;
    k = this.baseIds.length;
    this.baseIds.push(id);
    this.baseIndex.set(id, k);
    if (k >= this.cap) {
      const cap = Math.ceil(this.cap * 1.5);
      const d = new Uint32Array(cap * this.months * N_TYPES);
      d.set(this.data);
      this.data = d;
      if (this.ss) {
        const s = new Uint32Array(cap * this.months);
        s.set(this.ss);
        this.ss = s;
      }
      this.cap = cap;
    }
    return k;
  }

  /** Add `n` records of base area b filed by force f (for the area's home force). */
  addForce(b: number, f: number, n: number): void {
    const key = b * this.forces + f;
    this.byForce.set(key, (this.byForce.get(key) ?? 0) + n);
  }

  /** Records of base area b per filing force (length = forces). */
  forceRecords(b: number): Float64Array {
    const out = new Float64Array(this.forces);
    for (let f = 0; f < this.forces; f++) out[f] = this.byForce.get(b * this.forces + f) ?? 0;
    return out;
  }
}

/** Crime type index from its bytes: (length, last byte) → candidate + 1 in a table, then compared in full. */
const TYPE_BYTES = CRIME_TYPES.map((t) => Buffer.from(t, 'latin1'));
const TYPE_KEY = new Int8Array(32 * 256);
TYPE_BYTES.forEach((b, k) => {
  const key = b.length * 256 + b[b.length - 1]!;
  if (b.length >= 32 || TYPE_KEY[key] !== 0) throw new Error('crime type keys collide');
  TYPE_KEY[key] = k + 1;
});

/** Shared state of one build: counts, LSOA interning, the duplicate set. */
export interface ReadContext {
  counts: Counts;
  resolve: LsoaResolver;
  geo: GeoAreas | null;
  /** Direct table for E01/W01 codes: 0 unknown, −1 outside areas, else base index + 1. */
  fast: Int32Array;
  slow: Map<string, number>;
  hashes: RowHashSet;
  /** Stop-and-search per force × month. */
  ssForce: Float64Array;
  /**
   * One file's counts by (base area, type) before they go into `counts` (a file is one
   * month: this small array stays in cache where `counts.data` would be touched at random),
   * the base areas touched (in `touched[0..nTouched)`), and a mark per base area (the
   * file's serial number when touched).
   */
  fileCounts: Uint32Array;
  touched: Int32Array;
  nTouched: number;
  mark: Int32Array;
  serial: number;
}

export function newReadContext(counts: Counts, resolve: LsoaResolver, geo: GeoAreas | null): ReadContext {
  return { counts, resolve, geo, fast: new Int32Array(2_000_000), slow: new Map(), hashes: new RowHashSet(), ssForce: new Float64Array(counts.forces * counts.months), fileCounts: new Uint32Array(1024 * N_TYPES), touched: new Int32Array(1024), nTouched: 0, mark: new Int32Array(1024), serial: 0 };
}

/** Make room for base area b in the per-file arrays. */
function growFileArrays(ctx: ReadContext, b: number): void {
  const cap = Math.max(b + 1, ctx.mark.length * 2);
  const fc = new Uint32Array(cap * N_TYPES);
  fc.set(ctx.fileCounts);
  ctx.fileCounts = fc;
  const t = new Int32Array(cap);
  t.set(ctx.touched);
  ctx.touched = t;
  const m = new Int32Array(cap);
  m.set(ctx.mark);
  ctx.mark = m;
}

function parseCoord(buf: Buffer, s: number, e: number): number {
  if (e - s >= 2 && buf[s] === 34) {
    s++;
    e--;
  }
  if (e <= s) return Number.NaN;
  const t = buf.toString('latin1', s, e);
  const v = Number(t);
  return t.trim() === '' ? Number.NaN : v;
}

export class StreetReader extends RowScanner {
  readonly tally = newTally();
  private readonly monthBytes: Buffer;
  private readonly cellBase: number;

  constructor(
    file: string,
    private readonly month: number,
    private readonly monthIndex: number,
    private readonly forceIndex: number,
    private readonly ctx: ReadContext,
  ) {
    super(file, STREET_HEADER, STREET_FIELDS);
    this.monthBytes = Buffer.from(monthLabel(month), 'latin1');
    this.cellBase = monthIndex * N_TYPES;
    ctx.hashes.clear();
    ctx.serial++;
    ctx.nTouched = 0;
  }

  protected row(buf: Buffer): void {
    const fs = this.fs;
    const fe = this.fe;
    const t = this.tally;
    t.records++;
    // Month
    let s = fs[1]!;
    const mb = this.monthBytes;
    if (fe[1]! - s === 9 && buf[s] === 34) s++; // "2019-04" (every field quoted)
    if (fe[1]! - fs[1]! !== (s === fs[1]! ? 7 : 9) || buf[s] !== mb[0] || buf[s + 1] !== mb[1] || buf[s + 2] !== mb[2] || buf[s + 3] !== mb[3] || buf[s + 4] !== mb[4] || buf[s + 5] !== mb[5] || buf[s + 6] !== mb[6]) {
      const got = this.field(buf, 1);
      if (!/^\d{4}-\d{2}$/.test(got)) this.malformed(this.line, `Month is '${got}', not YYYY-MM`);
      throw new InputError('WRONG_MONTH', `${this.file} line ${this.line}: a row for ${got} in the file for ${monthLabel(this.month)}; each police.uk file holds one month: put the file back as downloaded (or re-download it)`, { file: this.file, line: this.line, month: got, fileMonth: monthLabel(this.month) });
    }
    // Crime type
    s = fs[9]!;
    let e = fe[9]!;
    if (e - s >= 2 && buf[s] === 34) {
      s++;
      e--;
    }
    const len = e - s;
    let type = len > 0 && len < 32 ? TYPE_KEY[len * 256 + buf[e - 1]!]! - 1 : -1;
    if (type >= 0) {
      const want = TYPE_BYTES[type]!;
      for (let k = 0; k < len - 1; k++) {
        if (buf[s + k] !== want[k]) {
          type = -1;
          break;
        }
      }
    }
    if (type < 0) {
      throw new InputError('UNKNOWN_CRIME_TYPE', `${this.file} line ${this.line}: crime type '${this.field(buf, 9)}' is not one of police.uk's 14 (${CRIME_TYPES.join(', ')}); the file is damaged or edited: re-download it`, { file: this.file, line: this.line, crimeType: this.field(buf, 9) });
    }
    // Exact duplicate rows count once. Only rows with a Crime ID: rows without one
    // (anti-social behaviour) are identical whenever two incidents share a month, an
    // anonymised map point and a type, so identical ASB rows are separate incidents.
    if (!this.emptyField(buf, 0)) {
      this.hashRow(buf);
      if (!this.ctx.hashes.add(this.h1, this.h2)) {
        t.duplicates++;
        return;
      }
    }
    const ctx = this.ctx;
    let b: number;
    if (ctx.geo === null) {
      b = this.lsoa(buf);
      if (b === -1) {
        t.unlocated++;
        return;
      }
    } else {
      const lon = parseCoord(buf, fs[4]!, fe[4]!);
      const lat = parseCoord(buf, fs[5]!, fe[5]!);
      if (Number.isNaN(lon) || Number.isNaN(lat)) {
        if (!this.emptyField(buf, 4) || !this.emptyField(buf, 5)) this.malformed(this.line, `Longitude/Latitude '${this.field(buf, 4)}', '${this.field(buf, 5)}' are not numbers`);
        t.unlocated++;
        return;
      }
      const a = ctx.geo.locate(lon, lat);
      b = a < 0 ? -2 : a; // drawn areas are registered as base areas 0..n−1 in id order
    }
    if (b === -2) {
      t.outsideAreas++;
      return;
    }
    t.used++;
    if (b >= ctx.mark.length) growFileArrays(ctx, b);
    if (ctx.mark[b] !== ctx.serial) {
      ctx.mark[b] = ctx.serial;
      ctx.touched[ctx.nTouched++] = b;
    }
    ctx.fileCounts[b * N_TYPES + type]!++;
  }

  /** End of the file: its counts go into `counts`, and each base area's records to this force. */
  override end(): void {
    super.end();
    const ctx = this.ctx;
    const c = ctx.counts;
    const fc = ctx.fileCounts;
    const stride = c.months * N_TYPES;
    for (let j = 0; j < ctx.nTouched; j++) {
      const b = ctx.touched[j]!;
      let n = 0;
      for (let k = 0; k < N_TYPES; k++) {
        const v = fc[b * N_TYPES + k]!;
        if (v === 0) continue;
        c.data[b * stride + this.cellBase + k]! += v;
        fc[b * N_TYPES + k] = 0;
        n += v;
      }
      c.addForce(b, this.forceIndex, n);
    }
    ctx.nTouched = 0;
  }

  /** Base index of the row's LSOA; −1 when it has none, −2 when outside --areas. */
  private lsoa(buf: Buffer): number {
    let s = this.fs[7]!;
    let e = this.fe[7]!;
    if (e - s >= 2 && buf[s] === 34) {
      s++;
      e--;
    }
    if (e === s) return -1;
    const ctx = this.ctx;
    let slot = -1;
    if (e - s === 9 && buf[s + 1] === 48 && buf[s + 2] === 49 && (buf[s] === 69 || buf[s] === 87)) {
      let d = 0;
      for (let k = s + 3; k < e; k++) {
        const x = buf[k]! - 48;
        if (x < 0 || x > 9) {
          d = -1;
          break;
        }
        d = d * 10 + x;
      }
      if (d >= 0) {
        slot = (buf[s] === 87 ? 1_000_000 : 0) + d;
        const v = ctx.fast[slot]!;
        if (v !== 0) return v > 0 ? v - 1 : -2;
      }
    }
    if (!isUtf8(buf.subarray(s, e))) {
      throw new InputError('INVALID_UTF8', `${this.file} line ${this.line}: the LSOA code field holds bytes that are not valid UTF-8 (${buf.subarray(s, e).toString('hex')}); the file is damaged: re-download it from data.police.uk`, { file: this.file, line: this.line, column: 'LSOA code' });
    }
    const code = buf.toString('utf8', s, e);
    if (slot < 0) {
      const v = ctx.slow.get(code);
      if (v !== undefined) return v;
    }
    const base = ctx.resolve(code, this.file, this.line);
    const idx = base === null ? -2 : ctx.counts.base(base);
    if (slot >= 0) ctx.fast[slot] = idx >= 0 ? idx + 1 : -1;
    else ctx.slow.set(code, idx);
    return idx;
  }
}

export class StopSearchReader extends RowScanner {
  readonly tally = newTally();
  private readonly monthBytes: Buffer;

  constructor(
    file: string,
    private readonly month: number,
    private readonly monthIndex: number,
    private readonly forceIndex: number,
    private readonly ctx: ReadContext,
  ) {
    super(file, STOP_SEARCH_HEADER, STOP_SEARCH_FIELDS);
    this.monthBytes = Buffer.from(monthLabel(month), 'latin1');
  }

  protected row(buf: Buffer): void {
    const fs = this.fs;
    const fe = this.fe;
    const t = this.tally;
    t.records++;
    let s = fs[1]!;
    if (buf[s] === 34) s++; // every field quoted
    const mb = this.monthBytes;
    let ok = fe[1]! - s >= 7;
    for (let k = 0; ok && k < 7; k++) if (buf[s + k] !== mb[k]) ok = false;
    if (!ok) {
      const got = this.field(buf, 1);
      if (!/^\d{4}-\d{2}/.test(got)) this.malformed(this.line, `Date is '${got}', not an ISO date (YYYY-MM-DDThh:mm:ss)`);
      throw new InputError('WRONG_MONTH', `${this.file} line ${this.line}: a search on ${got} in the file for ${monthLabel(this.month)}; each police.uk file holds one month: put the file back as downloaded (or re-download it)`, { file: this.file, line: this.line, date: got, fileMonth: monthLabel(this.month) });
    }
    const ctx = this.ctx;
    ctx.ssForce[this.forceIndex * ctx.counts.months + this.monthIndex]!++;
    if (ctx.geo !== null) {
      const lat = parseCoord(buf, fs[4]!, fe[4]!);
      const lon = parseCoord(buf, fs[5]!, fe[5]!);
      if (Number.isNaN(lon) || Number.isNaN(lat)) {
        if (!this.emptyField(buf, 4) || !this.emptyField(buf, 5)) this.malformed(this.line, `Latitude/Longitude '${this.field(buf, 4)}', '${this.field(buf, 5)}' are not numbers`);
        t.unlocated++;
        return;
      }
      const a = ctx.geo.locate(lon, lat);
      if (a < 0) {
        t.outsideAreas++;
        return;
      }
      ctx.counts.ss![a * ctx.counts.months + this.monthIndex]!++;
    }
    t.used++;
  }
}
