/**
 * Stage 10 of {@link buildPoliceUkPanel}: the panel CSV (generated in chunks) and its manifest.
 */
import { InputError } from '../core/errors.js';
import { ASB_INDEX, CRIME_SLUGS, CRIME_TYPES, N_TYPES, monthLabel } from './format.js';
import { cmp, type PoliceUkOptions, type PoliceUkResult, type ReadResult, type Selection, type Side, type Warning } from './stages.js';
import type { Flags } from './flags.js';
import type { Accounting, Cells, Units } from './units.js';
import type { Manifest } from './manifest.js';
import { ONS_GEOGRAPHY_SOURCE } from './ons.js';

export interface Built {
  o: PoliceUkOptions;
  flags: Flags;
  side: Side;
  sel: Selection;
  read: ReadResult;
  units: Units;
  cells: Cells;
  pop: { pop: Float64Array; info: Manifest['population'] } | null;
  ss: { ss: Float64Array; missing: { force: string; month: string; reason: string }[] } | null;
  hotspots: Manifest['hotspots'];
  treated: { start: Int32Array; info: { unit: string; start: string }[] };
  accounting: Accounting;
  warnings: Warning[];
  tool: { name: string; version: string };
}

/** Shortest round-trip text of a number (integers without a decimal point); NaN → empty. */
const num = (v: number): string => (Number.isNaN(v) ? '' : String(v));
const csvCell = (x: string) => (/[",\n\r]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);

export function assemble(x: Built): PoliceUkResult {
  const { units, cells, flags } = x;
  const typeCols = flags.selectedTypes.map((k) => CRIME_SLUGS[k]!);
  const columns = ['unit', 'period', ...typeCols, 'all_crime'];
  if (x.pop) columns.push('population', ...typeCols.map((c) => `${c}_rate`), 'all_crime_rate');
  if (x.ss) columns.push('stop_search');
  columns.push('treated');
  let keptUnits = 0;
  let emptyCells = 0;
  let emptyStopSearchCells = 0;
  const T = cells.T;
  for (let u = 0; u < units.U; u++) {
    if (!cells.keepUnit[u]) continue;
    keptUnits++;
    for (let m = 0; m < T; m++) {
      if (cells.missingCells[u * T + m] === 1) emptyCells++;
      if (x.ss && Number.isNaN(x.ss.ss[u * T + m]!)) emptyStopSearchCells++;
    }
  }
  if (keptUnits === 0) throw new InputError('EMPTY_PANEL', `no area is left in the panel (every area was dropped by --max-unlocated, --drop-incomplete, --hotspots, --areas or as another force's area: ${x.warnings.map((w) => w.code).join(', ') || 'no warnings'}); relax those flags or add the forces' files`, {});
  const chunks = (rowsPerChunk = 8192) => panelChunks(x, columns, rowsPerChunk);
  const manifest = buildManifest(x, columns, keptUnits, emptyCells, emptyStopSearchCells);
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
}

/** The panel's text in pieces of about `rowsPerChunk` rows (the header first), so a national panel is never one string. */
function* panelChunks(x: Built, columns: string[], rowsPerChunk: number): Generator<string> {
  const { units, cells, flags, sel } = x;
  const T = cells.T;
  const vals = new Array<string>(columns.length);
  let lines: string[] = [columns.join(',')];
  for (let u = 0; u < units.U; u++) {
    if (!cells.keepUnit[u]) continue;
    const name = csvCell(units.unitNames[u]!);
    const ts = x.treated.start[u]!;
    for (let m = 0; m < T; m++) {
      const off = (u * T + m) * N_TYPES;
      const miss = cells.missingCells[u * T + m] === 1;
      let j = 0;
      vals[j++] = name;
      vals[j++] = monthLabel(sel.first + m);
      let all = 0;
      for (let k = 0; k < N_TYPES; k++) if (k !== ASB_INDEX) all += cells.cell[off + k]!;
      for (const k of flags.selectedTypes) vals[j++] = miss ? '' : num(cells.cell[off + k]!);
      vals[j++] = miss ? '' : num(all);
      if (x.pop) {
        const p = x.pop.pop[u * T + m]!;
        vals[j++] = num(p);
        for (const k of flags.selectedTypes) vals[j++] = miss ? '' : num((cells.cell[off + k]! / p) * 1e5);
        vals[j++] = miss ? '' : num((all / p) * 1e5);
      }
      if (x.ss) vals[j++] = num(x.ss.ss[u * T + m]!);
      vals[j++] = ts >= 0 && m >= ts ? '1' : '0';
      lines.push(vals.join(','));
      if (lines.length >= rowsPerChunk) {
        yield lines.join('\n') + '\n';
        lines = [];
      }
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

function missingForceMonths(x: Built): { force: string; month: string; reason?: string }[] {
  const { sel, read } = x;
  const out: { force: string; month: string; reason?: string }[] = [];
  const fileThere = new Set(read.fileRows.filter((r) => r.kind === 'street').map((r) => `${r.force}|${r.month}`));
  for (let f = 0; f < sel.F; f++)
    for (let m = 0; m < sel.M; m++)
      if (!read.hasStreet[f * sel.M + m]) {
        const month = monthLabel(sel.first + m);
        // reason only for a file that is there but holds no located record
        out.push(fileThere.has(`${sel.forces[f]}|${month}`) ? { force: sel.forces[f]!, month, reason: 'file with no located record' } : { force: sel.forces[f]!, month });
      }
  return out;
}

function buildManifest(x: Built, columns: string[], keptUnits: number, emptyCells: number, emptyStopSearchCells: number): Manifest {
  const { o, flags, side, sel, read, units, cells, warnings } = x;
  const missing = missingForceMonths(x);
  if (missing.length > 0) warnings.push({ code: 'MISSING_FORCE_MONTHS', message: `${missing.length} force-month(s) have no street-level file or a file with no located record; their areas' cells are empty (missing), not 0: ${missing.slice(0, 6).map((m) => `${m.force} ${m.month}${m.reason === undefined ? '' : ' (file with no located record)'}`).join(', ')}${missing.length > 6 ? ', …' : ''}` });
  if (x.ss && x.ss.missing.some((m) => m.reason !== 'no file')) {
    const e = x.ss.missing.filter((m) => m.reason !== 'no file');
    warnings.push({ code: 'STOP_SEARCH_UNLOCATED', message: `${e.length} stop-and-search file(s) hold no ${flags.geoMode ? 'search with coordinates' : 'search'} (e.g. ${e.slice(0, 3).map((m) => `${m.force} ${m.month}`).join(', ')}): their stop_search cells are empty, not 0` });
  }
  if (read.viaCrosswalk.length > 0) warnings.push({ code: 'LOOKUP_VIA_CROSSWALK', message: `${read.viaCrosswalk.length} LSOA code(s) are not in ${side.lookup!.file} (a lookup of the other LSOA vintage) and were placed through the ONS LSOA 2011 → 2021 lookup: ${read.viaCrosswalk.slice(0, 5).join(', ')}${read.viaCrosswalk.length > 5 ? ', …' : ''}` });
  if (side.geo && side.geo.overlaps() > 0) warnings.push({ code: 'AREAS_OVERLAP', message: `${side.geo.overlaps()} record(s) fell in more than one drawn area; each was counted in the first area by id` });
  const totals = { records: 0, duplicates: 0, unlocated: 0, outsideAreas: 0, used: 0 };
  for (const r of read.fileRows) if (r.kind === 'street') for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k] as number;
  const crossBorder = unitList(x).filter((u) => u.records > u.fromOwnForce);
  return {
    manifestVersion: 1,
    tool: x.tool,
    source: 'police.uk street-level crime archive',
    options: manifestOptions(x),
    inputs: sel.inputs.map((i) => ({ path: i.path, type: i.type, sha256: i.sha256, files: i.entries.length })),
    files: read.fileRows,
    excludedFiles: sel.excludedFiles,
    outsideWindow: sel.outsideWindow,
    ignoredFiles: sel.ignored.sort(cmp),
    window: { from: monthLabel(sel.first), to: monthLabel(sel.last), months: sel.M },
    forces: sel.forces,
    missingForceMonths: missing,
    emptyFiles: read.emptyFiles,
    missingStopSearchMonths: x.ss ? x.ss.missing : null,
    records: {
      ...totals,
      accounting: { ...x.accounting, identity: 'records = duplicates + unlocated + outsideAreas + used; used = inPanel + inMissingForceMonths + inOtherForcesAreas + inDroppedAreas (maxUnlocated + incomplete + hotspots)' },
      dedupe: 'exact duplicate rows with a Crime ID count once within their street-level file (64-bit hash of the row bytes; P(any false duplicate) ≈ n²/2⁶⁵ for a file of n rows); rows without a Crime ID (anti-social behaviour) are never merged: separate incidents at one anonymised map point give identical rows',
    },
    unlocated: cells.unlocated,
    droppedForces: cells.droppedForces,
    otherForceAreas: cells.otherForces,
    crossBorder: { areas: crossBorder.length, records: crossBorder.reduce((s, u) => s + u.records - u.fromOwnForce, 0), first: crossBorder.slice(0, 20).map((u) => ({ area: u.unit, home: u.force ?? '', records: u.records, fromOtherForces: u.records - u.fromOwnForce })) },
    crosswalk: side.crosswalk ? { file: side.crosswalk.file, from: side.crosswalk.from, to: side.crosswalk.to, groupsOfSeveralCodes: [...side.crosswalk.members.values()].filter((g) => g.length > 1).length } : null,
    geography: { ...ONS_GEOGRAPHY_SOURCE, sha256: side.ons.sha256, usedFor: side.geo ? 'not used: drawn areas take the force that filed most of their records' : `each area's home force${flags.builtInLookup ? `, --level/--treated-where ${flags.level}` : ''}${side.crosswalk?.file.includes('built in') ? ', the LSOA 2011 → 2021 crosswalk' : ''}, LSOA vintages` },
    units: {
      level: side.geo ? 'drawn areas' : side.areasCsv ? 'areas (LSOA list)' : flags.level,
      counting: side.geo ? "by polygon: each record's coordinates (police.uk's anonymised map point) placed in --areas" : "by police.uk's LSOA code field of each record",
      found: units.U,
      kept: keptUnits,
      droppedIncomplete: cells.droppedIncomplete,
      homeForce: side.geo ? 'each drawn area belongs to the force that filed most of its records' : "each area belongs to the police force area of its LSOAs (ONS LSOA → LAD → CSP → PFA, shipped with vru-eval); codes the ONS geography does not know take the force that filed most of their records. An area's months with no file from its force are empty, never filled from other forces' cross-border records",
      list: unitList(x),
    },
    hotspots: x.hotspots,
    treated: x.treated.info,
    population: x.pop ? x.pop.info : null,
    panel: { columns, rows: keptUnits * cells.T, emptyCells, emptyStopSearchCells: x.ss ? emptyStopSearchCells : null },
    warnings,
  };
}

function unitList(x: Built): NonNullable<Manifest['units']['list']> {
  const { units, cells } = x;
  return units.unitNames.map((unit, u) => ({
    unit,
    force: units.unitForce[u] ?? null,
    forceFrom: units.unitFrom[u]!,
    records: units.unitRecords[u]!,
    fromOwnForce: units.unitOwn[u]!,
    shareFromOwnForce: units.unitRecords[u]! > 0 ? units.unitOwn[u]! / units.unitRecords[u]! : null,
    kept: cells.keepUnit[u] === 1,
    dropped: cells.dropReason[u] ?? null,
  }));
}

function manifestOptions(x: Built): Record<string, unknown> {
  const { o, flags, side } = x;
  return {
    level: flags.level,
    lookup: o.lookup ?? (flags.builtInLookup ? 'built-in ONS geography' : null),
    lookupLsoa: side.lookup ? side.lookup.lsoaColumn : null,
    areas: o.areas ?? null,
    areasLsoa: side.areasCsv ? side.areasCsv.lsoaColumn : null,
    areaColumn: side.areasCsv ? side.areasCsv.areaColumn : null,
    areaId: side.geo ? side.geo.idProperty : null,
    crosswalkFrom: side.crosswalk ? side.crosswalk.from : null,
    crosswalkTo: side.crosswalk ? side.crosswalk.to : null,
    areasKind: o.areas === undefined ? null : side.geo ? 'geojson' : 'csv',
    lsoaCrosswalk: o.lsoaCrosswalk ?? null,
    crimeTypes: flags.selectedTypes.map((k) => CRIME_TYPES[k]!),
    stopSearch: o.stopSearch === true,
    population: o.population ?? null,
    populationColumn: o.populationColumn ?? null,
    populationYear: o.populationYear ?? null,
    treatedAreas: o.treatedAreas ?? null,
    treatedFile: o.treatedFile ?? null,
    treatedWhere: o.treatedWhere ?? null,
    start: o.start ?? null,
    hotspots: o.hotspots ?? null,
    by: o.hotspotsBy ?? null,
    before: o.hotspotsBefore ?? null,
    hotspotsWithin: o.hotspots !== undefined ? (o.hotspotsWithin ?? 'all') : null,
    from: monthLabel(x.sel.first),
    to: monthLabel(x.sel.last),
    maxUnlocated: o.maxUnlocated ?? null,
    includeForces: [...flags.include].sort(cmp),
    dropIncomplete: o.dropIncomplete === true,
    otherForceAreas: flags.otherForceAreas,
  };
}
