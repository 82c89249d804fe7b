/** Header checks shared by the CSV, Parquet and Arrow readers. */
import { InputError } from '../core/errors.js';

/**
 * Header checks shared by every reader: no empty or repeated column name, and not a
 * file in another delimiter (one column whose name holds ';', a tab or '|').
 * @throws InputError CSV_HEADER, WRONG_DELIMITER
 */
export function checkHeader(file: string, header: readonly string[], line: number): void {
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw emptyColumnName(file, header, line);
    if (seen.has(h)) throw new InputError('CSV_HEADER', `${file} has the column '${h}' twice in its header row: rename one`, { file, line, column: h });
    seen.add(h);
  }
  checkDelimiter(file, header);
}

const OTHER_DELIMITERS: readonly [string, string][] = [
  [';', 'semicolon'],
  ['\t', 'tab'],
  ['|', 'pipe'],
];

/**
 * A header of one column containing ';', a tab or '|' is a file written with another
 * delimiter (a spreadsheet in a locale with decimal commas writes ';').
 * @throws InputError WRONG_DELIMITER
 */
export function checkDelimiter(file: string, header: readonly string[]): void {
  if (header.length !== 1) return;
  const h = header[0]!;
  let best: [string, string] | null = null;
  let most = 0;
  for (const d of OTHER_DELIMITERS) {
    const k = h.split(d[0]).length - 1;
    if (k > most) {
      most = k;
      best = d;
    }
  }
  if (best === null) return;
  const cols = h.split(best[0]).map((s) => s.trim());
  throw new InputError(
    'WRONG_DELIMITER',
    `${file} looks ${best[1]}-delimited: its header row is one column '${h.replaceAll('\t', '\\t')}', which splits at '${best[0] === '\t' ? '\\t' : best[0]}' into ${cols.length} columns (${cols.join(', ')}); save it as comma-separated CSV (with '.' as the decimal point)`,
    { file, delimiter: best[1], columns: cols },
  );
}

/** Spreadsheet-style letter of a 0-based column index: 0 → A, 26 → AA. */
function columnLetter(j: number): string {
  let s = '';
  for (let k = j + 1; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

/**
 * The error for a header with an empty name, saying which column(s): an Excel export often ends
 * every row with empty columns (`unit,period,y,,,`), which are named as trailing with the fix.
 */
export function emptyColumnName(file: string, header: readonly string[], line: number): InputError {
  const empty = header.flatMap((h, j) => (h === '' ? [j] : []));
  const named = header.filter((h) => h !== '');
  const trailing = empty.length > 0 && empty[0]! === header.length - empty.length;
  const where = empty.map((j) => `${j + 1} (${columnLetter(j)})`);
  const list = where.length > 4 ? `${where.slice(0, 3).join(', ')}, … ${where[where.length - 1]}` : where.join(', ');
  const message = trailing
    ? `${file} ends its header row with ${empty.length} empty column name${empty.length === 1 ? '' : 's'} (column${empty.length === 1 ? '' : 's'} ${list}, after '${named[named.length - 1] ?? ''}'), as spreadsheets export empty columns: delete those columns in the spreadsheet (or the trailing commas) and save again`
    : `${file} has an empty column name in its header row at column ${list}${empty[0]! > 0 ? `, after '${header[empty[0]! - 1]}'` : ''}: name every column`;
  return new InputError('CSV_HEADER', message, { file, line, columns: empty.map((j) => j + 1), trailing });
}
