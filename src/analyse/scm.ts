/**
 * Preparation of the synthetic-control analyses (scm gsynth, synth, sdid, ascm): every step the
 * `scm` command used to take between parsing flags and printing the document, now in the library
 * so that analyse(), the CLI and `vru-eval run` share it. Each function: validate the options →
 * read the panel (with the columns the method needs) → estimate → complete the options/warnings/cells.
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../core/errors.js';
import { cellCounts, missingCellIndices, missingCellsWarning, requirePanelOutcomeVariation, withCells } from '../core/degenerate.js';
import { applyDonorPool, type Panel } from '../core/panel.js';
import { inputInfo, type Analysis, type InputInfo } from '../core/result.js';
import type { Values } from '../core/optionTable.js';
import { DEFAULT_SEED } from '../core/rng.js';
import { resolveOutcomeScale, type OutcomeScale } from '../core/outcomeScale.js';
import type { ColumnTable } from '../io/columns.js';
import { GSYNTH_OPTIONS } from '../estimators/gsynth/options.js';
import { INFERENCES, gsynth, type Inference } from '../estimators/gsynth/index.js';
import { SYNTH_OPTIONS } from '../estimators/synth/options.js';
import { predictorColumns } from '../estimators/synth/predictors.js';
import { SYNTH_INFERENCE, synth, type SynthOptions } from '../estimators/synth/synth.js';
import { SDID_OPTIONS } from '../estimators/sdid/options.js';
import { SDID_INFERENCE, sdid, type SdidInference } from '../estimators/sdid/sdid.js';
import { ASCM_OPTIONS } from '../estimators/ascm/options.js';
import { ASCM_INFERENCE, ascm, type AscmInference } from '../estimators/ascm/ascm.js';
import { attachAttCounts } from '../estimators/attCounts.js';
import { panelOptionsOf, resolvePanel, runStep, withDefaults, withDeprecations, type AnalyseHooks, type PanelSource } from './source.js';

export type { Analysed, CommonAnalyseOptions, ScmSharedOptions } from './source.js';
import { seedLevel, type Analysed, type CommonAnalyseOptions, type ScmSharedOptions } from './source.js';
export { seedLevel };

export type GsynthAnalyseOptions = CommonAnalyseOptions & ScmSharedOptions & Partial<Values<typeof GSYNTH_OPTIONS>>;
export type SynthAnalyseOptions = CommonAnalyseOptions & ScmSharedOptions & Partial<Values<typeof SYNTH_OPTIONS>>;
/** sdid and ascm also read gsynth's --rate-per (offences avoided with --population). */
export type SdidAnalyseOptions = CommonAnalyseOptions & ScmSharedOptions & Partial<Values<typeof SDID_OPTIONS>> & { ratePer?: number | undefined };
export type AscmAnalyseOptions = CommonAnalyseOptions & ScmSharedOptions & Partial<Values<typeof ASCM_OPTIONS>> & { ratePer?: number | undefined };

