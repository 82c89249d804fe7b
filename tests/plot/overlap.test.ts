/**
 * Charts without overlapping labels, with units on every axis, and the same outcome labelled the
 * same way in every chart of a report (issue 24). Text boxes are measured from the SVG: each
 * visible <text>'s position through its groups' translations (and a -90° rotation for y-axis
 * titles), its anchor, and its width from the same per-character table the layout uses
 * (src/plot/textWidth.ts); two boxes overlapping by more than 1 px fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../src/core/result.js';
import { applicableKinds } from '../../src/plot/kinds.js';
import { renderChart } from '../../src/plot/render.js';
import { estimateTextWidth } from '../../src/plot/textWidth.js';
import { ROOT } from '../helpers.js';

interface Box {
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));

/** The boxes of the visible texts of an SVG, in the SVG's coordinates. */
export function textBoxes(svg: string): Box[] {
  const boxes: Box[] = [];
  const stack: [number, number][] = [[0, 0]];
  const re = /<(\/?)(g|text)\b([^>]*)>(?:([^<]*)<\/text>)?/g;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    const [, close, tag, attrs = '', content] = m;
    if (tag === 'g') {
      if (close) stack.pop();
      else if (!attrs.trimEnd().endsWith('/')) {
        const t = /transform="translate\(([-\d.e]+),\s*([-\d.e]+)\)"/.exec(attrs);
        const [px, py] = stack[stack.length - 1]!;
        stack.push([px + num(t?.[1]), py + num(t?.[2])]);
      }
      continue;
    }
    if (close || content === undefined || content.trim() === '' || /opacity="0"/.test(attrs)) continue;
    const text = content.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    const fs = num(/font-size="([\d.]+)px"/.exec(attrs)?.[1] ?? '11');
    const bold = /font-weight="bold"/.test(attrs);
    const w = estimateTextWidth(text, fs, bold);
    const anchor = /text-anchor="(start|middle|end)"/.exec(attrs)?.[1] ?? 'start';
    const tr = /transform="translate\(([-\d.e]+),\s*([-\d.e]+)\)(?: rotate\(([-\d.]+)\))?(?: translate\(([-\d.e]+),\s*([-\d.e]+)\))?"/.exec(attrs);
    const [gx, gy] = stack[stack.length - 1]!;
    const x = gx + num(tr?.[1]);
    const y = gy + num(tr?.[2]);
    const along: [number, number] = anchor === 'start' ? [0, w] : anchor === 'middle' ? [-w / 2, w / 2] : [-w, 0];
    const across: [number, number] = [-0.8 * fs, 0.2 * fs];
    if (tr?.[3] === '-90') {
      // rotate(-90): local (u, v) → (v, −u); the inner translate moves the baseline by its v
      const dv = num(tr[5]);
      boxes.push({ text, x0: x + across[0] + dv, x1: x + across[1] + dv, y0: y - along[1], y1: y - along[0] });
    } else boxes.push({ text, x0: x + along[0], x1: x + along[1], y0: y + across[0], y1: y + across[1] });
  }
  return boxes;
}

/** Pairs of boxes that overlap by more than `tol` pixels in both directions. */
export function overlaps(boxes: readonly Box[], tol = 1): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const ox = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const oy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (ox > tol && oy > tol) out.push([a.text, b.text]);
    }
  }
  return out;
}

const RESULTS = join(ROOT, 'tests', 'fixtures', 'results');
const HOME = join(ROOT, 'examples', 'home-office', 'results');
const load = (file: string): ResultDocument => JSON.parse(readFileSync(file, 'utf8')) as ResultDocument;

describe('text boxes of the charts', () => {
  it('the measurement finds a real collision: a label drawn on top of another', () => {
    const svg = '<svg><g transform="translate(10,10)"><text text-anchor="start" transform="translate(0,20)" font-size="10px">start 2019-04</text><text text-anchor="middle" transform="translate(-30,100) rotate(-90) translate(0,-3)" font-size="12px" font-weight="bold">y title</text></g><text text-anchor="end" transform="translate(40,30)" font-size="11px">label</text></svg>';
    const b = textBoxes(svg);
    expect(b).toHaveLength(3);
    expect(b[0]!.x0).toBeCloseTo(10, 9);
    expect(b[1]!.y1 - b[1]!.y0).toBeCloseTo(estimateTextWidth('y title', 12, true), 9);
    expect(overlaps(b)).toEqual([['start 2019-04', 'label']]);
  });

  const cases: [string, string][] = [
    ...['gsynth', 'synth', 'its', 'did', 'cs'].map((n): [string, string] => [n, join(RESULTS, `${n}.json`)]),
    ...['gsynth_violence', 'its_2019_04', 'twfe'].map((n): [string, string] => [`home-office ${n}`, join(HOME, `${n}.json`)]),
  ];
  for (const [name, file] of cases) {
    it(`${name}: no two labels overlap in any chart kind, and every axis has a title`, async () => {
      const doc = load(file);
      for (const kind of applicableKinds(doc)) {
        const chart = await renderChart(doc, { kind });
        const found = overlaps(textBoxes(chart.svg));
        expect(found, `${name} --kind ${kind}: overlapping labels ${JSON.stringify(found)}`).toEqual([]);
      }
    });
  }

  it('the cumulative chart puts the start label inside the plot, clear of the y axis (it collided before)', async () => {
    const chart = await renderChart(load(join(RESULTS, 'gsynth.json')), { kind: 'cumulative' });
    const start = textBoxes(chart.svg).find((b) => b.text === 'start 2019-04')!;
    const yTitle = textBoxes(chart.svg).find((b) => b.text.startsWith('Cumulative effect on'))!;
    expect(start.x0).toBeGreaterThan(yTitle.x1);
  });
});

describe('the same outcome labelled the same way, units on every axis', () => {
  const yTitles = (svg: string): string[] => [...svg.matchAll(/<text[^>]*rotate\(-90\)[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

  it('in a report, ITS and DiD charts borrow "per 100,000" from the gsynth analysis of the same outcome', async () => {
    const { buildReport } = await import('../../src/report/html.js');
    const names = ['gsynth_violence', 'its_2019_04', 'twfe'];
    const html = await buildReport(names.map((n) => ({ doc: load(join(HOME, `${n}.json`)), file: `${n}.json` })));
    const titles = yTitles(html).filter((t) => /violence rate/i.test(t));
    expect(titles.length).toBeGreaterThan(8);
    for (const t of titles) expect(t, t).toMatch(/per 100,000/);
  });

  it('the composite chart names the units on every y axis, the effect axis included', async () => {
    const chart = await renderChart(load(join(HOME, 'its_2019_04.json')), { kind: 'composite' });
    const titles = yTitles(chart.svg);
    expect(titles).toEqual(['violence rate', 'Effect (violence rate)', 'Cumulative (violence rate)']);
  });
});
