/**
 * The panel: N units × T periods of one outcome, a treatment indicator and
 * optional covariates / population, held in row-major typed arrays
 * (cell (i, t) at index i·T + t). Missing cells are NaN in `y` and 0 in `present`.
 *
 * Units are sorted (numerically when every unit id is a number, else by code
 * point); periods are the full contiguous grid from the first to the last
 * period seen. Sorting makes every estimate independent of row order.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { InputError, UsageError } from './errors.js';
import { detectFrequency, excelSerialDate, looksLikeExcelSerials, ordinalLabel, parsePeriodArg, periodOrdinal, readDateLabels, type DateReading, type Frequency } from './periods.js';
import type { CsvTable } from '../io/csv.js';
import { columnsFromRows, parseCsvColumns, type ColumnRequest, type ColumnTable, type KeyColumn, type NumberColumn } from '../io/columns.js';
import { NumStatus } from '../io/number.js';
import { readColumns } from '../io/read.js';

export interface Panel {
  /** File name (basename) the panel came from. */
  readonly file: string;
  /** SHA-256 of the panel's canonical content (see {@link canonicalDigest}); identical for the same data in any row order. */
  readonly sha256: string;
  /** Number of data rows read. */
  readonly rows: number;
  readonly units: readonly string[];
  readonly periods: readonly string[];
  /** Ordinal of each period on the frequency grid (see periods.ts). */
  readonly ordinals: readonly number[];
  readonly frequency: Frequency;
  /** Grid step between consecutive periods in ordinal units (1, or e.g. 4 for elections every 4 years). */
  readonly step: number;
  readonly outcome: string;
  /** N×T outcomes, row-major; NaN where missing. */
  readonly y: Float64Array;
  /** N×T treatment indicator (0/1), absorbing. Filled for missing rows from each unit's start. */
  readonly treated: Uint8Array;
  /** N×T: 1 where a row for (unit, period) exists in the file. */
  readonly present: Uint8Array;
  /** Time-varying covariates, each N×T row-major, NaN where missing. */
  readonly covariates: Readonly<Record<string, Float64Array>>;
  readonly covariateNames: readonly string[];
  /** N×T population (e.g. for rates per 100,000), or null. */
  readonly population: Float64Array | null;
  readonly populationColumn: string | null;
  /** Column mapping that was used. */
  readonly columns: PanelColumns;
  /** How dates in the period column were read as months (absent when the periods were labels like 2019-04). */
  readonly dateReading?: DateReading;
}

export interface PanelColumns {
  readonly unit: string;
  readonly time: string;
  readonly outcome: string;
  /** Treatment column, or null when treatment came from `treatedUnits` + `start`. */
  readonly treated: string | null;
}