function checkInference(inference: string, allowed: readonly string[], method: string, details: Record<string, unknown>): void {
  if (!allowed.includes(inference)) throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method ${method} (choose ${allowed.join(', ')})`, { flag: '--inference', ...details });
}

/** The panel with the donor pool (--donors / --exclude-units) applied. */
function donorPanel(panel: Panel, scm: ScmSharedOptions): Panel {
  return applyDonorPool(panel, { donors: scm.donors, excludeUnits: scm.excludeUnits });
}

// ---------------------------------------------------------------- gsynth

/** Generalized synthetic control (Xu 2017): outcome scale, donor pool, default threads, cells used. */
export async function analyseGsynth(source: PanelSource, o: GsynthAnalyseOptions, hooks?: AnalyseHooks): Promise<Analysed> {
  const { seed, level } = seedLevel(o);
  const v = withDefaults(GSYNTH_OPTIONS, o);
  const inference = o.inference ?? 'parametric';
  checkInference(inference, INFERENCES, 'gsynth', { allowed: INFERENCES });
  const file = typeof source === 'string' ? source : source.file;
  let panel = runStep(hooks, `reading ${file}`, () => resolvePanel(source, panelOptionsOf(o)).panel);
  panel = donorPanel(panel, o);
  // counts of offences: a rate × population / --rate-per, or the outcome itself (--outcome-scale count: population 1, rate per 1)
  const scale = resolveOutcomeScale(panel, o.outcomeScale as OutcomeScale | undefined);
  if (scale === 'count') panel = { ...panel, population: new Float64Array(panel.y.length).fill(1), populationColumn: '1' };
  // Default: two threads (or fewer cores) when the resampling work is large enough to repay a
  // helper thread (≈ 30 ms to start, overlapped with cross-validation, but it compiles the kernels
  // afresh, so its first replications are slow), else this thread. Results are identical either way.
  const boots = v.reps ?? 1000; // gsynth's default; recorded as options.boots
  const work = panel.units.length * panel.periods.length ** 2 * boots * (inference === 'parametric' ? 2 : 1);
  const workers = v.threads ?? (work >= 1e9 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
  const progress = hooks?.progress?.('gsynth');
  requirePanelOutcomeVariation(panel, 'scm --method gsynth');
  const analysis = await gsynth(panel, {
    force: v.force,
    factors: v.factors,
    factorsMax: v.factorsMax,
    inference: inference as Inference,
    boots,
    seed,
    level,
    ratePer: scale === 'count' ? 1 : v.ratePer,
    excludePeriods: v.excludePeriods ?? [],
    tol: v.tol,
    maxIter: v.maxIter,
    em: v.em,
    workers,
    ...(progress ? { progress } : {}),
  });
  return withDeprecations({ command: 'scm', input: gsynthAssemble(panel, analysis, scale, o), analysis }, o, [GSYNTH_OPTIONS]);
}

/** gsynth's options for the count scale and donor pool, the missing-cell warning and the cells used. */
function gsynthAssemble(panel: Panel, analysis: Analysis, scale: OutcomeScale | null, o: ScmSharedOptions): InputInfo {
  analysis.options.outcomeScale = scale;
  if (scale === 'count') {
    analysis.options.population = null;
    analysis.options.ratePer = null;
    const counts = analysis.counts as Record<string, unknown>;
    counts.population = null;
    counts.ratePer = null;
    counts.definition = `−Σ effect over treated units and their post-treatment periods; ${panel.outcome} is a count of offences (--outcome-scale count; negative effects = offences avoided)`;
  }
  analysis.options.donors = o.donors ?? null;
  analysis.options.excludeUnits = o.excludeUnits ?? null;
  const miss = missingCellIndices(panel);
  const w = missingCellsWarning(panel, miss, `were not used as data: missing control cells are imputed by the factor model (EM), missing treated pre-treatment cells are left out of the loadings fit, and missing treated post-treatment cells have no effect estimate and are left out of the ATT`);
  if (w) analysis.warnings.push(w);
  // Cells used: observed cells outside the --exclude-periods windows (path rows marked excluded).
  const excluded = new Set(analysis.path.filter((p) => p.excluded === true).map((p) => panel.periods.indexOf(p.period)));
  const T = panel.periods.length;
  let used = 0;
  for (let k = 0; k < panel.y.length; k++) if (!Number.isNaN(panel.y[k]!) && !excluded.has(k % T)) used++;
  return withCells(inputInfo(panel), cellCounts(panel, miss, undefined, used));
}

// ---------------------------------------------------------------- synth

/** Predictors from a JSON file: an array of predictor strings, or { "predictors": [...] }. */
export function readPredictorsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('FILE_NOT_FOUND', `--predictors-file ${file} cannot be read`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError('BAD_PREDICTORS_FILE', `--predictors-file ${file} is not valid JSON (${(e as Error).message})`, { file });
  }
  const arr = Array.isArray(data) ? data : (data as { predictors?: unknown })?.predictors;
  if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string')) {
    throw new InputError('BAD_PREDICTORS_FILE', `--predictors-file ${file} must hold an array of predictor strings such as ["lnincome@1980:1988", "cigsale@1975"] (or {"predictors": [...]})`, { file });
  }
  return arr as string[];
}

/** 'from:to' → [from, to], or a BAD_WINDOW usage error naming the flag. */
function parseWindowFlag(value: string | undefined, flag: string, example: string): [string, string] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(':');
  if (parts.length !== 2 || parts.some((x) => x.trim() === '')) throw new UsageError('BAD_WINDOW', `${flag} '${value}' must be from:to, e.g. ${example}`);
  return [parts[0]!.trim(), parts[1]!.trim()];
}

/** Classic synthetic control (Abadie et al.): predictors (also from a file), windows, placebos. */
export function analyseSynth(source: PanelSource, o: SynthAnalyseOptions, hooks?: AnalyseHooks): Analysed {
  const { seed, level } = seedLevel(o);
  const v = withDefaults(SYNTH_OPTIONS, o);
  if (o.population !== undefined || o.outcomeScale !== undefined) {
    // classic synthetic control reports effects in the outcome's units only: reject rather than ignore
    const flag = o.population !== undefined ? '--population' : '--outcome-scale';
    throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} is not used by --method synth (no conversion to offences); drop it, or use --method gsynth for offences avoided`, { flag, method: 'synth' });
  }
  const inference = o.inference ?? 'placebo';
  checkInference(inference, SYNTH_INFERENCE, 'synth', { value: inference });
  if (v.predictors !== undefined && v.predictorsFile !== undefined) throw new UsageError('CONFLICTING_PREDICTORS', 'give --predictors or --predictors-file, not both');
  const predictors = v.predictorsFile !== undefined ? readPredictorsFile(v.predictorsFile) : (v.predictors ?? []);
  const window = parseWindowFlag(v.optimisationWindow, '--optimisation-window', '1970:1988');
  const trainingWindow = parseWindowFlag(v.trainingWindow, '--training-window', '1981:1990');
  const training = v.trainingPredictors ?? [];
  const popts = panelOptionsOf(o);
  const extra = predictorColumns([...predictors, ...training]).filter((c) => c !== popts.outcome);
  if (extra.length > 0) popts.covariates = [...new Set([...(popts.covariates ?? []), ...extra])];
  const file = typeof source === 'string' ? source : source.file;
  const panel = donorPanel(runStep(hooks, `reading ${file}`, () => resolvePanel(source, popts).panel), o);
  const options: SynthOptions = {
    predictors,
    v: v.v,
    vSearch: v.vSearch,
    optimisationWindow: window,
    placebo: v.placebo,
    placeboStart: v.placeboStart,
    placeboFilter: v.placeboFilter ?? null,
    placeboDraws: v.reps,
    loo: v.loo === true,
    trainingPredictors: training,
    trainingWindow,
    uniquenessTol: v.uniquenessTol === 'off' ? null : (v.uniquenessTol ?? 0.01),
    inference: inference as SynthOptions['inference'],
    level,
    seed,
  };
  requirePanelOutcomeVariation(panel, 'scm --method synth');
  const label = `synth: ${panel.units.length} units, ${options.placebo === 'none' ? 'no placebos' : `${options.placebo} placebos`}${inference === 'conformal' ? ', conformal grids' : ''}${options.loo ? ', leave-one-out' : ''}`;
  const analysis = runStep(hooks, label, () => synth(panel, options));
  analysis.options = { ...analysis.options, outcome: panel.outcome, exclude: o.excludeUnits ?? null, donorsFlag: o.donors ?? null };
  // Classic SC needs a balanced panel (missing cells are an error), so every observed cell is used.
  return withDeprecations({ command: 'scm', input: withCells(inputInfo(panel), cellCounts(panel, [])), analysis }, o, [SYNTH_OPTIONS]);
}

