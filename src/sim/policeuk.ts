/**
 * A seeded generator of a police.uk-style open-data archive, in the real format
 * (YYYY-MM/YYYY-MM-<force>-street.csv and -stop-and-search.csv, and the same as a zip),
 * returning the truth it put in: every LSOA × month × crime-type count, the force-months
 * with no file, unlocated records, duplicate rows, British Transport Police records,
 * stop-and-search counts and a planted programme effect.
 *
 * Model. LSOA i of force f has a base rate λ_i (records a month, log-normal, so some
 * LSOAs are hotspots) split over police.uk's 14 types in fixed shares. Month t's count of
 * type k is Poisson(λ_i · s_k · season_t · (1 + g_f · t/12)) with an annual seasonal cycle
 * and a force trend g_f. In the treated forces, from `effectStart`, each violence record is
 * kept with probability 1 + effect (binomial thinning, effect < 0), so the realised effect
 * y¹ − y⁰ of every cell is known exactly (`violenceEffect`).
 *
 * Filing. A border LSOA's records are filed by the neighbouring force with probability
 * `crossBorderShare` (they sit in that force's file but in this force's LSOA). A force
 * with missing months writes no file then (its cross-border records vanish with it).
 * Each file also gets records with no location (empty LSOA, coordinates and
 * "No Location"), exact duplicate rows, and quoted Location fields with commas.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { Rng } from '../core/rng.js';
import { CRIME_TYPES, N_TYPES, STOP_SEARCH_HEADER, STREET_HEADER, monthLabel, monthOrdinal } from '../policeuk/format.js';

export interface PoliceUkForceSpec {
  slug: string;
  name: string;
  lsoas: number;
  /** Welsh force: W01 LSOA codes and W06 local authorities. */
  welsh?: boolean;
  /** Local authorities the force's LSOAs are split into. */
  lads: number;
  /** Share of extra records with no location (relative to located records). */
  unlocatedShare?: number;
}

export interface PoliceUkSpec {
  firstMonth: string;
  months: number;
  forces: PoliceUkForceSpec[];
  /** Mean records (all types) per LSOA-month; λ_i is log-normal around it. */
  meanRecords: number;
  /** SD of log λ_i. */
  logSd: number;
  treatedForces: string[];
  effectStart: string;
  /** Relative change of violence in treated forces from effectStart (−0.3 = 30% fewer). */
  effect: number;
  /** Force-months with no file: { force, from, months }. */
  missing: { force: string; from: string; months: number }[];
  /** Border LSOAs per force (the first ones) and the share of their records filed by the next force. */
  borderLsoas: number;
  crossBorderShare: number;
  /** Exact duplicate rows per street file (copies of random rows). */
  duplicatesPerFile: number;
  /** BTP records per month (0 = no BTP file). */
  btpPerMonth: number;
  /** Mean stop-and-searches per force-month (0 = no stop-and-search files); a share has no coordinates. */
  stopSearchPerMonth: number;
  stopSearchNoCoordShare: number;
  /** Share of Location fields written quoted with a comma inside. */
  quotedLocationShare: number;
  /** LSOA boundary change: from `month` on, each of `splitLsoas` LSOAs of `force` is split into two new codes. */
  vintageChange?: { force: string; month: string; splitLsoas: number };
}

/** Fixed shares of the 14 types (police.uk order), roughly as in England and Wales. */
export const TYPE_SHARES = [0.28, 0.015, 0.05, 0.08, 0.025, 0.015, 0.06, 0.01, 0.07, 0.01, 0.05, 0.015, 0.07, 0.25];

