/**
 * One definition per option. Every option of every estimating command is declared once, in a
 * typed table next to its estimator (e.g. src/estimators/gsynth/options.ts). From the table derive:
 *   - the commander flags and `--help`            (src/cli/optionFlags.ts: `addOptions`)
 *   - typed values for the command's action        (`readOptions`: no casts in the commands)
 *   - the plan's JSON Schema                       (`optionsSchema`, used by `vru-eval schema --plan`)
 *   - validation of plan values                    (`planValues`: same parsers, same ranges as the CLI)
 *   - the CLI arguments that reproduce plan values (`optionArgs`, used by `vru-eval run`)
 * so a new option is added in one place.
 *
 * ## Declaring options
 *
 *     export const GSYNTH_OPTIONS = defineOptions({
 *       reps: num({ flag: '--reps <n>', aliases: [{ flag: '--boots <n>' }], help: 'bootstrap replications', integer: true, min: 2, default: 1000 }),
 *       force: choice(FORCES, { flag: '--force <effects>', help: 'gsynth: additive fixed effects', default: 'two-way' }),
 *       em:    bool({ flag: '--em', help: 'gsynth: EM variant', default: false }),
 *       excludePeriods: strList({ flag: '--exclude-periods <from:to,...>', help: '…' }),
 *     });
 *
 * The key is commander's attribute name for the flag (`--factors-max` → `factorsMax`); addOptions
 * checks this. The key is also the option's name in a plan (`analyses.x.options.factorsMax`) and,
 * by convention, in the result document's `options`. Builders: `str`, `num`, `choice`, `bool`
 * (`--x`, or `--no-x` for a default-true switch), `strList` (comma list or repeatable), `numList`
 * (repeatable numbers) and `custom` (own CLI parser, plan schema and argument rendering).
 * An option without `default` (and not `required`) reads as `T | undefined`. `plan: false` keeps
 * an option out of plans (`--out`, `--plot`: the plan decides the files). `check: (v) => …` validates
 * a plan value the way the command's action validates the flag (e.g. its `--seasonality` spec), so
 * a bad plan fails before anything runs, naming the key path. An entry can be shared between tables
 * (`out: OUTPUT_OPTIONS.out`).
 *
 * `aliases` lists deprecated names of an option (issue 23: one name for one thing): addOptions
 * registers each as a hidden flag and planValues accepts its key; using one is reported as a
 * DEPRECATED_OPTION warning (document and stderr), and giving both names is a usage error.
 * An entry shared by several tables of one command (scm's `--reps`, `--threads`) is added once.
 *
 * ## Reading typed values in a command
 *
 *     addOptions(cmd, GSYNTH_OPTIONS);                   // in the command factory
 *     const v = readOptions(GSYNTH_OPTIONS, o);           // in the action: v.reps is a number
 *     const given = givenOptions(command);                // keys set on the command line
 *
 * ## Options in the result document
 *
 * Unchanged: each estimator records the options it used in `analysis.options` (so documents stay
 * byte-identical). `vru-eval run` records each step's command line (from `optionArgs`) and seed in
 * the manifest.
 *
 * ## Converting a command written in the plain commander style
 *
 * Replace each `.option(...)`/`.addOption(...)` by one table entry with the same flag, help and
 * default (and the same argParser as `parse`, or `num`'s integer/min/max), call `addOptions`, and
 * replace `o.x as T` by `v.x`. Register the command (or scm method) with its tables in
 * src/plan/commands.ts so plans can use it.
 */
import { UsageError } from './errors.js';

/** The subset of JSON Schema that option values use. */
export type JsonSchema = Record<string, unknown>;

