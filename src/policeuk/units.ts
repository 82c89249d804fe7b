/**
 * Stages 5–7 and 9 of {@link buildPoliceUkPanel}: the LSOA vintage check, the output areas
 * with their home forces, the cells (empty where the area's force has no file), and the
 * accounting of every record used.
 */
import { InputError } from '../core/errors.js';
import { N_TYPES, monthLabel } from './format.js';
import { cmp, type PoliceUkOptions, type ReadResult, type Selection, type Side, type Warning } from './stages.js';
import type { Flags } from './flags.js';

/**
 * Stage 5. A code is of 2011 or 2021 vintage by the ONS lookup (CHGIND ≠ U: a 2011 code
 * replaced in 2021, or a new 2021 code); unchanged codes and codes the lookup does not know
 * say nothing. Codes of both vintages in one LSOA-level panel mean police.uk changed
 * vintage inside the window: the same place would be two areas, each with false zeros.
 * Only LSOA-level panels without a crosswalk can be hit: every other level maps each code
 * (of either vintage) to its area first. Months without crime are never evidence.
 */
export function checkVintage(read: ReadResult, sel: Selection, side: Side, flags: Flags): void {
  if (side.geo || side.areasCsv || side.crosswalk || flags.level !== 'lsoa') return;
  const { counts } = read;
  const M = counts.months;
  const old: { code: string; last: number }[] = [];
  const neu: { code: string; first: number }[] = [];
  for (let b = 0; b < counts.baseIds.length; b++) {
    const code = counts.baseIds[b]!;
    const v = side.ons.vintage(code);
    if (v !== '2011' && v !== '2021') continue;
    let fm = -1;
    let lm = -1;
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let k = 0; k < N_TYPES; k++) s += counts.data[(b * M + m) * N_TYPES + k]!;
      if (s > 0) {
        if (fm < 0) fm = m;
        lm = m;
      }
    }
    if (v === '2011') old.push({ code, last: lm });
    else neu.push({ code, first: fm });
  }
  if (old.length === 0 || neu.length === 0) return;
  old.sort((a, b) => cmp(a.code, b.code));
  neu.sort((a, b) => cmp(a.code, b.code));
  const label = (m: number) => (m < 0 ? '—' : monthLabel(sel.first + m));
  throw new InputError(
    'LSOA_VINTAGE_CHANGE',
    `the archive holds LSOA codes of both vintages: ${old.length} 2011 code(s) replaced in 2021 (e.g. ${old.slice(0, 4).map((x) => `${x.code} last seen ${label(x.last)}`).join(', ')}) and ${neu.length} new 2021 code(s) (e.g. ${neu.slice(0, 4).map((x) => `${x.code} first seen ${label(x.first)}`).join(', ')}), by the ONS LSOA 2011 → 2021 lookup: police.uk changed LSOA vintage inside the window, so split and merged places would be counted as different areas. Give --lsoa-crosswalk ons (the ONS lookup shipped with vru-eval) or your copy of it to count each place as one area, use a level above LSOA (--level LAD19CD, CSP19CD, PFA19CD or force), or narrow the window with --from/--to`,
    { old: old.slice(0, 100), new: neu.slice(0, 100), counts: { old: old.length, new: neu.length } },
  );
}

/** Stage 6: the output areas. */
export interface Units {
  U: number;
  unitNames: string[];
  unitIndex: Map<string, number>;
  unitBases: number[][];
  /** Home force (police.uk slug) of each area, null when unknown. */
  unitForce: (string | null)[];
  /** Where the home force came from: the ONS geography, or the force that filed most of the area's records. */
  unitFrom: ('ons' | 'records')[];
  /** Index of the home force among the archive's forces, −1 when the force has no file in the archive. */
  unitHome: Int32Array;
  unitRecords: Float64Array;
  /** Records of the area filed by its home force. */
  unitOwn: Float64Array;
}

