/**
 * The one-screen summary that opens the report (issue 14, "the report briefs"): the question, a
 * triangulation table with one row per analysis (method, estimate, CI, cumulative, offences
 * avoided), the benefit-cost ratio with its range, and the main caveats (failed diagnostics and
 * warnings). Built from the documents' shape only; numbers rounded for reading.
 */
import type { ResultDocument } from '../core/result.js';
import { cbaOutcomes, cbaTotals, countsAvoided, isNum } from '../plot/document.js';
import { fmtInt, fmtInterval, fmtLevel, fmtNumber, fmtP } from '../plot/format.js';
import { methodName, question } from './words.js';

const h = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** A table without the columns that are empty in every row ('—', 'n/a' or ''). */
export function compactTable(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  const empty = (c: string | undefined) => c === undefined || c === '' || c === '—' || c === 'n/a';
  const keep = head.map((_, j) => j === 0 || rows.some((r) => !empty(r[j])));
  const H = head.filter((_, j) => keep[j]);
  const R = rows.map((r) => r.filter((_, j) => keep[j]).map((c) => (empty(c) ? '—' : c)));
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${H.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead><tbody>${R.map((r) => `<tr>${r.map((c, j) => (j === 0 ? `<th scope="row">${h(c)}</th>` : `<td>${h(c)}</td>`)).join('')}</tr>`).join('')}</tbody></table>`;
}

const SHORT: Record<string, string> = { synth: 'Synthetic control', gsynth: 'Generalized synthetic control', its: 'Interrupted time series', twfe: 'DiD, two-way fixed effects', cs: "DiD, Callaway & Sant'Anna" };

function outcomeOf(doc: ResultDocument): string {
  const o = (doc.input as { outcome?: unknown } | null)?.outcome;
  return typeof o === 'string' ? o : '';
}

/** The summary section's HTML; `files[k]` names document k. */
export function briefSection(docs: readonly ResultDocument[]): string {
  const estimating = docs.filter((d) => d.estimate !== null && d.method !== 'cba');
  const q = estimating[0] ?? docs[0];
  const outcomes = new Set(estimating.map(outcomeOf));
  const rows = docs
    .map((d, k) => ({ d, k }))
    .filter(({ d }) => d.estimate !== null && d.method !== 'cba')
    .map(({ d, k }) => {
      const e = d.estimate!;
      const counts = countsAvoided(d);
      const level = fmtLevel(e.level);
      return [
        `${k + 1}. ${SHORT[d.method] ?? methodName(d.method)}${outcomes.size > 1 && outcomeOf(d) ? ` (${outcomeOf(d)})` : ''}`,
        `${fmtNumber(e.att)}${e.ci ? ` (${fmtInterval(e.ci)})` : ''}`,
        isNum(e.pValue) ? fmtP(e.pValue) : '',
        e.cumulative && isNum(e.cumulative.value) ? `${fmtNumber(e.cumulative.value)}${e.cumulative.ci ? ` (${fmtInterval(e.cumulative.ci)})` : ''}` : '',
        counts ? `${fmtInt(counts.value)}${counts.ci ? ` (${fmtInt(counts.ci[0])} to ${fmtInt(counts.ci[1])})` : ''}` : '',
        level,
      ];
    });
  const levels = [...new Set(rows.map((r) => r[5]!))];
  const triangulation = rows.length
    ? `<h3>Every analysis, side by side</h3>${compactTable(['Analysis', `Average effect (${levels.length === 1 ? levels[0] + ' ' : ''}CI)`, 'p-value', 'Cumulative effect (CI)', 'Offences avoided (CI)'], rows.map((r) => r.slice(0, 5)), 'triangulation')}<p class="small">Average effect: observed − counterfactual per treated unit and period, in the outcome’s units (negative = fewer offences). Methods rest on different assumptions; agreement between them is evidence, disagreement is a caveat.</p>`
    : '';
  const cba = docs.filter((d) => d.method === 'cba');
  const bcr = cba
    .map((d) => {
      const t = cbaTotals(d);
      if (t.bcr === null) return '';
      const outs = cbaOutcomes(d);
      const lead = `Benefit-cost ratio ${fmtNumber(t.bcr, 2)}`;
      const rest = `${t.bcrLow !== null && t.bcrHigh !== null ? ` (range ${fmtNumber(t.bcrLow, 2)} to ${fmtNumber(t.bcrHigh, 2)}, the ends of the effects’ intervals)` : ''}: benefits ${t.benefits !== null ? `£${fmtNumber(t.benefits / 1e6, 1)} million` : 'n/a'} against costs ${t.costs !== null ? `£${fmtNumber(t.costs / 1e6, 1)} million` : 'n/a'}${outs.length ? `, from ${outs.map((o) => `${o.name} (${fmtInt(o.offencesAvoided)} offences avoided)`).join(' and ')}` : ''}.`;
      return `<p class="bcr"><strong>${h(lead)}</strong>${h(rest)}</p>`;
    })
    .join('');
  const caveats: string[] = [];
  docs.forEach((d, k) => {
    for (const diag of d.diagnostics ?? []) if (diag.passed === false) caveats.push(`${k + 1}. ${methodName(d.method)}: failed check ${diag.code}: ${diag.message}`);
  });
  docs.forEach((d, k) => {
    const seen = new Map<string, number>();
    for (const w of d.warnings ?? []) seen.set(w.code, (seen.get(w.code) ?? 0) + 1);
    for (const [code, n] of seen) {
      const first = (d.warnings ?? []).find((w) => w.code === code)!;
      caveats.push(`${k + 1}. ${methodName(d.method)}: ${first.message}${n > 1 ? ` (and ${n - 1} more ${code} warning${n > 2 ? 's' : ''})` : ''}`);
    }
  });
  const shown = caveats.slice(0, 6);
  const caveatHtml = caveats.length
    ? `<h3>Main caveats</h3><ul class="caveats">${shown.map((c) => `<li>${h(c.length > 240 ? c.slice(0, 239) + '…' : c)}</li>`).join('')}</ul>${caveats.length > shown.length ? `<p class="small">${caveats.length - shown.length} more in the sections below.</p>` : ''}`
    : '<h3>Main caveats</h3><p>No failed diagnostics and no warnings.</p>';
  return [
    '<section id="summary" class="summary" aria-labelledby="summary-h">',
    '<h2 id="summary-h">Summary</h2>',
    q ? `<p class="question"><strong>The question.</strong> ${h(question(q))}</p>` : '',
    triangulation,
    bcr,
    caveatHtml,
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}