export interface PanelOptions {
  /** Unit id column. Default 'unit'. */
  unit?: string;
  /** Period column. Default 'period'. */
  time?: string;
  /** Outcome column (required). */
  outcome: string;
  /** Treatment indicator column (0/1). Default 'treated' unless `treatedUnits` is given. */
  treated?: string;
  /** Alternative to a treatment column: these units are treated from `start` on. */
  treatedUnits?: readonly string[];
  /** First treated period for `treatedUnits`, e.g. '2019-04'. */
  start?: string;
  /** Time-varying covariate columns carried into the panel. */
  covariates?: readonly string[];
  /** Population column, carried for rate ↔ count conversions. */
  population?: string;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING = new Set(['', 'NA', 'NaN', 'nan', 'N/A', 'null', 'NULL']);

/**
 * Parse a numeric cell: a number, NaN for an empty/NA cell, or undefined when not numeric.
 * Missing tokens: '', NA, NaN, nan, N/A, null, NULL (docs/panels.md, "Missing values").
 * A number beyond the double range gives ±Infinity here; the panel reader rejects it (NUMBER_OVERFLOW).
 */
export function parseNumericCell(s: string): number | undefined {
  if (MISSING.has(s)) return Number.NaN;
  if (NUMERIC.test(s)) return Number(s);
  return undefined;
}

/** The columns a panel with these options reads (unknown names are reported by {@link panelFromColumns}). */
export function panelColumnRequests(options: PanelOptions, extra: readonly ColumnRequest[] = []): ColumnRequest[] {
  const useTreatedUnits = options.treatedUnits !== undefined && options.treatedUnits.length > 0;
  const req: ColumnRequest[] = [
    { name: options.unit ?? 'unit', kind: 'key' },
    { name: options.time ?? 'period', kind: 'key' },
    { name: options.outcome, kind: 'number' },
  ];
  if (!useTreatedUnits) req.push({ name: options.treated ?? 'treated', kind: 'number' });
  for (const c of options.covariates ?? []) req.push({ name: c, kind: 'number' });
  if (options.population !== undefined) req.push({ name: options.population, kind: 'number' });
  return [...req, ...extra];
}

/**
 * Read a long panel file (or '-' for stdin) into a {@link Panel}: CSV, or Parquet / Arrow IPC
 * by extension (io/read.ts). @throws InputError naming file, row, unit and period.
 */
export function readPanel(file: string, options: PanelOptions): Panel {
  return panelFromColumns(readColumns(file, panelColumnRequests(options)), options);
}

/** Read a panel and extra columns (e.g. cluster ids, weights) from the same file in one pass. */
export function readPanelWith(file: string, options: PanelOptions, extra: readonly ColumnRequest[]): { panel: Panel; table: ColumnTable } {
  const table = readColumns(file, panelColumnRequests(options, extra));
  return { panel: panelFromColumns(table, options), table };
}

/** Parse CSV text into a {@link Panel} (library convenience; `file` is used in messages). */
export function readPanelText(text: string, options: PanelOptions, file = '<text>'): Panel {
  return panelFromColumns(parseCsvColumns(text, panelColumnRequests(options), file), options);
}

function naturalCompare(numeric: boolean) {
  return numeric
    ? (a: string, b: string) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)
    : (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
}

/** Build a panel from a parsed CSV table (string cells; kept for library users). */
export function panelFromTable(table: CsvTable, options: PanelOptions): Panel {
  return panelFromColumns(columnsFromRows(table, panelColumnRequests(options)), options);
}

/** The columns a panel is built from, resolved from the options and checked against the header. */
interface PanelColumnsUsed {
  file: string;
  at: string;
  unitCol: string;
  timeCol: string;
  outcomeCol: string;
  treatedCol: string | null;
  covNames: string[];
  popCol: string | null;
  useTreatedUnits: boolean;
}

/** The period grid: labels read (dates → months), frequency, contiguous ordinals, and each period code's t. */
interface PeriodGrid {
  frequency: Frequency;
  step: number;
  first: number;
  periods: string[];
  ordinals: number[];
  tOfCode: Int32Array;
  dateReading: DateReading | null;
}

/**
 * Build a panel from the columns of a table (see {@link panelColumnRequests}):
 * resolve the columns → the period grid → the unit index → the N×T cells → the treatment matrix.
 */
export function panelFromColumns(table: ColumnTable, options: PanelOptions): Panel {
  const cols = resolvePanelColumns(table, options);
  const uCol = table.keys.get(cols.unitCol);
  const pCol = table.keys.get(cols.timeCol);
  if (!uCol || !pCol) throw new Error(`internal: key columns '${cols.unitCol}'/'${cols.timeCol}' were not read; add them to the column requests`);
  checkEmptyKeys(table, cols, uCol, pCol);
  const grid = periodGrid(pCol, cols);
  const units = [...uCol.values];
  units.sort(naturalCompare(units.every((u) => NUMERIC.test(u))));
  const unitIndex = new Map<string, number>();
  units.forEach((u, i) => unitIndex.set(u, i));
  const iOfCode = Int32Array.from(uCol.values, (u) => unitIndex.get(u)!);
  const cells = fillCells(table, cols, grid, units, iOfCode, uCol, pCol);
  const treated = treatmentMatrix(options, cols, grid, units, unitIndex, cells, table.lines);
  const panel: Omit<Panel, 'sha256'> = {
    file: table.file === '-' ? '<stdin>' : basename(table.file),
    rows: table.nRows,
    units,
    periods: grid.periods,
    ordinals: grid.ordinals,
    frequency: grid.frequency,
    step: grid.step,
    outcome: cols.outcomeCol,
    y: cells.y,
    treated,
    present: cells.present,
    covariates: cells.cov,
    covariateNames: cols.covNames,
    population: cells.pop,
    populationColumn: cols.popCol,
    columns: { unit: cols.unitCol, time: cols.timeCol, outcome: cols.outcomeCol, treated: cols.treatedCol },
    ...(grid.dateReading ? { dateReading: grid.dateReading } : {}),
  };
  return { ...panel, sha256: canonicalDigest(panel) };
}

/** Stage 1: which column plays which part; every named column must be in the header. */
function resolvePanelColumns(table: ColumnTable, options: PanelOptions): PanelColumnsUsed {
  const file = table.file === '-' ? '<stdin>' : table.file;
  const useTreatedUnits = options.treatedUnits !== undefined && options.treatedUnits.length > 0;
  if (useTreatedUnits && options.treated !== undefined) {
    throw new UsageError('CONFLICTING_TREATMENT', 'give either --treated <column> or --treated-units with --start, not both');
  }
  if (useTreatedUnits && options.start === undefined) {
    throw new UsageError('MISSING_START', '--treated-units needs --start <period>, the first treated period (e.g. --start 2019-04)');
  }
  if (!useTreatedUnits && options.start !== undefined) {
    throw new UsageError('MISSING_TREATED_UNITS', '--start needs --treated-units <a,b,...>; with a treatment column, leave --start out');
  }
  const cols: PanelColumnsUsed = {
    file,
    at: table.where, // 'line' (CSV) or 'row'
    unitCol: options.unit ?? 'unit',
    timeCol: options.time ?? 'period',
    outcomeCol: options.outcome,
    treatedCol: useTreatedUnits ? null : (options.treated ?? 'treated'),
    covNames: [...(options.covariates ?? [])],
    popCol: options.population ?? null,
    useTreatedUnits,
  };
  const need: [string, string][] = [
    [cols.unitCol, '--unit'],
    [cols.timeCol, '--time'],
    [cols.outcomeCol, '--outcome'],
  ];
  if (cols.treatedCol !== null) need.push([cols.treatedCol, '--treated']);
  for (const c of cols.covNames) need.push([c, '--covariates']);
  if (cols.popCol !== null) need.push([cols.popCol, '--population']);
  for (const [col, flag] of need) {
    if (!table.header.includes(col)) {
      const hint =
        flag === '--treated'
          ? `name the 0/1 treatment column with --treated <column>, or give --treated-units <a,b> --start <period>`
          : `name the right column with ${flag} <column>`;
      throw new InputError('MISSING_COLUMN', `${file} has no column '${col}' (columns are: ${table.header.join(', ')}); ${hint}`, { file, column: col, flag, columns: table.header });
    }
  }
  return cols;
}

/** Stage 2: no empty unit or period id (checked in row order, as the rows are read). */
function checkEmptyKeys(table: ColumnTable, cols: PanelColumnsUsed, uCol: KeyColumn, pCol: KeyColumn): void {
  const { file, at } = cols;
  const uEmpty = uCol.values.indexOf('');
  const pEmpty = pCol.values.indexOf('');
  if (uEmpty < 0 && pEmpty < 0) return;
  for (let r = 0; r < table.nRows; r++) {
    if (uCol.codes[r] === uEmpty) throw new InputError('MISSING_UNIT', `${file} ${at} ${table.lines[r]}: the unit cell ('${cols.unitCol}') is empty; every row needs a unit id`, { file, line: table.lines[r], column: cols.unitCol });
    if (pCol.codes[r] === pEmpty) {
      const u = uCol.values[uCol.codes[r]!]!;
      throw new InputError('MISSING_PERIOD', `${file} ${at} ${table.lines[r]} (unit '${u}'): the period cell ('${cols.timeCol}') is empty`, { file, line: table.lines[r], unit: u, column: cols.timeCol });
    }
  }
}

/**
 * Stage 3: the period grid. Dates as people export them (ISO `2015-04-01`, UK `01/04/2015`, all on
 * one day of the month) are read as months; the grid step is the gcd of the gaps (1 for monthly and
 * quarterly data; 4 for elections every 4 years); a gap is an error, and integer "periods" that are
 * Excel serial dates are named as such.
 */
function periodGrid(pCol: KeyColumn, cols: PanelColumnsUsed): PeriodGrid {
  const { file, timeCol } = cols;
  const read = readDateLabels(pCol.values, { file, column: timeCol });
  const frequency = detectFrequency(read.labels, { file, column: timeCol });
  const ordOfCode = read.labels.map((p) => periodOrdinal(p, frequency));
  const ords = [...new Set(ordOfCode)].sort((a, b) => a - b);
  let step = 0;
  for (let k = 1; k < ords.length; k++) step = gcd(step, ords[k]! - ords[k - 1]!);
  if (step === 0) step = 1;
  if (frequency === 'monthly' || frequency === 'quarterly') step = 1;
  const first = ords[0]!;
  const last = ords[ords.length - 1]!;
  const T = Math.round((last - first) / step) + 1;
  if (T !== ords.length) {
    if (frequency === 'integer' && looksLikeExcelSerials(ords)) {
      throw new InputError('EXCEL_SERIAL_DATES', `${file}: column '${timeCol}' holds numbers such as ${first} and ${last}, which are Excel serial dates (${first} = ${excelSerialDate(first)}, ${last} = ${excelSerialDate(last)}): the spreadsheet saved date cells as day numbers. Format the column as text YYYY-MM (in Excel: =TEXT(cell,"yyyy-mm")) or as dates (yyyy-mm-dd) and save again`, { file, column: timeCol, examples: [first, last] });
    }
    const missing: string[] = [];
    const have = new Set(ords);
    for (let o = first; o <= last && missing.length < 5; o += step) if (!have.has(o)) missing.push(ordinalLabel(o, frequency));
    throw new InputError('PERIOD_GAP', `${file}: periods are not contiguous — no row at all for ${missing.join(', ')}${missing.length === 5 ? ', …' : ''} (between ${ordinalLabel(first, frequency)} and ${ordinalLabel(last, frequency)}); add the missing periods (empty outcome cells are allowed)`, { file, missingPeriods: missing });
  }
  const ordinals: number[] = [];
  const periods: string[] = [];
  for (let t = 0; t < T; t++) {
    ordinals.push(first + t * step);
    periods.push(ordinalLabel(first + t * step, frequency));
  }
  const tOfCode = Int32Array.from(ordOfCode, (o) => Math.round((o - first) / step));
  return { frequency, step, first, periods, ordinals, tOfCode, dateReading: read.reading };
}

/** A cell's text with invisible characters shown: a non-breaking space as ⟨NBSP⟩, and so on. */
export function showInvisible(s: string): string {
  const names: Record<string, string> = { '\u00a0': 'NBSP', '\u202f': 'narrow NBSP', '\u2007': 'figure space', '\u200b': 'zero-width space', '\ufeff': 'BOM', '\t': 'tab', '\u2009': 'thin space' };
  return s.replace(/[\u00a0\u202f\u2007\u200b\ufeff\t\u2009]/g, (c) => `⟨${names[c]}⟩`);
}

/** The N×T arrays of one panel, filled from the rows. */
interface PanelCells {
  y: Float64Array;
  dRaw: Int8Array;
  present: Uint8Array;
  rowOf: Int32Array;
  cov: Record<string, Float64Array>;
  pop: Float64Array | null;
}

/** Stage 4: one row per unit × period into the N×T arrays; every numeric cell checked. */
function fillCells(table: ColumnTable, cols: PanelColumnsUsed, grid: PeriodGrid, units: readonly string[], iOfCode: Int32Array, uCol: KeyColumn, pCol: KeyColumn): PanelCells {
  const { file, at, outcomeCol, treatedCol, covNames, popCol } = cols;
  const { periods, tOfCode } = grid;
  const column = (c: string): NumberColumn => {
    const col = table.numbers.get(c);
    if (!col) throw new Error(`internal: column '${c}' (number) was not read; add it to the column requests`);
    return col;
  };
  const yCol = column(outcomeCol);
  const dCol = treatedCol === null ? null : column(treatedCol);
  const covCols = covNames.map(column);
  const popColumn = popCol === null ? null : column(popCol);
  const lines = table.lines;
  const N = units.length;
  const T = periods.length;
  const c: PanelCells = { y: new Float64Array(N * T).fill(Number.NaN), dRaw: new Int8Array(N * T).fill(-1), present: new Uint8Array(N * T), rowOf: new Int32Array(N * T).fill(-1), cov: {}, pop: popCol === null ? null : new Float64Array(N * T).fill(Number.NaN) };
  for (const n of covNames) c.cov[n] = new Float64Array(N * T).fill(Number.NaN);
  const where = (r: number) => ({ unit: units[iOfCode[uCol.codes[r]!]!]!, period: periods[tOfCode[pCol.codes[r]!]!]! });
  /** Throw for a cell that is not a number or overflows (the first such cell of its column is at row r). */
  const badCell = (r: number, col: NumberColumn, colName: string): never => {
    const { unit, period } = where(r);
    const s = col.firstBad!.text;
    if (col.status[r] === NumStatus.Overflow) {
      throw new InputError('NUMBER_OVERFLOW', `${file} ${at} ${lines[r]}, unit '${unit}', period ${period}: column '${colName}' holds '${s}', which is beyond the largest number a double can hold (about ±1.8e308); fix the cell or leave it empty for a missing value`, { file, line: lines[r], unit, period, column: colName, value: s });
    }
    const shown = showInvisible(s);
    const hint = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)
      ? ' (remove the thousands separators)'
      : shown !== s
        ? ` (it contains an invisible character, shown as ${[...new Set(shown.match(/⟨[^⟩]+⟩/g) ?? [])].join(', ')}: remove it, e.g. with Find & Replace in the spreadsheet)`
        : '';
    throw new InputError('NON_NUMERIC', `${file} ${at} ${lines[r]}, unit '${unit}', period ${period}: column '${colName}' holds '${shown}', which is not a number${hint}; fix the cell or leave it empty for a missing value`, { file, line: lines[r], unit, period, column: colName, value: s });
  };
  for (let r = 0; r < table.nRows; r++) {
    const i = iOfCode[uCol.codes[r]!]!;
    const t = tOfCode[pCol.codes[r]!]!;
    const k = i * T + t;
    if (c.rowOf[k]! >= 0) {
      const { unit, period } = where(r);
      const dateHint = grid.dateReading ? ` (the dates were read as months: ${grid.dateReading.format === 'uk-date' ? 'day-first UK' : 'ISO'} dates, all on ${grid.dateReading.day})` : '';
      throw new InputError('DUPLICATE_ROW', `${file}: unit '${unit}', period ${period} appears twice (${at}s ${lines[c.rowOf[k]!]} and ${lines[r]})${dateHint}; keep one row per unit × period`, { file, unit, period, lines: [lines[c.rowOf[k]!], lines[r]] });
    }
    c.rowOf[k] = r;
    c.present[k] = 1;
    if (yCol.status[r]! >= NumStatus.NotNumeric) badCell(r, yCol, outcomeCol);
    c.y[k] = yCol.values[r]!;
    if (dCol !== null) {
      const v = dCol.values[r]!;
      if (!(dCol.status[r]! === NumStatus.Ok && (v === 0 || v === 1))) {
        const { unit, period } = where(r);
        const s = dCol.firstNotBinary!.text;
        throw new InputError('BAD_TREATED_FLAG', `${file} ${at} ${lines[r]}, unit '${unit}', period ${period}: treatment column '${treatedCol}' holds '${showInvisible(s)}'; it must be 0 or 1`, { file, line: lines[r], unit, period, column: treatedCol, value: s });
      }
      c.dRaw[k] = v;
    }
    for (let j = 0; j < covCols.length; j++) {
      const col = covCols[j]!;
      if (col.status[r]! >= NumStatus.NotNumeric) badCell(r, col, covNames[j]!);
      c.cov[covNames[j]!]![k] = col.values[r]!;
    }
    if (c.pop !== null) {
      const col = popColumn!;
      if (col.status[r]! >= NumStatus.NotNumeric) badCell(r, col, popCol!);
      const v = col.values[r]!;
      if (v <= 0) {
        const { unit, period } = where(r);
        throw new InputError('BAD_POPULATION', `${file} ${at} ${lines[r]}, unit '${unit}', period ${period}: population '${col.firstNonPositive!.text}' must be positive`, { file, line: lines[r], unit, period, column: popCol });
      }
      c.pop[k] = v;
    }
  }
  return c;
}

