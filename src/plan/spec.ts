/**
 * An analysis plan: the file an analyst commits before the data arrive (pre-registration).
 * YAML (or JSON) with these sections, every one optional but `analyses`:
 *
 *   version: 1
 *   seed: 20190401                 # default seed of every step (a step's options.seed wins)
 *   tolerances: { point: 0, resampling: 1e-6 }   # relative tolerances of `run --check`
 *   data:      { <name>: { file: <csv, relative to the plan>, options: { unit, time, treated, population, … } } }
 *              or { <name>: { panel: { source: police-uk, paths: [<archive zip/folder>…], options: { <panel police-uk options> } }, options: {…} } }
 *              (built by `vru-eval panel police-uk` as a step of the plan, into results/data/<name>.csv; see dataSource.ts)
 *   analyses:  { <name>: { command: scm|its|did, data: <data name>, options: { <the command's options by name> } } }
 *   power:     { <name>: { data: <data name>, options: { method: gsynth|…, sims, effects, nTreated, post, reps, … } } }
 *              (design-stage power and MDE, `vru-eval power`; validated by its option table per method)
 *   cba:       { <name>: { from: [<analysis>…], options: { <cba options> } } }
 *   robustness:{ <name>: { analysis: <analysis>, inTimePlacebos: [..], leaveOneOut: {..}, … } }   (see robustness.ts)
 *   compare:   { <name>: { analyses: [<step>…], title } }
 *   charts:    { <name>: { of: <step>, kind, format: svg|png, options: { mark, yLabel, title, width, height } } }
 *   report:    { title, include: [<step>…] }
 *
 * Options are validated against the commands' option tables (src/core/optionTable.ts): unknown keys,
 * wrong types, out-of-range values, references to missing steps, cycles and options a method does
 * not have are plan errors (exit 2) that name the key path and suggest the nearest valid key.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, visit } from 'yaml';
import { PANEL_OPTIONS } from '../core/commonOptions.js';
import { InputError } from '../core/errors.js';
import { nearest, optionsSchema, planValues, PlanError, unknownKey, type JsonSchema, type OptionTable } from '../core/optionTable.js';
import { CBA_OPTIONS } from '../estimators/cba/options.js';
import { CHART_OPTIONS, PLOT_OPTIONS } from '../plot/options.js';
import { PLOT_KINDS } from '../plot/kinds.js';
import { PLAN_COMMANDS, type PlanCommand } from './commands.js';
import { parseRobustnessSpec, ROBUSTNESS_SCHEMA, type RobustnessSpec } from './robustnessSpec.js';
import { builtDataSchema, parsePanelBuild, type PanelBuild } from './dataSource.js';

export const SECTIONS = ['data', 'analyses', 'power', 'cba', 'robustness', 'compare', 'charts', 'report'] as const;
export type Section = (typeof SECTIONS)[number];
const TOP_KEYS = ['version', 'seed', 'tolerances', ...SECTIONS] as const;

export interface Tolerances {
  /** Relative tolerance of point estimates (default 0: exact). */
  point: number;
  /** Relative tolerance of resampling quantities: standard errors, intervals, p-values, bands (default 1e-6). */
  resampling: number;
}

export interface DataSource {
  name: string;
  /** Absolute path; for a built panel, its path relative to the results directory (data/<name>.csv). */
  file: string;
  /** As written in the plan (a built panel: data/<name>.csv). */
  given: string;
  options: Record<string, unknown>;
  /** How the panel is built (null: a CSV given by `file`). */
  build: PanelBuild | null;
}

/** A data source built by `vru-eval panel` (a step: analyses that read it need it). */
export interface DataStep {
  section: 'data';
  name: string;
  data: DataSource;
  build: PanelBuild;
  needs: string[];
}

