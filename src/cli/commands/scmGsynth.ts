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
import { INFERENCES, gsynth, type Inference, type Progress } from '../../estimators/gsynth/index.js';
import { emitDocument, type CliContext } from '../context.js';
import { commonFrom, panelOptionsFrom } from '../options.js';
import { SCM_OPTIONS } from './scmOptions.js';
import type { ScmMethod } from './scmMethods.js';

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
    let panel = readPanel(file, panelOptionsFrom(o));
    panel = applyDonorPool(panel, { donors: scm.donors, excludeUnits: scm.excludeUnits });
    // Default: two threads (or fewer cores) when the resampling work is large enough to repay a
    // helper thread (≈ 30 ms to start, overlapped with cross-validation, but it compiles the kernels
    // afresh, so its first replications are slow), else this thread. Results are identical either way.
    const work = panel.units.length * panel.periods.length ** 2 * v.boots * (inference === 'parametric' ? 2 : 1);
    const workers = v.workers ?? (work >= 1e9 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
    let lastDraw = 0;
    const progress = ctx.io.stderrIsTTY
      ? (p: Progress) => {
          const now = Date.now();
          if (p.done < p.total && now - lastDraw < 200) return;
          lastDraw = now;
          ctx.io.stderr(`\rgsynth ${p.phase}: ${p.done}/${p.total}${p.done === p.total ? '\n' : ''}`);
        }
      : undefined;
    requirePanelOutcomeVariation(panel, 'scm --method gsynth');
    const analysis = await gsynth(panel, {
      force: v.force,
      factors: v.factors,
      factorsMax: v.factorsMax,
      inference: inference as Inference,
      boots: v.boots,
      seed: common.seed,
      level: common.level,
      ratePer: v.ratePer,
      excludePeriods: v.excludePeriods ?? [],
      tol: v.tol,
      maxIter: v.maxIter,
      em: v.em,
      workers,
      ...(progress ? { progress } : {}),
    });
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