/** Stage 5: the absorbing treatment matrix, from the 0/1 column or from --treated-units/--start. */
function treatmentMatrix(options: PanelOptions, cols: PanelColumnsUsed, grid: PeriodGrid, units: readonly string[], unitIndex: ReadonlyMap<string, number>, cells: PanelCells, lines: ArrayLike<number>): Uint8Array {
  const { file, at } = cols;
  const { periods, first, step } = grid;
  const N = units.length;
  const T = periods.length;
  const treated = new Uint8Array(N * T);
  if (cols.useTreatedUnits) {
    const startOrd = parsePeriodArg(options.start!, grid.frequency, '--start');
    const ts = Math.round((startOrd - first) / step);
    if (ts < 0 || ts >= T || first + ts * step !== startOrd) {
      throw new UsageError('START_OUT_OF_RANGE', `--start ${options.start} is not one of the panel's periods (${periods[0]} … ${periods[T - 1]})`, { start: options.start });
    }
    for (const u of options.treatedUnits!) {
      const i = unitIndex.get(u);
      if (i === undefined) throw new InputError('UNKNOWN_UNIT', `--treated-units names '${u}', which is not a unit in ${file}`, { file, unit: u });
      for (let t = ts; t < T; t++) treated[i * T + t] = 1;
    }
    return treated;
  }
  for (let i = 0; i < N; i++) {
    let onAt = -1;
    for (let t = 0; t < T; t++) {
      const d = cells.dRaw[i * T + t]!;
      if (d === 1 && onAt < 0) onAt = t;
      else if (d === 0 && onAt >= 0) {
        const line = lines[cells.rowOf[i * T + t]!];
        throw new InputError('TREATMENT_SWITCHES_OFF', `${file} ${at} ${line}: unit '${units[i]}' is treated from ${periods[onAt]} but untreated again in ${periods[t]}; treatment must stay on once it starts (absorbing). Fix the flag or split the unit`, { file, line, unit: units[i], period: periods[t], start: periods[onAt] });
      }
      if (onAt >= 0) treated[i * T + t] = 1;
    }
  }
  return treated;
}

