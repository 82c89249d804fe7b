import { Command } from 'commander';
import { readPanel } from '../../core/panel.js';
import { summarisePanel } from '../../core/summary.js';
import { requirePanelOutcomeVariation } from '../../core/degenerate.js';
import type { CliContext } from '../context.js';
import { addPanelOptions, panelOptionsFrom } from '../options.js';
import { writeFileAtomic } from '../io.js';

export function inspectCommand(ctx: CliContext): Command {
  const cmd = new Command('inspect')
    .description('validate a long panel CSV and print a JSON summary: units, periods, frequency, treated units and starts, pre/post lengths, missing cells, covariates')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd).option('--out <file>', 'write the summary here instead of stdout');
  return cmd.action((file: string, o: Record<string, unknown>) => {
    const panel = readPanel(file, panelOptionsFrom(o));
    const summary = summarisePanel(panel);
    // inspect validates the panel for estimation: a constant outcome fails here as in every method.
    requirePanelOutcomeVariation(panel, 'vru-eval');
    const text = JSON.stringify(summary, null, 2) + '\n';
    if (typeof o.out === 'string') writeFileAtomic(o.out, text);
    else ctx.io.stdout(text);
  });
}
