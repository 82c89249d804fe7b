/**
 * The readable summary of a result on a terminal (or with --format table|markdown), built from
 * the shape of the document alone: `estimate`, `path`, `input`, `counts`, `diagnostics`,
 * `warnings`, `bcr`/`outcomes`/`totals`. Any command or method that writes the common document
 * shape gets a summary without code here. Numbers are rounded for reading; the JSON keeps them
 * at full precision.
 */
import type { ResultDocument } from '../core/result.js';
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

/** The headline rows: estimate with CI and p, cumulative, offences avoided. */
function estimateRows(doc: ResultDocument): [string, string][] {
  const rows: [string, string][] = [];
  const e = doc.estimate;
  const units = outcomeUnits(doc);
  if (e) {
    const level = typeof e.level === 'number' ? e.level : null;
    const ci = interval(e.ci, level);
    let head = readable(e.att) + (ci ? ` (${ci})` : '');
    if (e.pValue !== null && e.pValue !== undefined) head += `, ${`p = ${readableP(e.pValue)}`.replace('= <', '<')}`;
    rows.push(['estimate', `${head}${units ? ` — average effect on ${units} per treated unit and period` : ''}`]);
    if (e.inference) rows.push(['inference', String(e.inference)]);
    const mde = e.mde as { value?: unknown; percentOfMean?: unknown } | undefined;
    if (isObj(mde) && typeof mde.value === 'number') rows.push(['not ruled out', `effects smaller than ${readable(mde.value)}${typeof mde.percentOfMean === 'number' ? ` (${mde.percentOfMean.toFixed(1)}% of the pre-period mean)` : ''}: the interval covers zero, and this design had 80% power only for effects at least that large (approximate MDE; vru-eval power simulates it)`]);
    if (e.cumulative && e.cumulative.value !== null) {
      const cci = interval(e.cumulative.ci, level);
      rows.push(['cumulative', `${readable(e.cumulative.value)}${cci ? ` (${cci})` : ''} — summed over the post period`]);
    }
  }
  const counts = doc.counts;
  if (isObj(counts) && typeof counts.offencesAvoided === 'number') {
    const level = e && typeof e.level === 'number' ? e.level : null;
    const cci = interval(counts.ci, level);
    rows.push(['offences avoided', `${readable(counts.offencesAvoided)}${cci ? ` (${cci})` : ''}${typeof counts.population === 'string' ? ` — from the rate × ${counts.population}` : ''}`]);
  }
  return rows;
}

function diagnosticLines(doc: ResultDocument, max = 8): string[] {
  const mark = (p: boolean | null): string => (p === true ? '✓' : p === false ? '✗' : '·');
  const ds = [...doc.diagnostics].sort((a, b) => Number(a.passed !== false) - Number(b.passed !== false));
  const lines = ds.slice(0, max).map((d) => `${mark(d.passed)} ${d.code}${d.value !== null && d.value !== undefined ? ` = ${typeof d.value === 'number' ? readable(d.value) : roundInText(d.value)}` : ''}: ${roundInText(d.message)}`);
  if (ds.length > max) lines.push(`… ${ds.length - max} more in the document (diagnostics)`);
  return lines;
}

/** The sections of a document's summary (also used by the report's summary table). */
export function documentSections(doc: ResultDocument): SummarySection[] {
  const sections: SummarySection[] = [];
  const rows = [...sampleRows(doc), ...estimateRows(doc)];
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

/** Descriptive comparisons (documents with a `describe` block): rolling 12 months, years, overlay; each labelled. */
function describeSections(doc: ResultDocument): SummarySection[] {
  const d = doc.describe as
    | { label: string; lastCompleteMonth: string; units: string[]; outcomes: { outcome: string; rolling: Cmp; years: { year: string; value: number; difference: number | null; percentChange: number | null }[]; yearToDate: (Cmp & { year: string }) | null; overlay: { years: [string, string]; months: { month: string; a: number | null; b: number | null; difference: number | null }[] } }[] }
    | undefined;
  if (!isObj(d) || !Array.isArray(d.outcomes)) return [];
  type Cmp = { current: { from: string; to: string; value: number | null }; baseline: { from: string; to: string; value: number | null }; difference: number | null; percentChange: number | null };
  const change = (diff: number | null, p: number | null): string => (diff === null ? '' : `${diff > 0 ? '+' : ''}${readable(diff)}${p !== null ? ` (${p > 0 ? '+' : p < 0 ? MINUS : ''}${Math.abs(p).toFixed(1)}%)` : ''}`.replace('+−', '−'));
  const out: SummarySection[] = [{ rows: [['label', d.label], ['last complete month', d.lastCompleteMonth], ['areas', `${d.units.length} (${String(doc.options.aggregate)}): ${d.units.slice(0, 8).join(', ')}${d.units.length > 8 ? ', …' : ''}`]] }];
  for (const oc of d.outcomes) {
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

/** The whole summary of one result document. */
export async function renderDocumentSummary(doc: ResultDocument, o: OutputSettings, info: { saved: boolean }): Promise<string> {
  const sections = documentSections(doc);
  const cba = await cbaSection(doc);
  if (cba) sections.push(cba);
  sections.push(...describeSections(doc));
  sections.push(...(await import('./powerSummary.js')).powerSections(doc, readable));
  if (doc.diagnostics.length > 0) sections.push({ heading: 'diagnostics', lines: diagnosticLines(doc) });
  if (doc.warnings.length > 0) sections.push({ heading: `warnings (${doc.warnings.length})`, lines: doc.warnings.slice(0, 10).map((w) => `${w.code}: ${roundInText(w.message)}`).concat(doc.warnings.length > 10 ? [`… ${doc.warnings.length - 10} more in the document`] : []) });
  else sections.push({ lines: ['no warnings'] });
  if (!info.saved) sections.push({ lines: ['the full document: add --out result.json, or --json to print it'] });
  const seed = typeof doc.options.seed === 'number' ? `, seed ${doc.options.seed}` : '';
  const title = `vru-eval ${doc.command}: ${doc.method}${seed}`;
  return renderSections(title, sections, o);
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
