/**
 * Reading result documents back, and typed views of the method-specific blocks the
 * charts and the report draw from (the output contracts in the README / HELPER_BRIEF):
 *   placebos   { type, filter, units: [{ unit, preRmspe, postRmspe, ratio, included, gaps[] }] }   (synth)
 *   eventPath  [{ eventTime, effect, se, ci, n, reference? }]                                   (gsynth, did)
 *   coefficients [{ term, estimate, se, ci, pValue, rateRatio?, rateRatioCi? }]                 (its, did)
 *   counts     { offencesAvoided, ci }                                                          (gsynth with --population)
 *   outcomes / totals / bcr                                                                     (cba)
 * Every accessor is tolerant: a missing or malformed block gives an empty result, never a throw,
 * so a chart that cannot be drawn is reported as "not applicable" by kinds.ts.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { labelFrequency, periodOrdinal, type Frequency } from '../core/periods.js';
import type { Interval, PathPoint, ResultDocument } from '../core/result.js';

/** Read and minimally check a result document (any vru-eval estimating command's output). */
export function readResultDocument(file: string): ResultDocument {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new InputError('RESULT_UNREADABLE', `cannot read result document ${file}: ${(e as Error).message}`, { file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError('RESULT_NOT_JSON', `${file} is not JSON (${(e as Error).message}); give the file written by a vru-eval command with --out`, { file });
  }
  return checkResultDocument(doc, file);
}

/** Throw InputError NOT_A_RESULT unless `doc` looks like a vru-eval result document. */
export function checkResultDocument(doc: unknown, file = '<document>'): ResultDocument {
  const d = doc as Record<string, unknown> | null;
  const missing = ['schemaVersion', 'method', 'path', 'units', 'diagnostics', 'warnings', 'options'].filter((k) => d === null || typeof d !== 'object' || !(k in d));
  if (missing.length > 0 || !Array.isArray(d!.path) || !Array.isArray(d!.units)) {
    throw new InputError('NOT_A_RESULT', `${file} is not a vru-eval result document (missing ${missing.join(', ') || 'path/units arrays'}); give the JSON written by scm, its, did or cba`, { file, missing });
  }
  return d as unknown as ResultDocument;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const asInterval = (x: unknown): Interval => (Array.isArray(x) && x.length === 2 && isNum(x[0]) && isNum(x[1]) ? [Math.min(x[0], x[1]), Math.max(x[0], x[1])] : null);

export { isNum, asInterval };

/** Frequency of the document's periods (input.frequency, else detected from the first period label). */
export function documentFrequency(doc: ResultDocument): Frequency {
  const f = (doc.input as { frequency?: unknown } | null)?.frequency;
  if (f === 'monthly' || f === 'quarterly' || f === 'annual' || f === 'integer') return f;
  const first = doc.path[0]?.period;
  return (first !== undefined ? labelFrequency(first) : null) ?? 'integer';
}

/** Ordinal of a period label in the document's frequency (NaN if it does not parse). */
export function ordinalOf(doc: ResultDocument, period: string): number {
  return periodOrdinal(period, documentFrequency(doc));
}

export function pathPoints(doc: ResultDocument): PathPoint[] {
  return Array.isArray(doc.path) ? doc.path : [];
}

/**
 * Sorted unique intervention dates. ITS: options.interruptions (or options.start), else its
 * `level:<start>` terms. Other methods: units[].start. Fallback: the first period with a
 * cumulative effect.
 */
export function interventionPeriods(doc: ResultDocument): string[] {
  const found = new Set<string>();
  const o = (doc.options ?? {}) as Record<string, unknown>;
  const fromOptions = () => {
    for (const key of ['interruptions', 'start'] as const) {
      const s = o[key];
      for (const x of Array.isArray(s) ? s : [s]) if (typeof x === 'string') found.add(x);
    }
  };
  const fromTerms = () => {
    for (const c of coefficients(doc)) {
      const m = /^level:(.+)$/.exec(c.term);
      if (m) found.add(m[1]!);
    }
  };
  const fromUnits = () => {
    for (const u of doc.units ?? []) if (typeof u.start === 'string') found.add(u.start);
  };
  const order = doc.method === 'its' ? [fromOptions, fromTerms, fromUnits] : [fromUnits, fromOptions, fromTerms];
  for (const f of order) if (found.size === 0) f();
  if (found.size === 0) {
    const first = pathPoints(doc).find((p) => p.cumulative !== null && p.cumulative !== undefined);
    if (first) found.add(first.period);
  }
  return [...found].filter((p) => Number.isFinite(ordinalOf(doc, p))).sort((a, b) => ordinalOf(doc, a) - ordinalOf(doc, b));
}

/** Shock windows [from, to] drawn shaded: `dummy:<from>:<to>` coefficients, options.dummy and options.excludePeriods ("from:to"). */
export function shockWindows(doc: ResultDocument): { from: string; to: string; label: string }[] {
  const out = new Map<string, { from: string; to: string; label: string }>();
  const add = (spec: string, label: string) => {
    const [from, to] = spec.split(':');
    if (from && to && Number.isFinite(ordinalOf(doc, from)) && Number.isFinite(ordinalOf(doc, to))) out.set(`${from}:${to}`, { from, to, label });
  };
  for (const c of coefficients(doc)) {
    const m = /^dummy:(.+:.+)$/.exec(c.term);
    if (m) add(m[1]!, 'shock dummy');
  }
  const o = (doc.options ?? {}) as Record<string, unknown>;
  for (const key of ['dummy', 'dummies', 'excludePeriods'] as const) {
    const v = o[key];
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && !out.has(x)) add(x, key === 'excludePeriods' ? 'left out of the fit' : 'shock dummy');
  }
  return [...out.values()];
}

export interface Coefficient {
  term: string;
  estimate: number | null;
  se: number | null;
  ci: Interval;
  pValue: number | null;
  rateRatio: number | null;
  rateRatioCi: Interval;
}

export function coefficients(doc: ResultDocument): Coefficient[] {
  const raw = doc.coefficients;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((c): c is Record<string, unknown> => c !== null && typeof c === 'object' && typeof (c as { term?: unknown }).term === 'string')
    .map((c) => ({
      term: c.term as string,
      estimate: isNum(c.estimate) ? c.estimate : null,
      se: isNum(c.se) ? c.se : null,
      ci: asInterval(c.ci),
      pValue: isNum(c.pValue) ? c.pValue : null,
      rateRatio: isNum(c.rateRatio) ? c.rateRatio : null,
      rateRatioCi: asInterval(c.rateRatioCi),
    }));
}

export interface EventRow {
  eventTime: number;
  effect: number | null;
  se: number | null;
  ci: Interval;
  n: number | null;
  reference: boolean;
  /** Simultaneous (uniform) band over event times, if the method gives one (cs). */
  band: Interval;
  /** An end of the event window that bins every event time beyond it (twfe --event-window). */
  binned: boolean;
}

export function eventPath(doc: ResultDocument): EventRow[] {
  const raw = doc.eventPath;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && isNum((r as { eventTime?: unknown }).eventTime))
    .map((r) => ({
      eventTime: r.eventTime as number,
      effect: isNum(r.effect) ? r.effect : null,
      se: isNum(r.se) ? r.se : null,
      ci: asInterval(r.ci),
      n: isNum(r.n) ? r.n : null,
      reference: r.reference === true,
      band: asInterval(r.band),
      binned: r.binned === true,
    }));
}

