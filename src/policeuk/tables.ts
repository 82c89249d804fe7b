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
import { crosswalkFromPairs } from './ons.js';
import type { Crosswalk, Lookup } from './lookupTypes.js';

export type { Crosswalk, Lookup } from './lookupTypes.js';

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

/** Read an LSOA → higher-geography lookup file (e.g. the ONS LSOA → LAD → CSP → PFA lookup). */
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
export function readCrosswalk(file: string, fromCol: string | undefined, toCol: string | undefined): Crosswalk {
  const t = readCsvFile(file);
  // the ONS exact lookup as downloaded names its first column F_LSOA11CD
  const f = pick(t, fromCol, ['LSOA11CD', 'F_LSOA11CD', 'lsoa11cd', 'LSOA01CD', 'from'], 'old LSOA code', '--crosswalk-from');
  const g = pick(t, toCol, ['LSOA21CD', 'lsoa21cd', 'LSOA11CD', 'to'], 'new LSOA code', '--crosswalk-to');
  if (f === g) throw new UsageError('BAD_CROSSWALK', `${file}: the old and new LSOA columns are the same ('${t.header[f]}'); name them with --crosswalk-from and --crosswalk-to`, { file });
  const pairs: [string, string][] = [];
  for (let r = 0; r < t.rows.length; r++) {
    const a = t.rows[r]![f]!;
    const b = t.rows[r]![g]!;
    if (a === '' || b === '') throw new InputError('MISSING_CELL', `${file} line ${t.lines[r]}: empty LSOA code; every crosswalk row maps one old code to one new code`, { file, line: t.lines[r] });
    pairs.push([a, b]);
  }
  return crosswalkFromPairs(file, t.header[f]!, t.header[g]!, pairs);
}

/** LSOA mid-year population estimates: code → year → population. */
export interface Population {
  file: string;
  years: number[];
  byCode: Map<string, Map<number, number>>;
}

/** How a population file was read (recorded in the manifest). */
export interface PopulationLayout {
  lsoaColumn: string;
  /** 'long' (LSOA, year, population rows), 'wide-by-year' (one column per year, e.g. the GLA atlas), 'one-year' (--population-year, e.g. an ONS SAPE sheet). */
  layout: 'long' | 'wide-by-year' | 'one-year';
  /** Population column(s) read, with the year each gives. */
  columns: { column: string; year: number }[];
}

const LSOA_CODE = /^[EW]01\d{6}$/;
/** Known headers of LSOA codes in ONS SAPE and GLA files, tried after LSOA_COLUMNS. */
const POP_LSOA_COLUMNS = [...LSOA_COLUMNS, 'LSOA 2021 Code', 'LSOA 2011 Code', 'Lower Super Output Area', 'Codes', 'Code'];

/** The LSOA column: a known name, else the first column whose first non-empty cells all look like LSOA codes. */
function lsoaColumnOf(t: CsvTable): number {
  for (const c of POP_LSOA_COLUMNS) {
    const k = t.header.indexOf(c);
    if (k >= 0) return k;
  }
  for (let k = 0; k < t.header.length; k++) {
    const vals = t.rows.slice(0, 50).map((r) => r[k]!).filter((v) => v !== '');
    if (vals.length > 0 && vals.every((v) => LSOA_CODE.test(v))) return k;
  }
  throw new InputError('MISSING_COLUMN', `${t.file}: no column of LSOA codes found (looked for ${POP_LSOA_COLUMNS.join(', ')}, and for a column of E01/W01 codes); its columns are: ${t.header.join(', ')}`, { file: t.file, columns: t.header });
}

/**
 * LSOA mid-year population estimates, in the layouts they are published in:
 * long (LSOA, year, population), an ONS small-area estimates sheet (one year, columns
 * 'All Ages' or 'Total' and one per age: give --population-year), or the GLA LSOA atlas
 * (wide, one column per year such as 'Mid-year Population Estimates;All Ages;2013').
 * `column` (--population-column) names the population column; `year` (--population-year)
 * the year of a file with none.
 */
