/**
 * Time axes for every period frequency: quarterly and annual periods on a UTC time axis
 * (labels like "2019 Q2"), integer periods on a numeric axis; intervention rules keep the
 * period label as written in the document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/plot/render.js';
import { checkResultDocument } from '../../src/plot/document.js';
import type { ResultDocument } from '../../src/core/result.js';
import { ROOT } from '../helpers.js';
import { itemsOf, roleTexts } from './svg.js';

const base = checkResultDocument(JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'results', 'did.json'), 'utf8')));

/** The did fixture relabelled: period k → label(k), intervention at the same position. */
function relabel(frequency: string, label: (k: number) => string): ResultDocument {
  const doc = structuredClone(base);
  (doc.input as { frequency: string }).frequency = frequency;
  const start = doc.path.findIndex((p) => p.period === '2019-04');
  doc.path.forEach((p, k) => (p.period = label(k)));
  doc.units = [{ unit: 'T1', att: null, preRmspe: null, weights: null, start: label(start) }];
  return doc;
}

describe('period frequencies', () => {
  it.each([
    ['quarterly', (k: number) => `${2005 + Math.floor(k / 4)}-Q${(k % 4) + 1}`, 'Quarter', /^\d{4} Q[1-4]$/],
    ['annual', (k: number) => String(1950 + k), 'Year', /^\d{4}$/],
    ['integer', (k: number) => String(k + 1), 'Period', /^\d+$/],
  ] as const)('%s', async (frequency, label, axisTitle, tick) => {
    const doc = relabel(frequency, label);
    const start = doc.units[0]!.start as string;
    const r = await renderChart(doc, { kind: 'gap', marks: [{ period: label(60), label: 'shock' }] });
    expect(r.warnings).toEqual([]);
    expect(roleTexts(r.svg, 'axis-title')[0]).toBe(axisTitle);
    const ticks = roleTexts(r.svg, 'axis-label').slice(0, 3);
    for (const t of ticks) expect(t).toMatch(tick);
    const rules = itemsOf(r.svg, 'rule').map((i) => i.aria);
    expect(rules).toContain(`Intervention starts ${start}`);
    expect(rules).toContain(`Event: shock ${label(60)}`);
  });
});
