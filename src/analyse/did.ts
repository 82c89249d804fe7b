/**
 * Preparation of difference-in-differences (`vru-eval did`, analyse({ method: 'twfe' | 'cs' })):
 * design checks, the weight and cluster columns read with the panel, then the estimator, its
 * warnings and the cells used.
 */
import { InputError, UsageError } from '../core/errors.js';
import { cellCounts, didDesignChecks, missingCellIndices, missingCellsWarning, requirePanelOutcomeVariation, withCells } from '../core/degenerate.js';
import type { Values } from '../core/optionTable.js';
import { cellOfRow, type Panel } from '../core/panel.js';
import { inputInfo, type Warning } from '../core/result.js';
import { Rng } from '../core/rng.js';
import type { ColumnRequest, ColumnTable } from '../io/columns.js';
import { NumStatus } from '../io/number.js';
import { CS_OPTIONS, parseWindow, TWFE_OPTIONS } from '../estimators/did/options.js';
import { TWFE_DEFAULTS, checkTwfeOptions, estimateCs, estimateTwfe } from '../estimators/did/index.js';
import { seedLevel, type Analysed, type CommonAnalyseOptions } from './source.js';
import { SENS_OPTIONS, attachSensitivity, checkSensOptions } from '../estimators/did/sensitivity.js';
import { panelOptionsOf, resolvePanel, runStep, withDefaults, withDeprecations, type AnalyseHooks, type PanelSource } from './source.js';

/** Sensitivity and pre-trend options (src/estimators/did/sensitivity.ts); `given`: keys the caller set explicitly. */
type SensAnalyseOptions = Partial<Values<typeof SENS_OPTIONS>> & { given?: ReadonlySet<string> };
export type TwfeAnalyseOptions = Omit<CommonAnalyseOptions, 'population'> & Partial<Values<typeof TWFE_OPTIONS>> & SensAnalyseOptions;
export type CsAnalyseOptions = Omit<CommonAnalyseOptions, 'population'> & Partial<Values<typeof CS_OPTIONS>> & SensAnalyseOptions & {
  /** Keys the caller set explicitly (the CLI's given flags): --bootstrap-weights with --reps 0 is an error only when given. */
  given?: ReadonlySet<string>;
};

/** The extra column `column` of the table, or a MISSING_COLUMN error naming the flag. */
function requireColumn(table: ColumnTable, panel: Panel, column: string, flag: string): void {
  if (!table.header.includes(column)) throw new InputError('MISSING_COLUMN', `${panel.file} has no column '${column}' (columns are: ${table.header.join(', ')}); name the right column with ${flag} <column>`, { column, flag });
}

/** 'did' has no use for --population: reject rather than ignore. */
function rejectPopulation(options: object): void {
  const o = options as { population?: unknown };
  if (o.population !== undefined) {
    throw new UsageError('POPULATION_NOT_USED', `'did' does not use --population (its effects stay in the outcome's units); to weight the regression by population use --weights ${String(o.population)} (--method twfe), or drop --population`, { flag: '--population' });
  }
}

/** Keys set explicitly: the CLI's given flags, else every key a library caller set. */
function givenKeys(o: SensAnalyseOptions): ReadonlySet<string> {
  return o.given ?? new Set(Object.entries(o).filter(([, v]) => v !== undefined).map(([k]) => k));
}

/** The panel, its design warnings and the outcome-variation check shared by twfe and cs. */
function didPanel(source: PanelSource, o: object, extra: ColumnRequest[], method: 'twfe' | 'cs', hooks?: AnalyseHooks): { panel: Panel; table: ColumnTable | null; designWarnings: Warning[] } {
  const file = typeof source === 'string' ? source : source.file;
  const { panel, table } = runStep(hooks, `reading ${file}`, () => resolvePanel(source, panelOptionsOf(o), extra, method === 'twfe' ? '--weights/--cluster' : 'this analysis'));
  // Degenerate designs and data, named before estimating (src/core/degenerate.ts).
  const designWarnings = didDesignChecks(panel, method);
  requirePanelOutcomeVariation(panel, `did --method ${method}`);
  return { panel, table, designWarnings };
}