export const SMALL_POLICEUK_SPEC: PoliceUkSpec = {
  firstMonth: '2018-04',
  months: 24,
  forces: [
    { slug: 'kent', name: 'Kent Police', lsoas: 40, lads: 4 },
    { slug: 'essex', name: 'Essex Police', lsoas: 36, lads: 3 },
    { slug: 'greater-manchester', name: 'Greater Manchester Police', lsoas: 40, lads: 4 },
    { slug: 'south-wales', name: 'South Wales Police', lsoas: 30, lads: 3, welsh: true },
    { slug: 'surrey', name: 'Surrey Police', lsoas: 34, lads: 3 },
    { slug: 'sussex', name: 'Sussex Police', lsoas: 36, lads: 4, unlocatedShare: 0.09 },
  ],
  meanRecords: 14,
  logSd: 0.45,
  treatedForces: ['kent', 'south-wales'],
  effectStart: '2019-04',
  effect: -0.3,
  missing: [{ force: 'greater-manchester', from: '2019-07', months: 6 }],
  borderLsoas: 3,
  crossBorderShare: 0.2,
  duplicatesPerFile: 2,
  btpPerMonth: 25,
  stopSearchPerMonth: 60,
  stopSearchNoCoordShare: 0.1,
  quotedLocationShare: 0.1,
};

export interface PoliceUkTruth {
  spec: PoliceUkSpec;
  seed: number;
  months: string[];
  /** Territorial forces (slugs) in spec order. */
  forces: string[];
  /** Every LSOA code written (old and new codes after a vintage change). */
  lsoas: string[];
  /** Geographic force, local authority code and name of each LSOA. */
  lsoaForce: string[];
  lsoaLad: string[];
  /** LSOA × month × type counts as found in the territorial street files, duplicates once, located only. Index (i·M + m)·14 + k. */
  counts: Uint32Array;
  /** Realised effect on violence (y¹ − y⁰) per LSOA × month, before filing. */
  violenceEffect: Int32Array;
  /** Violence without the programme (y⁰) per LSOA × month, before filing. */
  violenceY0: Uint32Array;
  missingForceMonths: { force: string; month: string }[];
  /** Per force × month (index f·M + m): records with no location, duplicate rows written, records written (rows incl. duplicates). */
  unlocated: Uint32Array;
  duplicates: Uint32Array;
  rows: Uint32Array;
  btpRecords: number;
  /** Stop-and-search per force × month, and located searches per LSOA × month. */
  stopSearch: Uint32Array;
  stopSearchNoCoords: Uint32Array;
  stopSearchByLsoa: Uint32Array;
  /** LSOA squares [lon0, lat0, lon1, lat1]: every record of an LSOA lies strictly inside its square. */
  squares: [number, number, number, number][];
  /** Crosswalk rows old → new (with unchanged codes mapped to themselves), when a vintage change was planted. */
  crosswalk: [string, string][];
  /** Total street rows written (all files, BTP and duplicates included). */
  totalRows: number;
}

function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    const L = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    for (;;) {
      p *= rng.uniform();
      if (p <= L) return k;
      k++;
    }
  }
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
}

const ID_BYTES = Buffer.alloc(32);
/** A 64-hex-digit Crime ID (police.uk's are SHA-256 hex), from the seeded generator. */
function crimeId(rng: Rng): string {
  for (let k = 0; k < 8; k++) ID_BYTES.writeUInt32LE(rng.nextUint32(), k * 4);
  return ID_BYTES.toString('hex');
}

const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Park Road', 'Victoria Street', 'Mill Lane', 'Queens Road', 'Shopping Area', 'Parking Area', 'Supermarket'];
const OUTCOMES = ['Under investigation', 'Investigation complete; no suspect identified', 'Unable to prosecute suspect', 'Status update unavailable'];

interface Lsoa {
  code: string;
  name: string;
  force: number;
  lad: string;
  ladName: string;
  lambda: number;
  square: [number, number, number, number];
}

/** The archive's geography: months, LSOAs (with the split LSOAs' new codes appended last) and the planted vintage change. */
interface Layout {
  first: number;
  months: string[];
  lsoas: Lsoa[];
  /** Parent LSOA index → its two new LSOA indices, from `changeAt` on. */
  splitInto: Map<number, [number, number]>;
  crosswalk: [string, string][];
  /** Month index of the vintage change (+∞ without one). */
  changeAt: number;
  /** Number of new codes appended by the vintage change (2 per split LSOA). */
  nNew: number;
}

/** The truth arrays filled while the archive is written (see {@link PoliceUkTruth}). */
interface TruthArrays {
  counts: Uint32Array;
  violenceEffect: Int32Array;
  violenceY0: Uint32Array;
  unlocated: Uint32Array;
  duplicates: Uint32Array;
  rows: Uint32Array;
  stopSearch: Uint32Array;
  stopSearchNoCoords: Uint32Array;
  stopSearchByLsoa: Uint32Array;
}