export interface PlaceboUnit {
  unit: string;
  included: boolean;
  preRmspe: number | null;
  gaps: (number | null)[];
}

export interface Placebos {
  type: string;
  filter: number | null;
  units: PlaceboUnit[];
}

export function placebos(doc: ResultDocument): Placebos | null {
  const p = doc.placebos as Record<string, unknown> | undefined | null;
  if (!p || typeof p !== 'object' || !Array.isArray(p.units)) return null;
  const units = (p.units as unknown[])
    .filter((u): u is Record<string, unknown> => u !== null && typeof u === 'object' && typeof (u as { unit?: unknown }).unit === 'string' && Array.isArray((u as { gaps?: unknown }).gaps))
    .map((u) => ({ unit: u.unit as string, included: u.included !== false, preRmspe: isNum(u.preRmspe) ? u.preRmspe : null, gaps: (u.gaps as unknown[]).map((g) => (isNum(g) ? g : null)) }));
  return { type: typeof p.type === 'string' ? p.type : 'space', filter: isNum(p.filter) ? p.filter : null, units };
}

/** Per-unit paths for small multiples: units[].path rows { period, observed, counterfactual, effect }. */
export function unitPaths(doc: ResultDocument): { unit: string; start: string | null; path: { period: string; observed: number | null; counterfactual: number | null }[] }[] {
  return (doc.units ?? [])
    .filter((u) => Array.isArray(u.path) && (u.path as unknown[]).length > 0)
    .map((u) => ({
      unit: u.unit,
      start: typeof u.start === 'string' ? u.start : null,
      path: (u.path as Record<string, unknown>[]).map((p) => ({ period: String(p.period), observed: isNum(p.observed) ? p.observed : null, counterfactual: isNum(p.counterfactual) ? p.counterfactual : null })),
    }));
}

/** Mean donor weight over treated units (the weights of the average synthetic control when all units share the donor pool). */
export function meanDonorWeights(doc: ResultDocument): { donor: string; weight: number }[] {
  const withW = (doc.units ?? []).filter((u) => u.weights && typeof u.weights === 'object');
  if (withW.length === 0) return [];
  const sum = new Map<string, number>();
  for (const u of withW) for (const [d, w] of Object.entries(u.weights!)) if (isNum(w)) sum.set(d, (sum.get(d) ?? 0) + w);
  return [...sum.entries()].map(([donor, s]) => ({ donor, weight: s / withW.length })).sort((a, b) => b.weight - a.weight || (a.donor < b.donor ? -1 : 1));
}

