/**
 * From police.uk archive files to a long area × month panel (`vru-eval panel police-uk`).
 *
 * Steps: list the inputs' files; keep the window and the territorial forces; read every
 * street-level file as a stream, counting (base area, month, crime type); check LSOA
 * vintages; give each area its home force (the force that filed most of its records);
 * aggregate base areas to the output level; mark force-months with no file as missing;
 * join population, stop and search, hotspots and treatment; write rows sorted by unit
 * then month. Every record read is either counted or counted in the manifest as dropped
 * with its reason.
 */
import { InputError, UsageError } from '../core/errors.js';
import { CRIME_SLUGS, CRIME_TYPES, ASB_INDEX, N_TYPES, NON_TERRITORIAL_FORCES, monthLabel, monthOrdinal } from './format.js';
import { readGeoAreas, type GeoAreas } from './geo.js';
import { Counts, StopSearchReader, StreetReader, newReadContext, type FileTally, type LsoaResolver } from './read.js';
import { openInput, streamEntry, type ArchiveEntry, type ArchiveInput } from './sources.js';
import { readAreasCsv, readCrosswalk, readLookup, readPopulation, readTreatedFile, type Crosswalk, type Lookup, type Population } from './tables.js';
import type { Manifest, ManifestFile } from './manifest.js';

export interface PoliceUkOptions {
  inputs: string[];
  /** 'lsoa' (default), 'force', or a column of --lookup (e.g. LAD19CD). */
  level?: string;
  lookup?: string;
  lookupLsoa?: string;
  /** Custom areas: a CSV (LSOA → area) or a GeoJSON file of polygons. */
  areas?: string;
  areasLsoa?: string;
  areaColumn?: string;
  areaId?: string;
  lsoaCrosswalk?: string;
  crosswalkFrom?: string;
  crosswalkTo?: string;
  /** Crime type names (police.uk's) to write as columns; default all 14. */
  crimeTypes?: string[];
  stopSearch?: boolean;
  population?: string;
  treatedAreas?: string[];
  treatedFile?: string;
  /** COLUMN=v1,v2 (a --lookup column, or 'force' for the home force). */
  treatedWhere?: string;
  start?: string;
  /** '10%' or a count. */
  hotspots?: string;
  hotspotsBy?: string;
  hotspotsBefore?: string;
  /** Rank hotspots over all areas ('all', the default) or within each area's home force. */
  hotspotsWithin?: 'all' | 'force';
  from?: string;
  to?: string;
  /** Fraction in [0, 1]. */
  maxUnlocated?: number;
  includeForces?: string[];
  dropIncomplete?: boolean;
}

export interface PoliceUkResult {
  /** The panel's CSV text in pieces (header first), generated on demand: write them in turn. */
  chunks: () => Generator<string>;
  /** The panel as one CSV string (for small panels and tests; the CLI writes `chunks`). */
  readonly csv: string;
  manifest: Manifest;
  columns: string[];
  units: number;
  periods: number;
}

/** Vintage check: a code's absence before its first (or after its last) record is implausible when exp(−λ·months) < this. */
export const VINTAGE_P = 1e-6;

function usage(code: string, msg: string, details: Record<string, unknown> = {}): never {
  throw new UsageError(code, msg, details);
}

