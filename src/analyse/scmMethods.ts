/**
 * The synthetic-control analyses of `vru-eval scm` as the library knows them: name (value of
 * --method / `method`), one-line description and option table. The CLI adds a runner to each
 * (src/cli/commands/scmRegistry.ts); plans read the tables from here, so src/plan needs no CLI module.
 */
import { defineOptions, type OptionTable } from '../core/optionTable.js';
import { SCM_OPTIONS, scmMethodOption } from '../estimators/scmOptions.js';
import { GSYNTH_OPTIONS } from '../estimators/gsynth/options.js';
import { SYNTH_OPTIONS } from '../estimators/synth/options.js';
import { SDID_OPTIONS } from '../estimators/sdid/options.js';
import { ASCM_OPTIONS } from '../estimators/ascm/options.js';
import { MICRO_OPTIONS } from '../estimators/micro/options.js';

export interface ScmAnalysis {
  name: string;
  description: string;
  options: OptionTable;
}

export const SCM_METHOD_NAMES = ['gsynth', 'synth', 'sdid', 'ascm', 'micro'] as const;
export type ScmMethodName = (typeof SCM_METHOD_NAMES)[number];

export const SCM_ANALYSES: Readonly<Record<ScmMethodName, ScmAnalysis>> = {
  gsynth: { name: 'gsynth', description: 'generalized synthetic control, interactive fixed effects (Xu 2017)', options: GSYNTH_OPTIONS },
  synth: { name: 'synth', description: 'classic synthetic control (Abadie et al.) with placebo and conformal inference', options: SYNTH_OPTIONS },
  sdid: { name: 'sdid', description: 'synthetic difference-in-differences (Arkhangelsky et al. 2021), also its SC and DID; staggered adoption by cohort', options: SDID_OPTIONS },
  ascm: { name: 'ascm', description: 'augmented synthetic control, ridge bias correction (Ben-Michael, Feller & Rothstein 2021)', options: ASCM_OPTIONS },
  micro: { name: 'micro', description: 'micro-area synthetic control: exact calibration weights on thousands of small areas (Robbins et al. 2017, microsynth)', options: MICRO_OPTIONS },
};

/** The options of `scm` itself (the method's own options come from its table). */
export const SCM_COMMAND_OPTIONS = defineOptions({ method: scmMethodOption(SCM_METHOD_NAMES), ...SCM_OPTIONS });

/**
 * Replications each scm method accepts (the checks its analysis makes when it runs, for plans to
 * make at validation time): gsynth's bootstrap needs ≥ 2; sdid's ≥ 2 and only with
 * --inference placebo or bootstrap. Null when `reps` is fine.
 */
export function scmRepsProblem(method: string, reps: number, inference: string | undefined): string | null {
  if (method === 'gsynth' && reps < 2) return `gsynth's bootstrap needs reps ≥ 2 (got ${reps})`;
  if (method === 'sdid') {
    const inf = inference ?? 'placebo';
    if (inf !== 'placebo' && inf !== 'bootstrap') return `reps applies to sdid's inference placebo or bootstrap, not ${inf} (drop reps)`;
    if (reps < 2) return `sdid's ${inf} needs reps ≥ 2 (got ${reps})`;
  }
  return null;
}