/**
 * Panel cell index (i·T + t) of each data row of a table the panel was built from
 * (for extra columns such as cluster ids or weights).
 */
export function cellOfRow(table: ColumnTable, panel: Panel): Int32Array {
  const uCol = table.keys.get(panel.columns.unit)!;
  const pCol = table.keys.get(panel.columns.time)!;
  const T = panel.periods.length;
  const unitIndex = new Map(panel.units.map((u, i) => [u, i]));
  const iOfCode = Int32Array.from(uCol.values, (u) => unitIndex.get(u)!);
  const tOfCode = Int32Array.from(pCol.values, (p) => Math.round((periodOrdinal(p, panel.frequency) - panel.ordinals[0]!) / panel.step));
  const out = new Int32Array(table.nRows);
  for (let r = 0; r < table.nRows; r++) out[r] = iOfCode[uCol.codes[r]!]! * T + tOfCode[pCol.codes[r]!]!;
  return out;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * SHA-256 of the panel's canonical content: the column mapping, the sorted units and
 * periods, then the N×T cell arrays (presence, treatment, outcome, covariates,
 * population) in panel order as little-endian float64. Row order, quoting, BOM and
 * line endings do not change it.
 */
export function canonicalDigest(p: Omit<Panel, 'sha256'>): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ columns: p.columns, units: p.units, periods: p.periods, covariates: p.covariateNames, population: p.populationColumn }) + '\n');
  // Cell arrays as little-endian float64 bytes (missing cells are NaN with present = 0).
  const bytes = (a: Float64Array | Uint8Array) => {
    if (a instanceof Uint8Array) return a;
    const out = new Float64Array(a.length);
    for (let k = 0; k < a.length; k++) out[k] = Number.isNaN(a[k]!) ? Number.NaN : a[k]!; // one canonical NaN
    const b = new Uint8Array(out.buffer);
    if (!LITTLE_ENDIAN) for (let k = 0; k < b.length; k += 8) b.subarray(k, k + 8).reverse();
    return b;
  };
  h.update(p.present);
  h.update(p.treated);
  h.update(bytes(p.y));
  for (const c of p.covariateNames) h.update(bytes(p.covariates[c]!));
  if (p.population) h.update(bytes(p.population));
  return h.digest('hex');
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Treatment design of a panel: who is treated from when. */
export interface PanelDesign {
  /** Index of each unit's first treated period, or -1 if never treated. Length N. */
  readonly startIndex: Int32Array;
  /** Indices of treated units, in panel order. */
  readonly treatedUnits: readonly number[];
  /** Indices of never-treated units, in panel order. */
  readonly controlUnits: readonly number[];
  /** True when treated units start at different periods. */
  readonly staggered: boolean;
  /** Earliest first-treated period index among treated units. */
  readonly firstStart: number;
}

