/**
 * Difference-in-differences: two-way fixed effects with event study
 * (twfe.ts) and Callaway & Sant'Anna (2021) group-time effects (cs.ts).
 */
export { estimateTwfe, checkTwfeOptions, TWFE_DEFAULTS, VCOV_TYPES, WILD_WEIGHTS, type TwfeOptions, type VcovType, type WildWeights, type WildResult } from './twfe.js';
export { estimateCs, CS_DEFAULTS, CS_CONTROLS, CS_ESTIMATORS, BASE_PERIODS, type CsEstimator, type CsOptions, type CsControl, type BasePeriod } from './cs.js';
export { treatmentTiming, type Timing } from './design.js';
export { demeanColumns, type FeIndex, type DemeanControl, type Convergence } from './demean.js';
