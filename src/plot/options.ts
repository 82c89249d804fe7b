/**
 * Options of `vru-eval plot` and `vru-eval report`, declared once (see src/core/optionTable.ts).
 */
import { choice, defineOptions, num, str, strList } from '../core/optionTable.js';
import { PLOT_KINDS } from './kinds.js';

/** Chart options shared by `plot` and `report` (and plan charts). */
export const CHART_OPTIONS = defineOptions({
  mark: strList({ flag: '--mark <period:label>', help: 'a dated event drawn as a dotted vertical with its label, e.g. --mark 2020-04:lockdown (repeatable)', split: 'repeat' }),
  yLabel: str({ flag: '--y-label <text>', help: 'y-axis title with units (default: the outcome column, with "per 100,000" when the result records --rate-per)' }),
});

export const PLOT_OPTIONS = defineOptions({
  out: str({ flag: '--out <file>', help: 'chart file, .svg or .png (written atomically); without it the SVG goes to stdout', plan: false }),
  kind: choice(PLOT_KINDS, { flag: '--kind <kind>', help: 'chart kind (default from the method: synth/gsynth → observed, its → its, twfe/cs → event, cba → cba; docs/commands/plot.md says what each draws)' }),
  spec: str({ flag: '--spec <file>', help: 'also write the Vega-Lite specification (JSON) here, to restyle the chart', plan: false }),
  title: str({ flag: '--title <text>', help: 'chart title (default per kind)' }),
  width: num({ flag: '--width <px>', help: 'plot area width in pixels (per panel for small multiples; default 640 for time charts)', integer: true, min: 50, max: 5000 }),
  height: num({ flag: '--height <px>', help: 'plot area height in pixels (per panel for small multiples; default 300 for time charts)', integer: true, min: 50, max: 5000 }),
  scale: num({ flag: '--scale <n>', help: 'PNG pixel density: zoom over the SVG size', min: 0.1, max: 10, default: 2 }),
});

export const REPORT_OPTIONS = defineOptions({
  out: str({ flag: '--out <file>', help: 'HTML file (written atomically); without it the page goes to stdout', plan: false }),
  title: str({ flag: '--title <text>', help: 'page title (default from the method, or the number of analyses)' }),
});
