/**
 * Charts of the sensitivity and pre-trend blocks (src/estimators/did/sensitivity.ts,
 * src/estimators/pretrend/placebo.ts):
 * - sensitivity: Rambachan–Roth robust intervals over M̄ (relative magnitudes), the original
 *   interval at M̄ = 0 marked, zero as a rule, breakdown M̄ in the subtitle;
 * - bacon: Goodman-Bacon scatter, weight against 2×2 estimate, shape and colour by comparison
 *   type, the TWFE coefficient as a horizontal rule;
 * - placebofit: the hold-out placebo test: observed and predicted outcome of the treated units
 *   over the pre-period, held-out periods shaded.
 */
import type { ResultDocument } from '../core/result.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function sensitivityRows(doc: ResultDocument): { mbar: number; lower: number; upper: number; kind: string }[] {
  const s = (doc as Obj).sensitivity;
  if (!isObj(s) || !isObj(s.relativeMagnitudes) || !Array.isArray(s.relativeMagnitudes.rows)) return [];
  const robust = { 'arp-hybrid': 'robust (ARP hybrid test)', 'arp-conditional': 'robust (ARP conditional test)' }[String(s.relativeMagnitudes.method)] ?? 'robust (Šidák projection)';
  return (s.relativeMagnitudes.rows as Obj[])
    .filter((r) => num(r.mbar) && num(r.lower) && num(r.upper))
    .map((r) => ({ mbar: r.mbar as number, lower: r.lower as number, upper: r.upper as number, kind: r.mbar === 0 ? 'original (parallel trends)' : robust }));
}

export function baconRows(doc: ResultDocument): { type: string; label: string; estimate: number; weight: number }[] {
  const b = (doc as Obj).bacon;
  if (!isObj(b) || !Array.isArray(b.comparisons)) return [];
  return (b.comparisons as Obj[])
    .filter((c) => num(c.estimate) && num(c.weight))
    .map((c) => ({ type: String(c.type), label: `${String(c.treated)} vs ${String(c.control)}`, estimate: c.estimate as number, weight: c.weight as number }));
}

export function placeboFitRows(doc: ResultDocument): { period: string; series: string; value: number; heldOut: boolean }[] {
  const p = isObj((doc as Obj).pretrends) ? ((doc as Obj).pretrends as Obj).placebo : undefined;
  if (!isObj(p) || !Array.isArray(p.path)) return [];
  const out: { period: string; series: string; value: number; heldOut: boolean }[] = [];
  for (const r of p.path as Obj[]) {
    const heldOut = r.heldOut === true;
    if (num(r.observed)) out.push({ period: String(r.period), series: 'observed', value: r.observed, heldOut });
    if (num(r.counterfactual)) out.push({ period: String(r.period), series: 'predicted from earlier periods', value: r.counterfactual, heldOut });
  }
  return out;
}

interface Size {
  title?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
}

export function sensitivityBody(doc: ResultDocument, o: Size): Obj {
  const rows = sensitivityRows(doc).map((r) => ({ ...r, aria: `M̄ = ${r.mbar}: ${r.lower.toPrecision(3)} to ${r.upper.toPrecision(3)}` }));
  const s = (doc as Obj).sensitivity as Obj;
  const rm = s.relativeMagnitudes as Obj;
  const bd = rm.breakdown;
  return {
    title: {
      text: o.title ?? `How robust is the ${String(s.targetDescription ?? 'effect')} to violations of parallel trends?`,
      subtitle: [
        'Intervals: confidence sets allowing post-treatment violations up to M̄ times the largest pre-treatment one (Rambachan & Roth 2023, relative magnitudes). Solid black: exact parallel trends (M̄ = 0); dashed blue: robust.',
        num(bd) ? `Breakdown M̄ = ${bd.toPrecision(3)}: beyond it the interval includes 0.` : 'The interval includes 0 already under parallel trends (M̄ = 0).',
      ],
    },
    description: 'Robust confidence intervals of the effect against the relative-magnitude bound M̄.',
    width: o.width ?? 640,
    height: o.height ?? 320,
    layer: [
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
      {
        data: { values: rows },
        mark: { type: 'rule', strokeWidth: 3 },
        encoding: {
          x: { field: 'mbar', type: 'quantitative', title: 'M̄ (post violation / largest pre violation)' },
          y: { field: 'lower', type: 'quantitative', title: 'Effect (outcome units)' },
          y2: { field: 'upper' },
          color: { field: 'kind', type: 'nominal', title: null, scale: { range: ['#000000', '#0072B2'] } },
          strokeDash: { field: 'kind', type: 'nominal', legend: null, scale: { range: [[1, 0], [6, 2]] } },
          description: { field: 'aria' },
        },
      },
    ],
  };
}

