/**
 * vru-eval library API. Estimators are pure functions from a {@link Panel} and
 * options to an {@link Analysis}; the CLI wraps analyses in the result document.
 */
export * from './core/errors.js';
export * from './core/periods.js';
export * from './core/panel.js';
export * from './core/result.js';
export { RESULT_SCHEMA } from './core/schema.js';
export { Rng, DEFAULT_SEED } from './core/rng.js';
export { summarisePanel, type PanelSummary } from './core/summary.js';
export * from './estimators/cba/index.js';
export * from './estimators/its/index.js';
export * from './estimators/did/index.js';
export { main } from './cli/main.js';
export * from './plot/index.js';
export { buildReport, type ReportInput, type ReportOptions } from './report/index.js';
export { synth, type SynthOptions } from './estimators/synth/synth.js';
export { simplexQP, simplexLS, type SimplexResult } from './estimators/synth/simplex.js';
export { sdid, type SdidOptions } from './estimators/sdid/sdid.js';
export { ascm, type AscmOptions } from './estimators/ascm/ascm.js';
export { gsynth, FORCES, INFERENCES, type GsynthOptions, type Force, type Inference as GsynthInference, type Progress, type ProgressCallback } from './estimators/gsynth/index.js';
export { buildPoliceUkPanel, type PoliceUkOptions, type PoliceUkResult } from './policeuk/build.js';
export type { Manifest as PoliceUkManifest } from './policeuk/manifest.js';
export { CRIME_TYPES, CRIME_SLUGS } from './policeuk/format.js';
export { micro, microDataFromPanel, MICRO_INFERENCES, PERM_POOLS, PERM_STATS, type MicroData, type MicroOptions, type MicroInference, type MatchPeriods, type MicroProgress, type OutcomeResult as MicroOutcomeResult, type InferenceBlock as MicroInferenceBlock, type PermPool, type PermStat } from './estimators/micro/index.js';
export { microFromPanel, microColumns, prepareMicro, autoMatchPeriods, autoPerms, type MicroRequest } from './estimators/micro/prepare.js';
