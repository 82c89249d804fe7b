/**
 * `vru-eval pretrends`: pre-trend tests of one method on a panel, as a result document
 * (estimate null; the tests in `pretrends`). Stages: prepare (options, bound) → placebo (the
 * hold-out re-estimation with the method's own options, through the generic analyse()) → joint
 * (the Wald / F test of the held-out effects with the covariance from the method's replications,
 * TOST per period, linear trend and Roth power; src/estimators/pretrend/heldOutWald.ts) → assemble.
 */
import { subsetUnits, type Panel } from '../core/panel.js';
import type { Analysis, Diagnostic, Warning } from '../core/result.js';
import { analyse, type AnalyseOptions } from '../analyse.js';
import { assemblePlacebo, placeboPanel, type PlaceboPanel, type PlaceboResult } from '../estimators/pretrend/placebo.js';
import { residualSd } from '../estimators/pretrend/eventTests.js';
import { heldOutFromReplicates, heldOutFromSynthPlacebos, heldOutWald, type HeldOutCovariance, type HeldOutWald } from '../estimators/pretrend/heldOutWald.js';
import { requirePanelOutcomeVariation } from '../core/degenerate.js';
import { EstimationError, VruError } from '../core/errors.js';
import { replicatePaths, type ReplicatePaths } from '../core/replicatePaths.js';

export const PLACEBO_METHODS = ['gsynth', 'synth', 'sdid', 'ascm', 'twfe', 'cs'] as const;
export type PlaceboMethod = (typeof PLACEBO_METHODS)[number];
/** Methods whose held-out effects get the joint Wald test here (twfe and cs: `did --pretrends`). */
export const JOINT_METHODS: readonly PlaceboMethod[] = ['gsynth', 'synth', 'sdid', 'ascm'];

/** Runs the method (with the user's options) on a panel. */
type Run = (p: Panel, extra?: Record<string, unknown>) => Promise<Analysis>;

/** The method with the user's options (cs without its bootstrap unless asked), seed and level. */
export function runnerFor(method: PlaceboMethod, level: number, seed: number, methodOptions: Record<string, unknown> = {}): Run {
  return async (p: Panel, extra: Record<string, unknown> = {}): Promise<Analysis> => {
    const base = method === 'cs' ? { reps: 0 } : {};
    const r = await analyse(p, { ...base, ...methodOptions, ...extra, method, seed, level } as AnalyseOptions);
    return r.analysis;
  };
}

export interface PretrendsAnalyseOptions {
  method: PlaceboMethod;
  placeboHoldout: number;
  equivalenceBound?: number | undefined;
  /** The method's own options (camelCase keys of its option table), passed through to it. */
  methodOptions?: Record<string, unknown> | undefined;
  strict?: boolean | undefined;
  seed: number;
  level: number;
}

/** Words for one period of a frequency. */
export function periodWord(freq: string): string {
  return freq.startsWith('month') ? 'month' : freq.startsWith('quarter') ? 'quarter' : freq.startsWith('year') || freq.startsWith('annual') ? 'year' : freq.startsWith('week') ? 'week' : 'period';
}

/**
 * Pre-trend tests of one method. @throws UsageError (OPTION_NOT_FOR_METHOD, PLACEBO_TOO_FEW_PERIODS,
 * the method's own option errors), InputError, EstimationError (the placebo run failed)
 */
export async function analysePretrends(panel: Panel, o: PretrendsAnalyseOptions): Promise<Analysis> {
  requirePanelOutcomeVariation(panel, `pretrends --method ${o.method}`);
  const sdE = residualSd(panel.y, panel.treated, panel.units.length, panel.periods.length);
  const bound = o.equivalenceBound ?? 0.36 * sdE;
  const unit = periodWord(String(panel.frequency));
  const run = runnerFor(o.method, o.level, o.seed, o.methodOptions);
  const pp = placeboPanel(panel, o.placeboHoldout);
  const placeboRun = await run(pp.panel);
  const pl = assemblePlacebo(pp, o.placeboHoldout, placeboRun, o.level, bound, unit);
  const boundSource = o.equivalenceBound !== undefined ? 'user (--equivalence-bound)' : `0.36 × residual SD of untreated cells (${sdE.toPrecision(4)})`;
  const joint = JOINT_METHODS.includes(o.method) ? await jointTest(o.method, pp, placeboRun, run, { level: o.level, bound, boundSource, unit, seed: o.seed }) : { test: null, why: `for --method ${o.method} the joint Wald test, TOST and Roth power are on the event study: vru-eval did --method ${o.method} --event-window … --pretrends` };
  return assemblePretrends(o, pl, placeboRun, joint, bound, boundSource, sdE);
}

