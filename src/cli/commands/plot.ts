/**
 * `vru-eval plot <result.json>`: draw a chart of a result document written by any
 * estimating command (SVG or PNG by the --out extension; SVG on stdout without --out).
 */
import { Command, Option } from 'commander';
import { PLOT_KINDS } from '../../plot/kinds.js';
import { parseMark } from '../../plot/marks.js';
import { readResultDocument } from '../../plot/document.js';
import { chartFormat, writeChartFile } from '../chartFile.js';
import type { CliContext } from '../context.js';
import { noteSummary, outputOf } from '../context.js';
import { numberArg, repeatable } from '../options.js';
import { checkWritable } from '../io.js';

/** Chart flags shared by `plot` and `report`. */
export function addChartOptions(cmd: Command): Command {
  return cmd
    .option('--mark <period:label>', 'a dated event drawn as a dotted vertical with its label, e.g. --mark 2020-04:lockdown (repeatable)', repeatable)
    .option('--y-label <text>', 'y-axis title with units (default: the outcome column, with "per 100,000" when the result records --rate-per)');
}

export function plotCommand(ctx: CliContext): Command {
  const cmd = new Command('plot')
    .description('draw a chart of a result document: SVG, or PNG when --out ends in .png')
    .argument('<result.json>', "result document written by scm, its, did or cba ('-' for stdin)")
    .option('--out <file>', 'chart file, .svg or .png (written atomically); without it the SVG goes to stdout')
    .addOption(new Option('--kind <kind>', 'chart kind (default from the method: synth/gsynth → observed, its → its, twfe/cs → event, cba → cba; see the README for what each draws)').choices(PLOT_KINDS))
    .option('--spec <file>', 'also write the Vega-Lite specification (JSON) here, to restyle the chart')
    .option('--title <text>', 'chart title (default per kind)')
    .option('--width <px>', 'plot area width in pixels (per panel for small multiples; default 640 for time charts)', numberArg('--width', { integer: true, min: 50, max: 5000 }))
    .option('--height <px>', 'plot area height in pixels (per panel for small multiples; default 300 for time charts)', numberArg('--height', { integer: true, min: 50, max: 5000 }))
    .option('--scale <n>', 'PNG pixel density: zoom over the SVG size', numberArg('--scale', { min: 0.1, max: 10 }), 2);
  addChartOptions(cmd);
  return cmd.action(async (file: string, o: Record<string, unknown>) => {
    const out = o.out as string | undefined;
    if (out !== undefined && out !== '-') chartFormat(out, '--out');
    if (typeof o.spec === 'string') checkWritable(o.spec, '--spec');
    const marks = ((o.mark as string[] | undefined) ?? []).map(parseMark);
    const doc = readResultDocument(file);
    const output = outputOf(ctx);
    const saved = out !== undefined && out !== '-';
    const kind = await writeChartFile(
      doc,
      out,
      { kind: o.kind as never, marks, yLabel: o.yLabel as string | undefined, title: o.title as string | undefined, width: o.width as number | undefined, height: o.height as number | undefined, scale: o.scale as number, spec: o.spec as string | undefined },
      '--out',
      // the SVG itself goes to stdout only for machines (piped, --json); a terminal gets the summary
      output.mode === 'json' ? ctx.io.stdout : undefined,
    );
    if (typeof o.spec === 'string') (ctx.wrote ??= []).push({ file: o.spec, what: 'Vega-Lite specification' });
    if (saved) (ctx.wrote ??= []).push({ file: out, what: `${kind} chart` });
    noteSummary(ctx, `vru-eval plot: drew the ${kind} chart of ${file} (${doc.command} ${doc.method})`, saved ? [] : ['not saved: give --out chart.svg (or .png), or pipe the output (> chart.svg) to get the SVG']);
  });
}
