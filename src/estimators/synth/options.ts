/**
 * The options of `scm --method synth`, declared once (see src/core/optionTable.ts).
 */
import { bool, choice, custom, defineOptions, num, numberArg, str, strList } from '../../core/optionTable.js';
import { splitPredictorList } from './predictors.js';
import { SCM_REPS } from '../scmOptions.js';
import { SYNTH_PLACEBO, SYNTH_V, SYNTH_V_SEARCH } from './synth.js';

const appendPredictors = (value: string, previous: string[] = []) => [...previous, ...splitPredictorList(value)];

export const SYNTH_OPTIONS = defineOptions({
  predictors: strList({ flag: '--predictors <list>', help: '[synth] predictors var@P, var@A:B, var@A:B:step, a+b@A:B, share(a|b|c)@A:B, comma-separated (default: every pre-period outcome, V = I)', parse: appendPredictors }),
  predictorsFile: str({ flag: '--predictors-file <json>', help: '[synth] JSON array of predictor strings (alternative to --predictors)' }),
  v: choice(SYNTH_V, { flag: '--v <method>', help: '[synth] predictor weights V with --predictors (default nested)' }),
  vSearch: choice(SYNTH_V_SEARCH, { flag: '--v-search <how>', help: '[synth] nested-V search starts: equal V; equal and regression-based V; or those plus one per predictor and 8 quasi-random (default equal-regression)' }),
  optimisationWindow: str({ flag: '--optimisation-window <from:to>', help: '[synth] periods whose outcome MSPE nested V minimises (default: all pre periods)' }),
  placebo: choice(SYNTH_PLACEBO, { flag: '--placebo <kind>', help: '[synth] placebo analysis', default: 'space' }),
  placeboStart: str({ flag: '--placebo-start <period>', help: '[synth] fake start for --placebo time' }),
  placeboFilter: num({ flag: '--placebo-filter <k>', help: "[synth] drop space placebos with pre-RMSPE > k × the treated unit's", min: 0, exclusiveMin: true }),
  reps: SCM_REPS,
  loo: bool({ flag: '--loo', help: '[synth] leave-one-donor-out refits for each donor with positive weight' }),
  trainingPredictors: strList({ flag: '--training-predictors <list>', help: '[synth] two-step V (ADH 2015): predictors of the training step, same number and order as --predictors; V chosen on them over --training-window, then held fixed', parse: appendPredictors }),
  trainingWindow: str({ flag: '--training-window <from:to>', help: '[synth] periods whose outcome MSPE the training V minimises (with --training-predictors)' }),
  uniquenessTol: custom<number | 'off'>({
    flag: '--uniqueness-tol <x>',
    help: "[synth] weight uniqueness: range of the ATT and counterfactuals over weightings whose pre-period loss is within this fraction of the optimum (default 0.01; 'off' to skip)",
    parse: (v: string) => (v === 'off' ? 'off' : numberArg('--uniqueness-tol', { min: 0 })(v)),
    schema: { oneOf: [{ type: 'number', minimum: 0 }, { const: 'off' }] },
    toArgs: (v) => [[String(v)]],
  }),
});