export interface AnalysisStep {
  section: 'analyses';
  name: string;
  command: PlanCommand;
  data: DataSource;
  tables: OptionTable[];
  values: Record<string, unknown>;
  given: Set<string>;
  needs: string[];
}
/** Design-stage power (`vru-eval power`) of a data source. */
export interface PowerStep {
  section: 'power';
  name: string;
  command: PlanCommand;
  data: DataSource;
  tables: OptionTable[];
  values: Record<string, unknown>;
  given: Set<string>;
  needs: string[];
}
export interface CbaStep {
  section: 'cba';
  name: string;
  from: string[];
  tables: OptionTable[];
  values: Record<string, unknown>;
  given: Set<string>;
  needs: string[];
}
export interface RobustnessStep {
  section: 'robustness';
  name: string;
  analysis: string;
  spec: RobustnessSpec;
  needs: string[];
}
export interface CompareStep {
  section: 'compare';
  name: string;
  analyses: string[];
  title: string | null;
  needs: string[];
}
export interface ChartStep {
  section: 'charts';
  name: string;
  of: string;
  format: 'svg' | 'png';
  values: Record<string, unknown>;
  needs: string[];
}
export interface ReportStep {
  section: 'report';
  name: 'report';
  title: string | null;
  include: string[];
  values: Record<string, unknown>;
  needs: string[];
}
export type Step = DataStep | AnalysisStep | PowerStep | CbaStep | RobustnessStep | CompareStep | ChartStep | ReportStep;

