/**
 * Period labels: `YYYY-MM` (monthly), `YYYY-Qn` (quarterly), `YYYY` (annual) or
 * plain integers. Each label maps to an ordinal on a common grid so periods can
 * be sorted, checked for gaps and offset.
 */
import { InputError, UsageError } from './errors.js';

export const FREQUENCIES = ['monthly', 'quarterly', 'annual', 'integer'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

const MONTHLY = /^(\d{4})-(\d{2})$/;
const QUARTERLY = /^(\d{4})-?Q([1-4])$/i;
const ANNUAL = /^\d{4}$/;
const INTEGER = /^-?\d+$/;

/** Which frequency a single label looks like, or null. */
export function labelFrequency(label: string): Frequency | null {
  const s = label.trim();
  const m = MONTHLY.exec(s);
  if (m) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? 'monthly' : null;
  }
  if (QUARTERLY.test(s)) return 'quarterly';
  if (ANNUAL.test(s)) return 'annual';
  if (INTEGER.test(s)) return 'integer';
  return null;
}

/** Ordinal of a label on its frequency's grid (months since year 0, quarters since year 0, the year, the integer). */
export function periodOrdinal(label: string, freq: Frequency): number {
  const s = label.trim();
  switch (freq) {
    case 'monthly': {
      const m = MONTHLY.exec(s);
      if (!m) return Number.NaN;
      const month = Number(m[2]);
      if (month < 1 || month > 12) return Number.NaN;
      return Number(m[1]) * 12 + (month - 1);
    }
    case 'quarterly': {
      const m = QUARTERLY.exec(s);
      if (!m) return Number.NaN;
      return Number(m[1]) * 4 + (Number(m[2]) - 1);
    }
    case 'annual':
    case 'integer':
      return INTEGER.test(s) ? Number(s) : Number.NaN;
  }
}

/** Canonical label of an ordinal: `2019-04`, `2019-Q2`, `2019`, `7`. */
export function ordinalLabel(ord: number, freq: Frequency): string {
  switch (freq) {
    case 'monthly': {
      const y = Math.floor(ord / 12);
      const m = ord - 12 * y + 1;
      return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    }
    case 'quarterly': {
      const y = Math.floor(ord / 4);
      return `${String(y).padStart(4, '0')}-Q${ord - 4 * y + 1}`;
    }
    case 'annual':
    case 'integer':
      return String(ord);
  }
}

/** Seasonal cycle length: 12 for monthly, 4 for quarterly, 1 otherwise. */
export function seasonLength(freq: Frequency): number {
  return freq === 'monthly' ? 12 : freq === 'quarterly' ? 4 : 1;
}

/** Season index 0..s-1 of an ordinal (month-of-year 0..11, quarter 0..3). */
export function seasonOf(ord: number, freq: Frequency): number {
  const s = seasonLength(freq);
  return ((ord % s) + s) % s;
}

/**
 * Detect the common frequency of a set of labels. Mixed formats are an error;
 * a mix of 4-digit and other integers counts as `integer`.
 */
export function detectFrequency(labels: readonly string[], context: { file?: string; column?: string } = {}): Frequency {
  let freq: Frequency | null = null;
  for (const label of labels) {
    const f = labelFrequency(label);
    if (f === null) {
      const found = periodFormatFound(label);
      throw new InputError('BAD_PERIOD', `period '${label}' in column '${context.column ?? 'period'}'${context.file ? ` of ${context.file}` : ''} is not a recognised period${found ? ` (it looks like ${found})` : ''}: use YYYY-MM (monthly, or dates like 2015-04-01 or 01/04/2015 all on one day of the month), YYYY-Qn (quarterly), YYYY (annual) or an integer`, { ...context, period: label, ...(found ? { found } : {}) });
    }
    if (freq === null) freq = f;
    else if (freq !== f) {
      if ((freq === 'annual' && f === 'integer') || (freq === 'integer' && f === 'annual')) freq = 'integer';
      else {
        throw new InputError('MIXED_PERIODS', `periods mix formats (${freq} and ${f}, e.g. '${label}')${context.file ? ` in ${context.file}` : ''}: use one format throughout`, { ...context, period: label });
      }
    }
  }
  if (freq === null) throw new InputError('NO_PERIODS', `no periods found${context.file ? ` in ${context.file}` : ''}`, { ...context });
  return freq;
}

