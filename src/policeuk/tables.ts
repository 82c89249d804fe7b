/**
 * The small side files of `vru-eval panel police-uk`, as users save them from ONS:
 * an LSOA → higher-geography lookup, an LSOA → custom-area list, an LSOA 2011 → 2021
 * crosswalk, LSOA mid-year population estimates and a treated-areas list. All are
 * read with the project's CSV reader (src/io/csv.ts); columns are named by flags or
 * recognised by their common ONS names.
 */
import { readCsvFile, type CsvTable } from '../io/csv.js';
import { InputError, UsageError } from '../core/errors.js';
import { monthOrdinal } from './format.js';

/** Common names of the LSOA code column in ONS lookups and population files. */
export const LSOA_COLUMNS = ['LSOA21CD', 'LSOA11CD', 'LSOA01CD', 'lsoa21cd', 'lsoa11cd', 'LSOA Code', 'LSOA code', 'lsoa_code', 'lsoa', 'LSOA'];
const YEAR_COLUMNS = ['year', 'Year', 'mid_year', 'YEAR'];
const POP_COLUMNS = ['population', 'Population', 'pop', 'All Ages', 'all_ages', 'Total', 'total'];

function pick(table: CsvTable, given: string | undefined, known: readonly string[], what: string, flag: string): number {
  if (given !== undefined) {
    const k = table.header.indexOf(given);
    if (k < 0) throw new InputError('MISSING_COLUMN', `${table.file} has no column '${given}' (${flag}); its columns are: ${table.header.join(', ')}`, { file: table.file, column: given, columns: table.header });
    return k;
  }
  for (const c of known) {
    const k = table.header.indexOf(c);
    if (k >= 0) return k;
  }
  throw new InputError('MISSING_COLUMN', `${table.file}: no ${what} column found (looked for ${known.join(', ')}; columns are: ${table.header.join(', ')}); name it with ${flag} <column>`, { file: table.file, columns: table.header, flag });
}

/** LSOA → row of a lookup file (e.g. the ONS LSOA → LAD → CSP → PFA lookup). */
export interface Lookup {
  file: string;
  lsoaColumn: string;
  header: readonly string[];
  /** LSOA code → its row's cells. */
  rows: Map<string, readonly string[]>;
}

export function readLookup(file: string, lsoaColumn: string | undefined): Lookup {
  const t = readCsvFile(file);
  const k = pick(t, lsoaColumn, LSOA_COLUMNS, 'LSOA code', '--lookup-lsoa');
  const rows = new Map<string, readonly string[]>();
  for (let r = 0; r < t.rows.length; r++) {
    const code = t.rows[r]![k]!;
    if (code === '') throw new InputError('MISSING_CELL', `${file} line ${t.lines[r]}: the LSOA code ('${t.header[k]}') is empty; every lookup row needs one`, { file, line: t.lines[r] });
    const prev = rows.get(code);
    if (prev && prev.join('\u0000') !== t.rows[r]!.join('\u0000')) {
      throw new InputError('DUPLICATE_ROW', `${file} line ${t.lines[r]}: LSOA ${code} appears twice with different values; a lookup needs one row per LSOA`, { file, line: t.lines[r], lsoa: code });
    }
    rows.set(code, t.rows[r]!);
  }
  return { file, lsoaColumn: t.header[k]!, header: t.header, rows };
}

/** LSOA → custom area (many LSOAs to one area), from a two-column CSV. */
export function readAreasCsv(file: string, lsoaColumn: string | undefined, areaColumn: string | undefined): { map: Map<string, string>; lsoaColumn: string; areaColumn: string } {
  const t = readCsvFile(file);
  const k = pick(t, lsoaColumn, LSOA_COLUMNS, 'LSOA code', '--areas-lsoa');
  const a = pick(t, areaColumn, ['area', 'Area', 'area_id', 'name'], 'area', '--area-column');
  const map = new Map<string, string>();
  for (let r = 0; r < t.rows.length; r++) {
    const code = t.rows[r]![k]!;
    const area = t.rows[r]![a]!;
    if (code === '' || area === '') throw new InputError('MISSING_CELL', `${file} line ${t.lines[r]}: empty LSOA or area cell; every row maps one LSOA to one area`, { file, line: t.lines[r] });
    const prev = map.get(code);
    if (prev !== undefined && prev !== area) throw new InputError('LSOA_IN_TWO_AREAS', `${file} line ${t.lines[r]}: LSOA ${code} is in area '${prev}' and in area '${area}'; an LSOA can belong to one area only`, { file, line: t.lines[r], lsoa: code, areas: [prev, area] });
    map.set(code, area);
  }
  return { map, lsoaColumn: t.header[k]!, areaColumn: t.header[a]! };
}

/**
 * LSOA crosswalk (e.g. ONS "LSOA (2011) to LSOA (2021)" best-fit or exact lookup): the
 * old → new pairs are joined into connected groups (a split old LSOA with its new parts, a
 * merge of old LSOAs with the new one, chains of both), and every code of a group is
 * counted under one representative, the group's smallest new code. So splits and merges
 * both give areas that are the same on either side of the change.
 */
