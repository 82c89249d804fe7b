/**
 * One self-contained HTML page for one or more result documents, for sharing with
 * commissioners: per analysis the question, the data summary (from `input`), each
 * estimate in words and numbers, the charts inline as SVG, diagnostics, warnings,
 * options and seed. No scripts, no external resources (a Content-Security-Policy of
 * default-src 'none' makes sure the page cannot fetch anything), no timestamps:
 * the same documents give the same bytes.
 */
import type { ResultDocument } from '../core/result.js';
import { aggregations, cbaOutcomes, coefficients, countsAvoided, eventPath, interventionPeriods, isNum } from '../plot/document.js';
import { briefSection, compactTable } from './brief.js';
import { fmtInt, fmtInterval, fmtLevel, fmtMoney, fmtNumber, fmtP } from '../plot/format.js';
import { applicableKinds, KIND_DESCRIPTIONS, type PlotKind } from '../plot/kinds.js';
import { prefixSvgIds, renderChart } from '../plot/render.js';
import { defaultYLabel, type EventMark } from '../plot/specs.js';
import { planTable } from './planTables.js';
import { cbaSentences, coefficientSentences, estimateSentences, methodName, periodNoun, preTrendSentence, question } from './words.js';

export interface ReportInput {
  doc: ResultDocument;
  /** File the document was read from (shown in the report). */
  file: string;
}

