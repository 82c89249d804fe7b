/**
 * `vru-eval report <result.json>… --out report.html`: one self-contained HTML page
 * (no scripts, no network requests) with every analysis in words, numbers and charts.
 */
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { readOptions } from '../../core/optionTable.js';
import { CHART_OPTIONS, REPORT_OPTIONS } from '../../plot/options.js';
import { addOptions } from '../optionFlags.js';
import { readResultDocument } from '../../plot/document.js';
import { parseMark } from '../../plot/marks.js';
import type { CliContext } from '../context.js';
import { emitArtifact } from '../context.js';
import { addChartOptions } from './plot.js';

export function reportCommand(ctx: CliContext): Command {
  const cmd = new Command('report')
    .description('one self-contained HTML page from one or more result documents: question, data, estimates in words and numbers, charts, diagnostics, warnings, options and seed')
    .argument('<result.json...>', 'result documents written by scm, its, did or cba (one section each, in this order)');
  addOptions(cmd, REPORT_OPTIONS);
  addChartOptions(cmd);
  return cmd.action(async (files: string[], o: Record<string, unknown>) => {
    const v = readOptions(REPORT_OPTIONS, o);
    const c = readOptions(CHART_OPTIONS, o);
    const out = v.out;
    if (out !== undefined && out !== '-' && !/\.html?$/i.test(out)) throw new UsageError('BAD_REPORT_FILE', `--out ${out}: the report is HTML; give a file name ending in .html`, { flag: '--out', file: out });
    const marks = (c.mark ?? []).map(parseMark);
    const inputs = files.map((file) => ({ doc: readResultDocument(file), file }));
    const { buildReport } = await import('../../report/html.js');
    const html = await buildReport(inputs, { title: v.title, marks, yLabel: c.yLabel });
    emitArtifact(ctx, html, out, 'HTML report', `vru-eval report: ${inputs.length} analys${inputs.length === 1 ? 'is' : 'es'} in one page`, [
      ...inputs.map((i) => `${i.file}: ${i.doc.command} ${i.doc.method}`),
      `${Math.round(html.length / 1024)} KB of self-contained HTML (no scripts, no network requests)`,
    ]);
  });
}
