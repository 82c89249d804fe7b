/**
 * The robustness suite: re-run one analysis with one thing changed per variant (see
 * robustnessSpec.ts for the checks), and gather the variants in one table: variant, estimate,
 * interval, difference from the main estimate. Each variant runs the real command (through
 * `exec`, so in parallel when the caller allows), on the same data or on a filtered copy of it
 * written to a scratch directory under the same file name.
 *
 * The table is the result document's `variants`; `diagnostics` state three facts the reader asks
 * first (in-time placebos cover zero; leave-one-out estimates stay inside the main interval;
 * excluding the shock window moves the estimate by less than its standard error) without
 * turning them into a verdict.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { optionArgs, type OptionTable } from '../core/optionTable.js';
import { panelDesign, panelFromTable, type PanelOptions } from '../core/panel.js';
import { periodOrdinal } from '../core/periods.js';
import type { Analysis, Diagnostic, EstimateBlock, ResultDocument, Warning } from '../core/result.js';
import type { CsvTable } from '../io/csv.js';
import { panelFormat, readTextTable } from '../io/read.js';
import type { RobustnessSpec } from './robustnessSpec.js';

/** Runs one CLI invocation (argv after the program name); resolves with its exit code and output. */
export type Exec = (args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** The analysis the suite varies. */
export interface BaseAnalysis {
  command: string;
  file: string;
  tables: readonly OptionTable[];
  values: Readonly<Record<string, unknown>>;
  given: ReadonlySet<string>;
  /** Its result document (for the main estimate and donor weights), and the file it came from. */
  doc: ResultDocument;
  docFile: string;
  docSha256: string;
}

export interface VariantRow {
  variant: string;
  group: 'main re-run' | 'in-time placebo' | 'leave one donor out' | 'leave one treated out' | 'donor pool' | 'start date' | 'exclude window' | 'placebo outcome' | 'covariates';
  label: string;
  /** What changed, as the command-line arguments that differ from the main analysis. */
  change: string;
  att: number | null;
  se: number | null;
  ci: [number, number] | null;
  level: number | null;
  /** att − main att. */
  difference: number | null;
  /** Whether att lies in the main estimate's interval (null without one). */
  withinMainCi: boolean | null;
  /** Whether the variant's own interval covers zero (null without one). */
  coversZero: boolean | null;
  error: string | null;
}

interface Variant {
  id: string;
  group: VariantRow['group'];
  label: string;
  set: Record<string, unknown>;
  unset: string[];
  dropUnits: string[];
  before: string | null;
}

interface Design {
  table: CsvTable;
  unitCol: string;
  timeCol: string;
  outcome: string;
  frequency: Parameters<typeof periodOrdinal>[1];
  treated: string[];
  controls: string[];
  start: string;
}

function panelOptions(v: Readonly<Record<string, unknown>>): PanelOptions {
  const p: PanelOptions = { outcome: v.outcome as string };
  for (const k of ['unit', 'time', 'treated', 'treatedUnits', 'start', 'covariates', 'population'] as const) if (v[k] !== undefined) (p as unknown as Record<string, unknown>)[k] = v[k];
  return p;
}

/** Treated units, donors and the start of the base analysis. */
function design(base: BaseAnalysis): Design {
  const v = base.values;
  // CSV, Parquet or Arrow: variants are written back as CSV from these text rows.
  const table = readTextTable(base.file);
  const unitCol = (v.unit as string | undefined) ?? 'unit';
  const timeCol = (v.time as string | undefined) ?? 'period';
  if (base.command === 'its') {
    const popts = panelOptions(v);
    delete popts.population;
    const hasTreatedCol = table.header.includes(popts.treated ?? 'treated');
    const panel = panelFromTable(table, hasTreatedCol || popts.treatedUnits ? popts : { ...popts, treatedUnits: [String(v.series ?? '')], start: (v.interruption as string[])[0]! });
    const everTreated = (() => {
      try {
        const d = panelDesign(panel);
        return { treated: d.treatedUnits.map((i) => panel.units[i]!), start: panel.periods[d.firstStart]! };
      } catch {
        return { treated: [] as string[], start: null };
      }
    })();
    const treated = v.series !== undefined ? [v.series as string] : ((v.units as string[] | undefined) ?? everTreated.treated);
    const interruptions = (v.interruption as string[] | undefined) ?? [];
    const start = interruptions[0] ?? everTreated.start;
    if (start === null) throw new UsageError('ROBUSTNESS_NO_START', 'robustness: cannot tell when the treatment starts in this its analysis; give its interruption', {});
    const control = v.control;
    const controls = control === true || control === '' ? panel.units.filter((u) => !everTreated.treated.includes(u) && !treated.includes(u)) : Array.isArray(control) ? (control as string[]) : typeof control === 'string' ? control.split(',').map((s) => s.trim()) : [];
    return { table, unitCol, timeCol, outcome: v.outcome as string, frequency: panel.frequency, treated, controls, start };
  }
  const panel = panelFromTable(table, panelOptions(v));
  const d = panelDesign(panel);
  return {
    table,
    unitCol,
    timeCol,
    outcome: v.outcome as string,
    frequency: panel.frequency,
    treated: d.treatedUnits.map((i) => panel.units[i]!),
    controls: d.controlUnits.map((i) => panel.units[i]!),
    start: panel.periods[d.firstStart]!,
  };
}

/** Donors in order of influence: synthetic-control weight (mean over treated units), else pre-period correlation with the treated average. */
function rankDonors(base: BaseAnalysis, d: Design): string[] {
  const weights = new Map<string, number>();
  for (const u of base.doc.units ?? []) {
    if (!u.weights) continue;
    for (const [k, w] of Object.entries(u.weights)) weights.set(k, (weights.get(k) ?? 0) + w / (base.doc.units.length || 1));
  }
  if (weights.size > 0) return d.controls.filter((c) => weights.has(c)).sort((a, b) => weights.get(b)! - weights.get(a)! || (a < b ? -1 : 1));
  const iu = d.table.header.indexOf(d.unitCol);
  const it = d.table.header.indexOf(d.timeCol);
  const iy = d.table.header.indexOf(d.outcome);
  const start = periodOrdinal(d.start, d.frequency);
  const series = new Map<string, Map<number, number>>();
  for (const r of d.table.rows) {
    const t = periodOrdinal(r[it]!, d.frequency);
    const y = Number(r[iy]);
    if (!(t < start) || r[iy] === '' || !Number.isFinite(y)) continue;
    let m = series.get(r[iu]!);
    if (!m) series.set(r[iu]!, (m = new Map()));
    m.set(t, y);
  }
  const treatedMean = new Map<number, number>();
  const times = [...(series.get(d.treated[0]!)?.keys() ?? [])];
  for (const t of times) {
    const ys = d.treated.map((u) => series.get(u)?.get(t)).filter((y): y is number => y !== undefined);
    if (ys.length === d.treated.length) treatedMean.set(t, ys.reduce((a, b) => a + b, 0) / ys.length);
  }
  const corr = (u: string): number => {
    const m = series.get(u);
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [t, y] of treatedMean) {
      const x = m?.get(t);
      if (x !== undefined) [xs.push(x), ys.push(y)];
    }
    const n = xs.length;
    if (n < 3) return -Infinity;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let k = 0; k < n; k++) {
      sxy += (xs[k]! - mx) * (ys[k]! - my);
      sxx += (xs[k]! - mx) ** 2;
      syy += (ys[k]! - my) ** 2;
    }
    return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : -Infinity;
  };
  const c = new Map(d.controls.map((u) => [u, corr(u)]));
  return [...d.controls].sort((a, b) => c.get(b)! - c.get(a)! || (a < b ? -1 : 1));
}