export interface Plan {
  file: string;
  dir: string;
  sha256: string;
  seed: number | null;
  tolerances: Tolerances;
  data: DataSource[];
  /** In plan order (sections in SECTIONS order). */
  steps: Step[];
  /** DEPRECATED_OPTION warnings for old option keys the plan uses (issue 23); `vru-eval run` prints them on stderr. */
  warnings: { code: string; message: string }[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Obj {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new PlanError('PLAN_BAD_TYPE', path, `must be a mapping (got ${Array.isArray(v) ? 'a list' : typeof v})`);
  return v;
}

function keysIn(o: Obj, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw unknownKey(path, k, allowed);
}

function strings(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new PlanError('PLAN_BAD_TYPE', path, 'must be a list of names');
  return v as string[];
}

function string(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new PlanError('PLAN_BAD_TYPE', path, `must be a non-empty string (got ${JSON.stringify(v)})`);
  return v;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Longest step name: a file name (255 bytes on common file systems) with room for the longest suffix. */
const MAX_NAME = 100;

/** Read and validate a plan file. @throws PlanError (exit 2), InputError for an unreadable file. */
export function readPlan(file: string): Plan {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError('FILE_NOT_FOUND', `cannot read the plan ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  const plan = validatePlan(parsePlanText(bytes.toString('utf8'), file), resolve(file), createHash('sha256').update(bytes).digest('hex'));
  checkPlanFiles(plan);
  return plan;
}

/**
 * The plan's YAML (or JSON) as plain data. A YAML tag (`!!float 5`, `!foo`) is a plan error with
 * its line, never a warning printed by the YAML library on stderr: an unresolved tag would silently
 * turn the value into a string, and the standard ones (!!timestamp, !!binary, !!set) into values
 * no option takes. @throws PlanError PLAN_SYNTAX, PLAN_YAML_TAG (exit 2)
 */
export function parsePlanText(text: string, file: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { logLevel: 'silent', lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) throw new PlanError('PLAN_SYNTAX', file, `is not valid YAML/JSON: ${doc.errors[0]!.message.split('\n')[0]}`);
  let tagged: { tag: string; at: number } | null = null;
  visit(doc, {
    Node(_key, node) {
      const n = node as { tag?: string; range?: [number, number, number] };
      if (tagged === null && n.tag) tagged = { tag: n.tag.replace(/^tag:yaml\.org,2002:/, '!!'), at: n.range?.[0] ?? 0 };
    },
  });
  if (tagged !== null) {
    const t = tagged as { tag: string; at: number };
    const pos = lines.linePos(t.at);
    throw new PlanError('PLAN_YAML_TAG', file, `line ${pos.line}, column ${pos.col}: the YAML tag ${t.tag} is not supported in a plan; write the value without it (numbers as 5 or 0.9, periods in quotes as "2019-04")`);
  }
  try {
    return doc.toJS();
  } catch (e) {
    throw new PlanError('PLAN_SYNTAX', file, `is not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * The files a plan names must be usable before any step runs: no NUL byte in a path (exit 2, a
 * plan error at the key) and every data file present (exit 3, naming the key path, the path as
 * written and where it was looked for).
 * @throws PlanError PLAN_BAD_VALUE, InputError FILE_NOT_FOUND
 */
export function checkPlanFiles(plan: Plan): void {
  for (const d of plan.data) {
    if (d.build) continue;
    const key = `data.${d.name}.file`;
    if (d.given.includes('\0')) throw new PlanError('PLAN_BAD_VALUE', key, `'${d.given.replace(/\0/g, '\\0')}' holds a NUL byte (\\0), which no file name can contain; write the path without it`);
    if (!existsSync(d.file)) throw new InputError('FILE_NOT_FOUND', `${key}: the data file '${d.given}' does not exist (looked for ${d.file}, relative to the plan's folder); fix the path in the plan or create the file`, { key, file: d.given, resolved: d.file });
  }
}

/** What the section parsers share: the steps so far, the data sources, the plan seed and its folder. */
interface PlanContext {
  dir: string;
  seed: number | null;
  steps: Step[];
  data: DataSource[];
  warnings: { code: string; message: string }[];
  /** Reserve a step name (names become file names). @throws PlanError PLAN_BAD_NAME, PLAN_DUPLICATE_NAME */
  claim: (section: string, name: string) => void;
}

/**
 * Validate a parsed plan against the option tables, in stages: the top level (version, seed,
 * tolerances) → data → analyses → power → cba → robustness → compare → charts → report → cycles.
 * @throws PlanError (exit 2) naming the key path
 */
export function validatePlan(raw: unknown, file: string, sha256: string): Plan {
  const top = obj(raw, '(plan)');
  const { seed, tolerances } = parseTop(top);
  const ctx: PlanContext = { dir: dirname(file), seed, steps: [], data: [], warnings: [], claim: nameClaimer() };
  parseData(ctx, top.data);
  parseAnalyses(ctx, top.analyses);
  parsePower(ctx, top.power);
  parseCba(ctx, top.cba);
  parseRobustness(ctx, top.robustness);
  parseCompare(ctx, top.compare);
  parseCharts(ctx, top.charts);
  if (top.report !== undefined) parseReport(ctx, top.report);
  if (!ctx.steps.some((s) => s.section === 'analyses')) throw new PlanError('PLAN_MISSING_KEY', 'analyses', 'a plan needs at least one analysis');
  checkCycles(ctx.steps);
  return { file, dir: ctx.dir, sha256, seed, tolerances, data: ctx.data, steps: ctx.steps, warnings: ctx.warnings };
}

/** version, seed and tolerances. */
function parseTop(top: Obj): { seed: number | null; tolerances: Tolerances } {
  keysIn(top, '', TOP_KEYS);
  if (top.version !== undefined && top.version !== 1) throw new PlanError('PLAN_BAD_VALUE', 'version', `must be 1 (got ${JSON.stringify(top.version)})`);
  let seed: number | null = null;
  if (top.seed !== undefined) {
    if (typeof top.seed !== 'number' || !Number.isInteger(top.seed) || top.seed < 0) throw new PlanError('PLAN_BAD_TYPE', 'seed', 'must be a non-negative integer');
    seed = top.seed;
  }
  const tol = obj(top.tolerances, 'tolerances');
  keysIn(tol, 'tolerances', ['point', 'resampling']);
  const tolerances: Tolerances = { point: 0, resampling: 1e-6 };
  for (const k of ['point', 'resampling'] as const) {
    if (tol[k] === undefined) continue;
    if (typeof tol[k] !== 'number' || !((tol[k] as number) >= 0)) throw new PlanError('PLAN_BAD_TYPE', `tolerances.${k}`, 'must be a relative tolerance ≥ 0, e.g. 1e-6');
    tolerances[k] = tol[k] as number;
  }
  return { seed, tolerances };
}

/** Step names become file names: valid characters, not reserved, unique across sections. */
function nameClaimer(): (section: string, name: string) => void {
  const names = new Map<string, string>();
  return (section: string, name: string): void => {
    const p = `${section}.${name}`;
    if (!NAME.test(name)) throw new PlanError('PLAN_BAD_NAME', p, 'step names become file names: use letters, digits, _ . - (starting with a letter or digit)');
    if (name.length > MAX_NAME) throw new PlanError('PLAN_BAD_NAME', `${section}.${name.slice(0, 24)}…`, `the step name has ${name.length} characters; step names become file names (<name>.json, <name>.svg, data/<name>.manifest.json), so use at most ${MAX_NAME}`);
    if (name === 'manifest' || name === 'report') throw new PlanError('PLAN_BAD_NAME', p, `'${name}' is reserved (results/${name}.*)`);
    if (names.has(name)) throw new PlanError('PLAN_DUPLICATE_NAME', p, `the name '${name}' is already used by ${names.get(name)}.${name}; step names are file names and must be unique`);
    names.set(name, section);
  };
}

/** Data sources: a CSV (file) or a panel built from police.uk archives (a data step). */
function parseData(ctx: PlanContext, section: unknown): void {
  for (const [name, v] of Object.entries(obj(section, 'data'))) {
    const p = `data.${name}`;
    const d = obj(v, p);
    keysIn(d, p, ['file', 'panel', 'options']);
    const options = obj(d.options, `${p}.options`);
    for (const k of Object.keys(options)) if (!(k in PANEL_OPTIONS)) throw unknownKey(`${p}.options`, k, Object.keys(PANEL_OPTIONS), 'panel option');
    if (d.panel !== undefined) {
      if (d.file !== undefined) throw new PlanError('PLAN_BAD_KEY', `${p}.file`, `give either file (a CSV) or panel (built from police.uk files), not both`);
      ctx.claim('data', name);
      const build = parsePanelBuild(d.panel, `${p}.panel`, ctx.dir);
      const given = `data/${name}.csv`;
      const source: DataSource = { name, file: given, given, options, build };
      ctx.data.push(source);
      ctx.steps.push({ section: 'data', name, data: source, build, needs: [] });
      continue;
    }
    if (d.file === undefined) throw new PlanError('PLAN_MISSING_KEY', `${p}.file`, 'a data source needs file (a CSV, relative to the plan) or panel (built from police.uk files: { source: police-uk, paths: [...], options: {...} })');
    const given = string(d.file, `${p}.file`);
    ctx.data.push({ name, file: resolve(ctx.dir, given), given, options, build: null });
  }
}

/** The data source a step reads, by name. */
function dataRef(ctx: PlanContext, v: unknown, path: string): DataSource {
  const dataName = string(v, path);
  const source = ctx.data.find((d) => d.name === dataName);
  if (!source) throw missingRef(path, dataName, ctx.data.map((d) => d.name), 'data source');
  return source;
}

/**
 * A step that reads a data source with a command's options: the source's options, then the step's,
 * then the plan seed; validated by the command's tables and its own check (replications per method).
 */
function panelStep(ctx: PlanContext, section: 'analyses' | 'power', name: string, p: string, command: (typeof PLAN_COMMANDS)[number], a: Obj): void {
  const source = dataRef(ctx, a.data, `${p}.data`);
  const merged = { ...source.options, ...obj(a.options, `${p}.options`) };
  if (ctx.seed !== null && merged.seed === undefined) merged.seed = ctx.seed;
  const tables = command.tables(merged);
  const pv = planValues(tables, merged, `${p}.options`, (k) => command.notFor(k, merged));
  command.check?.(pv.values, pv.given, `${p}.options`);
  ctx.warnings.push(...pv.warnings);
  ctx.steps.push({ section, name, command, data: source, tables, values: pv.values, given: pv.given, needs: source.build ? [source.name] : [] });
}

/** Estimating commands with their options (validated by the method's tables, replications per method). */
function parseAnalyses(ctx: PlanContext, section: unknown): void {
  for (const [name, v] of Object.entries(obj(section, 'analyses'))) {
    const p = `analyses.${name}`;
    ctx.claim('analyses', name);
    const a = obj(v, p);
    keysIn(a, p, ['command', 'data', 'options']);
    const cmdName = string(a.command, `${p}.command`);
    const command = PLAN_COMMANDS.find((c) => c.name === cmdName && c.panel && c.name !== 'power');
    if (!command) throw badName('PLAN_UNKNOWN_COMMAND', `${p}.command`, cmdName, PLAN_COMMANDS.filter((c) => c.panel && c.name !== 'power').map((c) => c.name), 'estimating command');
    panelStep(ctx, 'analyses', name, p, command, a);
  }
}

/** Design-stage power (`vru-eval power`) on a data source: { data, options: { method, sims, … } }. */
function parsePower(ctx: PlanContext, section: unknown): void {
  const command = PLAN_COMMANDS.find((c) => c.name === 'power')!;
  for (const [name, v] of Object.entries(obj(section, 'power'))) {
    const p = `power.${name}`;
    ctx.claim('power', name);
    const a = obj(v, p);
    keysIn(a, p, ['data', 'options']);
    panelStep(ctx, 'power', name, p, command, a);
  }
}

/** Cost-benefit of named analyses. */
function parseCba(ctx: PlanContext, section: unknown): void {
  for (const [name, v] of Object.entries(obj(section, 'cba'))) {
    const p = `cba.${name}`;
    ctx.claim('cba', name);
    const c = obj(v, p);
    keysIn(c, p, ['from', 'options']);
    const from = strings(c.from, `${p}.from`);
    if (from.length === 0) throw new PlanError('PLAN_BAD_VALUE', `${p}.from`, 'name at least one analysis whose effect to monetise');
    const own = { ...obj(c.options, `${p}.options`) };
    for (const k of ['from', 'spec', 'offencesAvoided', 'effectPer100k', 'ci']) {
      if (k in own) throw new PlanError('PLAN_BAD_KEY', `${p}.options.${k}`, `in a plan, cba takes its effects from named analyses: list them in ${p}.from`);
    }
    if (ctx.seed !== null && own.seed === undefined) own.seed = ctx.seed;
    const tables = PLAN_COMMANDS.find((x) => x.name === 'cba')!.tables(own);
    const pv = planValues(tables, own, `${p}.options`);
    ctx.warnings.push(...pv.warnings);
    ctx.steps.push({ section: 'cba', name, from, tables, values: pv.values, given: pv.given, needs: from.map((f, i) => ref(ctx.steps, `${p}.from[${i}]`, f, ['analyses'])) });
  }
}

/** Robustness suites of named analyses (robustnessSpec.ts). */
function parseRobustness(ctx: PlanContext, section: unknown): void {
  for (const [name, v] of Object.entries(obj(section, 'robustness'))) {
    const p = `robustness.${name}`;
    ctx.claim('robustness', name);
    const r = obj(v, p);
    const analysis = string(r.analysis, `${p}.analysis`);
    ref(ctx.steps, `${p}.analysis`, analysis, ['analyses']);
    const target = ctx.steps.find((s) => s.name === analysis) as AnalysisStep;
    ctx.steps.push({ section: 'robustness', name, analysis, spec: parseRobustnessSpec(r, p, target), needs: [analysis] });
  }
}

/** Steps with a result document (what compare and the report may name). */
function docSteps(ctx: PlanContext): string[] {
  return ctx.steps.filter((s) => s.section !== 'data' && s.section !== 'charts' && s.section !== 'report').map((s) => s.name);
}

/** compare may name any step with a document, in any order (so cycles are possible and checked later). */
function parseCompare(ctx: PlanContext, section: unknown): void {
  const compareRaw = Object.entries(obj(section, 'compare'));
  for (const [name] of compareRaw) ctx.claim('compare', name);
  for (const [name, v] of compareRaw) {
    const p = `compare.${name}`;
    const c = obj(v, p);
    keysIn(c, p, ['analyses', 'title']);
    const list = strings(c.analyses, `${p}.analyses`);
    if (list.length < 2) throw new PlanError('PLAN_BAD_VALUE', `${p}.analyses`, 'name at least two analyses to compare');
    const all = [...docSteps(ctx).filter((n) => ctx.steps.find((s) => s.name === n)?.section !== 'power'), ...compareRaw.map(([n]) => n)];
    list.forEach((a, i) => {
      if (!all.includes(a)) throw missingRef(`${p}.analyses[${i}]`, a, all, 'step');
    });
    const title = c.title === undefined ? null : string(c.title, `${p}.title`);
    ctx.steps.push({ section: 'compare', name, analyses: list, title, needs: [...list] });
  }
}

/** Charts of named steps. */
function parseCharts(ctx: PlanContext, section: unknown): void {
  for (const [name, v] of Object.entries(obj(section, 'charts'))) {
    const p = `charts.${name}`;
    ctx.claim('charts', name);
    const c = obj(v, p);
    keysIn(c, p, ['of', 'kind', 'format', 'options']);
    const of = string(c.of, `${p}.of`);
    ref(ctx.steps, `${p}.of`, of, ['analyses', 'power', 'cba', 'robustness', 'compare']);
    const format = c.format === undefined ? 'svg' : string(c.format, `${p}.format`);
    if (format !== 'svg' && format !== 'png') throw new PlanError('PLAN_BAD_VALUE', `${p}.format`, "must be 'svg' or 'png'");
    const options = { ...obj(c.options, `${p}.options`) };
    if ('kind' in options) throw new PlanError('PLAN_BAD_KEY', `${p}.options.kind`, `give the chart kind as ${p}.kind`);
    if (c.kind !== undefined) {
      const kind = string(c.kind, `${p}.kind`);
      if (!(PLOT_KINDS as readonly string[]).includes(kind)) throw badName('PLAN_BAD_VALUE', `${p}.kind`, kind, PLOT_KINDS, 'chart kind');
      options.kind = kind;
    }
    const pv = planValues([PLOT_OPTIONS, CHART_OPTIONS], options, `${p}.options`);
    ctx.steps.push({ section: 'charts', name, of, format, values: pv.values, needs: [of] });
  }
}

/** The report: every step with a document by default. */
function parseReport(ctx: PlanContext, section: unknown): void {
  const p = 'report';
  const r = obj(section, p);
  keysIn(r, p, ['title', 'include', 'options']);
  const all = docSteps(ctx);
  const include = r.include === undefined ? all : strings(r.include, `${p}.include`);
  include.forEach((a, i) => {
    if (!all.includes(a)) throw missingRef(`${p}.include[${i}]`, a, all, 'step');
  });
  const pv = planValues([CHART_OPTIONS], obj(r.options, `${p}.options`), `${p}.options`);
  ctx.steps.push({ section: 'report', name: 'report', title: r.title === undefined ? null : string(r.title, `${p}.title`), include, values: pv.values, needs: [...include] });
}

/** A value that must be one of `valid` (a name), with the nearest one suggested. */
function badName(code: string, path: string, value: string, valid: readonly string[], what: string): PlanError {
  const near = nearest(value, valid);
  return new PlanError(code, path, `there is no ${what} '${value}'${near ? `; did you mean '${near}'?` : ''} (${valid.length ? `valid: ${valid.join(', ')}` : 'none is defined'})`, { value, suggestion: near, valid });
}

function missingRef(path: string, name: string, valid: readonly string[], what: string): PlanError {
  return badName('PLAN_MISSING_REFERENCE', path, name, valid, what);
}

function ref(steps: readonly Step[], path: string, name: string, sections: readonly Section[]): string {
  const valid = steps.filter((s) => sections.includes(s.section)).map((s) => s.name);
  if (!valid.includes(name)) throw missingRef(path, name, valid, sections.length === 1 && sections[0] === 'analyses' ? 'analysis' : 'step');
  return name;
}

/** Depth-first search for a cycle among `needs`. @throws PlanError PLAN_CYCLE naming the steps. */
function checkCycles(steps: readonly Step[]): void {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      const cycle = [...stack.slice(stack.indexOf(n)), n];
      const s = byName.get(n)!;
      throw new PlanError('PLAN_CYCLE', `${s.section}.${n}`, `steps depend on each other in a cycle: ${cycle.join(' → ')}`, { cycle });
    }
    state.set(n, 1);
    stack.push(n);
    for (const m of byName.get(n)?.needs ?? []) visit(m);
    stack.pop();
    state.set(n, 2);
  };
  for (const s of steps) visit(s.name);
}

/** The plan's JSON Schema (`vru-eval schema --plan`), derived from the commands' option tables. */
export function planSchema(): JsonSchema {
  const analysis = PLAN_COMMANDS.filter((c) => c.panel && c.name !== 'power').map((c) => ({
    type: 'object',
    additionalProperties: false,
    required: ['command', 'data'],
    properties: {
      command: { const: c.name },
      data: { type: 'string', description: 'name of a data source' },
      options: optionsSchema(c.allTables()),
    },
  }));
  const cbaOptions = optionsSchema([PLAN_COMMANDS.find((c) => c.name === 'cba')!.allTables()[0]!, CBA_OPTIONS]) as { properties: Record<string, unknown> };
  for (const k of ['from', 'spec', 'offencesAvoided', 'effectPer100k', 'ci']) delete cbaOptions.properties[k];
  const names = { type: 'array', items: { type: 'string' } };
  const chartOptions = optionsSchema([PLOT_OPTIONS, CHART_OPTIONS]) as { properties: Record<string, unknown> };
  delete chartOptions.properties.kind;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/vru-eval/vru-eval/plan.schema.json',
    title: 'vru-eval analysis plan',
    description: 'An evaluation as one file: data sources, analyses (any estimating command with its options by name), cost-benefit, robustness checks, method comparisons, charts and the report. Run with `vru-eval run plan.yaml --out results/`; re-check with `--check results/`.',
    type: 'object',
    additionalProperties: false,
    required: ['analyses'],
    properties: {
      version: { const: 1 },
      seed: { type: 'integer', minimum: 0, description: 'default seed of every step (a step\'s options.seed wins)' },
      tolerances: {
        type: 'object',
        additionalProperties: false,
        properties: {
          point: { type: 'number', minimum: 0, default: 0, description: 'relative tolerance of point estimates in --check (0 = exact)' },
          resampling: { type: 'number', minimum: 0, default: 1e-6, description: 'relative tolerance of standard errors, intervals, p-values and bands in --check' },
        },
      },
      data: {
        type: 'object',
        additionalProperties: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['file'],
              properties: { file: { type: 'string', description: 'CSV panel, relative to the plan file' }, options: { ...optionsSchema([PANEL_OPTIONS]), required: undefined } },
            },
            builtDataSchema({ ...optionsSchema([PANEL_OPTIONS]), required: undefined }),
          ],
        },
      },
      analyses: { type: 'object', minProperties: 1, additionalProperties: { oneOf: analysis } },
      power: {
        type: 'object',
        description: 'design-stage power and minimum detectable effect of a data source (vru-eval power), one step per name',
        additionalProperties: { type: 'object', additionalProperties: false, required: ['data'], properties: { data: { type: 'string', description: 'name of a data source' }, options: optionsSchema(PLAN_COMMANDS.find((c) => c.name === 'power')!.allTables()) } },
      },
      cba: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, required: ['from'], properties: { from: { ...names, minItems: 1, description: 'analyses whose effects are monetised, one per outcome' }, options: cbaOptions } } },
      robustness: { type: 'object', additionalProperties: ROBUSTNESS_SCHEMA },
      compare: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, required: ['analyses'], properties: { analyses: { ...names, minItems: 2 }, title: { type: 'string' } } } },
      charts: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['of'],
          properties: { of: { type: 'string' }, kind: { enum: [...PLOT_KINDS] }, format: { enum: ['svg', 'png'], default: 'svg' }, options: chartOptions },
        },
      },
      report: { type: 'object', additionalProperties: false, properties: { title: { type: 'string' }, include: names, options: optionsSchema([CHART_OPTIONS]) } },
    },
  };
}