export interface Crosswalk {
  file: string;
  from: string;
  to: string;
  /** code → representative (the group's smallest new code). */
  rep: Map<string, string>;
  /** representative → every code of its group (old and new), sorted. */
  members: Map<string, string[]>;
}

export function readCrosswalk(file: string, fromCol: string | undefined, toCol: string | undefined): Crosswalk {
  const t = readCsvFile(file);
  const f = pick(t, fromCol, ['LSOA11CD', 'lsoa11cd', 'LSOA01CD', 'from'], 'old LSOA code', '--crosswalk-from');
  const g = pick(t, toCol, ['LSOA21CD', 'lsoa21cd', 'LSOA11CD', 'to'], 'new LSOA code', '--crosswalk-to');
  if (f === g) throw new UsageError('BAD_CROSSWALK', `${file}: the old and new LSOA columns are the same ('${t.header[f]}'); name them with --crosswalk-from and --crosswalk-to`, { file });
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (parent.get(y) !== r) {
      const n = parent.get(y)!;
      parent.set(y, r);
      y = n;
    }
    return r;
  };
  const newCodes = new Set<string>();
  for (let r = 0; r < t.rows.length; r++) {
    const a = t.rows[r]![f]!;
    const b = t.rows[r]![g]!;
    if (a === '' || b === '') throw new InputError('MISSING_CELL', `${file} line ${t.lines[r]}: empty LSOA code; every crosswalk row maps one old code to one new code`, { file, line: t.lines[r] });
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    newCodes.add(b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const groups = new Map<string, string[]>();
  for (const c of parent.keys()) {
    const r = find(c);
    let g2 = groups.get(r);
    if (!g2) groups.set(r, (g2 = []));
    g2.push(c);
  }
  const rep = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const codes of groups.values()) {
    codes.sort();
    const news = codes.filter((c) => newCodes.has(c));
    const r = news[0]!;
    members.set(r, codes);
    for (const c of codes) rep.set(c, r);
  }
  return { file, from: t.header[f]!, to: t.header[g]!, rep, members };
}

/** LSOA mid-year population estimates: code → year → population. */
export interface Population {
  file: string;
  years: number[];
  byCode: Map<string, Map<number, number>>;
}

export function readPopulation(file: string): Population {
  const t = readCsvFile(file);
  const k = pick(t, undefined, LSOA_COLUMNS, 'LSOA code', '(rename the column to LSOA21CD or LSOA11CD)');
  const y = pick(t, undefined, YEAR_COLUMNS, 'year', '(rename the column to year)');
  const p = pick(t, undefined, POP_COLUMNS, 'population', '(rename the column to population)');
  const byCode = new Map<string, Map<number, number>>();
  const years = new Set<number>();
  for (let r = 0; r < t.rows.length; r++) {
    const row = t.rows[r]!;
    const year = Number(row[y]);
    if (!/^\d{4}$/.test(row[y]!)) throw new InputError('NON_NUMERIC', `${file} line ${t.lines[r]}: year '${row[y]}' is not a four-digit year (the mid-year of the estimate, e.g. 2019)`, { file, line: t.lines[r], column: t.header[y] });
    const raw = row[p]!.replace(/,/g, '');
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v) || v <= 0) throw new InputError('BAD_POPULATION', `${file} line ${t.lines[r]}: population '${row[p]}' for ${row[k]} in ${year} must be a positive number`, { file, line: t.lines[r], lsoa: row[k], year });
    let m = byCode.get(row[k]!);
    if (!m) byCode.set(row[k]!, (m = new Map()));
    if (m.has(year)) throw new InputError('DUPLICATE_ROW', `${file} line ${t.lines[r]}: ${row[k]} has two populations for ${year}; keep one row per LSOA and year`, { file, line: t.lines[r], lsoa: row[k], year });
    m.set(year, v);
    years.add(year);
  }
  return { file, years: [...years].sort((a, b) => a - b), byCode };
}

/** area → first treated month (ordinal), from a CSV with columns area (or unit) and start. */
export function readTreatedFile(file: string): Map<string, { start: number; label: string; line: number }> {
  const t = readCsvFile(file);
  const a = pick(t, undefined, ['area', 'unit', 'Area', 'lsoa', 'LSOA21CD', 'LSOA11CD'], 'area', '(name the columns area and start)');
  const s = pick(t, undefined, ['start', 'Start', 'from'], 'start', '(name the columns area and start)');
  const out = new Map<string, { start: number; label: string; line: number }>();
  for (let r = 0; r < t.rows.length; r++) {
    const row = t.rows[r]!;
    const ord = monthOrdinal(row[s]!);
    if (ord === null) throw new InputError('BAD_PERIOD', `${file} line ${t.lines[r]}: start '${row[s]}' of area '${row[a]}' is not a month YYYY-MM`, { file, line: t.lines[r] });
    if (out.has(row[a]!)) throw new InputError('DUPLICATE_ROW', `${file} line ${t.lines[r]}: area '${row[a]}' is listed twice; give one start per area`, { file, line: t.lines[r] });
    out.set(row[a]!, { start: ord, label: row[s]!, line: t.lines[r]! });
  }
  return out;
}
