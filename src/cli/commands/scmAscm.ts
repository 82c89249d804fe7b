/**
 * `vru-eval scm --method ascm`: augmented synthetic control (Ben-Michael, Feller & Rothstein 2021)
 * (flags → library → document).
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { ASCM_INFERENCE, ASCM_MODELS, ascm, type AscmInference } from '../../estimators/ascm/ascm.js';
import { emitDocument } from '../context.js';
import { commonFrom, numberArg, panelOptionsFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';

export const ascmMethod: ScmMethod = {
  name: 'ascm',
  description: 'augmented synthetic control, ridge bias correction (Ben-Michael, Feller & Rothstein 2021)',
  ownOptions: ['ascmModel', 'ascmLambda', 'ascmCv', 'ascmDemean'],
  addOptions: (cmd: Command) =>
    cmd
      .addOption(new Option('--ascm-model <m>', '[ascm] outcome model: ridge (ridge ASCM, default) or none (plain synthetic control)').choices([...ASCM_MODELS]))
      .option('--ascm-lambda <x>', '[ascm] ridge penalty λ (default: cross-validation over pre-periods)', numberArg('--ascm-lambda', { min: 0 }))
      .addOption(new Option('--ascm-cv <rule>', '[ascm] λ from cross-validation: largest within one SE of the minimum (1se, default) or the minimum').choices(['1se', 'min']))
      .option('--ascm-demean', '[ascm] de-meaned variant: fit each series minus its pre-period mean (intercept shift)'),
  run: (ctx, file, o) => {
    const common = commonFrom(o);
    const inference = (o.inference as string | undefined) ?? 'conformal';
    if (!(ASCM_INFERENCE as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method ascm (choose ${ASCM_INFERENCE.join(', ')})`, { flag: '--inference', value: inference });
    }
    const model = (o.ascmModel as 'ridge' | 'none' | undefined) ?? 'ridge';
    if (model === 'none' && (o.ascmLambda !== undefined || o.ascmCv !== undefined)) throw new UsageError('LAMBDA_WITHOUT_RIDGE', '--ascm-lambda and --ascm-cv apply to --ascm-model ridge');
    if (o.ascmLambda !== undefined && o.ascmCv !== undefined) throw new UsageError('CONFLICTING_LAMBDA', 'give --ascm-lambda or --ascm-cv, not both');
    const panel = applyDonorPool(readPanel(file, panelOptionsFrom(o)), { donors: o.donors as string[] | undefined, excludeUnits: o.excludeUnits as string[] | undefined });
    const analysis = ascm(panel, {
      model,
      lambda: (o.ascmLambda as number | undefined) ?? null,
      cvRule: (o.ascmCv as '1se' | 'min' | undefined) ?? '1se',
      demean: o.ascmDemean === true,
      covariates: panel.covariateNames,
      inference: inference as AscmInference,
      level: common.level,
      seed: common.seed,
    });
    analysis.options = { ...analysis.options, outcome: panel.outcome, donors: (o.donors as string[] | undefined) ?? null, excludeUnits: (o.excludeUnits as string[] | undefined) ?? null };
    emitDocument(ctx, 'scm', inputInfo(panel), analysis, common.out);
  },
};
