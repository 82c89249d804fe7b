/**
 * The composite chart (`--kind composite`), after the three panels CausalImpact draws for a
 * briefing: (1) observed against the counterfactual with its interval, (2) the effect per period
 * with its interval, (3) the cumulative effect with its interval, stacked on one time axis, the
 * post period shaded and the start marked in every panel. When the document reports offences
 * avoided (counts), the third panel says how many, with their interval.
 */
import type { ResultDocument } from '../core/result.js';
import { periodOrdinal, type Frequency } from '../core/periods.js';
import { countsAvoided, documentFrequency, interventionPeriods, isNum, pathPoints } from './document.js';
import { fmtInt, fmtLevel, fmtNumber, timestamp } from './format.js';

type VlSpec = Record<string, unknown>;

const BLACK = '#000000';
const BLUE = '#0072B2';
const SHADE = '#000000';


export interface CompositeOptions {
  yLabel: string;
  title?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
}

/** Whether the document has what the composite draws (observed, counterfactual and effects). */
export function compositeWhyNot(doc: ResultDocument): string | null {
  const p = pathPoints(doc);
  if (!p.some((x) => isNum(x.observed)) || !p.some((x) => isNum(x.counterfactual))) return 'the path has no observed and counterfactual values';
  if (!p.some((x) => isNum(x.effect))) return 'the path has no effects';
  return null;
}

