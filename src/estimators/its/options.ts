/**
 * The options of `vru-eval its`, declared once (see src/core/optionTable.ts).
 */
import { bool, choice, custom, defineOptions, num, str, strList } from '../../core/optionTable.js';
import { DEFAULT_ITS_MAX_ITER, DEFAULT_ITS_TOL } from './estimate.js';
import { ARMA_METHODS, ITS_AGGREGATES, ITS_CONTROL_MODELS, ITS_FAMILIES, parseErrors, parseSeasonality } from './spec.js';

export const ITS_OPTIONS = defineOptions({
  series: str({ flag: '--series <unit>', help: 'analyse this one unit (default: the treated units, aggregated; or the only unit)' }),
  units: strList({ flag: '--units <a,b,...>', help: 'aggregate these units into the analysed series' }),
  aggregate: choice(ITS_AGGREGATES, { flag: '--aggregate <how>', help: 'combine several units by their mean or their sum', default: 'mean' }),
  interruption: strList({ flag: '--interruption <period>', help: 'interruption period, repeatable, each with its own level and slope change (default: the treatment start)', split: 'repeat' }),
  slope: bool({ flag: '--no-slope', help: 'step (level) changes only, no slope changes', default: true }),
  dummy: strList({ flag: '--dummy <from:to>', help: 'shock window, e.g. a lockdown 2020-04:2020-05 (repeatable; kept in the counterfactual)', split: 'repeat' }),
  seasonality: str({ flag: '--seasonality <spec>', help: 'none, month (quarter dummies for quarterly data) or fourier:K (K sin/cos pairs)', default: 'none', check: (v) => void parseSeasonality(v) }),
  family: choice(ITS_FAMILIES, { flag: '--family <name>', help: 'outcome model', default: 'gaussian' }),
  offset: str({ flag: '--offset <col>', help: 'population column: log(col) is the offset of a count model' }),
  errors: str({ flag: '--errors <spec>', help: 'Gaussian errors: ols, newey-west[:lag], ar:p, arma:p,q, arima:p,1,q (drifting, random-walk errors), local-level, or auto (default: chosen from the pre-period by a unit-root test, residual checks and AIC; count families use the GLM variance)', default: 'auto', check: (v) => void parseErrors(v) }),
  armaMethod: choice(ARMA_METHODS, { flag: '--arma-method <m>', help: 'estimation of ARMA error parameters: exact restricted ML (default, as nlme::gls; less biased in short series) or exact maximum likelihood', default: 'reml' }),
  /** CLI: `--control` (every never-treated unit) or `--control a,b`; plan: true or a list of units. */
  control: custom<true | string>({
    flag: '--control [a,b,...]',
    help: 'controlled ITS: comparison units (aggregated like the series); without a list (then put it after <csv>), every never-treated unit',
    schema: { anyOf: [{ const: true }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    toArgs: (v: unknown) => (v === true ? [[]] : [[Array.isArray(v) ? v.join(',') : String(v)]]),
  }),
  controlModel: choice(ITS_CONTROL_MODELS, { flag: '--control-model <m>', help: 'with --control: stacked (both series in one regression, Linden 2015; default) or difference (the regression of treated − comparison, which removes a trend the areas share)' }),
  maxIter: num({ flag: '--max-iter <n>', help: 'iteration limit of IRLS / the ARMA likelihood maximisation', integer: true, min: 1, default: DEFAULT_ITS_MAX_ITER }),
  tol: num({ flag: '--tol <x>', help: 'convergence tolerance (relative change of deviance / log-likelihood)', min: 0, exclusiveMin: true, default: DEFAULT_ITS_TOL }),
});