export interface Opt<T> {
  /** Commander flags, e.g. '--reps <n>', '--em', '--no-slope', '--control [a,b,...]'. */
  flag: string;
  help: string;
  default?: T | undefined;
  required?: boolean | undefined;
  /** Allowed values (shown by --help, enforced by commander and plans). */
  choices?: readonly string[] | undefined;
  /** CLI text → value; `previous` accumulates repeatable flags. Throws UsageError. */
  parse?: ((value: string, previous: T) => T) | undefined;
  /** JSON Schema of the value in a plan (without description/default, added from help/default). */
  schema: JsonSchema;
  /** The CLI argument strings (after the flag) that give `value`; [] for a bare switch; one array per flag occurrence. */
  toArgs: (value: T) => string[][];
  /** Extra check of a plan value that the command makes in its action on the CLI (throws UsageError). */
  check?: ((value: T) => void) | undefined;
  /** False: CLI only (never in a plan). */
  plan?: boolean | undefined;
  /** Deprecated names of this option (issue 23, "one name for one thing"): hidden flags on the CLI and old keys in plans, each warned about (DEPRECATED_OPTION). */
  aliases?: readonly OptionAlias[] | undefined;
}

/** An old name of an option: its flag (same argument form as the option's) and, when it differs from the flag's attribute name, its plan key. */
export interface OptionAlias {
  flag: string;
  key?: string | undefined;
}

/** The plan key of an alias. */
export function aliasKey(a: OptionAlias): string {
  return a.key ?? attributeName(a.flag);
}

/** The warning for a deprecated name (document `warnings` and stderr). */
export function deprecationWarning(oldName: string, newName: string): { code: string; message: string } {
  return { code: 'DEPRECATED_OPTION', message: `${oldName} is now ${newName}; the old name works for one release` };
}

export type OptionTable = Readonly<Record<string, Opt<any>>>;
/** Typed values of a table. */
export type Values<T extends OptionTable> = { -readonly [K in keyof T]: T[K] extends Opt<infer X> ? X : never };

/** Identity with a type check: declare a table. */
export function defineOptions<const T extends OptionTable>(table: T): T {
  return table;
}

interface Base<T> {
  flag: string;
  help: string;
  default?: T | undefined;
  required?: boolean | undefined;
  check?: ((value: T) => void) | undefined;
  plan?: boolean | undefined;
  aliases?: readonly OptionAlias[] | undefined;
}
/** T when a default exists or the option is required, else T | undefined. */
type Maybe<T, S> = S extends { default: T } ? T : S extends { required: true } ? T : T | undefined;

// ---------------------------------------------------------------- CLI value parsers

/** Split a comma-separated list flag, trimming blanks. */
export function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

/** Repeatable string flag. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface NumberRange {
  integer?: boolean | undefined;
  min?: number | undefined;
  max?: number | undefined;
  exclusiveMin?: boolean | undefined;
}

/** Parse a number flag, or throw a usage error naming the flag. */
export function numberArg(flag: string, opts: NumberRange = {}) {
  return (value: string): number => {
    const v = Number(value);
    const ok =
      value.trim() !== '' &&
      Number.isFinite(v) &&
      (!opts.integer || Number.isInteger(v)) &&
      (opts.min === undefined || (opts.exclusiveMin ? v > opts.min : v >= opts.min)) &&
      (opts.max === undefined || v <= opts.max);
    if (!ok) {
      const range = [opts.min !== undefined ? `${opts.exclusiveMin ? '>' : '≥'} ${opts.min}` : '', opts.max !== undefined ? `≤ ${opts.max}` : ''].filter(Boolean).join(' and ');
      throw new UsageError('BAD_NUMBER', `${flag} '${value}' must be ${opts.integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`, { flag, value });
    }
    return v;
  };
}

/** The long flag of a flags string: '--factors-max <n>' → '--factors-max'. */
export function longFlag(flags: string): string {
  return flags.split(/[ ,|]+/).find((f) => f.startsWith('--'))!;
}

/** Commander's attribute name of a flag: '--factors-max <n>' → 'factorsMax', '--no-slope' → 'slope'. */
export function attributeName(flags: string): string {
  return longFlag(flags)
    .replace(/^--(no-)?/, '')
    .split('-')
    .reduce((s, w, i) => (i === 0 ? w : s + w[0]!.toUpperCase() + w.slice(1)), '');
}