/**
 * Parse a period given on the command line (e.g. `--start 2019-04`) against the
 * panel's frequency. Returns the ordinal.
 */
export function parsePeriodArg(label: string, freq: Frequency, flag: string): number {
  const ord = periodOrdinal(label, freq);
  if (!Number.isFinite(ord)) {
    const example = freq === 'monthly' ? '2019-04' : freq === 'quarterly' ? '2019-Q2' : '2019';
    throw new UsageError('BAD_PERIOD_ARG', `${flag} '${label}' is not a ${freq} period like ${example}`, { flag, value: label, frequency: freq });
  }
  return ord;
}

/** Parse `FROM:TO` (inclusive) against the panel's frequency. */
export function parsePeriodRange(spec: string, freq: Frequency, flag: string): [number, number] {
  const parts = spec.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError('BAD_RANGE_ARG', `${flag} '${spec}' must be FROM:TO, e.g. 2020-04:2020-06`, { flag, value: spec });
  }
  const a = parsePeriodArg(parts[0], freq, flag);
  const b = parsePeriodArg(parts[1], freq, flag);
  if (b < a) throw new UsageError('BAD_RANGE_ARG', `${flag} '${spec}': the end comes before the start`, { flag, value: spec });
  return [a, b];
}

/** How a column of dates was read into monthly periods (recorded by the panel). */
export interface DateReading {
  /** The format found: ISO `2015-04-01` or day-first UK `01/04/2015`. */
  format: 'iso-date' | 'uk-date';
  /** 'day n' when every date falls on day n of its month, 'month end' when each is its month's last day. */
  day: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?Z?)?$/;
const SLASH_DATE = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?: 00:00(?::00)?)?$/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function ymd(y: number, m: number, d: number): [number, number, number] | null {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? [y, m, d] : null;
}

/** Every label parsed as a date by `parse`, or null when any is not one. */
function parseAll(labels: readonly string[], parse: (s: string) => [number, number, number] | null): [number, number, number][] | null {
  const out: [number, number, number][] = [];
  for (const l of labels) {
    const d = parse(l.trim());
    if (d === null) return null;
    out.push(d);
  }
  return out;
}

/** 'day n' if all dates share day n, 'month end' if each is its month's last day, else null. */
function commonDay(dates: readonly [number, number, number][]): string | null {
  const d0 = dates[0]![2];
  if (dates.every((d) => d[2] === d0)) return `day ${d0}`;
  if (dates.every((d) => d[2] === daysInMonth(d[0], d[1]))) return 'month end';
  return null;
}

const monthLabel = (d: readonly [number, number, number]): string => `${String(d[0]).padStart(4, '0')}-${String(d[1]).padStart(2, '0')}`;

/**
 * Period labels as people export them, read into the canonical monthly labels: ISO dates
 * (`2015-04-01`, also with a zero time `2015-04-01T00:00:00`) and day-first UK dates
 * (`01/04/2015`), accepted for a monthly panel when every date falls on one day of its month (or
 * every date is its month's last day). Labels that are already periods are returned unchanged
 * (`reading` null). Dates on different days of a month (daily rows) and month-first (US) dates are
 * named with the fix; so are Excel serial day numbers.
 * @throws InputError DAILY_DATES, US_DATES
 */