/** Everything the month-by-month writing stages share: the spec, the seeded generator, the layout, the model and the output. */
interface ArchiveRun {
  spec: PoliceUkSpec;
  rng: Rng;
  g: Layout;
  M: number;
  F: number;
  /** Force trend g_f per force. */
  trend: number[];
  treatedF: Set<number>;
  effectAt: number;
  /** 1 where force f has no file in month m (index f·M + m). */
  missing: Uint8Array;
  truth: TruthArrays;
  out: ArchiveWriter;
}

/**
 * Write the archive under `dir/archive/` (and `dir/archive.zip` when `zip`), returning the truth.
 * Memory: one file's rows at a time, plus the LSOA × month × type truth.
 * Stages: layout (LSOAs, λ_i, vintage change) → model (force trends, treated forces, missing
 * force-months) → per month: draw the records and file them by force → write each force's street
 * and stop-and-search files, and BTP's → zip → truth. The seeded draws happen in this order, so a
 * seed gives the same archive byte for byte.
 */
export async function writePoliceUkArchive(dir: string, spec: PoliceUkSpec, seed: number, opts: { zip?: boolean; folder?: boolean } = {}): Promise<PoliceUkTruth> {
  const rng = new Rng(seed);
  const g = layoutArchive(spec, rng);
  const run = archiveModel(spec, rng, g, archiveWriter(join(dir, 'archive'), spec, rng));
  for (let m = 0; m < run.M; m++) {
    const { byForce, located } = drawMonth(run, m);
    for (let f = 0; f < run.F; f++) if (!run.missing[f * run.M + m]) writeForceMonth(run, f, m, byForce[f]!, located[f]!);
    if (spec.btpPerMonth > 0) writeBtpMonth(run, m);
  }
  if (opts.zip) await zipFolder(run.out.root, run.out.files, join(dir, 'archive.zip'));
  return truthOf(run, seed);
}

/** LSOAs of each force (codes, names, local authorities, squares and log-normal λ_i), then the vintage change's split codes. */
function layoutArchive(spec: PoliceUkSpec, rng: Rng): Layout {
  const first = monthOrdinal(spec.firstMonth)!;
  const months = Array.from({ length: spec.months }, (_, m) => monthLabel(first + m));
  const lsoas: Lsoa[] = [];
  let eng = 1;
  let wal = 1;
  let ladE = 1;
  let ladW = 1;
  spec.forces.forEach((f, fi) => {
    const ladCodes: string[] = [];
    for (let l = 0; l < f.lads; l++) ladCodes.push(f.welsh ? `W06${String(ladW++).padStart(6, '0')}` : `E07${String(ladE++).padStart(6, '0')}`);
    for (let j = 0; j < f.lsoas; j++) {
      // codes from 600001 on: not real ONS LSOAs (real ones end near E01035000, W01002000), so
      // the shipped ONS geography knows none of them and each area's force comes from its records
      const code = f.welsh ? `W01${600000 + wal++}` : `E01${600000 + eng++}`;
      const l = Math.floor((j * f.lads) / f.lsoas);
      const ladName = `${f.name.split(' ')[0]} District ${l + 1}`;
      const col = j % 10;
      const row = Math.floor(j / 10);
      const x0 = -4 + fi * 0.2 + col * 0.01;
      const y0 = 51 + row * 0.01;
      lsoas.push({ code, name: `${ladName} ${String(j + 1).padStart(3, '0')}A`, force: fi, lad: ladCodes[l]!, ladName, lambda: spec.meanRecords * Math.exp(spec.logSd * rng.normal() - (spec.logSd * spec.logSd) / 2), square: [x0, y0, x0 + 0.01, y0 + 0.01] });
    }
  });
  return { first, months, lsoas, ...vintageChange(spec, lsoas, first) };
}

