/**
 * Method runners for the hold-out placebo test of `vru-eval pretrends`: each runs one method from
 * the library with its default options (and its default inference) at the given level and seed.
 * A stand-in for the generic `analyse(panel, { method })` being built on the arch branch; when that
 * lands, `runnerFor` should delegate to it so that method options pass through.
 */
import type { Panel } from '../../core/panel.js';
import { Rng } from '../../core/rng.js';
import type { Analysis } from '../../core/result.js';
import { estimateCs, estimateTwfe, TWFE_DEFAULTS } from '../did/index.js';
import { ascm } from '../ascm/ascm.js';
import { gsynth } from '../gsynth/index.js';
import { sdid } from '../sdid/sdid.js';
import { synth } from '../synth/synth.js';
import type { MethodRunner } from './placebo.js';

export const PLACEBO_METHODS = ['gsynth', 'synth', 'sdid', 'ascm', 'twfe', 'cs'] as const;
export type PlaceboMethod = (typeof PLACEBO_METHODS)[number];

/** The method with its library defaults; `boots` caps gsynth's bootstrap (default 1000 in gsynth). */
export function runnerFor(method: PlaceboMethod, level: number, seed: number, boots?: number): MethodRunner {
  switch (method) {
    case 'gsynth':
      return (p: Panel) => gsynth(p, { level, seed, ...(boots !== undefined ? { boots } : {}) });
    case 'synth':
      return (p: Panel) => synth(p, { level, seed });
    case 'sdid':
      return (p: Panel) => sdid(p, { level, seed });
    case 'ascm':
      return (p: Panel) => ascm(p, { level, seed });
    case 'twfe':
      return (p: Panel): Analysis => estimateTwfe(p, { vcov: 'cluster', cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: null, wildBootstrap: 0, wildWeights: 'rademacher', level, seed, maxIter: TWFE_DEFAULTS.maxIter, tol: TWFE_DEFAULTS.tol }, new Rng(seed));
    case 'cs':
      return (p: Panel): Analysis => estimateCs(p, { estimator: 'or', control: 'never', basePeriod: 'varying', boots: 0, level, seed }, new Rng(seed));
  }
}
