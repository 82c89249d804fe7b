/**
 * `vru-eval pretrends <panel> --method m --placebo-holdout k`: the hold-out placebo test for any
 * method (gsynth, synth, sdid, ascm, twfe, cs) run with its default options. For twfe and cs the
 * event-study tests and the method's own options are on `did` (--pretrends, --placebo-holdout).
 */
import { Command } from 'commander';
import { bool, choice, defineOptions, num, readOptions } from '../../core/optionTable.js';
import { readPanel } from '../../core/panel.js';
import { inputInfo, type Analysis } from '../../core/result.js';
import { requirePanelOutcomeVariation } from '../../core/degenerate.js';
import { residualSd } from '../../estimators/pretrend/eventTests.js';
import { placeboHoldout } from '../../estimators/pretrend/placebo.js';
import { PLACEBO_METHODS, runnerFor } from '../../estimators/pretrend/runners.js';
import { emitDocument, type CliContext } from '../context.js';
import { addOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, commonFrom, panelOptionsFrom } from '../options.js';
import { step } from '../progress.js';

export const PRETRENDS_OPTIONS = defineOptions({
  method: choice(PLACEBO_METHODS, { flag: '--method <name>', help: 'method to test (run with its default options and inference)', default: 'gsynth' }),
  placeboHoldout: num({ flag: '--placebo-holdout <k>', help: 'hold out the last k pre-periods: re-estimate on the pre-period with a pseudo start k periods early and test the placebo effect', integer: true, min: 1, max: 1000, default: 3 }),
  equivalenceBound: num({ flag: '--equivalence-bound <x>', help: 'equivalence bound in outcome units (default 0.36 × the residual SD of untreated cells)', min: 0, exclusiveMin: true }),
  boots: num({ flag: '--boots <n>', help: 'gsynth only: bootstrap replications of the placebo run (default: gsynth\'s 1000)', integer: true, min: 50, max: 1e6 }),
  strict: bool({ flag: '--strict', help: 'exit with status 4 when the placebo test fails', default: false }),
});

function periodWord(freq: string): string {
  return freq.startsWith('month') ? 'month' : freq.startsWith('quarter') ? 'quarter' : freq.startsWith('year') || freq.startsWith('annual') ? 'year' : freq.startsWith('week') ? 'week' : 'period';
}

export function pretrendsCommand(ctx: CliContext): Command {
  const cmd = new Command('pretrends')
    .description('pre-trend placebo test: hold out the last k pre-treatment periods, re-estimate with a pseudo start, and test the placebo effect (fect-style), for gsynth, synth, sdid, ascm, twfe or cs with default options')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, PRETRENDS_OPTIONS);
  return cmd.action(async (file: string, o: Record<string, unknown>) => {
    const common = commonFrom(o);
    const v = readOptions(PRETRENDS_OPTIONS, o);
    if (v.boots !== undefined && v.method !== 'gsynth') {
      const { UsageError } = await import('../../core/errors.js');
      throw new UsageError('OPTION_NOT_FOR_METHOD', `--boots applies to --method gsynth here, not --method ${v.method}`, { flag: '--boots' });
    }
    const panel = step(ctx, `reading ${file}`, () => readPanel(file, panelOptionsFrom(o)));
    requirePanelOutcomeVariation(panel, `pretrends --method ${v.method}`);
    const sdE = residualSd(panel.y, panel.treated, panel.units.length, panel.periods.length);
    const bound = v.equivalenceBound ?? 0.36 * sdE;
    const run = runnerFor(v.method, common.level, common.seed, v.boots);
    const pl = await placeboHoldout(panel, v.placeboHoldout, run, common.level, bound, periodWord(String(panel.frequency)));
    const analysis: Analysis = {
      method: v.method,
      options: { method: v.method, placeboHoldout: v.placeboHoldout, equivalenceBound: bound, boots: v.boots ?? null, methodOptions: 'library defaults', level: common.level, seed: common.seed, strict: v.strict },
      estimate: null,
      path: [],
      units: [],
      diagnostics: [{ code: 'PLACEBO_HOLDOUT', passed: pl.passed, value: pl.pValue, message: pl.summary }],
      warnings: pl.warnings.map((w) => ({ code: w.code, message: `placebo run: ${w.message}` })),
      pretrends: { placebo: pl, residualSd: sdE, equivalenceBoundSource: v.equivalenceBound !== undefined ? 'user (--equivalence-bound)' : `0.36 × residual SD of untreated cells (${sdE.toPrecision(4)})` },
    };
    emitDocument(ctx, 'pretrends', inputInfo(panel), analysis, common.out);
    if (v.strict && pl.passed === false) {
      const { EstimationError } = await import('../../core/errors.js');
      throw new EstimationError('PLACEBO_FAILED', pl.summary, {});
    }
  });
}
