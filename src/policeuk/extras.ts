/**
 * Stage 8 of {@link buildPoliceUkPanel}: population, stop and search, hotspots and treatment.
 */
import { InputError, UsageError } from '../core/errors.js';
import { ASB_INDEX, CRIME_SLUGS, N_TYPES, monthLabel } from './format.js';
import { cmp, type PoliceUkOptions, type ReadResult, type Selection, type Side, type Warning } from './stages.js';
import type { Flags } from './flags.js';
import type { Cells, Units } from './units.js';
import type { Manifest } from './manifest.js';

/** Population per area × month: the sum over the area's LSOAs of the mid-year estimate of the month's calendar year. */
export function joinPopulation(units: Units, cells: Cells, read: ReadResult, side: Side, sel: Selection, warnings: Warning[]): { pop: Float64Array; info: Manifest['population'] } | null {
  const population = side.population;
  if (!population) return null;
  const T = cells.T;
  const pop = new Float64Array(units.U * T).fill(Number.NaN);
  const years = population.years;
  const yearUsed = new Map<number, number>();
  for (let m = 0; m < T; m++) {
    const y = Math.floor((sel.first + m) / 12);
    yearUsed.set(y, years.includes(y) ? y : y > years[years.length - 1]! ? years[years.length - 1]! : years[0]!);
  }
  for (const [y, used] of yearUsed) {
    if (y !== used) warnings.push({ code: y > used ? 'POPULATION_CARRIED_FORWARD' : 'POPULATION_CARRIED_BACK', message: `${population.file} has no ${y} estimate: months of ${y} use the mid-${used} estimate (${y > used ? 'carried forward' : 'carried back'})` });
  }
  const ids = read.counts.baseIds;
  for (let u = 0; u < units.U; u++) {
    // areas of forces with no file (kept by --other-force-areas keep) have no cell to give a rate to
    if (!cells.keepUnit[u] || units.unitHome[u]! < 0) continue;
    for (let m = 0; m < T; m++) {
      const y = yearUsed.get(Math.floor((sel.first + m) / 12))!;
      let s = 0;
      for (const b of units.unitBases[u]!) {
        let found = false;
        for (const code of read.membersOf(ids[b]!)) {
          const v = population.byCode.get(code)?.get(y);
          if (v !== undefined) {
            s += v;
            found = true;
          }
        }
        if (!found) throw new InputError('MISSING_POPULATION', `${population.file}: no ${y} population for LSOA ${ids[b]}${read.membersOf(ids[b]!).length > 1 ? ` (or any of ${read.membersOf(ids[b]!).join(', ')})` : ''} (area ${units.unitNames[u]}); add its mid-year estimate, using the LSOA codes of the data`, { file: population.file, lsoa: ids[b], year: y, unit: units.unitNames[u] });
      }
      pop[u * T + m] = s;
    }
  }
  const info = {
    file: population.file,
    yearsInFile: years,
    rule: 'a month of calendar year Y gets the ONS mid-year (30 June) estimate for Y; years beyond the file use the nearest year in it',
    yearUsed: Object.fromEntries([...yearUsed].map(([y, u]) => [String(y), u])),
    layout: population.layout,
  };
  return { pop, info };
}

/**
 * stop_search per area × month: the force-month count of searches (per drawn area with
 * --areas *.geojson); empty when the force's file for that month is absent or holds no
 * located search (for drawn areas: no search with coordinates anywhere).
 */
