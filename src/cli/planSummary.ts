/**
 * Terminal summaries of the tables in robustness and compare documents (the generic document
 * summary shows their estimate, diagnostics and warnings; this adds the rows).
 */
import type { ResultDocument } from '../core/result.js';
import { outputOf, type CliContext } from './context.js';

const f = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)).replace('-', '\u2212') : '—');
const ci = (c: unknown): string => (Array.isArray(c) ? `${f(c[0])} to ${f(c[1])}` : '—');

/** Queue the variant / comparison table of `doc` for the summary (summary mode only). */
export function noteTable(ctx: CliContext, doc: ResultDocument): void {
  const output = outputOf(ctx);
  if (output.mode !== 'summary') return;
  const variants = (doc as { variants?: Record<string, unknown>[] }).variants;
  const comparison = (doc as { comparison?: Record<string, unknown>[] }).comparison;
  (ctx.pending ??= []).push(async () => {
    const { renderSections } = await import('./summary.js');
    if (variants) {
      const rows = variants.map((r) => [String(r.label), f(r.att), ci(r.ci), f(r.difference), r.error ? `failed: ${String(r.error)}` : r.group === 'in-time placebo' || r.group === 'placebo outcome' ? (r.coversZero === false ? 'CI excludes zero' : '') : r.withinMainCi === false ? 'outside main CI' : '']);
      return renderSections('robustness variants', [{ table: { headers: ['variant', 'estimate', 'CI', 'minus main', ''], rows, align: ['l', 'r', 'r', 'r', 'l'] } }], output);
    }
    const rows = (comparison ?? []).map((r) => [String(r.label), String(r.method), f(r.att), ci(r.ci), f(r.offencesAvoided), (r.disagreesWith as string[]).length ? `disagrees with ${(r.disagreesWith as string[]).join(', ')}` : '']);
    return renderSections('estimates on one scale (average effect per treated area-period)', [{ table: { headers: ['analysis', 'method', 'estimate', 'CI', 'offences avoided', ''], rows, align: ['l', 'l', 'r', 'r', 'r', 'l'] } }], output);
  });
}