function numberSchema(r: NumberRange): JsonSchema {
  const s: JsonSchema = { type: r.integer ? 'integer' : 'number' };
  if (r.min !== undefined) s[r.exclusiveMin ? 'exclusiveMinimum' : 'minimum'] = r.min;
  if (r.max !== undefined) s.maximum = r.max;
  return s;
}

// ---------------------------------------------------------------- builders

/** A string value: `--x <v>`. */
export function str<S extends Base<string>>(s: S & { parse?: (value: string, previous: string) => string }): Opt<Maybe<string, S>> {
  return { ...s, schema: { type: 'string' }, toArgs: (v: unknown) => [[v as string]] } as unknown as Opt<Maybe<string, S>>;
}

/** A number: `--x <n>`, with the range checked on the CLI and in plans. */
export function num<S extends Base<number> & NumberRange>(s: S): Opt<Maybe<number, S>> {
  const { integer, min, max, exclusiveMin, ...rest } = s;
  const range = { integer, min, max, exclusiveMin };
  return { ...rest, parse: numberArg(longFlag(s.flag), range), schema: numberSchema(range), toArgs: (v: unknown) => [[String(v)]] } as unknown as Opt<Maybe<number, S>>;
}

/** One of `choices`. */
export function choice<const C extends readonly string[], S extends Base<C[number]>>(choices: C, s: S): Opt<Maybe<C[number], S>> {
  return { ...s, choices, schema: { enum: [...choices] }, toArgs: (v: unknown) => [[v as string]] } as unknown as Opt<Maybe<C[number], S>>;
}

/** A switch: `--x` (true when given), or `--no-x` (default true, false when given). */
export function bool<S extends Base<boolean>>(s: S): Opt<Maybe<boolean, S>> {
  const negated = /^--no-/.test(longFlag(s.flag));
  const toArgs = (v: unknown): string[][] => ((negated ? v === false : v === true) ? [[]] : []);
  return { ...s, schema: { type: 'boolean' }, toArgs } as unknown as Opt<Maybe<boolean, S>>;
}

/** A list of strings: a comma list that may be repeated (`split: 'comma'`, the default), or one item per flag (`'repeat'`). */
export function strList<S extends Base<string[]>>(s: S & { split?: 'comma' | 'repeat'; parse?: (value: string, previous: string[]) => string[] }): Opt<Maybe<string[], S>> {
  const parse = s.parse ?? (s.split === 'repeat' ? repeatable : list);
  // A comma list is given as one flag unless an item holds a comma; a repeatable flag once per item.
  const toArgs = (v: unknown): string[][] => {
    const items = v as string[];
    return s.split !== 'repeat' && items.length > 0 && !items.some((x) => x.includes(',')) ? [[items.join(',')]] : items.map((x) => [x]);
  };
  return { ...s, parse, schema: { type: 'array', items: { type: 'string' } }, toArgs } as unknown as Opt<Maybe<string[], S>>;
}

/** Repeatable numbers (one per flag), each parsed by `one` (default: any finite number in the range). */
export function numList<S extends Base<number[]> & NumberRange>(s: S & { one?: (value: string) => number }): Opt<Maybe<number[], S>> {
  const { integer, min, max, exclusiveMin, one, ...rest } = s;
  const range = { integer, min, max, exclusiveMin };
  const parseOne = one ?? numberArg(longFlag(s.flag), range);
  return {
    ...rest,
    parse: (value: string, previous: number[] = []) => [...previous, parseOne(value)],
    schema: { type: 'array', items: numberSchema(range) },
    toArgs: (v: unknown) => (v as number[]).map((x) => [String(x)]),
  } as unknown as Opt<Maybe<number[], S>>;
}

/** Anything else: own CLI parser, plan schema and argument rendering. */
export function custom<T, S extends Base<T> = Base<T>>(s: S & { parse?: (value: string, previous: T) => T; schema: JsonSchema; toArgs: (value: T) => string[][] }): Opt<Maybe<T, S>> {
  return s as unknown as Opt<Maybe<T, S>>;
}