export function stopSearchCells(units: Units, cells: Cells, read: ReadResult, sel: Selection, o: PoliceUkOptions, flags: Flags): { ss: Float64Array; missing: { force: string; month: string; reason: string }[] } | null {
  if (!o.stopSearch) return null;
  const { M } = sel;
  const T = cells.T;
  const ss = new Float64Array(units.U * T).fill(Number.NaN);
  const fileThere = new Set(read.fileRows.filter((r) => r.kind === 'stop-and-search').map((r) => `${r.force}|${r.month}`));
  const missing: { force: string; month: string; reason: string }[] = [];
  for (let f = 0; f < sel.F; f++)
    for (let m = 0; m < M; m++)
      if (!read.hasSS[f * M + m]) {
        const month = monthLabel(sel.first + m);
        missing.push({ force: sel.forces[f]!, month, reason: fileThere.has(`${sel.forces[f]}|${month}`) ? (flags.geoMode ? 'file with no search located by coordinates' : 'file with no search') : 'no file' });
      }
  for (let u = 0; u < units.U; u++) {
    const f = units.unitHome[u]!;
    for (let m = 0; m < T; m++) {
      if (f < 0 || !read.hasSS[f * M + m]) continue;
      if (flags.geoMode) {
        let s = 0;
        for (const b of units.unitBases[u]!) s += read.counts.ss![b * M + m]!;
        ss[u * T + m] = s;
      } else ss[u * T + m] = read.ctx.ssForce[f * M + m]!;
    }
  }
  return { ss, missing };
}

/** A column's value for area u, month m (NaN when the cell is empty). */
export function colValue(cells: Cells, u: number, m: number, col: string): number {
  if (cells.missingCells[u * cells.T + m] === 1) return Number.NaN;
  const off = (u * cells.T + m) * N_TYPES;
  if (col === 'all_crime') {
    let s = 0;
    for (let k = 0; k < N_TYPES; k++) if (k !== ASB_INDEX) s += cells.cell[off + k]!;
    return s;
  }
  return cells.cell[off + CRIME_SLUGS.indexOf(col)]!;
}

/**
 * --hotspots: keep the top share (or count) of areas by their mean monthly --by over the
 * observed months before --before, over all areas or within each home force. Areas with no
 * observed pre-period month cannot be ranked and are named by force; a whole force with no
 * pre-period month is an error unless ranking within forces (then that force is left out, named).
 */
export function selectHotspots(units: Units, cells: Cells, sel: Selection, o: PoliceUkOptions, flags: Flags, warnings: Warning[]): Manifest['hotspots'] {
  if (o.hotspots === undefined) return null;
  const bt = flags.beforeOrd! - sel.first;
  if (bt <= 0 || bt > cells.T) throw new UsageError('BAD_PERIOD', `--before ${o.hotspotsBefore} must fall inside the window (${monthLabel(sel.first + 1)} … ${monthLabel(sel.last + 1)}) so that there is a pre-period to rank areas by`);
  const within = o.hotspotsWithin ?? 'all';
  const ranked: { u: number; value: number }[] = [];
  const unrankedBy = new Map<string, string[]>();
  for (let u = 0; u < units.U; u++) {
    if (!cells.keepUnit[u]) continue;
    let s = 0;
    let n = 0;
    for (let m = 0; m < bt; m++) {
      const v = colValue(cells, u, m, flags.byColumn!);
      if (!Number.isNaN(v)) {
        s += v;
        n++;
      }
    }
    if (n > 0) ranked.push({ u, value: s / n });
    else {
      const f = units.unitForce[u] ?? '(unknown)';
      unrankedBy.set(f, [...(unrankedBy.get(f) ?? []), units.unitNames[u]!]);
    }
  }
  const rankedForces = new Set(ranked.map((r) => units.unitForce[r.u] ?? '(unknown)'));
  // forces of the archive none of whose areas can be ranked (areas kept by --other-force-areas keep are never ranked)
  const wholeForces = [...unrankedBy.keys()].filter((f) => sel.forceIdx.has(f) && !rankedForces.has(f)).sort(cmp);
  if (wholeForces.length > 0 && within === 'all') {
    throw new InputError('HOTSPOTS_FORCE_UNRANKED', `--hotspots: ${wholeForces.map((f) => `${f} (${unrankedBy.get(f)!.length} areas)`).join(', ')} has no street-level file before --before ${o.hotspotsBefore}, so none of its areas can be ranked and the top ${o.hotspots} would be taken of the other forces only; give an earlier --from or later --before, leave that force out, or rank within each force with --hotspots-within force (that force is then left out, named)`, { forces: wholeForces, before: o.hotspotsBefore });
  }
  const groups = rankGroups(units, ranked, within, flags);
  const keptSet = new Set<number>(groups.flatMap((g) => g.keptUnits));
  for (let u = 0; u < units.U; u++)
    if (cells.keepUnit[u] && !keptSet.has(u)) {
      cells.keepUnit[u] = 0;
      cells.dropReason[u] = 'hotspots';
    }
  return hotspotManifest(o, flags, sel, within, ranked.length, groups, unrankedBy, wholeForces, warnings);
}

