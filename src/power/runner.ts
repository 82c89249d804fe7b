/**
 * Running one method on a (simulated) panel and reading off its test of "no effect".
 *
 * The power simulation (simulate.ts) needs, for every method, one call: panel in, estimate and
 * the method's own interval / p-value out. It is the shared `analyse(panel, { method, ... })`
 * (src/analyse.ts), so a power run prepares and estimates exactly as the command does, with the
 * method's defaults except where power runs need them cheap (resampling draws, micro's jackknife;
 * recorded in the power document's `options.runs`).
 *
 * `shiftEquivariant`: adding δ to every treated post-period cell moves the estimate and both ends
 * of the interval by exactly δ (the counterfactual is built from controls and pre-periods only, and
 * the interval is centred on the estimate with a width that does not depend on the treated post
 * outcomes). For such methods the power at any δ follows from one run per simulated design
 * (simulate.ts, 'shift' evaluation); tests/power/shift.test.ts checks the property on the fixture
 * against real reruns for each method declared so.
 */
import type { Panel } from '../core/panel.js';
import type { Analysis } from '../core/result.js';
import { UsageError } from '../core/errors.js';
import { analyse, type AnalyseOptions } from '../analyse.js';

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
  /** The analyse() options of a run (what `settings` records). */
  options(seed: number): AnalyseOptions;
  run(panel: Panel, seed: number): Promise<RunOutcome>;
}

export interface RunnerSettings {
  /** Confidence level of the method's interval (1 − α). */
  level: number;
  /** Resampling draws of bootstrap / placebo inference inside each power run. */
  reps: number;
  /** its only: the error model of each run (default 'auto'). */
  errors?: string | undefined;
  /** its only: seasonal terms of each run (default 'none'). */
  seasonality?: string | undefined;
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
  const make = (inference: string, shiftEquivariant: boolean, settings: Record<string, unknown>, options: (seed: number) => AnalyseOptions): MethodRunner => ({
    method,
    inference,
    shiftEquivariant,
    settings,
    options,
    run: async (p, seed) => outcomeOf((await analyse(p, options(seed))).analysis, method),
  });
  switch (method) {
    case 'gsynth':
      return make('parametric', true, { inference: 'parametric', boots: s.reps, factors: 'auto', force: 'two-way' }, (seed) => ({ method, inference: 'parametric', boots: s.reps, workers: 1, seed, level }));
    case 'synth':
      return make('placebo', false, { inference: 'placebo', placebo: 'space', placeboDraws: s.reps, uniquenessTol: 'off' }, (seed) => ({ method, inference: 'placebo', placebo: 'space', placeboDraws: s.reps, uniquenessTol: 'off', seed, level }));
    case 'sdid':
      return make('jackknife', true, { inference: 'jackknife', estimator: 'sdid' }, (seed) => ({ method, inference: 'jackknife', seed, level }));
    case 'ascm':
      return make('jackknife+', true, { inference: 'jackknife+', model: 'ridge', cvRule: '1se' }, (seed) => ({ method, inference: 'jackknife+', seed, level }));
    case 'micro':
      return make('jackknife', false, { inference: 'jackknife', matchPeriods: 'total', calfun: 'linear', weightRange: false }, (seed) => ({ method, inference: 'jackknife', matchPeriods: 'total', calfun: 'linear', weightRange: false, threads: 1, seed, level }));
    case 'its':
      // The error model ITS would choose on each simulated design (--errors auto: unit-root test, residual checks, AIC);
      // with OLS errors the test over-rejected (size 25% on the fixture, issue 22). The choice depends on the
      // pre-period and on residuals that the post-period level term absorbs, so shifts stay equivariant.
      // Every error model keeps the post-level dummy, which absorbs a shift of the treated post
      // cells, so the error parameters and hence the shifted estimate are unchanged: equivariant.
      return make(s.errors ?? 'auto', true, { family: 'gaussian', errors: s.errors ?? 'auto', seasonality: s.seasonality ?? 'none', aggregate: 'mean', slope: false }, (seed) => ({ method, slope: false, errors: s.errors ?? 'auto', seasonality: s.seasonality ?? 'none', seed, level }));
    case 'twfe':
      return make('cluster-robust-CR1', true, { vcov: 'cluster', cluster: 'unit' }, (seed) => ({ method, vcov: 'cluster', seed, level }));
    case 'cs':
      return make('influence-function', true, { estimator: 'or', control: 'never', boots: 0 }, (seed) => ({ method, boots: 0, seed, level }));
  }
}

/** Whether a run rejects "no effect" at level 1 − α: the interval excludes 0, else p < α. */
export function rejects(r: RunOutcome, alpha: number): boolean {
  if (r.ci !== null) return r.ci[0] > 0 || r.ci[1] < 0;
  if (r.pValue !== null) return r.pValue < alpha;
  return false;
}
