/**
 * Chart pieces for SDID / ASCM / weight uniqueness (kept apart from specs.ts):
 * - the near-optimal counterfactual band (path[].counterfactualRange, synth's weight
 *   uniqueness) drawn in the observed-vs-counterfactual chart;
 * - the SDID time weights λ (timeWeights[]) as bars over the pre-periods, one panel row per cohort.
 */
import type { ResultDocument } from '../core/result.js';

type Interval = [number, number];
const isInterval = (v: unknown): v is Interval => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Rows {period, lo, hi} of the uniqueness band, or [] when the document has none. */
export function uniquenessBand(doc: ResultDocument): { period: string; lo: number; hi: number }[] {
  const out: { period: string; lo: number; hi: number }[] = [];
  for (const p of doc.path ?? []) {
    const r = (p as Record<string, unknown>).counterfactualRange;
    if (isInterval(r)) out.push({ period: p.period, lo: r[0], hi: r[1] });
  }
  return out;
}

/** A layer drawing the band (x encoded like the chart's other layers) and its subtitle sentence. */
export function uniquenessLayer(doc: ResultDocument, x: (period: string) => unknown, xEncoding: Record<string, unknown>, yEncodingLo: Record<string, unknown>, colour: string): { layers: Record<string, unknown>[]; subtitle: string } {
  const rows = uniquenessBand(doc).map((r) => ({ x: x(r.period), period: r.period, lo: r.lo, hi: r.hi }));
  if (rows.length === 0) return { layers: [], subtitle: '' };
  const tol = (doc.options as Record<string, unknown> | undefined)?.uniquenessTol;
  return {
    layers: [{ data: { values: rows }, mark: { type: 'area', color: colour, opacity: 0.3 }, encoding: { x: xEncoding, y: yEncodingLo, y2: { field: 'hi' } } }],
    subtitle: `Orange band: counterfactuals of every donor weighting that fits the pre-period within ${typeof tol === 'number' ? `${tol * 100}%` : 'the tolerance'} of the best (weight uniqueness).`,
  };
}

/** Time weights λ per cohort: [{cohort, period, weight}]. */
export function timeWeightRows(doc: ResultDocument): { cohort: string; period: string; weight: number }[] {
  const tw = (doc as Record<string, unknown>).timeWeights;
  if (!Array.isArray(tw)) return [];
  const out: { cohort: string; period: string; weight: number }[] = [];
  for (const c of tw as { start?: unknown; weights?: unknown }[]) {
    if (!c || typeof c.weights !== 'object' || c.weights === null) continue;
    for (const [period, w] of Object.entries(c.weights as Record<string, unknown>)) if (typeof w === 'number') out.push({ cohort: `start ${String(c.start)}`, period, weight: w });
  }
  return out;
}

/** Vega-Lite body of the time-weights chart (bars of λ_t over pre-periods, a row per cohort). */
export function timeWeightsBody(doc: ResultDocument, o: { title?: string | undefined; width?: number | undefined; height?: number | undefined }): Record<string, unknown> {
  const rows = timeWeightRows(doc).map((r) => ({ ...r, aria: `${r.cohort}, ${r.period}: λ = ${r.weight.toFixed(3)}` }));
  const cohorts = [...new Set(rows.map((r) => r.cohort))];
  const periods = [...new Set(rows.map((r) => r.period))];
  return {
    title: { text: o.title ?? 'SDID time weights λ over the pre-period', subtitle: ['Bars: weight of each pre-period in the synthetic DiD\'s pre-period baseline (they sum to 1 per cohort).', cohorts.length > 1 ? `One row per adoption cohort (${cohorts.join(', ')}).` : ''].filter(Boolean) },
    description: 'Bar chart of the time weights of synthetic difference-in-differences by pre-period.',
    data: { values: rows },
    ...(cohorts.length > 1 ? { facet: { row: { field: 'cohort', type: 'nominal', title: null } }, spec: barSpec(periods, o) } : barSpec(periods, o)),
  };
}

function barSpec(periods: string[], o: { width?: number | undefined; height?: number | undefined }): Record<string, unknown> {
  return {
    width: o.width ?? 640,
    height: o.height ?? 160,
    mark: { type: 'bar', color: '#0072B2' },
    encoding: {
      x: { field: 'period', type: 'ordinal', sort: periods, title: 'Pre-period', axis: { labelAngle: -45 } },
      y: { field: 'weight', type: 'quantitative', title: 'Time weight λ', scale: { domain: [0, 1] } },
      description: { field: 'aria' },
    },
  };
}
