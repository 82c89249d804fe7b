/**
 * Text width estimates for vega's layout in Node. Without node-canvas vega guesses
 * 0.8 em per character, which makes titles and legends far too wide (charts with large
 * empty margins). These per-character advance widths approximate DejaVu Sans (the first
 * font in the charts' font list, and resvg's default), rounded up slightly so that labels
 * never overlap when a browser substitutes a narrower font such as Helvetica or Arial.
 */

const W: Record<string, number> = {};
const set = (chars: string, w: number) => {
  for (const c of chars) W[c] = w;
};
set('abcdeghknopqsuvxyz', 0.62);
set('ftr()[]{}', 0.41);
set("iljI|.,:;!'", 0.31);
set(' ', 0.32);
set('0123456789£$', 0.64);
set('mw', 0.92);
set('ABCDEFGHJKLNOPQRSTUVXYZ', 0.73);
set('MW', 0.95);
set('-_', 0.42);
set('−×+=<>~', 0.84);
set('%…—&@', 1.0);
set('–', 0.5);

/** Estimated width in pixels of `text` at `fontSize`, bold 10% wider. */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const c of text) em += W[c] ?? 0.7;
  return em * fontSize * (bold ? 1.1 : 1);
}

interface TextItem {
  fontSize?: number | null;
  fontWeight?: string | number | null;
}

/** Drop-in for vega-scenegraph's `textMetrics.width(item, text)`. */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const s = text === null || text === undefined ? '' : String(text).trim();
  const size = item.fontSize !== null && item.fontSize !== undefined ? +item.fontSize || 0 : 11;
  const w = item.fontWeight;
  const bold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
  return estimateTextWidth(s, size, bold);
}
