import { Command } from 'commander';
import { readPanel } from '../../core/panel.js';
import { summarisePanel } from '../../core/summary.js';
import type { CliContext } from '../context.js';
import { addPanelOptions, panelOptionsFrom } from '../options.js';
import { emitData } from '../context.js';

export function inspectCommand(ctx: CliContext): Command {
  const cmd = new Command('inspect')
    .description('validate a long panel CSV and print a JSON summary: units, periods, frequency, treated units and starts, pre/post lengths, missing cells, covariates')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd).option('--out <file>', 'write the summary here instead of stdout');
  return cmd.action((file: string, o: Record<string, unknown>) => {
    const panel = readPanel(file, panelOptionsFrom(o));
    const summary = summarisePanel(panel);
    emitData(ctx, summary, o.out as string | undefined, async (output) => {
      const { renderObjectSummary } = await import('../summary.js');
      return renderObjectSummary(`vru-eval inspect: ${panel.file}`, summary, output);
    });
  });
}
