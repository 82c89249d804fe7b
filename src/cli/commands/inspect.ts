import { Command } from 'commander';
import { readPanel } from '../../core/panel.js';
import { summarisePanel } from '../../core/summary.js';
import type { CliContext } from '../context.js';
import { addPanelOptions, panelOptionsFrom } from '../options.js';
import { writeFileAtomic } from '../io.js';
import { findManifest, summariseManifest } from '../../policeuk/manifest.js';

export function inspectCommand(ctx: CliContext): Command {
  const cmd = new Command('inspect')
    .description('validate a long panel CSV and print a JSON summary: units, periods, frequency, treated units and starts, pre/post lengths, missing cells, covariates')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd)
    .option('--out <file>', 'write the summary here instead of stdout')
    .option('--manifest <file>', "manifest of a panel built by 'vru-eval panel' (default: <csv>.manifest.json beside the panel, when present)");
  return cmd.action((file: string, o: Record<string, unknown>) => {
    const panel = readPanel(file, panelOptionsFrom(o));
    const manifest = findManifest(file, o.manifest as string | undefined);
    const text = JSON.stringify({ ...summarisePanel(panel), ...(manifest ? { manifest: summariseManifest(manifest) } : {}) }, null, 2) + '\n';
    if (typeof o.out === 'string') writeFileAtomic(o.out, text);
    else ctx.io.stdout(text);
  });
}