export function baconBody(doc: ResultDocument, o: Size): Obj {
  const rows = baconRows(doc).map((r) => ({ ...r, aria: `${r.type} ${r.label}: estimate ${r.estimate.toPrecision(3)}, weight ${r.weight.toPrecision(3)}` }));
  const b = (doc as Obj).bacon as Obj;
  const share = b.forbiddenShare as number;
  return {
    title: {
      text: o.title ?? 'Goodman-Bacon decomposition of the TWFE estimate',
      subtitle: [`Each point is one 2×2 comparison; the TWFE estimate (line) is their weighted average. ${(100 * share).toFixed(1)}% of the weight uses already-treated units as controls (later vs earlier).`],
    },
    description: 'Scatter of 2×2 DiD estimates against their weights, by comparison type.',
    width: o.width ?? 640,
    height: o.height ?? 320,
    layer: [
      { data: { values: [{ twfe: b.twfe }] }, mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { y: { field: 'twfe', type: 'quantitative' } } },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 80 },
        encoding: {
          x: { field: 'weight', type: 'quantitative', title: 'Weight in the TWFE estimate' },
          y: { field: 'estimate', type: 'quantitative', title: '2×2 DiD estimate' },
          color: { field: 'type', type: 'nominal', title: 'comparison', scale: { domain: ['treated-vs-never', 'earlier-vs-later', 'later-vs-earlier'], range: ['#0072B2', '#009E73', '#D55E00'] } },
          shape: { field: 'type', type: 'nominal', title: 'comparison', scale: { domain: ['treated-vs-never', 'earlier-vs-later', 'later-vs-earlier'], range: ['circle', 'square', 'triangle-up'] } },
          description: { field: 'aria' },
        },
      },
    ],
  };
}

export function placeboFitBody(doc: ResultDocument, o: Size): Obj {
  const rows = placeboFitRows(doc).map((r) => ({ ...r, aria: `${r.period} ${r.series}: ${r.value.toPrecision(4)}` }));
  const p = ((doc as Obj).pretrends as Obj).placebo as Obj;
  const periods = [...new Set(rows.map((r) => r.period))];
  const held = [...new Set(rows.filter((r) => r.heldOut).map((r) => r.period))];
  return {
    title: {
      text: o.title ?? 'Placebo test: predicting held-out pre-treatment periods',
      subtitle: [`Solid black: observed; dashed blue: predicted. The last ${held.length} pre-period(s) (shaded) are held out and predicted from earlier periods only; placebo effect ${num(p.att) ? (p.att as number).toPrecision(3) : 'n/a'}${num(p.pValue) ? `, p = ${(p.pValue as number).toPrecision(2)}` : ''}.`],
    },
    description: 'Observed and predicted outcome of the treated units over the pre-period, held-out periods shaded.',
    width: o.width ?? 640,
    height: o.height ?? 320,
    layer: [
      { data: { values: held.map((period) => ({ period })) }, mark: { type: 'rect', color: '#ddd', opacity: 0.6 }, encoding: { x: { field: 'period', type: 'ordinal', sort: periods } } },
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'period', type: 'ordinal', sort: periods, title: 'Period', axis: { labelAngle: -45 } },
          y: { field: 'value', type: 'quantitative', title: 'Outcome (treated average)', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, scale: { range: ['#000000', '#0072B2'] } },
          strokeDash: { field: 'series', type: 'nominal', legend: null, scale: { range: [[1, 0], [6, 3]] } },
          description: { field: 'aria' },
        },
      },
    ],
  };
}