export function readPopulation(file: string, opts: { column?: string | undefined; year?: number | undefined } = {}): Population & { layout: PopulationLayout } {
  const t = readCsvFile(file);
  const k = lsoaColumnOf(t);
  const cols = populationColumns(t, opts);
  const byCode = new Map<string, Map<number, number>>();
  const years = new Set<number>();
  for (let r = 0; r < t.rows.length; r++) {
    const row = t.rows[r]!;
    const code = row[k]!;
    if (code === '') continue;
    for (const c of cols.columns) {
      let year = c.year;
      if (cols.yearCol >= 0) {
        if (!/^\d{4}$/.test(row[cols.yearCol]!)) throw new InputError('NON_NUMERIC', `${file} line ${t.lines[r]}: year '${row[cols.yearCol]}' is not a four-digit year (the mid-year of the estimate, e.g. 2019)`, { file, line: t.lines[r], column: t.header[cols.yearCol] });
        year = Number(row[cols.yearCol]);
      }
      const raw = row[c.k]!.replace(/,/g, '');
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v) || v <= 0) throw new InputError('BAD_POPULATION', `${file} line ${t.lines[r]}: population '${row[c.k]}' (column '${t.header[c.k]}') for ${code} in ${year} must be a positive number`, { file, line: t.lines[r], lsoa: code, year });
      let m = byCode.get(code);
      if (!m) byCode.set(code, (m = new Map()));
      if (m.has(year)) throw new InputError('DUPLICATE_ROW', `${file} line ${t.lines[r]}: ${code} has two populations for ${year}; keep one row per LSOA and year`, { file, line: t.lines[r], lsoa: code, year });
      m.set(year, v);
      years.add(year);
    }
  }
  if (years.size === 0) throw new InputError('EMPTY_FILE', `${file}: no population rows`, { file });
  return {
    file,
    years: [...years].sort((a, b) => a - b),
    byCode,
    layout: { lsoaColumn: t.header[k]!, layout: cols.layout, columns: cols.columns.map((c) => ({ column: t.header[c.k]!, year: c.year })) },
  };
}

/** Which columns hold the population, and of which year. */
function populationColumns(t: CsvTable, o: { column?: string | undefined; year?: number | undefined }): { layout: PopulationLayout['layout']; yearCol: number; columns: { k: number; year: number }[] } {
  const found = `its columns are: ${t.header.join(', ')}`;
  const named = (c: string): number => {
    const k = t.header.indexOf(c);
    if (k < 0) throw new InputError('MISSING_COLUMN', `${t.file} has no column '${c}' (--population-column); ${found}`, { file: t.file, column: c, columns: t.header });
    return k;
  };
  const yearCol = YEAR_COLUMNS.map((c) => t.header.indexOf(c)).find((k) => k >= 0) ?? -1;
  const yearOf = (name: string): number | null => {
    const m = /(?:^|[^0-9])((?:19|20)\d{2})\s*$/.exec(name);
    return m ? Number(m[1]) : null;
  };
  if (o.year !== undefined) {
    if (yearCol >= 0) throw new UsageError('CONFLICTING_POPULATION', `${t.file} has a year column ('${t.header[yearCol]}'); leave out --population-year`, { file: t.file });
    const k = o.column !== undefined ? named(o.column) : POP_COLUMNS.map((c) => t.header.indexOf(c)).find((x) => x >= 0);
    if (k === undefined) throw new InputError('MISSING_COLUMN', `${t.file}: no population column found (looked for ${POP_COLUMNS.join(', ')}); name it with --population-column <column>; ${found}`, { file: t.file, columns: t.header });
    return { layout: 'one-year', yearCol: -1, columns: [{ k, year: o.year }] };
  }
  if (yearCol >= 0) {
    const k = o.column !== undefined ? named(o.column) : POP_COLUMNS.map((c) => t.header.indexOf(c)).find((x) => x >= 0);
    if (k === undefined) throw new InputError('MISSING_COLUMN', `${t.file}: no population column found (looked for ${POP_COLUMNS.join(', ')}); name it with --population-column <column>; ${found}`, { file: t.file, columns: t.header });
    return { layout: 'long', yearCol, columns: [{ k, year: 0 }] };
  }
  if (o.column !== undefined) {
    const k = named(o.column);
    const y = yearOf(o.column);
    if (y === null) throw new InputError('MISSING_YEAR', `${t.file} has no year column and the column '${o.column}' names no year; give the year of its estimates with --population-year <YYYY>`, { file: t.file, column: o.column });
    return { layout: 'wide-by-year', yearCol: -1, columns: [{ k, year: y }] };
  }
  // wide by year: every 'All Ages' column ending in a year (the GLA atlas)
  const wide = t.header.map((h, k) => ({ k, h, year: yearOf(h) })).filter((c) => c.year !== null && /all ages/i.test(c.h));
  if (wide.length > 0 && new Set(wide.map((c) => c.year)).size === wide.length) return { layout: 'wide-by-year', yearCol: -1, columns: wide.map((c) => ({ k: c.k, year: c.year! })) };
  throw new InputError('MISSING_COLUMN', `${t.file}: cannot tell which column holds the population of which year (no year column, no 'All Ages' column per year); name the column with --population-column <column> and, if its name holds no year, the year with --population-year <YYYY>; ${found}`, { file: t.file, columns: t.header });
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
