/**
 * `--kind power`: the power curve of a `vru-eval power` document — simulated power against the
 * effect size with ±2 Monte Carlo SE bars, the target power as a dashed line and the MDE marked.
 */
import type { ResultDocument } from '../core/result.js';
import { humanise } from './format.js';

type VlSpec = Record<string, unknown>;

interface PowerDoc {
  target: number;
  alpha: number;
  effectType: string;
  sims: number;
  inference?: string;
  design: { nTreated: number; post: number };
  mde: { value: number | null; mcInterval: [number, number] | null };
  curve: { effect: number; power: number; mcSe: number }[];
}

function powerOf(doc: ResultDocument): PowerDoc | null {
  const p = doc.power as PowerDoc | undefined;
  return p && Array.isArray(p.curve) && p.curve.length > 0 ? p : null;
}

export function powerWhyNot(doc: ResultDocument): string | null {
  return powerOf(doc) ? null : 'it is not a vru-eval power document (no power curve)';
}

export function powerSpec(doc: ResultDocument, o: { title?: string | undefined; width?: number | undefined; height?: number | undefined }): VlSpec {
  const p = powerOf(doc)!;
  const prop = p.effectType === 'proportional';
  const scale = prop ? 100 : 1;
  const xTitle = prop ? 'Effect (% change)' : `Effect (${humanise(doc.input && 'outcome' in doc.input ? String((doc.input as { outcome?: unknown }).outcome) : 'outcome')})`;
  const rows = p.curve.map((c) => ({ effect: c.effect * scale, power: c.power, lo: Math.max(0, c.power - 2 * c.mcSe), hi: Math.min(1, c.power + 2 * c.mcSe) }));
  const layers: VlSpec[] = [
    { mark: { type: 'rule', strokeDash: [6, 4], color: '#9A9A9A' }, encoding: { y: { datum: p.target } } },
    { mark: { type: 'rule', color: '#555555' }, encoding: { x: { field: 'effect', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    {
      mark: { type: 'line', strokeWidth: 2.2, color: '#000000', point: { filled: true, size: 40, color: '#000000' } },
      encoding: {
        x: { field: 'effect', type: 'quantitative', title: xTitle },
        y: { field: 'power', type: 'quantitative', title: 'Power (share of placebo designs rejecting no effect)', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      },
    },
  ];
  if (p.mde.value !== null) layers.push({ data: { values: [{ mde: p.mde.value * scale }] }, mark: { type: 'rule', color: '#C0392B', strokeWidth: 1.5 }, encoding: { x: { field: 'mde', type: 'quantitative' } } });
  const mdeText = p.mde.value !== null ? `MDE ${(p.mde.value * scale).toPrecision(3)}${prop ? '%' : ''} (red) at ${Math.round(100 * p.target)}% power` : `power stays below ${Math.round(100 * p.target)}%`;
  return {
    title: { text: o.title ?? `Power curve: ${doc.method}, ${p.design.nTreated} treated areas, ${p.design.post} post periods`, subtitle: [`${mdeText}; ${p.sims} simulated placebo designs, bars ±2 Monte Carlo SE; test at the ${Math.round(100 * p.alpha)}% level with the method's own ${p.inference ?? ''} inference.`] },
    description: `Power curve of ${doc.method}: simulated power against effect size, with Monte Carlo error bars and the minimum detectable effect.`,
    width: o.width ?? 560,
    height: o.height ?? 300,
    data: { values: rows },
    layer: layers,
  };
}