// ---------------------------------------------------------------- reading values

/** Typed values of `table` from commander's parsed options (the only cast of the option bag). */
export function readOptions<T extends OptionTable>(table: T, o: Readonly<Record<string, unknown>>): Values<T> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) out[key] = o[key];
  return out as Values<T>;
}

// ---------------------------------------------------------------- plans: schema, validation, arguments

/** JSON Schema (object) of a set of tables, for plans. */
export function optionsSchema(tables: readonly OptionTable[], extra: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...extra };
  const required: string[] = [];
  for (const t of tables) {
    for (const [key, o] of Object.entries(t)) {
      if (o.plan === false) continue;
      properties[key] = { ...o.schema, description: o.help, ...(o.default !== undefined ? { default: o.default } : {}) };
      if (o.required) required.push(key);
    }
  }
  // deprecated names (issue 23): still read (with a DEPRECATED_OPTION warning), listed so editors accept and flag them
  for (const t of tables) {
    for (const [key, o] of Object.entries(t)) {
      if (o.plan === false) continue;
      for (const a of o.aliases ?? []) {
        const old = aliasKey(a);
        if (old in properties) continue;
        properties[old] = { ...o.schema, deprecated: true, description: `deprecated: use ${key} (the old name works for one release). ${o.help}` };
      }
    }
  }
  return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}

/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    prev = cur;
  }
  return prev[n]!;
}

