/**
 * `vru-eval scm --method micro`: micro-area synthetic control (Robbins, Saunders & Kilmer 2017;
 * microsynth). Parses its own flags, reads the panel (several outcomes at once), runs the
 * library, emits the document.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../../core/errors.js';
import { readOptions } from '../../core/optionTable.js';
import { MICRO_OPTIONS, parseMatchPeriods } from '../../estimators/micro/options.js';
import { SCM_OPTIONS } from './scmOptions.js';
import { requirePanelOutcomeVariation } from '../../core/degenerate.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { MICRO_INFERENCES, micro, microDataFromPanel, type MicroInference, type MicroProgress } from '../../estimators/micro/index.js';
import { emitDocument, type CliContext } from '../context.js';
import { commonFrom, panelOptionsFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';

export const microMethod: ScmMethod = {
  name: 'micro',
  description: 'micro-area synthetic control: exact calibration weights on thousands of small areas (Robbins et al. 2017, microsynth)',
  options: MICRO_OPTIONS,
  run: async (ctx: CliContext, file: string, o: Record<string, unknown>) => {
    const common = commonFrom(o);
    const v = readOptions(MICRO_OPTIONS, o);
    const scm = readOptions(SCM_OPTIONS, o);
    if (o.covariates !== undefined) throw new UsageError('OPTION_NOT_FOR_METHOD', '--covariates (time-varying) does not apply to --method micro; balance time-invariant columns with --match-covariates and series with --match-outcomes', { flag: '--covariates' });
    const inference = String(scm.inference ?? 'permutation')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (inference.length === 1 && inference[0] === 'none') inference.length = 0;
    for (const k of inference) if (!(MICRO_INFERENCES as readonly string[]).includes(k)) throw new UsageError('BAD_INFERENCE', `--inference ${k} is not available for --method micro (choose one or more of ${MICRO_INFERENCES.join(', ')}, comma-separated, or none)`, { flag: '--inference', value: k });
    const outcomes = [...new Set(String(o.outcome).split(',').map((s) => s.trim()).filter((s) => s !== ''))];
    if (outcomes.length === 0) throw new UsageError('BAD_OUTCOME', '--outcome needs at least one column name (several comma-separated for one set of weights)');
    const matchOutcomes = v.matchOutcomes ?? outcomes;
    const matchCovariates = v.matchCovariates ?? [];
    const matchMin = [...new Set(v.matchMin ?? [])];
    for (const m of matchMin)
      if (matchOutcomes.includes(m) || matchCovariates.includes(m))
        throw new UsageError('MATCH_MIN_OVERLAP', `--match-min ${m}: '${m}' is already balanced exactly (${matchCovariates.includes(m) ? '--match-covariates' : '--match-outcomes, which defaults to every --outcome'}); a variable is balanced either exactly or approximately`, { flag: '--match-min', value: m });
    const popts = panelOptionsFrom(o);
    popts.outcome = outcomes[0]!;
    popts.covariates = [...new Set([...outcomes.slice(1), ...matchOutcomes.filter((m) => m !== outcomes[0]), ...matchCovariates, ...matchMin.filter((m) => m !== outcomes[0])])];
    const panel = applyDonorPool(readPanel(file, popts), { donors: scm.donors, excludeUnits: scm.excludeUnits });
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
    let last = 0;
    const progress = ctx.output?.progress
      ? (p: MicroProgress) => {
          const now = Date.now();
          if (p.done < p.total && now - last < 200) return;
          last = now;
          ctx.io.stderr(`\rmicro ${p.phase}: ${p.done}/${p.total}${p.done === p.total ? '\n' : ''}`);
        }
      : undefined;
    const analysis = await micro(reported, {
      matchPeriods: parseMatchPeriods(v.matchPeriods),
      matchOutcomes,
      matchCovariates,
      ...(matchMin.length > 0 ? { matchMinOutcomes: minSeries, matchMinCovariates: minCovariates } : {}),
      ...(endPost !== undefined ? { endPost } : {}),
      inference: inference as MicroInference[],
      perms,
      ...(v.jackGroups !== undefined ? { jackGroups: v.jackGroups } : {}),
      weightRange: v.weightRange,
      distance: v.calfun,
      seed: common.seed,
      level: common.level,
      tol: v.balanceTol,
      maxIter: 500,
      threads,
      ...(progress ? { progress } : {}),
    });
    analysis.options.threads = threads;
    analysis.options.population = panel.populationColumn;
    analysis.options.donors = scm.donors ?? null;
    analysis.options.excludeUnits = scm.excludeUnits ?? null;
    emitDocument(ctx, 'scm', inputInfo(panel), analysis, common.out);
  },
};
