/**
 * Report tables of the plan's documents: a robustness suite's variants and a method comparison's
 * rows (the forest plot is drawn with the other charts).
 */
import type { ResultDocument } from '../core/result.js';
import { fmtInterval, fmtLevel, fmtNumber } from '../plot/format.js';

const h = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function table(head: readonly string[], rows: readonly (readonly string[])[], bad: readonly boolean[]): string {
  return `<table><thead><tr>${head.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r, i) => `<tr${bad[i] ? ' class="bad"' : ''}>${r.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const ci = (x: unknown): [number, number] | null => (Array.isArray(x) && x.length === 2 ? (x as [number, number]) : null);

/** The variants (robustness) or comparison rows (compare) of `doc` as an HTML table, or ''. */
export function planTable(doc: ResultDocument): string {
  const level = fmtLevel(doc.estimate?.level ?? (doc as { comparison?: { level?: number }[] }).comparison?.[0]?.level);
  const variants = (doc as { variants?: Record<string, unknown>[] }).variants;
  if (Array.isArray(variants)) {
    // placebos should find nothing (judged by their own interval); the other variants should stay near the main estimate
    const placebo = (r: Record<string, unknown>): boolean => r.group === 'in-time placebo' || r.group === 'placebo outcome';
    const note = (r: Record<string, unknown>): string =>
      r.error ? `failed: ${String(r.error)}` : placebo(r) ? (r.coversZero === true ? 'interval covers zero' : r.coversZero === false ? 'interval excludes zero' : '') : r.withinMainCi === false ? 'outside the main interval' : r.withinMainCi === true ? 'inside the main interval' : '';
    const rows = variants.map((r) => [String(r.label), String(r.change), fmtNumber(r.att as number | null), fmtInterval(ci(r.ci)), fmtNumber(r.difference as number | null), note(r)]);
    const bad = variants.map((r) => Boolean(r.error) || (placebo(r) ? r.coversZero === false : r.withinMainCi === false));
    return `<h3>Variants</h3>${table(['Variant', 'What changed', 'Estimate', `${level} CI`, 'Minus main', 'Note'], rows, bad)}`;
  }
  const comparison = (doc as { comparison?: Record<string, unknown>[] }).comparison;
  if (Array.isArray(comparison)) {
    const rows = comparison.map((r) => [String(r.label), String(r.method), fmtNumber(r.att as number | null), fmtInterval(ci(r.ci)), fmtNumber(r.cumulative as number | null), fmtNumber(r.offencesAvoided as number | null), (r.disagreesWith as string[]).length ? `disagrees with ${(r.disagreesWith as string[]).join(', ')}` : String(r.scale)]);
    return `<h3>Estimates on one scale</h3>${table(['Analysis', 'Method', 'Average effect per treated area-period', `${level} CI`, 'Cumulative', 'Offences avoided', 'Note'], rows, comparison.map((r) => (r.disagreesWith as string[]).length > 0))}`;
  }
  return '';
}