/** The nearest of `candidates` to `key` (or null when nothing is close). */
export function nearest(key: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(key, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== null && bestD <= Math.max(2, Math.ceil(key.length / 3)) ? best : null;
}

/** A plan error (exit 2) naming the key path, with the nearest valid key when there is one. */
export class PlanError extends UsageError {
  constructor(code: string, path: string, message: string, details: Record<string, unknown> = {}) {
    super(code, `plan: ${path}: ${message}`, { path, ...details });
  }
}

export function unknownKey(path: string, key: string, valid: readonly string[], what = 'key'): PlanError {
  const near = nearest(key, valid);
  return new PlanError('PLAN_UNKNOWN_KEY', `${path}.${key}`.replace(/^\./, ''), `unknown ${what} '${key}'${near ? `; did you mean '${near}'?` : ''} (valid: ${valid.join(', ')})`, { key, suggestion: near, valid });
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Check a plan value against an option schema (types only; ranges are the CLI parser's job). Returns an error text or null. */
function checkType(schema: JsonSchema, v: unknown): string | null {
  if (Array.isArray(schema.anyOf)) {
    const errs = (schema.anyOf as JsonSchema[]).map((s) => checkType(s, v));
    return errs.some((e) => e === null) ? null : errs.join(', or ');
  }
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).includes(v) ? null : `must be one of ${(schema.enum as unknown[]).map((x) => JSON.stringify(x)).join(', ')} (got ${JSON.stringify(v)})`;
  if (schema.const !== undefined) return v === schema.const ? null : `must be ${JSON.stringify(schema.const)}`;
  switch (schema.type) {
    case 'string':
      return typeof v === 'string' ? null : `must be a string (got ${typeName(v)})`;
    case 'boolean':
      return typeof v === 'boolean' ? null : `must be true or false (got ${typeName(v)})`;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : `must be a number (got ${typeName(v)})`;
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? null : `must be an integer (got ${typeof v === 'number' ? v : typeName(v)})`;
    case 'array': {
      if (!Array.isArray(v)) return `must be a list (got ${typeName(v)})`;
      for (let i = 0; i < v.length; i++) {
        const e = checkType((schema.items ?? {}) as JsonSchema, v[i]);
        if (e) return `item ${i + 1} ${e}`;
      }
      return null;
    }
    default:
      return null;
  }
}

export interface PlanValues {
  /** Every option of the tables: the plan's value, else the default (undefined when none). */
  values: Record<string, unknown>;
  /** Keys the plan gives (as `command.getOptionValueSource(k) === 'cli'` on the command line). */
  given: Set<string>;
  /** DEPRECATED_OPTION warnings for old keys the plan used (they are read as the new key). */
  warnings: { code: string; message: string }[];
}

/**
 * Validate the options of one plan step against `tables`: unknown keys (with the nearest valid one),
 * types, and then each value through the option's own CLI parser (same ranges, same checks).
 * @param path key path of the options mapping, e.g. 'analyses.vwoi.options'
 * @throws PlanError
 */
export function planValues(tables: readonly OptionTable[], given: Readonly<Record<string, unknown>>, path: string, notFor?: (key: string) => string | null): PlanValues {
  const all = new Map<string, Opt<unknown>>();
  const renamed = new Map<string, string>();
  for (const t of tables) for (const [k, o] of Object.entries(t)) if (o.plan !== false) all.set(k, o);
  for (const [k, o] of all) for (const a of o.aliases ?? []) if (!all.has(aliasKey(a))) renamed.set(aliasKey(a), k);
  const values: Record<string, unknown> = {};
  for (const [k, o] of all) values[k] = o.default;
  const keys = new Set<string>();
  const warnings: { code: string; message: string }[] = [];
  for (const [oldKey, v] of Object.entries(given)) {
    const newKey = renamed.get(oldKey);
    if (newKey !== undefined) {
      if (Object.prototype.hasOwnProperty.call(given, newKey) || keys.has(newKey)) throw new PlanError('PLAN_CONFLICTING_KEYS', `${path}.${oldKey}`, `'${oldKey}' is the old name of '${newKey}'; give only '${newKey}'`, { key: oldKey, newKey });
      warnings.push(deprecationWarning(`${path}.${oldKey}`, `${path}.${newKey}`));
    }
    const key = newKey ?? oldKey;
    const o = all.get(key);
    if (!o) {
      const why = notFor?.(key);
      if (why) throw new PlanError('PLAN_OPTION_NOT_FOR_METHOD', `${path}.${key}`, why, { key });
      throw unknownKey(path, key, [...all.keys()], 'option');
    }
    if (o.choices && !o.choices.includes(v as string)) throw new PlanError('PLAN_BAD_VALUE', `${path}.${key}`, `must be one of ${o.choices.join(', ')} (got ${JSON.stringify(v)})`, { key });
    const typeErr = checkType(o.schema, v);
    if (typeErr) throw new PlanError('PLAN_BAD_TYPE', `${path}.${key}`, typeErr, { key });
    let parsed: unknown = v;
    {
      try {
        let acc: unknown = undefined;
        if (o.parse) for (const args of o.toArgs(v)) if (args.length > 0) acc = (o.parse as (s: string, p: unknown) => unknown)(args[0]!, acc);
        if (acc !== undefined) parsed = acc;
        (o.check as ((x: unknown) => void) | undefined)?.(parsed);
      } catch (e) {
        if (e instanceof UsageError) throw new PlanError('PLAN_BAD_VALUE', `${path}.${key}`, e.message, { key });
        throw e;
      }
    }
    values[key] = parsed;
    keys.add(key);
  }
  for (const [k, o] of all) if (o.required && values[k] === undefined) throw new PlanError('PLAN_MISSING_KEY', `${path}.${k}`, `is required (${o.help})`, { key: k });
  return { values, given: keys, warnings };
}

/** The CLI arguments that reproduce the `given` plan values (flags in table order). */
export function optionArgs(tables: readonly OptionTable[], values: Readonly<Record<string, unknown>>, given: ReadonlySet<string>): string[] {
  const args: string[] = [];
  for (const t of tables) {
    for (const [k, o] of Object.entries(t)) {
      if (!given.has(k) || values[k] === undefined) continue;
      for (const a of o.toArgs(values[k])) args.push(longFlag(o.flag), ...a);
    }
  }
  return args;
}
