/**
 * Human-readable numbers for chart captions and the HTML report. Rounding happens
 * only here, never in the JSON. Deterministic (fixed en-GB locale, true minus sign).
 */
import type { Frequency } from '../core/periods.js';

const MINUS = '\u2212';

function withMinus(s: string): string {
  return s.replace(/^-/, MINUS);
}

/**
 * A number with a sensible number of decimals for its size: thousands separators
 * from 1,000 up (no decimals), 1 decimal from 100, 2 from 1, else 3 significant digits.
 * `digits` forces a fixed number of decimals.
 */
export function fmtNumber(x: number | null | undefined, digits?: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  let d = digits;
  if (d === undefined) {
    const a = Math.abs(x);
    if (a === 0 || (Number.isInteger(x) && a < 1e15)) d = 0;
    else if (a >= 1000) d = 0;
    else if (a >= 100) d = 1;
    else if (a >= 1) d = 2;
    else {
      // below 1: three significant digits, without trailing zeros (0.0284, 0.45)
      const t = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 3 }).format(x);
      return withMinus(t);
    }
  }
  const s = new Intl.NumberFormat('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d }).format(x);
  return withMinus(s === '-0' || /^-0(\.0+)?$/.test(s) ? s.slice(1) : s);
}

/** Whole number with thousands separators, e.g. 27,585. */
export function fmtInt(x: number | null | undefined): string {
  return fmtNumber(x === null || x === undefined ? x : Math.round(x), 0);
}

/** Pounds to the pound: £385,363,118. */
export function fmtMoney(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  const s = fmtInt(Math.abs(x));
  return (x < 0 ? MINUS : '') + '£' + s;
}

/** p-value: 3 decimals, or "< 0.001". */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** "p = 0.020" or "p < 0.001". */
export function pText(p: number | null | undefined): string {
  const s = fmtP(p);
  return s.startsWith('<') ? `p ${s}` : `p = ${s}`;
}

/** Interval "[lo, hi]" formatted like its point estimate. */
export function fmtInterval(ci: readonly [number, number] | null | undefined, digits?: number): string {
  if (!ci) return 'n/a';
  return `${fmtNumber(ci[0], digits)} to ${fmtNumber(ci[1], digits)}`;
}

/** 0.95 → "95%". */
export function fmtLevel(level: number | null | undefined): string {
  if (level === null || level === undefined || !Number.isFinite(level)) return '95%';
  return `${Math.round(level * 1000) / 10}%`;
}

/** "violence_rate" → "violence rate". */
export function humanise(name: string): string {
  return name.replace(/[_.]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Milliseconds since the epoch of the first day of period ordinal `ord` (a Vega-Lite temporal value); integer periods map to themselves. */
export function timestamp(ord: number, freq: Frequency): number {
  switch (freq) {
    case 'monthly':
      return Date.UTC(Math.floor(ord / 12), ord - 12 * Math.floor(ord / 12), 1);
    case 'quarterly':
      return Date.UTC(Math.floor(ord / 4), 3 * (ord - 4 * Math.floor(ord / 4)), 1);
    case 'annual':
      return Date.UTC(ord, 0, 1);
    case 'integer':
      return ord;
  }
}
