/**
 * The one-screen summary that opens the report (issue 14, "the report briefs"): the question, a
 * triangulation table with one row per analysis (method, estimate, CI, cumulative, offences
 * avoided), the benefit-cost ratio with its range, and the main caveats (failed diagnostics and
 * warnings). Built from the documents' shape only; numbers rounded for reading.
 */
import type { ResultDocument } from '../core/result.js';
import { caveats, headlineSentence, offencesChange, percent, relativeEffect } from '../core/meaning.js';
import { cbaOutcomes, cbaTotals, interventionPeriods, isNum } from '../plot/document.js';
import { fmtInt, fmtInterval, fmtLevel, fmtNumber, fmtP, humanise } from '../plot/format.js';
import { methodName, periodNoun, question } from './words.js';

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

/** The label of each document in the brief: unique, with the outcome and start when they tell rows apart. */
export function briefLabels(docs: readonly ResultDocument[]): string[] {
  const base = docs.map((d) => SHORT[d.method] ?? methodName(d.method));
  const outcomes = new Set(docs.map(outcomeOf).filter(Boolean));
  const withOutcome = docs.map((d, k) => `${base[k]}${outcomes.size > 1 && outcomeOf(d) ? `, ${outcomeOf(d)}` : ''}`);
  const labels = withOutcome.map((l, k) => {
    if (withOutcome.filter((x) => x === l).length < 2) return l;
    const starts = interventionPeriods(docs[k]!);
    return `${l}${starts.length ? `, from ${starts.join(' and ')}` : ''}`;
  });
  return labels.map((l, k) => `${k + 1}. ${labels.filter((x) => x === l).length > 1 ? `${l} (${k + 1})` : l}`);
}

/** What an effect is measured in, for the units column: "per 100,000 people, per area-month". */
function effectUnits(doc: ResultDocument, ratePers: ReadonlyMap<string, number>): string {
  const own = (doc.options as { ratePer?: unknown } | undefined)?.ratePer;
  const per = typeof own === 'number' ? own : ratePers.get(outcomeOf(doc));
  return `${per ? `per ${fmtInt(per)} people` : 'count'}, per area-${periodNoun(doc)}`;
}

/** The question of the whole brief: the analysis' own question when there is one, else one for all of them. */
function briefQuestion(estimating: readonly ResultDocument[], docs: readonly ResultDocument[]): string | null {
  if (estimating.length === 1) return question(estimating[0]!);
  if (estimating.length === 0) return docs[0] ? question(docs[0]) : null;
  const outcomes = [...new Set(estimating.map(outcomeOf).filter(Boolean))].map(humanise);
  const starts = [...new Set(estimating.flatMap((d) => interventionPeriods(d)))];
  return `What happened to ${outcomes.length ? outcomes.join(' and ') : 'the outcome'} in the treated areas after the programme began${starts.length ? ` (${starts.join(', ')})` : ''}, compared with what would have happened without it? ${estimating.length} analyses answer it under different assumptions.`;
}

/**
 * The brief that opens the report and prints as one A4 page: the headline in a sentence, one
 * figure (the first analysis' default chart, `figure`), the triangulation table (unique labels,
 * the units of every row, the effect relative to the counterfactual so rows in rates and counts
 * compare), the benefit-cost ratio with its range, and the caveats in plain words
 * (core/meaning.ts, the same words as the terminal summary).
 */
