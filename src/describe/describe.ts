/**
 * Descriptive comparisons of monthly counts, as VRUs report them every quarter (e.g. London's
 * "August 2023 – July 2024 against 2018/19"): no model and no counterfactual.
 *
 *  - rolling 12 months to the last complete month against a baseline 12 months: either the same
 *    calendar months ending in a baseline year (`2018` → the 12 months ending in the same month of
 *    2018) or a financial year (`2018/19` → April 2018 – March 2019);
 *  - year on year: each complete calendar or financial year against the one before, and the
 *    current year to date against the same months a year earlier;
 *  - a monthly overlay of two years.
 *
 * The series combines the chosen units' monthly values: counts are summed; rates (per N population,
 * known by their name or --rates) are averaged, weighted by population when the panel has a
 * population column, never summed (OutcomeCombine). A month is complete when every chosen unit has a value. Months after the last complete month are left out (and named).
 * Inputs: a monthly Panel per outcome (N×T values `y`, NaN where missing).
 */
import { UsageError, InputError } from '../core/errors.js';
import type { Panel } from '../core/panel.js';
import { ordinalLabel, periodOrdinal } from '../core/periods.js';
import type { Analysis, Warning } from '../core/result.js';

export const DESCRIBE_LABEL = 'descriptive: no counterfactual';
export const YEAR_KINDS = ['financial', 'calendar'] as const;
export type YearKind = (typeof YEAR_KINDS)[number];
/** How the areas' values are combined: `auto` sums counts and averages rates (see {@link combineOf}). */
export const AGGREGATES = ['auto', 'sum', 'mean'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/**
 * Names that say an outcome is a rate, not a count (the rule micro's RATE_OUTCOME warning uses):
 * violence_rate, per_100k, per1000, percent, pct, ratio.
 */
export const RATE_NAME = /rate|per_?100|per_?1000|percent|pct|ratio/i;

/**
 * How one outcome's areas were combined each month, and why. A count is summed over the areas; a rate
 * (per N population) is averaged: weighted by population when the panel has one (Σ pop·rate / Σ pop,
 * the rate of the areas together), else each area counted equally. Windows of months always add the
 * months, so for a monthly rate per N a 12-month window is the rate per N over those 12 months.
 */
export interface OutcomeCombine {
  kind: 'count' | 'rate';
  /** Why a rate: its name (RATE_NAME) or --rates; null for a count. */
  basis: 'name' | '--rates' | null;
  across: 'sum' | 'mean' | 'population-weighted mean';
  /** The population column of the weighted mean, else null. */
  population: string | null;
}

export interface DescribeOptions {
  /** Units whose values are combined; null = every unit in the panel. */
  units: string[] | null;
  aggregate: Aggregate;
  /** Outcomes to treat as rates although their names do not say so (null: none). */
  rates: string[] | null;
  /** '2018/19' (financial year) or '2018' (the 12 months ending in the latest month's calendar month of 2018). */
  baseline: string;
  year: YearKind;
  /** Two years to overlay month by month (labels like 2018/19 or 2018 per `year`); null = baseline year and the latest. */
  overlay: [string, string] | null;
}

export interface Window {
  from: string;
  to: string;
  months: number;
  value: number | null;
}

export interface Comparison {
  current: Window;
  baseline: Window;
  difference: number | null;
  percentChange: number | null;
}

export interface YearRow {
  year: string;
  from: string;
  to: string;
  value: number;
  previous: number | null;
  difference: number | null;
  percentChange: number | null;
}

export interface OutcomeDescription {
  outcome: string;
  /** Count or rate, and how the areas were combined (a rate is never summed over areas). */
  combine: OutcomeCombine;
  rolling: Comparison;
  years: YearRow[];
  /** The current, incomplete year so far against the same months a year earlier (null when the latest year is complete). */
  yearToDate: (Comparison & { year: string }) | null;
  overlay: { years: [string, string]; months: { month: string; a: number | null; b: number | null; difference: number | null }[] };
  /** The monthly series, for charts: period and value (null when incomplete). */
  series: { period: string; value: number | null }[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** First month ordinal of the year labelled `label` ('2018/19' → April 2018; '2018' → January 2018). */
function yearStart(label: string, kind: YearKind, flag: string): number {
  const fy = /^(\d{4})\/(\d{2})$/.exec(label.trim());
  const cy = /^(\d{4})$/.exec(label.trim());
  if (kind === 'financial' && fy && (Number(fy[1]) + 1) % 100 === Number(fy[2])) return Number(fy[1]) * 12 + 3;
  if (kind === 'calendar' && cy) return Number(cy[1]) * 12;
  throw new UsageError('BAD_YEAR', `${flag} '${label}' is not a ${kind} year: use ${kind === 'financial' ? 'YYYY/YY, e.g. 2018/19 (April 2018 – March 2019)' : 'YYYY, e.g. 2018'}`, { flag, value: label });
}

function yearLabel(start: number, kind: YearKind): string {
  const y = Math.floor(start / 12);
  return kind === 'financial' ? `${y}/${String((y + 1) % 100).padStart(2, '0')}` : String(y);
}

function pct(cur: number | null, base: number | null): number | null {
  if (cur === null || base === null || base === 0) return null;
  return ((cur - base) / base) * 100;
}

/**
 * The combined monthly series of the chosen units on the month-ordinal grid: `value(ord)` is the
 * month's sum (or mean) over the units, null when a unit lacks a value or after the last complete
 * month; `window(from, to)` adds a run of months (null unless every one of them has a value).
 */
interface MonthlySeries {
  first: number;
  last: number;
  value(ord: number): number | null;
  window(from: number, to: number): Window;
}

/** Describe one outcome's panel: rolling 12 months against the baseline, year on year, an overlay of two years. */
export function describeOutcome(panel: Panel, o: DescribeOptions, warnings: Warning[]): OutcomeDescription {
  if (panel.frequency !== 'monthly') throw new InputError('NOT_MONTHLY', `${panel.file}: describe compares months and years, and this panel is ${panel.frequency}; give monthly data (YYYY-MM periods)`, { file: panel.file });
  const idx = chosenUnits(panel, o);
  const combine = combineOf(panel, o, idx, warnings);
  const m = monthlySeries(panel, combine, idx, warnings);
  const { baseFrom, rolling } = rollingComparison(panel, o, idx, m, warnings);
  const startMonth = o.year === 'financial' ? 3 : 0;
  const { years, yearToDate, curStart } = yearOnYear(o, m, startMonth);
  const overlay = overlayOf(o, m, startMonth, baseFrom, curStart);
  const series = panel.ordinals.map((ord) => ({ period: ordinalLabel(ord, 'monthly'), value: m.value(ord) }));
  return { outcome: panel.outcome, combine, rolling, years, yearToDate, overlay, series };
}

/** Row indices of --units (every unit when null). @throws InputError UNKNOWN_UNIT */
function chosenUnits(panel: Panel, o: DescribeOptions): number[] {
  return o.units === null ? panel.units.map((_, i) => i) : o.units.map((u) => {
    const i = panel.units.indexOf(u);
    if (i < 0) throw new InputError('UNKNOWN_UNIT', `--units: '${u}' is not a unit of ${panel.file} (units are e.g. ${panel.units.slice(0, 5).join(', ')})`, { unit: u });
    return i;
  });
}

/**
 * Count or rate, and how its areas are combined: a count by --aggregate (auto = sum); a rate (named so,
 * or in --rates) by its population-weighted mean with --population, else the plain mean with a warning.
 * @throws UsageError RATE_NOT_SUMMED when --aggregate sum is asked of a rate
 */
function combineOf(panel: Panel, o: DescribeOptions, idx: readonly number[], warnings: Warning[]): OutcomeCombine {
  const declared = o.rates?.includes(panel.outcome) ?? false;
  if (!declared && !RATE_NAME.test(panel.outcome)) {
    const across = o.aggregate === 'mean' ? 'mean' : 'sum';
    if (across === 'sum') notCountWarning(panel, idx, warnings);
    return { kind: 'count', basis: null, across, population: null };
  }
  const why = declared ? 'given in --rates' : 'its name says so';
  if (o.aggregate === 'sum') {
    throw new UsageError('RATE_NOT_SUMMED', `--aggregate sum: '${panel.outcome}' is a rate (${why}), and a sum of the areas' rates is not the rate of the areas together; use --aggregate mean (population-weighted with --population <column>), or describe the count column instead`, { flag: '--aggregate', outcome: panel.outcome });
  }
  if (panel.population === null) {
    warnings.push({ code: 'RATE_UNWEIGHTED', message: `'${panel.outcome}' is a rate (${why}): each month is the plain mean of the ${idx.length} areas' rates, which is the rate of the areas together only when their populations are equal; give --population <column> for the population-weighted mean` });
    return { kind: 'rate', basis: declared ? '--rates' : 'name', across: 'mean', population: null };
  }
  return { kind: 'rate', basis: declared ? '--rates' : 'name', across: 'population-weighted mean', population: panel.populationColumn };
}

/** A summed outcome with a non-integer value may be a rate or a share that must not be summed: say so. */
function notCountWarning(panel: Panel, idx: readonly number[], warnings: Warning[]): void {
  const T = panel.periods.length;
  for (const i of idx) {
    for (let t = 0; t < T; t++) {
      const v = panel.y[i * T + t]!;
      if (!Number.isFinite(v) || Number.isInteger(v)) continue;
      warnings.push({ code: 'NOT_A_COUNT', message: `'${panel.outcome}' has non-integer values (e.g. ${v} for ${panel.units[i]} in ${panel.periods[t]}) and is summed over the areas as a count; if it is a rate or a share, give --rates ${panel.outcome} to average it instead` });
      return;
    }
  }
}

/** The chosen units' monthly sum, mean or population-weighted mean, complete months only; warns about trailing incomplete months. @throws InputError NO_COMPLETE_MONTH */
function monthlySeries(panel: Panel, c: OutcomeCombine, idx: readonly number[], warnings: Warning[]): MonthlySeries {
  const T = panel.periods.length;
  const ord0 = panel.ordinals[0]!;
  const byOrd = new Map<number, number | null>();
  const pop = c.across === 'population-weighted mean' ? panel.population : null;
  for (let t = 0; t < T; t++) {
    let s = 0;
    let w = 0;
    let ok = true;
    for (const i of idx) {
      const v = panel.y[i * T + t]!;
      const p = pop ? pop[i * T + t]! : 1;
      if (!Number.isFinite(v) || !(p > 0)) ok = false;
      else if (pop) (s += v * p), (w += p);
      else s += v;
    }
    byOrd.set(panel.ordinals[t]!, ok ? (pop ? s / w : c.across === 'mean' ? s / idx.length : s) : null);
  }
  let last = -1;
  for (let t = T - 1; t >= 0; t--) if (byOrd.get(panel.ordinals[t]!) !== null) { last = panel.ordinals[t]!; break; }
  if (last < 0) throw new InputError('NO_COMPLETE_MONTH', `${panel.outcome}: no month has a value for every chosen unit`, { outcome: panel.outcome });
  const lastT = panel.ordinals[T - 1]!;
  if (lastT > last) warnings.push({ code: 'INCOMPLETE_MONTHS', message: `${panel.outcome}: ${ordinalLabel(last + 1, 'monthly')} – ${ordinalLabel(lastT, 'monthly')} lack values for some chosen units and are left out; the last complete month is ${ordinalLabel(last, 'monthly')}` });
  const value = (ord: number): number | null => (ord <= last ? (byOrd.get(ord) ?? null) : null);
  const window = (from: number, to: number): Window => {
    let s = 0;
    let ok = from >= ord0 && to <= last;
    for (let k = from; k <= to && ok; k++) {
      const v = value(k);
      if (v === null) ok = false;
      else s += v;
    }
    return { from: ordinalLabel(from, 'monthly'), to: ordinalLabel(to, 'monthly'), months: to - from + 1, value: ok ? s : null };
  };
  return { first: ord0, last, value, window };
}

function compare(cur: Window, base: Window): Comparison {
  return {
    current: cur,
    baseline: base,
    difference: cur.value !== null && base.value !== null ? cur.value - base.value : null,
    percentChange: pct(cur.value, base.value),
  };
}

/** The latest 12 complete months against the baseline year (--baseline). @throws UsageError BAD_BASELINE; InputError from baselineError */
function rollingComparison(panel: Panel, o: DescribeOptions, idx: readonly number[], m: MonthlySeries, warnings: Warning[]): { baseFrom: number; rolling: Comparison } {
  const last = m.last;
  const current = m.window(last - 11, last);
  let baseFrom: number;
  if (/^\d{4}\/\d{2}$/.test(o.baseline.trim())) baseFrom = yearStart(o.baseline, 'financial', '--baseline');
  else if (/^\d{4}$/.test(o.baseline.trim())) baseFrom = Number(o.baseline) * 12 + (last % 12) - 11;
  else throw new UsageError('BAD_BASELINE', `--baseline '${o.baseline}' must be a financial year (2018/19: April 2018 – March 2019) or a year (2018: the same 12 months as the latest, ending in 2018)`, { flag: '--baseline', value: o.baseline });
  const baseline = m.window(baseFrom, baseFrom + 11);
  if (baseline.value === null) throw baselineError(panel, o, idx, baseFrom, last, baseline);
  if (baseFrom + 11 >= last - 11) warnings.push({ code: 'BASELINE_OVERLAPS', message: `the baseline ${baseline.from} – ${baseline.to} overlaps the latest 12 months ${current.from} – ${current.to}` });
  return { baseFrom, rolling: compare(current, baseline) };
}

/** Each complete (calendar or financial) year against the one before, and the current year to date against the same months a year earlier. */
function yearOnYear(o: DescribeOptions, m: MonthlySeries, startMonth: number): { years: YearRow[]; yearToDate: OutcomeDescription['yearToDate']; curStart: number } {
  const { first, last } = m;
  let y0 = first - ((((first - startMonth) % 12) + 12) % 12);
  if (y0 < first) y0 += 12;
  const years: YearRow[] = [];
  for (let s = y0; s + 11 <= last; s += 12) {
    const w = m.window(s, s + 11);
    if (w.value === null) continue;
    const prev = years.length > 0 && years[years.length - 1]!.from === ordinalLabel(s - 12, 'monthly') ? years[years.length - 1]!.value : null;
    years.push({ year: yearLabel(s, o.year), from: w.from, to: w.to, value: w.value, previous: prev, difference: prev !== null ? w.value - prev : null, percentChange: pct(w.value, prev) });
  }
  const curStart = last - ((((last - startMonth) % 12) + 12) % 12);
  let yearToDate: OutcomeDescription['yearToDate'] = null;
  if (curStart + 11 > last) {
    const cur = m.window(curStart, last);
    const prev = m.window(curStart - 12, last - 12);
    yearToDate = { year: yearLabel(curStart, o.year), ...compare(cur, prev) };
  }
  return { years, yearToDate, curStart };
}

/** Two years month by month (--overlay; default the baseline's year and the current one). */
function overlayOf(o: DescribeOptions, m: MonthlySeries, startMonth: number, baseFrom: number, curStart: number): OutcomeDescription['overlay'] {
  const yearOf = (ord: number): number => ord - ((((ord - startMonth) % 12) + 12) % 12);
  const ovYears: [string, string] = o.overlay ?? [yearLabel(yearOf(baseFrom), o.year), yearLabel(curStart, o.year)];
  const [sa, sb] = ovYears.map((y) => yearStart(y, o.year, '--overlay')) as [number, number];
  const months = Array.from({ length: 12 }, (_, k) => {
    const a = m.value(sa + k);
    const b = m.value(sb + k);
    return { month: MONTHS[(startMonth + k) % 12]!, a, b, difference: a !== null && b !== null ? b - a : null };
  });
  return { years: ovYears, months };
}

/** The analysis block of `vru-eval describe` (a result document with no estimate). */
export function describe(panels: Panel[], o: DescribeOptions): Analysis {
  const warnings: Warning[] = [];
  const unknown = (o.rates ?? []).filter((r) => !panels.some((p) => p.outcome === r));
  if (unknown.length > 0) throw new UsageError('UNKNOWN_RATE_OUTCOME', `--rates ${unknown.join(',')}: not among the outcomes (${panels.map((p) => p.outcome).join(', ')}); --rates names outcomes to average as rates`, { flag: '--rates', value: unknown });
  const outcomes = panels.map((p) => describeOutcome(p, o, warnings));
  const lastComplete = outcomes.map((d) => d.rolling.current.to).sort()[0]!;
  return {
    method: 'describe',
    options: { outcomes: panels.map((p) => p.outcome), units: o.units, aggregate: o.aggregate, rates: o.rates, population: panels[0]!.populationColumn, baseline: o.baseline, year: o.year, overlay: outcomes[0]!.overlay.years, seed: null },
    estimate: null,
    path: [],
    units: [],
    diagnostics: [],
    warnings,
    describe: { label: DESCRIBE_LABEL, lastCompleteMonth: lastComplete, units: o.units ?? panels[0]!.units, outcomes },
  };
}

/** Month ordinal helper re-exported for tests. */
export const monthOrdinal = (label: string): number => periodOrdinal(label, 'monthly');

/**
 * Why the baseline window has no value: it starts before the data or ends after the last complete
 * month (then the range is named), or it lies inside the data and some months lack a value for
 * some chosen areas (then those unit × month cells are named, with the fix).
 */
function baselineError(panel: Panel, o: DescribeOptions, idx: readonly number[], from: number, last: number, w: { from: string; to: string }): InputError {
  const ord0 = panel.ordinals[0]!;
  if (from < ord0 || from + 11 > last) {
    return new InputError('BASELINE_OUTSIDE_DATA', `--baseline ${o.baseline}: ${w.from} – ${w.to} is not inside the complete months of ${panel.file} (${panel.periods[0]} – ${ordinalLabel(last, 'monthly')}); choose a baseline within them`, { flag: '--baseline' });
  }
  const T = panel.periods.length;
  const gaps: string[] = [];
  for (let k = from; k <= from + 11; k++) {
    const t = panel.ordinals.indexOf(k);
    for (const i of idx) if (!Number.isFinite(panel.y[i * T + t]!)) gaps.push(`${panel.units[i]} ${ordinalLabel(k, 'monthly')}`);
  }
  return new InputError(
    'BASELINE_MISSING_CELLS',
    `--baseline ${o.baseline}: ${w.from} – ${w.to} lies inside ${panel.file}, but ${gaps.length} of its area × month cells ha${gaps.length === 1 ? 's' : 've'} no ${panel.outcome} value (${gaps.slice(0, 5).join(', ')}${gaps.length > 5 ? ', …' : ''}), so the baseline total is unknown; fill ${gaps.length === 1 ? 'that cell' : 'those cells'}, leave ${gaps.length === 1 ? 'that area' : 'those areas'} out with --units, or choose another baseline`,
    { flag: '--baseline', missing: gaps.slice(0, 20) },
  );
}