/** Callaway & Sant'Anna (2021) group-time effects, aggregations and the multiplier-bootstrap band. */
export function analyseCs(source: PanelSource, o: CsAnalyseOptions, hooks?: AnalyseHooks): Analysed {
  const { seed, level } = seedLevel(o);
  rejectPopulation(o);
  const cs = withDefaults(CS_OPTIONS, o);
  const sens = withDefaults(SENS_OPTIONS, o);
  checkSensOptions(sens, givenKeys(o), 'cs', { eventWindow: false, basePeriod: cs.basePeriod, weights: false });
  const { panel, designWarnings } = didPanel(source, o, [], 'cs', hooks);
  const rng = new Rng(seed);
  const givenWeights = o.given ? o.given.has('bootstrapWeights') : o.bootstrapWeights !== undefined;
  if (cs.reps === 0 && givenWeights) throw new UsageError('WEIGHTS_NOT_USED', '--bootstrap-weights applies to the uniform-band bootstrap, which --reps 0 turns off', { flag: '--bootstrap-weights' });
  const label = `did cs: group-time effects${cs.reps > 0 ? `, ${cs.reps} multiplier-bootstrap draws` : ''}`;
  const analysis = runStep(hooks, label, () => estimateCs(panel, { estimator: cs.estimator, control: cs.control, basePeriod: cs.basePeriod, boots: cs.reps, multiplier: cs.bootstrapWeights, level, seed }, rng));
  analysis.warnings.push(...designWarnings);
  // --honest / --pretrends / --placebo-holdout (the placebo re-runs CS with these options, no bootstrap)
  const csOpts = { estimator: cs.estimator, control: cs.control, basePeriod: cs.basePeriod, boots: 0, multiplier: cs.bootstrapWeights, level, seed };
  runStep(hooks, 'did: sensitivity and pre-trend tests', () => attachSensitivity(analysis, panel, sens, level, (p) => estimateCs(p, csOpts, new Rng(seed))));
  const covArrays = panel.covariateNames.map((c) => panel.covariates[c]!);
  const miss = missingCellIndices(panel, undefined, covArrays);
  const w = missingCellsWarning(panel, miss, 'were left out: the estimator needs a balanced panel, so every unit with a missing cell is dropped (see UNBALANCED_UNITS_DROPPED)');
  if (w) analysis.warnings.push(w);
  // Units kept: complete and not treated from the first period.
  const T = panel.periods.length;
  const missingUnits = new Set(miss.map((k) => Math.floor(k / T)));
  let keptUnits = 0;
  for (let i = 0; i < panel.units.length; i++) if (!missingUnits.has(i) && !panel.treated[i * T]) keptUnits++;
  return withDeprecations({ command: 'did', input: withCells(inputInfo(panel), cellCounts(panel, miss, undefined, keptUnits * T)), analysis }, o, [CS_OPTIONS, SENS_OPTIONS]);
}

/** Regression weights of each cell from the --weights column (NaN where the row is absent). */
function cellWeights(table: ColumnTable, panel: Panel, column: string, cellOf: Int32Array): Float64Array {
  requireColumn(table, panel, column, '--weights');
  const T = panel.periods.length;
  const col = table.numbers.get(column)!;
  const weights = new Float64Array(panel.units.length * T).fill(Number.NaN);
  for (let r = 0; r < table.nRows; r++) {
    const k = cellOf[r]!;
    const st = col.status[r]!;
    if (st === NumStatus.NotNumeric || st === NumStatus.Overflow) {
      const s = col.firstBad!.text;
      const what = st === NumStatus.Overflow ? 'which is beyond the largest number a double can hold (about ±1.8e308)' : 'which is not a number';
      throw new InputError(st === NumStatus.Overflow ? 'NUMBER_OVERFLOW' : 'NON_NUMERIC', `weight column '${column}' holds '${s}' for unit '${panel.units[Math.floor(k / T)]}', period ${panel.periods[k % T]} (${table.where} ${table.lines[r]}), ${what}`, { column, value: s, line: table.lines[r] });
    }
    weights[k] = col.values[r]!;
  }
  return weights;
}

/** Cluster label of each cell from the --cluster column (null where empty or absent). */
function cellClusters(table: ColumnTable, panel: Panel, column: string, cellOf: Int32Array): (string | null)[] {
  requireColumn(table, panel, column, '--cluster');
  const col = table.keys.get(column)!;
  const cluster = new Array<string | null>(panel.units.length * panel.periods.length).fill(null);
  for (let r = 0; r < table.nRows; r++) {
    const v = col.values[col.codes[r]!]!;
    cluster[cellOf[r]!] = v === '' ? null : v;
  }
  return cluster;
}

