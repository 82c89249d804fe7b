/**
 * `vru-eval plot <result.json>`: draw a chart of a result document written by any
 * estimating command (SVG or PNG by the --out extension; SVG on stdout without --out).
 */
import { Command } from 'commander';
import { readOptions } from '../../core/optionTable.js';
import { CHART_OPTIONS, PLOT_OPTIONS } from '../../plot/options.js';
import { parseMark } from '../../plot/marks.js';
import { readResultDocument } from '../../plot/document.js';
import { chartFormat, writeChartFile } from '../chartFile.js';
import type { CliContext } from '../context.js';
import { noteSummary, outputOf } from '../context.js';
import { addOptions } from '../optionFlags.js';
import { checkWritable } from '../io.js';

/** Chart flags shared by `plot` and `report`. */
export function addChartOptions(cmd: Command): Command {
  return addOptions(cmd, CHART_OPTIONS);
}

export function plotCommand(ctx: CliContext): Command {
  const cmd = new Command('plot')
    .description('draw a chart of a result document: SVG, or PNG when --out ends in .png')
    .argument('<result.json>', "result document written by scm, its, did or cba ('-' for stdin)");
  addOptions(cmd, PLOT_OPTIONS);
  addChartOptions(cmd);
  return cmd.action(async (file: string, o: Record<string, unknown>) => {
    const v = readOptions(PLOT_OPTIONS, o);
    const c = readOptions(CHART_OPTIONS, o);
    const out = v.out;
    if (out !== undefined && out !== '-') chartFormat(out, '--out');
    if (typeof v.spec === 'string') checkWritable(v.spec, '--spec');
    const marks = (c.mark ?? []).map(parseMark);
    const doc = readResultDocument(file);
    const output = outputOf(ctx);
    const saved = out !== undefined && out !== '-';
    const kind = await writeChartFile(
      doc,
      out,
      { kind: v.kind, marks, yLabel: c.yLabel, title: v.title, width: v.width, height: v.height, scale: v.scale, spec: v.spec },
      '--out',
      // the SVG itself goes to stdout only for machines (piped, --json); a terminal gets the summary
      output.mode === 'json' ? ctx.io.stdout : undefined,
    );
    if (typeof v.spec === 'string') (ctx.wrote ??= []).push({ file: v.spec, what: 'Vega-Lite specification' });
    if (saved) (ctx.wrote ??= []).push({ file: out, what: `${kind} chart` });
    noteSummary(ctx, `vru-eval plot: drew the ${kind} chart of ${file} (${doc.command} ${doc.method})`, saved ? [] : ['not saved: give --out chart.svg (or .png), or pipe the output (> chart.svg) to get the SVG']);
  });
}