/** The joint test, or why it is not available (a reason, not an error: the placebo test stands). */
interface Joint {
  test: HeldOutWald | null;
  why: string | null;
}

/** Covariance of the held-out effects from the method's replications, then the tests. */
async function jointTest(method: PlaceboMethod, pp: PlaceboPanel, a: Analysis, run: Run, opts: { level: number; bound: number; boundSource: string; unit: string; seed: number }): Promise<Joint> {
  try {
    const cov = await heldOutCovariance(method, pp, a, run);
    return { test: heldOutWald(cov, opts), why: null };
  } catch (e) {
    if (e instanceof EstimationError) return { test: null, why: e.message };
    throw e;
  }
}

/** Per method: gsynth and sdid keep their replicate paths; synth has its placebos; ascm is jackknifed here. */
async function heldOutCovariance(method: PlaceboMethod, pp: PlaceboPanel, a: Analysis, run: Run): Promise<HeldOutCovariance> {
  if (method === 'synth') return heldOutFromSynthPlacebos(a, pp.heldOut, pp.pseudoStart, pp.panel.periods, pp.units.length);
  const rp = method === 'ascm' ? await unitJackknife(pp, a, run) : replicatePaths(a);
  if (!rp) throw new EstimationError('PRETREND_NO_REPLICATES', `--inference ${String(a.options.inference)} of --method ${method} gives no replications, so the joint pre-trend test is not available; use the method's default inference`, { method });
  return heldOutFromReplicates(a, pp.heldOut, rp);
}

/**
 * Leave-one-unit-out jackknife of the placebo run for ascm (whose own intervals, conformal and
 * jackknife+, resample periods, not units): the method refitted without each unit with its
 * inference off and the ridge λ held at the placebo run's value. Needs 2 treated units.
 */
async function unitJackknife(pp: PlaceboPanel, a: Analysis, run: Run): Promise<ReplicatePaths> {
  if (pp.units.length < 2) throw new EstimationError('PRETREND_JACKKNIFE_ONE_TREATED', `the joint pre-trend test for ascm uses a leave-one-unit-out jackknife, which needs at least 2 treated units (found ${pp.units.length}); the placebo test above still applies`, {});
  const lambda = a.diagnostics.find((d) => d.code === 'RIDGE_LAMBDA')?.value;
  const extra: Record<string, unknown> = { inference: 'none', ...(typeof lambda === 'number' ? { ascmLambda: lambda, ascmCv: undefined } : {}) };
  const n = pp.panel.units.length;
  const paths: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const sub = subsetUnits(pp.panel, [...Array(n).keys()].filter((j) => j !== i));
    try {
      const r = await run(sub, extra);
      paths.push(Float64Array.from(pp.panel.periods, (p) => r.path.find((q) => q.period === p)?.effect ?? Number.NaN));
    } catch (e) {
      if (!(e instanceof VruError)) throw e;
      paths.push(new Float64Array(pp.panel.periods.length).fill(Number.NaN));
    }
  }
  return { scheme: 'jackknife-units', periods: pp.panel.periods, paths, multiplier: n - 1, df: n - 1 };
}

/** The document: options (with the method's as run), diagnostics and the pretrends block. */
function assemblePretrends(o: PretrendsAnalyseOptions, pl: PlaceboResult, run: Analysis, joint: Joint, bound: number, boundSource: string, sdE: number): Analysis {
  const diagnostics: Diagnostic[] = [{ code: 'PLACEBO_HOLDOUT', passed: pl.passed, value: pl.pValue, message: pl.summary }];
  const warnings: Warning[] = pl.warnings.map((w) => ({ code: w.code, message: `placebo run: ${w.message}` }));
  if (joint.test) diagnostics.push({ code: 'PRETREND_EQUIVALENCE', passed: joint.test.equivalence.equivalent, value: joint.test.equivalence.pValue, message: joint.test.summary });
  else if (JOINT_METHODS.includes(o.method)) warnings.push({ code: 'PRETREND_JOINT_UNAVAILABLE', message: joint.why ?? 'the joint pre-trend test is not available' });
  const { strict, methodOptions, ...rest } = o;
  return {
    method: o.method,
    options: { ...rest, equivalenceBound: bound, methodOptions: methodOptions ?? {}, methodOptionsUsed: run.options, strict: strict ?? false },
    estimate: null,
    path: [],
    units: [],
    diagnostics,
    warnings,
    pretrends: { ...(joint.test ?? {}), ...(joint.test ? {} : { joint: { available: false, reason: joint.why } }), placebo: pl, residualSd: sdE, equivalenceBoundSource: boundSource },
  };
}