/** What the variant builders share: the main analysis, its design, and the list and warnings they add to. */
interface VariantSet {
  base: BaseAnalysis;
  d: Design;
  its: boolean;
  v: BaseAnalysis['values'];
  startOrd: number;
  list: Variant[];
  warnings: Warning[];
}

/**
 * The variants of the suite, in the document's order: main re-run → in-time placebos → leave one
 * donor out → leave one treated out → donor pools → start dates → excluded windows → placebo
 * outcomes → covariates (unadjusted and adjusted on the same reduced sample).
 */
function variants(base: BaseAnalysis, spec: RobustnessSpec, d: Design): { list: Variant[]; warnings: Warning[] } {
  const vs: VariantSet = { base, d, its: base.command === 'its', v: base.values, startOrd: periodOrdinal(d.start, d.frequency), list: [], warnings: [] };
  if (spec.rerun) addVariant(vs, { id: 'main-rerun', group: 'main re-run', label: 'main analysis, re-run from its recorded options' });
  for (const p of spec.inTimePlacebos) {
    const o = periodOrdinal(p, d.frequency);
    if (!Number.isFinite(o) || o >= vs.startOrd) throw new UsageError('BAD_PLACEBO_START', `robustness: in-time placebo start ${p} must be a period before the real start ${d.start}`, { period: p });
    addVariant(vs, { id: `placebo-${p}`, group: 'in-time placebo', label: `fake start ${p} (data before ${d.start})`, ...startAt(vs, p, true), before: d.start });
  }
  leaveOneOutVariants(vs, spec.leaveOneOut);
  for (const pool of spec.donorPools) donorPoolVariant(vs, pool);
  for (const s of spec.starts) addVariant(vs, { id: `start-${s}`, group: 'start date', label: `start ${s}`, ...startAt(vs, s, false) });
  for (const w of spec.excludeWindows) {
    const set = vs.its ? { dummy: [...((vs.v.dummy as string[] | undefined) ?? []), w] } : { excludePeriods: [...((vs.v.excludePeriods as string[] | undefined) ?? []), w] };
    addVariant(vs, { id: `exclude-${w}`, group: 'exclude window', label: `${w} left out${vs.its ? ' (dummy)' : ''}`, set });
  }
  for (const y of spec.placeboOutcomes) addVariant(vs, { id: `outcome-${y}`, group: 'placebo outcome', label: `outcome ${y}`, set: { outcome: y } });
  if (spec.covariates.length > 0) covariateVariants(vs, spec.covariates);
  return { list: vs.list, warnings: vs.warnings };
}

