/**
 * `vru-eval scm --method ascm`: augmented synthetic control (Ben-Michael, Feller & Rothstein 2021)
 * (flags → library → document).
 */
import { UsageError } from '../../core/errors.js';
import { cellCounts, missingCellIndices, missingCellsWarning, requirePanelOutcomeVariation, withCells } from '../../core/degenerate.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { readOptions } from '../../core/optionTable.js';
import { ASCM_INFERENCE, ascm, type AscmInference } from '../../estimators/ascm/ascm.js';
import { ASCM_OPTIONS } from '../../estimators/ascm/options.js';
import { emitDocument } from '../context.js';
import { commonFrom, panelOptionsFrom } from '../options.js';
import { resolveOutcomeScale, type OutcomeScale } from '../outcomeScale.js';
import { attachAttCounts } from '../../estimators/attCounts.js';
import { readOptions as readTable } from '../../core/optionTable.js';
import { GSYNTH_OPTIONS } from '../../estimators/gsynth/options.js';
import { SCM_OPTIONS } from './scmOptions.js';
import type { ScmMethod } from './scmMethods.js';

export const ascmMethod: ScmMethod = {
  name: 'ascm',
  description: 'augmented synthetic control, ridge bias correction (Ben-Michael, Feller & Rothstein 2021)',
  options: ASCM_OPTIONS,
  run: (ctx, file, o) => {
    const common = commonFrom(o);
    const v = readOptions(ASCM_OPTIONS, o);
    const scm = readOptions(SCM_OPTIONS, o);
    const inference = scm.inference ?? 'conformal';
    if (!(ASCM_INFERENCE as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method ascm (choose ${ASCM_INFERENCE.join(', ')})`, { flag: '--inference', value: inference });
    }
    const model = v.ascmModel ?? 'ridge';
    if (model === 'none' && (v.ascmLambda !== undefined || v.ascmCv !== undefined)) throw new UsageError('LAMBDA_WITHOUT_RIDGE', '--ascm-lambda and --ascm-cv apply to --ascm-model ridge');
    if (v.ascmLambda !== undefined && v.ascmCv !== undefined) throw new UsageError('CONFLICTING_LAMBDA', 'give --ascm-lambda or --ascm-cv, not both');
    const panel = applyDonorPool(readPanel(file, panelOptionsFrom(o)), { donors: scm.donors, excludeUnits: scm.excludeUnits });
    // issue 21: --population converts the effect to offences avoided, as gsynth (src/cli/outcomeScale.ts)
    const scale = resolveOutcomeScale(panel, scm.outcomeScale as OutcomeScale | undefined);
    requirePanelOutcomeVariation(panel, 'scm --method ascm'); // issue 15: one CONSTANT_OUTCOME error in every command
    const analysis = ascm(panel, {
      model,
      lambda: v.ascmLambda ?? null,
      cvRule: v.ascmCv ?? '1se',
      demean: v.ascmDemean === true,
      covariates: panel.covariateNames,
      inference: inference as AscmInference,
      level: common.level,
      seed: common.seed,
    });
    analysis.options = { ...analysis.options, outcome: panel.outcome, donors: scm.donors ?? null, excludeUnits: scm.excludeUnits ?? null };
    attachAttCounts(analysis, panel, scale, readTable(GSYNTH_OPTIONS, o).ratePer); // --rate-per (declared with gsynth's options)
    // ASCM needs a balanced outcome panel (a missing outcome cell is UNBALANCED_PANEL, exit 3, as classic
    // SC and SDID), so every outcome cell is used; missing covariate cells are left out of the
    // pre-period covariate means, and that is said (MISSING_CELLS) and counted in input.cells.missing.
    const miss = missingCellIndices(panel, undefined, panel.covariateNames.map((c) => panel.covariates[c]!));
    const w = missingCellsWarning(panel, miss, 'were not used: pre-treatment covariate means are taken over the observed cells (every outcome cell is observed: augmented synthetic control needs a balanced outcome panel)');
    if (w) analysis.warnings.push(w);
    emitDocument(ctx, 'scm', withCells(inputInfo(panel), cellCounts(panel, miss)), analysis, common.out);
  },
};
