/**
 * `vru-eval scm --method gsynth`: generalized synthetic control (Xu 2017).
 * Parses gsynth's own flags, reads the panel, runs the library, emits the document.
 */
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { FORCES, INFERENCES, gsynth, type Inference } from '../../estimators/gsynth/index.js';
import { emitDocument, type CliContext } from '../context.js';
import { commonFrom, list, numberArg, panelOptionsFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';
import { counter, step } from '../progress.js';
import { resolveOutcomeScale, type OutcomeScale } from '../outcomeScale.js';

const factorsArg = (v: string): number | 'auto' => (v === 'auto' ? 'auto' : numberArg('--factors', { integer: true, min: 0, max: 50 })(v));

export const gsynthMethod: ScmMethod = {
  name: 'gsynth',
  description: 'generalized synthetic control, interactive fixed effects (Xu 2017)',
  ownOptions: ['force', 'factors', 'factorsMax', 'boots', 'ratePer', 'excludePeriods', 'workers', 'tol', 'maxIter', 'em'],
  addOptions: (cmd: Command) =>
    cmd
      .addOption(new Option('--force <effects>', 'gsynth: additive fixed effects').choices([...FORCES]).default('two-way'))
      .addOption(new Option('--factors <r|auto>', "gsynth: number of latent factors, or 'auto' (cross-validation)").argParser(factorsArg).default('auto'))
      .addOption(new Option('--factors-max <n>', 'gsynth: largest number of factors tried by cross-validation').argParser(numberArg('--factors-max', { integer: true, min: 0, max: 50 })).default(5))
      .addOption(new Option('--boots <n>', 'gsynth: bootstrap replications').argParser(numberArg('--boots', { integer: true, min: 2, max: 1e6 })).default(1000))
      .addOption(new Option('--rate-per <n>', 'gsynth: the outcome is a rate per this many people (with --population: counts)').argParser(numberArg('--rate-per', { min: 0, exclusiveMin: true })).default(100000))
      .option('--exclude-periods <from:to,...>', 'gsynth: leave these periods out of the fit (repeatable or comma list), e.g. 2020-04:2020-06', list)
      .option('--em', 'gsynth: EM variant — fit the factor model on all untreated cells (controls + treated pre-treatment periods), treated post cells imputed by EM (Gobillon & Magnac 2016)', false)
      .addOption(new Option('--workers <n>', 'gsynth: threads for bootstrap (this one + n−1 helpers) and worker threads for iterative cross-validation (results do not depend on it); default min(2, cores) for large jobs, else 1').argParser(numberArg('--workers', { integer: true, min: 1, max: 64 })))
      .addOption(new Option('--tol <x>', 'gsynth: relative tolerance of the iterative fit').argParser(numberArg('--tol', { min: 0, max: 1, exclusiveMin: true })).default(1e-7))
      .addOption(new Option('--max-iter <n>', 'gsynth: iteration cap of the iterative fit').argParser(numberArg('--max-iter', { integer: true, min: 1, max: 1e6 })).default(1000)),
  run: async (ctx: CliContext, file: string, o: Record<string, unknown>) => {
    const common = commonFrom(o);
    const inference = (o.inference as string | undefined) ?? 'parametric';
    if (!(INFERENCES as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method gsynth (choose ${INFERENCES.join(', ')})`, { flag: '--inference', allowed: INFERENCES });
    }
    let panel = step(ctx, `reading ${file}`, () => readPanel(file, panelOptionsFrom(o)));
    panel = applyDonorPool(panel, { donors: o.donors as string[] | undefined, excludeUnits: o.excludeUnits as string[] | undefined });
    // counts of offences: a rate × population / --rate-per, or the outcome itself (--outcome-scale count: population 1, rate per 1)
    const scale = resolveOutcomeScale(panel, o.outcomeScale as OutcomeScale | undefined);
    if (scale === 'count') panel = { ...panel, population: new Float64Array(panel.y.length).fill(1), populationColumn: '1' };
    // Default: two threads (or fewer cores) when the resampling work is large enough to repay a
    // helper thread (≈ 30 ms to start, overlapped with cross-validation, but it compiles the kernels
    // afresh, so its first replications are slow), else this thread. Results are identical either way.
    const work = panel.units.length * panel.periods.length ** 2 * (o.boots as number) * (inference === 'parametric' ? 2 : 1);
    const workers = (o.workers as number | undefined) ?? (work >= 1e9 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
    const progress = counter(ctx, 'gsynth');
    const analysis = await gsynth(panel, {
      force: o.force as never,
      factors: o.factors as number | 'auto',
      factorsMax: o.factorsMax as number,
      inference: inference as Inference,
      boots: o.boots as number,
      seed: common.seed,
      level: common.level,
      ratePer: scale === 'count' ? 1 : (o.ratePer as number),
      excludePeriods: (o.excludePeriods as string[] | undefined) ?? [],
      tol: o.tol as number,
      maxIter: o.maxIter as number,
      em: o.em === true,
      workers,
      ...(progress ? { progress } : {}),
    });
    analysis.options.outcomeScale = scale;
    if (scale === 'count') {
      analysis.options.population = null;
      analysis.options.ratePer = null;
      const counts = analysis.counts as Record<string, unknown>;
      counts.population = null;
      counts.ratePer = null;
      counts.definition = `−Σ effect over treated units and their post-treatment periods; ${panel.outcome} is a count of offences (--outcome-scale count; negative effects = offences avoided)`;
    }
    analysis.options.donors = (o.donors as string[] | undefined) ?? null;
    analysis.options.excludeUnits = (o.excludeUnits as string[] | undefined) ?? null;
    emitDocument(ctx, 'scm', inputInfo(panel), analysis, common.out);
  },
};
