/**
 * CSV reading for long panels: what spreadsheets export (UTF-8 BOM, CRLF,
 * quoted fields, any column order). Returns the header and the records with
 * their 1-based line numbers in the file, so errors can point at a row.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from '../core/errors.js';

export interface CsvTable {
  /** Path as given by the caller ('-' for standard input). */
  readonly file: string;
  readonly header: readonly string[];
  /** One array of cell strings per data row, aligned with `header`. */
  readonly rows: readonly (readonly string[])[];
  /** Line number in the file where each data row starts (header is line 1). */
  readonly lines: readonly number[];
}

/** Read a CSV file (or '-' for stdin) into a {@link CsvTable}. @throws InputError when unreadable, empty or malformed. */
export function readCsvFile(file: string): CsvTable {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError('FILE_UNREADABLE', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { file });
  }
  return parseCsvText(text, file);
}

/** Parse CSV text. @throws InputError when empty or malformed. */
export function parseCsvText(text: string, file = '<text>'): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new InputError('EMPTY_FILE', `${file} is empty: expected a header row and one row per unit × period`, { file });
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    throw new InputError('CSV_MALFORMED', `${file} is not valid CSV${err.lines !== undefined ? ` near line ${err.lines}` : ''}: ${err.message}`, { file, line: err.lines ?? null });
  }
  const first = records[0];
  if (!first) throw new InputError('EMPTY_FILE', `${file} is empty`, { file });
  const header = first.record.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw new InputError('CSV_HEADER', `${file} has an empty column name in its header row: name every column`, { file, line: 1 });
    if (seen.has(h)) throw new InputError('CSV_HEADER', `${file} has the column '${h}' twice in its header row: rename one`, { file, line: 1, column: h });
    seen.add(h);
  }
  if (records.length < 2) throw new InputError('EMPTY_FILE', `${file} has a header but no data rows`, { file });
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let k = 1; k < records.length; k++) {
    const r = records[k]!;
    rows.push(r.record);
    // info.lines is the line on which the record ends; for single-line records that is where it starts.
    lines.push(r.info.lines);
  }
  return { file, header, rows, lines };
}
