/**
 * Panel input by file extension: Parquet (.parquet, .parq, .pq), Arrow IPC (.arrow,
 * .feather, .ipc, .arrows), otherwise CSV (also '-', standard input). See io/columnar.ts.
 */
import { extname } from 'node:path';
import { readCsvColumns, type ColumnRequest, type ColumnTable } from './columns.js';
import { readArrowColumns, readParquetColumns } from './columnar.js';
import { readCsvFile, type CsvTable } from './csv.js';

export type PanelFormat = 'csv' | 'parquet' | 'arrow';

/** The format a panel file is read as, from its extension. */
export function panelFormat(file: string): PanelFormat {
  if (file === '-') return 'csv';
  const ext = extname(file).toLowerCase();
  if (ext === '.parquet' || ext === '.parq' || ext === '.pq') return 'parquet';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc' || ext === '.arrows') return 'arrow';
  return 'csv';
}

/** Read the requested columns of a panel file. @throws InputError as the format's reader does. */
export function readColumns(file: string, requests: readonly ColumnRequest[]): ColumnTable {
  const format = panelFormat(file);
  if (format === 'parquet') return readParquetColumns(file, requests);
  if (format === 'arrow') return readArrowColumns(file, requests);
  return readCsvColumns(file, requests);
}

/**
 * Every column of a panel file as text rows (a {@link CsvTable}): CSV as it is; Parquet and Arrow
 * with each cell as the CSV of the same value would hold it (numbers by their shortest round-trip
 * text, missing cells empty). For code that filters rows and writes them back as CSV (robustness
 * variants); row numbers stand in for line numbers in messages.
 */
export function readTextTable(file: string): CsvTable {
  if (panelFormat(file) === 'csv') return readCsvFile(file);
  const { header } = readColumns(file, []);
  const t = readColumns(file, header.map((name) => ({ name, kind: 'key' as const })));
  const cols = header.map((h) => t.keys.get(h)!);
  const rows: string[][] = new Array(t.nRows);
  for (let r = 0; r < t.nRows; r++) rows[r] = cols.map((c) => c.values[c.codes[r]!]!);
  return { file: t.file, header, rows, lines: Array.from(t.lines) };
}
