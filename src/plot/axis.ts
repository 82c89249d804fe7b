/**
 * The base of every chart specification (split from specs.ts so that the per-kind spec modules and
 * specs.ts import it without importing each other): the Vega-Lite type, the palette, chart options
 * and the time axis of a result document.
 */
import { UsageError } from '../core/errors.js';
import { periodOrdinal } from '../core/periods.js';
import type { ResultDocument } from '../core/result.js';
import { documentFrequency, pathPoints } from './document.js';
import { timestamp } from './format.js';
import type { PlotKind } from './kinds.js';
import type { Frequency } from '../core/periods.js';

/** A Vega-Lite specification (plain JSON). */
export type VlSpec = Record<string, unknown>;

/** Okabe & Ito (2008) colour-blind-safe palette. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
} as const;
export interface EventMark {
  period: string;
  label: string;
}

export interface PlotOptions {
  kind?: PlotKind | undefined;
  /** Extra dated events drawn as dotted verticals with a label (e.g. a lockdown). */
  marks?: readonly EventMark[] | undefined;
  /** Y-axis title; default from input.outcome and options.ratePer. */
  yLabel?: string | undefined;
  /** Chart title; default per kind. */
  title?: string | undefined;
  /** Plot area size in pixels (per panel for small multiples). */
  width?: number | undefined;
  height?: number | undefined;
}

export interface TimeAxis {
  type: 'temporal' | 'quantitative';
  freq: Frequency;
  /** Position of a period label (ms since epoch, UTC, or the integer period). */
  x: (period: string) => number;
  /** Position of the period after this one (end of a shaded window). */
  next: (period: string) => number;
  title: string;
  noun: string;
  encoding: (field?: string, title?: string | null) => Record<string, unknown>;
}


export function timeAxis(doc: ResultDocument): TimeAxis {
  const freq = documentFrequency(doc);
  const ord = (p: string): number => {
    const o = periodOrdinal(p, freq);
    if (!Number.isFinite(o)) throw new UsageError('BAD_PERIOD', `period '${p}' is not a ${freq} period like the result's (e.g. ${pathPoints(doc)[0]?.period ?? '2019-04'})`, { period: p, frequency: freq });
    return o;
  };
  const temporal = freq !== 'integer';
  const title = freq === 'monthly' ? 'Month' : freq === 'quarterly' ? 'Quarter' : freq === 'annual' ? 'Year' : 'Period';
  const format = freq === 'monthly' ? '%b %Y' : freq === 'quarterly' ? '%Y Q%q' : '%Y';
  return {
    type: temporal ? 'temporal' : 'quantitative',
    freq,
    x: (p) => timestamp(ord(p), freq),
    next: (p) => timestamp(ord(p) + 1, freq),
    title,
    noun: freq === 'monthly' ? 'month' : freq === 'quarterly' ? 'quarter' : freq === 'annual' ? 'year' : 'period',
    encoding: (field = 'x', t = title) =>
      temporal
        ? { field, type: 'temporal', title: t, scale: { type: 'utc' }, axis: { format, labelOverlap: true, grid: false } }
        : { field, type: 'quantitative', title: t, scale: { zero: false, nice: false }, axis: { format: 'd', labelOverlap: true, grid: false } },
  };
}

