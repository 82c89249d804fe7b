/**
 * `vru-eval its`: interrupted time series (segmented regression) on one unit's
 * series or an aggregate of units, with Gaussian (OLS / Newey–West / ARMA errors)
 * or Poisson / quasi-Poisson models, shock dummies, seasonality and an optional
 * comparison series. Options are declared in src/estimators/its/options.ts; the statistics
 * are in src/estimators/its.
 *
 * Flag names: `--unit <col>` and `--start` keep their shared meaning (unit id
 * column; treatment start with --treated-units). The unit analysed is chosen
 * with `--series <unit>` or `--units a,b`, and interruptions with the
 * repeatable `--interruption <period>` (default: the analysed units' treatment start).
 */
import { Command } from 'commander';
import { ITS_OPTIONS } from '../../estimators/its/options.js';
import { analyseIts, type ItsAnalyseOptions } from '../../analyse.js';
import { emitDocument, type CliContext } from '../context.js';
import { cliHooks } from '../progress.js';
import { addOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, analyseOptionsFrom, commonFrom } from '../options.js';

export function itsCommand(ctx: CliContext): Command {
  const cmd = new Command('its')
    .description('interrupted time series: level and slope changes at one or more interruptions, shock dummies, seasonality; Gaussian (OLS, Newey–West, ARMA errors by exact ML) or Poisson/quasi-Poisson with a log-population offset; optional comparison series')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, ITS_OPTIONS);
  return cmd.action((file: string, o: Record<string, unknown>) => {
    // flags → analyseIts (src/analyse/its.ts: offset, series, treatment from the interruptions) → document
    const r = analyseIts(file, analyseOptionsFrom<ItsAnalyseOptions>(o, [ITS_OPTIONS]), cliHooks(ctx));
    emitDocument(ctx, r.command, r.input, r.analysis, commonFrom(o).out);
  });
}
