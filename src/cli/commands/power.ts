/**
 * `vru-eval power <panel>`: minimum detectable effect and power curve of a design, by simulation
 * on the panel's own history (statistics in src/power). Flags → library → document.
 */
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { readOptions } from '../../core/optionTable.js';
import { periodIndexOf, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { requirePanelOutcomeVariation } from '../../core/degenerate.js';
import { POWER_OPTIONS } from '../../power/options.js';
import { powerAnalysis } from '../../power/document.js';
import type { CliContext } from '../context.js';
import { emitDocument } from '../context.js';
import { counter } from '../progress.js';
import { addOptions, givenOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, commonFrom, panelOptionsFrom } from '../options.js';

export function powerCommand(ctx: CliContext): Command {
  const cmd = new Command('power')
    .description('minimum detectable effect and power curve of a design, simulated on the panel\'s own pre-programme history: pseudo-treated areas or pseudo-start dates, a known effect added, the method run with its own inference (--method gsynth|synth|micro|sdid|ascm|its|twfe|cs); analytic DiD MDE (Bloom 1995; Burlig, Preonas & Woerman 2020) for twfe')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, POWER_OPTIONS);
  return cmd.action(async (file: string, o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    const v = readOptions(POWER_OPTIONS, o);
    const given = givenOptions(command);
    // every flag is used or rejected
    if (given.has('reps') && v.method !== 'gsynth' && v.method !== 'synth') throw new UsageError('OPTION_NOT_FOR_METHOD', `--reps sets the bootstrap / placebo draws of gsynth and synth; --method ${v.method} uses an analytic or jackknife interval (drop --reps)`, { flag: '--reps', method: v.method });
    for (const [key, flag, what] of [['errors', '--errors', 'the error model'], ['seasonality', '--seasonality', 'the seasonal terms']] as const) {
      if (v[key] !== undefined && v.method !== 'its') throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} sets ${what} of ITS runs; --method ${v.method} does not take it (drop ${flag})`, { flag, method: v.method });
    }
    const popts = panelOptionsFrom(o);
    // --start without --treated-units: a hypothetical programme start (periods before it are the history)
    const hypothetical = popts.treatedUnits === undefined ? popts.start : undefined;
    if (hypothetical !== undefined) delete popts.start;
    if (o.covariates !== undefined) throw new UsageError('OPTION_NOT_USED', "'power' runs each method on the outcome alone; --covariates is not used (drop it)", { flag: '--covariates' });
    let outcomeScale = v.outcomeScale ?? (popts.population !== undefined ? 'rate' : null);
    if (given.has('ratePer') && outcomeScale !== 'rate') throw new UsageError('OPTION_NOT_USED', '--rate-per converts a rate to offences, which needs --population <col> (or --outcome-scale rate)', { flag: '--rate-per' });
    if (outcomeScale === 'rate' && popts.population === undefined) throw new UsageError('SCALE_NEEDS_POPULATION', '--outcome-scale rate needs --population <col> to turn the MDE into offences', { flag: '--outcome-scale' });
    const effects = v.effects?.map((s) => {
      const x = Number(s);
      if (s.trim() === '' || !Number.isFinite(x) || x < 0) throw new UsageError('BAD_NUMBER', `--effects '${s}' must be a number ≥ 0 (effect magnitudes; the sign comes from --direction)`, { flag: '--effects', value: s });
      return x;
    });
    if (effects && v.effectType === 'proportional' && effects.some((x) => x >= 1) && v.direction === 'decrease') throw new UsageError('BAD_NUMBER', '--effects with --effect-type proportional --direction decrease must be proportions below 1 (0.1 = a 10% fall)', { flag: '--effects' });
    if (common.level < 0.5) throw new UsageError('BAD_NUMBER', `--level ${common.level}: the test size is 1 − level, so give e.g. --level 0.95 for α = 5%`, { flag: '--level' });
    const panel = readPanel(file, popts);
    requirePanelOutcomeVariation(panel, 'power');
    const start = hypothetical !== undefined ? periodIndexOf(panel, hypothetical, '--start') : undefined;
    const progress = counter(ctx, `power ${v.method}`);
    const analysis = await powerAnalysis(panel, {
      method: v.method,
      nTreated: v.nTreated,
      post: v.post,
      sims: v.sims,
      effects,
      effectType: v.effectType,
      direction: v.direction,
      power: v.power,
      alpha: 1 - common.level,
      placebo: v.placebo,
      reps: v.reps,
      errors: v.errors,
      seasonality: v.seasonality,
      start,
      seed: common.seed,
      outcomeScale: outcomeScale as 'rate' | 'count' | null,
      ratePer: v.ratePer,
      progress: progress ? (done, total) => progress({ phase: 'simulated designs', done, total }) : undefined,
    });
    emitDocument(ctx, 'power', inputInfo(panel), analysis, common.out);
  });
}