function parseMonthFlag(flag: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  const o = monthOrdinal(v);
  if (o === null) usage('BAD_PERIOD', `${flag} '${v}' must be a month YYYY-MM, e.g. 2019-04`, { flag, value: v });
  return o;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Shortest round-trip text of a number (integers without a decimal point). */
function num(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

export async function buildPoliceUkPanel(o: PoliceUkOptions, tool: { name: string; version: string }): Promise<PoliceUkResult> {
  if (o.inputs.length === 0) usage('MISSING_INPUT', 'give at least one police.uk archive folder or zip: vru-eval panel police-uk <path>... --out panel.csv');
  const warnings: { code: string; message: string }[] = [];
  const level = o.level ?? 'lsoa';
  const geoMode = o.areas !== undefined && /\.(geo)?json$/i.test(o.areas);
  // ---- flags that conflict
  if (o.areas !== undefined && level !== 'lsoa') usage('CONFLICTING_LEVEL', '--areas defines the output areas; leave --level out (or use --lookup with --level instead of --areas)');
  if (level !== 'lsoa' && level !== 'force' && o.lookup === undefined) usage('MISSING_LOOKUP', `--level ${level} needs --lookup <file> holding an LSOA column and a '${level}' column (e.g. the ONS LSOA → LAD → PFA lookup)`);
  if (geoMode && o.lsoaCrosswalk !== undefined) usage('CONFLICTING_AREAS', '--lsoa-crosswalk applies to LSOA codes; drawn areas (--areas *.geojson) place records by their coordinates');
  if (geoMode && o.population !== undefined) usage('CONFLICTING_AREAS', '--population holds LSOA populations and cannot be joined to drawn areas (--areas *.geojson); use --areas areas.csv (LSOA → area) for rates');
  const treatmentWays = [o.treatedAreas !== undefined, o.treatedFile !== undefined, o.treatedWhere !== undefined].filter(Boolean).length;
  if (treatmentWays > 1) usage('CONFLICTING_TREATMENT', 'give one of --treated-areas, --treated-file, --treated-where');
  if ((o.treatedAreas !== undefined || o.treatedWhere !== undefined) && o.start === undefined) usage('MISSING_START', '--treated-areas and --treated-where need --start <YYYY-MM>, the first treated month');
  if (o.start !== undefined && o.treatedAreas === undefined && o.treatedWhere === undefined) usage('MISSING_TREATED', '--start needs --treated-areas or --treated-where (--treated-file carries its own starts)');
  if (o.hotspots !== undefined && (o.hotspotsBy === undefined || o.hotspotsBefore === undefined)) usage('MISSING_HOTSPOT_FLAGS', '--hotspots needs --by <crime type column> and --before <YYYY-MM> (the pre-period that ranks the areas)');
  if (o.hotspots === undefined && o.hotspotsWithin !== undefined && o.hotspotsWithin !== 'all') usage('MISSING_HOTSPOTS', '--hotspots-within goes with --hotspots <share%|count>');
  if (o.hotspots === undefined && (o.hotspotsBy !== undefined || o.hotspotsBefore !== undefined)) usage('MISSING_HOTSPOTS', '--by and --before go with --hotspots <share%|count>');
  const fromOrd = parseMonthFlag('--from', o.from);
  const toOrd = parseMonthFlag('--to', o.to);
  const startOrd = parseMonthFlag('--start', o.start);
  const beforeOrd = parseMonthFlag('--before', o.hotspotsBefore);
  if (fromOrd !== null && toOrd !== null && toOrd < fromOrd) usage('BAD_WINDOW', `--to ${o.to} is before --from ${o.from}`);
  let selectedTypes: number[];
  if (o.crimeTypes && o.crimeTypes.length > 0) {
    selectedTypes = o.crimeTypes.map((name) => {
      const k = CRIME_TYPES.findIndex((t) => t.toLowerCase() === name.toLowerCase() || CRIME_SLUGS[CRIME_TYPES.indexOf(t)] === name);
      if (k < 0) usage('UNKNOWN_CRIME_TYPE', `--crime-types '${name}' is not a police.uk crime type (choose from: ${CRIME_TYPES.join(', ')})`, { value: name });
      return k;
    });
    selectedTypes = [...new Set(selectedTypes)].sort((a, b) => a - b);
  } else selectedTypes = CRIME_TYPES.map((_, k) => k);
  let hotspotShare: number | null = null;
  let hotspotCount: number | null = null;
  if (o.hotspots !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(o.hotspots);
    if (m) {
      hotspotShare = Number(m[1]) / 100;
      if (!(hotspotShare > 0 && hotspotShare <= 1)) usage('BAD_NUMBER', `--hotspots ${o.hotspots} must be a share in (0%, 100%]`);
    } else if (/^\s*\d+\s*$/.test(o.hotspots) && Number(o.hotspots) > 0) hotspotCount = Number(o.hotspots);
    else usage('BAD_NUMBER', `--hotspots '${o.hotspots}' must be a share such as 10% or a count such as 200`);
  }
  const byColumn = o.hotspotsBy;
  if (byColumn !== undefined && byColumn !== 'all_crime' && !selectedTypes.some((k) => CRIME_SLUGS[k] === byColumn)) {
    usage('UNKNOWN_COLUMN', `--by ${byColumn} is not a column of this panel (choose all_crime or one of ${selectedTypes.map((k) => CRIME_SLUGS[k]).join(', ')})`);
  }
  let treatedWhere: { column: string; values: Set<string> } | null = null;
  if (o.treatedWhere !== undefined) {
    const m = /^([^=]+)=(.+)$/.exec(o.treatedWhere);
    if (!m) usage('BAD_TREATED_WHERE', `--treated-where '${o.treatedWhere}' must be COLUMN=v1,v2,... (e.g. PFA19CD=E23000004,E23000005, or force=kent,essex)`);
    treatedWhere = { column: m[1]!.trim(), values: new Set(m[2]!.split(',').map((s) => s.trim()).filter(Boolean)) };
    if (treatedWhere.column !== 'force' && o.lookup === undefined) usage('MISSING_LOOKUP', `--treated-where ${treatedWhere.column}=… needs --lookup holding that column (or use force=<slug>,… for the police.uk force)`);
    if (treatedWhere.column !== 'force' && geoMode) usage('CONFLICTING_AREAS', `--treated-where ${treatedWhere.column}=… needs LSOAs; drawn areas can be selected with force=<slug>,… or --treated-areas`);
  }
  const include = new Set(o.includeForces ?? []);

  // ---- side files
  const lookup: Lookup | null = o.lookup !== undefined ? readLookup(o.lookup, o.lookupLsoa) : null;
  let levelCol = -1;
  if (lookup && level !== 'lsoa' && level !== 'force') {
    levelCol = lookup.header.indexOf(level);
    if (levelCol < 0) throw new InputError('MISSING_COLUMN', `${lookup.file} has no column '${level}' (--level); its columns are: ${lookup.header.join(', ')}`, { file: lookup.file, column: level });
  }
  let whereCol = -1;
  if (treatedWhere && treatedWhere.column !== 'force') {
    whereCol = lookup!.header.indexOf(treatedWhere.column);
    if (whereCol < 0) throw new InputError('MISSING_COLUMN', `${lookup!.file} has no column '${treatedWhere.column}' (--treated-where); its columns are: ${lookup!.header.join(', ')}`, { file: lookup!.file, column: treatedWhere.column });
  }
  const crosswalk: Crosswalk | null = o.lsoaCrosswalk !== undefined ? readCrosswalk(o.lsoaCrosswalk, o.crosswalkFrom, o.crosswalkTo) : null;
  const areasCsv = o.areas !== undefined && !geoMode ? readAreasCsv(o.areas, o.areasLsoa, o.areaColumn) : null;
  const geo: GeoAreas | null = geoMode ? readGeoAreas(o.areas!, o.areaId) : null;
  const population: Population | null = o.population !== undefined ? readPopulation(o.population) : null;
  const treatedFile = o.treatedFile !== undefined ? readTreatedFile(o.treatedFile) : null;

  // ---- inputs
  const inputs: ArchiveInput[] = [];
  try {
    for (const p of o.inputs) inputs.push(await openInput(p));
    const all = inputs.flatMap((i) => i.entries);
    const excludedFiles: ManifestFile[] = [];
    const outsideWindow: string[] = [];
    const ignored = inputs.flatMap((i) => i.ignored.map((n) => (i.type === 'zip' ? `${i.path}:${n}` : n)));
    let use: ArchiveEntry[] = [];
    for (const e of all) {
      if (e.kind === 'outcomes') {
        ignored.push(e.display);
        continue;
      }
      if (e.kind === 'stop-and-search' && !o.stopSearch) {
        ignored.push(e.display);
        continue;
      }
      if (NON_TERRITORIAL_FORCES.includes(e.force) && !include.has(e.force)) {
        excludedFiles.push({ file: e.display, force: e.force, month: monthLabel(e.month), kind: e.kind, sha256: null, bytes: e.bytes, records: null, reason: 'non-territorial force (use --include-force to keep it)' });
        continue;
      }
      use.push(e);
    }
    const streetMonths = use.filter((e) => e.kind === 'street').map((e) => e.month);
    if (streetMonths.length === 0) throw new InputError('NO_STREET_FILES', `no street-level files (YYYY-MM-<force>-street.csv) in ${o.inputs.join(', ')}; give the police.uk archive folder or zip as downloaded`, { inputs: o.inputs });
    const first = fromOrd ?? Math.min(...streetMonths);
    const last = toOrd ?? Math.max(...streetMonths);
    use = use.filter((e) => {
      const inside = e.month >= first && e.month <= last;
      if (!inside) outsideWindow.push(e.display);
      return inside;
    });
    const M = last - first + 1;
    // duplicates across inputs
    const seenFM = new Map<string, ArchiveEntry>();
    for (const e of use) {
      const key = `${e.kind}|${e.force}|${e.month}`;
      const prev = seenFM.get(key);
      if (prev) throw new InputError('DUPLICATE_FORCE_MONTH', `${e.display} and ${prev.display} are both the ${e.kind} file of ${e.force} for ${monthLabel(e.month)}; give each force-month once (each police.uk download holds up to 36 months: pass only the latest, or one folder per period)`, { files: [prev.display, e.display], force: e.force, month: monthLabel(e.month) });
      seenFM.set(key, e);
    }
    const forces = [...new Set(use.filter((e) => e.kind === 'street').map((e) => e.force))].sort(cmp);
    if (forces.length === 0) throw new InputError('NO_STREET_FILES', `no street-level file falls in the window ${monthLabel(first)} … ${monthLabel(last)}`, {});
    const forceIdx = new Map(forces.map((f, k) => [f, k]));
    for (const f of include) if (!forceIdx.has(f) && !all.some((e) => e.force === f)) usage('UNKNOWN_FORCE', `--include-force ${f}: no file of that force in the inputs`);
    const F = forces.length;
    const hasStreet = new Uint8Array(F * M);
    const hasSS = new Uint8Array(F * M);
    for (const e of use) {
      const f = forceIdx.get(e.force);
      if (f === undefined) {
        // stop-and-search of a force with no street file in the window: not read
        ignored.push(e.display);
        continue;
      }
      (e.kind === 'street' ? hasStreet : hasSS)[f * M + (e.month - first)] = 1;
    }
    use = use.filter((e) => forceIdx.has(e.force));
    use.sort((a, b) => a.month - b.month || cmp(a.force, b.force) || cmp(a.kind, b.kind));

    // ---- resolve LSOA codes to base areas
    const lookupUsed = new Map<string, readonly string[]>();
    const membersOf = (code: string): string[] => (crosswalk ? (crosswalk.members.get(code) ?? [code]) : [code]);
    const resolve: LsoaResolver = (code, file, line) => {
      const base = crosswalk ? (crosswalk.rep.get(code) ?? code) : code;
      if (lookup) {
        // any code of the base's crosswalk group found in the lookup; all must agree
        const rows = membersOf(base).map((c) => lookup.rows.get(c)).filter((r): r is readonly string[] => r !== undefined);
        if (rows.length === 0) {
          throw new InputError('LSOA_NOT_IN_LOOKUP', `${file} line ${line}: LSOA ${code}${base !== code ? ` (group ${base})` : ''} is not in the lookup ${lookup.file} (column ${lookup.lsoaColumn}); use a lookup of the same LSOA vintage as the data (2011 or 2021 codes), or give --lsoa-crosswalk`, { file, line, lsoa: code, lookup: lookup.file });
        }
        const cols = [levelCol, whereCol].filter((c) => c >= 0);
        for (const c of cols) {
          const vals = new Set(rows.map((r) => r[c]!));
          if (vals.size > 1) throw new InputError('LOOKUP_DISAGREES', `${lookup.file}: the LSOAs ${membersOf(base).join(', ')} (one area on both sides of the 2011/2021 change) are given different ${lookup.header[c]} values (${[...vals].join(', ')}); fix the lookup`, { file: lookup.file, lsoa: base });
        }
        lookupUsed.set(base, rows[0]!);
      }
      if (areasCsv) {
        const hits = membersOf(base).map((c) => areasCsv.map.get(c)).filter((a): a is string => a !== undefined);
        if (hits.length === 0) return null;
        if (new Set(hits).size > 1) throw new InputError('LSOA_IN_TWO_AREAS', `${o.areas}: the LSOAs ${membersOf(base).join(', ')} (one area across the 2011/2021 change) are in different areas (${[...new Set(hits)].join(', ')})`, { file: o.areas, lsoa: base });
      }
      return base;
    };
    const counts = new Counts(M, F, geo !== null && o.stopSearch === true);
    if (geo) for (const id of geo.ids) counts.base(id);
    const ctx = newReadContext(counts, resolve, geo);

    // ---- read
    const fileRows: ManifestFile[] = [];
    const tallyByFM = new Map<string, FileTally>();
    for (const e of use) {
      const mi = e.month - first;
      const fi = forceIdx.get(e.force)!;
      const reader = e.kind === 'street' ? new StreetReader(e.display, e.month, mi, fi, ctx) : new StopSearchReader(e.display, e.month, mi, fi, ctx);
      const sha = streamEntry(e, (c) => reader.push(c));
      reader.end();
      tallyByFM.set(`${e.kind}|${fi}|${mi}`, reader.tally);
      fileRows.push({ file: e.display, force: e.force, month: monthLabel(e.month), kind: e.kind, sha256: sha, bytes: e.bytes, reason: null, ...reader.tally });
    }

    // ---- base areas: home force, vintage check
    const B = counts.baseIds.length;
    const K = N_TYPES;
    const home = new Int32Array(B).fill(-1);
    const baseRecords = new Float64Array(B);
    const crossBorder: { area: string; home: string; records: number; fromOtherForces: number }[] = [];
    for (let b = 0; b < B; b++) {
      const fr = counts.forceRecords(b);
      let best = -1;
      let tot = 0;
      for (let f = 0; f < F; f++) {
        tot += fr[f]!;
        if (fr[f]! > 0 && (best < 0 || fr[f]! > fr[best]!)) best = f;
      }
      home[b] = best;
      baseRecords[b] = tot;
      if (best >= 0 && fr[best]! < tot) crossBorder.push({ area: counts.baseIds[b]!, home: forces[best]!, records: tot, fromOtherForces: tot - fr[best]! });
    }
    const cellTotal = (b: number, m: number): number => {
      let s = 0;
      const off = (b * M + m) * K;
      for (let k = 0; k < K; k++) s += counts.data[off + k]!;
      return s;
    };
    if (!geo) {
      const changed: { code: string; kind: 'appears' | 'vanishes'; month: string; absentMonths: number }[] = [];
      for (let b = 0; b < B; b++) {
        const f = home[b]!;
        if (f < 0) continue;
        const reported: number[] = [];
        for (let m = 0; m < M; m++) if (hasStreet[f * M + m]) reported.push(m);
        let fi = -1;
        let li = -1;
        for (let j = 0; j < reported.length; j++) {
          if (cellTotal(b, reported[j]!) > 0) {
            if (fi < 0) fi = j;
            li = j;
          }
        }
        if (fi < 0) continue;
        let recs = 0;
        for (let j = fi; j <= li; j++) recs += cellTotal(b, reported[j]!);
        const lambda = recs / (li - fi + 1);
        const before = fi;
        const after = reported.length - 1 - li;
        if (before > 0 && Math.exp(-lambda * before) < VINTAGE_P) changed.push({ code: counts.baseIds[b]!, kind: 'appears', month: monthLabel(first + reported[fi]!), absentMonths: before });
        if (after > 0 && Math.exp(-lambda * after) < VINTAGE_P) changed.push({ code: counts.baseIds[b]!, kind: 'vanishes', month: monthLabel(first + reported[li]!), absentMonths: after });
      }
      if (changed.length > 0) {
        changed.sort((a, b) => cmp(a.code, b.code));
        const shown = changed.slice(0, 8).map((c) => (c.kind === 'appears' ? `${c.code} first appears in ${c.month}` : `${c.code} vanishes after ${c.month}`)).join('; ');
        throw new InputError('LSOA_VINTAGE_CHANGE', `${changed.length} LSOA code(s) appear or vanish part-way through the window (${shown}${changed.length > 8 ? '; …' : ''}): police.uk moved from 2011 to 2021 LSOAs, so the same place has different codes before and after. Give --lsoa-crosswalk <ONS LSOA 2011 → 2021 lookup> to count them as one area, or narrow the window with --from/--to`, { codes: changed.slice(0, 200), count: changed.length });
      }
    }

    // ---- units
    const unitOfBase: string[] = new Array(B);
    for (let b = 0; b < B; b++) {
      const id = counts.baseIds[b]!;
      if (geo) unitOfBase[b] = id;
      else if (areasCsv) {
        const hits = membersOf(id).map((c) => areasCsv.map.get(c)).filter((a): a is string => a !== undefined);
        unitOfBase[b] = hits[0]!;
      } else if (level === 'lsoa') unitOfBase[b] = id;
      else if (level === 'force') unitOfBase[b] = home[b]! >= 0 ? forces[home[b]!]! : id;
      else unitOfBase[b] = lookupUsed.get(id)![levelCol]!;
    }
    // geo areas with no record at all have no home force: they are kept only if they had records
    const unitNames = [...new Set(counts.baseIds.map((_, b) => unitOfBase[b]!).filter((_, b) => baseRecords[b]! > 0 || home[b]! >= 0))].sort(cmp);
    if (geo) {
      const empty = geo.ids.filter((_, b) => baseRecords[b] === 0);
      if (empty.length > 0) warnings.push({ code: 'AREAS_WITHOUT_RECORDS', message: `${empty.length} drawn area(s) hold no located record in the window, so no force can be given to them and they are left out: ${empty.slice(0, 10).join(', ')}${empty.length > 10 ? ', …' : ''}` });
    }
    const unitIndex = new Map(unitNames.map((u, k) => [u, k]));
    const U = unitNames.length;
    const unitBases: number[][] = unitNames.map(() => []);
    for (let b = 0; b < B; b++) {
      const u = unitIndex.get(unitOfBase[b]!);
      if (u !== undefined) unitBases[u]!.push(b);
    }
    const unitHome = new Int32Array(U).fill(-1);
    const unitForceRecs = new Float64Array(F);
    for (let u = 0; u < U; u++) {
      unitForceRecs.fill(0);
      for (const b of unitBases[u]!) {
        const fr = counts.forceRecords(b);
        for (let f = 0; f < F; f++) unitForceRecs[f]! += fr[f]!;
      }
      let best = -1;
      for (let f = 0; f < F; f++) if (unitForceRecs[f]! > 0 && (best < 0 || unitForceRecs[f]! > unitForceRecs[best]!)) best = f;
      unitHome[u] = best;
    }

    // ---- unlocated shares and --max-unlocated
    const unlocated = forces.map((force, f) => {
      let recs = 0, dups = 0, unl = 0;
      for (let m = 0; m < M; m++) {
        const t = tallyByFM.get(`street|${f}|${m}`);
        if (t) {
          recs += t.records;
          dups += t.duplicates;
          unl += t.unlocated;
        }
      }
      const share = recs - dups > 0 ? unl / (recs - dups) : 0;
      return { force, records: recs - dups, unlocated: unl, share };
    });
    const droppedForces: { force: string; unlocatedShare: number; threshold: number; units: number }[] = [];
    const keepUnit = new Uint8Array(U).fill(1);
    if (o.maxUnlocated !== undefined) {
      for (const x of unlocated) {
        if (x.share > o.maxUnlocated) {
          const f = forceIdx.get(x.force)!;
          let n = 0;
          for (let u = 0; u < U; u++) if (unitHome[u] === f && keepUnit[u]) {
            keepUnit[u] = 0;
            n++;
          }
          droppedForces.push({ force: x.force, unlocatedShare: x.share, threshold: o.maxUnlocated, units: n });
          warnings.push({ code: 'FORCE_DROPPED_UNLOCATED', message: `${x.force}: ${(x.share * 100).toFixed(2)}% of its records have no location (more than --max-unlocated ${(o.maxUnlocated * 100).toFixed(2)}%); its ${n} area(s) are left out of the panel` });
        }
      }
    }

    // ---- cells
    const T = M;
    const nT = K;
    // counts per unit × month × type (integers); cells of missing force-months are flagged in missingCells
    const cell = new Uint32Array(U * T * nT);
    const missingCells = new Uint8Array(U * T);
    for (let u = 0; u < U; u++) {
      const f = unitHome[u]!;
      for (let m = 0; m < T; m++) {
        const present = f >= 0 && hasStreet[f * M + m] === 1;
        if (!present) {
          missingCells[u * T + m] = 1;
          continue;
        }
        const off = (u * T + m) * nT;
        for (const b of unitBases[u]!) {
          const src = (b * M + m) * K;
          for (let k = 0; k < K; k++) cell[off + k]! += counts.data[src + k]!;
        }
      }
    }
    const droppedIncomplete: string[] = [];
    if (o.dropIncomplete) {
      for (let u = 0; u < U; u++) {
        if (!keepUnit[u]) continue;
        for (let m = 0; m < T; m++) if (missingCells[u * T + m]) {
          keepUnit[u] = 0;
          droppedIncomplete.push(unitNames[u]!);
          break;
        }
      }
    }

    // ---- population
    let popInfo: Manifest['population'] = null;
    let pop: Float64Array | null = null;
    if (population) {
      pop = new Float64Array(U * T).fill(Number.NaN);
      const years = population.years;
      const yearUsed = new Map<number, number>();
      for (let m = 0; m < T; m++) {
        const y = Math.floor((first + m) / 12);
        let use2 = y;
        if (!years.includes(y)) use2 = y > years[years.length - 1]! ? years[years.length - 1]! : years[0]!;
        yearUsed.set(y, use2);
      }
      for (const [y, used] of yearUsed) {
        if (y !== used) warnings.push({ code: y > used ? 'POPULATION_CARRIED_FORWARD' : 'POPULATION_CARRIED_BACK', message: `${population.file} has no ${y} estimate: months of ${y} use the mid-${used} estimate (${y > used ? 'carried forward' : 'carried back'})` });
      }
      for (let u = 0; u < U; u++) {
        if (!keepUnit[u]) continue;
        for (let m = 0; m < T; m++) {
          const y = yearUsed.get(Math.floor((first + m) / 12))!;
          let s = 0;
          for (const b of unitBases[u]!) {
            let found = false;
            for (const code of membersOf(counts.baseIds[b]!)) {
              const v = population.byCode.get(code)?.get(y);
              if (v !== undefined) {
                s += v;
                found = true;
              }
            }
            if (!found) throw new InputError('MISSING_POPULATION', `${population.file}: no ${y} population for LSOA ${counts.baseIds[b]}${membersOf(counts.baseIds[b]!).length > 1 ? ` (or any of ${membersOf(counts.baseIds[b]!).join(', ')})` : ''} (area ${unitNames[u]}); add its mid-year estimate, using the LSOA codes of the data`, { file: population.file, lsoa: counts.baseIds[b], year: y, unit: unitNames[u] });
          }
          pop[u * T + m] = s;
        }
      }
      popInfo = { file: population.file, yearsInFile: years, rule: 'a month of calendar year Y gets the ONS mid-year (30 June) estimate for Y; years beyond the file use the nearest year in it', yearUsed: Object.fromEntries([...yearUsed].map(([y, u]) => [String(y), u])) };
    }

    // ---- stop and search
    let ss: Float64Array | null = null;
    const missingSS: { force: string; month: string }[] = [];
    if (o.stopSearch) {
      ss = new Float64Array(U * T).fill(Number.NaN);
      for (let f = 0; f < F; f++) for (let m = 0; m < M; m++) if (!hasSS[f * M + m]) missingSS.push({ force: forces[f]!, month: monthLabel(first + m) });
      for (let u = 0; u < U; u++) {
        const f = unitHome[u]!;
        for (let m = 0; m < T; m++) {
          if (f < 0 || !hasSS[f * M + m]) continue;
          if (geo) {
            let s = 0;
            for (const b of unitBases[u]!) s += counts.ss![b * M + m]!;
            ss[u * T + m] = s;
          } else ss[u * T + m] = ctx.ssForce[f * M + m]!;
        }
      }
    }

    // ---- column values per unit for hotspots/treatment
    const colValue = (u: number, m: number, col: string): number => {
      const off = (u * T + m) * nT;
      if (missingCells[u * T + m] === 1) return Number.NaN;
      if (col === 'all_crime') {
        let s = 0;
        for (let k = 0; k < nT; k++) if (k !== ASB_INDEX) s += cell[off + k]!;
        return s;
      }
      return cell[off + CRIME_SLUGS.indexOf(col)]!;
    };

    // ---- hotspots
    let hotspots: Manifest['hotspots'] = null;
    if (o.hotspots !== undefined) {
      const bt = beforeOrd! - first;
      if (bt <= 0 || bt > T) usage('BAD_PERIOD', `--before ${o.hotspotsBefore} must fall inside the window (${monthLabel(first + 1)} … ${monthLabel(last + 1)}) so that there is a pre-period to rank areas by`);
      const ranked: { u: number; value: number }[] = [];
      let unranked = 0;
      for (let u = 0; u < U; u++) {
        if (!keepUnit[u]) continue;
        let s = 0;
        let n = 0;
        for (let m = 0; m < bt; m++) {
          const v = colValue(u, m, byColumn!);
          if (!Number.isNaN(v)) {
            s += v;
            n++;
          }
        }
        if (n === 0) unranked++;
        else ranked.push({ u, value: s / n });
      }
      // Rank over all areas, or within each area's home force (--hotspots-within force).
      const within = o.hotspotsWithin ?? 'all';
      const groupName = (u: number): string => (within === 'force' ? (unitHome[u]! >= 0 ? forces[unitHome[u]!]! : '(no home force)') : 'all');
      const byGroup = new Map<string, { u: number; value: number }[]>();
      for (const r of ranked) {
        const g = groupName(r.u);
        const list = byGroup.get(g);
        if (list) list.push(r);
        else byGroup.set(g, [r]);
      }
      const groups: NonNullable<Manifest['hotspots']>['groups'] & object = [];
      const keptSet = new Set<number>();
      for (const g of [...byGroup.keys()].sort(cmp)) {
        const list = byGroup.get(g)!;
        list.sort((a, b) => b.value - a.value || cmp(unitNames[a.u]!, unitNames[b.u]!));
        const want = hotspotShare !== null ? Math.ceil(hotspotShare * list.length) : Math.min(hotspotCount!, list.length);
        const cutoff = want > 0 ? list[want - 1]!.value : Number.POSITIVE_INFINITY;
        const kept = list.filter((r) => r.value >= cutoff);
        for (const r of kept) keptSet.add(r.u);
        groups.push({ group: g, candidates: list.length, target: want, cutoff, tiedAtCutoff: list.filter((r) => r.value === cutoff).length, kept: kept.length });
      }
      for (let u = 0; u < U; u++) if (keepUnit[u] && !keptSet.has(u)) keepUnit[u] = 0;
      const want = groups.reduce((a, g) => a + g.target, 0);
      const keptN = groups.reduce((a, g) => a + g.kept, 0);
      const tied = groups.reduce((a, g) => a + g.tiedAtCutoff, 0);
      hotspots = {
        by: byColumn!,
        before: o.hotspotsBefore!,
        rankedBy: `mean monthly ${byColumn} over the observed months ${monthLabel(first)} … ${monthLabel(beforeOrd! - 1)}${within === 'force' ? ', ranked within each area\'s home force' : ''}`,
        requested: o.hotspots,
        candidates: ranked.length,
        unranked,
        target: want,
        cutoff: within === 'all' ? (groups[0]?.cutoff ?? null) : null,
        tiedAtCutoff: tied,
        kept: keptN,
        extraFromTies: keptN - want,
        within,
        groups: within === 'force' ? groups : null,
      };
      for (const g of groups)
        if (g.kept > g.target) warnings.push({ code: 'HOTSPOT_TIES', message: `${g.tiedAtCutoff} area(s)${within === 'force' ? ` of ${g.group}` : ''} tie at the hotspot cut-off (${g.cutoff} a month); all are kept, so ${g.kept} areas instead of ${g.target}` });
    }

    // ---- treatment
    const treatedStart = new Int32Array(U).fill(-1);
    const treatedInfo: { unit: string; start: string }[] = [];
    const startIndexOf = (ord: number, what: string): number => {
      if (ord < first || ord > last) usage('START_OUT_OF_RANGE', `${what} ${monthLabel(ord)} is outside the window ${monthLabel(first)} … ${monthLabel(last)}`);
      return ord - first;
    };
    if (o.treatedAreas) {
      const si = startIndexOf(startOrd!, '--start');
      for (const a of o.treatedAreas) {
        const u = unitIndex.get(a);
        if (u === undefined) throw new InputError('UNKNOWN_UNIT', `--treated-areas names '${a}', which is not an area of the panel (e.g. ${unitNames.slice(0, 3).join(', ')}); use the codes of --level ${level}`, { unit: a });
        treatedStart[u] = si;
      }
    } else if (treatedFile) {
      for (const [a, v] of treatedFile) {
        const u = unitIndex.get(a);
        if (u === undefined) throw new InputError('UNKNOWN_UNIT', `${o.treatedFile} line ${v.line}: '${a}' is not an area of the panel (e.g. ${unitNames.slice(0, 3).join(', ')})`, { file: o.treatedFile, line: v.line, unit: a });
        treatedStart[u] = startIndexOf(v.start, `${o.treatedFile} line ${v.line}: start`);
      }
    } else if (treatedWhere) {
      const si = startIndexOf(startOrd!, '--start');
      const matchedValues = new Set<string>();
      for (let u = 0; u < U; u++) {
        let inside = 0;
        let outside = 0;
        if (treatedWhere.column === 'force') {
          const f = unitHome[u]!;
          if (f >= 0 && treatedWhere.values.has(forces[f]!)) {
            inside++;
            matchedValues.add(forces[f]!);
          } else outside++;
        } else {
          for (const b of unitBases[u]!) {
            const v = lookupUsed.get(counts.baseIds[b]!)![whereCol]!;
            if (treatedWhere.values.has(v)) {
              inside++;
              matchedValues.add(v);
            } else outside++;
          }
        }
        if (inside > 0 && outside > 0) throw new InputError('AREA_STRADDLES', `area ${unitNames[u]} has LSOAs both inside and outside ${treatedWhere.column} = ${[...treatedWhere.values].join(',')}; choose a --level nested in ${treatedWhere.column}`, { unit: unitNames[u] });
        if (inside > 0) treatedStart[u] = si;
      }
      const unmatched = [...treatedWhere.values].filter((v) => !matchedValues.has(v));
      if (unmatched.length > 0) warnings.push({ code: 'TREATED_WHERE_UNMATCHED', message: `--treated-where ${treatedWhere.column}: no area has ${unmatched.join(', ')}` });
    }
    for (let u = 0; u < U; u++) if (treatedStart[u]! >= 0 && keepUnit[u]) treatedInfo.push({ unit: unitNames[u]!, start: monthLabel(first + treatedStart[u]!) });
    if (treatmentWays === 0) warnings.push({ code: 'NO_TREATMENT', message: 'no treatment flags given: the treated column is 0 everywhere (use --treated-areas, --treated-file or --treated-where)' });

    // ---- write
    const typeCols = selectedTypes.map((k) => CRIME_SLUGS[k]!);
    const columns = ['unit', 'period', ...typeCols, 'all_crime'];
    if (pop) columns.push('population', ...typeCols.map((c) => `${c}_rate`), 'all_crime_rate');
    if (ss) columns.push('stop_search');
    columns.push('treated');
    const header = columns.join(',');
    const csvCell = (x: string) => (/[",\n\r]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);
    let keptUnits = 0;
    let emptyCells = 0;
    for (let u = 0; u < U; u++) {
      if (!keepUnit[u]) continue;
      keptUnits++;
      for (let m = 0; m < T; m++) if (missingCells[u * T + m] === 1) emptyCells++;
    }
    /** The panel's text in pieces of about `rowsPerChunk` rows (the header first), so a national panel is never one string. */
    function* chunks(rowsPerChunk = 8192): Generator<string> {
      const vals = new Array<string>(columns.length);
      let lines: string[] = [header];
      for (let u = 0; u < U; u++) {
        if (!keepUnit[u]) continue;
        const name = csvCell(unitNames[u]!);
        for (let m = 0; m < T; m++) {
          const off = (u * T + m) * nT;
          const miss = missingCells[u * T + m] === 1;
          let j = 0;
          vals[j++] = name;
          vals[j++] = monthLabel(first + m);
          let all = 0;
          for (let k = 0; k < nT; k++) if (k !== ASB_INDEX) all += cell[off + k]!;
          for (const k of selectedTypes) vals[j++] = miss ? '' : num(cell[off + k]!);
          vals[j++] = miss ? '' : num(all);
          if (pop) {
            const p = pop[u * T + m]!;
            vals[j++] = num(p);
            for (const k of selectedTypes) vals[j++] = miss ? '' : num((cell[off + k]! / p) * 1e5);
            vals[j++] = miss ? '' : num((all / p) * 1e5);
          }
          if (ss) vals[j++] = num(ss[u * T + m]!);
          vals[j++] = treatedStart[u]! >= 0 && m >= treatedStart[u]! ? '1' : '0';
          lines.push(vals.join(','));
          if (lines.length >= rowsPerChunk) {
            yield lines.join('\n') + '\n';
            lines = [];
          }
        }
      }
      if (lines.length > 0) yield lines.join('\n') + '\n';
    }
    if (keptUnits === 0) throw new InputError('EMPTY_PANEL', 'no area is left in the panel (every area was dropped by --max-unlocated, --drop-incomplete, --hotspots or --areas); relax those flags', {});

    // ---- manifest
    const missingForceMonths: { force: string; month: string }[] = [];
    for (let f = 0; f < F; f++) for (let m = 0; m < M; m++) if (!hasStreet[f * M + m]) missingForceMonths.push({ force: forces[f]!, month: monthLabel(first + m) });
    if (missingForceMonths.length > 0) warnings.push({ code: 'MISSING_FORCE_MONTHS', message: `${missingForceMonths.length} force-month(s) have no street-level file; their areas' cells are empty (missing), not 0: ${missingForceMonths.slice(0, 6).map((x) => `${x.force} ${x.month}`).join(', ')}${missingForceMonths.length > 6 ? ', …' : ''}` });
    if (geo && geo.overlaps() > 0) warnings.push({ code: 'AREAS_OVERLAP', message: `${geo.overlaps()} record(s) fell in more than one drawn area; each was counted in the first area by id` });
    const totals = { records: 0, duplicates: 0, unlocated: 0, outsideAreas: 0, used: 0 };
    for (const r of fileRows) if (r.kind === 'street') for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k] as number;
    const manifest: Manifest = {
      manifestVersion: 1,
      tool,
      source: 'police.uk street-level crime archive',
      options: {
        level,
        lookup: o.lookup ?? null,
        lookupLsoa: lookup ? lookup.lsoaColumn : null,
        areas: o.areas ?? null,
        areasLsoa: areasCsv ? areasCsv.lsoaColumn : null,
        areaColumn: areasCsv ? areasCsv.areaColumn : null,
        areaId: geo ? geo.idProperty : null,
        crosswalkFrom: crosswalk ? crosswalk.from : null,
        crosswalkTo: crosswalk ? crosswalk.to : null,
        areasKind: o.areas === undefined ? null : geo ? 'geojson' : 'csv',
        lsoaCrosswalk: o.lsoaCrosswalk ?? null,
        crimeTypes: selectedTypes.map((k) => CRIME_TYPES[k]!),
        stopSearch: o.stopSearch === true,
        population: o.population ?? null,
        treatedAreas: o.treatedAreas ?? null,
        treatedFile: o.treatedFile ?? null,
        treatedWhere: o.treatedWhere ?? null,
        start: o.start ?? null,
        hotspots: o.hotspots ?? null,
        by: o.hotspotsBy ?? null,
        before: o.hotspotsBefore ?? null,
        hotspotsWithin: o.hotspots !== undefined ? (o.hotspotsWithin ?? 'all') : null,
        from: monthLabel(first),
        to: monthLabel(last),
        maxUnlocated: o.maxUnlocated ?? null,
        includeForces: [...include].sort(cmp),
        dropIncomplete: o.dropIncomplete === true,
      },
      inputs: inputs.map((i) => ({ path: i.path, type: i.type, sha256: i.sha256, files: i.entries.length })),
      files: fileRows,
      excludedFiles,
      outsideWindow,
      ignoredFiles: ignored.sort(cmp),
      window: { from: monthLabel(first), to: monthLabel(last), months: M },
      forces,
      missingForceMonths,
      missingStopSearchMonths: o.stopSearch ? missingSS : null,
      records: {
        ...totals,
        dedupe: 'exact duplicate rows with a Crime ID count once within their street-level file (64-bit hash of the row bytes; P(any false duplicate) ≈ n²/2⁶⁵ for a file of n rows); rows without a Crime ID (anti-social behaviour) are never merged: separate incidents at one anonymised map point give identical rows',
      },
      unlocated,
      droppedForces,
      crossBorder: { areas: crossBorder.length, records: crossBorder.reduce((s, x) => s + x.fromOtherForces, 0), first: crossBorder.slice(0, 20) },
      crosswalk: crosswalk ? { file: crosswalk.file, from: crosswalk.from, to: crosswalk.to, groupsOfSeveralCodes: [...crosswalk.members.values()].filter((g) => g.length > 1).length } : null,
      units: {
        level: geo ? 'drawn areas' : areasCsv ? 'areas (LSOA list)' : level,
        found: U,
        kept: keptUnits,
        droppedIncomplete,
        homeForce: 'each area belongs to the force that filed most of its records; its months with no file from that force are empty',
      },
      hotspots,
      treated: treatedInfo,
      population: popInfo,
      panel: { columns, rows: keptUnits * T, emptyCells },
      warnings,
    };
    return {
      chunks,
      get csv() {
        return [...chunks()].join('');
      },
      manifest,
      columns,
      units: keptUnits,
      periods: T,
    };
  } finally {
    for (const i of inputs) i.close();
  }
}
