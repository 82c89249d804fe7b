/**
 * Vega-Lite specifications for every chart kind, built from a result document.
 *
 * Accessibility: every chart has a title, a subtitle that says what the lines, bands
 * and verticals are, axis titles with units, and series told apart by dash pattern or
 * shape as well as colour (readable in greyscale). Colours are the Okabe–Ito
 * colour-blind-safe palette. Periods go on a UTC time scale, so the output does not
 * depend on the machine's time zone.
 */
import { baconBody, placeboFitBody, sensitivityBody } from './sensitivityCharts.js';
import { UsageError } from '../core/errors.js';
import { periodOrdinal, type Frequency } from '../core/periods.js';
import type { ResultDocument } from '../core/result.js';
import { OKABE_ITO, timeAxis, type EventMark, type PlotOptions, type TimeAxis, type VlSpec } from './axis.js';
export { OKABE_ITO, timeAxis, type EventMark, type PlotOptions, type TimeAxis, type VlSpec } from './axis.js';
import {
  asInterval,
  cbaOutcomes,
  cbaTotals,
  coefficients,
  countsAvoided,
  diagnostic,
  documentFrequency,
  eventPath,
  interventionPeriods,
  isNum,
  meanDonorWeights,
  pathPoints,
  placebos,
  ratePer,
  shockWindows,
  unitPaths,
} from './document.js';
import { fmtInt, fmtInterval, fmtLevel, fmtMoney, fmtNumber, humanise, pText, timestamp } from './format.js';
import { KIND_DESCRIPTIONS, whyNot, type PlotKind } from './kinds.js';
import { timeWeightsBody, uniquenessLayer } from './weightsExtra.js';
import { forestSpec } from './forest.js';
import { microPlaceboSpec, microTotalsSpec } from './microSpecs.js';
import { compositeSpec } from './composite.js';
import { describeSpec } from './describeChart.js';
import { powerSpec } from './powerChart.js';

const GREY = '#9A9A9A';
const SOLID: number[] = [1, 0];
const DASHED: number[] = [6, 4];

const CONFIG = {
  font: 'DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#E6E6E6', labelColor: '#222222', titleColor: '#222222', domainColor: '#555555', tickColor: '#555555' },
  title: { fontSize: 15, subtitleFontSize: 11.5, anchor: 'start', subtitleColor: '#333333', offset: 12, subtitlePadding: 4 },
  legend: { orient: 'bottom', labelFontSize: 11, titleFontSize: 11, symbolStrokeWidth: 2.5, symbolSize: 160, labelLimit: 400 },
  header: { labelFontSize: 11 },
} as const;

// ---------------------------------------------------------------------------- axes

/** Y-axis title from the outcome column and the rate denominator, e.g. "violence rate per 100,000". */
export function defaultYLabel(doc: ResultDocument): string {
  const outcome = (doc.input as { outcome?: unknown } | null)?.outcome;
  const name = typeof outcome === 'string' && outcome !== '' ? humanise(outcome) : 'outcome';
  const per = ratePer(doc);
  if (per === null) return name;
  return /rate$/i.test(name) ? `${name} per ${fmtInt(per)}` : `${name} (rate per ${fmtInt(per)})`;
}

const yEnc = (title: string, field = 'value', extra: Record<string, unknown> = {}) => ({ field, type: 'quantitative', title, scale: { zero: false }, ...extra });

// ---------------------------------------------------------------------------- shared layers

/** Dashed verticals at each intervention start and dotted verticals at user marks, each with a text label. */
function verticalLayers(doc: ResultDocument, ax: TimeAxis, marks: readonly EventMark[], xField = 'x', visible?: readonly string[]): VlSpec[] {
  const starts = interventionPeriods(doc);
  const noun = doc.method === 'its' ? 'interruption' : 'start';
  const rows = [
    ...starts.map((p, k) => ({ [xField]: ax.x(p), label: `${noun} ${p}`, aria: `Intervention starts ${p}`, kind: 'intervention', ty: 2 + 13 * k })),
    ...marks.map((m, k) => ({ [xField]: ax.x(m.period), label: m.label === m.period ? m.period : `${m.label} (${m.period})`, aria: `Event: ${m.label} ${m.period}`, kind: 'event', ty: 2 + 13 * (starts.length + k) })),
  ];
  // labels in the right third of the time axis go to the left of their line, so they stay inside the frame
  // (the periods the chart draws: all of the path, or only the post period in the cumulative chart,
  // where the start sits at the left edge and a label to its left would run into the y axis)
  const xs = (visible ?? pathPoints(doc).map((p) => p.period)).map((p) => ax.x(p));
  const lo = xs.length ? Math.min(...xs) : 0;
  const hi = xs.length ? Math.max(...xs) : 1;
  const right = (r: Record<string, unknown>) => hi > lo && ((r[xField] as number) - lo) / (hi - lo) > 0.66;
  if (rows.length === 0) return [];
  const xe = ax.encoding(xField);
  const layers: VlSpec[] = [
    {
      data: { values: rows.filter((r) => r.kind === 'intervention') },
      mark: { type: 'rule', color: OKABE_ITO.black, strokeDash: DASHED, strokeWidth: 1.3 },
      encoding: { x: xe, description: { field: 'aria' } },
    },
    {
      data: { values: rows.filter((r) => r.kind === 'event') },
      mark: { type: 'rule', color: '#555555', strokeDash: [2, 3], strokeWidth: 1.3 },
      encoding: { x: xe, description: { field: 'aria' } },
    },
    {
      data: { values: rows.filter((r) => !right(r)) },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, fontSize: 10, color: '#222222' },
      encoding: { x: xe, y: { field: 'ty', type: 'quantitative', scale: null }, text: { field: 'label' }, description: { field: 'aria' } },
    },
    {
      data: { values: rows.filter((r) => right(r)) },
      mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, fontSize: 10, color: '#222222' },
      encoding: { x: xe, y: { field: 'ty', type: 'quantitative', scale: null }, text: { field: 'label' }, description: { field: 'aria' } },
    },
  ];
  // A layer with no rows gives vega an infinite extent: leave it out.
  return layers.filter((l) => (l.data as { values: unknown[] }).values.length > 0);
}

