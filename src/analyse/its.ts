/**
 * Preparation of interrupted time series (`vru-eval its`, analyse({ method: 'its' })): the offset
 * column, the analysed series, a file without a treatment column (treated from the first
 * interruption), the comparison units; then estimateIts and the cells used.
 */
import { PANEL_OPTIONS } from '../core/commonOptions.js';
import { InputError, UsageError } from '../core/errors.js';
import { cellCounts, withCells } from '../core/degenerate.js';
import { list, type Values } from '../core/optionTable.js';
import { panelColumnRequests, panelFromColumns, type Panel, type PanelOptions } from '../core/panel.js';
import { inputInfo } from '../core/result.js';
import { readColumns } from '../io/read.js';
import { estimateIts } from '../estimators/its/estimate.js';
import { ITS_OPTIONS } from '../estimators/its/options.js';
import { parseErrors, parseSeasonality, type ItsOptions } from '../estimators/its/spec.js';
import { seedLevel, type Analysed, type CommonAnalyseOptions } from './source.js';
import { panelOptionsOf, resolvePanel, runStep, withDefaults, withDeprecations, type AnalyseHooks, type PanelSource } from './source.js';

export type ItsAnalyseOptions = CommonAnalyseOptions & Partial<Values<typeof ITS_OPTIONS>>;

/** Units analysed when the file has no treatment column: --series, --units, or its only unit. */
function analysedUnits(v: Values<typeof ITS_OPTIONS>, distinct: readonly string[], file: string, treatedCol: string): string[] {
  if (v.series !== undefined) return [v.series];
  if (v.units !== undefined) return v.units;
  if (distinct.length !== 1) throw new InputError('NO_SERIES', `${file} has no treatment column '${treatedCol}' and ${distinct.length} units; name the analysed unit with --series <unit> (or --units a,b)`, { file });
  return [...distinct];
}

/** The panel of a file, marking the analysed units treated from the first interruption when it has no treatment column. */
function itsPanelFromFile(file: string, panelOpts: PanelOptions, v: Values<typeof ITS_OPTIONS>, interruptions: readonly string[], hooks?: AnalyseHooks): Panel {
  const table = runStep(hooks, `reading ${file}`, () => readColumns(file, panelColumnRequests(panelOpts)));
  // A file without a treatment column is fine when the interruptions are given:
  // the analysed units are then marked treated from the first interruption.
  const treatedCol = panelOpts.treated ?? 'treated';
  if (panelOpts.treatedUnits === undefined && !table.header.includes(treatedCol) && panelOpts.treated === undefined && interruptions.length > 0) {
    panelOpts.treatedUnits = analysedUnits(v, table.keys.get(panelOpts.unit ?? 'unit')?.values ?? [], file, treatedCol);
    const numeric = interruptions.every((p) => /^-?\d+$/.test(p.trim()));
    panelOpts.start = [...interruptions].sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0))[0]!;
  }
  if (panelOpts.treatedUnits === undefined && panelOpts.treated === undefined && !table.header.includes(treatedCol) && interruptions.length === 0) {
    throw new InputError('NO_INTERRUPTION', `${file} has no treatment column '${treatedCol}': give the interruption period(s) with --interruption <period> (and --series <unit> when the file holds several units), or name the 0/1 treatment column with --treated <col>`, { file });
  }
  return panelFromColumns(table, panelOpts);
}

/** --control: true (every never-treated unit), a comma list of units, or absent. */
function controlUnits(control: string | boolean | undefined): string[] | undefined {
  if (control === true) return [];
  if (typeof control !== 'string') return undefined;
  if (/\.(csv|tsv|txt|gz)$/i.test(control) || control.includes('/') || control === '-') {
    // `its --control data.csv ...`: the optional value took the file name
    throw new UsageError('CONTROL_TOOK_FILE', `--control took '${control}' as its list of comparison units; to use every never-treated unit put --control after the <csv> argument with no value (its <csv> --outcome y --control), or give unit names (--control A01,A02)`, { flag: '--control', value: control });
  }
  const units = list(control);
  if (units.length === 0) throw new UsageError('BAD_CONTROL', '--control needs unit names separated by commas, or no value for every never-treated unit', {});
  return units;
}

export function analyseIts(source: PanelSource, o: ItsAnalyseOptions, hooks?: AnalyseHooks): Analysed {
  const { seed, level } = seedLevel(o);
  const v = withDefaults(ITS_OPTIONS, o);
  const pv = withDefaults(PANEL_OPTIONS, o);
  // Validate the compact specs before reading the data (usage errors first).
  const seasonality = parseSeasonality(v.seasonality);
  const errors = parseErrors(v.errors);
  if (pv.start !== undefined && pv.treatedUnits === undefined) {
    throw new UsageError('START_NEEDS_TREATED_UNITS', "in 'its', --start only goes with --treated-units (the treatment start); give interruption periods with --interruption <period> (repeatable)", { flag: '--start' });
  }
  const panelOpts: PanelOptions = panelOptionsOf(o);
  const offset = v.offset;
  if (pv.population !== undefined && (offset === undefined || offset !== pv.population)) {
    throw new UsageError('POPULATION_NOT_USED', "'its' takes the population of a count model as --offset <col> (its log is the offset); --population is not used here", { flag: '--population' });
  }
  if (offset !== undefined) panelOpts.population = offset;
  if (v.series !== undefined && v.units !== undefined) throw new UsageError('CONFLICTING_SERIES', 'give either --series <unit> or --units <a,b,...>, not both', {});
  const interruptions = v.interruption ?? [];
  const panel = typeof source === 'string' ? itsPanelFromFile(source, panelOpts, v, interruptions, hooks) : resolvePanel(source, panelOpts).panel;
  const control = controlUnits(v.control as string | boolean | undefined);
  const options: ItsOptions = {
    series: v.series,
    units: v.units,
    aggregate: v.aggregate,
    interruptions,
    slope: v.slope,
    dummies: v.dummy ?? [],
    seasonality,
    family: v.family,
    offset: offset !== undefined,
    errors,
    armaMethod: v.armaMethod,
    control,
    ...(v.controlModel !== undefined ? { controlModel: v.controlModel } : {}),
    level,
    seed,
    maxIter: v.maxIter,
    tol: v.tol,
  };
  const analysis = runStep(hooks, `its: fitting ${options.family} model${errors.type !== 'ols' ? `, ${String(v.errors)} errors` : ''}`, () => estimateIts(panel, options));
  // input.cells: the analysed and comparison units' cells (ITS needs them complete, so used = observed).
  const names = [...((analysis.options.units as string[] | null) ?? []), ...((analysis.options.control as string[] | null) ?? [])];
  const idx = names.map((u) => panel.units.indexOf(u)).filter((i) => i >= 0);
  return withDeprecations({ command: 'its', input: withCells(inputInfo(panel), cellCounts(panel, [], idx)), analysis }, o, [ITS_OPTIONS]);
}
