/**
 * Running one method on a (simulated) panel and reading off its test of "no effect".
 *
 * The power simulation (simulate.ts) needs, for every method, one call: panel in, estimate and
 * the method's own interval / p-value out. This is the small internal runner the task allows until
 * the shared `analyse(panel, { method })` (src/analyse.ts, branch arch) lands; everything here goes
 * through the estimators' library entry points with their documented defaults, except the number
 * of resampling draws, which power runs need small (recorded in `options`).
 *
 * `shiftEquivariant`: adding δ to every treated post-period cell moves the estimate and both ends
 * of the interval by exactly δ (the counterfactual is built from controls and pre-periods only, and
 * the interval is centred on the estimate with a width that does not depend on the treated post
 * outcomes). For such methods the power at any δ follows from one run per simulated design
 * (simulate.ts, 'shift' evaluation); tests/power/shift.test.ts checks the property on the fixture
 * against real reruns for each method declared so.
 */
import type { Panel } from '../core/panel.js';
import { Rng } from '../core/rng.js';
import type { Analysis } from '../core/result.js';
import { UsageError } from '../core/errors.js';
import { gsynth } from '../estimators/gsynth/index.js';
import { synth } from '../estimators/synth/synth.js';
import { sdid } from '../estimators/sdid/sdid.js';
import { ascm } from '../estimators/ascm/ascm.js';
import { micro, microDataFromPanel } from '../estimators/micro/index.js';
import { parseMatchPeriods } from '../estimators/micro/options.js';
import { estimateIts } from '../estimators/its/estimate.js';
import { TWFE_DEFAULTS, estimateCs, estimateTwfe } from '../estimators/did/index.js';

export const POWER_METHODS = ['gsynth', 'synth', 'micro', 'sdid', 'ascm', 'its', 'twfe', 'cs'] as const;
export type PowerMethod = (typeof POWER_METHODS)[number];

/** What one run tells the simulation. */
export interface RunOutcome {
  att: number;
  ci: [number, number] | null;
  pValue: number | null;
}

export interface MethodRunner {
  method: PowerMethod;
  /** The inference the method uses in power runs (its own). */
  inference: string;
  /** Settings of the runs (recorded in the power document's options). */
  settings: Record<string, unknown>;
  /** See the module comment. */
  shiftEquivariant: boolean;
  run(panel: Panel, seed: number): Promise<RunOutcome>;
}

export interface RunnerSettings {
  /** Confidence level of the method's interval (1 − α). */
  level: number;
  /** Resampling draws of bootstrap / placebo inference inside each power run. */
  reps: number;
}

function outcomeOf(a: Analysis, method: string): RunOutcome {
  const e = a.estimate;
  const att = e?.att;
  if (e === null || typeof att !== 'number' || !Number.isFinite(att)) {
    throw new UsageError('POWER_RUN_FAILED', `--method ${method} gave no estimate on a simulated design (see the method's own warnings by running it on the panel)`, { method });
  }
  const ci = e.ci && Number.isFinite(e.ci[0]) && Number.isFinite(e.ci[1]) ? e.ci : null;
  const p = typeof e.pValue === 'number' && Number.isFinite(e.pValue) ? e.pValue : null;
  return { att, ci, pValue: p };
}

/** The runner of `method` with power-run settings. */
export function methodRunner(method: PowerMethod, s: RunnerSettings): MethodRunner {
  const level = s.level;
  switch (method) {
    case 'gsynth':
      return {
        method, inference: 'parametric', shiftEquivariant: true,
        settings: { inference: 'parametric', boots: s.reps, factors: 'auto', force: 'two-way' },
        run: async (p, seed) => outcomeOf(await gsynth(p, { inference: 'parametric', boots: s.reps, seed, level, workers: 1 }), method),
      };
    case 'synth':
      return {
        method, inference: 'placebo', shiftEquivariant: false,
        settings: { inference: 'placebo', placebo: 'space', placeboDraws: s.reps, uniquenessTol: null },
        run: async (p, seed) => outcomeOf(synth(p, { inference: 'placebo', placebo: 'space', placeboDraws: s.reps, uniquenessTol: null, level, seed }), method),
      };
    case 'sdid':
      return {
        method, inference: 'jackknife', shiftEquivariant: true,
        settings: { inference: 'jackknife', estimator: 'sdid' },
        run: async (p, seed) => outcomeOf(sdid(p, { inference: 'jackknife', level, seed, covariates: [] }), method),
      };
    case 'ascm':
      return {
        method, inference: 'jackknife+', shiftEquivariant: true,
        settings: { inference: 'jackknife+', model: 'ridge', cvRule: '1se' },
        run: async (p, seed) => outcomeOf(ascm(p, { inference: 'jackknife+', level, seed, covariates: [] }), method),
      };
    case 'micro':
      return {
        method, inference: 'jackknife', shiftEquivariant: false,
        settings: { inference: 'jackknife', matchPeriods: 'total', calfun: 'raking' },
        run: async (p, seed) =>
          outcomeOf(
            await micro(microDataFromPanel(p, [p.outcome], []), { matchPeriods: parseMatchPeriods('total'), inference: ['jackknife'], perms: 1, weightRange: false, seed, level, tol: 1e-10, maxIter: 500, threads: 1 }),
            method,
          ),
      };
    case 'its':
      return {
        method, inference: 'ols', shiftEquivariant: true,
        settings: { family: 'gaussian', errors: 'ols', aggregate: 'mean', slope: false },
        run: async (p, seed) => outcomeOf(estimateIts(p, { slope: false, level, seed }), method),
      };
    case 'twfe':
      return {
        method, inference: 'cluster-robust-CR1', shiftEquivariant: true,
        settings: { vcov: 'cluster', cluster: 'unit' },
        run: async (p, seed) =>
          outcomeOf(estimateTwfe(p, { vcov: 'cluster', cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: null, wildBootstrap: 0, wildWeights: TWFE_DEFAULTS.wildWeights, level, seed, maxIter: TWFE_DEFAULTS.maxIter, tol: TWFE_DEFAULTS.tol }, new Rng(seed)), method),
      };
    case 'cs':
      return {
        method, inference: 'influence-function', shiftEquivariant: true,
        settings: { estimator: 'or', control: 'never', boots: 0 },
        run: async (p, seed) => outcomeOf(estimateCs(p, { estimator: 'or', control: 'never', basePeriod: 'varying', boots: 0, multiplier: 'rademacher', level, seed }, new Rng(seed)), method),
      };
  }
}

/** Whether a run rejects "no effect" at level 1 − α: the interval excludes 0, else p < α. */
export function rejects(r: RunOutcome, alpha: number): boolean {
  if (r.ci !== null) return r.ci[0] > 0 || r.ci[1] < 0;
  if (r.pValue !== null) return r.pValue < alpha;
  return false;
}
