/**
 * What analyse() starts from: a panel file (CSV, Parquet or Arrow; read with exactly the columns the
 * analysis needs) or a Panel already built (readPanel, panelFromColumns, buildPoliceUkPanel …), and
 * the typed option values with each table's defaults filled in (as commander fills them on the CLI).
 */
import { PANEL_OPTIONS } from '../core/commonOptions.js';
import { InputError, UsageError } from '../core/errors.js';
import { aliasKey, deprecationWarning, type OptionTable, type Values } from '../core/optionTable.js';
import type { SCM_OPTIONS } from '../estimators/scmOptions.js';
import { readPanelWith, type Panel, type PanelOptions } from '../core/panel.js';
import type { ColumnRequest, ColumnTable } from '../io/columns.js';
import { DEFAULT_SEED } from '../core/rng.js';
import type { Analysis, InputInfo, Warning } from '../core/result.js';

/** A panel file path ('-' for stdin) or a built Panel. */
export type PanelSource = string | Panel;

/** Hooks for a front end (the CLI draws progress lines on a terminal); the library never writes to stdout/stderr. */
export interface AnalyseHooks {
  /** Run a named stage (e.g. "reading data.csv"); must return fn's result. */
  step?: <T>(label: string, fn: () => T) => T;
  /** A {done, total} progress callback for resampling, or undefined. */
  progress?: (label: string) => ((p: { phase?: string; done: number; total: number }) => void) | undefined;
}

export const runStep = <T>(hooks: AnalyseHooks | undefined, label: string, fn: () => T): T => (hooks?.step ? hooks.step(label, fn) : fn());

/** The typed values of `table` from `o`, each missing key at its default (what commander does for flags). */
export function withDefaults<T extends OptionTable>(table: T, options: object): Values<T> {
  const o = options as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [key, opt] of Object.entries(table)) {
    // issue 23: an option's old name (e.g. gsynth's `boots` for `reps`) is still read, for one release
    const old = (opt.aliases ?? []).map(aliasKey).filter((k) => o[k] !== undefined && !Object.prototype.hasOwnProperty.call(table, k));
    if (old.length > 0 && o[key] !== undefined) throw new UsageError('CONFLICTING_OPTIONS', `'${old[0]}' is the old name of '${key}'; give only '${key}'`, { key: old[0], newKey: key });
    const given = o[key] !== undefined ? o[key] : old.length > 0 ? o[old[0]!] : undefined;
    out[key] = given !== undefined ? given : opt.default;
  }
  return out as Values<T>;
}

/**
 * One DEPRECATED_OPTION warning per old key of `tables` that `options` uses (e.g. gsynth's `boots`
 * for `reps`): withDefaults reads such a key as the new one, and a library caller is told so in the
 * document, as a CLI user of the old flag is (the CLI resolves its old flags before calling the
 * analyse layer, so it never passes an old key here and nothing is warned twice).
 */
export function deprecatedKeyWarnings(options: object, tables: readonly OptionTable[]): Warning[] {
  const o = options as Readonly<Record<string, unknown>>;
  const out: Warning[] = [];
  const seen = new Set<string>();
  for (const table of tables) {
    for (const [key, opt] of Object.entries(table)) {
      for (const a of opt.aliases ?? []) {
        const old = aliasKey(a);
        if (o[old] === undefined || Object.prototype.hasOwnProperty.call(table, old) || seen.has(old)) continue;
        seen.add(old);
        out.push(deprecationWarning(`options.${old}`, `options.${key}`));
      }
    }
  }
  return out;
}

/** `r` with the DEPRECATED_OPTION warnings of `options` appended to its warnings (where the CLI appends its own). */
export function withDeprecations(r: Analysed, options: object, tables: readonly OptionTable[]): Analysed {
  const w = deprecatedKeyWarnings(options, tables);
  if (w.length > 0) r.analysis.warnings.push(...w);
  return r;
}