/** The vintage change: each split LSOA gets two new codes (halves of its square, half its λ) from the change month on; the crosswalk old → new. */
function vintageChange(spec: PoliceUkSpec, lsoas: Lsoa[], first: number): Pick<Layout, 'splitInto' | 'crosswalk' | 'changeAt' | 'nNew'> {
  const splitInto = new Map<number, [number, number]>();
  const crosswalk: [string, string][] = [];
  if (!spec.vintageChange) return { splitInto, crosswalk, changeAt: Number.POSITIVE_INFINITY, nNew: 0 };
  const vc = spec.vintageChange;
  const changeAt = monthOrdinal(vc.month)! - first;
  const fi = spec.forces.findIndex((f) => f.slug === vc.force);
  const own = lsoas.map((l, i) => i).filter((i) => lsoas[i]!.force === fi);
  let next = 900001;
  for (let s = 0; s < vc.splitLsoas; s++) {
    const i = own[own.length - 1 - s]!;
    const base = lsoas[i]!;
    const idx: number[] = [];
    for (let h = 0; h < 2; h++) {
      const [x0, y0, x1, y1] = base.square;
      const half: [number, number, number, number] = h === 0 ? [x0, y0, (x0 + x1) / 2, y1] : [(x0 + x1) / 2, y0, x1, y1];
      idx.push(lsoas.length);
      lsoas.push({ ...base, code: `${base.code.slice(0, 3)}${String(next++).padStart(6, '0')}`, name: `${base.name.slice(0, -1)}${h === 0 ? 'E' : 'F'}`, lambda: base.lambda / 2, square: half });
      crosswalk.push([base.code, lsoas[lsoas.length - 1]!.code]);
    }
    splitInto.set(i, [idx[0]!, idx[1]!]);
  }
  for (const l of lsoas.slice(0, lsoas.length - 2 * vc.splitLsoas)) if (!splitInto.has(lsoas.indexOf(l))) crosswalk.push([l.code, l.code]);
  crosswalk.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  return { splitInto, crosswalk, changeAt, nNew: 2 * vc.splitLsoas };
}

/** The truth arrays, the force trends g_f (drawn here), the treated forces, the programme start and the force-months with no file. */
function archiveModel(spec: PoliceUkSpec, rng: Rng, g: Layout, out: ArchiveWriter): ArchiveRun {
  const M = spec.months;
  const F = spec.forces.length;
  const N = g.lsoas.length;
  const truth: TruthArrays = {
    counts: new Uint32Array(N * M * N_TYPES),
    violenceEffect: new Int32Array(N * M),
    violenceY0: new Uint32Array(N * M),
    unlocated: new Uint32Array(F * M),
    duplicates: new Uint32Array(F * M),
    rows: new Uint32Array(F * M),
    stopSearch: new Uint32Array(F * M),
    stopSearchNoCoords: new Uint32Array(F * M),
    stopSearchByLsoa: new Uint32Array(N * M),
  };
  const trend = spec.forces.map(() => 0.06 * rng.normal());
  const treatedF = new Set(spec.treatedForces.map((s) => spec.forces.findIndex((f) => f.slug === s)));
  const effectAt = monthOrdinal(spec.effectStart)! - g.first;
  const missing = new Uint8Array(F * M);
  for (const ms of spec.missing) {
    const fi = spec.forces.findIndex((f) => f.slug === ms.force);
    const m0 = monthOrdinal(ms.from)! - g.first;
    for (let m = m0; m < m0 + ms.months && m < M; m++) missing[fi * M + m] = 1;
  }
  return { spec, rng, g, M, F, trend, treatedF, effectAt, missing, truth, out };
}

/** Force-months with no file, sorted by force then month. */
function missingForceMonths(spec: PoliceUkSpec, g: Layout): { force: string; month: string }[] {
  const out: { force: string; month: string }[] = [];
  for (const ms of spec.missing) {
    const m0 = monthOrdinal(ms.from)! - g.first;
    for (let m = m0; m < m0 + ms.months && m < spec.months; m++) out.push({ force: ms.force, month: g.months[m]! });
  }
  return out.sort((a, b) => (a.force < b.force ? -1 : a.force > b.force ? 1 : a.month < b.month ? -1 : 1));
}

/** Writes files under `root` (recording each) and formats rows from the seeded generator. */
interface ArchiveWriter {
  root: string;
  files: string[];
  totalRows: number;
  btpRecords: number;
  point(sq: [number, number, number, number]): [string, string];
  streetRow(l: Lsoa, type: number, reporter: string, month: string): string;
  writeFile(rel: string, text: string): void;
}

