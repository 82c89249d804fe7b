/**
 * The ONE adapter from analyse({ method: 'micro' }) to micro's library entry point (Robbins, Saunders
 * & Kilmer 2017). It holds the preparation the `scm --method micro` command made: several outcomes,
 * which --match-min columns are series and which time-invariant, --end-post, default threads.
 * The micro helper is moving this preparation into src/estimators/micro/; at the merge this adapter
 * becomes a call of that function (the lead rewires it) and nothing else here changes.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../core/errors.js';
import { requirePanelOutcomeVariation } from '../core/degenerate.js';
import { applyDonorPool } from '../core/panel.js';
import { inputInfo } from '../core/result.js';
import type { Values } from '../core/optionTable.js';
import { MICRO_OPTIONS, parseMatchPeriods } from '../estimators/micro/options.js';
import { MICRO_INFERENCES, micro, microDataFromPanel, type MicroInference } from '../estimators/micro/index.js';
import type { Analysed, CommonAnalyseOptions, ScmSharedOptions } from './scm.js';
import { seedLevel } from './scm.js';
import { panelOptionsOf, resolvePanel, withDefaults, type AnalyseHooks, type PanelSource } from './source.js';

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

export async function analyseMicro(source: PanelSource, o: MicroAnalyseOptions, hooks?: AnalyseHooks): Promise<Analysed> {
  const { seed, level } = seedLevel(o);
  const v = withDefaults(MICRO_OPTIONS, o);
  if (o.covariates !== undefined) throw new UsageError('OPTION_NOT_FOR_METHOD', '--covariates (time-varying) does not apply to --method micro; balance time-invariant columns with --match-covariates and series with --match-outcomes', { flag: '--covariates' });
  const inference = microInference(o.inference);
  const given = Array.isArray(o.outcome) ? o.outcome : String(typeof source === 'string' || o.outcome !== undefined ? o.outcome : source.outcome).split(',');
  const outcomes = [...new Set(given.map((s) => s.trim()).filter((s) => s !== ''))];
  if (outcomes.length === 0) throw new UsageError('BAD_OUTCOME', '--outcome needs at least one column name (several comma-separated for one set of weights)');
  const matchOutcomes = v.matchOutcomes ?? outcomes;
  const matchCovariates = v.matchCovariates ?? [];
  const matchMin = [...new Set(v.matchMin ?? [])];
  for (const m of matchMin)
    if (matchOutcomes.includes(m) || matchCovariates.includes(m))
      throw new UsageError('MATCH_MIN_OVERLAP', `--match-min ${m}: '${m}' is already balanced exactly (${matchCovariates.includes(m) ? '--match-covariates' : '--match-outcomes, which defaults to every --outcome'}); a variable is balanced either exactly or approximately`, { flag: '--match-min', value: m });
  const popts = panelOptionsOf({ ...o, outcome: outcomes[0]! });
  popts.covariates = [...new Set([...outcomes.slice(1), ...matchOutcomes.filter((m) => m !== outcomes[0]), ...matchCovariates, ...matchMin.filter((m) => m !== outcomes[0])])];
  const { panel: read } = resolvePanel(source, popts);
  const panel = applyDonorPool(read, { donors: o.donors, excludeUnits: o.excludeUnits });
  requirePanelOutcomeVariation(panel, 'scm --method micro'); // issue 15: one CONSTANT_OUTCOME error in every command (first outcome)
  // --match-min columns: a series (varies over time within some area, or is an outcome) enters by
  // its pre-period values like a matched outcome; a time-invariant column as a covariate.
  const T = panel.periods.length;
  const varies = (m: Float64Array) => {
    for (let i = 0; i < panel.units.length; i++) for (let t = 1; t < T; t++) if (m[i * T + t] !== m[i * T]) return true;
    return false;
  };
  const minSeries = matchMin.filter((m) => outcomes.includes(m) || varies(panel.covariates[m]!));
  const minCovariates = matchMin.filter((m) => !minSeries.includes(m));
  const allOutcomes = [...new Set([...outcomes, ...matchOutcomes, ...minSeries])];
  const data = microDataFromPanel(panel, allOutcomes, [...matchCovariates, ...minCovariates]);
  const reported = { ...data, outcomes };
  let endPost: number | undefined;
  if (v.endPost !== undefined) {
    endPost = panel.periods.indexOf(v.endPost);
    if (endPost < 0) throw new UsageError('BAD_END_POST', `--end-post ${v.endPost} is not a period of the panel (${panel.periods[0]} … ${panel.periods[panel.periods.length - 1]})`, { flag: '--end-post' });
  }
  const perms = v.perms;
  const work = panel.units.length * perms;
  const threads = v.threads ?? (inference.includes('permutation') && work >= 2e6 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
  const progress = hooks?.progress?.('micro');
  const analysis = await micro(reported, {
    matchPeriods: parseMatchPeriods(v.matchPeriods),
    matchOutcomes,
    matchCovariates,
    ...(matchMin.length > 0 ? { matchMinOutcomes: minSeries, matchMinCovariates: minCovariates } : {}),
    ...(endPost !== undefined ? { endPost } : {}),
    inference,
    perms,
    ...(v.jackGroups !== undefined ? { jackGroups: v.jackGroups } : {}),
    weightRange: v.weightRange,
    distance: v.calfun,
    seed,
    level,
    tol: v.balanceTol,
    maxIter: 500,
    threads,
    ...(progress ? { progress: (p) => progress(p) } : {}),
  });
  analysis.options.threads = threads;
  analysis.options.population = panel.populationColumn;
  analysis.options.donors = o.donors ?? null;
  analysis.options.excludeUnits = o.excludeUnits ?? null;
  return { command: 'scm', input: inputInfo(panel), analysis };
}