export function makeUnits(read: ReadResult, sel: Selection, side: Side, flags: Flags, warnings: Warning[]): Units {
  const { counts } = read;
  const B = counts.baseIds.length;
  const baseForce: (string | null)[] = new Array(B).fill(null);
  const baseFrom: ('ons' | 'records')[] = new Array(B).fill('records');
  const baseRecords = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const fr = counts.forceRecords(b);
    let best = -1;
    for (let f = 0; f < sel.F; f++) {
      baseRecords[b]! += fr[f]!;
      if (fr[f]! > 0 && (best < 0 || fr[f]! > fr[best]!)) best = f;
    }
    const ons = side.geo ? null : read.membersOf(counts.baseIds[b]!).map((c) => side.ons.force(c)).find((x) => x !== null) ?? null;
    if (ons !== null) {
      baseForce[b] = ons;
      baseFrom[b] = 'ons';
    } else baseForce[b] = best >= 0 ? sel.forces[best]! : null;
  }
  const unitOfBase = (b: number): string => {
    const id = counts.baseIds[b]!;
    if (side.geo || flags.level === 'lsoa' && !side.areasCsv) return id;
    if (side.areasCsv) return read.membersOf(id).map((c) => side.areasCsv!.map.get(c)).find((a) => a !== undefined)!;
    if (flags.level === 'force') return baseForce[b] ?? id;
    return read.lookupUsed.get(id)![side.levelCol]!;
  };
  const names = new Array<string>(B);
  for (let b = 0; b < B; b++) names[b] = unitOfBase(b);
  // drawn areas with no record have no force: left out (and named)
  const unitNames = [...new Set(names.filter((_, b) => baseRecords[b]! > 0))].sort(cmp);
  if (side.geo) {
    const empty = side.geo.ids.filter((_, b) => baseRecords[b] === 0);
    if (empty.length > 0) warnings.push({ code: 'AREAS_WITHOUT_RECORDS', message: `${empty.length} drawn area(s) hold no located record in the window, so no force can be given to them and they are left out: ${empty.slice(0, 10).join(', ')}${empty.length > 10 ? ', …' : ''}` });
  }
  const unitIndex = new Map(unitNames.map((u, k) => [u, k]));
  const U = unitNames.length;
  const unitBases: number[][] = unitNames.map(() => []);
  for (let b = 0; b < B; b++) {
    const u = unitIndex.get(names[b]!);
    if (u !== undefined) unitBases[u]!.push(b);
  }
  return unitForces({ U, unitNames, unitIndex, unitBases }, baseForce, baseFrom, read, sel, side, warnings);
}

/** Each area's home force: the force of most of its base areas (all of them, for ONS areas of one force). */
function unitForces(u0: Pick<Units, 'U' | 'unitNames' | 'unitIndex' | 'unitBases'>, baseForce: (string | null)[], baseFrom: ('ons' | 'records')[], read: ReadResult, sel: Selection, side: Side, warnings: Warning[]): Units {
  const { U, unitBases } = u0;
  const unitForce: (string | null)[] = new Array(U).fill(null);
  const unitFrom: ('ons' | 'records')[] = new Array(U).fill('records');
  const unitHome = new Int32Array(U).fill(-1);
  const unitRecords = new Float64Array(U);
  const unitOwn = new Float64Array(U);
  let fromRecords = 0;
  const straddle: string[] = [];
  for (let u = 0; u < U; u++) {
    const n = new Map<string, number>();
    for (const b of unitBases[u]!) if (baseForce[b] !== null) n.set(baseForce[b]!, (n.get(baseForce[b]!) ?? 0) + 1);
    const best = [...n].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))[0];
    if (n.size > 1) straddle.push(u0.unitNames[u]!);
    unitForce[u] = best ? best[0] : null;
    unitFrom[u] = unitBases[u]!.every((b) => baseFrom[b] === 'ons') ? 'ons' : 'records';
    if (unitFrom[u] === 'records') fromRecords++;
    unitHome[u] = unitForce[u] !== null ? (sel.forceIdx.get(unitForce[u]!) ?? -1) : -1;
    for (const b of unitBases[u]!) {
      const fr = read.counts.forceRecords(b);
      for (let f = 0; f < sel.F; f++) {
        unitRecords[u]! += fr[f]!;
        if (f === unitHome[u]) unitOwn[u]! += fr[f]!;
      }
    }
  }
  if (!side.geo && fromRecords > 0) warnings.push({ code: 'FORCE_FROM_RECORDS', message: `${fromRecords} area(s) hold LSOA codes that the ONS geography does not know (not 2011 or 2021 LSOAs of England and Wales); their home force is the force that filed most of their records` });
  if (straddle.length > 0) warnings.push({ code: 'AREA_STRADDLES_FORCES', message: `${straddle.length} area(s) hold LSOAs of more than one police force (e.g. ${straddle.slice(0, 5).join(', ')}); each belongs to the force of most of its LSOAs, and its months are empty when that force has no file` });
  return { ...u0, unitForce, unitFrom, unitHome, unitRecords, unitOwn };
}

