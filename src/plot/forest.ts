/**
 * Forest plot (`--kind compare`): one row per method (a compare document's `comparison`) or per
 * robustness variant (a robustness document's `variants`), the point estimate with its interval
 * on one horizontal scale, a zero line, and for robustness the main estimate as a dashed line.
 * Rows whose interval misses the others' (compare) or the main estimate (robustness) are drawn in
 * vermillion, the rest in blue.
 */
import type { ResultDocument } from '../core/result.js';
import { fmtLevel, fmtNumber } from './format.js';

type VlSpec = Record<string, unknown>;

interface ForestRow {
  label: string;
  group: string;
  att: number;
  lo: number | null;
  hi: number | null;
  flagged: boolean;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Rows of a compare or robustness document (empty when it has neither). */
export function forestRows(doc: ResultDocument): ForestRow[] {
  const comparison = (doc as { comparison?: unknown }).comparison;
  const variants = (doc as { variants?: unknown }).variants;
  const out: ForestRow[] = [];
  if (Array.isArray(comparison)) {
    for (const r of comparison as Record<string, unknown>[]) {
      const att = num(r.att);
      if (att === null) continue;
      const ci = Array.isArray(r.ci) ? (r.ci as number[]) : null;
      out.push({ label: `${String(r.label)} (${String(r.method)})`, group: String(r.method), att, lo: ci ? ci[0]! : null, hi: ci ? ci[1]! : null, flagged: Array.isArray(r.disagreesWith) && r.disagreesWith.length > 0 });
    }
  } else if (Array.isArray(variants)) {
    const main = doc.estimate;
    if (main && typeof main.att === 'number') {
      const ci = Array.isArray(main.ci) ? main.ci : null;
      out.push({ label: 'main estimate', group: 'main', att: main.att, lo: ci ? ci[0] : null, hi: ci ? ci[1] : null, flagged: false });
    }
    for (const r of variants as Record<string, unknown>[]) {
      const att = num(r.att);
      if (att === null) continue;
      const ci = Array.isArray(r.ci) ? (r.ci as number[]) : null;
      const flagged = r.group === 'in-time placebo' || r.group === 'placebo outcome' ? r.coversZero === false : r.withinMainCi === false;
      out.push({ label: String(r.label), group: String(r.group), att, lo: ci ? ci[0]! : null, hi: ci ? ci[1]! : null, flagged });
    }
  }
  return out;
}

export function forestSpec(doc: ResultDocument, o: { title?: string | undefined; width?: number | undefined; height?: number | undefined; yLabel?: string | undefined }): VlSpec {
  const rows = forestRows(doc);
  const robust = doc.method === 'robustness';
  const level = typeof doc.estimate?.level === 'number' ? doc.estimate.level : num((doc as { comparison?: { level?: unknown }[] }).comparison?.[0]?.level);
  const values = rows.map((r, k) => ({
    ...r,
    order: k,
    colour: r.flagged ? 'flagged' : 'ok',
    aria: `${r.label}: ${fmtNumber(r.att)}${r.lo !== null ? ` (${fmtNumber(r.lo)} to ${fmtNumber(r.hi!)})` : ''}`,
  }));
  const xTitle = o.yLabel ?? (robust ? 'Effect (outcome units per treated area-period)' : 'Average effect per treated area-period');
  const y = { field: 'label', type: 'nominal', title: null, sort: { field: 'order' }, axis: { labelLimit: 360 } };
  const colour = { field: 'colour', type: 'nominal', scale: { domain: ['ok', 'flagged'], range: ['#0072B2', '#D55E00'] }, legend: null };
  const layers: VlSpec[] = [
    { data: { values: [{ zero: 0, aria: 'zero line' }] }, mark: { type: 'rule', color: '#555555', strokeWidth: 1 }, encoding: { x: { field: 'zero', type: 'quantitative', title: xTitle }, description: { field: 'aria' } } },
  ];
  const main = robust && typeof doc.estimate?.att === 'number' ? doc.estimate.att : null;
  if (main !== null) layers.push({ data: { values: [{ main, aria: `main estimate ${fmtNumber(main)}` }] }, mark: { type: 'rule', color: '#000000', strokeDash: [6, 4], strokeWidth: 1.2 }, encoding: { x: { field: 'main', type: 'quantitative', title: xTitle }, description: { field: 'aria' } } });
  const withCi = values.filter((v) => v.lo !== null);
  if (withCi.length > 0) layers.push({ data: { values: withCi }, mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: xTitle }, x2: { field: 'hi' }, color: colour, description: { field: 'aria' } } });
  layers.push({ data: { values }, mark: { type: 'point', filled: true, size: 70 }, encoding: { y, x: { field: 'att', type: 'quantitative', title: xTitle }, color: colour, description: { field: 'aria' } } });
  const flagged = rows.filter((r) => r.flagged).length;
  const subtitle = [
    level !== null ? `Points: estimates; bars: ${fmtLevel(level)} intervals.` : 'Points: estimates.',
    robust ? 'Dashed line: the main estimate.' : '',
    flagged > 0 ? (robust ? `${flagged} row(s) in vermillion: outside the main interval (placebos: interval excludes zero).` : `${flagged} row(s) in vermillion: interval does not overlap another method's.`) : '',
  ].filter(Boolean);
  return {
    title: { text: o.title ?? (robust ? 'Robustness of the estimate' : 'Estimates by method, on one scale'), subtitle },
    description: robust ? 'Forest plot of the robustness variants against the main estimate.' : 'Forest plot of the estimates of several methods.',
    width: o.width ?? 480,
    height: o.height ?? Math.max(60, 22 * rows.length),
    layer: layers,
  };
}