/** Index of each unit's first treated period (−1 when never treated). Length N. */
export function treatmentStarts(panel: Panel): Int32Array {
  const N = panel.units.length;
  const T = panel.periods.length;
  const start = new Int32Array(N).fill(-1);
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) {
      if (panel.treated[i * T + t]) {
        start[i] = t;
        break;
      }
    }
  }
  return start;
}

/**
 * Work out the design and check it can be estimated: at least one treated and one
 * never-treated unit, and every treated unit with at least `minPre` pre-periods
 * holding an observed outcome.
 * @throws InputError NO_TREATED_UNITS | NO_CONTROL_UNITS | TOO_FEW_PRE_PERIODS
 */
export function panelDesign(panel: Panel, minPre = 2): PanelDesign {
  const N = panel.units.length;
  const T = panel.periods.length;
  const startIndex = treatmentStarts(panel);
  const treatedUnits: number[] = [];
  const controlUnits: number[] = [];
  for (let i = 0; i < N; i++) {
    if (startIndex[i]! >= 0) treatedUnits.push(i);
    else controlUnits.push(i);
  }
  if (treatedUnits.length === 0) {
    throw new InputError('NO_TREATED_UNITS', `${panel.file}: no unit is ever treated; mark treated unit-periods with 1 in '${panel.columns.treated ?? 'treated'}', or give --treated-units and --start`, { file: panel.file });
  }
  if (controlUnits.length === 0) {
    throw new InputError('NO_CONTROL_UNITS', `${panel.file}: every unit is treated at some point, so there is no never-treated unit to build a comparison from; add untreated areas`, { file: panel.file });
  }
  for (const i of treatedUnits) {
    let pre = 0;
    for (let t = 0; t < startIndex[i]!; t++) if (!Number.isNaN(panel.y[i * T + t]!)) pre++;
    if (pre < minPre) {
      throw new InputError('TOO_FEW_PRE_PERIODS', `${panel.file}: treated unit '${panel.units[i]}' has ${pre} observed pre-treatment period(s) before ${panel.periods[startIndex[i]!]}; at least ${minPre} are needed to fit a counterfactual. Start later or drop the unit`, { file: panel.file, unit: panel.units[i], period: panel.periods[startIndex[i]!], preperiods: pre, required: minPre });
    }
  }
  const starts = new Set(treatedUnits.map((i) => startIndex[i]!));
  return { startIndex, treatedUnits, controlUnits, staggered: starts.size > 1, firstStart: Math.min(...starts) };
}