/** Stage 7: cells and the areas dropped. */
export interface Cells {
  T: number;
  /** Counts per area × month × crime type; cells of missing force-months are flagged in missingCells. */
  cell: Uint32Array;
  missingCells: Uint8Array;
  keepUnit: Uint8Array;
  /** Why an area was left out (null when kept). */
  dropReason: (null | 'other-force' | 'max-unlocated' | 'incomplete' | 'hotspots')[];
  droppedForces: { force: string; unlocatedShare: number; threshold: number; units: number }[];
  droppedIncomplete: string[];
  unlocated: { force: string; records: number; unlocated: number; share: number }[];
  otherForces: { force: string; areas: number; records: number; examples: string[] }[];
}

export function fillCells(units: Units, read: ReadResult, sel: Selection, o: PoliceUkOptions, flags: Flags, warnings: Warning[]): Cells {
  const { U, unitHome } = units;
  const { M } = sel;
  const T = M;
  const keepUnit = new Uint8Array(U).fill(1);
  const dropReason: Cells['dropReason'] = new Array(U).fill(null);
  const otherForces = otherForceAreas(units, flags, keepUnit, dropReason, warnings);
  const { unlocated, droppedForces } = maxUnlocated(units, read, sel, o, keepUnit, dropReason, warnings);
  const cell = new Uint32Array(U * T * N_TYPES);
  const missingCells = new Uint8Array(U * T);
  const data = read.counts.data;
  for (let u = 0; u < U; u++) {
    const f = unitHome[u]!;
    for (let m = 0; m < T; m++) {
      if (f < 0 || read.hasStreet[f * M + m] !== 1) {
        missingCells[u * T + m] = 1;
        continue;
      }
      const off = (u * T + m) * N_TYPES;
      for (const b of units.unitBases[u]!) {
        const src = (b * M + m) * N_TYPES;
        for (let k = 0; k < N_TYPES; k++) cell[off + k]! += data[src + k]!;
      }
    }
  }
  const droppedIncomplete: string[] = [];
  if (o.dropIncomplete) {
    for (let u = 0; u < U; u++) {
      if (!keepUnit[u]) continue;
      for (let m = 0; m < T; m++)
        if (missingCells[u * T + m]) {
          keepUnit[u] = 0;
          dropReason[u] = 'incomplete';
          droppedIncomplete.push(units.unitNames[u]!);
          break;
        }
    }
  }
  return { T, cell, missingCells, keepUnit, dropReason, droppedForces, droppedIncomplete, unlocated, otherForces };
}

/** Areas whose home force has no file in the archive: never filled from other forces' cross-border records. */
function otherForceAreas(units: Units, flags: Flags, keepUnit: Uint8Array, dropReason: Cells['dropReason'], warnings: Warning[]): Cells['otherForces'] {
  const by = new Map<string, { force: string; areas: number; records: number; examples: string[] }>();
  for (let u = 0; u < units.U; u++) {
    if (units.unitHome[u]! >= 0) continue;
    const force = units.unitForce[u] ?? '(unknown)';
    let x = by.get(force);
    if (!x) by.set(force, (x = { force, areas: 0, records: 0, examples: [] }));
    x.areas++;
    x.records += units.unitRecords[u]!;
    if (x.examples.length < 5) x.examples.push(units.unitNames[u]!);
    if (flags.otherForceAreas === 'drop') {
      keepUnit[u] = 0;
      dropReason[u] = 'other-force';
    }
  }
  const list = [...by.values()].sort((a, b) => cmp(a.force, b.force));
  if (list.length > 0) {
    const n = list.reduce((s, x) => s + x.areas, 0);
    const r = list.reduce((s, x) => s + x.records, 0);
    const forcesText = list.map((x) => `${x.force} ${x.areas} (e.g. ${x.examples.slice(0, 3).join(', ')})`).join('; ');
    warnings.push({
      code: 'OTHER_FORCE_AREAS',
      message: `${n} area(s) belong to force(s) with no street-level file in the archive (${forcesText}); they hold only ${r} cross-border record(s) filed by other forces, not their own crime, so ${flags.otherForceAreas === 'drop' ? 'they are left out of the panel (--other-force-areas keep keeps them with every cell empty)' : 'they are kept (--other-force-areas keep) with every cell empty'}; add those forces' files to count them`,
    });
  }
  return list;
}