export function readDateLabels(labels: readonly string[], context: { file?: string; column?: string } = {}): { labels: string[]; reading: DateReading | null } {
  const where = `column '${context.column ?? 'period'}'${context.file ? ` of ${context.file}` : ''}`;
  if (labels.length === 0 || labels.every((l) => labelFrequency(l) !== null)) return { labels: [...labels], reading: null };
  const iso = parseAll(labels, (s) => {
    const m = ISO_DATE.exec(s);
    return m ? ymd(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  });
  const dayFirst = iso ? null : parseAll(labels, (s) => {
    const m = SLASH_DATE.exec(s);
    return m ? ymd(Number(m[3]), Number(m[2]), Number(m[1])) : null;
  });
  const dates = iso ?? dayFirst;
  const format: DateReading['format'] = iso ? 'iso-date' : 'uk-date';
  const example = (d: readonly [number, number, number]): string => (iso ? `${monthLabel(d)}-${String(d[2]).padStart(2, '0')}` : `${String(d[2]).padStart(2, '0')}/${String(d[1]).padStart(2, '0')}/${d[0]}`);
  const monthFirst = iso ? null : parseAll(labels, (s) => {
    const m = SLASH_DATE.exec(s);
    return m ? ymd(Number(m[3]), Number(m[1]), Number(m[2])) : null;
  });
  const dayFirstDay = dates ? commonDay(dates) : null;
  if (dates && dayFirstDay !== null) return { labels: dates.map(monthLabel), reading: { format, day: dayFirstDay } };
  if (monthFirst && commonDay(monthFirst) !== null) {
    throw new InputError(
      'US_DATES',
      `${where} holds month-first (US) dates such as '${labels[labels.length - 1]!.trim()}' (month ${monthFirst[monthFirst.length - 1]![1]}, day ${monthFirst[monthFirst.length - 1]![2]}): vru-eval reads dates like 01/04/2015 day first (UK); write the periods as YYYY-MM (e.g. ${monthLabel(monthFirst[0]!)}) or as day-first dates`,
      { ...context, format: 'us-date' },
    );
  }
  if (dates) {
    const sample = [...new Set(dates.map(example))].slice(0, 3).join(', ');
    throw new InputError(
      'DAILY_DATES',
      `${where} holds ${iso ? 'ISO' : 'day-first (UK)'} dates on different days of the month (${sample}, …): a panel needs one row per unit and month. Add up (counts) or average (rates) the days of each month into one row whose period is written YYYY-MM (e.g. ${monthLabel(dates[0]!)}), then run again`,
      { ...context, format, examples: sample },
    );
  }
  return { labels: [...labels], reading: null };
}

/** The calendar date of an Excel serial day number (1900 date system, Lotus leap-year bug included), ISO. */
export function excelSerialDate(n: number): string {
  return new Date(Date.UTC(1899, 11, 30) + n * 86400000).toISOString().slice(0, 10);
}

/**
 * Whether integer periods look like Excel serial dates (a date cell exported as its day number:
 * 43556 = 2019-04-01): all between 1950 and 2099 as serials and at least 28 days apart.
 */
export function looksLikeExcelSerials(ords: readonly number[]): boolean {
  if (ords.length < 2) return false;
  const lo = 18264; // 1950-01-01
  const hi = 73051; // 2099-12-31
  if (!ords.every((o) => Number.isInteger(o) && o >= lo && o <= hi)) return false;
  for (let k = 1; k < ords.length; k++) if (ords[k]! - ords[k - 1]! < 28) return false;
  return true;
}

/** In words, the format a label that is not a period seems to have (for the error), or null. */
export function periodFormatFound(label: string): string | null {
  const s = label.trim();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}/.test(s)) return 'a date with a time of day; give the date alone, e.g. 2015-04-01, or the month 2015-04';
  if (/^\d{4}[/.]\d{1,2}$/.test(s)) return `year/month with '${s[4]}'; write it as ${s.slice(0, 4)}-${s.slice(5).padStart(2, '0')}`;
  if (/^\d{1,2}[/.-]\d{4}$/.test(s)) return `month/year; write it as ${s.slice(-4)}-${s.split(/[/.-]/)[0]!.padStart(2, '0')}`;
  if (/^[A-Za-z]{3,9}[ -]\d{2,4}$|^\d{2,4}[ -][A-Za-z]{3,9}$/.test(s)) return 'a month name and year (as a spreadsheet shows a date); write it as YYYY-MM, e.g. 2015-04';
  if (/^\d{4}-\d{1}$/.test(s)) return `a month without its leading zero; write ${s.slice(0, 5)}0${s.slice(5)}`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s) || /^\d{1,2}[/.]\d{1,2}[/.]\d{4}$/.test(s)) return 'a date that is not a real calendar day, or mixed with other formats';
  if (/\u00a0|\u200b|\ufeff/.test(s)) return 'a period with an invisible character (non-breaking or zero-width space); remove it';
  return null;
}
