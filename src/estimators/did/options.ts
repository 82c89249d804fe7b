/**
 * The options of `vru-eval did`, declared once (see src/core/optionTable.ts): the method, then
 * the options of --method twfe and of --method cs.
 */
import { UsageError } from '../../core/errors.js';
import { choice, defineOptions, num, str } from '../../core/optionTable.js';
import { BASE_PERIODS, CS_CONTROLS, CS_DEFAULTS, CS_ESTIMATORS, CS_MULTIPLIERS } from './cs.js';
import { TWFE_DEFAULTS, VCOV_TYPES, WILD_WEIGHTS } from './twfe.js';

export const DID_METHODS = ['twfe', 'cs'] as const;

export const DID_OPTIONS = defineOptions({
  method: choice(DID_METHODS, { flag: '--method <name>', help: 'estimator', default: 'twfe' }),
});

export const TWFE_OPTIONS = defineOptions({
  vcov: choice(VCOV_TYPES, { flag: '--vcov <type>', help: 'twfe: variance estimator', default: TWFE_DEFAULTS.vcov }),
  cluster: str({ flag: '--cluster <col>', help: 'twfe: cluster column for --vcov cluster (default: the unit)' }),
  weights: str({ flag: '--weights <col>', help: 'twfe: regression weight column (e.g. population)' }),
  eventWindow: str({ flag: '--event-window <lo:hi>', help: 'twfe: event-study window of event times, ends binned, reference −1 (e.g. -12:12)', check: (v) => void parseWindow(v) }),
  wildBootstrap: num({ flag: '--wild-bootstrap <n>', help: 'twfe: wild cluster restricted bootstrap replications for the p-value and interval of τ (0 = off)', integer: true, min: 0, max: 1e6, default: 0 }),
  wildWeights: choice(WILD_WEIGHTS, { flag: '--wild-weights <kind>', help: 'twfe: wild bootstrap weights', default: TWFE_DEFAULTS.wildWeights }),
});

export const CS_OPTIONS = defineOptions({
  estimator: choice(CS_ESTIMATORS, { flag: '--estimator <kind>', help: 'cs: ATT(g,t) estimator with covariates: outcome regression (or) or doubly robust (dr)', default: CS_DEFAULTS.estimator }),
  control: choice(CS_CONTROLS, { flag: '--control <group>', help: 'cs: comparison group (never treated, or not yet treated)', default: CS_DEFAULTS.control }),
  basePeriod: choice(BASE_PERIODS, { flag: '--base-period <kind>', help: 'cs: base period of pre-treatment ATT(g,t)', default: CS_DEFAULTS.basePeriod }),
  reps: num({ flag: '--reps <n>', aliases: [{ flag: '--boots <n>' }], help: 'cs: multiplier-bootstrap replications for uniform bands (0 = none)', integer: true, min: 0, max: 1e6, default: CS_DEFAULTS.boots }),
  bootstrapWeights: choice(CS_MULTIPLIERS, { flag: '--bootstrap-weights <kind>', help: 'cs: multipliers of the uniform-band bootstrap (rademacher as the did package; gaussian under-covers less with small cohorts)', default: CS_DEFAULTS.multiplier }),
});

/** Parse '-12:12' into [lo, hi]. */
export function parseWindow(s: string): [number, number] {
  const m = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(s);
  if (!m) throw new UsageError('BAD_EVENT_WINDOW', `--event-window '${s}' must be lo:hi event times, e.g. -12:12`, { value: s });
  return [Number(m[1]), Number(m[2])];
}