/** Light grey bands over shock windows (ITS dummies, periods excluded from the fit). */
function shockLayers(doc: ResultDocument, ax: TimeAxis): VlSpec[] {
  const windows = shockWindows(doc);
  if (windows.length === 0) return [];
  return [
    {
      data: { values: windows.map((w) => ({ x: ax.x(w.from), x2: ax.next(w.to), aria: `${w.label}: ${w.from} to ${w.to}` })) },
      mark: { type: 'rect', color: '#000000', opacity: 0.07 },
      encoding: { x: ax.encoding('x'), x2: { field: 'x2' }, description: { field: 'aria' } },
    },
  ];
}

/** A reference line at zero. It carries its own one-row data (a `datum` rule in a layer without data draws nothing) and the axis title of its layer, so titles do not merge. */
const zeroRule = (axis: 'x' | 'y', title: string | null): VlSpec => ({
  data: { values: [{ zero: 0, aria: 'zero line' }] },
  mark: { type: 'rule', color: '#555555', strokeWidth: 1 },
  encoding: { [axis]: { field: 'zero', type: 'quantitative', title }, description: { field: 'aria' } },
});

function seriesEnc(domain: string[], colours: string[], dashes: number[][] | null): Record<string, unknown> {
  const enc: Record<string, unknown> = { color: { field: 'series', type: 'nominal', scale: { domain, range: colours }, legend: { title: null, symbolType: 'stroke' } } };
  if (dashes) enc.strokeDash = { field: 'series', type: 'nominal', scale: { domain, range: dashes }, legend: { title: null, symbolType: 'stroke' } };
  return enc;
}

function levelOf(doc: ResultDocument): string {
  return fmtLevel(doc.estimate?.level ?? (doc.options as { level?: number } | null)?.level ?? 0.95);
}

function treatedNoun(doc: ResultDocument): string {
  const n = (doc.units ?? []).length;
  return n === 0 ? 'the treated series' : n === 1 ? `${doc.units[0]!.unit}` : `the average of ${n} treated units`;
}

function counterfactualName(doc: ResultDocument): string {
  switch (doc.method) {
    case 'synth':
      return 'Synthetic control';
    case 'gsynth':
      return 'Counterfactual (generalized synthetic control)';
    case 'its':
      return 'Counterfactual (no intervention)';
    default:
      return 'Counterfactual';
  }
}

// ---------------------------------------------------------------------------- kinds

function observedSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const ax = timeAxis(doc);
  const yl = o.yLabel ?? defaultYLabel(doc);
  const obsName = (doc.units ?? []).length > 1 ? 'Observed (treated average)' : 'Observed';
  const cfName = counterfactualName(doc);
  const pts = pathPoints(doc);
  const rows: Record<string, unknown>[] = [];
  const band: Record<string, unknown>[] = [];
  for (const p of pts) {
    const x = ax.x(p.period);
    if (isNum(p.observed)) rows.push({ x, period: p.period, series: obsName, value: p.observed });
    if (isNum(p.counterfactual)) rows.push({ x, period: p.period, series: cfName, value: p.counterfactual });
    const cfCi = asInterval(p.counterfactualCi) ?? (p.ci && isNum(p.observed) ? [p.observed - p.ci[1], p.observed - p.ci[0]] : null);
    if (cfCi) band.push({ x, period: p.period, lo: cfCi[0], hi: cfCi[1] });
  }
  const starts = interventionPeriods(doc);
  const uniq = uniquenessLayer(doc, ax.x, ax.encoding(), yEnc(yl, 'lo'), OKABE_ITO.orange);
  const subtitle = [
    `Solid: ${treatedNoun(doc)}; dashed: ${cfName.toLowerCase()}.${band.length ? ` Shaded: ${levelOf(doc)} interval of the counterfactual.` : ''}`,
    uniq.subtitle,
    starts.length ? `Dashed verticals: intervention start${starts.length > 1 ? 's' : ''} (${starts.join(', ')}).` : '',
  ].filter(Boolean);
  return {
    title: { text: o.title ?? `${capitalise(yl)}: treated vs ${doc.method === 'its' ? 'counterfactual' : cfName.toLowerCase()}`, subtitle },
    description: `Line chart over ${ax.noun}s of the observed outcome and the counterfactual estimated by ${doc.method}.`,
    width: o.width ?? 640,
    height: o.height ?? 300,
    layer: [
      ...shockLayers(doc, ax),
      ...(band.length ? [{ data: { values: band }, mark: { type: 'area', color: OKABE_ITO.blue, opacity: 0.18 }, encoding: { x: ax.encoding(), y: yEnc(yl, 'lo'), y2: { field: 'hi' } } }] : []),
      ...uniq.layers,
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x: ax.encoding(), y: yEnc(yl), ...seriesEnc([obsName, cfName], [OKABE_ITO.black, OKABE_ITO.blue], [SOLID, DASHED]) } },
      ...verticalLayers(doc, ax, o.marks ?? []),
    ],
  };
}

function gapSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const ax = timeAxis(doc);
  const yl = `Effect on ${o.yLabel ?? defaultYLabel(doc)}`;
  const pts = pathPoints(doc);
  const treatedName = (doc.units ?? []).length > 1 ? 'Treated average' : 'Treated';
  // with several treated units the treated line is an average: single-area placebo gaps are not
  // comparable with it, and the document's placebo band (path[].placeboBand) is drawn instead
  const averaged = (doc.units ?? []).length > 1 && pts.some((p) => asInterval(p.placeboBand));
  const rows = pts.filter((p) => isNum(p.effect)).map((p) => ({ x: ax.x(p.period), period: p.period, series: treatedName, value: p.effect }));
  // the effect's interval, else the placebo band of classic SC (range of placebo gaps)
  const hasCi = pts.some((p) => p.ci);
  const band = pts
    .map((p) => ({ p, iv: hasCi ? p.ci : asInterval(p.placeboBand) }))
    .filter((r) => r.iv)
    .map((r) => ({ x: ax.x(r.p.period), period: r.p.period, lo: r.iv![0], hi: r.iv![1] }));
  const bandWhat = hasCi ? `${levelOf(doc)} interval` : averaged ? 'placebo band (range of the averaged placebo gaps)' : 'placebo band';
  const pl = averaged ? null : placebos(doc);
  const plRows: Record<string, unknown>[] = [];
  let shown = 0;
  let excluded = 0;
  const placeboName = 'Placebo (a donor treated in turn)';
  if (pl) {
    for (const u of pl.units) {
      if (!u.included) {
        excluded++;
        continue;
      }
      shown++;
      u.gaps.forEach((g, t) => {
        const p = pts[t];
        if (p && isNum(g)) plRows.push({ x: ax.x(p.period), unit: u.unit, series: placeboName, value: g });
      });
    }
  }
  const domain = shown > 0 ? [treatedName, placeboName] : [treatedName];
  const colours = shown > 0 ? [OKABE_ITO.black, '#BBBBBB'] : [OKABE_ITO.black];
  const subtitle = [
    `Effect = observed − counterfactual, ${treatedNoun(doc)}.${band.length ? ` Shaded: ${bandWhat}.` : ''}`,
    shown > 0 ? `Grey: ${shown} placebo gaps (placebo in ${pl!.type})${excluded > 0 ? `; ${excluded} placebos with pre-period RMSPE above ${pl!.filter ?? 'k'}× the treated unit’s not shown` : ''}.` : '',
  ].filter(Boolean);
  return {
    title: { text: o.title ?? `Estimated effect over time`, subtitle },
    description: `Line chart of the estimated effect by ${ax.noun}${shown ? ` with ${shown} placebo gaps in grey` : ''}.`,
    width: o.width ?? 640,
    height: o.height ?? 300,
    layer: [
      ...shockLayers(doc, ax),
      ...(plRows.length ? [{ data: { values: plRows }, mark: { type: 'line', strokeWidth: 0.8, opacity: 0.9 }, encoding: { x: ax.encoding(), y: yEnc(yl), detail: { field: 'unit' }, ...seriesEnc(domain, colours, null) } }] : []),
      ...(band.length ? [{ data: { values: band }, mark: { type: 'area', color: OKABE_ITO.blue, opacity: 0.2 }, encoding: { x: ax.encoding(), y: yEnc(yl, 'lo'), y2: { field: 'hi' } } }] : []),
      zeroRule('y', yl),
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 2.2 }, encoding: { x: ax.encoding(), y: yEnc(yl), ...seriesEnc(domain, colours, null) } },
      ...verticalLayers(doc, ax, o.marks ?? [], 'x', [...rows.map((r) => r.period), ...band.map((b) => b.period), ...pts.filter((_, t) => plRows.some((r) => r.x === ax.x(pts[t]!.period))).map((p) => p.period)]),
    ],
  };
}

function cumulativeSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const ax = timeAxis(doc);
  const yl = `Cumulative effect on ${o.yLabel ?? defaultYLabel(doc)}`;
  const pts = pathPoints(doc).filter((p) => isNum(p.cumulative));
  const rows = pts.map((p) => ({ x: ax.x(p.period), period: p.period, series: 'Cumulative effect', value: p.cumulative }));
  const band = pts.filter((p) => p.cumulativeCi).map((p) => ({ x: ax.x(p.period), lo: p.cumulativeCi![0], hi: p.cumulativeCi![1] }));
  const counts = countsAvoided(doc);
  const cum = doc.estimate?.cumulative;
  const subtitle = [
    `Running sum of the ${ax.noun}ly effects since the intervention, ${treatedNoun(doc)}.${band.length ? ` Shaded: ${levelOf(doc)} interval.` : ''}`,
    cum && isNum(cum.value) ? `To ${pts[pts.length - 1]?.period ?? 'the end'}: ${fmtNumber(cum.value)}${cum.ci ? ` (${levelOf(doc)} CI ${fmtInterval(cum.ci)})` : ''}.` : '',
    counts ? `Offences ${counts.value >= 0 ? 'avoided' : 'added'}: ${fmtInt(Math.abs(counts.value))}${counts.ci ? ` (${levelOf(doc)} CI ${counts.value >= 0 ? `${fmtInt(counts.ci[0])} to ${fmtInt(counts.ci[1])}` : `${fmtInt(-counts.ci[1])} to ${fmtInt(-counts.ci[0])}`})` : ''}.` : '',
  ].filter(Boolean);
  return {
    title: { text: o.title ?? `Cumulative effect since ${pts[0]?.period ?? 'the intervention'}`, subtitle },
    description: `Line chart of the cumulative effect by ${ax.noun} with its interval band.`,
    width: o.width ?? 640,
    height: o.height ?? 300,
    layer: [
      ...(band.length ? [{ data: { values: band }, mark: { type: 'area', color: OKABE_ITO.blue, opacity: 0.2 }, encoding: { x: ax.encoding(), y: yEnc(yl, 'lo'), y2: { field: 'hi' } } }] : []),
      zeroRule('y', yl),
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 2.2, color: OKABE_ITO.black, point: { filled: true, size: 14, color: OKABE_ITO.black } }, encoding: { x: ax.encoding(), y: yEnc(yl) } },
      ...verticalLayers(doc, ax, o.marks ?? [], 'x', pts.map((p) => p.period)),
    ],
  };
}

function weightsSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const all = meanDonorWeights(doc);
  const shown = all.filter((w) => w.weight >= 0.001).slice(0, 30);
  const hidden = all.length - shown.length;
  const n = (doc.units ?? []).filter((u) => u.weights).length;
  const rows = shown.map((w) => ({ donor: w.donor, weight: w.weight, label: w.weight.toFixed(3) }));
  const enc = { y: { field: 'donor', type: 'nominal', sort: null, title: 'Donor unit' }, x: { field: 'weight', type: 'quantitative', title: n > 1 ? `Mean weight over ${n} treated units (weights sum to 1)` : 'Weight (weights sum to 1)', scale: { domain: [0, Math.max(0.1, Math.min(1, (shown[0]?.weight ?? 1) * 1.15))] } } };
  return {
    title: { text: o.title ?? 'Donor weights of the synthetic control', subtitle: [`${shown.length} donors with weight ≥ 0.001${hidden > 0 ? `; ${hidden} with smaller weight not shown` : ''}.`] },
    description: 'Horizontal bar chart of donor weights.',
    width: o.width ?? 480,
    height: Math.max(60, 18 * rows.length),
    data: { values: rows },
    layer: [
      { mark: { type: 'bar', color: OKABE_ITO.blue }, encoding: enc },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { ...enc, text: { field: 'label' } } },
    ],
  };
}

function unitsSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const up = unitPaths(doc);
  const yl = o.yLabel ?? defaultYLabel(doc);
  if (up.length > 0) {
    const ax = timeAxis(doc);
    const cfName = counterfactualName(doc);
    const rows: Record<string, unknown>[] = [];
    for (const u of up) {
      for (const p of u.path) {
        if (isNum(p.observed)) rows.push({ unit: u.unit, layer: 'line', x: ax.x(p.period), series: 'Observed', value: p.observed });
        if (isNum(p.counterfactual)) rows.push({ unit: u.unit, layer: 'line', x: ax.x(p.period), series: cfName, value: p.counterfactual });
      }
      if (u.start) rows.push({ unit: u.unit, layer: 'start', x: ax.x(u.start), aria: `${u.unit}: intervention starts ${u.start}` });
    }
    return {
      title: { text: o.title ?? `${capitalise(yl)} by treated unit`, subtitle: [`Y-axis: ${yl}. Solid: observed; dashed: ${cfName.toLowerCase()}; dashed vertical: the unit’s start.`] },
      description: `Small multiples, one panel per treated unit (${up.length}), of observed vs counterfactual.`,
      data: { values: rows },
      facet: { field: 'unit', type: 'nominal', title: null },
      columns: Math.min(4, up.length),
      spec: {
        width: o.width ?? 150,
        height: o.height ?? 100,
        layer: [
          { transform: [{ filter: "datum.layer === 'line'" }], mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: ax.encoding('x', null), y: yEnc(null as unknown as string), ...seriesEnc(['Observed', cfName], [OKABE_ITO.black, OKABE_ITO.blue], [SOLID, DASHED]) } },
          { transform: [{ filter: "datum.layer === 'start'" }], mark: { type: 'rule', color: OKABE_ITO.black, strokeDash: DASHED, strokeWidth: 1 }, encoding: { x: ax.encoding('x', null), description: { field: 'aria' } } },
        ],
      },
    };
  }
  const units = (doc.units ?? []).filter((u) => isNum(u.att));
  const rows = units.map((u) => {
    const ci = asInterval(u.ci);
    return { unit: u.unit, att: u.att, lo: ci ? ci[0] : null, hi: ci ? ci[1] : null, aria: `${u.unit}: ${fmtNumber(u.att as number)}${ci ? ` (${fmtInterval(ci)})` : ''}` };
  });
  const hasCi = rows.some((r) => r.lo !== null);
  const xl = `Average effect on ${yl}`;
  const y = { field: 'unit', type: 'nominal', sort: { field: 'att', order: 'ascending' }, title: 'Treated unit' };
  return {
    title: { text: o.title ?? 'Effect by treated unit', subtitle: [`Average post-period effect per unit${hasCi ? ` with its ${levelOf(doc)} interval` : ''}; vertical line at zero.`] },
    description: `Dot plot of the effect in each of ${rows.length} treated units.`,
    width: o.width ?? 480,
    height: Math.max(60, 18 * rows.length),
    data: { values: rows },
    layer: [
      zeroRule('x', xl),
      ...(hasCi ? [{ transform: [{ filter: 'datum.lo !== null' }], mark: { type: 'rule', color: OKABE_ITO.blue, strokeWidth: 1.5 }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: xl }, x2: { field: 'hi' } } }] : []),
      { mark: { type: 'point', filled: true, color: OKABE_ITO.black, size: 40 }, encoding: { y, x: { field: 'att', type: 'quantitative', title: xl }, description: { field: 'aria' } } },
    ],
  };
}

function itsSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const ax = timeAxis(doc);
  const yl = o.yLabel ?? defaultYLabel(doc);
  const pts = pathPoints(doc);
  const starts = interventionPeriods(doc);
  const startOrd = starts.map((s) => ax.x(s));
  const fittedName = 'Fitted model';
  const cfName = 'Counterfactual (no intervention)';
  const obs = pts.filter((p) => isNum(p.observed)).map((p) => ({ x: ax.x(p.period), period: p.period, value: p.observed, aria: `${p.period}: observed ${fmtNumber(p.observed as number)}` }));
  const lines: Record<string, unknown>[] = [];
  let segment = 0;
  let prevNull = false;
  for (const p of pts) {
    const x = ax.x(p.period);
    if (startOrd.includes(x) || prevNull) segment++;
    prevNull = !isNum(p.fitted);
    if (isNum(p.fitted)) lines.push({ x, series: fittedName, segment: `f${segment}`, value: p.fitted });
  }
  const firstStart = startOrd.length ? Math.min(...startOrd) : -Infinity;
  for (const p of pts) {
    const x = ax.x(p.period);
    if (isNum(p.counterfactual) && x >= firstStart) lines.push({ x, series: cfName, segment: 'cf', value: p.counterfactual });
  }
  const band = pts
    .filter((p) => ax.x(p.period) >= firstStart)
    .map((p) => ({ p, ci: asInterval(p.counterfactualCi) ?? (p.ci && isNum(p.observed) ? ([p.observed - p.ci[1], p.observed - p.ci[0]] as [number, number]) : null) }))
    .filter((r) => r.ci !== null)
    .map((r) => ({ x: ax.x(r.p.period), lo: r.ci![0], hi: r.ci![1] }));
  const hasFitted = lines.some((l) => l.series === fittedName);
  const domain = hasFitted ? [fittedName, cfName] : [cfName];
  const shocks = shockWindows(doc);
  const subtitle = [
    `Points: observed ${treatedNoun(doc) === 'the treated series' ? 'series' : treatedNoun(doc)}; ${hasFitted ? 'solid: fitted segments; ' : ''}dashed: counterfactual trend with the interruption terms switched off.${band.length ? ` Shaded: its ${levelOf(doc)} interval.` : ''}`,
    [starts.length ? `Dashed verticals: interruptions (${starts.join(', ')})` : '', shocks.length ? `grey bands: ${shocks.map((s) => `${s.from}…${s.to}`).join(', ')} (${shocks[0]!.label})` : ''].filter(Boolean).join('; ') + '.',
  ].filter((s) => s !== '.');
  return {
    title: { text: o.title ?? `Interrupted time series: ${yl}`, subtitle },
    description: `Interrupted time series chart by ${ax.noun}: observed points, fitted segments and the counterfactual trend.`,
    width: o.width ?? 640,
    height: o.height ?? 300,
    layer: [
      ...shockLayers(doc, ax),
      ...(band.length ? [{ data: { values: band }, mark: { type: 'area', color: OKABE_ITO.blue, opacity: 0.18 }, encoding: { x: ax.encoding(), y: yEnc(yl, 'lo'), y2: { field: 'hi' } } }] : []),
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x: ax.encoding(), y: yEnc(yl), detail: { field: 'segment' }, ...seriesEnc(domain, hasFitted ? [OKABE_ITO.vermillion, OKABE_ITO.blue] : [OKABE_ITO.blue], hasFitted ? [SOLID, DASHED] : [DASHED]) } },
      // the observed points get their own legend entry (issue 14)
      { data: { values: obs }, mark: { type: 'point', filled: true, size: 18, opacity: 0.85 }, encoding: { x: ax.encoding(), y: yEnc(yl), shape: { datum: 'Observed', type: 'nominal', scale: { domain: ['Observed'], range: ['circle'] }, legend: { title: null, symbolFillColor: OKABE_ITO.black, symbolStrokeColor: OKABE_ITO.black, symbolSize: 40 } }, color: { value: OKABE_ITO.black }, description: { field: 'aria' } } },
      ...verticalLayers(doc, ax, o.marks ?? []),
    ],
  };
}

function eventSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const ax = timeAxis(doc);
  const yl = `Effect on ${o.yLabel ?? defaultYLabel(doc)}`;
  const xl = `${capitalise(ax.noun)}s since treatment start (0 = first treated ${ax.noun})`;
  const ev = eventPath(doc);
  const pre = 'Before treatment';
  const post = 'After treatment';
  const rows = ev
    .filter((r) => !r.reference && isNum(r.effect))
    .map((r) => ({ e: r.eventTime, binned: r.binned, effect: r.effect, lo: r.ci ? r.ci[0] : null, hi: r.ci ? r.ci[1] : null, blo: r.band ? r.band[0] : null, bhi: r.band ? r.band[1] : null, phase: r.eventTime < 0 ? pre : post, aria: `event time ${r.eventTime}: ${fmtNumber(r.effect)}${r.ci ? ` (${fmtInterval(r.ci)})` : ''}` }));
  const hasBand = rows.some((r) => r.blo !== null);
  const ref = ev.filter((r) => r.reference).map((r) => ({ e: r.eventTime, effect: r.effect ?? 0, label: `reference (${r.eventTime})`, aria: `reference period ${r.eventTime}, normalised to ${r.effect ?? 0}` }));
  const pt = diagnostic(doc, 'PRE_TRENDS');
  const caption = pt
    ? `Pre-trend test (all pre-period coefficients = 0): ${pText(typeof pt.value === 'number' ? pt.value : null)}${pt.passed === true ? ', no evidence against parallel pre-trends' : pt.passed === false ? ', evidence against parallel pre-trends' : ''}.`
    : doc.method === 'twfe' || doc.method === 'cs'
      ? 'No pre-trend test in the result.'
      : '';
  const x = { field: 'e', type: 'quantitative', title: xl, axis: { format: 'd', tickMinStep: 1, grid: false } };
  const phaseEnc = {
    color: { field: 'phase', type: 'nominal', scale: { domain: [pre, post], range: ['#555555', OKABE_ITO.blue] }, legend: { title: null } },
    shape: { field: 'phase', type: 'nominal', scale: { domain: [pre, post], range: ['circle', 'diamond'] }, legend: { title: null } },
  };
  return {
    title: { text: o.title ?? 'Event study: effect by time since treatment', subtitle: [`Points: estimates; bars: ${levelOf(doc)} intervals${rows.some((r) => r.binned) ? '; the end points bin every event time beyond them' : ''}${hasBand ? `; light grey wide bars: uniform ${levelOf(doc)} band` : ''}${ref.length ? `; open square: reference period (${ref.map((r) => r.e).join(', ')}), fixed at 0` : ''}; dashed vertical: treatment starts.`, caption].filter(Boolean) },
    description: `Event-study chart with ${rows.length} coefficients and their intervals.`,
    width: o.width ?? 640,
    height: o.height ?? 300,
    layer: [
      zeroRule('y', yl),
      { data: { values: [{ e: -0.5, aria: 'treatment starts between event time -1 and 0' }] }, mark: { type: 'rule', color: OKABE_ITO.black, strokeDash: DASHED, strokeWidth: 1.3 }, encoding: { x, description: { field: 'aria' } } },
      ...(hasBand ? [{ data: { values: rows.filter((r) => r.blo !== null) }, mark: { type: 'rule', strokeWidth: 5, color: '#D0D0D0' }, encoding: { x, y: yEnc(yl, 'blo'), y2: { field: 'bhi' } } }] : []),
      { data: { values: rows.filter((r) => r.lo !== null) }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: yEnc(yl, 'lo'), y2: { field: 'hi' }, color: phaseEnc.color } },
      { data: { values: rows }, mark: { type: 'point', filled: true, size: 55, opacity: 1 }, encoding: { x, y: yEnc(yl, 'effect'), ...phaseEnc, description: { field: 'aria' } } },
      ...(rows.some((r) => r.binned)
        ? [
            {
              data: { values: rows.filter((r) => r.binned).map((r) => ({ ...r, label: r.e < 0 ? `≤ ${r.e} (binned)` : `≥ ${r.e} (binned)`, ly: r.hi ?? r.effect })) },
              mark: { type: 'text', dy: -8, fontSize: 10, color: '#333333', baseline: 'bottom' },
              encoding: { x, y: yEnc(yl, 'ly'), text: { field: 'label' } },
            },
          ]
        : []),
      ...(ref.length
        ? [
            { data: { values: ref }, mark: { type: 'point', shape: 'square', filled: false, size: 80, strokeWidth: 1.8, color: OKABE_ITO.vermillion }, encoding: { x, y: yEnc(yl, 'effect'), description: { field: 'aria' } } },
            { data: { values: ref }, mark: { type: 'text', dy: -12, fontSize: 10, color: OKABE_ITO.vermillion }, encoding: { x, y: yEnc(yl, 'effect'), text: { field: 'label' } } },
          ]
        : []),
    ],
  };
}

function cbaSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const outs = cbaOutcomes(doc);
  const t = cbaTotals(doc);
  const m = (x: number | null) => (x === null ? null : x / 1e6);
  const rows: Record<string, unknown>[] = outs.map((oc) => ({
    item: `Benefit: ${oc.name}`,
    type: 'Benefit',
    value: m(oc.benefit),
    lo: oc.benefitRange ? m(oc.benefitRange[0]) : null,
    hi: oc.benefitRange ? m(oc.benefitRange[1]) : null,
    label: fmtMillions(oc.benefit),
    aria: `Benefit from ${oc.name}: ${fmtMoney(oc.benefit)}${oc.benefitRange ? ` (range ${fmtMoney(oc.benefitRange[0])} to ${fmtMoney(oc.benefitRange[1])})` : ''}`,
  }));
  // total benefits at the CI bounds: from totals (discounted as the cba command computed them), else summed over outcomes
  const summed = outs.every((x) => x.benefitRange);
  const lowB = t.benefitsLow ?? (summed ? outs.reduce((s, x) => s + x.benefitRange![0], 0) : null);
  const highB = t.benefitsHigh ?? (summed ? outs.reduce((s, x) => s + x.benefitRange![1], 0) : null);
  if (outs.length > 1 || t.benefits !== null)
    rows.push({ item: 'Total benefits', type: 'Benefit', value: m(t.benefits), lo: m(lowB), hi: m(highB), label: fmtMillions(t.benefits), aria: `Total benefits ${fmtMoney(t.benefits)}` });
  rows.push({ item: 'Programme costs', type: 'Cost', value: m(t.costs), lo: null, hi: null, label: fmtMillions(t.costs), aria: `Programme costs ${fmtMoney(t.costs)}` });
  const order = rows.map((r) => r.item as string);
  const y = { field: 'item', type: 'nominal', sort: order, title: null, axis: { labelLimit: 260 } };
  const xl = '£ million (benefits: offences avoided × multiplier × unit cost)';
  const subtitle = [
    t.bcr !== null ? `Benefit-cost ratio ${fmtNumber(t.bcr, 2)}${t.bcrLow !== null && t.bcrHigh !== null ? `, from ${fmtNumber(t.bcrLow, 2)} (CI bound with fewer offences avoided) to ${fmtNumber(t.bcrHigh, 2)} (bound with more)` : ''}.` : '',
    `Whiskers: benefits at the bounds of each effect’s interval; dashed vertical: programme costs${t.netBenefit !== null ? `; net benefit ${fmtMoney(t.netBenefit)}` : ''}.`,
  ].filter(Boolean);
  const colour = { field: 'type', type: 'nominal', scale: { domain: ['Benefit', 'Cost'], range: [OKABE_ITO.blue, OKABE_ITO.orange] }, legend: { title: null } };
  return {
    title: { text: o.title ?? 'Benefits against programme costs', subtitle },
    description: 'Horizontal bar chart of monetised benefits by outcome, their total and the programme costs.',
    width: o.width ?? 520,
    height: Math.max(80, 34 * rows.length),
    data: { values: rows },
    layer: [
      zeroRule('x', xl),
      { mark: { type: 'bar', height: { band: 0.6 } }, encoding: { y, x: { field: 'value', type: 'quantitative', title: xl }, color: colour, description: { field: 'aria' } } },
      { transform: [{ filter: 'datum.lo !== null' }], mark: { type: 'rule', color: OKABE_ITO.black, strokeWidth: 1.5 }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: xl }, x2: { field: 'hi' } } },
      { transform: [{ filter: 'datum.lo !== null' }], mark: { type: 'tick', color: OKABE_ITO.black, thickness: 1.5, size: 12 }, encoding: { y, x: { field: 'lo', type: 'quantitative', title: xl } } },
      { transform: [{ filter: 'datum.lo !== null' }], mark: { type: 'tick', color: OKABE_ITO.black, thickness: 1.5, size: 12 }, encoding: { y, x: { field: 'hi', type: 'quantitative', title: xl } } },
      ...(t.costs !== null ? [{ data: { values: [{ c: m(t.costs), aria: `Programme costs ${fmtMoney(t.costs)}` }] }, mark: { type: 'rule', color: OKABE_ITO.vermillion, strokeDash: DASHED, strokeWidth: 1.5 }, encoding: { x: { field: 'c', type: 'quantitative', title: xl }, description: { field: 'aria' } } }] : []),
      // a cost bar can be thinner than a pixel next to large benefits: a tick marks its end
      { transform: [{ filter: "datum.type === 'Cost'" }], mark: { type: 'tick', orient: 'vertical', color: OKABE_ITO.orange, thickness: 3, size: 16 }, encoding: { y, x: { field: 'value', type: 'quantitative', title: xl } } },
      { mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 10 }, encoding: { y, x: { field: 'value', type: 'quantitative', title: xl }, text: { field: 'label' } } },
    ],
  };
}