function addVariant(vs: VariantSet, x: Omit<Variant, 'set' | 'unset' | 'dropUnits' | 'before'> & Partial<Variant>): void {
  vs.list.push({ set: {}, unset: [], dropUnits: [], before: null, ...x });
}

/** Options that move the treatment start to `p` (keeping the analysed units); `cut`: the data end before the real start, so later windows go. */
function startAt(vs: VariantSet, p: string, cut: boolean): Pick<Variant, 'set' | 'unset'> {
  const { d, v } = vs;
  if (vs.its) {
    const set: Record<string, unknown> = { interruption: [p] };
    if (v.series === undefined) set.units = d.treated;
    if (cut && v.control === true) set.control = d.controls;
    if (cut && v.dummy !== undefined) set.dummy = (v.dummy as string[]).filter((w) => periodOrdinal(w.split(':')[0]!.trim(), d.frequency) < vs.startOrd);
    return { set, unset: [] };
  }
  const set: Record<string, unknown> = { treatedUnits: d.treated, start: p };
  if (cut && v.excludePeriods !== undefined) set.excludePeriods = (v.excludePeriods as string[]).filter((w) => periodOrdinal(w.split(':')[0]!.trim(), d.frequency) < vs.startOrd);
  return { set, unset: ['treated'] };
}

/** Leave one donor out (the donors most correlated with the treated mean first) and leave one treated unit out. */
function leaveOneOutVariants(vs: VariantSet, loo: RobustnessSpec['leaveOneOut']): void {
  const { base, d, its, v } = vs;
  if (loo.donors === 'all' || loo.donors > 0) {
    if (d.controls.length === 0) vs.warnings.push({ code: 'NO_DONORS', message: 'leave-one-out over donors: this analysis has no donor or control units' });
    const ranked = rankDonors(base, d);
    const take = loo.donors === 'all' ? ranked : ranked.slice(0, loo.donors);
    for (const u of take) {
      const set: Record<string, unknown> = its && Array.isArray(v.control) ? { control: (v.control as string[]).filter((c) => c !== u) } : its && v.control === true ? { control: d.controls.filter((c) => c !== u) } : {};
      addVariant(vs, { id: `loo-donor-${u}`, group: 'leave one donor out', label: `without donor ${u}`, set, dropUnits: [u] });
    }
  }
  if (loo.treated) {
    if (d.treated.length < 2) vs.warnings.push({ code: 'ONE_TREATED_UNIT', message: 'leave-one-out over treated units needs at least two treated units' });
    else
      for (const u of d.treated) {
        const set: Record<string, unknown> = its && v.series === undefined ? { units: d.treated.filter((t) => t !== u) } : {};
        addVariant(vs, { id: `loo-treated-${u}`, group: 'leave one treated out', label: `without treated ${u}`, set, dropUnits: its ? [] : [u] });
      }
  }
}

