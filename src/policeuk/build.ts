/**
 * From police.uk archive files to a long area × month panel (`vru-eval panel police-uk`).
 *
 * Stages (each a function below or in units.ts / extras.ts):
 *  1. flags      check and parse the flags (flags.ts);
 *  2. side files ONS geography (shipped), --lookup, --lsoa-crosswalk, --areas, population, treated list;
 *  3. select     list the inputs' files; keep the window and the territorial forces;
 *  4. read       stream every file, counting (base area, month, crime type) by filing force;
 *                a force-month file with no located record of a kind is missing for that kind;
 *  5. vintage    after mapping to the output level: LSOA codes of 2011 and 2021 vintage mixed
 *                (decided by the ONS lookup, never by months without crime) is an error;
 *  6. units      output areas and each area's home force (ONS geography, else its records);
 *  7. cells      cells of an area whose force has no file that month are empty; areas of forces
 *                not in the archive are dropped (or kept, empty); --max-unlocated, --drop-incomplete;
 *  8. extras     population, stop and search, hotspots, treatment;
 *  9. account    every record used is in a panel cell or a named bucket (checked, or an internal error);
 * 10. assemble   the CSV (in chunks) and the manifest.
 */
import { InputError } from '../core/errors.js';
import { NON_TERRITORIAL_FORCES, monthLabel } from './format.js';
import { readGeoAreas } from './geo.js';
import { Counts, StopSearchReader, StreetReader, newReadContext, type FileTally, type LsoaResolver } from './read.js';
import { openInput, streamEntry, type ArchiveEntry, type ArchiveInput } from './sources.js';
import { readAreasCsv, readCrosswalk, readLookup, readPopulation, readTreatedFile, type Lookup } from './tables.js';
import type { Manifest, ManifestFile } from './manifest.js';
import { checkFlags, type Flags } from './flags.js';
import { onsGeography } from './ons.js';
import { account, checkVintage, fillCells, makeUnits } from './units.js';
import { assignTreatment, joinPopulation, selectHotspots, stopSearchCells } from './extras.js';
import { assemble } from './assemble.js';
import { cmp, type PoliceUkOptions, type PoliceUkResult, type ReadResult, type Selection, type Side, type Warning } from './stages.js';

export { cmp, type PoliceUkOptions, type PoliceUkResult, type ReadResult, type Selection, type Side, type Warning } from './stages.js';

export async function buildPoliceUkPanel(o: PoliceUkOptions, tool: { name: string; version: string }): Promise<PoliceUkResult> {
  const flags = checkFlags(o);
  const side = readSideFiles(o, flags);
  const warnings: Warning[] = [];
  const inputs: ArchiveInput[] = [];
  try {
    const sel = await selectFiles(o, flags, inputs);
    const read = readFiles(sel, side, flags, o);
    checkVintage(read, sel, side, flags);
    const units = makeUnits(read, sel, side, flags, warnings);
    const cells = fillCells(units, read, sel, o, flags, warnings);
    const pop = joinPopulation(units, cells, read, side, sel, warnings);
    const ss = stopSearchCells(units, cells, read, sel, o, flags);
    const hotspots = selectHotspots(units, cells, sel, o, flags, warnings);
    const treated = assignTreatment(units, cells, read, side, sel, o, flags, warnings);
    const accounting = account(units, cells, read);
    return assemble({ o, flags, side, sel, read, units, cells, pop, ss, hotspots, treated, accounting, warnings, tool });
  } finally {
    for (const i of inputs) i.close();
  }
}

