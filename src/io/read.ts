/**
 * Panel input by file extension: Parquet (.parquet, .parq, .pq), Arrow IPC (.arrow,
 * .feather, .ipc, .arrows), otherwise CSV (also '-', standard input). See io/columnar.ts.
 */
import { extname } from 'node:path';
import { readCsvColumns, type ColumnRequest, type ColumnTable } from './columns.js';
import { readArrowColumns, readParquetColumns } from './columnar.js';

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
