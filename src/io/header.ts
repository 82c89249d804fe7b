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
    if (h === '') throw new InputError('CSV_HEADER', `${file} has an empty column name in its header row: name every column`, { file, line });
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
