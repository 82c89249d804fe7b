/**
 * The readable summary of a result on a terminal (or with --format table|markdown), built from
 * the shape of the document alone: `estimate`, `path`, `input`, `counts`, `diagnostics`,
 * `warnings`, `bcr`/`outcomes`/`totals`. Any command or method that writes the common document
 * shape gets a summary without code here. Numbers are rounded for reading; the JSON keeps them
 * at full precision.
 */
import type { PanelSummary } from '../core/summary.js';
import type { ResultDocument } from '../core/result.js';
import { diagnosticVerdicts, headlineSentence, nextCommands, offencesChange, percent, relativeEffect, relativePhrase, warningsFirst } from '../core/meaning.js';
import type { OutputSettings } from './output.js';

/** One block of the summary: label/value rows, a table, or bullet lines. */
export interface SummarySection {
  heading?: string;
  rows?: [string, string][];
  table?: { headers: string[]; rows: string[][]; align?: ('l' | 'r')[] };
  lines?: string[];
  /** Preformatted text (kept as is; a code block in markdown). */
  pre?: string;
}

const MINUS = '\u2212';

/** A number rounded for reading: thousands separators, ~3 significant figures, true minus sign. */
export function readable(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  let s: string;
  if (Number.isInteger(x)) s = a.toLocaleString('en-GB');
  else if (a >= 1000) s = Math.round(a).toLocaleString('en-GB');
  else if (a >= 10) s = a.toFixed(1);
  else if (a >= 1) s = a.toFixed(2);
  else if (a === 0) s = '0';
  else s = a.toPrecision(3);
  if (s === '0.00' || s === '0.0' || /^0(\.0+)?$/.test(s)) return '0';
  return (x < 0 ? MINUS : '') + s;
}

/** Long decimals inside a text (e.g. "0.4000858724452745 – 11.07005") rounded for reading. */
export function roundInText(s: string): string {
  return s.replace(/-?\d+\.\d{5,}/g, (m) => readable(Number(m)));
}

/** A p-value for reading. */
export function readableP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  if (p < 0.0001) return '< 0.0001';
  if (p >= 0.1) return p.toFixed(2);
  return Number(p.toPrecision(2)).toString();
}

