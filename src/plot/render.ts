/**
 * Rendering: Vega-Lite → Vega → SVG with vega's headless View (no browser, no canvas:
 * text widths are estimated), and SVG → PNG with resvg (a prebuilt binary from npm).
 * vega, vega-lite and resvg are imported lazily, so commands that do not draw do not pay
 * for loading them.
 */
import { UsageError } from '../core/errors.js';
import type { ResultDocument } from '../core/result.js';
import { defaultKind, type PlotKind } from './kinds.js';
import { chartSpec, type PlotOptions, type VlSpec } from './specs.js';
import { vegaTextWidth } from './textWidth.js';

export interface RenderedChart {
  kind: PlotKind;
  /** The Vega-Lite specification (what `--spec` writes). */
  spec: VlSpec;
  svg: string;
  /** Warnings from the vega-lite compiler and the vega runtime (expected empty). */
  warnings: string[];
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text of a spec's title and subtitle lines. */
function titleOf(spec: VlSpec): { title: string; subtitle: string[] } {
  const t = spec.title as { text?: string; subtitle?: string[] } | string | undefined;
  if (typeof t === 'string') return { title: t, subtitle: [] };
  return { title: t?.text ?? 'Chart', subtitle: t?.subtitle ?? [] };
}

/**
 * Render a Vega-Lite spec to an SVG string. Adds <title> and <desc> (the chart's title,
 * subtitle and description) with role="img" for screen readers.
 */
export async function renderSvg(spec: VlSpec): Promise<{ svg: string; warnings: string[] }> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  // No canvas in Node: replace vega's crude 0.8-em-per-character guess with per-character widths.
  ((vega as unknown as { textMetrics: { width: unknown } }).textMetrics).width = vegaTextWidth;
  const warnings: string[] = [];
  const collect = (...args: readonly unknown[]) => warnings.push(args.map(String).join(' '));
  const logger = {
    level: () => logger,
    error: (...a: readonly unknown[]) => {
      collect(...a);
      return logger;
    },
    warn: (...a: readonly unknown[]) => {
      collect(...a);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  const compiled = vl.compile(spec as never, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const { title, subtitle } = titleOf(spec);
  const desc = [...subtitle, typeof spec.description === 'string' ? spec.description : ''].filter(Boolean).join(' ');
  svg = svg.replace(/^<svg([^>]*)>/, (_m, attrs: string) => `<svg${attrs} role="img" aria-labelledby="vru-title vru-desc"><title id="vru-title">${escapeXml(title)}</title><desc id="vru-desc">${escapeXml(desc)}</desc>`);
  return { svg: svg.endsWith('\n') ? svg : svg + '\n', warnings };
}

/** Render a chart of a result document (the default kind for its method unless `o.kind`). */
export async function renderChart(doc: ResultDocument, o: PlotOptions = {}): Promise<RenderedChart> {
  const kind = o.kind ?? defaultKind(doc);
  if (kind === null) throw new UsageError('NOTHING_TO_PLOT', `this ${doc.method} result has no path, event path, weights or cost-benefit block to draw`, { method: doc.method });
  const spec = chartSpec(doc, kind, o);
  const { svg, warnings } = await renderSvg(spec);
  return { kind, spec, svg, warnings };
}

/**
 * SVG → PNG at `scale` × the SVG's pixel size (resvg, system fonts; DejaVu/Liberation Sans are
 * the first choices of the charts' font list). Without any system font the PNG has no text.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
  return r.render().asPng();
}

/**
 * Make every id in an SVG unique with `prefix` (and the references to them), so several
 * charts can sit inline in one HTML page without their clip paths and gradients colliding.
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]!);
  if (ids.size === 0) return svg;
  let out = svg.replace(/(\sid=")([^"]+)"/g, (_m, a: string, id: string) => `${a}${prefix}${id}"`);
  out = out.replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : m));
  out = out.replace(/(href=")#([^"]+)"/g, (m, a: string, id: string) => (ids.has(id) ? `${a}#${prefix}${id}"` : m));
  out = out.replace(/(aria-labelledby=")([^"]+)"/g, (_m, a: string, list: string) => `${a}${list.split(/\s+/).map((id) => (ids.has(id) ? prefix + id : id)).join(' ')}"`);
  return out;
}
