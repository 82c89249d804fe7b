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
export { synth, SYNTH_INFERENCE, SYNTH_PLACEBO, type SynthOptions } from './estimators/synth/synth.js';
export { simplexQP, simplexLS, type SimplexResult } from './estimators/synth/simplex.js';
export { sdid, SDID_INFERENCE, type SdidOptions, type SdidInference } from './estimators/sdid/sdid.js';
export { ascm, ASCM_INFERENCE, type AscmOptions, type AscmInference } from './estimators/ascm/ascm.js';
export { gsynth, FORCES, INFERENCES, type GsynthOptions, type Force, type Inference as GsynthInference, type Progress, type ProgressCallback } from './estimators/gsynth/index.js';
export { buildPoliceUkPanel, type PoliceUkOptions, type PoliceUkResult } from './policeuk/build.js';
export type { Manifest as PoliceUkManifest } from './policeuk/manifest.js';
export { CRIME_TYPES, CRIME_SLUGS } from './policeuk/format.js';
// micro-area synthetic control (Robbins, Saunders & Kilmer 2017)
export { micro, microDataFromPanel, MICRO_INFERENCES, type MicroData, type MicroOptions, type MicroInference, type MatchPeriods, type MicroProgress } from './estimators/micro/index.js';
// one call per analysis, with the CLI's preparation (src/analyse.ts)
export * from './analyse.js';
export type { AnalyseHooks, PanelSource } from './analyse/source.js';
// the option tables (flags, plan keys and analyse() options derive from them)
export { PANEL_OPTIONS, OUTPUT_OPTIONS } from './core/commonOptions.js';
export { SCM_OPTIONS } from './estimators/scmOptions.js';
export { GSYNTH_OPTIONS } from './estimators/gsynth/options.js';
export { SYNTH_OPTIONS } from './estimators/synth/options.js';
export { SDID_OPTIONS } from './estimators/sdid/options.js';
export { ASCM_OPTIONS } from './estimators/ascm/options.js';
export { MICRO_OPTIONS } from './estimators/micro/options.js';
export { ITS_OPTIONS } from './estimators/its/options.js';
export { DID_OPTIONS, TWFE_OPTIONS, CS_OPTIONS } from './estimators/did/options.js';
export { CBA_OPTIONS } from './estimators/cba/options.js';
export { describe as describePanels, type DescribeOptions } from './describe/describe.js';