// ---------------------------------------------------------------- sdid

/**
 * Cluster label of each panel unit from a column of the table; the column must be constant within units.
 * @throws InputError UNKNOWN_COLUMN | CLUSTER_NOT_NESTED | MISSING_CLUSTER
 */
export function unitClusters(table: ColumnTable, panel: Panel, column: string): string[] {
  const g = table.keys.get(column);
  if (!g) throw new InputError('UNKNOWN_COLUMN', `${panel.file}: --cluster column '${column}' is not in the header (${table.header.join(', ')})`, { column });
  const uk = table.keys.get(panel.columns.unit)!;
  const byUnit = new Map<string, string>();
  for (let k = 0; k < table.nRows; k++) {
    const u = uk.values[uk.codes[k]!]!;
    const c = g.values[g.codes[k]!]!;
    const at = `${table.where} ${table.lines[k]}`;
    if (c === '') throw new InputError('MISSING_CLUSTER', `${panel.file} ${at}: '${u}' has an empty --cluster '${column}'`, { unit: u, [table.where]: table.lines[k] });
    const prev = byUnit.get(u);
    if (prev !== undefined && prev !== c) throw new InputError('CLUSTER_NOT_NESTED', `${panel.file} ${at}: '${u}' is in cluster '${prev}' and '${c}'; units must be nested in clusters`, { unit: u, [table.where]: table.lines[k] });
    byUnit.set(u, c);
  }
  return panel.units.map((u) => byUnit.get(u)!);
}