/** Two-way fixed effects with event study; iid / HC1 / cluster-robust (CR1) or wild cluster bootstrap. */
export function analyseTwfe(source: PanelSource, o: TwfeAnalyseOptions, hooks?: AnalyseHooks): Analysed {
  const { seed, level } = seedLevel(o);
  rejectPopulation(o);
  const twfe = withDefaults(TWFE_OPTIONS, o);
  const sens = withDefaults(SENS_OPTIONS, o);
  checkSensOptions(sens, givenKeys(o), 'twfe', { eventWindow: twfe.eventWindow !== undefined, weights: twfe.weights !== undefined });
  const clusterCol = twfe.cluster;
  const weightsCol = twfe.weights;
  const extra: ColumnRequest[] = [];
  if (clusterCol !== undefined) extra.push({ name: clusterCol, kind: 'key' });
  if (weightsCol !== undefined) extra.push({ name: weightsCol, kind: 'number' });
  const { panel, table, designWarnings } = didPanel(source, o, extra, 'twfe', hooks);
  const rng = new Rng(seed);
  if (clusterCol !== undefined && twfe.vcov !== 'cluster') throw new UsageError('CLUSTER_NEEDS_VCOV', `--cluster needs --vcov cluster (got --vcov ${twfe.vcov})`, {});
  const cellOf = clusterCol !== undefined || weightsCol !== undefined ? cellOfRow(table!, panel) : null;
  const weights = weightsCol !== undefined ? cellWeights(table!, panel, weightsCol, cellOf!) : null;
  const cluster = clusterCol !== undefined ? cellClusters(table!, panel, clusterCol, cellOf!) : null;
  const opts = {
    vcov: twfe.vcov,
    cluster,
    clusterName: clusterCol ?? `unit (${panel.columns.unit})`,
    weights,
    weightsName: weightsCol ?? null,
    eventWindow: twfe.eventWindow !== undefined ? parseWindow(twfe.eventWindow) : null,
    wildBootstrap: twfe.wildBootstrap,
    wildWeights: twfe.wildWeights,
    level,
    seed,
    maxIter: TWFE_DEFAULTS.maxIter,
    tol: TWFE_DEFAULTS.tol,
  };
  checkTwfeOptions(opts);
  const analysis = runStep(hooks, `did twfe: fixed effects${opts.wildBootstrap > 0 ? `, ${opts.wildBootstrap} wild bootstrap replications` : ''}`, () => estimateTwfe(panel, opts, rng));
  analysis.warnings.push(...designWarnings);
  // --honest / --bacon / --pretrends / --placebo-holdout; the placebo re-runs the static model with
  // these options (no wild bootstrap), weights and clusters cut to the periods it keeps.
  const T = panel.periods.length;
  const rerun = (p: Panel) => {
    const Tp = p.periods.length;
    const cut = <V>(arr: ArrayLike<V> | null): V[] | null => (arr ? Array.from({ length: panel.units.length * Tp }, (_, k) => arr[Math.floor(k / Tp) * T + (k % Tp)]!) : null);
    const wCut = cut<number>(weights);
    return estimateTwfe(p, { ...opts, eventWindow: null, wildBootstrap: 0, weights: wCut ? Float64Array.from(wCut) : null, cluster: cut<string | null>(cluster) }, new Rng(seed));
  };
  runStep(hooks, 'did: sensitivity and pre-trend tests', () => attachSensitivity(analysis, panel, sens, level, rerun));
  const covArrays = panel.covariateNames.map((c) => panel.covariates[c]!);
  const miss = missingCellIndices(panel, undefined, [...covArrays, weights]);
  const w = missingCellsWarning(panel, miss, `were left out of the regression${weights ? ' (a missing weight counts as missing)' : ''}`);
  if (w) analysis.warnings.push(w);
  const used = (analysis.details as { observations?: number } | undefined)?.observations;
  return withDeprecations({ command: 'did', input: withCells(inputInfo(panel), cellCounts(panel, miss, undefined, used)), analysis }, o, [TWFE_OPTIONS, SENS_OPTIONS]);
}
