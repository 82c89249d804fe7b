/** Charts of result documents: Vega-Lite specs per kind, rendered to SVG/PNG in Node. */
export { PLOT_KINDS, KIND_DESCRIPTIONS, applicableKinds, defaultKind, whyNot, type PlotKind } from './kinds.js';
export { chartSpec, defaultYLabel, OKABE_ITO, type EventMark, type PlotOptions, type VlSpec } from './specs.js';
export { renderChart, renderSvg, svgToPng, prefixSvgIds, type RenderedChart } from './render.js';
export { readResultDocument, checkResultDocument } from './document.js';
export { parseMark } from './marks.js';
