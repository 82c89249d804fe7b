/** Interrupted time series (segmented regression) — public entry points. */
export { estimateIts, DEFAULT_ITS_MAX_ITER, DEFAULT_ITS_TOL, type ItsCoefficient } from './estimate.js';
export { ITS_FAMILIES, ITS_AGGREGATES, parseErrors, parseSeasonality, errorsLabel, seasonalityLabel, type ItsOptions, type ItsFamily, type ItsAggregate, type ErrorModel, type Seasonality } from './spec.js';
export { fitArmaRegression, whiten, pacfToCoefficients, coefficientsToPacf, polynomialRootModuli, type ArmaFit } from './arma.js';
export { fitPoisson, type PoissonFit } from './glm.js';
export { neweyWestVcov, defaultNeweyWestLag } from './hac.js';
export { durbinWatson, ljungBox, autocorrelations, type LjungBox } from './diagnostics.js';
export { buildDesign, type Design, type DesignSpec, type SeriesData } from './design.js';