export interface ReportOptions {
  title?: string | undefined;
  marks?: readonly EventMark[] | undefined;
  yLabel?: string | undefined;
  /** Chart kinds to include (default: every kind the document can draw). */
  kinds?: readonly PlotKind[] | undefined;
  /** Y-axis title per outcome, shared across the report's charts (set by buildReport). */
  outcomeLabels?: ReadonlyMap<string, string> | undefined;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const h = escapeHtml;

function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  // no columns of n/a: drop a column that is empty in every row
  const empty = (c: string | undefined) => c === undefined || c === '' || c === '—' || c === 'n/a';
  const keep = head.map((_, j) => j === 0 || rows.some((r) => !empty(r[j])));
  if (keep.some((k) => !k)) {
    head = head.filter((_, j) => keep[j]);
    rows = rows.map((r) => r.filter((_, j) => keep[j]));
  }
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function dataSummary(doc: ResultDocument, file: string): string {
  const input = doc.input as Record<string, unknown> | null;
  const rows: [string, string][] = [['Result file', file]];
  if (input && Array.isArray(input.files)) {
    // cba: strings, or { file, sha256, role } objects
    const files = (input.files as unknown[]).map((f) => {
      if (typeof f === 'string') return f;
      const o = (f ?? {}) as { file?: unknown; role?: unknown; sha256?: unknown };
      return `${valueText(o.file)}${typeof o.role === 'string' ? ` (${o.role})` : ''}${typeof o.sha256 === 'string' ? `, SHA-256 ${o.sha256.slice(0, 12)}…` : ''}`;
    });
    rows.push(['Inputs', files.join('; ')]);
  } else if (input) {
    rows.push(['Panel file', valueText(input.file)]);
    if (typeof input.outcome === 'string') rows.push(['Outcome column', input.outcome]);
    rows.push(['Rows', fmtInt(input.rows as number)]);
    rows.push(['Units', fmtInt(input.units as number)]);
    rows.push(['Periods', `${fmtInt(input.periods as number)} ${valueText(input.frequency)}${input.firstPeriod ? ` (${valueText(input.firstPeriod)} to ${valueText(input.lastPeriod)})` : ''}`]);
    const pop = (doc.options as Record<string, unknown>)?.population;
    if (typeof pop === 'string') rows.push(['Population column', pop]);
    // input.sha256 hashes the cells this analysis used (its columns), not the file's bytes: two
    // analyses of one file with different outcomes have different fingerprints, and the label says so
    rows.push(['Fingerprint of the cells used (SHA-256 of the unit, period, treatment and outcome columns read by this analysis; the same file gives a different value for another outcome)', valueText(input.sha256)]);
  } else {
    rows.push(['Inputs', 'given as flags (no panel file)']);
  }
  const units = doc.units ?? [];
  if (units.length > 0) {
    const starts = interventionPeriods(doc);
    rows.push(['Treated units', `${units.length}: ${units.map((u) => u.unit).join(', ')}`]);
    if (starts.length) rows.push(['Intervention start', starts.join(', ')]);
  } else if (doc.method === 'its') {
    const starts = interventionPeriods(doc);
    if (starts.length) rows.push(['Interruptions', starts.join(', ')]);
  }
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</tbody></table>`;
}

function unitsTable(doc: ResultDocument): string {
  const units = doc.units ?? [];
  if (units.length === 0) return '';
  const level = fmtLevel(doc.estimate?.level);
  const hasCi = units.some((u) => Array.isArray(u.ci));
  const hasP = units.some((u) => isNum(u.pValue));
  const hasRatio = units.some((u) => isNum(u.rmspeRatio));
  const hasW = units.some((u) => u.weights);
  const head = ['Unit', 'Start', 'Average effect', ...(hasCi ? [`${level} CI`] : []), 'Pre-period RMSPE', ...(hasRatio ? ['Post/pre RMSPE'] : []), ...(hasP ? ['p-value'] : []), ...(hasW ? ['Largest donor weights'] : [])];
  const rows = units.map((u) => [
    u.unit,
    typeof u.start === 'string' ? u.start : '—',
    fmtNumber(u.att),
    ...(hasCi ? [fmtInterval(Array.isArray(u.ci) ? (u.ci as [number, number]) : null)] : []),
    fmtNumber(u.preRmspe),
    ...(hasRatio ? [fmtNumber(u.rmspeRatio as number)] : []),
    ...(hasP ? [fmtP(u.pValue as number)] : []),
    ...(hasW
      ? [
          Object.entries(u.weights ?? {})
            .filter(([, w]) => w >= 0.001)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 5)
            .map(([d, w]) => `${d} ${w.toFixed(3)}`)
            .join(', '),
        ]
      : []),
  ]);
  return `<h3>By treated unit</h3>${table(head, rows)}`;
}

function coefficientsTable(doc: ResultDocument): string {
  const cs = coefficients(doc);
  if (cs.length === 0) return '';
  const level = fmtLevel(doc.estimate?.level);
  const hasRr = cs.some((c) => c.rateRatio !== null);
  const head = ['Term', 'Estimate', 'SE', `${level} CI`, 'p-value', ...(hasRr ? ['Rate ratio', `${level} CI (rate ratio)`] : [])];
  const rows = cs.map((c) => [c.term, fmtNumber(c.estimate), fmtNumber(c.se), fmtInterval(c.ci), fmtP(c.pValue), ...(hasRr ? [fmtNumber(c.rateRatio, 3), fmtInterval(c.rateRatioCi, 3)] : [])]);
  return `<h3>Coefficients</h3>${table(head, rows)}`;
}

function aggregationsTable(doc: ResultDocument): string {
  const ag = aggregations(doc);
  if (ag.length === 0) return '';
  const level = fmtLevel(doc.estimate?.level);
  return `<h3>Aggregations of ATT(g,t)</h3>${table(['Aggregation', 'ATT', 'SE', `${level} CI`, 'p-value', 'What it averages'], ag.map((a) => [a.name, fmtNumber(a.att), fmtNumber(a.se), fmtInterval(a.ci), fmtP(a.pValue), a.description ?? '—']))}`;
}

function eventTable(doc: ResultDocument): string {
  const ev = eventPath(doc);
  if (ev.length === 0) return '';
  const level = fmtLevel(doc.estimate?.level);
  const rows = ev.map((r) => [String(r.eventTime), r.reference ? '0 (reference)' : fmtNumber(r.effect), fmtNumber(r.se), fmtInterval(r.ci), r.n === null ? '—' : String(r.n)]);
  return `<details><summary>Effects by ${periodNoun(doc)}s since treatment start (${ev.length} rows)</summary>${table(['Event time', 'Effect', 'SE', `${level} CI`, 'Units'], rows)}</details>`;
}

function cbaTable(doc: ResultDocument): string {
  const outs = cbaOutcomes(doc);
  if (outs.length === 0) return '';
  const rows = outs.map((o) => [o.name, fmtInt(o.offencesAvoided), o.ci ? `${fmtInt(o.ci[0])} to ${fmtInt(o.ci[1])}` : '—', fmtNumber(o.multiplier), fmtInt(o.adjustedOffencesAvoided), fmtMoney(o.unitCost), fmtMoney(o.benefit), o.benefitRange ? `${fmtMoney(o.benefitRange[0])} to ${fmtMoney(o.benefitRange[1])}` : '—']);
  return `<h3>By outcome</h3>${table(['Outcome', 'Offences avoided', 'CI', 'Multiplier', 'Adjusted offences', 'Unit cost', 'Benefit', 'Benefit at CI bounds'], rows)}`;
}

function diagnosticsBlock(doc: ResultDocument): string {
  const ds = doc.diagnostics ?? [];
  if (ds.length === 0) return '<p>No diagnostics in this result.</p>';
  const rows = ds
    .map((d) => {
      const status = d.passed === true ? 'passed' : d.passed === false ? 'FAILED' : 'info';
      const extra =
        Array.isArray(d.table) && d.table.length > 0
          ? `<details><summary>table (${d.table.length} rows)</summary>${table(Object.keys(d.table[0]!), d.table.map((r) => Object.keys(d.table![0]!).map((k) => (typeof r[k] === 'number' ? fmtNumber(r[k] as number) : valueText(r[k])))))}</details>`
          : '';
      return `<tr class="${status === 'FAILED' ? 'bad' : ''}"><td><code>${h(d.code)}</code></td><td>${h(status)}</td><td>${h(typeof d.value === 'number' ? fmtNumber(d.value) : valueText(d.value))}</td><td>${h(d.message)}${extra}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Value</th><th scope="col">What it means</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function warningsBlock(doc: ResultDocument): string {
  const ws = doc.warnings ?? [];
  if (ws.length === 0) return '<p>No warnings.</p>';
  return `<ul class="warnings">${ws.map((w) => `<li><code>${h(w.code)}</code> ${h(w.message)}</li>`).join('')}</ul>`;
}

function optionsBlock(doc: ResultDocument): string {
  const o = (doc.options ?? {}) as Record<string, unknown>;
  const rows = Object.keys(o).map((k) => [k, valueText(o[k])] as const);
  const seed = valueText(o.seed);
  return `<p>Seed <code>${h(seed)}</code>: the same data, options and seed reproduce this result byte for byte (vru-eval ${h(doc.tool?.version ?? '')}, schema ${h(doc.schemaVersion ?? '')}, command <code>${h(doc.command ?? '')}</code>).</p><table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row"><code>${h(k)}</code></th><td>${h(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** A caption that describes the chart actually drawn: its title and the subtitle lines saying what each line, band and vertical is. */
function captionOf(spec: Record<string, unknown>, kind: PlotKind): string {
  const t = spec.title as { text?: string; subtitle?: string[] } | string | undefined;
  const title = typeof t === 'string' ? t : t?.text;
  const sub = typeof t === 'object' && Array.isArray(t.subtitle) ? t.subtitle.join(' ') : '';
  if (!title) return `${KIND_DESCRIPTIONS[kind]}.`;
  return `${title}.${sub ? ` ${sub}` : ''}`;
}

async function chartsBlock(doc: ResultDocument, index: number, o: ReportOptions): Promise<string> {
  const kinds = applicableKinds(doc).filter((k) => !o.kinds || o.kinds.includes(k));
  const figures: string[] = [];
  for (const kind of kinds) {
    const chart = await renderChart(doc, { kind, marks: o.marks, yLabel: o.yLabel ?? o.outcomeLabels?.get(String((doc.input as { outcome?: unknown } | null)?.outcome)) });
    const svg = prefixSvgIds(chart.svg.trim(), `a${index + 1}-${kind}-`);
    figures.push(`<figure id="a${index + 1}-fig-${kind}">${svg}<figcaption>${h(captionOf(chart.spec, kind))}</figcaption></figure>`);
  }
  return figures.join('\n');
}

async function section(input: ReportInput, index: number, o: ReportOptions): Promise<{ html: string; heading: string }> {
  const { doc, file } = input;
  const outcome = (doc.input as { outcome?: unknown } | null)?.outcome;
  const heading = `${index + 1}. ${methodName(doc.method)}${typeof outcome === 'string' ? `: ${outcome}` : ''}`;
  const level = fmtLevel(doc.estimate?.level);
  const words = doc.method === 'cba' ? cbaSentences(doc) : [...estimateSentences(doc), ...coefficientSentences(doc)];
  const pre = preTrendSentence(doc);
  if (pre) words.push(pre);
  const e = doc.estimate;
  const numbers = e
    ? compactTable(
        ['Quantity', 'Estimate', `${level} CI`, 'SE', 'p-value', 'Inference'],
        [
          ['Average effect (per treated unit-period)', fmtNumber(e.att), fmtInterval(e.ci), fmtNumber(e.se), fmtP(e.pValue), e.inference],
          ...(e.cumulative ? [['Cumulative effect', fmtNumber(e.cumulative.value), fmtInterval(e.cumulative.ci), '—', '—', e.inference]] : []),
          ...(countsAvoided(doc) ? [['Offences avoided', fmtInt(countsAvoided(doc)!.value), countsAvoided(doc)!.ci ? `${fmtInt(countsAvoided(doc)!.ci![0])} to ${fmtInt(countsAvoided(doc)!.ci![1])}` : '—', '—', '—', 'from the counts block']] : []),
        ],
      )
    : '';
  const source = typeof doc.source === 'string' ? `<p class="note">${h(doc.source)}</p>` : '';
  const html = [
    `<section id="analysis-${index + 1}" class="analysis" aria-labelledby="analysis-${index + 1}-h">`,
    `<h2 id="analysis-${index + 1}-h">${h(heading)}</h2>`,
    source,
    `<h3>The question</h3><p class="question">${h(question(doc))}</p>`,
    `<h3>The data</h3>${dataSummary(doc, file)}`,
    `<h3>The estimate</h3>${words.map((w) => `<p>${h(w)}</p>`).join('')}${numbers}`,
    doc.method === 'cba' ? cbaTable(doc) : '',
    coefficientsTable(doc),
    aggregationsTable(doc),
    eventTable(doc),
    unitsTable(doc),
    planTable(doc),
    `<h3>Charts</h3>${await chartsBlock(doc, index, o)}`,
    `<h3>Diagnostics</h3>${diagnosticsBlock(doc)}`,
    `<h3>Warnings</h3>${warningsBlock(doc)}`,
    `<h3>Options and reproducibility</h3>${optionsBlock(doc)}`,
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
  return { html, heading };
}

const CSS = `
:root{color-scheme:light}
body{font-family:"DejaVu Sans","Liberation Sans",Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0;line-height:1.5}
main{max-width:1000px;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.3rem;border-top:3px solid #0072B2;padding-top:.75rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin:1.5rem 0 .4rem}
p.question{font-size:1.1rem;font-style:italic}
p.note{background:#fff6e0;border-left:4px solid #E69F00;padding:.4rem .7rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #cfcfcf;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}
table.kv th{background:#f7f7f7;font-weight:600;white-space:nowrap}
tr.bad td{background:#fde8e0}
figure{margin:1rem 0 1.75rem}
figure svg{max-width:100%;height:auto}
figcaption{font-size:.85rem;color:#444}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.88em}
nav ol{padding-left:1.2rem}
footer{margin-top:3rem;font-size:.85rem;color:#444}
figure svg{width:100%;height:auto}
section.summary{border:1px solid #cfd8e3;background:#f7fafd;padding:.25rem 1rem .75rem;margin-top:1rem}
p.headline{font-size:1.05rem;margin:.4rem 0}
figure.brief{margin:.4rem 0 .6rem}
figure.brief svg{width:auto;max-width:100%;height:230px;display:block}
figure.brief figcaption{font-size:.78rem}
section.summary h2{border-top:0;margin-top:.5rem}
section.summary h3{margin-top:.9rem}
table.triangulation{width:100%;font-size:.85rem}
table.triangulation th[scope=row]{font-weight:600}
p.bcr{font-size:1.05rem}
p.small,.small{font-size:.82rem;color:#444}
ul.caveats{margin:.25rem 0;padding-left:1.2rem;font-size:.88rem}
@page{size:A4;margin:14mm 12mm}
@media print{
  body{font-size:10pt;line-height:1.35}
  main{max-width:none;padding:0}
  h1{font-size:16pt}
  section.summary{break-after:page;page-break-after:always;font-size:9pt;padding:.1rem .6rem .3rem;margin-top:.4rem}
  section.summary h2{margin-top:.2rem}
  section.summary h3{margin:.5rem 0 .2rem;font-size:10.5pt}
  section.summary p{margin:.3rem 0}
  section.summary p.question{font-size:9.5pt}
  p.headline,p.bcr{font-size:10pt}
  figure.brief svg{height:250px}
  figure.brief figcaption{font-size:7.8pt}
  table.triangulation{font-size:8pt;margin:.2rem 0 .3rem}
  table.triangulation th,table.triangulation td{padding:.1rem .3rem}
  p.small,.small,ul.caveats{font-size:7.8pt}
  section.analysis{break-before:page}
  h2{font-size:13pt}
  figure{page-break-inside:avoid;break-inside:avoid}
  nav{display:none}
  details{display:none}
}
`;

/**
 * The brief's one figure: the first estimating analysis' main chart (observed against the
 * counterfactual, or its own first kind; not the tall composite), small enough that the brief
 * prints on one A4 page.
 */
async function briefFigure(inputs: readonly ReportInput[], o: ReportOptions): Promise<string> {
  const k = inputs.findIndex((i) => i.doc.estimate !== null && i.doc.method !== 'cba' && i.doc.command !== 'robustness' && i.doc.command !== 'compare' && (i.doc.path ?? []).length > 0);
  if (k < 0) return '';
  const doc = inputs[k]!.doc;
  const kinds = applicableKinds(doc).filter((x) => x !== 'composite');
  const kind = kinds.includes('observed') ? 'observed' : kinds.includes('its') ? 'its' : kinds[0];
  if (!kind) return '';
  const chart = await renderChart(doc, { kind, marks: o.marks, yLabel: o.yLabel ?? sharedYLabel(inputs, doc), width: 620, height: 170 });
  const svg = prefixSvgIds(chart.svg.trim(), `brief-${kind}-`);
  return `<figure id="brief-figure" class="brief">${svg}<figcaption>${h(captionOf(chart.spec, kind))}</figcaption></figure>`;
}

/**
 * One label per outcome across the report: an analysis that does not know the outcome is a rate
 * (ITS and DiD take no population) borrows the label of one that does, so the same outcome is
 * labelled the same way in every chart ("violence rate per 100,000").
 */
function sharedYLabel(inputs: readonly ReportInput[], doc: ResultDocument): string | undefined {
  const outcome = (doc.input as { outcome?: unknown } | null)?.outcome;
  if (typeof outcome !== 'string') return undefined;
  const known = inputs.find((i) => (i.doc.input as { outcome?: unknown } | null)?.outcome === outcome && typeof (i.doc.options as { ratePer?: unknown })?.ratePer === 'number');
  return known ? defaultYLabel(known.doc) : undefined;
}

/** Build the whole page. Charts are rendered here (vega, headless). */
export async function buildReport(inputs: readonly ReportInput[], o: ReportOptions = {}): Promise<string> {
  const sections: { html: string; heading: string }[] = [];
  const outcomeLabels = new Map<string, string>();
  for (const i of inputs) {
    const label = sharedYLabel(inputs, i.doc);
    if (label !== undefined) outcomeLabels.set(String((i.doc.input as { outcome?: unknown } | null)?.outcome), label);
  }
  for (let i = 0; i < inputs.length; i++) sections.push(await section(inputs[i]!, i, { ...o, outcomeLabels }));
  const title = o.title ?? (inputs.length === 1 ? `Impact evaluation: ${methodName(inputs[0]!.doc.method)}` : `Impact evaluation: ${inputs.length} analyses`);
  const toc = inputs.length > 1 ? `<nav aria-label="Contents"><h2 style="border:0;margin-top:1rem">Contents</h2><ol>${sections.map((s, i) => `<li><a href="#analysis-${i + 1}">${h(s.heading.replace(/^\d+\. /, ''))}</a></li>`).join('')}</ol></nav>` : '';
  const version = inputs[0]?.doc.tool?.version ?? '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="vru-eval ${h(version)}">`,
    `<title>${h(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${h(title)}</h1>`,
    `<p class="small">Made by vru-eval ${h(version)} from ${inputs.length} result document${inputs.length > 1 ? 's' : ''}. Numbers are rounded for reading; the JSON documents hold full precision. The summary comes first; each analysis follows in detail.</p>`,
    briefSection(inputs.map((i) => i.doc), await briefFigure(inputs, o)),
    toc,
    ...sections.map((s) => s.html),
    `<footer><p>Intervals are ${h(fmtLevel(inputs[0]?.doc.estimate?.level))} unless stated. “Effect” means observed minus counterfactual: negative values are reductions.</p></footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((x) => x !== '')
    .join('\n')
    .concat('\n');
}

