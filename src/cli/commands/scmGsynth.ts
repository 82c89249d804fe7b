/**
 * `vru-eval scm --method gsynth`: generalized synthetic control (Xu 2017).
 * Reads gsynth's typed options (table: src/estimators/gsynth/options.ts), reads the panel, runs the library, emits the document.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../../core/errors.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { cellCounts, missingCellIndices, missingCellsWarning, requirePanelOutcomeVariation, withCells } from '../../core/degenerate.js';
import { readOptions } from '../../core/optionTable.js';
import { GSYNTH_OPTIONS } from '../../estimators/gsynth/options.js';
import { INFERENCES, gsynth, type Inference } from '../../estimators/gsynth/index.js';
import { emitDocument, type CliContext } from '../context.js';
import { commonFrom, panelOptionsFrom } from '../options.js';
import { SCM_OPTIONS } from './scmOptions.js';
import type { ScmMethod } from './scmMethods.js';
import { counter, step } from '../progress.js';
import { resolveOutcomeScale, type OutcomeScale } from '../outcomeScale.js';

export const gsynthMethod: ScmMethod = {
  name: 'gsynth',
  description: 'generalized synthetic control, interactive fixed effects (Xu 2017)',
  options: GSYNTH_OPTIONS,
  run: async (ctx: CliContext, file: string, o: Record<string, unknown>) => {
    const common = commonFrom(o);
    const v = readOptions(GSYNTH_OPTIONS, o);
    const scm = readOptions(SCM_OPTIONS, o);
    const inference = scm.inference ?? 'parametric';
    if (!(INFERENCES as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method gsynth (choose ${INFERENCES.join(', ')})`, { flag: '--inference', allowed: INFERENCES });
    }
    let panel = step(ctx, `reading ${file}`, () => readPanel(file, panelOptionsFrom(o)));
    panel = applyDonorPool(panel, { donors: scm.donors, excludeUnits: scm.excludeUnits });
    // counts of offences: a rate × population / --rate-per, or the outcome itself (--outcome-scale count: population 1, rate per 1)
    const scale = resolveOutcomeScale(panel, scm.outcomeScale as OutcomeScale | undefined);
    if (scale === 'count') panel = { ...panel, population: new Float64Array(panel.y.length).fill(1), populationColumn: '1' };
    // Default: two threads (or fewer cores) when the resampling work is large enough to repay a
    // helper thread (≈ 30 ms to start, overlapped with cross-validation, but it compiles the kernels
    // afresh, so its first replications are slow), else this thread. Results are identical either way.
    const work = panel.units.length * panel.periods.length ** 2 * v.boots * (inference === 'parametric' ? 2 : 1);
    const workers = v.workers ?? (work >= 1e9 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
    const progress = counter(ctx, 'gsynth');
    requirePanelOutcomeVariation(panel, 'scm --method gsynth');
    const analysis = await gsynth(panel, {
      force: v.force,
      factors: v.factors,
      factorsMax: v.factorsMax,
      inference: inference as Inference,
      boots: v.boots,
      seed: common.seed,
      level: common.level,
      ratePer: scale === 'count' ? 1 : v.ratePer,
      excludePeriods: v.excludePeriods ?? [],
      tol: v.tol,
      maxIter: v.maxIter,
      em: v.em,
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
    analysis.options.donors = scm.donors ?? null;
    analysis.options.excludeUnits = scm.excludeUnits ?? null;
    const miss = missingCellIndices(panel);
    const w = missingCellsWarning(panel, miss, `were not used as data: missing control cells are imputed by the factor model (EM), missing treated pre-treatment cells are left out of the loadings fit, and missing treated post-treatment cells have no effect estimate and are left out of the ATT`);
    if (w) analysis.warnings.push(w);
    // Cells used: observed cells outside the --exclude-periods windows (path rows marked excluded).
    const excluded = new Set(analysis.path.filter((p) => p.excluded === true).map((p) => panel.periods.indexOf(p.period)));
    const T = panel.periods.length;
    let used = 0;
    for (let k = 0; k < panel.y.length; k++) if (!Number.isNaN(panel.y[k]!) && !excluded.has(k % T)) used++;
    emitDocument(ctx, 'scm', withCells(inputInfo(panel), cellCounts(panel, miss, undefined, used)), analysis, common.out);
  },
};
