/**
 * Writing charts to files for the CLI (`vru-eval plot`, and `--plot` on every estimating
 * command): everything is rendered in memory first, then each file is written atomically.
 */
import { extname } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ResultDocument } from '../core/result.js';
import { writeFileAtomic } from '../io/atomic.js';

export type ChartFormat = 'svg' | 'png';

/**
 * Format of a chart file from its extension.
 * @throws UsageError BAD_PLOT_FILE unless it ends in .svg or .png
 */
export function chartFormat(file: string, flag: string): ChartFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.png') return 'png';
  throw new UsageError('BAD_PLOT_FILE', `${flag} ${file}: the file name must end in .svg or .png (the format follows the extension)`, { flag, file });
}

export interface ChartFileOptions {
  kind?: import('./kinds.js').PlotKind | undefined;
  marks?: readonly import('./axis.js').EventMark[] | undefined;
  yLabel?: string | undefined;
  title?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  /** PNG pixel density (zoom factor over the SVG size). */
  scale?: number | undefined;
  /** Also write the Vega-Lite spec here. */
  spec?: string | undefined;
}

/** Render `doc` and write the chart (and optionally its Vega-Lite spec). Returns the kind drawn. */
export async function writeChartFile(doc: ResultDocument, file: string | undefined, o: ChartFileOptions, flag: string, stdout?: (s: string) => void): Promise<string> {
  const format = file === undefined || file === '-' ? 'svg' : chartFormat(file, flag);
  const { renderChart, svgToPng } = await import('./render.js');
  const chart = await renderChart(doc, { kind: o.kind, marks: o.marks, yLabel: o.yLabel, title: o.title, width: o.width, height: o.height });
  const bytes = format === 'png' ? await svgToPng(chart.svg, o.scale ?? 2) : chart.svg;
  const specText = o.spec !== undefined ? JSON.stringify(chart.spec, null, 2) + '\n' : null;
  if (specText !== null) writeFileAtomic(o.spec!, specText);
  if (file === undefined || file === '-') stdout?.(chart.svg);
  else writeFileAtomic(file, bytes);
  return chart.kind;
}