/** A donor pool without the listed donors and (sameAs) the donors sharing a treated unit's value of a column. */
function donorPoolVariant(vs: VariantSet, pool: RobustnessSpec['donorPools'][number]): void {
  const { base, d, its, v } = vs;
  const drop = new Set(pool.exclude.filter((u) => d.controls.includes(u)));
  for (const u of pool.exclude) if (!d.controls.includes(u)) vs.warnings.push({ code: 'NOT_A_DONOR', message: `donor pool '${pool.name}': ${u} is not a donor of this analysis` });
  if (pool.sameAs !== null) {
    const ic = d.table.header.indexOf(pool.sameAs);
    if (ic < 0) throw new UsageError('MISSING_COLUMN', `robustness: donor pool '${pool.name}' uses column '${pool.sameAs}', which ${basename(base.file)} does not have (columns: ${d.table.header.join(', ')})`, { column: pool.sameAs });
    const iu = d.table.header.indexOf(d.unitCol);
    const value = new Map<string, string>();
    for (const r of d.table.rows) if (!value.has(r[iu]!)) value.set(r[iu]!, r[ic]!);
    const treatedValues = new Set(d.treated.map((u) => value.get(u)));
    for (const u of d.controls) if (treatedValues.has(value.get(u))) drop.add(u);
  }
  const dropped = d.controls.filter((u) => drop.has(u));
  const set: Record<string, unknown> = its && (Array.isArray(v.control) || v.control === true) ? { control: d.controls.filter((c) => !drop.has(c)) } : {};
  addVariant(vs, { id: `pool-${pool.name}`, group: 'donor pool', label: `donor pool '${pool.name}' (${dropped.length} donor${dropped.length === 1 ? '' : 's'} dropped)`, set, dropUnits: dropped });
}

/** Unadjusted and adjusted for `covariates`, both on the units with every covariate (so only the adjustment differs). */
function covariateVariants(vs: VariantSet, covariates: readonly string[]): void {
  const { base, d } = vs;
  const idx = covariates.map((c) => {
    const i = d.table.header.indexOf(c);
    if (i < 0) throw new UsageError('MISSING_COLUMN', `robustness: covariate '${c}' is not a column of ${basename(base.file)}`, { column: c });
    return i;
  });
  const iu = d.table.header.indexOf(d.unitCol);
  const missing = new Set<string>();
  for (const r of d.table.rows) if (idx.some((i) => r[i] === '' || !Number.isFinite(Number(r[i])))) missing.add(r[iu]!);
  const drop = [...missing].sort();
  const sample = drop.length > 0 ? `reduced sample, ${drop.length} unit${drop.length === 1 ? '' : 's'} with missing covariates dropped` : 'no unit has missing covariates';
  addVariant(vs, { id: 'unadjusted-reduced', group: 'covariates', label: `unadjusted (${sample})`, dropUnits: drop, unset: ['covariates'] });
  addVariant(vs, { id: 'adjusted-reduced', group: 'covariates', label: `adjusted for ${covariates.join(', ')} (${sample})`, dropUnits: drop, set: { covariates: [...covariates] } });
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Write the rows of `d.table` that survive the variant's filters. */
function writeFiltered(d: Design, x: Variant, file: string): void {
  const iu = d.table.header.indexOf(d.unitCol);
  const it = d.table.header.indexOf(d.timeCol);
  const drop = new Set(x.dropUnits);
  const before = x.before !== null ? periodOrdinal(x.before, d.frequency) : Infinity;
  const lines = [d.table.header.map(csvCell).join(',')];
  for (const r of d.table.rows) if (!drop.has(r[iu]!) && periodOrdinal(r[it]!, d.frequency) < before) lines.push(r.map(csvCell).join(','));
  writeFileSync(file, lines.join('\n') + '\n');
}

function errorMessage(stderr: string): string {
  const last = stderr.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(last) as { error: { message: string } }).error.message;
  } catch {
    return last || 'failed without a message';
  }
}

