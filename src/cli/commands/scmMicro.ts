/**
 * `vru-eval scm --method micro`: micro-area synthetic control (Robbins, Saunders & Kilmer 2017;
 * microsynth). Parses its own flags, reads the panel (several outcomes at once), calls the
 * library (`microFromPanel`, which does every preparation step), emits the document.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../../core/errors.js';
import { readOptions } from '../../core/optionTable.js';
import { MICRO_OPTIONS, parseMatchPeriods } from '../../estimators/micro/options.js';
import { SCM_OPTIONS } from './scmOptions.js';
import { requirePanelOutcomeVariation } from '../../core/degenerate.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { MICRO_INFERENCES, type MicroInference, type MicroProgress } from '../../estimators/micro/index.js';
import { microColumns, microFromPanel, type MicroRequest } from '../../estimators/micro/prepare.js';
import { emitDocument, outputOf, type CliContext } from '../context.js';
import { commonFrom, panelOptionsFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';

const CLEAR = '\r\x1b[K';

/** Progress with a time estimate (stderr on a terminal only), redrawn at most every 200 ms. */
function progressWithEta(ctx: CliContext): ((p: MicroProgress) => void) | undefined {
  if (!outputOf(ctx).progress) return undefined;
  let last = 0;
  let phase = '';
  let t0 = 0;
  return (p) => {
    const now = Date.now();
    if (p.phase !== phase) {
      phase = p.phase;
      t0 = now;
    }
    if (p.done < p.total && now - last < 200) return;
    last = now;
    const s = (now - t0) / 1000;
    const eta = p.done > 0 && p.done < p.total && s > 1 ? `, about ${Math.ceil((s * (p.total - p.done)) / p.done)} s left` : '';
    ctx.io.stderr(`${CLEAR}micro ${p.phase}: ${p.done}/${p.total}${eta}${p.done === p.total ? '\n' : ''}`);
  };
}

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
    const req: MicroRequest = {
      outcomes: String(o.outcome).split(','),
      ...(v.matchOutcomes ? { matchOutcomes: v.matchOutcomes } : {}),
      ...(v.matchCovariates ? { matchCovariates: v.matchCovariates } : {}),
      ...(v.matchMin ? { matchMin: v.matchMin } : {}),
      matchPeriods: v.matchPeriods === 'auto' ? 'auto' : parseMatchPeriods(v.matchPeriods),
      ...(v.endPost !== undefined ? { endPost: v.endPost } : {}),
      inference: inference as MicroInference[],
      perms: v.perms ?? 'auto',
      ...(v.jackGroups !== undefined ? { jackGroups: v.jackGroups } : {}),
      weightRange: v.weightRange,
      calfun: v.calfun,
      permStat: v.permStat,
      permPool: v.permPool,
      maxImbalance: v.maxImbalance,
      seed: common.seed,
      level: common.level,
      balanceTol: v.balanceTol,
      maxIter: 500,
    };
    const panel = applyDonorPool(readPanel(file, microColumns(req, panelOptionsFrom(o))), { donors: scm.donors, excludeUnits: scm.excludeUnits });
    requirePanelOutcomeVariation(panel, 'scm --method micro'); // issue 15: one CONSTANT_OUTCOME error in every command (first outcome)
    // Threads: two (or fewer cores) when the placebo work is large; the document does not depend on it.
    const work = panel.units.length * (v.perms ?? 1000);
    const threads = v.threads ?? (inference.includes('permutation') && work >= 2e6 ? Math.max(1, Math.min(2, availableParallelism())) : 1);
    const progress = progressWithEta(ctx);
    const analysis = await microFromPanel(panel, { ...req, threads, ...(progress ? { progress } : {}) });
    analysis.options.donors = scm.donors ?? null;
    analysis.options.excludeUnits = scm.excludeUnits ?? null;
    emitDocument(ctx, 'scm', inputInfo(panel), analysis, common.out);
  },
};