function readSideFiles(o: PoliceUkOptions, flags: Flags): Side {
  const ons = onsGeography();
  const lookup: Lookup | null = o.lookup !== undefined ? readLookup(o.lookup, o.lookupLsoa) : flags.builtInLookup ? ons.lookup : null;
  const colOf = (c: string, flag: string): number => {
    const k = lookup!.header.indexOf(c);
    if (k < 0) throw new InputError('MISSING_COLUMN', `${lookup!.file} has no column '${c}' (${flag}); its columns are: ${lookup!.header.join(', ')}`, { file: lookup!.file, column: c });
    return k;
  };
  const levelCol = lookup && flags.level !== 'lsoa' && flags.level !== 'force' ? colOf(flags.level, '--level') : -1;
  const whereCol = flags.treatedWhere && flags.treatedWhere.column !== 'force' ? colOf(flags.treatedWhere.column, '--treated-where') : -1;
  const crosswalk = o.lsoaCrosswalk === undefined ? null : o.lsoaCrosswalk === 'ons' ? ons.crosswalk() : readCrosswalk(o.lsoaCrosswalk, o.crosswalkFrom, o.crosswalkTo);
  return {
    ons, lookup, levelCol, whereCol, crosswalk,
    areasCsv: o.areas !== undefined && !flags.geoMode ? readAreasCsv(o.areas, o.areasLsoa, o.areaColumn) : null,
    geo: flags.geoMode ? readGeoAreas(o.areas!, o.areaId) : null,
    population: o.population !== undefined ? readPopulation(o.population, { column: o.populationColumn, year: o.populationYear }) : null,
    treatedFile: o.treatedFile !== undefined ? readTreatedFile(o.treatedFile) : null,
  };
}

async function selectFiles(o: PoliceUkOptions, flags: Flags, inputs: ArchiveInput[]): Promise<Selection> {
  for (const p of o.inputs) inputs.push(await openInput(p));
  const all = inputs.flatMap((i) => i.entries);
  const excludedFiles: ManifestFile[] = [];
  const ignored = inputs.flatMap((i) => i.ignored.map((n) => (i.type === 'zip' ? `${i.path}:${n}` : n)));
  let use: ArchiveEntry[] = [];
  for (const e of all) {
    if (e.kind === 'outcomes' || (e.kind === 'stop-and-search' && !o.stopSearch)) ignored.push(e.display);
    else if (NON_TERRITORIAL_FORCES.includes(e.force) && !flags.include.has(e.force)) {
      excludedFiles.push({ file: e.display, force: e.force, month: monthLabel(e.month), kind: e.kind, sha256: null, bytes: e.bytes, records: null, reason: 'non-territorial force (use --include-force to keep it)' });
    } else use.push(e);
  }
  const streetMonths = use.filter((e) => e.kind === 'street').map((e) => e.month);
  if (streetMonths.length === 0) {
    const excl = [...new Set(excludedFiles.filter((x) => x.kind === 'street').map((x) => x.force))];
    if (excl.length > 0) throw new InputError('NO_STREET_FILES', `the only street-level files in ${o.inputs.join(', ')} are of ${excl.join(', ')} (British Transport Police: records on the railways, in other forces' areas), left out by default; add --include-force ${excl.join(',')} to count them`, { inputs: o.inputs, forces: excl });
    throw new InputError('NO_STREET_FILES', `no street-level files (YYYY-MM-<force>-street.csv) in ${o.inputs.join(', ')}; give the police.uk archive folder or zip as downloaded`, { inputs: o.inputs });
  }
  const first = flags.fromOrd ?? Math.min(...streetMonths);
  const last = flags.toOrd ?? Math.max(...streetMonths);
  const outsideWindow: string[] = [];
  use = use.filter((e) => {
    const inside = e.month >= first && e.month <= last;
    if (!inside) outsideWindow.push(e.display);
    return inside;
  });
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
  for (const f of flags.include) if (!all.some((e) => e.force === f)) throw new InputError('UNKNOWN_FORCE', `--include-force ${f}: no file of that force in the inputs`, { force: f });
  for (const e of use) if (!forceIdx.has(e.force)) ignored.push(e.display); // stop and search of a force with no street file
  use = use.filter((e) => forceIdx.has(e.force));
  use.sort((a, b) => a.month - b.month || cmp(a.force, b.force) || cmp(a.kind, b.kind));
  return { inputs, use, excludedFiles, outsideWindow, ignored, first, last, M: last - first + 1, forces, forceIdx, F: forces.length };
}

