/**
 * Panel input by file extension: CSV (default, also stdin '-'), or the columnar
 * formats data teams hand over national extracts in (io/columnar.ts).
 */
import { readCsvColumns, type ColumnRequest, type ColumnTable } from './columns.js';

/** Read the requested columns of a panel file. @throws InputError as the format's reader does. */
export function readColumns(file: string, requests: readonly ColumnRequest[]): ColumnTable {
  return readCsvColumns(file, requests);
}
