/** The options of `vru-eval power` (see src/core/optionTable.ts). */
import { choice, defineOptions, num, str, strList } from '../core/optionTable.js';
import { parseErrors, parseSeasonality } from '../estimators/its/spec.js';
import { POWER_METHODS } from './runner.js';

export const POWER_OPTIONS = defineOptions({
  method: choice(POWER_METHODS, { flag: '--method <name>', help: 'the method whose power is simulated, with its own inference', default: 'gsynth' }),
  nTreated: num({ flag: '--n-treated <n>', help: 'what if: number of treated areas (default: the panel\'s treated areas)', integer: true, min: 1, max: 1e6 }),
  post: num({ flag: '--post <periods>', help: 'what if: post-period length in periods (default: the panel\'s post-period)', integer: true, min: 1, max: 1e6 }),
  sims: num({ flag: '--sims <n>', help: 'simulated placebo designs (Monte Carlo draws)', integer: true, min: 10, max: 1e6, default: 200 }),
  effects: strList({ flag: '--effects <a,b,...>', help: 'effect sizes of the power curve (magnitudes ≥ 0; proportions for --effect-type proportional); default: a grid around the approximate MDE' }),
  effectType: choice(['additive', 'proportional'] as const, { flag: '--effect-type <kind>', help: 'effect added to the treated post cells: additive (outcome units) or proportional (y·(1 ∓ δ), for counts)', default: 'additive' }),
  direction: choice(['decrease', 'increase'] as const, { flag: '--direction <dir>', help: 'direction of the simulated effect', default: 'decrease' }),
  power: num({ flag: '--power <p>', help: 'target power of the MDE', min: 0, max: 1, exclusiveMin: true, default: 0.8 }),
  placebo: choice(['space', 'time'] as const, { flag: '--placebo <kind>', help: 'placebo in space (pseudo-treated never-treated areas) or in time (the treated areas at pseudo-start dates)', default: 'space' }),
  reps: num({ flag: '--reps <n>', help: 'resampling draws inside each run (gsynth bootstrap, synth placebo draws)', integer: true, min: 10, max: 1e6, default: 100 }),
  errors: str({ flag: '--errors <spec>', help: 'its only: error model of each simulated run, as in its --errors (ols, newey-west[:lag], ar:p, arma:p,q, arima:p,1,q, local-level; default auto, chosen on each design)', check: (v) => void parseErrors(v) }),
  seasonality: str({ flag: '--seasonality <spec>', help: 'its only: seasonal terms of each simulated run, as in its --seasonality (none, month, fourier:K; default none); give it when its warns SEASONALITY_UNMODELLED', check: (v) => void parseSeasonality(v) }),
  outcomeScale: choice(['rate', 'count'] as const, { flag: '--outcome-scale <scale>', help: 'for offences over the post period: rate per --rate-per people (needs --population) or count' }),
  ratePer: num({ flag: '--rate-per <n>', help: 'the outcome is a rate per this many people', min: 0, exclusiveMin: true, default: 100000 }),
});
