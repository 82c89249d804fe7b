/**
 * `vru-eval plot <result.json>`: draw a chart of a result document written by any
 * estimating command (SVG or PNG by the --out extension; SVG on stdout without --out).
 */
import { basename } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { makeDocument, type ResultDocument } from '../../core/result.js';
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
    .argument('<result.json...>', "result document written by scm, its, did or cba ('-' for stdin); several documents with --kind compare (a forest plot of their estimates)");
  addOptions(cmd, PLOT_OPTIONS);
  addChartOptions(cmd);
  return cmd.action(async (files: string[], o: Record<string, unknown>) => {
    const file = files.join(' ');
    const v = readOptions(PLOT_OPTIONS, o);
    const c = readOptions(CHART_OPTIONS, o);
    const out = v.out;
    if (out !== undefined && out !== '-') chartFormat(out, '--out');
    if (typeof v.spec === 'string') checkWritable(v.spec, '--spec');
    const marks = (c.mark ?? []).map(parseMark);
    const doc = files.length === 1 ? readResultDocument(files[0]!) : await compareDocument(ctx, files, v.kind);
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

/** Several documents drawn together (--kind compare): their comparison, built in memory. */
async function compareDocument(ctx: CliContext, files: readonly string[], kind: string | undefined): Promise<ResultDocument> {
  if (kind !== 'compare') throw new UsageError('ONE_DOCUMENT', `plot draws one result document; several (${files.length}) need --kind compare (a forest plot of their estimates)`, { flag: '--kind' });
  const { compareAnalysis } = await import('../../plan/compare.js');
  const analysis = compareAnalysis(files.map((f) => ({ doc: readResultDocument(f), label: basename(f, '.json'), file: basename(f) })), null);
  return makeDocument('compare', ctx.tool, { files: files.map((f) => ({ file: basename(f), sha256: '', role: 'compared' })) }, analysis);
}