type Group = { group: string; candidates: number; target: number; cutoff: number; tiedAtCutoff: number; kept: number; keptUnits: number[] };

function rankGroups(units: Units, ranked: { u: number; value: number }[], within: 'all' | 'force', flags: Flags): Group[] {
  const byGroup = new Map<string, { u: number; value: number }[]>();
  for (const r of ranked) {
    const g = within === 'force' ? (units.unitForce[r.u] ?? '(no home force)') : 'all';
    byGroup.set(g, [...(byGroup.get(g) ?? []), r]);
  }
  return [...byGroup.keys()].sort(cmp).map((g) => {
    const list = byGroup.get(g)!;
    list.sort((a, b) => b.value - a.value || cmp(units.unitNames[a.u]!, units.unitNames[b.u]!));
    const want = flags.hotspotShare !== null ? Math.ceil(flags.hotspotShare * list.length) : Math.min(flags.hotspotCount!, list.length);
    const cutoff = want > 0 ? list[want - 1]!.value : Number.POSITIVE_INFINITY;
    const kept = list.filter((r) => r.value >= cutoff);
    return { group: g, candidates: list.length, target: want, cutoff, tiedAtCutoff: list.filter((r) => r.value === cutoff).length, kept: kept.length, keptUnits: kept.map((r) => r.u) };
  });
}

function hotspotManifest(o: PoliceUkOptions, flags: Flags, sel: Selection, within: 'all' | 'force', candidates: number, groups: Group[], unrankedBy: Map<string, string[]>, wholeForces: string[], warnings: Warning[]): Manifest['hotspots'] {
  const want = groups.reduce((a, g) => a + g.target, 0);
  const keptN = groups.reduce((a, g) => a + g.kept, 0);
  const unrankedByForce = [...unrankedBy].sort((a, b) => cmp(a[0], b[0])).map(([force, areas]) => ({ force, areas: areas.length, examples: areas.slice(0, 5), wholeForce: wholeForces.includes(force) }));
  const unranked = unrankedByForce.reduce((s, x) => s + x.areas, 0);
  if (unranked > 0) warnings.push({ code: 'HOTSPOTS_UNRANKED', message: `${unranked} area(s) have no observed month before --before ${o.hotspotsBefore} and cannot be ranked, so they are left out: ${unrankedByForce.map((x) => `${x.force} ${x.areas}${x.wholeForce ? ' (the whole force)' : ''}`).join(', ')}` });
  for (const g of groups)
    if (g.kept > g.target) warnings.push({ code: 'HOTSPOT_TIES', message: `${g.tiedAtCutoff} area(s)${within === 'force' ? ` of ${g.group}` : ''} tie at the hotspot cut-off (${g.cutoff} a month); all are kept, so ${g.kept} areas instead of ${g.target}` });
  const shareOf = within === 'force' ? `the top ${o.hotspots} of each force's ranked areas (${groups.map((g) => `${g.group}: ${g.candidates}`).join(', ')})` : `the top ${o.hotspots} of ${candidates} ranked areas of ${[...new Set(sel.forces)].filter((f) => !wholeForces.includes(f)).join(', ')}`;
  return {
    by: flags.byColumn!,
    before: o.hotspotsBefore!,
    rankedBy: `mean monthly ${flags.byColumn} over the observed months ${monthLabel(sel.first)} … ${monthLabel(flags.beforeOrd! - 1)}${within === 'force' ? ", ranked within each area's home force" : ''}`,
    requested: o.hotspots!,
    shareOf,
    candidates,
    unranked,
    unrankedByForce,
    target: want,
    cutoff: within === 'all' ? (groups[0]?.cutoff ?? null) : null,
    tiedAtCutoff: groups.reduce((a, g) => a + g.tiedAtCutoff, 0),
    kept: keptN,
    extraFromTies: keptN - want,
    within,
    groups: within === 'force' ? groups.map(({ keptUnits: _k, ...g }) => g) : null,
  };
}