export function briefSection(docs: readonly ResultDocument[], figure = ''): string {
  const estimating = docs.filter((d) => d.estimate !== null && d.method !== 'cba' && d.command !== 'robustness' && d.command !== 'compare');
  const labels = briefLabels(docs);
  const ratePers = new Map<string, number>();
  for (const d of docs) {
    const r = (d.options as { ratePer?: unknown } | undefined)?.ratePer;
    if (typeof r === 'number' && outcomeOf(d)) ratePers.set(outcomeOf(d), r);
  }
  const lead = estimating[0];
  const rows = docs
    .map((d, k) => ({ d, k }))
    .filter(({ d }) => estimating.includes(d))
    .map(({ d, k }) => {
      const e = d.estimate!;
      const rel = relativeEffect(d);
      const change = offencesChange(d);
      return [
        labels[k]!,
        effectUnits(d, ratePers),
        `${fmtNumber(e.att)}${e.ci ? ` (${fmtInterval(e.ci)})` : ''}`,
        rel ? percent(rel.value) : '',
        isNum(e.pValue) ? fmtP(e.pValue) : '',
        change ? `${fmtInt(change.value)} ${change.word}${change.ci ? ` (${fmtInt(change.ci[0])} to ${fmtInt(change.ci[1])})` : ''}` : '',
      ];
    });
  const levels = [...new Set(estimating.map((d) => fmtLevel(d.estimate!.level)))];
  const triangulation = rows.length
    ? `<h3>Every analysis, side by side</h3>${compactTable(['Analysis', 'Units', `Average effect (${levels.length === 1 ? levels[0] + ' ' : ''}CI)`, 'Relative to the counterfactual', 'p-value', 'Offences (CI)'], rows, 'triangulation')}<p class="small">Average effect: observed minus counterfactual per treated area and period, in the units of its row (negative = fewer offences). The relative column divides it by the counterfactual level, so rows in rates and in counts can be compared. The methods rest on different assumptions: agreement is evidence, disagreement a caveat.</p>`
    : '';
  const headline = lead ? headlineHtml(lead, labels[docs.indexOf(lead)]!, ratePers) : '';
  const bcr = docs
    .filter((d) => d.method === 'cba')
    .map((d) => {
      const t = cbaTotals(d);
      if (t.bcr === null) return '';
      const outs = cbaOutcomes(d);
      const lead = `Benefit-cost ratio ${fmtNumber(t.bcr, 2)}`;
      const range = t.bcrLow !== null && t.bcrHigh !== null ? ` (range ${fmtNumber(t.bcrLow, 2)} to ${fmtNumber(t.bcrHigh, 2)}, the ends of the effects’ intervals)` : '';
      const verdict = t.bcr >= 1 ? (t.bcrLow !== null && t.bcrLow < 1 ? ': the benefits exceed the costs at the estimate, but not at the low end of the range' : ': the benefits exceed the costs across the range') : t.bcrHigh !== null && t.bcrHigh >= 1 ? ': the costs exceed the benefits at the estimate, but not at the high end of the range' : ': the costs exceed the benefits across the range';
      const rest = `${range}${verdict}. Benefits ${t.benefits !== null ? `£${fmtNumber(t.benefits / 1e6, 1)} million` : 'n/a'} against costs ${t.costs !== null ? `£${fmtNumber(t.costs / 1e6, 1)} million` : 'n/a'}${outs.length ? `, from ${outs.map((o) => `${o.name} (${fmtInt(o.offencesAvoided)} offences avoided)`).join(' and ')}` : ''}.`;
      return `<p class="bcr"><strong>${h(lead)}</strong>${h(rest)}</p>`;
    })
    .join('');
  // every analysis' caveats in plain words, the failed checks of all analyses first
  const rank = { fails: 0, warning: 1, doubtful: 2 } as const;
  const all = docs
    .flatMap((d, k) => caveats(d).map((c) => ({ rank: rank[c.severity], text: `${labels[k]!.replace(/^\d+\. /, '')}: ${c.short}` })))
    .sort((a, b) => a.rank - b.rank)
    .map((c) => c.text);
  const shown = all.slice(0, 5).map((c) => (c.length > 230 ? c.slice(0, 229) + '…' : c));
  const caveatHtml = all.length
    ? `<h3>Caveats</h3><ul class="caveats">${shown.map((c) => `<li>${h(c)}</li>`).join('')}</ul>${all.length > shown.length ? `<p class="small">${all.length - shown.length} more in the sections that follow.</p>` : ''}`
    : '<h3>Caveats</h3><p>No failed or doubtful checks and no warnings.</p>';
  const q = briefQuestion(estimating, docs);
  return [
    '<section id="summary" class="summary" aria-labelledby="summary-h">',
    '<h2 id="summary-h">Summary</h2>',
    q ? `<p class="question"><strong>The question.</strong> ${h(q)}</p>` : '',
    headline,
    figure,
    triangulation,
    bcr,
    caveatHtml,
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The headline: the first analysis' effect in words and numbers, with the offences avoided or added. */
function headlineHtml(d: ResultDocument, label: string, ratePers: ReadonlyMap<string, number>): string {
  const e = d.estimate!;
  const sentence = headlineSentence(d);
  const change = offencesChange(d);
  const numbers = `${fmtNumber(e.att)} ${effectUnits(d, ratePers)}${e.ci ? ` (${fmtLevel(e.level)} CI ${fmtInterval(e.ci)})` : ''}${change ? `; ${fmtInt(change.value)} offences ${change.word}${change.ci ? ` (CI ${fmtInt(change.ci[0])} to ${fmtInt(change.ci[1])})` : ''}` : ''}`;
  const name = humanise(outcomeOf(d) || 'the outcome');
  return `<p class="headline"><strong>${h(name.charAt(0).toUpperCase() + name.slice(1))}: ${h(sentence ?? '')}</strong> ${h(numbers)} (${h(label.replace(/^\d+\. /, ''))}).</p>`;
}
