/**
 * `vru-eval scm --method micro`: micro-area synthetic control (Robbins, Saunders & Kilmer 2017;
 * microsynth). Parses its own flags, reads the panel (several outcomes at once), runs the
 * library, emits the document.
 */
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { MICRO_INFERENCES, micro, microDataFromPanel, type MatchPeriods, type MicroInference, type MicroProgress } from '../../estimators/micro/index.js';
import { emitDocument, type CliContext } from '../context.js';
import { commonFrom, list, numberArg, panelOptionsFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';

/** Parse --match-periods each | total | every:K. */
export function parseMatchPeriods(v: string): MatchPeriods {
  if (v === 'each' || v === 'total') return { kind: v };
  const m = /^every:(\d+)$/.exec(v.trim());
  if (m && Number(m[1]) >= 1) return { kind: 'every', k: Number(m[1]) };
  throw new UsageError('BAD_MATCH_PERIODS', `--match-periods '${v}' must be each, total or every:K (K ≥ 1 pre-periods summed per constraint), e.g. every:3`, { flag: '--match-periods', value: v });
}

export const microMethod: ScmMethod = {
  name: 'micro',
  description: 'micro-area synthetic control: exact calibration weights on thousands of small areas (Robbins et al. 2017, microsynth)',
  ownOptions: ['matchCovariates', 'matchOutcomes', 'matchPeriods', 'perms', 'jackGroups', 'endPost', 'weightRange', 'threads', 'balanceTol'],
  addOptions: (cmd: Command) =>
    cmd
      .option('--match-covariates <a,b,...>', '[micro] time-invariant columns balanced exactly (e.g. census counts)', list)
      .option('--match-outcomes <a,b,...>', '[micro] outcomes whose pre-period values are balanced (default: every --outcome)', list)
      .addOption(new Option('--match-periods <how>', '[micro] pre-period outcomes balanced each period, as one total, or in sums of K periods (every:K)').argParser(parseMatchPeriods).default({ kind: 'each' }, 'each'))
      .addOption(new Option('--perms <n>', '[micro] placebo treated sets for --inference permutation').argParser(numberArg('--perms', { integer: true, min: 1, max: 1e6 })).default(1000))
      .addOption(new Option('--jack-groups <n>', '[micro] jackknife groups (default min(treated areas, 40))').argParser(numberArg('--jack-groups', { integer: true, min: 2, max: 1e6 })))
      .option('--end-post <period>', '[micro] last post-intervention period (default: the last period), e.g. 2020-03')
      .option('--no-weight-range', '[micro] skip the range of the synthetic totals over every exactly balancing weighting (two LPs per outcome)')
      .addOption(new Option('--threads <n>', '[micro] threads for the placebo re-weightings (results do not depend on it); default min(2, cores) for large jobs').argParser(numberArg('--threads', { integer: true, min: 1, max: 64 })))
      .addOption(new Option('--balance-tol <x>', '[micro] largest relative imbalance accepted as exact').argParser(numberArg('--balance-tol', { min: 0, max: 0.1, exclusiveMin: true })).default(1e-10)),
  run: async (ctx: CliContext, file: string, o: Record<string, unknown>) => {
    const common = commonFrom(o);
    if (o.covariates !== undefined) throw new UsageError('OPTION_NOT_FOR_METHOD', '--covariates (time-varying) does not apply to --method micro; balance time-invariant columns with --match-covariates and series with --match-outcomes', { flag: '--covariates' });
    if (o.population !== undefined) throw new UsageError('OPTION_NOT_FOR_METHOD', '--population does not apply to --method micro: it works on counts (totals over areas); give counts as outcomes', { flag: '--population' });
    const inference = String((o.inference as string | undefined) ?? 'permutation')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (inference.length === 1 && inference[0] === 'none') inference.length = 0;
    for (const k of inference) if (!(MICRO_INFERENCES as readonly string[]).includes(k)) throw new UsageError('BAD_INFERENCE', `--inference ${k} is not available for --method micro (choose one or more of ${MICRO_INFERENCES.join(', ')}, comma-separated, or none)`, { flag: '--inference', value: k });
    const outcomes = [...new Set(String(o.outcome).split(',').map((s) => s.trim()).filter((s) => s !== ''))];
    if (outcomes.length === 0) throw new UsageError('BAD_OUTCOME', '--outcome needs at least one column name (several comma-separated for one set of weights)');
    const matchOutcomes = (o.matchOutcomes as string[] | undefined) ?? outcomes;
    const matchCovariates = (o.matchCovariates as string[] | undefined) ?? [];
    const popts = panelOptionsFrom(o);
    popts.outcome = outcomes[0]!;
    popts.covariates = [...new Set([...outcomes.slice(1), ...matchOutcomes.filter((m) => m !== outcomes[0]), ...matchCovariates])];
    const panel = applyDonorPool(readPanel(file, popts), { donors: o.donors as string[] | undefined, excludeUnits: o.excludeUnits as string[] | undefined });
    const allOutcomes = [...outcomes, ...matchOutcomes.filter((m) => !outcomes.includes(m))];
    const data = microDataFromPanel(panel, allOutcomes, matchCovariates);
    const reported = { ...data, outcomes };
    let endPost: number | undefined;
    if (o.endPost !== undefined) {
      endPost = panel.periods.indexOf(String(o.endPost));
      if (endPost < 0) throw new UsageError('BAD_END_POST', `--end-post ${String(o.endPost)} is not a period of the panel (${panel.periods[0]} … ${panel.periods[panel.periods.length - 1]})`, { flag: '--end-post' });
    }
    const perms = o.perms as number;
    const work = panel.units.length * perms;
    const threads = (o.threads as number | undefined) ?? (inference.includes('permutation') && work >= 2e6 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
    let last = 0;
    const progress = ctx.io.stderrIsTTY
      ? (p: MicroProgress) => {
          const now = Date.now();
          if (p.done < p.total && now - last < 200) return;
          last = now;
          ctx.io.stderr(`\rmicro ${p.phase}: ${p.done}/${p.total}${p.done === p.total ? '\n' : ''}`);
        }
      : undefined;
    const analysis = await micro(reported, {
      matchPeriods: o.matchPeriods as MatchPeriods,
      matchOutcomes,
      matchCovariates,
      ...(endPost !== undefined ? { endPost } : {}),
      inference: inference as MicroInference[],
      perms,
      ...(o.jackGroups !== undefined ? { jackGroups: o.jackGroups as number } : {}),
      weightRange: o.weightRange !== false,
      seed: common.seed,
      level: common.level,
      tol: o.balanceTol as number,
      maxIter: 500,
      threads,
      ...(progress ? { progress } : {}),
    });
    analysis.options.threads = threads;
    analysis.options.donors = (o.donors as string[] | undefined) ?? null;
    analysis.options.excludeUnits = (o.excludeUnits as string[] | undefined) ?? null;
    emitDocument(ctx, 'scm', inputInfo(panel), analysis, common.out);
  },
};