/** Offences avoided (counts block), if present: { offencesAvoided | value, ci }. */
export function countsAvoided(doc: ResultDocument): { value: number; ci: Interval } | null {
  const c = doc.counts as Record<string, unknown> | undefined | null;
  if (!c || typeof c !== 'object') return null;
  const v = isNum(c.offencesAvoided) ? c.offencesAvoided : isNum(c.value) ? c.value : null;
  return v === null ? null : { value: v, ci: asInterval(c.ci) };
}

export interface CbaOutcome {
  name: string;
  offencesAvoided: number | null;
  ci: Interval;
  multiplier: number | null;
  unitCost: number | null;
  adjustedOffencesAvoided: number | null;
  benefit: number | null;
  /** Benefit at the two CI bounds, sorted [smaller, larger]. */
  benefitRange: Interval;
}

/** Outcomes of a cba document. The benefit at the CI bounds is read from low/high.benefit, benefitLow/benefitHigh, or benefitCi. */
export function cbaOutcomes(doc: ResultDocument): CbaOutcome[] {
  const raw = doc.outcomes;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((o): o is Record<string, unknown> => o !== null && typeof o === 'object')
    .map((o, k) => {
      const lo = (o.low as Record<string, unknown> | undefined)?.benefit ?? o.benefitLow;
      const hi = (o.high as Record<string, unknown> | undefined)?.benefit ?? o.benefitHigh;
      return {
        name: typeof o.name === 'string' ? o.name : typeof o.outcomeType === 'string' ? o.outcomeType : `outcome ${k + 1}`,
        offencesAvoided: isNum(o.offencesAvoided) ? o.offencesAvoided : null,
        ci: asInterval(o.ci),
        multiplier: isNum(o.multiplier) ? o.multiplier : null,
        // a number, or { value, base, uprate, source, … } as the cba command writes it
        unitCost: isNum(o.unitCost) ? o.unitCost : isNum((o.unitCost as { value?: unknown } | null)?.value) ? ((o.unitCost as { value: number }).value) : null,
        adjustedOffencesAvoided: isNum(o.adjustedOffencesAvoided) ? o.adjustedOffencesAvoided : null,
        benefit: isNum(o.benefit) ? o.benefit : null,
        benefitRange: asInterval(isNum(lo) && isNum(hi) ? [lo, hi] : o.benefitCi),
      };
    });
}

export function cbaTotals(doc: ResultDocument): { benefits: number | null; benefitsLow: number | null; benefitsHigh: number | null; costs: number | null; netBenefit: number | null; bcr: number | null; bcrLow: number | null; bcrHigh: number | null } {
  const t = (doc.totals ?? {}) as Record<string, unknown>;
  const b = (doc.bcr ?? {}) as Record<string, unknown>;
  const n = (x: unknown) => (isNum(x) ? x : null);
  return { benefits: n(t.benefits), benefitsLow: n(t.benefitsLow), benefitsHigh: n(t.benefitsHigh), costs: n(t.costs), netBenefit: n(t.netBenefit), bcr: n(b.estimate), bcrLow: n(b.low), bcrHigh: n(b.high) };
}

export interface Aggregation {
  name: string;
  att: number | null;
  se: number | null;
  ci: Interval;
  pValue: number | null;
  description: string | null;
}

/** Staggered-DiD aggregations (simple, dynamic, group, calendar), if present. */
export function aggregations(doc: ResultDocument): Aggregation[] {
  const a = doc.aggregations as Record<string, Record<string, unknown>> | undefined | null;
  if (!a || typeof a !== 'object') return [];
  return Object.entries(a)
    .filter(([, v]) => v !== null && typeof v === 'object')
    .map(([name, v]) => ({ name, att: isNum(v.att) ? v.att : null, se: isNum(v.se) ? v.se : null, ci: asInterval(v.ci), pValue: isNum(v.pValue) ? v.pValue : null, description: typeof v.description === 'string' ? v.description : null }));
}

/** The diagnostic with this code, if any. */
export function diagnostic(doc: ResultDocument, code: string) {
  return (doc.diagnostics ?? []).find((d) => d.code === code) ?? null;
}

/** Rate denominator for axis labels: options.ratePer (e.g. 100000), if recorded. */
export function ratePer(doc: ResultDocument): number | null {
  const o = (doc.options ?? {}) as Record<string, unknown>;
  const v = o.ratePer ?? o.rate_per;
  return isNum(v) && v > 0 ? v : null;
}

export interface MicroEffect {
  outcome: string;
  treatedTotal: number;
  syntheticTotal: number;
  percentChange: number | null;
  path: { period: string; treated: number | null; synthetic: number | null }[];
  permutation?: { placeboPercentChange?: number[]; pValue?: number | null; percentChangeCi?: [number, number] | null };
  weightRange?: { percentChangeMin: number | null; percentChangeMax: number | null };
}

/** The per-outcome results of a micro document (empty for other documents). */
export function microEffects(doc: ResultDocument): MicroEffect[] {
  const e = (doc as unknown as { effects?: unknown }).effects;
  return Array.isArray(e) ? (e as MicroEffect[]).filter((x) => x && typeof x.outcome === 'string' && Array.isArray(x.path)).slice(0, 6) : [];
}
