/**
 * Method runners for the hold-out placebo test of `vru-eval pretrends`: each runs one method through
 * the generic `analyse(panel, { method, ... })` (src/analyse.ts) on the placebo panel, with the
 * method's default options and inference at the given level and seed (gsynth's bootstrap size
 * may be set). Method-specific flags are not passed through yet.
 */
import type { Panel } from '../core/panel.js';
import type { Analysis } from '../core/result.js';
import { analyse } from '../analyse.js';
import { placeboHoldout, type MethodRunner } from '../estimators/pretrend/placebo.js';
import { residualSd } from '../estimators/pretrend/eventTests.js';
import { requirePanelOutcomeVariation } from '../core/degenerate.js';
import { UsageError } from '../core/errors.js';

export const PLACEBO_METHODS = ['gsynth', 'synth', 'sdid', 'ascm', 'twfe', 'cs'] as const;
export type PlaceboMethod = (typeof PLACEBO_METHODS)[number];

/** The method with its defaults; `boots` sets gsynth's bootstrap replications (default 1000 in gsynth). */
export function runnerFor(method: PlaceboMethod, level: number, seed: number, boots?: number): MethodRunner {
  return async (p: Panel): Promise<Analysis> => {
    const common = { seed, level };
    const r =
      method === 'gsynth'
        ? await analyse(p, { method, ...common, ...(boots !== undefined ? { boots } : {}) })
        : method === 'cs'
          ? await analyse(p, { method, ...common, reps: 0 })
          : await analyse(p, { method, ...common });
    return r.analysis;
  };
}

export interface PretrendsAnalyseOptions {
  method: PlaceboMethod;
  placeboHoldout: number;
  equivalenceBound?: number | undefined;
  boots?: number | undefined;
  strict?: boolean | undefined;
  seed: number;
  level: number;
}

/** Words for one period of a frequency. */
export function periodWord(freq: string): string {
  return freq.startsWith('month') ? 'month' : freq.startsWith('quarter') ? 'quarter' : freq.startsWith('year') || freq.startsWith('annual') ? 'year' : freq.startsWith('week') ? 'week' : 'period';
}

/**
 * `vru-eval pretrends`: the hold-out placebo test of one method on a panel, as a result document
 * (estimate null; the test in `pretrends.placebo`). @throws UsageError (BOOTS_GSYNTH_ONLY, PLACEBO_TOO_FEW_PERIODS)
 */
export async function analysePretrends(panel: Panel, o: PretrendsAnalyseOptions): Promise<Analysis> {
  if (o.boots !== undefined && o.method !== 'gsynth') throw new UsageError('OPTION_NOT_FOR_METHOD', `--reps applies to --method gsynth here, not --method ${o.method}`, { flag: '--reps' });
  requirePanelOutcomeVariation(panel, `pretrends --method ${o.method}`);
  const sdE = residualSd(panel.y, panel.treated, panel.units.length, panel.periods.length);
  const bound = o.equivalenceBound ?? 0.36 * sdE;
  const pl = await placeboHoldout(panel, o.placeboHoldout, runnerFor(o.method, o.level, o.seed, o.boots), o.level, bound, periodWord(String(panel.frequency)));
  return {
    method: o.method,
    options: { method: o.method, placeboHoldout: o.placeboHoldout, equivalenceBound: bound, boots: o.boots ?? null, methodOptions: 'defaults', level: o.level, seed: o.seed, strict: o.strict ?? false },
    estimate: null,
    path: [],
    units: [],
    diagnostics: [{ code: 'PLACEBO_HOLDOUT', passed: pl.passed, value: pl.pValue, message: pl.summary }],
    warnings: pl.warnings.map((w) => ({ code: w.code, message: `placebo run: ${w.message}` })),
    pretrends: { placebo: pl, residualSd: sdE, equivalenceBoundSource: o.equivalenceBound !== undefined ? 'user (--equivalence-bound)' : `0.36 × residual SD of untreated cells (${sdE.toPrecision(4)})` },
  };
}