function readFiles(sel: Selection, side: Side, flags: Flags, o: PoliceUkOptions): ReadResult {
  const { M, F, first } = sel;
  const lookupUsed = new Map<string, readonly string[]>();
  const membersOf = (code: string): string[] => (side.crosswalk ? (side.crosswalk.members.get(code) ?? [code]) : [code]);
  const viaCrosswalk: string[] = [];
  const resolve = makeResolver(side, o, lookupUsed, membersOf, viaCrosswalk);
  const counts = new Counts(M, F, side.geo !== null && o.stopSearch === true);
  if (side.geo) for (const id of side.geo.ids) counts.base(id);
  const ctx = newReadContext(counts, resolve, side.geo);
  const fileRows: ManifestFile[] = [];
  const tallyByFM = new Map<string, FileTally>();
  const hasStreet = new Uint8Array(F * M);
  const hasSS = new Uint8Array(F * M);
  const emptyFiles: ReadResult['emptyFiles'] = [];
  for (const e of sel.use) {
    const mi = e.month - first;
    const fi = sel.forceIdx.get(e.force)!;
    const reader = e.kind === 'street' ? new StreetReader(e.display, e.month, mi, fi, ctx) : new StopSearchReader(e.display, e.month, mi, fi, ctx);
    const sha = streamEntry(e, (c) => reader.push(c));
    reader.end();
    const t = reader.tally;
    tallyByFM.set(`${e.kind}|${fi}|${mi}`, t);
    fileRows.push({ file: e.display, force: e.force, month: monthLabel(e.month), kind: e.kind, sha256: sha, bytes: e.bytes, reason: null, ...t });
    // located anywhere (in an area or outside the areas): zeros elsewhere are real zeros
    const located = e.kind === 'street' || side.geo !== null ? t.used + t.outsideAreas > 0 : t.records > 0;
    if (located) (e.kind === 'street' ? hasStreet : hasSS)[fi * M + mi] = 1;
    else emptyFiles.push({ file: e.display, kind: e.kind, force: e.force, month: monthLabel(e.month), records: t.records });
  }
  return { counts, ctx, fileRows, tallyByFM, hasStreet, hasSS, emptyFiles, lookupUsed, membersOf, viaCrosswalk };
}

/** LSOA code → base area (crosswalk group), checked against --lookup and --areas. */
function makeResolver(side: Side, o: PoliceUkOptions, lookupUsed: Map<string, readonly string[]>, membersOf: (c: string) => string[], viaCrosswalk: string[]): LsoaResolver {
  const { lookup, crosswalk, areasCsv } = side;
  return (code, file, line) => {
    const base = crosswalk ? (crosswalk.rep.get(code) ?? code) : code;
    if (lookup) {
      let rows = membersOf(base).map((c) => lookup.rows.get(c)).filter((r): r is readonly string[] => r !== undefined);
      if (rows.length === 0) {
        // a code of the other vintage than the lookup's: its place by the ONS 2011 → 2021 lookup
        const cw = side.ons.crosswalk();
        const rep = cw.rep.get(code);
        rows = rep === undefined ? [] : cw.members.get(rep)!.map((c) => lookup.rows.get(c)).filter((r): r is readonly string[] => r !== undefined);
        if (rows.length > 0) viaCrosswalk.push(code);
      }
      if (rows.length === 0) {
        throw new InputError('LSOA_NOT_IN_LOOKUP', `${file} line ${line}: LSOA ${code}${base !== code ? ` (group ${base})` : ''} is not in the lookup ${lookup.file} (column ${lookup.lsoaColumn}); use a lookup of the same LSOA vintage as the data (2011 or 2021 codes), or give --lsoa-crosswalk`, { file, line, lsoa: code, lookup: lookup.file });
      }
      for (const c of [side.levelCol, side.whereCol].filter((k) => k >= 0)) {
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
}
