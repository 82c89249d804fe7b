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

/**
 * Write the archive under `dir/archive/` (and `dir/archive.zip` when `zip`), returning the truth.
 * Memory: one file's rows at a time, plus the LSOA × month × type truth.
 */
export async function writePoliceUkArchive(dir: string, spec: PoliceUkSpec, seed: number, opts: { zip?: boolean; folder?: boolean } = {}): Promise<PoliceUkTruth> {
  const rng = new Rng(seed);
  const M = spec.months;
  const first = monthOrdinal(spec.firstMonth)!;
  const months = Array.from({ length: M }, (_, m) => monthLabel(first + m));
  const F = spec.forces.length;
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
  // vintage change: split LSOAs get two new codes from the change month on
  const splitInto = new Map<number, [number, number]>();
  const crosswalk: [string, string][] = [];
  let changeAt = Number.POSITIVE_INFINITY;
  if (spec.vintageChange) {
    const vc = spec.vintageChange;
    changeAt = monthOrdinal(vc.month)! - first;
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
  }
  const N = lsoas.length;
  const K = N_TYPES;
  const counts = new Uint32Array(N * M * K);
  const violenceEffect = new Int32Array(N * M);
  const violenceY0 = new Uint32Array(N * M);
  const unlocated = new Uint32Array(F * M);
  const duplicates = new Uint32Array(F * M);
  const rowsW = new Uint32Array(F * M);
  const stopSearch = new Uint32Array(F * M);
  const stopSearchNoCoords = new Uint32Array(F * M);
  const stopSearchByLsoa = new Uint32Array(N * M);
  const trend = spec.forces.map(() => 0.06 * rng.normal());
  const treatedF = new Set(spec.treatedForces.map((s) => spec.forces.findIndex((f) => f.slug === s)));
  const effectAt = monthOrdinal(spec.effectStart)! - first;
  const missing = new Uint8Array(F * M);
  const missingForceMonths: { force: string; month: string }[] = [];
  for (const ms of spec.missing) {
    const fi = spec.forces.findIndex((f) => f.slug === ms.force);
    const m0 = monthOrdinal(ms.from)! - first;
    for (let m = m0; m < m0 + ms.months && m < M; m++) {
      missing[fi * M + m] = 1;
      missingForceMonths.push({ force: ms.force, month: months[m]! });
    }
  }
  missingForceMonths.sort((a, b) => (a.force < b.force ? -1 : a.force > b.force ? 1 : a.month < b.month ? -1 : 1));
  const root = join(dir, 'archive');
  const files: string[] = [];
  let totalRows = 0;
  let btpRecords = 0;
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const point = (sq: [number, number, number, number]): [string, string] => {
    const lon = sq[0] + 0.001 + 0.008 * rng.uniform();
    const lat = sq[1] + 0.001 + 0.008 * rng.uniform();
    return [lon.toFixed(6), lat.toFixed(6)];
  };
  const location = (): string => {
    const st = STREETS[rng.int(STREETS.length)]!;
    if (rng.uniform() < spec.quotedLocationShare) return quote(rng.uniform() < 0.3 ? `On or near "${st}", Town Centre` : `On or near ${st}, Town Centre`);
    return `On or near ${st}`;
  };
  const streetRow = (l: Lsoa, type: number, reporter: string, month: string): string => {
    const [lon, lat] = point(l.square);
    const id = type === 0 ? '' : crimeId(rng);
    const outcome = type === 0 ? '' : OUTCOMES[rng.int(OUTCOMES.length)]!;
    return `${id},${month},${reporter},${reporter},${lon},${lat},${location()},${l.code},${l.name},${CRIME_TYPES[type]},${quote(outcome)},`;
  };
  const writeFile = (rel: string, text: string) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    files.push(rel);
  };

  for (let m = 0; m < M; m++) {
    const season = 1 + 0.12 * Math.sin((2 * Math.PI * (first + m)) / 12);
    // rows per filing force
    const byForce: string[][] = spec.forces.map(() => []);
    const located: number[][] = spec.forces.map(() => []); // (lsoa·K + type) of each row, for the truth
    for (let i0 = 0; i0 < N; i0++) {
      const l0 = lsoas[i0]!;
      // which code is live this month
      const split = splitInto.get(i0);
      const isNew = i0 >= N - 2 * (spec.vintageChange?.splitLsoas ?? 0);
      if (isNew) continue; // generated through its parent
      const f = l0.force;
      const g = 1 + trend[f]! * (m / 12);
      for (let k = 0; k < K; k++) {
        const lam = l0.lambda * TYPE_SHARES[k]! * season * Math.max(0.2, g);
        const y0 = poisson(rng, lam);
        let y = y0;
        if (k === K - 1 && treatedF.has(f) && m >= effectAt) {
          y = 0;
          for (let r = 0; r < y0; r++) if (rng.uniform() < 1 + spec.effect) y++;
        }
        for (let r = 0; r < y; r++) {
          let i = i0;
          if (split && m >= changeAt) i = split[rng.int(2)]!;
          const l = lsoas[i]!;
          const j = i0 % (spec.forces[f]!.lsoas) < spec.borderLsoas && rng.uniform() < spec.crossBorderShare ? (f + 1) % F : f;
          byForce[j]!.push(streetRow(l, k, spec.forces[j]!.name, months[m]!));
          located[j]!.push(i * K + k);
        }
        if (k === K - 1) {
          // y0 and the effect are kept under the LSOA's first code (its parent, after a split)
          violenceY0[i0 * M + m] = y0;
          violenceEffect[i0 * M + m] = y - y0;
        }
      }
    }
    for (let f = 0; f < F; f++) {
      const fs = spec.forces[f]!;
      if (missing[f * M + m]) continue;
      const rows = byForce[f]!;
      for (const key of located[f]!) counts[(Math.floor(key / K) * M + m) * K + (key % K)]!++;
      const nUnl = poisson(rng, rows.length * (fs.unlocatedShare ?? 0.02));
      for (let r = 0; r < nUnl; r++) {
        const type = rng.int(K);
        const id = type === 0 ? '' : crimeId(rng);
        rows.push(`${id},${months[m]},${fs.name},${fs.name},,,No Location,,,${CRIME_TYPES[type]},${type === 0 ? '' : 'Under investigation'},`);
      }
      unlocated[f * M + m] = nUnl;
      // duplicates: copies of distinct rows with a Crime ID (rows without one are never merged)
      const withId: number[] = [];
      for (let r = 0; r < rows.length; r++) if (rows[r]!.charCodeAt(0) !== 44) withId.push(r);
      const nDup = Math.min(spec.duplicatesPerFile, withId.length);
      const picks = rng.partialShuffle(withId.length, nDup);
      for (let d = 0; d < nDup; d++) rows.push(rows[withId[picks[d]!]!]!);
      duplicates[f * M + m] = nDup;
      // shuffle the rows so duplicates and types are spread through the file
      for (let a = rows.length - 1; a > 0; a--) {
        const b = rng.int(a + 1);
        const t = rows[a]!;
        rows[a] = rows[b]!;
        rows[b] = t;
      }
      rowsW[f * M + m] = rows.length;
      totalRows += rows.length;
      writeFile(`${months[m]}/${months[m]}-${fs.slug}-street.csv`, STREET_HEADER + '\n' + rows.join('\n') + (rows.length ? '\n' : ''));
      if (spec.stopSearchPerMonth > 0) {
        const n = poisson(rng, spec.stopSearchPerMonth);
        const ss: string[] = [];
        const own = lsoas.map((_, i) => i).filter((i) => lsoas[i]!.force === f && !(splitInto.has(i) && m >= changeAt) && !(i >= N - 2 * (spec.vintageChange?.splitLsoas ?? 0) && m < changeAt));
        for (let r = 0; r < n; r++) {
          const day = String(1 + rng.int(28)).padStart(2, '0');
          let lat = '';
          let lon = '';
          if (rng.uniform() < spec.stopSearchNoCoordShare) stopSearchNoCoords[f * M + m]!++;
          else {
            const i = own[rng.int(own.length)]!;
            [lon, lat] = point(lsoas[i]!.square);
            stopSearchByLsoa[i * M + m]!++;
          }
          ss.push(`Person search,${months[m]}-${day}T1${rng.int(10)}:00:00+00:00,False,,${lat},${lon},Male,18-24,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,,False`);
        }
        stopSearch[f * M + m] = n;
        writeFile(`${months[m]}/${months[m]}-${fs.slug}-stop-and-search.csv`, STOP_SEARCH_HEADER + '\n' + ss.join('\n') + (ss.length ? '\n' : ''));
      }
    }
    if (spec.btpPerMonth > 0) {
      const n = poisson(rng, spec.btpPerMonth);
      const rows: string[] = [];
      for (let r = 0; r < n; r++) {
        const i = rng.int(N - 2 * (spec.vintageChange?.splitLsoas ?? 0));
        const l = lsoas[i]!;
        const type = 1 + rng.int(K - 1);
        const [lon, lat] = point(l.square);
        rows.push(`${crimeId(rng)},${months[m]},British Transport Police,${spec.forces[l.force]!.name},${lon},${lat},On or near Railway Station,${l.code},${l.name},${CRIME_TYPES[type]},Under investigation,`);
      }
      btpRecords += n;
      totalRows += n;
      writeFile(`${months[m]}/${months[m]}-btp-street.csv`, STREET_HEADER + '\n' + rows.join('\n') + (rows.length ? '\n' : ''));
    }
  }
  if (opts.zip) await zipFolder(root, files, join(dir, 'archive.zip'));
  return {
    spec,
    seed,
    months,
    forces: spec.forces.map((f) => f.slug),
    lsoas: lsoas.map((l) => l.code),
    lsoaForce: lsoas.map((l) => spec.forces[l.force]!.slug),
    lsoaLad: lsoas.map((l) => l.lad),
    counts,
    violenceEffect,
    violenceY0,
    missingForceMonths,
    unlocated,
    duplicates,
    rows: rowsW,
    btpRecords,
    stopSearch,
    stopSearchNoCoords,
    stopSearchByLsoa,
    squares: lsoas.map((l) => l.square),
    crosswalk,
    totalRows,
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
