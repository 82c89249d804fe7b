/**
 * `--kind describe`: the monthly values of two years overlaid, one panel per outcome, for a
 * `vru-eval describe` document. Labelled "descriptive: no counterfactual" in the title.
 */
import type { ResultDocument } from '../core/result.js';
import { humanise } from './format.js';

type VlSpec = Record<string, unknown>;

interface Overlay {
  outcome: string;
  overlay: { years: [string, string]; months: { month: string; a: number | null; b: number | null }[] };
}

function outcomesOf(doc: ResultDocument): Overlay[] {
  const d = doc.describe as { outcomes?: Overlay[] } | undefined;
  return Array.isArray(d?.outcomes) ? d.outcomes : [];
}

export function describeWhyNot(doc: ResultDocument): string | null {
  return outcomesOf(doc).length > 0 ? null : 'it is not a vru-eval describe document (no describe block)';
}

export function describeSpec(doc: ResultDocument, o: { title?: string | undefined; width?: number | undefined; height?: number | undefined }): VlSpec {
  const label = (doc.describe as { label?: string }).label ?? 'descriptive: no counterfactual';
  const panels = outcomesOf(doc).map((oc) => {
    const [a, b] = oc.overlay.years;
    const rows = oc.overlay.months.flatMap((m, k) => [
      ...(m.a !== null ? [{ k, month: m.month, year: a, value: m.a }] : []),
      ...(m.b !== null ? [{ k, month: m.month, year: b, value: m.b }] : []),
    ]);
    const order = oc.overlay.months.map((m) => m.month);
    return {
      title: { text: `${humanise(oc.outcome)}: ${a} and ${b}, month by month`, fontSize: 13, anchor: 'start' },
      width: o.width ?? 560,
      height: o.height ?? 240,
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 2.2, point: { filled: true, size: 40 } },
      encoding: {
        x: { field: 'month', type: 'ordinal', sort: order, title: 'Month', axis: { labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', title: humanise(oc.outcome), scale: { zero: false } },
        color: { field: 'year', type: 'nominal', sort: [a, b], scale: { domain: [a, b], range: ['#9A9A9A', '#000000'] }, legend: { title: null, orient: 'top-left', direction: 'horizontal' } },
        strokeDash: { field: 'year', type: 'nominal', sort: [a, b], scale: { domain: [a, b], range: [[6, 4], [1, 0]] }, legend: null },
        shape: { field: 'year', type: 'nominal', scale: { domain: [a, b], range: ['circle', 'square'] }, legend: null },
      },
    };
  });
  return {
    title: { text: o.title ?? `Month by month, two years compared (${label})`, subtitle: [`${label}: the values as recorded, with no estimate of what would have happened otherwise.`] },
    description: `Line chart per outcome of the monthly values of two years (${label}).`,
    vconcat: panels,
  };
}
