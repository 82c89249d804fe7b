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
      throw new InputError('BAD_PERIOD', `period '${label}' in column '${context.column ?? 'period'}'${context.file ? ` of ${context.file}` : ''} is not a recognised period: use YYYY-MM (monthly), YYYY-Qn (quarterly), YYYY (annual) or an integer`, { ...context, period: label });
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