/** Missing outcome cells (absent rows or empty cells), in panel order. */
export function missingCells(panel: Panel, units?: readonly number[]): { unit: string; period: string }[] {
  const T = panel.periods.length;
  const out: { unit: string; period: string }[] = [];
  const us = units ?? panel.units.map((_, i) => i);
  for (const i of us) for (let t = 0; t < T; t++) if (Number.isNaN(panel.y[i * T + t]!)) out.push({ unit: panel.units[i]!, period: panel.periods[t]! });
  return out;
}

/**
 * Throw unless the outcome is observed for every listed unit in every period.
 * @param method - named in the message (e.g. 'classic synthetic control').
 * @throws InputError UNBALANCED_PANEL naming the first missing cells.
 */
export function requireBalanced(panel: Panel, method: string, units?: readonly number[]): void {
  const miss = missingCells(panel, units);
  if (miss.length > 0) {
    const shown = miss.slice(0, 5).map((m) => `'${m.unit}' ${m.period}`).join(', ');
    throw new InputError('UNBALANCED_PANEL', `${panel.file}: ${miss.length} outcome cell(s) missing (${shown}${miss.length > 5 ? ', …' : ''}); ${method} needs a balanced panel: fill the cells, or drop the units/periods (e.g. --exclude-units)`, { file: panel.file, missing: miss.slice(0, 20), count: miss.length });
  }
}

