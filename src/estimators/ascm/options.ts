/**
 * The options of `scm --method ascm`, declared once (see src/core/optionTable.ts).
 */
import { bool, choice, defineOptions, num } from '../../core/optionTable.js';
import { ASCM_MODELS } from './ascm.js';

export const ASCM_OPTIONS = defineOptions({
  ascmModel: choice(ASCM_MODELS, { flag: '--ascm-model <m>', help: '[ascm] outcome model: ridge (ridge ASCM, default) or none (plain synthetic control)' }),
  ascmLambda: num({ flag: '--ascm-lambda <x>', help: '[ascm] ridge penalty λ (default: cross-validation over pre-periods)', min: 0 }),
  ascmCv: choice(['1se', 'min'] as const, { flag: '--ascm-cv <rule>', help: '[ascm] λ from cross-validation: largest within one SE of the minimum (1se, default) or the minimum' }),
  ascmDemean: bool({ flag: '--ascm-demean', help: '[ascm] de-meaned variant: fit each series minus its pre-period mean (intercept shift)' }),
});