/** £ in millions for a £ million axis: £268.1m (£0.05m for small amounts). */
function fmtMillions(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  const m = x / 1e6;
  const s = Math.abs(m) >= 10 ? fmtNumber(Math.abs(m), 1) : fmtNumber(Math.abs(m), 2);
  return `${x < 0 ? '\u2212' : ''}£${s}m`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Subtitle lines wrapped to the plot's width (≈ 6.4 px per character at 11.5 px), so a long
 * explanation does not make the chart wider than its plot (issue 14: "sized by its subtitle").
 */
function wrapSubtitle(body: VlSpec): void {
  const t = body.title as { subtitle?: string[] } | undefined;
  if (!t || !Array.isArray(t.subtitle)) return;
  const width = typeof body.width === 'number' ? body.width : 640;
  const max = Math.max(50, Math.floor(width / 6.4));
  t.subtitle = t.subtitle.flatMap((line) => {
    const out: string[] = [];
    let cur = '';
    for (const w of line.split(' ')) {
      if (cur !== '' && cur.length + 1 + w.length > max) {
        out.push(cur);
        cur = w;
      } else cur = cur === '' ? w : `${cur} ${w}`;
    }
    if (cur !== '') out.push(cur);
    return out;
  });
}

const BUILDERS: Record<PlotKind, (doc: ResultDocument, o: PlotOptions) => VlSpec> = {
  observed: observedSpec,
  gap: gapSpec,
  cumulative: cumulativeSpec,
  weights: weightsSpec,
  units: unitsSpec,
  its: itsSpec,
  event: eventSpec,
  cba: cbaSpec,
  timeweights: (doc, o) => timeWeightsBody(doc, o) as VlSpec,
  compare: forestSpec,
  totals: microTotalsSpec,
  placebo: microPlaceboSpec,
  composite: (doc, o) => compositeSpec(doc, { yLabel: o.yLabel ?? defaultYLabel(doc), title: o.title, width: o.width, height: o.height }),
  describe: (doc, o) => describeSpec(doc, { title: o.title, width: o.width, height: o.height }),
  sensitivity: (doc, o) => sensitivityBody(doc, o) as VlSpec,
  bacon: (doc, o) => baconBody(doc, o) as VlSpec,
  placebofit: (doc, o) => placeboFitBody(doc, o) as VlSpec,
  power: (doc, o) => powerSpec(doc, { title: o.title, width: o.width, height: o.height }),
};

/**
 * The Vega-Lite specification of one chart of `doc`.
 * @throws UsageError KIND_NOT_APPLICABLE when the document lacks what the kind draws; BAD_PERIOD for a mark outside the frequency.
 */
export function chartSpec(doc: ResultDocument, kind: PlotKind, o: PlotOptions = {}): VlSpec {
  const why = whyNot(doc, kind);
  if (why !== null) throw new UsageError('KIND_NOT_APPLICABLE', `--kind ${kind} (${KIND_DESCRIPTIONS[kind]}) cannot be drawn from this ${doc.method} result: ${why}`, { kind, method: doc.method });
  const body = BUILDERS[kind](doc, o);
  wrapSubtitle(body);
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...body, config: CONFIG };
}
