import { Command } from 'commander';
import { defineOptions, readOptions, str } from '../../core/optionTable.js';
import { addOptions } from '../optionFlags.js';
import { readPanel } from '../../core/panel.js';
import { summarisePanel } from '../../core/summary.js';
import { requirePanelOutcomeVariation } from '../../core/degenerate.js';
import type { CliContext } from '../context.js';
import { addPanelOptions, panelOptionsFrom } from '../options.js';
import { emitData } from '../context.js';
import { findManifest, summariseManifest } from '../../policeuk/manifest.js';

const INSPECT_OPTIONS = defineOptions({
  out: str({ flag: '--out <file>', help: 'write the summary here instead of stdout', plan: false }),
  manifest: str({ flag: '--manifest <file>', help: "manifest of a panel built by 'vru-eval panel' (default: <csv>.manifest.json beside the panel, when present)", plan: false }),
});

export function inspectCommand(ctx: CliContext): Command {
  const cmd = new Command('inspect')
    .description('validate a long panel CSV and print a JSON summary: units, periods, frequency, treated units and starts, pre/post lengths, missing cells, covariates')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addOptions(addPanelOptions(cmd), INSPECT_OPTIONS);
  return cmd.action((file: string, o: Record<string, unknown>) => {
    const panel = readPanel(file, panelOptionsFrom(o));
    // inspect validates the panel for estimation: a constant outcome fails here as in every method.
    requirePanelOutcomeVariation(panel, 'vru-eval');
    const { out, manifest } = readOptions(INSPECT_OPTIONS, o);
    const found = findManifest(file, manifest);
    const summary = { ...summarisePanel(panel), ...(found ? { manifest: summariseManifest(found) } : {}) };
    emitData(ctx, summary, out, async (output) => {
      const { renderPanelSummary } = await import('../summary.js');
      return renderPanelSummary(summary, output);
    });
  });
}