function interval(ci: unknown, level: number | null): string {
  if (!Array.isArray(ci) || ci.length !== 2 || typeof ci[0] !== 'number' || typeof ci[1] !== 'number') return '';
  return `${level !== null ? `${Math.round(level * 1000) / 10}% ` : ''}CI ${readable(ci[0])} to ${readable(ci[1])}`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Word-wrap `s` to `width` columns; continuation lines get `indent` spaces. */
function wrap(s: string, width: number, indent: number): string {
  const words = s.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const room = width - (lines.length === 0 ? 0 : indent);
    if (line !== '' && line.length + 1 + w.length > room) {
      lines.push(line);
      line = w;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  lines.push(line);
  return lines.map((l, k) => (k === 0 ? l : ' '.repeat(indent) + l)).join('\n');
}

/** Render sections as aligned plain text (table) or markdown. */
export function renderSections(title: string, sections: SummarySection[], o: Pick<OutputSettings, 'style' | 'columns'>): string {
  const width = Math.max(60, Math.min(o.columns, 160));
  const out: string[] = [];
  if (o.style === 'markdown') {
    out.push(`### ${title}`, '');
    for (const s of sections) {
      if (s.heading) out.push(`**${s.heading}**`, '');
      if (s.rows && s.rows.length > 0) {
        out.push('| | |', '|---|---|');
        for (const [k, v] of s.rows) out.push(`| ${k} | ${v.replace(/\|/g, '\\|')} |`);
        out.push('');
      }
      if (s.table) {
        out.push(`| ${s.table.headers.join(' | ')} |`, `|${s.table.headers.map((_, j) => (s.table!.align?.[j] === 'r' ? '---:' : '---')).join('|')}|`);
        for (const r of s.table.rows) out.push(`| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
        out.push('');
      }
      if (s.lines) {
        for (const l of s.lines) out.push(`- ${l}`);
        out.push('');
      }
      if (s.pre !== undefined) out.push('```', s.pre.replace(/\n$/, ''), '```', '');
    }
    return out.join('\n') + '\n';
  }
  out.push(title);
  for (const s of sections) {
    if (s.heading) out.push(s.heading);
    if (s.rows && s.rows.length > 0) {
      const w = Math.max(...s.rows.map(([k]) => k.length));
      for (const [k, v] of s.rows) out.push(`  ${k.padEnd(w)}  ${wrap(v, width - w - 4, w + 4)}`);
    }
    if (s.table) {
      const all = [s.table.headers, ...s.table.rows];
      const ws = s.table.headers.map((_, j) => Math.max(...all.map((r) => (r[j] ?? '').length)));
      for (const r of all) out.push('  ' + r.map((c, j) => (s.table!.align?.[j] === 'r' ? c.padStart(ws[j]!) : c.padEnd(ws[j]!))).join('  ').trimEnd());
    }
    if (s.lines) for (const l of s.lines) out.push(`  ${wrap(l, width - 2, 4)}`);
    if (s.pre !== undefined) out.push(s.pre.replace(/\n$/, ''));
  }
  return out.join('\n') + '\n';
}

/** What the outcome is measured in, for the estimate line. */
function outcomeUnits(doc: ResultDocument): string {
  const input = doc.input as Record<string, unknown> | null;
  const outcome = (input && typeof input.outcome === 'string' ? input.outcome : null) ?? (typeof doc.options.outcome === 'string' ? doc.options.outcome : null);
  const ratePer = typeof doc.options.ratePer === 'number' ? doc.options.ratePer : null;
  if (!outcome) return '';
  return ratePer ? `${outcome} (per ${ratePer.toLocaleString('en-GB')})` : outcome;
}

/** The sample line(s) from `input` and the post window of `path`. */
function sampleRows(doc: ResultDocument): [string, string][] {
  const rows: [string, string][] = [];
  const input = doc.input as Record<string, unknown> | null;
  if (input && typeof input.units === 'number') {
    const treated = doc.units.length;
    const parts = [`${input.units} units${treated > 0 ? `, ${treated} treated` : ''}`, `${String(input.periods)} ${String(input.frequency)} periods ${String(input.firstPeriod ?? '')} – ${String(input.lastPeriod ?? '')}`];
    rows.push(['data', `${String(input.file)}: ${parts.join('; ')}`]);
  } else if (input && Array.isArray(input.files)) {
    rows.push(['inputs', (input.files as { file: string; role: string }[]).map((f) => `${f.file} (${f.role})`).join(', ')]);
  }
  const post = doc.path.filter((p) => p.cumulative !== null && p.cumulative !== undefined);
  if (post.length > 0) rows.push(['post period', `${post[0]!.period} – ${post[post.length - 1]!.period} (${post.length} periods)`]);
  return rows;
}

/**
 * The headline rows: what it means in one sentence, the estimate with CI and p, the relative
 * effect (% of the counterfactual), cumulative, and offences avoided or added (the word follows the sign).
 */
function estimateRows(doc: ResultDocument, main?: ResultDocument): [string, string][] {
  const rows: [string, string][] = [];
  const e = doc.estimate;
  const units = outcomeUnits(doc);
  const level = e && typeof e.level === 'number' ? e.level : null;
  if (e) {
    const headline = headlineSentence(doc, main);
    if (headline) rows.push(['in short', headline]);
    const ci = interval(e.ci, level);
    let head = readable(e.att) + (ci ? ` (${ci})` : '');
    if (e.pValue !== null && e.pValue !== undefined) head += `, ${`p = ${readableP(e.pValue)}`.replace('= <', '<')}`;
    rows.push(['estimate', `${head}${units ? ` — average effect on ${units} per treated unit and period` : ''}`]);
    const rel = relativeEffect(doc, main);
    rows.push(['relative effect', rel ? relativePhrase(rel, level) : 'not available: the document has no counterfactual or pre-period level to compare with']);
    if (e.inference) rows.push(['inference', String(e.inference)]);
    const mde = e.mde as { value?: unknown; percentOfMean?: unknown } | undefined;
    if (isObj(mde) && typeof mde.value === 'number') rows.push(['not ruled out', `effects smaller than ${readable(mde.value)}${typeof mde.percentOfMean === 'number' ? ` (${mde.percentOfMean.toFixed(1)}% of the pre-period mean)` : ''}: the interval covers zero, and this design had 80% power only for effects at least that large (approximate MDE; vru-eval power simulates it)`]);
    if (e.cumulative && e.cumulative.value !== null) {
      const cci = interval(e.cumulative.ci, level);
      rows.push(['cumulative', `${readable(e.cumulative.value)}${cci ? ` (${cci})` : ''} — summed over the post period`]);
    }
  }
  const change = offencesChange(doc);
  if (change) {
    const counts = doc.counts as Record<string, unknown>;
    const cci = interval(change.ci, level);
    rows.push([`offences ${change.word}`, `${readable(change.value)}${cci ? ` (${cci})` : ''}${change.word === 'added' ? ' — an increase: more offences than the counterfactual' : ''}${typeof counts.population === 'string' ? ` — from the rate × ${counts.population}` : ''}`]);
  }
  return rows;
}

/** Each diagnostic with its verdict word (good / doubtful / fails) and the threshold; no glyphs, so markdown reads the same. */
function diagnosticLines(doc: ResultDocument, max = 8): string[] {
  const vs = diagnosticVerdicts(doc);
  const lines = vs.slice(0, max).map((v) => `${v.verdict === 'info' ? 'note' : v.verdict}: ${v.text}${v.threshold ? ` [${v.code}; ${v.threshold}]` : ` [${v.code}]`}`);
  if (vs.length > max) lines.push(`… ${vs.length - max} more in the document (diagnostics)`);
  return lines;
}

/** The sections of a document's summary (also used by the report's summary table). */
export function documentSections(doc: ResultDocument, main?: ResultDocument): SummarySection[] {
  const sections: SummarySection[] = [];
  const rows = [...sampleRows(doc), ...estimateRows(doc, main)];
  if (rows.length > 0) sections.push({ rows });
  return sections;
}

/** The cost-benefit block (documents with bcr, outcomes and totals). */
async function cbaSection(doc: ResultDocument): Promise<SummarySection | null> {
  if (!isObj(doc.bcr) || !Array.isArray(doc.outcomes) || !isObj(doc.totals)) return null;
  const { formatCbaTable } = await import('../estimators/cba/format.js');
  const round = typeof doc.options.round === 'number' ? doc.options.round : 0;
  return { pre: formatCbaTable({ outcomes: doc.outcomes as never, totals: doc.totals as never, bcr: doc.bcr as never, warnings: [] }, round) };
}

/** How describe combined an outcome's areas, in words ("a rate: population-weighted mean of the areas (population)"). */
function combineText(c: { kind: string; basis: string | null; across: string; population: string | null } | undefined): string {
  if (!c) return 'sum of the areas';
  if (c.kind === 'count') return `a count: ${c.across === 'sum' ? 'sum' : 'mean'} of the areas, months added`;
  const why = c.basis === '--rates' ? 'given in --rates' : 'by its name';
  const across = c.across === 'population-weighted mean' ? `population-weighted mean of the areas (${c.population})` : 'plain mean of the areas (no --population)';
  return `a rate (${why}): ${across}, never summed; windows add the months`;
}

/** Descriptive comparisons (documents with a `describe` block): rolling 12 months, years, overlay; each labelled. */
function describeSections(doc: ResultDocument): SummarySection[] {
  const d = doc.describe as
    | { label: string; lastCompleteMonth: string; units: string[]; outcomes: { outcome: string; combine?: { kind: string; basis: string | null; across: string; population: string | null }; rolling: Cmp; years: { year: string; value: number; difference: number | null; percentChange: number | null }[]; yearToDate: (Cmp & { year: string }) | null; overlay: { years: [string, string]; months: { month: string; a: number | null; b: number | null; difference: number | null }[] } }[] }
    | undefined;
  if (!isObj(d) || !Array.isArray(d.outcomes)) return [];
  type Cmp = { current: { from: string; to: string; value: number | null }; baseline: { from: string; to: string; value: number | null }; difference: number | null; percentChange: number | null };
  const change = (diff: number | null, p: number | null): string => (diff === null ? '' : `${diff > 0 ? '+' : ''}${readable(diff)}${p !== null ? ` (${p > 0 ? '+' : p < 0 ? MINUS : ''}${Math.abs(p).toFixed(1)}%)` : ''}`.replace('+−', '−'));
  const out: SummarySection[] = [{ rows: [['label', d.label], ['last complete month', d.lastCompleteMonth], ['areas', `${d.units.length}: ${d.units.slice(0, 8).join(', ')}${d.units.length > 8 ? ', …' : ''}`]] }];
  for (const oc of d.outcomes) {
    out[0]!.rows!.push([oc.outcome, combineText(oc.combine)]);
    const r = oc.rolling;
    const rows: string[][] = [
      ['latest 12 months', `${r.current.from} – ${r.current.to}`, readable(r.current.value), ''],
      [`baseline ${String(doc.options.baseline)}`, `${r.baseline.from} – ${r.baseline.to}`, readable(r.baseline.value), ''],
      ['change', '', '', change(r.difference, r.percentChange)],
    ];
    if (oc.yearToDate) rows.push([`${oc.yearToDate.year} to date`, `${oc.yearToDate.current.from} – ${oc.yearToDate.current.to}`, readable(oc.yearToDate.current.value), change(oc.yearToDate.difference, oc.yearToDate.percentChange) + ' vs a year earlier']);
    out.push({ heading: `${oc.outcome}: rolling 12 months against the baseline (${d.label})`, table: { headers: ['', 'months', oc.outcome, 'change'], rows, align: ['l', 'l', 'r', 'r'] } });
    out.push({ heading: `${oc.outcome}: ${String(doc.options.year)} year on year (${d.label})`, table: { headers: ['year', oc.outcome, 'change on the year before'], rows: oc.years.map((y) => [y.year, readable(y.value), change(y.difference, y.percentChange)]), align: ['l', 'r', 'r'] } });
    const [a, b] = oc.overlay.years;
    out.push({ heading: `${oc.outcome}: ${a} and ${b} month by month (${d.label})`, table: { headers: ['month', a, b, 'difference'], rows: oc.overlay.months.map((m) => [m.month, m.a === null ? '' : readable(m.a), m.b === null ? '' : readable(m.b), m.difference === null ? '' : change(m.difference, null)]), align: ['l', 'r', 'r', 'r'] } });
  }
  return out;
}

/** The title line: "vru-eval scm: gsynth, seed 20190401"; the method only when it differs from the command ("vru-eval its"). */
export function documentTitle(doc: ResultDocument): string {
  const seed = typeof doc.options.seed === 'number' ? `seed ${doc.options.seed}` : '';
  const method = doc.method && doc.method !== doc.command ? doc.method : '';
  const tail = [method, seed].filter(Boolean).join(', ');
  return `vru-eval ${doc.command}${tail ? `: ${tail}` : ''}`;
}

/**
 * The whole summary of one result document: the headline (in short, estimate, relative effect,
 * cumulative, offences avoided or added), the warnings that matter first, each diagnostic's
 * verdict, and the next commands to run.
 */
export async function renderDocumentSummary(doc: ResultDocument, o: OutputSettings, info: { saved: boolean; file?: string; main?: ResultDocument }): Promise<string> {
  const sections = documentSections(doc, info.main);
  const cba = await cbaSection(doc);
  if (cba) sections.push(cba);
  sections.push(...describeSections(doc));
  sections.push(...(await import('./powerSummary.js')).powerSections(doc, readable));
  if (doc.warnings.length > 0) {
    const ws = warningsFirst(doc.warnings);
    sections.push({ heading: `warnings (${ws.length}), the ones that change the headline first`, lines: ws.slice(0, 10).map((w) => `${w.code}: ${roundInText(w.message)}`).concat(ws.length > 10 ? [`… ${ws.length - 10} more in the document`] : []) });
  } else sections.push({ lines: ['no warnings'] });
  if (doc.diagnostics.length > 0) sections.push({ heading: 'diagnostics (verdict: what was checked [code; threshold])', lines: diagnosticLines(doc) });
  const next = nextCommands(doc, info.saved ? (info.file ?? 'result.json') : null);
  if (next.length > 0) sections.push({ heading: 'next', lines: next });
  return renderSections(documentTitle(doc), sections, o);
}

/** A plain object (e.g. inspect's panel summary) as readable rows and tables. */
export function renderObjectSummary(title: string, value: unknown, o: OutputSettings): string {
  const sections: SummarySection[] = [];
  const rows: [string, string][] = [];
  const scalar = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-GB') : readable(v)) : v === null ? 'none' : String(v));
  const walk = (v: unknown, prefix: string): void => {
    if (!isObj(v)) return;
    for (const [k, x] of Object.entries(v)) {
      const key = prefix ? `${prefix} ${k}` : k;
      if (Array.isArray(x)) {
        if (x.length === 0) rows.push([key, 'none']);
        else if (x.every((y) => !isObj(y) && !Array.isArray(y))) rows.push([key, x.map(scalar).join(', ')]);
        else if (x.every(isObj)) {
          const headers = [...new Set(x.flatMap((y) => Object.keys(y as object)))];
          const shown = x.slice(0, 15) as Record<string, unknown>[];
          sections.push({
            heading: `${key} (${x.length})`,
            table: { headers, rows: shown.map((y) => headers.map((h) => (isObj(y[h]) || Array.isArray(y[h]) ? JSON.stringify(y[h]) : scalar(y[h])))), align: headers.map((h) => (typeof shown[0]?.[h] === 'number' ? 'r' : 'l')) },
            ...(x.length > 15 ? { lines: [`… ${x.length - 15} more (--json for all)`] } : {}),
          });
        }
      } else if (isObj(x)) walk(x, key);
      else rows.push([key, scalar(x)]);
    }
  };
  walk(value, '');
  return renderSections(title, [{ rows }, ...sections], o);
}

/** The "wrote <file>" lines. */
export function renderWrote(wrote: readonly { file: string; what: string }[], o: Pick<OutputSettings, 'style'>): string {
  if (wrote.length === 0) return '';
  return wrote.map((w) => (o.style === 'markdown' ? `- wrote \`${w.file}\` (${w.what})` : `wrote ${w.file} (${w.what})`)).join('\n') + '\n';
}

const n = (x: number): string => x.toLocaleString('en-GB');
const plural = (k: number, one: string, many = `${one}s`): string => `${n(k)} ${k === 1 ? one : many}`;

/**
 * `vru-eval inspect` in sentences and small tables: what was read, what was kept, the design
 * (treated and control units, start cohorts with their pre/post lengths), missing cells,
 * covariates, and the next command. `s` is the JSON summary (core/summary.ts) plus `manifest`.
 */
export function renderPanelSummary(s: PanelSummaryLike, o: OutputSettings): string {
  const input = s.input as Record<string, unknown>;
  const fmt = input.periodFormat as { format: string; day: string } | undefined;
  const freqNoun = s.frequency === 'monthly' ? 'month' : s.frequency === 'quarterly' ? 'quarter' : s.frequency === 'annual' ? 'year' : 'period';
  const read = [
    `Read ${String(input.file)}: ${plural(Number(input.rows), 'row')}, ${plural(s.units, 'unit')} × ${plural(s.periods.count, s.frequency === 'integer' ? 'period' : `${s.frequency} period`)} (${s.periods.first} to ${s.periods.last}), outcome ${s.outcome}.`,
    ...(fmt ? [`The period column held ${fmt.format === 'uk-date' ? 'day-first UK dates (01/04/2015)' : 'ISO dates (2015-04-01)'}, all on ${fmt.day} of the month; each was read as its month.`] : []),
    s.missingCells.count === 0 && s.absentRows === 0
      ? `Kept every row: no missing outcome cells, no unit without a row in some ${freqNoun}.`
      : `${plural(s.missingCells.count, 'unit × period cell')} ${s.missingCells.count === 1 ? 'has' : 'have'} no outcome${s.absentRows > 0 ? ` (${plural(s.absentRows, 'row')} absent altogether)` : ''}; first: ${s.missingCells.first.slice(0, 5).map((c) => `${c.unit} ${c.period}`).join(', ')}. Methods that need a balanced panel will say so.`,
  ];
  const cohorts = new Map<string, { units: string[]; pre: number; post: number }>();
  for (const t of s.treatedUnits) {
    const c = cohorts.get(t.start) ?? { units: [], pre: t.prePeriods, post: t.postPeriods };
    c.units.push(t.unit);
    cohorts.set(t.start, c);
  }
  const design = [
    `${plural(s.treatedUnits.length, 'treated unit')} and ${plural(s.controlUnits, 'control unit')}${s.staggered ? `, starting at ${plural(cohorts.size, 'different time')} (staggered adoption)` : cohorts.size === 1 ? `, all treated from ${[...cohorts.keys()][0]}` : ''}.`,
  ];
  const sections: SummarySection[] = [{ lines: read }, { heading: 'design', lines: design }];
  sections.push({
    heading: 'treated units by start',
    table: { headers: ['start', 'units', `${freqNoun}s before`, `${freqNoun}s after`, 'which'], rows: [...cohorts].map(([start, c]) => [start, n(c.units.length), n(c.pre), n(c.post), c.units.slice(0, 8).join(', ') + (c.units.length > 8 ? ', …' : '')]), align: ['l', 'r', 'r', 'r', 'l'] },
  });
  if (s.covariates.length > 0) sections.push({ heading: 'covariates', table: { headers: ['column', 'mean', 'missing cells'], rows: s.covariates.map((c) => [c.name, readable(c.mean), n(c.missing)]), align: ['l', 'r', 'r'] } });
  if (s.population) sections.push({ lines: [`Population column: ${s.population} (offences avoided can be computed from a rate).`] });
  const m = s.manifest as Record<string, unknown> | undefined;
  if (m) {
    const dropped = m.dropped as Record<string, number>;
    sections.push({
      heading: `built by vru-eval panel (${String(m.file)})`,
      lines: [
        `${n(Number(m.records))} police.uk records in ${plural(Number(m.filesRead), 'file')} from ${plural(Number(m.forces), 'force')}; ${n(Number(m.used))} used; left out: ${n(dropped.duplicates ?? 0)} duplicates, ${n(dropped.unlocated ?? 0)} without a location, ${n(dropped.outsideAreas ?? 0)} outside the areas.`,
        ...(Array.isArray(m.droppedForces) && m.droppedForces.length > 0 ? [`Forces left out: ${(m.droppedForces as string[]).join(', ')}.`] : []),
        ...(Array.isArray(m.warnings) && m.warnings.length > 0 ? [`Manifest warnings: ${(m.warnings as string[]).join(', ')}.`] : []),
      ],
    });
  }
  sections.push({ heading: 'next', lines: [`vru-eval scm ${String(input.file)} --outcome ${s.outcome}${s.population ? ` --population ${s.population}` : ''}  (the effect, by generalized synthetic control)`, `vru-eval power ${String(input.file)} --outcome ${s.outcome}  (the smallest effect this panel can detect)`] });
  return renderSections(`vru-eval inspect: ${String(input.file)}`, sections, o);
}

/** The fields of inspect's summary that renderPanelSummary reads (src/core/summary.ts), as read back from JSON. */
export type PanelSummaryLike = Omit<PanelSummary, 'input' | 'step'> & { input: unknown; manifest?: unknown };

/** The fields of `vru-eval panel police-uk`'s summary that renderBuiltPanelSummary reads (plus the manifest). */
export interface BuiltPanelLike {
  panel: string;
  manifest: string;
  units: number;
  periods: number;
  window: { from: string; to: string; months: number };
  columns: readonly string[];
  records: { read: number; used: number; duplicates: number; unlocated: number; outsideAreas: number };
  missingForceMonths: number;
  warnings: readonly { code: string; message: string }[];
  treated: readonly { unit: string; start: string }[];
  unitsFound: { level: string; found: number; kept: number; droppedIncomplete: readonly string[] };
  droppedForces: readonly { force: string }[];
  hotspots: { kept: number; cutoff?: unknown } | null;
}

/**
 * `vru-eval panel police-uk` in sentences: the records read and used (and why the others were
 * left out), the areas found and kept, how many are treated and from when, how many are controls,
 * the warnings, and the next commands.
 */
export function renderBuiltPanelSummary(s: BuiltPanelLike, o: OutputSettings): string {
  const r = s.records;
  const left = r.read - r.used;
  const starts = new Map<string, number>();
  for (const t of s.treated) starts.set(t.start, (starts.get(t.start) ?? 0) + 1);
  const controls = s.units - s.treated.length;
  const lines = [
    `Read ${plural(r.read, 'police.uk record')} for ${s.window.from} to ${s.window.to} (${plural(s.window.months, 'month')}); used ${n(r.used)}${left > 0 ? `, left out ${n(left)}: ${n(r.duplicates)} duplicates, ${n(r.unlocated)} without a location, ${n(r.outsideAreas)} outside the areas` : ''}.`,
    `Areas (${s.unitsFound.level}): ${n(s.unitsFound.found)} found, ${n(s.units)} kept${s.unitsFound.droppedIncomplete.length > 0 ? `; ${plural(s.unitsFound.droppedIncomplete.length, 'area')} dropped for months missing from the archive` : ''}${s.droppedForces.length > 0 ? `; forces left out: ${s.droppedForces.map((f) => f.force).join(', ')}` : ''}${s.hotspots ? `; ${n(s.hotspots.kept)} kept as hotspots` : ''}.`,
    s.treated.length === 0
      ? `No area is treated (give --treated-areas, --treated-file or --treated-where with --start): all ${n(s.units)} are controls, so the panel can be inspected or used for power, not for an effect.`
      : `${plural(s.treated.length, 'treated area')} (${[...starts].map(([st, k]) => `${n(k)} from ${st}`).join(', ')}) and ${plural(controls, 'control area')}.`,
    `The panel has ${plural(s.units, 'area')} × ${plural(s.periods, 'month')} and ${plural(s.columns.length, 'column')}.`,
  ];
  const sections: SummarySection[] = [{ lines }];
  if (s.warnings.length > 0) sections.push({ heading: `warnings (${s.warnings.length})`, lines: warningsFirst(s.warnings).slice(0, 8).map((w) => `${w.code}: ${roundInText(w.message)}`) });
  else sections.push({ lines: ['no warnings'] });
  const outcome = s.columns.includes('violence_and_sexual_offences') ? 'violence_and_sexual_offences' : (s.columns.find((c) => c !== 'unit' && c !== 'period' && c !== 'treated') ?? '<column>');
  sections.push({ heading: 'next', lines: [`vru-eval inspect ${s.panel} --outcome ${outcome}`, ...(s.treated.length > 0 ? [`vru-eval scm ${s.panel} --outcome ${outcome}`] : [])] });
  return renderSections(`vru-eval panel police-uk: ${s.panel}`, sections, o);
}

/**
 * `vru-eval run` in sentences and small tables: the steps (status, files, time), then the
 * headline of every result the plan produced (estimate with CI, relative effect, offences avoided
 * or added, the worst diagnostic verdict; the benefit-cost ratio with its range), then where the
 * report is. `dir` is the results directory as resolved, `shown` as the user typed it.
 */
export async function renderRunSummary(manifest: { status: string; steps: readonly { name: string; section: string; status: string; outputs: readonly string[]; wallMs: number | null }[] }, dir: string, shown: string, o: OutputSettings): Promise<string> {
  const { readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const steps = manifest.steps;
  const sections: SummarySection[] = [
    {
      heading: `steps (${steps.length})`,
      table: { headers: ['step', 'status', 'files', 'time'], rows: steps.map((s) => [`${s.section}.${s.name}`, s.status, s.outputs.join(', '), s.wallMs === null ? '' : `${(s.wallMs / 1000).toFixed(1)} s`]), align: ['l', 'l', 'l', 'r'] },
    },
  ];
  const rows: string[][] = [];
  const bcr: string[] = [];
  for (const s of steps) {
    const file = join(dir, `${s.name}.json`);
    if (s.status !== 'complete' || !s.outputs.includes(`${s.name}.json`) || !existsSync(file)) continue;
    const doc = JSON.parse(readFileSync(file, 'utf8')) as ResultDocument;
    const b = doc.bcr as { estimate?: unknown; low?: unknown; high?: unknown } | undefined;
    if (doc.command === 'cba' && b && typeof b.estimate === 'number') {
      const lo = typeof b.low === 'number' ? b.low : null;
      const hi = typeof b.high === 'number' ? b.high : null;
      bcr.push(`${s.name}: benefit-cost ratio ${b.estimate.toFixed(2)}${lo !== null && hi !== null ? ` (range ${lo.toFixed(2)} to ${hi.toFixed(2)})` : ''}: ${b.estimate >= 1 ? 'the benefits exceed the costs' : 'the costs exceed the benefits'}${lo !== null && hi !== null && lo < 1 && hi >= 1 ? ', but the range includes 1 (break-even)' : ''}.`);
      continue;
    }
    const e = doc.estimate;
    if (!e || typeof e.att !== 'number' || doc.command === 'robustness' || doc.command === 'compare') continue;
    const level = typeof e.level === 'number' ? e.level : null;
    const rel = relativeEffect(doc);
    const change = offencesChange(doc);
    const worst = diagnosticVerdicts(doc)[0];
    const units = outcomeUnits(doc);
    rows.push([
      s.name,
      `${doc.command}${doc.method !== doc.command ? ` ${doc.method}` : ''}`,
      units,
      `${readable(e.att)}${interval(e.ci, level) ? ` (${interval(e.ci, level).replace(/^\d+(\.\d+)?% CI /, '')})` : ''}`,
      rel ? percent(rel.value) : 'n/a',
      change ? `${readable(change.value)} ${change.word}` : '',
      worst && worst.verdict !== 'info' ? `${worst.verdict} (${worst.code})` : 'none',
    ]);
  }
  if (rows.length > 0) sections.push({ heading: 'estimates (average effect per treated unit and period, with its interval)', table: { headers: ['step', 'method', 'outcome', 'estimate (CI)', 'relative', 'offences', 'worst check'], rows, align: ['l', 'l', 'l', 'r', 'r', 'r', 'l'] } });
  if (bcr.length > 0) sections.push({ heading: 'cost-benefit', lines: bcr });
  const report = steps.find((s) => s.section === 'report' && s.status === 'complete');
  sections.push({ heading: 'next', lines: [`${join(shown, 'manifest.json')}: hashes of the plan, inputs and every output`, ...(report ? [`${join(shown, 'report.html')}: the one-page brief for commissioners, details after it`] : []), `vru-eval run <plan> --check ${shown}  (re-run and compare every number)`] });
  return renderSections(`vru-eval run: ${steps.length} step(s) ${manifest.status}, results in ${shown}`, sections, o);
}