/** Unlocated shares by force, and --max-unlocated. */
function maxUnlocated(units: Units, read: ReadResult, sel: Selection, o: PoliceUkOptions, keepUnit: Uint8Array, dropReason: Cells['dropReason'], warnings: Warning[]): Pick<Cells, 'unlocated' | 'droppedForces'> {
  const unlocated = sel.forces.map((force, f) => {
    let recs = 0, dups = 0, unl = 0;
    for (let m = 0; m < sel.M; m++) {
      const t = read.tallyByFM.get(`street|${f}|${m}`);
      if (t) {
        recs += t.records;
        dups += t.duplicates;
        unl += t.unlocated;
      }
    }
    return { force, records: recs - dups, unlocated: unl, share: recs - dups > 0 ? unl / (recs - dups) : 0 };
  });
  const droppedForces: Cells['droppedForces'] = [];
  if (o.maxUnlocated === undefined) return { unlocated, droppedForces };
  for (const x of unlocated) {
    if (x.share <= o.maxUnlocated) continue;
    const f = sel.forceIdx.get(x.force)!;
    let n = 0;
    for (let u = 0; u < units.U; u++)
      if (units.unitHome[u] === f && keepUnit[u]) {
        keepUnit[u] = 0;
        dropReason[u] = 'max-unlocated';
        n++;
      }
    droppedForces.push({ force: x.force, unlocatedShare: x.share, threshold: o.maxUnlocated, units: n });
    warnings.push({ code: 'FORCE_DROPPED_UNLOCATED', message: `${x.force}: ${(x.share * 100).toFixed(2)}% of its records have no location (more than --max-unlocated ${(o.maxUnlocated * 100).toFixed(2)}%); its ${n} area(s) are left out of the panel` });
  }
  return { unlocated, droppedForces };
}

/** Stage 9: where every record used went. */
export interface Accounting {
  used: number;
  inPanel: number;
  inMissingForceMonths: number;
  inOtherForcesAreas: number;
  inDroppedAreas: { maxUnlocated: number; incomplete: number; hotspots: number };
}

/**
 * used = inPanel + inMissingForceMonths + inOtherForcesAreas + inDroppedAreas (records placed
 * in an area: the file-level identity records = duplicates + unlocated + outsideAreas + used
 * holds per file). A record is in exactly one bucket: its area's force has no file in the
 * archive; else its force-month is missing; else its area was dropped; else it is in the panel.
 * @throws Error (an internal error) when the identity fails.
 */
export function account(units: Units, cells: Cells, read: ReadResult): Accounting {
  const M = read.counts.months;
  const data = read.counts.data;
  const a: Accounting = { used: 0, inPanel: 0, inMissingForceMonths: 0, inOtherForcesAreas: 0, inDroppedAreas: { maxUnlocated: 0, incomplete: 0, hotspots: 0 } };
  for (const r of read.fileRows) if (r.kind === 'street') a.used += r.used ?? 0;
  for (let u = 0; u < units.U; u++) {
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (const b of units.unitBases[u]!) for (let k = 0; k < N_TYPES; k++) s += data[(b * M + m) * N_TYPES + k]!;
      if (s === 0) continue;
      const why = cells.dropReason[u];
      if (units.unitHome[u]! < 0) a.inOtherForcesAreas += s;
      else if (cells.missingCells[u * M + m]) a.inMissingForceMonths += s;
      else if (why === 'max-unlocated') a.inDroppedAreas.maxUnlocated += s;
      else if (why === 'incomplete') a.inDroppedAreas.incomplete += s;
      else if (why === 'hotspots') a.inDroppedAreas.hotspots += s;
      else a.inPanel += s;
    }
  }
  const sum = a.inPanel + a.inMissingForceMonths + a.inOtherForcesAreas + a.inDroppedAreas.maxUnlocated + a.inDroppedAreas.incomplete + a.inDroppedAreas.hotspots;
  if (sum !== a.used) throw new Error(`internal error: ${a.used} records used but ${sum} accounted for (panel ${a.inPanel}, missing force-months ${a.inMissingForceMonths}, other forces' areas ${a.inOtherForcesAreas}, dropped areas ${JSON.stringify(a.inDroppedAreas)})`);
  return a;
}