/** First treated month index per area (−1 untreated). */
export function assignTreatment(units: Units, cells: Cells, read: ReadResult, side: Side, sel: Selection, o: PoliceUkOptions, flags: Flags, warnings: Warning[]): { start: Int32Array; info: { unit: string; start: string }[] } {
  const { U, unitIndex, unitNames } = units;
  const start = new Int32Array(U).fill(-1);
  const indexOf = (ord: number, what: string): number => {
    if (ord < sel.first || ord > sel.last) throw new UsageError('START_OUT_OF_RANGE', `${what} ${monthLabel(ord)} is outside the window ${monthLabel(sel.first)} … ${monthLabel(sel.last)}`);
    return ord - sel.first;
  };
  const unknown = (a: string, where: string) => new InputError('UNKNOWN_UNIT', `${where}'${a}' is not an area of the panel (e.g. ${unitNames.slice(0, 3).join(', ')}); use the codes of --level ${flags.level}`, { unit: a });
  if (o.treatedAreas) {
    const si = indexOf(flags.startOrd!, '--start');
    for (const a of o.treatedAreas) {
      const u = unitIndex.get(a);
      if (u === undefined) throw unknown(a, '--treated-areas names ');
      start[u] = si;
    }
  } else if (side.treatedFile) {
    for (const [a, v] of side.treatedFile) {
      const u = unitIndex.get(a);
      if (u === undefined) throw unknown(a, `${o.treatedFile} line ${v.line}: `);
      start[u] = indexOf(v.start, `${o.treatedFile} line ${v.line}: start`);
    }
  } else if (flags.treatedWhere) treatWhere(units, read, side, flags, indexOf(flags.startOrd!, '--start'), start, warnings);
  const info: { unit: string; start: string }[] = [];
  for (let u = 0; u < U; u++) if (start[u]! >= 0 && cells.keepUnit[u]) info.push({ unit: unitNames[u]!, start: monthLabel(sel.first + start[u]!) });
  if (flags.treatmentWays === 0) warnings.push({ code: 'NO_TREATMENT', message: 'no treatment flags given: the treated column is 0 everywhere (use --treated-areas, --treated-file or --treated-where)' });
  return { start, info };
}

function treatWhere(units: Units, read: ReadResult, side: Side, flags: Flags, si: number, start: Int32Array, warnings: Warning[]): void {
  const tw = flags.treatedWhere!;
  const matched = new Set<string>();
  for (let u = 0; u < units.U; u++) {
    let inside = 0;
    let outside = 0;
    const vals = tw.column === 'force' ? [units.unitForce[u] ?? ''] : units.unitBases[u]!.map((b) => read.lookupUsed.get(read.counts.baseIds[b]!)![side.whereCol]!);
    for (const v of vals) {
      if (tw.values.has(v)) {
        inside++;
        matched.add(v);
      } else outside++;
    }
    if (inside > 0 && outside > 0) throw new InputError('AREA_STRADDLES', `area ${units.unitNames[u]} has LSOAs both inside and outside ${tw.column} = ${[...tw.values].join(',')}; choose a --level nested in ${tw.column}`, { unit: units.unitNames[u] });
    if (inside > 0) start[u] = si;
  }
  const unmatched = [...tw.values].filter((v) => !matched.has(v));
  if (unmatched.length > 0) warnings.push({ code: 'TREATED_WHERE_UNMATCHED', message: `--treated-where ${tw.column}: no area has ${unmatched.join(', ')}` });
}
