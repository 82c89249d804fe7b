/**
 * The ONE adapter from analyse({ method: 'micro' }) to micro's library entry point (Robbins, Saunders
 * & Kilmer 2017): the typed options become a {@link MicroRequest}; {@link microFromPanel} does every
 * preparation step (several outcomes, which --match-min columns are series, defaults chosen from the
 * panel's size, --end-post). `scm --method micro` and plan files call this and nothing else.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../core/errors.js';
import { requirePanelOutcomeVariation } from '../core/degenerate.js';
import { applyDonorPool } from '../core/panel.js';
import { inputInfo } from '../core/result.js';
import type { Values } from '../core/optionTable.js';
import { MICRO_OPTIONS, parseMatchPeriods } from '../estimators/micro/options.js';
import { MICRO_INFERENCES, type MicroInference, type MicroProgress } from '../estimators/micro/index.js';
import { microColumns, microFromPanel, type MicroRequest } from '../estimators/micro/prepare.js';
import { panelOptionsOf, resolvePanel, seedLevel, withDefaults, withDeprecations, type Analysed, type AnalyseHooks, type CommonAnalyseOptions, type PanelSource, type ScmSharedOptions } from './source.js';

/** `outcome` may name several columns (comma-separated or an array): one set of weights for all. */
export type MicroAnalyseOptions = Omit<CommonAnalyseOptions, 'outcome'> & ScmSharedOptions & Partial<Values<typeof MICRO_OPTIONS>> & { outcome?: string | string[] };

/** --inference for micro: a comma list of MICRO_INFERENCES, or none. */
function microInference(given: string | undefined): MicroInference[] {
  const inference = String(given ?? 'permutation')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (inference.length === 1 && inference[0] === 'none') inference.length = 0;
  for (const k of inference) if (!(MICRO_INFERENCES as readonly string[]).includes(k)) throw new UsageError('BAD_INFERENCE', `--inference ${k} is not available for --method micro (choose one or more of ${MICRO_INFERENCES.join(', ')}, comma-separated, or none)`, { flag: '--inference', value: k });
  return inference as MicroInference[];
}

/** The request micro's library takes, from the typed options (CLI flags and plan keys alike). */
function microRequest(source: PanelSource, o: MicroAnalyseOptions): MicroRequest {
  const { seed, level } = seedLevel(o);
  const v = withDefaults(MICRO_OPTIONS, o);
  if (o.covariates !== undefined) throw new UsageError('OPTION_NOT_FOR_METHOD', '--covariates (time-varying) does not apply to --method micro; balance time-invariant columns with --match-covariates and series with --match-outcomes', { flag: '--covariates' });
  const outcomes = Array.isArray(o.outcome) ? o.outcome : String(typeof source === 'string' || o.outcome !== undefined ? o.outcome : source.outcome).split(',');
  return {
    outcomes,
    ...(v.matchOutcomes ? { matchOutcomes: v.matchOutcomes } : {}),
    ...(v.matchCovariates ? { matchCovariates: v.matchCovariates } : {}),
    ...(v.matchMin ? { matchMin: v.matchMin } : {}),
    matchPeriods: v.matchPeriods === undefined || v.matchPeriods === 'auto' ? 'auto' : parseMatchPeriods(v.matchPeriods),
    ...(v.endPost !== undefined ? { endPost: v.endPost } : {}),
    inference: microInference(o.inference),
    perms: v.reps ?? 'auto',
    ...(v.jackGroups !== undefined ? { jackGroups: v.jackGroups } : {}),
    weightRange: v.weightRange,
    calfun: v.calfun,
    permStat: v.permStat,
    permPool: v.permPool,
    maxImbalance: v.maxImbalance,
    seed,
    level,
    balanceTol: v.balanceTol,
    maxIter: 500,
  };
}

export async function analyseMicro(source: PanelSource, o: MicroAnalyseOptions, hooks?: AnalyseHooks): Promise<Analysed> {
  const req = microRequest(source, o);
  const { panel: read } = resolvePanel(source, microColumns(req, panelOptionsOf({ ...o, outcome: req.outcomes[0] })));
  const panel = applyDonorPool(read, { donors: o.donors, excludeUnits: o.excludeUnits });
  requirePanelOutcomeVariation(panel, 'scm --method micro'); // issue 15: one CONSTANT_OUTCOME error in every command (first outcome)
  // Threads: two (or fewer cores) when the placebo work is large; the document does not depend on it.
  const work = panel.units.length * (typeof req.perms === 'number' ? req.perms : 1000);
  const threads = withDefaults(MICRO_OPTIONS, o).threads ?? (req.inference!.includes('permutation') && work >= 2e6 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
  const progress = hooks?.progress?.('micro') as ((p: MicroProgress) => void) | undefined;
  const analysis = await microFromPanel(panel, { ...req, threads, ...(progress ? { progress } : {}) });
  analysis.options.donors = o.donors ?? null;
  analysis.options.excludeUnits = o.excludeUnits ?? null;
  return withDeprecations({ command: 'scm', input: inputInfo(panel), analysis }, o, [MICRO_OPTIONS]);
}
