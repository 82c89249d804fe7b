/**
 * `vru-eval pretrends <panel> --method m --placebo-holdout k`: the hold-out placebo test for any
 * method (gsynth, synth, sdid, ascm, twfe, cs) run with its default options. For twfe and cs the
 * event-study tests and the method's own options are on `did` (--pretrends, --placebo-holdout).
 */
import { Command } from 'commander';
import { bool, choice, defineOptions, num, readOptions } from '../../core/optionTable.js';
import { readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { EstimationError } from '../../core/errors.js';
import { PLACEBO_METHODS, analysePretrends } from '../../analyse/pretrends.js';
import { emitDocument, type CliContext } from '../context.js';
import { addOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, commonFrom, panelOptionsFrom } from '../options.js';
import { step } from '../progress.js';

export const PRETRENDS_OPTIONS = defineOptions({
  method: choice(PLACEBO_METHODS, { flag: '--method <name>', help: 'method to test (run with its default options and inference)', default: 'gsynth' }),
  placeboHoldout: num({ flag: '--placebo-holdout <k>', help: 'hold out the last k pre-periods: re-estimate on the pre-period with a pseudo start k periods early and test the placebo effect', integer: true, min: 1, max: 1000, default: 3 }),
  equivalenceBound: num({ flag: '--equivalence-bound <x>', help: 'equivalence bound in outcome units (default 0.36 × the residual SD of untreated cells)', min: 0, exclusiveMin: true }),
  reps: num({ flag: '--reps <n>', aliases: [{ flag: '--boots <n>' }], help: 'gsynth only: bootstrap replications of the placebo run (default: gsynth\'s 1000)', integer: true, min: 50, max: 1e6 }),
  strict: bool({ flag: '--strict', help: 'exit with status 4 when the placebo test fails', default: false }),
});

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
    const panel = step(ctx, `reading ${file}`, () => readPanel(file, panelOptionsFrom(o)));
    const { reps, ...rest } = v;
    const analysis = await analysePretrends(panel, { ...rest, boots: reps, seed: common.seed, level: common.level });
    emitDocument(ctx, 'pretrends', inputInfo(panel), analysis, common.out);
    const placebo = (analysis.pretrends as { placebo: { passed: boolean | null; summary: string } }).placebo;
    if (v.strict && placebo.passed === false) throw new EstimationError('PLACEBO_FAILED', placebo.summary, {});
  });
}