/** Index of a unit by name. @throws InputError UNKNOWN_UNIT */
export function unitIndexOf(panel: Panel, unit: string, flag: string): number {
  const i = panel.units.indexOf(unit);
  if (i < 0) throw new InputError('UNKNOWN_UNIT', `${flag} names '${unit}', which is not a unit in ${panel.file} (e.g. ${panel.units.slice(0, 3).join(', ')})`, { file: panel.file, unit, flag });
  return i;
}

/** Index of a period label (any accepted spelling) in the panel. @throws UsageError when outside the panel. */
export function periodIndexOf(panel: Panel, label: string, flag: string): number {
  const ord = parsePeriodArg(label, panel.frequency, flag);
  const t = Math.round((ord - panel.ordinals[0]!) / panel.step);
  if (t < 0 || t >= panel.periods.length || panel.ordinals[t] !== ord) {
    throw new UsageError('PERIOD_OUT_OF_RANGE', `${flag} ${label} is not one of the panel's periods (${panel.periods[0]} … ${panel.periods[panel.periods.length - 1]})`, { flag, value: label });
  }
  return t;
}

/**
 * A new panel keeping only the listed units (in the given order is NOT kept: panel order is).
 * Used for --donors / --exclude-units.
 */
export function subsetUnits(panel: Panel, keep: readonly number[]): Panel {
  const sorted = [...new Set(keep)].sort((a, b) => a - b);
  const T = panel.periods.length;
  const pick = <A extends Float64Array | Uint8Array>(src: A, make: (n: number) => A): A => {
    const out = make(sorted.length * T);
    sorted.forEach((i, j) => out.set(src.subarray(i * T, (i + 1) * T), j * T));
    return out;
  };
  const cov: Record<string, Float64Array> = {};
  for (const c of panel.covariateNames) cov[c] = pick(panel.covariates[c]!, (n) => new Float64Array(n));
  return {
    ...panel,
    units: sorted.map((i) => panel.units[i]!),
    y: pick(panel.y, (n) => new Float64Array(n)),
    treated: pick(panel.treated, (n) => new Uint8Array(n)),
    present: pick(panel.present, (n) => new Uint8Array(n)),
    covariates: cov,
    population: panel.population ? pick(panel.population, (n) => new Float64Array(n)) : null,
  };
}

