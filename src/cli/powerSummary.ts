/** The terminal summary of a `vru-eval power` document, in plain words (the `power` block). */
import type { ResultDocument } from '../core/result.js';

/** A summary section (the shape of summary.ts's SummarySection; not imported, as summary.ts loads this file). */
interface Section {
  heading?: string;
  rows?: [string, string][];
  table?: { headers: string[]; rows: string[][]; align?: ('l' | 'r')[] };
}

interface PowerBlock {
  target: number;
  alpha: number;
  evaluation: string;
  inference: string;
  placebo: string;
  effectType: string;
  direction: string;
  sims: number;
  design: { nTreated: number; post: number; start: string; historyFirst: string; historyLast: string; units: number };
  mde: { value: number | null; mcSe: number | null; percentOfMean: number | null; outcomeUnits: number | null; offencesOverPost: number | null };
  size: { value: number; mcSe: number };
  curve: { effect: number; percentOfMean: number | null; power: number; mcSe: number }[];
  analytic: { applies: boolean; bloom: { mde: number } | null; bpw: { mde: number } | null };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** `readable` is summary.ts's number formatter. */
export function powerSections(doc: ResultDocument, readable: (x: number) => string): Section[] {
  const p = doc.power as PowerBlock | undefined;
  if (!p || typeof p !== 'object' || !Array.isArray(p.curve)) return [];
  const d = p.design;
  const prop = p.effectType === 'proportional';
  const size = (m: number) => (prop ? `${(100 * m).toFixed(1)}%` : readable(m));
  const rows: [string, string][] = [
    ['design', `${d.nTreated} treated area(s) of ${d.units}, ${d.post} post period(s); history ${d.historyFirst} – ${d.historyLast}; placebo in ${p.placebo}, ${p.sims} simulated designs`],
  ];
  if (p.mde.value !== null) {
    const extra = [p.mde.percentOfMean !== null && !prop ? `${p.mde.percentOfMean.toFixed(1)}% of the treated pre-period mean` : null, p.mde.offencesOverPost !== null ? `about ${readable(p.mde.offencesOverPost)} offences over the post period` : null].filter(Boolean);
    rows.push(['MDE', `${size(p.mde.value)}${p.mde.mcSe !== null ? ` (Monte Carlo SE ${size(p.mde.mcSe)})` : ''}${extra.length ? ` — ${extra.join('; ')}` : ''}`]);
    rows.push(['in words', `with ${doc.method} and its ${p.inference} inference, an effect of ${size(p.mde.value)} (a ${p.direction}) would be detected ${pct(p.target)} of the time at the ${pct(p.alpha)} level; smaller effects would usually be missed, so a null result could not rule them out`]);
  } else rows.push(['MDE', `not reached: power stays below ${pct(p.target)} for every effect tried`]);
  rows.push(['size', `${pct(p.size.value)} of placebo designs with no effect were called significant (nominal ${pct(p.alpha)}, MC SE ${(100 * p.size.mcSe).toFixed(1)} points)`]);
  if (p.analytic.applies && p.analytic.bpw && p.analytic.bloom) rows.push(['analytic MDE', `${readable(p.analytic.bpw.mde)} (Burlig, Preonas & Woerman 2020, serial correlation from the panel); ${readable(p.analytic.bloom.mde)} (Bloom 1995, none)`]);
  return [
    { rows },
    { heading: 'power curve', table: { headers: ['effect', '% of mean', 'power', 'MC SE'], rows: p.curve.map((c) => [size(c.effect), c.percentOfMean === null ? '' : `${c.percentOfMean.toFixed(1)}%`, pct(c.power), `${(100 * c.mcSe).toFixed(1)}`]), align: ['r', 'r', 'r', 'r'] } },
  ];
}
