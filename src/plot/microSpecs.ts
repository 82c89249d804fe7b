/**
 * Charts of micro-area synthetic control results (`scm --method micro`): treated against
 * synthetic totals over time, and the placebo (permutation) distribution of the percentage
 * change with the observed one. One panel per outcome (up to six), stacked.
 */
import type { ResultDocument } from '../core/result.js';
import { interventionPeriods, isNum, microEffects } from './document.js';
import { fmtNumber, humanise } from './format.js';
import { OKABE_ITO, timeAxis, type PlotOptions, type VlSpec } from './axis.js';

export { microEffects, type MicroEffect } from './document.js';

const pct = (v: number | null) => (v === null || !Number.isFinite(v) ? 'undefined' : `${v > 0 ? '+' : ''}${fmtNumber(v, 1)}%`);

/** Treated total vs synthetic total by period, one panel per outcome, dashed vertical at the start. */
export function microTotalsSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const ax = timeAxis(doc);
  const start = interventionPeriods(doc)[0];
  const panels = microEffects(doc).map((e) => {
    const rows: Record<string, unknown>[] = [];
    for (const p of e.path) {
      if (isNum(p.treated)) rows.push({ x: ax.x(p.period), period: p.period, series: 'Treated areas (total)', value: p.treated });
      if (isNum(p.synthetic)) rows.push({ x: ax.x(p.period), period: p.period, series: 'Synthetic control (weighted controls)', value: p.synthetic });
    }
    const domain = ['Treated areas (total)', 'Synthetic control (weighted controls)'];
    return {
      title: { text: `${humanise(e.outcome)}: ${pct(e.percentChange)} over the post period (${fmtNumber(e.treatedTotal, 0)} vs ${fmtNumber(e.syntheticTotal, 1)})`, fontSize: 12, anchor: 'start' },
      width: 560,
      height: 170,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.8 },
          encoding: {
            x: ax.encoding('x'),
            y: { field: 'value', type: 'quantitative', title: o.yLabel ?? `${humanise(e.outcome)} (count)`, scale: { zero: false } },
            color: { field: 'series', type: 'nominal', scale: { domain, range: [OKABE_ITO.black, OKABE_ITO.blue] }, legend: { title: null, orient: 'bottom', symbolType: 'stroke' } },
            strokeDash: { field: 'series', type: 'nominal', scale: { domain, range: [[1, 0], [6, 4]] }, legend: { title: null, orient: 'bottom', symbolType: 'stroke' } },
            description: { field: 'period' },
          },
        },
        ...(start !== undefined
          ? [{ data: { values: [{ x: ax.x(start), aria: `Intervention starts ${start}` }] }, mark: { type: 'rule', color: OKABE_ITO.black, strokeDash: [6, 4], strokeWidth: 1.3 }, encoding: { x: ax.encoding('x'), description: { field: 'aria' } } }]
          : []),
      ],
    };
  });
  return {
    title: { text: o.title ?? 'Treated areas against their synthetic control (totals)', subtitle: 'Solid: treated areas summed; dashed: weighted controls that match them exactly before the start (dashed vertical).' },
    vconcat: panels,
  };
}

/** Histogram of the placebo percentage changes with a rule at the observed one, per outcome. */
export function microPlaceboSpec(doc: ResultDocument, o: PlotOptions): VlSpec {
  const panels = microEffects(doc)
    .filter((e) => (e.permutation?.placeboPercentChange?.length ?? 0) > 0)
    .map((e) => {
      const vals = e.permutation!.placeboPercentChange!.filter((v) => Number.isFinite(v));
      const pv = e.permutation!.pValue;
      return {
        title: { text: `${humanise(e.outcome)}: observed ${pct(e.percentChange)}${isNum(pv) ? `, permutation p = ${fmtNumber(pv, 3)}` : ''} (${vals.length} placebo sets)`, fontSize: 12, anchor: 'start' },
        width: 560,
        height: 150,
        layer: [
          {
            data: { values: vals.map((v) => ({ v })) },
            mark: { type: 'bar', color: '#9A9A9A' },
            encoding: { x: { field: 'v', type: 'quantitative', bin: { maxbins: 40 }, title: 'percentage change (%)' }, y: { aggregate: 'count', type: 'quantitative', title: 'placebo sets' } },
          },
          {
            data: { values: [{ v: e.percentChange, aria: `Observed percentage change ${pct(e.percentChange)}` }] },
            mark: { type: 'rule', color: OKABE_ITO.vermillion, strokeWidth: 2.5 },
            encoding: { x: { field: 'v', type: 'quantitative' }, description: { field: 'aria' } },
          },
        ],
      };
    });
  return {
    title: { text: o.title ?? 'Observed effect against placebo treated sets', subtitle: 'Grey: percentage changes for random sets of control areas of the same size, each re-weighted; red: the treated areas.' },
    vconcat: panels,
  };
}
