/**
 * `--kind composite` (observed vs counterfactual, effect per period, cumulative, stacked, post
 * period shaded) and `--kind describe` (two years overlaid, labelled descriptive), drawn from real
 * documents, checked on the SVG structure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/plot/render.js';
import { checkResultDocument } from '../../src/plot/document.js';
import { fmtInt } from '../../src/plot/format.js';
import { main } from '../../src/cli/main.js';
import { FIXTURE, ROOT } from '../helpers.js';
import { itemsOf, markGroups, roleTexts } from './svg.js';

const doc = (name: string) => checkResultDocument(JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'results', `${name}.json`), 'utf8')));

describe('composite chart', () => {
  it('stacks three panels on one time axis, shades the post period in each, and states offences avoided', async () => {
    const d = doc('gsynth');
    const c = await renderChart(d, { kind: 'composite' });
    expect(c.warnings).toEqual([]);
    const rects = itemsOf(c.svg, 'rect');
    expect(rects).toHaveLength(3); // one shaded post period per panel
    const first = d.path.find((p) => p.cumulative !== null)!.period; // 2019-04
    for (const r of rects) expect(r.aria).toMatch(/^(Month|x): Apr 2019/);
    expect(first).toBe('2019-04');
    // three interval bands and the observed/counterfactual lines
    expect(itemsOf(c.svg, 'area')).toHaveLength(3);
    const panels = new Set(markGroups(c.svg).map((g) => /concat_(\d)/.exec(g.name)?.[1]).filter(Boolean));
    expect([...panels].sort()).toEqual(['0', '1', '2']);
    const titles = roleTexts(c.svg, 'title-text').join(' | ');
    const counts = d.counts as { offencesAvoided: number; ci: [number, number] };
    expect(titles).toContain(`${fmtInt(counts.offencesAvoided)} offences avoided`);
    expect(titles).toContain(`${fmtInt(counts.ci[0])} to ${fmtInt(counts.ci[1])}`);
    // only the bottom panel carries the month axis title
    expect(roleTexts(c.svg, 'axis-title').filter((t) => t === 'Month')).toHaveLength(1);
  });

  it('draws ITS and synth results too (no offences line without counts), and refuses a cost-benefit document', async () => {
    for (const name of ['its', 'synth']) {
      const c = await renderChart(doc(name), { kind: 'composite' });
      expect(roleTexts(c.svg, 'title-text').join(' ')).not.toContain('offences avoided');
    }
    await expect(renderChart(doc('cba'), { kind: 'composite' })).rejects.toThrow(/cannot be drawn/);
  });
});

describe('describe chart', () => {
  it('overlays two years month by month and says it is descriptive', async () => {
    let out = '';
    const code = await main(['node', 'vru-eval', 'describe', FIXTURE, '--outcome', 'offences', '--baseline', '2018/19'], { stdout: (s) => void (out += s), stderr: () => undefined, stderrIsTTY: false });
    expect(code).toBe(0);
    const d = checkResultDocument(JSON.parse(out));
    const c = await renderChart(d); // the default kind of a describe document
    expect(c.kind).toBe('describe');
    expect(roleTexts(c.svg, 'title-text').join(' ')).toContain('descriptive: no counterfactual');
    expect(roleTexts(c.svg, 'legend-label')).toEqual(['2018/19', '2020/21']);
    expect(itemsOf(c.svg, 'line')).toHaveLength(2);
    await expect(renderChart(doc('gsynth'), { kind: 'describe' })).rejects.toThrow(/not a vru-eval describe document/);
  });
});

describe('event study from a real twfe document', () => {
  it('labels the binned ends of the event window', async () => {
    let out = '';
    const code = await main(['node', 'vru-eval', 'did', FIXTURE, '--outcome', 'violence_rate', '--event-window', '-6:6'], { stdout: (s) => void (out += s), stderr: () => undefined, stderrIsTTY: false });
    expect(code).toBe(0);
    const d = checkResultDocument(JSON.parse(out));
    const binned = (d.eventPath as { eventTime: number; binned?: boolean }[]).filter((r) => r.binned).map((r) => r.eventTime);
    expect(binned).toEqual([-6, 6]);
    const c = await renderChart(d, { kind: 'event' });
    const texts = itemsOf(c.svg, 'text').map((t) => t.text);
    expect(texts).toContain('≤ −6 (binned)'.replace('−', '-'));
    expect(texts).toContain('≥ 6 (binned)');
  });
});