/** The panel-mapping options (--outcome, --unit, …) of `o`, as readPanel takes them. */
export function panelOptionsOf(o: object): PanelOptions {
  const v = withDefaults(PANEL_OPTIONS, o);
  const p: PanelOptions = { outcome: v.outcome };
  if (v.unit !== undefined) p.unit = v.unit;
  if (v.time !== undefined) p.time = v.time;
  if (v.treated !== undefined) p.treated = v.treated;
  if (v.treatedUnits !== undefined) p.treatedUnits = v.treatedUnits;
  if (v.start !== undefined) p.start = v.start;
  if (v.covariates !== undefined) p.covariates = v.covariates;
  if (v.population !== undefined) p.population = v.population;
  return p;
}

/** Keys of the panel mapping that only make sense when reading a file. */
const MAPPING_KEYS = ['unit', 'time', 'treated', 'treatedUnits', 'start', 'population'] as const;

/**
 * The panel of `source` with `popts` applied. From a file: read with the panel's columns plus `extra`
 * (the table is returned for the extra columns). From a built Panel: the mapping is already done, so
 * only `outcome` (must be the panel's) and `covariates` (a subset of the panel's, in that order) may be given.
 * @throws UsageError PANEL_ALREADY_BUILT | NEEDS_FILE; InputError UNKNOWN_COLUMN
 */
export function resolvePanel(source: PanelSource, popts: PanelOptions, extra: readonly ColumnRequest[] = [], what = 'this analysis'): { panel: Panel; table: ColumnTable | null } {
  if (typeof source === 'string') {
    if (popts.outcome === undefined) throw new UsageError('MISSING_OUTCOME', 'give the outcome column (--outcome / options.outcome)', { flag: '--outcome' });
    return readPanelWith(source, popts, extra);
  }
  if (extra.length > 0) throw new UsageError('NEEDS_FILE', `${what} reads extra columns (${extra.map((c) => c.name).join(', ')}) from the panel file: give the file name instead of a built Panel`, { columns: extra.map((c) => c.name) });
  // the mapping may be given (the CLI passes its defaults) but must agree with the built panel
  const built: Record<(typeof MAPPING_KEYS)[number], unknown> = { unit: source.columns.unit, time: source.columns.time, treated: source.columns.treated ?? undefined, treatedUnits: undefined, start: undefined, population: source.populationColumn ?? undefined };
  for (const k of MAPPING_KEYS) {
    if (popts[k] !== undefined && popts[k] !== built[k]) throw new UsageError('PANEL_ALREADY_BUILT', `option '${k}' maps the columns of a panel file; the Panel given is already built with ${built[k] === undefined ? `no '${k}'` : `${k} '${String(built[k])}'`} (drop '${k}', or give the file name)`, { key: k });
  }
  if (popts.outcome !== undefined && popts.outcome !== source.outcome) throw new UsageError('PANEL_ALREADY_BUILT', `outcome '${popts.outcome}' is not the built Panel's outcome '${source.outcome}'`, { key: 'outcome' });
  if (popts.covariates === undefined) return { panel: source, table: null };
  for (const c of popts.covariates) {
    if (!source.covariates[c]) throw new InputError('UNKNOWN_COLUMN', `${source.file}: the built Panel has no covariate '${c}' (it has ${source.covariateNames.join(', ') || 'none'})`, { column: c });
  }
  return { panel: { ...source, covariateNames: [...popts.covariates] }, table: null };
}

/** What every analysis returns: the document's command, its input block and the analysis. */
export interface Analysed {
  command: 'scm' | 'its' | 'did';
  input: InputInfo;
  analysis: Analysis;
}

/** Options every panel analysis takes: the panel mapping (file sources), seed and level. */
export interface CommonAnalyseOptions {
  outcome?: string;
  unit?: string;
  time?: string;
  treated?: string;
  treatedUnits?: string[];
  start?: string;
  covariates?: string[];
  population?: string;
  seed?: number;
  level?: number;
}
/** Seed and level with the CLI's defaults and check (--level below 1). */
export function seedLevel(o: { seed?: number | undefined; level?: number | undefined }): { seed: number; level: number } {
  const seed = o.seed ?? DEFAULT_SEED;
  const level = o.level ?? 0.95;
  if (level >= 1) throw new UsageError('BAD_NUMBER', `--level ${level} must be below 1, e.g. 0.95`, { flag: '--level' });
  return { seed, level };
}

/** The options `scm` shares across its methods (--inference, --donors, --exclude-units, --outcome-scale). */
export type ScmSharedOptions = Partial<Values<typeof SCM_OPTIONS>>;