const quoteField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function archiveWriter(root: string, spec: PoliceUkSpec, rng: Rng): ArchiveWriter {
  const point = (sq: [number, number, number, number]): [string, string] => {
    const lon = sq[0] + 0.001 + 0.008 * rng.uniform();
    const lat = sq[1] + 0.001 + 0.008 * rng.uniform();
    return [lon.toFixed(6), lat.toFixed(6)];
  };
  const location = (): string => {
    const st = STREETS[rng.int(STREETS.length)]!;
    if (rng.uniform() < spec.quotedLocationShare) return quoteField(rng.uniform() < 0.3 ? `On or near "${st}", Town Centre` : `On or near ${st}, Town Centre`);
    return `On or near ${st}`;
  };
  const w: ArchiveWriter = {
    root,
    files: [],
    totalRows: 0,
    btpRecords: 0,
    point,
    streetRow: (l, type, reporter, month) => {
      const [lon, lat] = point(l.square);
      const id = type === 0 ? '' : crimeId(rng);
      const outcome = type === 0 ? '' : OUTCOMES[rng.int(OUTCOMES.length)]!;
      return `${id},${month},${reporter},${reporter},${lon},${lat},${location()},${l.code},${l.name},${CRIME_TYPES[type]},${quoteField(outcome)},`;
    },
    writeFile: (rel, text) => {
      const p = join(root, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, text);
      w.files.push(rel);
    },
  };
  return w;
}

/**
 * Month m's records: for each LSOA and type, y⁰ ~ Poisson(λ_i · s_k · season_t · max(0.2, 1 + g_f·t/12)),
 * violence thinned by 1 + effect in treated forces from the start; each record filed by its own force
 * or (border LSOAs, with probability crossBorderShare) the next one. Returns the rows and (lsoa·K + type)
 * keys per filing force.
 */
function drawMonth(run: ArchiveRun, m: number): { byForce: string[][]; located: number[][] } {
  const { spec, rng, g, M, F } = run;
  const K = N_TYPES;
  const N = g.lsoas.length;
  const season = 1 + 0.12 * Math.sin((2 * Math.PI * (g.first + m)) / 12);
  const byForce: string[][] = spec.forces.map(() => []);
  const located: number[][] = spec.forces.map(() => []); // (lsoa·K + type) of each row, for the truth
  for (let i0 = 0; i0 < N - g.nNew; i0++) {
    const l0 = g.lsoas[i0]!;
    const split = g.splitInto.get(i0); // which code is live this month (new ones are generated through their parent)
    const f = l0.force;
    const gf = 1 + run.trend[f]! * (m / 12);
    for (let k = 0; k < K; k++) {
      const y0 = poisson(rng, l0.lambda * TYPE_SHARES[k]! * season * Math.max(0.2, gf));
      let y = y0;
      if (k === K - 1 && run.treatedF.has(f) && m >= run.effectAt) {
        y = 0;
        for (let r = 0; r < y0; r++) if (rng.uniform() < 1 + spec.effect) y++;
      }
      for (let r = 0; r < y; r++) {
        const i = split && m >= g.changeAt ? split[rng.int(2)]! : i0;
        const j = i0 % spec.forces[f]!.lsoas < spec.borderLsoas && rng.uniform() < spec.crossBorderShare ? (f + 1) % F : f;
        byForce[j]!.push(run.out.streetRow(g.lsoas[i]!, k, spec.forces[j]!.name, g.months[m]!));
        located[j]!.push(i * K + k);
      }
      if (k === K - 1) {
        // y0 and the effect are kept under the LSOA's first code (its parent, after a split)
        run.truth.violenceY0[i0 * M + m] = y0;
        run.truth.violenceEffect[i0 * M + m] = y - y0;
      }
    }
  }
  return { byForce, located };
}
/**
 * Force f's files for month m: its located rows (counted into the truth), records with no location,
 * exact duplicates of rows with a Crime ID, all shuffled, then its stop-and-search file.
 */