/**
 * Restrict the control pool (`--donors` / `--exclude-units`): returns a panel with
 * every treated unit and only the allowed never-treated units. Excluding a treated
 * unit drops it from the analysis. Names are checked.
 * @throws InputError UNKNOWN_UNIT; UsageError when a --donors unit is treated.
 */
export function applyDonorPool(panel: Panel, pool: { donors?: readonly string[] | undefined; excludeUnits?: readonly string[] | undefined }): Panel {
  if (!pool.donors && !pool.excludeUnits) return panel;
  const T = panel.periods.length;
  const isTreated = (i: number) => {
    for (let t = 0; t < T; t++) if (panel.treated[i * T + t]) return true;
    return false;
  };
  const excluded = new Set((pool.excludeUnits ?? []).map((u) => unitIndexOf(panel, u, '--exclude-units')));
  let keep: number[];
  if (pool.donors) {
    const donors = new Set(pool.donors.map((u) => unitIndexOf(panel, u, '--donors')));
    for (const i of donors) {
      if (isTreated(i)) throw new UsageError('DONOR_IS_TREATED', `--donors names '${panel.units[i]}', which is treated; donors must be untreated units`, { unit: panel.units[i] });
    }
    keep = panel.units.map((_, i) => i).filter((i) => (isTreated(i) || donors.has(i)) && !excluded.has(i));
  } else {
    keep = panel.units.map((_, i) => i).filter((i) => !excluded.has(i));
  }
  return subsetUnits(panel, keep);
}
