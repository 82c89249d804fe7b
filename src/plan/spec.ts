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

export const SECTIONS = ['data', 'analyses', 'cba', 'robustness', 'compare', 'charts', 'report'] as const;
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
export type Step = DataStep | AnalysisStep | CbaStep | RobustnessStep | CompareStep | ChartStep | ReportStep;

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

export function validatePlan(raw: unknown, file: string, sha256: string): Plan {
  const planWarnings: { code: string; message: string }[] = [];
  const top = obj(raw, '(plan)');
  keysIn(top, '', TOP_KEYS);
  if (top.version !== undefined && top.version !== 1) throw new PlanError('PLAN_BAD_VALUE', 'version', `must be 1 (got ${JSON.stringify(top.version)})`);
  const dir = dirname(file);
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

  const steps: Step[] = [];
  const names = new Map<string, string>();
  const claim = (section: string, name: string): void => {
    const p = `${section}.${name}`;
    if (!NAME.test(name)) throw new PlanError('PLAN_BAD_NAME', p, 'step names become file names: use letters, digits, _ . - (starting with a letter or digit)');
    if (name.length > MAX_NAME) throw new PlanError('PLAN_BAD_NAME', `${section}.${name.slice(0, 24)}…`, `the step name has ${name.length} characters; step names become file names (<name>.json, <name>.svg, data/<name>.manifest.json), so use at most ${MAX_NAME}`);
    if (name === 'manifest' || name === 'report') throw new PlanError('PLAN_BAD_NAME', p, `'${name}' is reserved (results/${name}.*)`);
    if (names.has(name)) throw new PlanError('PLAN_DUPLICATE_NAME', p, `the name '${name}' is already used by ${names.get(name)}.${name}; step names are file names and must be unique`);
    names.set(name, section);
  };

  const data: DataSource[] = [];
  for (const [name, v] of Object.entries(obj(top.data, 'data'))) {
    const p = `data.${name}`;
    const d = obj(v, p);
    keysIn(d, p, ['file', 'panel', 'options']);
    const options = obj(d.options, `${p}.options`);
    for (const k of Object.keys(options)) if (!(k in PANEL_OPTIONS)) throw unknownKey(`${p}.options`, k, Object.keys(PANEL_OPTIONS), 'panel option');
    if (d.panel !== undefined) {
      if (d.file !== undefined) throw new PlanError('PLAN_BAD_KEY', `${p}.file`, `give either file (a CSV) or panel (built from police.uk files), not both`);
      claim('data', name);
      const build = parsePanelBuild(d.panel, `${p}.panel`, dir);
      const given = `data/${name}.csv`;
      const source: DataSource = { name, file: given, given, options, build };
      data.push(source);
      steps.push({ section: 'data', name, data: source, build, needs: [] });
      continue;
    }
    if (d.file === undefined) throw new PlanError('PLAN_MISSING_KEY', `${p}.file`, 'a data source needs file (a CSV, relative to the plan) or panel (built from police.uk files: { source: police-uk, paths: [...], options: {...} })');
    const given = string(d.file, `${p}.file`);
    data.push({ name, file: resolve(dir, given), given, options, build: null });
  }

  for (const [name, v] of Object.entries(obj(top.analyses, 'analyses'))) {
    const p = `analyses.${name}`;
    claim('analyses', name);
    const a = obj(v, p);
    keysIn(a, p, ['command', 'data', 'options']);
    const cmdName = string(a.command, `${p}.command`);
    const command = PLAN_COMMANDS.find((c) => c.name === cmdName && c.panel);
    if (!command) throw badName('PLAN_UNKNOWN_COMMAND', `${p}.command`, cmdName, PLAN_COMMANDS.filter((c) => c.panel).map((c) => c.name), 'estimating command');
    const dataName = string(a.data, `${p}.data`);
    const source = data.find((d) => d.name === dataName);
    if (!source) throw missingRef(`${p}.data`, dataName, data.map((d) => d.name), 'data source');
    const own = obj(a.options, `${p}.options`);
    const merged = { ...source.options, ...own };
    if (seed !== null && merged.seed === undefined) merged.seed = seed;
    const tables = command.tables(merged);
    const pv = planValues(tables, merged, `${p}.options`, (k) => command.notFor(k, merged));
    planWarnings.push(...pv.warnings);
    steps.push({ section: 'analyses', name, command, data: source, tables, values: pv.values, given: pv.given, needs: source.build ? [source.name] : [] });
  }

  const docSteps = (): string[] => steps.filter((s) => s.section !== 'data' && s.section !== 'charts' && s.section !== 'report').map((s) => s.name);

  for (const [name, v] of Object.entries(obj(top.cba, 'cba'))) {
    const p = `cba.${name}`;
    claim('cba', name);
    const c = obj(v, p);
    keysIn(c, p, ['from', 'options']);
    const from = strings(c.from, `${p}.from`);
    if (from.length === 0) throw new PlanError('PLAN_BAD_VALUE', `${p}.from`, 'name at least one analysis whose effect to monetise');
    const own = { ...obj(c.options, `${p}.options`) };
    for (const k of ['from', 'spec', 'offencesAvoided', 'effectPer100k', 'ci']) {
      if (k in own) throw new PlanError('PLAN_BAD_KEY', `${p}.options.${k}`, `in a plan, cba takes its effects from named analyses: list them in ${p}.from`);
    }
    if (seed !== null && own.seed === undefined) own.seed = seed;
    const cmd = PLAN_COMMANDS.find((x) => x.name === 'cba')!;
    const tables = cmd.tables(own);
    const pv = planValues(tables, own, `${p}.options`);
    planWarnings.push(...pv.warnings);
    steps.push({ section: 'cba', name, from, tables, values: pv.values, given: pv.given, needs: from.map((f, i) => ref(steps, `${p}.from[${i}]`, f, ['analyses'])) });
  }

  for (const [name, v] of Object.entries(obj(top.robustness, 'robustness'))) {
    const p = `robustness.${name}`;
    claim('robustness', name);
    const r = obj(v, p);
    const analysis = string(r.analysis, `${p}.analysis`);
    ref(steps, `${p}.analysis`, analysis, ['analyses']);
    const target = steps.find((s) => s.name === analysis) as AnalysisStep;
    const spec = parseRobustnessSpec(r, p, target);
    steps.push({ section: 'robustness', name, analysis, spec, needs: [analysis] });
  }

  // compare may name any step with a document, in any order (so cycles are possible and checked below)
  const compareRaw = Object.entries(obj(top.compare, 'compare'));
  for (const [name] of compareRaw) claim('compare', name);
  for (const [name, v] of compareRaw) {
    const p = `compare.${name}`;
    const c = obj(v, p);
    keysIn(c, p, ['analyses', 'title']);
    const list = strings(c.analyses, `${p}.analyses`);
    if (list.length < 2) throw new PlanError('PLAN_BAD_VALUE', `${p}.analyses`, 'name at least two analyses to compare');
    const all = [...docSteps(), ...compareRaw.map(([n]) => n)];
    list.forEach((a, i) => {
      if (!all.includes(a)) throw missingRef(`${p}.analyses[${i}]`, a, all, 'step');
    });
    const title = c.title === undefined ? null : string(c.title, `${p}.title`);
    steps.push({ section: 'compare', name, analyses: list, title, needs: [...list] });
  }

  const chartTables = [PLOT_OPTIONS, CHART_OPTIONS];
  for (const [name, v] of Object.entries(obj(top.charts, 'charts'))) {
    const p = `charts.${name}`;
    claim('charts', name);
    const c = obj(v, p);
    keysIn(c, p, ['of', 'kind', 'format', 'options']);
    const of = string(c.of, `${p}.of`);
    ref(steps, `${p}.of`, of, ['analyses', 'cba', 'robustness', 'compare']);
    const format = c.format === undefined ? 'svg' : string(c.format, `${p}.format`);
    if (format !== 'svg' && format !== 'png') throw new PlanError('PLAN_BAD_VALUE', `${p}.format`, "must be 'svg' or 'png'");
    const options = { ...obj(c.options, `${p}.options`) };
    if ('kind' in options) throw new PlanError('PLAN_BAD_KEY', `${p}.options.kind`, `give the chart kind as ${p}.kind`);
    if (c.kind !== undefined) {
      const kind = string(c.kind, `${p}.kind`);
      if (!(PLOT_KINDS as readonly string[]).includes(kind)) throw badName('PLAN_BAD_VALUE', `${p}.kind`, kind, PLOT_KINDS, 'chart kind');
      options.kind = kind;
    }
    const pv = planValues(chartTables, options, `${p}.options`);
    steps.push({ section: 'charts', name, of, format, values: pv.values, needs: [of] });
  }

  if (top.report !== undefined) {
    const p = 'report';
    const r = obj(top.report, p);
    keysIn(r, p, ['title', 'include', 'options']);
    const all = docSteps();
    const include = r.include === undefined ? all : strings(r.include, `${p}.include`);
    include.forEach((a, i) => {
      if (!all.includes(a)) throw missingRef(`${p}.include[${i}]`, a, all, 'step');
    });
    const pv = planValues([CHART_OPTIONS], obj(r.options, `${p}.options`), `${p}.options`);
    steps.push({ section: 'report', name: 'report', title: r.title === undefined ? null : string(r.title, `${p}.title`), include, values: pv.values, needs: [...include] });
  }

  if (!steps.some((s) => s.section === 'analyses')) throw new PlanError('PLAN_MISSING_KEY', 'analyses', 'a plan needs at least one analysis');
  checkCycles(steps);
  return { file, dir, sha256, seed, tolerances, data, steps, warnings: planWarnings };
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
  const analysis = PLAN_COMMANDS.filter((c) => c.panel).map((c) => ({
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