function writeForceMonth(run: ArchiveRun, f: number, m: number, rows: string[], located: readonly number[]): void {
  const { spec, rng, g, M, truth } = run;
  const K = N_TYPES;
  const fs = spec.forces[f]!;
  const month = g.months[m]!;
  for (const key of located) truth.counts[(Math.floor(key / K) * M + m) * K + (key % K)]!++;
  const nUnl = poisson(rng, rows.length * (fs.unlocatedShare ?? 0.02));
  for (let r = 0; r < nUnl; r++) {
    const type = rng.int(K);
    const id = type === 0 ? '' : crimeId(rng);
    rows.push(`${id},${month},${fs.name},${fs.name},,,No Location,,,${CRIME_TYPES[type]},${type === 0 ? '' : 'Under investigation'},`);
  }
  truth.unlocated[f * M + m] = nUnl;
  // duplicates: copies of distinct rows with a Crime ID (rows without one are never merged)
  const withId: number[] = [];
  for (let r = 0; r < rows.length; r++) if (rows[r]!.charCodeAt(0) !== 44) withId.push(r);
  const nDup = Math.min(spec.duplicatesPerFile, withId.length);
  const picks = rng.partialShuffle(withId.length, nDup);
  for (let d = 0; d < nDup; d++) rows.push(rows[withId[picks[d]!]!]!);
  truth.duplicates[f * M + m] = nDup;
  // shuffle the rows so duplicates and types are spread through the file
  for (let a = rows.length - 1; a > 0; a--) {
    const b = rng.int(a + 1);
    const t = rows[a]!;
    rows[a] = rows[b]!;
    rows[b] = t;
  }
  truth.rows[f * M + m] = rows.length;
  run.out.totalRows += rows.length;
  run.out.writeFile(`${month}/${month}-${fs.slug}-street.csv`, STREET_HEADER + '\n' + rows.join('\n') + (rows.length ? '\n' : ''));
  if (spec.stopSearchPerMonth > 0) writeStopSearchMonth(run, f, m);
}

/** Force f's stop-and-search file for month m: Poisson(stopSearchPerMonth) searches, a share without coordinates, the rest in the force's live LSOAs. */
function writeStopSearchMonth(run: ArchiveRun, f: number, m: number): void {
  const { spec, rng, g, M, truth } = run;
  const N = g.lsoas.length;
  const month = g.months[m]!;
  const n = poisson(rng, spec.stopSearchPerMonth);
  const ss: string[] = [];
  const own = g.lsoas.map((_, i) => i).filter((i) => g.lsoas[i]!.force === f && !(g.splitInto.has(i) && m >= g.changeAt) && !(i >= N - g.nNew && m < g.changeAt));
  for (let r = 0; r < n; r++) {
    const day = String(1 + rng.int(28)).padStart(2, '0');
    let lat = '';
    let lon = '';
    if (rng.uniform() < spec.stopSearchNoCoordShare) truth.stopSearchNoCoords[f * M + m]!++;
    else {
      const i = own[rng.int(own.length)]!;
      [lon, lat] = run.out.point(g.lsoas[i]!.square);
      truth.stopSearchByLsoa[i * M + m]!++;
    }
    ss.push(`Person search,${month}-${day}T1${rng.int(10)}:00:00+00:00,False,,${lat},${lon},Male,18-24,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,,False`);
  }
  truth.stopSearch[f * M + m] = n;
  run.out.writeFile(`${month}/${month}-${spec.forces[f]!.slug}-stop-and-search.csv`, STOP_SEARCH_HEADER + '\n' + ss.join('\n') + (ss.length ? '\n' : ''));
}

/** British Transport Police's street file for month m: Poisson(btpPerMonth) records in random pre-change LSOAs, never anti-social behaviour. */
function writeBtpMonth(run: ArchiveRun, m: number): void {
  const { spec, rng, g } = run;
  const K = N_TYPES;
  const month = g.months[m]!;
  const n = poisson(rng, spec.btpPerMonth);
  const rows: string[] = [];
  for (let r = 0; r < n; r++) {
    const l = g.lsoas[rng.int(g.lsoas.length - g.nNew)]!;
    const type = 1 + rng.int(K - 1);
    const [lon, lat] = run.out.point(l.square);
    rows.push(`${crimeId(rng)},${month},British Transport Police,${spec.forces[l.force]!.name},${lon},${lat},On or near Railway Station,${l.code},${l.name},${CRIME_TYPES[type]},Under investigation,`);
  }
  run.out.btpRecords += n;
  run.out.totalRows += n;
  run.out.writeFile(`${month}/${month}-btp-street.csv`, STREET_HEADER + '\n' + rows.join('\n') + (rows.length ? '\n' : ''));
}

