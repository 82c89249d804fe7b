/**
 * `vru-eval pretrends <panel> --method m --placebo-holdout k [method flags]`: the hold-out placebo
 * test for any method (gsynth, synth, sdid, ascm, twfe, cs) and, for gsynth, synth, sdid and ascm,
 * the joint Wald / F test of the held-out effects with TOST and Roth (2022) power. The method's own
 * flags (scm's shared and per-method tables) are passed through and validated by its table; a
 * flag of another method is a usage error. For twfe and cs the event-study tests and their
 * options are on `did` (--pretrends, --placebo-holdout).
 */
import { Command } from 'commander';
import { bool, choice, defineOptions, num, readOptions, type OptionTable } from '../../core/optionTable.js';
import { readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { EstimationError, UsageError } from '../../core/errors.js';
import { SCM_OPTIONS } from '../../estimators/scmOptions.js';
import { SCM_ANALYSES } from '../../analyse/scmMethods.js';
import { PLACEBO_METHODS, analysePretrends, type PlaceboMethod } from '../../analyse/pretrends.js';
import { emitDocument, type CliContext } from '../context.js';
import { addOptions, givenOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, commonFrom, panelOptionsFrom } from '../options.js';
import { step } from '../progress.js';

export const PRETRENDS_OPTIONS = defineOptions({
  method: choice(PLACEBO_METHODS, { flag: '--method <name>', help: "method to test, run with its own options (the scm flags of that method) and inference", default: 'gsynth' }),
  placeboHoldout: num({ flag: '--placebo-holdout <k>', help: 'hold out the last k pre-periods: re-estimate on the pre-period with a pseudo start k periods early and test the placebo effects', integer: true, min: 1, max: 1000, default: 3 }),
  equivalenceBound: num({ flag: '--equivalence-bound <x>', help: 'equivalence bound in outcome units (default 0.36 × the residual SD of untreated cells)', min: 0, exclusiveMin: true }),
  strict: bool({ flag: '--strict', help: 'exit with status 4 when the placebo test fails', default: false }),
});

/** Methods whose flags pretrends passes through: scm's shared table plus the method's own. */
const SCM_TESTED = ['gsynth', 'synth', 'sdid', 'ascm'] as const;
/** sdid and ascm also read gsynth's --rate-per (offences avoided with --population), as in scm. */
const RATE_PER_READERS: readonly string[] = ['gsynth', 'sdid', 'ascm'];

/** Keys of the option tables a method reads here. */
function methodTables(method: PlaceboMethod): OptionTable[] {
  return (SCM_TESTED as readonly string[]).includes(method) ? [SCM_OPTIONS, SCM_ANALYSES[method as (typeof SCM_TESTED)[number]].options] : [];
}

/**
 * The method flags given on the command line, as the method's options (camelCase keys).
 * @throws UsageError OPTION_NOT_FOR_METHOD for a flag the method does not read.
 */
export function methodOptionsGiven(method: PlaceboMethod, o: Record<string, unknown>, given: ReadonlySet<string>): Record<string, unknown> {
  const own = new Set(methodTables(method).flatMap((t) => Object.keys(t)));
  if (RATE_PER_READERS.includes(method)) own.add('ratePer');
  const all: OptionTable[] = [SCM_OPTIONS, ...SCM_TESTED.map((m) => SCM_ANALYSES[m].options)];
  const out: Record<string, unknown> = {};
  for (const t of all) {
    for (const key of Object.keys(t)) {
      if (!given.has(key)) continue;
      const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
      if (!own.has(key)) {
        const hint = method === 'twfe' || method === 'cs' ? `; twfe and cs take their options on did: vru-eval did --method ${method} … --placebo-holdout k` : '';
        throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} is not an option of --method ${method} in pretrends${hint}`, { flag, method });
      }
      out[key] = readOptions({ [key]: t[key]! } as OptionTable, o)[key];
    }
  }
  return out;
}

export function pretrendsCommand(ctx: CliContext): Command {
  const cmd = new Command('pretrends')
    .description('pre-trend tests: hold out the last k pre-treatment periods, re-estimate with a pseudo start and test the placebo effects (fect-style), for gsynth, synth, sdid, ascm, twfe or cs; for gsynth, synth, sdid and ascm also the joint Wald/F test of the held-out effects (covariance from the method\'s replications), TOST and Roth (2022) power. Method flags (e.g. --factors 2 --reps 200) are passed to the method')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, PRETRENDS_OPTIONS);
  addOptions(cmd, SCM_OPTIONS);
  for (const m of SCM_TESTED) addOptions(cmd, SCM_ANALYSES[m].options);
  return cmd.action(async (file: string, o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    const v = readOptions(PRETRENDS_OPTIONS, o);
    const methodOptions = methodOptionsGiven(v.method, o, givenOptions(command));
    const panel = step(ctx, `reading ${file}`, () => readPanel(file, panelOptionsFrom(o)));
    const analysis = await analysePretrends(panel, { ...v, methodOptions, seed: common.seed, level: common.level });
    emitDocument(ctx, 'pretrends', inputInfo(panel), analysis, common.out);
    const placebo = (analysis.pretrends as { placebo: { passed: boolean | null; summary: string } }).placebo;
    if (v.strict && placebo.passed === false) throw new EstimationError('PLACEBO_FAILED', placebo.summary, {});
  });
}