/** Synthetic difference-in-differences (Arkhangelsky et al. 2021), also its SC and DID; clusters from a column. */
export function analyseSdid(source: PanelSource, o: SdidAnalyseOptions): Analysed {
  const { seed, level } = seedLevel(o);
  const v = withDefaults(SDID_OPTIONS, o);
  const inference = o.inference ?? 'placebo';
  checkInference(inference, SDID_INFERENCE, 'sdid', { value: inference });
  if (v.reps !== undefined && !(inference === 'placebo' || inference === 'bootstrap')) throw new UsageError('REPS_NOT_USED', `--reps applies to --inference placebo or bootstrap, not ${inference}`);
  if (v.reps !== undefined && v.reps < 2) throw new UsageError('BAD_NUMBER', `--reps '${v.reps}' must be an integer ≥ 2 for --method sdid`, { flag: '--reps', value: String(v.reps) });
  if (v.cluster !== undefined && !(inference === 'bootstrap' || inference === 'jackknife')) throw new UsageError('CLUSTER_NOT_USED', `--cluster applies to --inference bootstrap or jackknife, not ${inference}`);
  // CSV, Parquet or Arrow, as every estimating command reads (src/io/columns.ts).
  const { panel: full, table } = resolvePanel(source, panelOptionsOf(o), v.cluster !== undefined ? [{ name: v.cluster, kind: 'key' }] : [], '--cluster');
  const panel = donorPanel(full, o);
  // issue 21: --population converts the effect to offences avoided, as gsynth (src/core/outcomeScale.ts)
  const scale = resolveOutcomeScale(panel, o.outcomeScale as OutcomeScale | undefined);
  const clusters = v.cluster !== undefined ? unitClusters(table!, panel, v.cluster) : null;
  requirePanelOutcomeVariation(panel, 'scm --method sdid'); // issue 15: one CONSTANT_OUTCOME error in every command
  const analysis = sdid(panel, {
    estimator: v.sdidEstimator,
    inference: inference as SdidInference,
    reps: v.reps ?? 200,
    clusters,
    clusterColumn: v.cluster ?? null,
    covariates: panel.covariateNames,
    level,
    seed,
  });
  analysis.options = { ...analysis.options, outcome: panel.outcome, donors: o.donors ?? null, excludeUnits: o.excludeUnits ?? null };
  attachAttCounts(analysis, panel, scale, withDefaults(GSYNTH_OPTIONS, o).ratePer); // --rate-per (declared with gsynth's options)
  // SDID needs a balanced panel: a missing outcome cell is UNBALANCED_PANEL (exit 3, as classic SC
  // and ITS) and a missing covariate cell MISSING_COVARIATE, so every cell is observed and used.
  return withDeprecations({ command: 'scm', input: withCells(inputInfo(panel), cellCounts(panel, [])), analysis }, o, [SDID_OPTIONS]);
}

// ---------------------------------------------------------------- ascm

/** Augmented synthetic control (Ben-Michael, Feller & Rothstein 2021): ridge or no outcome model. */
export function analyseAscm(source: PanelSource, o: AscmAnalyseOptions): Analysed {
  const { seed, level } = seedLevel(o);
  const v = withDefaults(ASCM_OPTIONS, o);
  const inference = o.inference ?? 'conformal';
  checkInference(inference, ASCM_INFERENCE, 'ascm', { value: inference });
  const model = v.ascmModel ?? 'ridge';
  if (model === 'none' && (v.ascmLambda !== undefined || v.ascmCv !== undefined)) throw new UsageError('LAMBDA_WITHOUT_RIDGE', '--ascm-lambda and --ascm-cv apply to --ascm-model ridge');
  if (v.ascmLambda !== undefined && v.ascmCv !== undefined) throw new UsageError('CONFLICTING_LAMBDA', 'give --ascm-lambda or --ascm-cv, not both');
  const panel = donorPanel(resolvePanel(source, panelOptionsOf(o)).panel, o);
  // issue 21: --population converts the effect to offences avoided, as gsynth (src/core/outcomeScale.ts)
  const scale = resolveOutcomeScale(panel, o.outcomeScale as OutcomeScale | undefined);
  requirePanelOutcomeVariation(panel, 'scm --method ascm'); // issue 15: one CONSTANT_OUTCOME error in every command
  const analysis = ascm(panel, {
    model,
    lambda: v.ascmLambda ?? null,
    cvRule: v.ascmCv ?? '1se',
    demean: v.ascmDemean === true,
    covariates: panel.covariateNames,
    inference: inference as AscmInference,
    level,
    seed,
  });
  analysis.options = { ...analysis.options, outcome: panel.outcome, donors: o.donors ?? null, excludeUnits: o.excludeUnits ?? null };
  attachAttCounts(analysis, panel, scale, withDefaults(GSYNTH_OPTIONS, o).ratePer); // --rate-per (declared with gsynth's options)
  // ASCM needs a balanced outcome panel (a missing outcome cell is UNBALANCED_PANEL, exit 3, as classic
  // SC and SDID), so every outcome cell is used; missing covariate cells are left out of the
  // pre-period covariate means, and that is said (MISSING_CELLS) and counted in input.cells.missing.
  const miss = missingCellIndices(panel, undefined, panel.covariateNames.map((c) => panel.covariates[c]!));
  const w = missingCellsWarning(panel, miss, 'were not used: pre-treatment covariate means are taken over the observed cells (every outcome cell is observed: augmented synthetic control needs a balanced outcome panel)');
  if (w) analysis.warnings.push(w);
  return withDeprecations({ command: 'scm', input: withCells(inputInfo(panel), cellCounts(panel, miss)), analysis }, o, [ASCM_OPTIONS]);
}