/** The truth returned to the caller. */
function truthOf(run: ArchiveRun, seed: number): PoliceUkTruth {
  const { spec, g, truth } = run;
  return {
    spec,
    seed,
    months: g.months,
    forces: spec.forces.map((f) => f.slug),
    lsoas: g.lsoas.map((l) => l.code),
    lsoaForce: g.lsoas.map((l) => spec.forces[l.force]!.slug),
    lsoaLad: g.lsoas.map((l) => l.lad),
    counts: truth.counts,
    violenceEffect: truth.violenceEffect,
    violenceY0: truth.violenceY0,
    missingForceMonths: missingForceMonths(spec, g),
    unlocated: truth.unlocated,
    duplicates: truth.duplicates,
    rows: truth.rows,
    btpRecords: run.out.btpRecords,
    stopSearch: truth.stopSearch,
    stopSearchNoCoords: truth.stopSearchNoCoords,
    stopSearchByLsoa: truth.stopSearchByLsoa,
    squares: g.lsoas.map((l) => l.square),
    crosswalk: g.crosswalk,
    totalRows: run.out.totalRows,
  };
}

/** Zip `files` (paths relative to `root`) into `out`, deflated, streamed from disk. */
export function zipFolder(root: string, files: readonly string[], out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    const ws = createWriteStream(out);
    z.outputStream.pipe(ws);
    ws.on('close', () => resolve());
    ws.on('error', reject);
    for (const f of files) z.addFile(join(root, f), f, { mtime: new Date(Date.UTC(2020, 0, 1)) });
    z.end();
  });
}

/** An ONS-style LSOA lookup for the generated archive: LSOA11CD, LSOA11NM, LAD19CD, LAD19NM, PFA19CD, PFA19NM. */
export function lookupCsv(truth: PoliceUkTruth): string {
  const pfa = (slug: string) => {
    const k = truth.forces.indexOf(slug);
    const f = truth.spec.forces[k]!;
    return [f.welsh ? `W15${String(k + 1).padStart(6, '0')}` : `E23${String(k + 1).padStart(6, '0')}`, f.name.replace(/ Police$/, '')];
  };
  const lines = ['LSOA11CD,LSOA11NM,LAD19CD,LAD19NM,PFA19CD,PFA19NM'];
  truth.lsoas.forEach((code, i) => {
    const [pc, pn] = pfa(truth.lsoaForce[i]!);
    lines.push(`${code},LSOA ${code},${truth.lsoaLad[i]},District ${truth.lsoaLad[i]},${pc},${pn}`);
  });
  return lines.join('\n') + '\n';
}

/** PFA19CD of a generated force (as in {@link lookupCsv}). */
export function pfaCode(truth: PoliceUkTruth, slug: string): string {
  const k = truth.forces.indexOf(slug);
  return truth.spec.forces[k]!.welsh ? `W15${String(k + 1).padStart(6, '0')}` : `E23${String(k + 1).padStart(6, '0')}`;
}

/** LSOA mid-year populations (LSOA11CD, year, population) for the given years, 1,200–2,400 people, growing 1% a year. */
export function populationCsv(truth: PoliceUkTruth, years: readonly number[]): { csv: string; pop: Map<string, Map<number, number>> } {
  const lines = ['LSOA11CD,year,population'];
  const pop = new Map<string, Map<number, number>>();
  truth.lsoas.forEach((code, i) => {
    const base = 1200 + ((i * 7919) % 1201);
    const m = new Map<number, number>();
    for (const y of years) {
      const v = Math.round(base * Math.pow(1.01, y - 2015));
      m.set(y, v);
      lines.push(`${code},${y},${v}`);
    }
    pop.set(code, m);
  });
  return { csv: lines.join('\n') + '\n', pop };
}