/** The Vega-Lite body (no $schema/config) of the composite chart. */
export function compositeSpec(doc: ResultDocument, o: CompositeOptions): VlSpec {
  const freq = documentFrequency(doc);
  const temporal = freq !== 'integer';
  const x = (period: string): number => timestamp(periodOrdinal(period, freq), freq);
  const pts = pathPoints(doc);
  const post = pts.filter((p) => isNum(p.cumulative));
  const level = fmtLevel(doc.estimate?.level ?? 0.95);
  const width = o.width ?? 720;
  const height = o.height ?? 150;
  const axisTitle = freq === 'monthly' ? 'Month' : freq === 'quarterly' ? 'Quarter' : freq === 'annual' ? 'Year' : 'Period';
  const xEnc = (title: string | null) =>
    temporal
      ? { field: 'x', type: 'temporal', title, scale: { type: 'utc' }, axis: { format: freq === 'monthly' ? '%b %Y' : freq === 'quarterly' ? '%Y Q%q' : '%Y', labelOverlap: true, grid: false, labels: title !== null } }
      : { field: 'x', type: 'quantitative', title, scale: { zero: false, nice: false }, axis: { format: 'd', labelOverlap: true, grid: false, labels: title !== null } };
  const starts = interventionPeriods(doc);
  type XEnc = ReturnType<typeof xEnc>;
  // post period: from the first period with a cumulative effect to the end of the path
  const shade = (xe: XEnc): VlSpec[] =>
    post.length ? [{ data: { values: [{ x: x(post[0]!.period), x2: x(pts[pts.length - 1]!.period) }] }, mark: { type: 'rect', color: SHADE, opacity: 0.07 }, encoding: { x: xe, x2: { field: 'x2' } } }] : [];
  const startRules = (xe: XEnc): VlSpec[] =>
    starts.length ? [{ data: { values: starts.map((st) => ({ x: x(st) })) }, mark: { type: 'rule', color: '#555555', strokeDash: [6, 4], strokeWidth: 1.2 }, encoding: { x: xe } }] : [];
  const zero: VlSpec = { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#777777', strokeWidth: 1 }, encoding: { y: { field: 'y', type: 'quantitative' } } };
  const y = (title: string, field = 'value') => ({ field, type: 'quantitative', title, scale: { zero: false }, axis: { titleFontSize: 11.5, labelFontSize: 11 } });
  const panel = (title: string, layers: (xe: XEnc) => VlSpec[], last: boolean): VlSpec => {
    const xe = xEnc(last ? axisTitle : null);
    // an invisible point at each end of the path, so every panel spans the same periods
    const span: VlSpec = { data: { values: [{ x: x(pts[0]!.period) }, { x: x(pts[pts.length - 1]!.period) }] }, mark: { type: 'point', opacity: 0 }, encoding: { x: xe } };
    return { title: { text: title, fontSize: 13, anchor: 'start' }, width, height, layer: [span, ...shade(xe), ...layers(xe), ...startRules(xe)] };
  };

  const obsName = 'Observed';
  const cfName = doc.method === 'synth' ? 'Synthetic control' : 'Counterfactual';
  const lines: Record<string, unknown>[] = [];
  const cfBand: Record<string, unknown>[] = [];
  for (const p of pts) {
    if (isNum(p.observed)) lines.push({ x: x(p.period), series: obsName, value: p.observed });
    if (isNum(p.counterfactual)) lines.push({ x: x(p.period), series: cfName, value: p.counterfactual });
    if (p.ci && isNum(p.observed)) cfBand.push({ x: x(p.period), lo: p.observed - p.ci[1], hi: p.observed - p.ci[0] });
  }
  const effects = pts.filter((p) => isNum(p.effect)).map((p) => ({ x: x(p.period), value: p.effect }));
  const effBand = pts.filter((p) => p.ci).map((p) => ({ x: x(p.period), lo: p.ci![0], hi: p.ci![1] }));
  const cum = post.map((p) => ({ x: x(p.period), value: p.cumulative }));
  const cumBand = post.filter((p) => p.cumulativeCi).map((p) => ({ x: x(p.period), lo: p.cumulativeCi![0], hi: p.cumulativeCi![1] }));
  const counts = countsAvoided(doc);
  const yl = o.yLabel;

  const band = (xe: XEnc, values: Record<string, unknown>[], title: string): VlSpec[] =>
    values.length ? [{ data: { values }, mark: { type: 'area', color: BLUE, opacity: 0.2 }, encoding: { x: xe, y: y(title, 'lo'), y2: { field: 'hi' } } }] : [];
  const legend = { title: null, orient: 'top-left', direction: 'horizontal', fillColor: 'white', padding: 3 };
  const series = {
    color: { field: 'series', type: 'nominal', scale: { domain: [obsName, cfName], range: [BLACK, BLUE] }, legend },
    strokeDash: { field: 'series', type: 'nominal', scale: { domain: [obsName, cfName], range: [[1, 0], [6, 4]] }, legend },
  };
  // every axis says its units: the outcome's label (e.g. violence rate per 100,000)
  const effTitle = `Effect (${yl})`;
  const cumTitle = `Cumulative (${yl})`;
  const subtitle = [
    `Top: observed (solid) and ${cfName.toLowerCase()} (dashed). Middle: effect = observed − counterfactual.`,
    `Bottom: the effect summed since the start. Bands: ${level} intervals.`,
    `Shaded: the post period${post.length ? ` (${post[0]!.period} – ${pts[pts.length - 1]!.period})` : ''}; dashed: intervention start${starts.length > 1 ? 's' : ''} ${starts.join(', ')}.`,
    doc.estimate && isNum(doc.estimate.att) ? `Average effect ${fmtNumber(doc.estimate.att)}${doc.estimate.ci ? ` (${level} CI ${fmtNumber(doc.estimate.ci[0])} to ${fmtNumber(doc.estimate.ci[1])})` : ''} per treated unit and ${freq === 'monthly' ? 'month' : 'period'}.` : '',
  ].filter(Boolean);
  return {
    title: { text: o.title ?? `${yl.charAt(0).toUpperCase() + yl.slice(1)}: observed, effect and effect to date`, subtitle },
    description: `Three stacked panels over ${axisTitle.toLowerCase()}s: observed vs counterfactual, the per-period effect and the cumulative effect, post period shaded.`,
    spacing: 18,
    vconcat: [
      panel(`Observed and counterfactual (${yl})`, (xe) => [...band(xe, cfBand, yl), { data: { values: lines }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x: xe, y: y(yl), ...series } }], false),
      panel(`Effect per period (${yl})`, (xe) => [...band(xe, effBand, effTitle), zero, { data: { values: effects }, mark: { type: 'line', strokeWidth: 2, color: BLACK }, encoding: { x: xe, y: y(effTitle) } }], false),
      panel(
        counts
          ? `Cumulative effect (${yl}): ${fmtInt(Math.abs(counts.value))} offences ${counts.value >= 0 ? 'avoided' : 'added'} to ${post[post.length - 1]?.period ?? 'the end'}${counts.ci ? ` (${level} CI ${counts.value >= 0 ? `${fmtInt(counts.ci[0])} to ${fmtInt(counts.ci[1])}` : `${fmtInt(-counts.ci[1])} to ${fmtInt(-counts.ci[0])}`})` : ''}`
          : `Cumulative effect (${yl})`,
        (xe) => [...band(xe, cumBand, cumTitle), zero, { data: { values: cum }, mark: { type: 'line', strokeWidth: 2, color: BLACK }, encoding: { x: xe, y: y(cumTitle) } }],
        true,
      ),
    ],
  };
}