/**
 * Run the suite. `scratch` is an empty directory for filtered data and variant documents.
 * Returns the analysis of the robustness document (its `input` is the main document).
 * Stages: design of the main analysis → the variants → each variant run through `exec` (its data
 * filtered, its options changed) and compared with the main estimate → the document.
 */
export async function runRobustness(base: BaseAnalysis, spec: RobustnessSpec, exec: Exec, scratch: string): Promise<Analysis> {
  const d = design(base);
  const { list, warnings } = variants(base, spec, d);
  const main = base.doc.estimate as EstimateBlock | null;
  if (!main || typeof main.att !== 'number') throw new UsageError('NO_MAIN_ESTIMATE', `robustness: ${basename(base.docFile)} has no point estimate (estimate.att) to compare the variants with`, { file: base.docFile });
  const rows: VariantRow[] = await Promise.all(list.map((x, k) => runVariant(base, d, x, join(scratch, String(k + 1)), exec, main)));
  for (const r of rows) if (r.error !== null) warnings.push({ code: 'VARIANT_FAILED', message: `${r.label}: ${r.error}` });
  return robustnessAnalysis(base, spec, main, rows, warnings);
}

/** One variant: its data (filtered when it drops units or periods), its command line, the run, and its estimate against the main one. */
async function runVariant(base: BaseAnalysis, d: Design, x: Variant, dir: string, exec: Exec, main: EstimateBlock): Promise<VariantRow> {
  mkdirSync(dir, { recursive: true });
  let file = base.file;
  if (x.dropUnits.length > 0 || x.before !== null) {
    // The filtered rows are CSV whatever the base file's format (Parquet, Arrow).
    const name = basename(base.file);
    file = join(dir, panelFormat(base.file) === 'csv' ? name : `${basename(name, extname(name))}.csv`);
    writeFiltered(d, x, file);
  }
  const { opts, change } = variantOptions(base, x);
  const out = join(dir, 'result.json');
  const row: VariantRow = { variant: x.id, group: x.group, label: x.label, change, att: null, se: null, ci: null, level: null, difference: null, withinMainCi: null, coversZero: null, error: null };
  const r = await exec([base.command, file, ...opts, '--out', out]);
  if (r.code !== 0) {
    row.error = errorMessage(r.stderr);
    return row;
  }
  const doc = JSON.parse(readFileSync(out, 'utf8')) as ResultDocument;
  const e = doc.estimate;
  const mainCi = Array.isArray(main.ci) ? main.ci : null;
  row.att = typeof e?.att === 'number' ? e.att : null;
  row.se = typeof e?.se === 'number' ? e.se : null;
  row.ci = Array.isArray(e?.ci) ? (e!.ci as [number, number]) : null;
  row.level = typeof e?.level === 'number' ? e.level : null;
  if (row.att !== null) {
    row.difference = row.att - main.att!;
    row.withinMainCi = mainCi ? row.att >= mainCi[0] && row.att <= mainCi[1] : null;
  }
  row.coversZero = row.ci ? row.ci[0] <= 0 && row.ci[1] >= 0 : null;
  return row;
}

/** The variant's options (the main analysis's with the variant's set/unset; dropped units leave the donor-pool flags) as arguments, and the change in words. */
function variantOptions(base: BaseAnalysis, x: Variant): { opts: string[]; change: string } {
  const values: Record<string, unknown> = { ...base.values, ...x.set };
  // units dropped from the data cannot stay named in the donor-pool flags
  for (const k2 of ['donors', 'excludeUnits'] as const) {
    const named = values[k2];
    if (Array.isArray(named) && x.dropUnits.some((u) => named.includes(u))) {
      const kept = (named as string[]).filter((u) => !x.dropUnits.includes(u));
      x.set[k2] = kept.length > 0 ? kept : undefined;
      values[k2] = x.set[k2];
      if (kept.length === 0) x.unset.push(k2);
    }
  }
  const given = new Set(base.given);
  for (const k2 of Object.keys(x.set)) given.add(k2);
  for (const k2 of x.unset) {
    given.delete(k2);
    values[k2] = undefined;
  }
  const opts = optionArgs(base.tables, values, given);
  const changeParts = [
    ...Object.keys(x.set).map((k2) => optionArgs(base.tables, values, new Set([k2])).join(' ') || `(${k2} removed)`),
    ...x.unset.filter((k2) => base.given.has(k2)).map((k2) => `without ${k2}`),
    ...(x.dropUnits.length ? [`data without ${x.dropUnits.length <= 5 ? x.dropUnits.join(', ') : `${x.dropUnits.length} units`}`] : []),
    ...(x.before !== null ? [`data before ${x.before}`] : []),
  ];
  return { opts, change: changeParts.join('; ') || 'none' };
}

/** The robustness document's analysis: the suite's options, the main estimate, the diagnostics and one row per variant. */
function robustnessAnalysis(base: BaseAnalysis, spec: RobustnessSpec, main: EstimateBlock, rows: VariantRow[], warnings: Warning[]): Analysis {
  const mainCi = Array.isArray(main.ci) ? main.ci : null;
  return {
    method: 'robustness',
    options: {
      analysis: basename(base.docFile),
      // the data are pinned by the main document's input.sha256 (canonical content), and each variant re-reads them
      data: basename(base.file),
      command: base.command,
      method: base.doc.method,
      inTimePlacebos: spec.inTimePlacebos,
      leaveOneOut: spec.leaveOneOut,
      donorPools: spec.donorPools,
      starts: spec.starts,
      excludeWindows: spec.excludeWindows,
      placeboOutcomes: spec.placeboOutcomes,
      covariates: spec.covariates,
      seed: (base.values.seed as number | undefined) ?? null,
      level: main.level,
    },
    estimate: main,
    path: [],
    units: [],
    diagnostics: diagnostics(rows, main),
    warnings,
    main: { file: basename(base.docFile), sha256: base.docSha256, method: base.doc.method, outcome: (base.doc.input as { outcome?: string } | null)?.outcome ?? null, att: main.att, se: main.se, ci: mainCi, level: main.level },
    variants: rows,
  };
}

function diagnostics(rows: readonly VariantRow[], main: EstimateBlock): Diagnostic[] {
  const out: Diagnostic[] = [];
  const placebos = rows.filter((r) => r.group === 'in-time placebo' && r.att !== null);
  if (placebos.length > 0) {
    const worst = Math.max(...placebos.map((r) => Math.abs(r.att!)));
    const cover = placebos.every((r) => r.coversZero !== false);
    out.push({ code: 'IN_TIME_PLACEBOS', passed: cover, value: worst, message: `${placebos.length} in-time placebo(s): largest |estimate| ${worst}; ${cover ? 'every interval covers zero' : 'some interval excludes zero (an effect before the programme started)'}` });
  }
  const loo = rows.filter((r) => (r.group === 'leave one donor out' || r.group === 'leave one treated out') && r.att !== null);
  if (loo.length > 0 && Array.isArray(main.ci)) {
    const outside = loo.filter((r) => r.withinMainCi === false);
    const most = [...loo].sort((a, b) => Math.abs(b.difference!) - Math.abs(a.difference!))[0]!;
    out.push({ code: 'LEAVE_ONE_OUT_WITHIN_CI', passed: outside.length === 0, value: most.variant, message: `${loo.length} leave-one-out estimate(s); ${outside.length === 0 ? 'all inside the main interval' : `${outside.length} outside the main interval (${outside.map((r) => r.label).join('; ')})`}; largest change ${most.difference} (${most.label})` });
  }
  const excl = rows.filter((r) => r.group === 'exclude window' && r.att !== null);
  if (excl.length > 0 && typeof main.se === 'number') {
    const worst = Math.max(...excl.map((r) => Math.abs(r.difference!)));
    out.push({ code: 'EXCLUDE_WINDOW_WITHIN_SE', passed: worst < main.se, value: worst, message: `leaving the window out changes the estimate by ${worst}, ${worst < main.se ? 'less' : 'more'} than its standard error ${main.se}` });
  }
  const failed = rows.filter((r) => r.error !== null).length;
  if (failed > 0) out.push({ code: 'VARIANTS_FAILED', passed: false, value: failed, message: `${failed} variant(s) failed; see warnings` });
  return out;
}

/** SHA-256 of a file's bytes. */
export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
