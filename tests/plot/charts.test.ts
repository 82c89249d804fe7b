/**
 * Every chart kind rendered from the illustrative fixture results, checked for structure:
 * which marks are present, how many series/items, axis titles with units, legend entries,
 * the dates on the intervention rules and event marks, and greyscale-safe encodings
 * (dash patterns and shapes, not colour alone). Not byte snapshots.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicableKinds, defaultKind } from '../../src/plot/kinds.js';
import { renderChart } from '../../src/plot/render.js';
import { chartSpec } from '../../src/plot/specs.js';
import { checkResultDocument } from '../../src/plot/document.js';
import type { ResultDocument } from '../../src/core/result.js';
import { ROOT } from '../helpers.js';
import { attr, dash, itemsOf, markGroups, roleTexts } from './svg.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'results');
const load = (name: string): ResultDocument => checkResultDocument(JSON.parse(readFileSync(join(FIX, `${name}.json`), 'utf8')));

const synth = load('synth');
const gsynth = load('gsynth');
const its = load('its');
const did = load('did');
const cs = load('cs');
const cba = load('cba');

/** Render and assert vega/vega-lite reported nothing (no dropped encodings, no empty extents). */
async function draw(doc: ResultDocument, o: Parameters<typeof renderChart>[1]) {
  const r = await renderChart(doc, o);
  expect(r.warnings, `vega warnings for ${o?.kind}`).toEqual([]);
  expect(r.svg.startsWith('<svg')).toBe(true);
  expect(r.svg).toContain('<title id="vru-title">');
  return r.svg;
}

const ariaOf = (svg: string, type: string) => itemsOf(svg, type).map((i) => i.aria ?? '');

describe('default kind per method', () => {
  it('synth/gsynth → observed, its → its, twfe → event, cba → cba', () => {
    expect(defaultKind(synth)).toBe('observed');
    expect(defaultKind(gsynth)).toBe('observed');
    expect(defaultKind(its)).toBe('its');
    expect(defaultKind(did)).toBe('event');
    expect(defaultKind(cba)).toBe('cba');
    expect(applicableKinds(synth)).toEqual(['composite', 'observed', 'gap', 'cumulative', 'weights', 'units']);
    expect(applicableKinds(gsynth)).toEqual(['composite', 'observed', 'gap', 'cumulative', 'event', 'units']);
    expect(applicableKinds(cba)).toEqual(['cba']);
  });

  it('a kind the document cannot draw is a usage error naming why', () => {
    expect(() => chartSpec(cba, 'observed')).toThrow(/cannot be drawn from this cba result/);
    expect(() => chartSpec(gsynth, 'weights')).toThrow(/no unit has donor weights/);
  });
});

describe('synthetic control charts', () => {
  it('observed vs counterfactual: two series told apart by dash, dated intervention rule and event mark', async () => {
    const svg = await draw(synth, { kind: 'observed', marks: [{ period: '2020-04', label: 'lockdown' }] });
    const lines = itemsOf(svg, 'line');
    expect(lines).toHaveLength(2);
    const labels = lines.map((l) => l.aria!);
    expect(labels.some((a) => a.includes('series: Observed (treated average)'))).toBe(true);
    expect(labels.some((a) => a.includes('series: Synthetic control'))).toBe(true);
    // greyscale: the counterfactual is dashed, the observed line is not
    const cf = lines.find((l) => l.aria!.includes('Synthetic control'))!;
    const ob = lines.find((l) => l.aria!.includes('Observed'))!;
    expect(dash(cf.attrs)).toBe('6,4');
    expect(dash(ob.attrs) ?? '1,0').not.toBe('6,4');
    // placebo-space inference has no per-period interval: no band
    expect(itemsOf(svg, 'area')).toHaveLength(0);
    // the intervention rule carries its date, and so does the event mark
    const rules = ariaOf(svg, 'rule');
    expect(rules).toContain('Intervention starts 2019-04');
    expect(rules).toContain('Event: lockdown 2020-04');
    const texts = itemsOf(svg, 'text').map((t) => t.text);
    expect(texts).toContain('start 2019-04');
    expect(texts).toContain('lockdown (2020-04)');
    expect(roleTexts(svg, 'axis-title')).toEqual(['Month', 'violence rate']);
    expect(roleTexts(svg, 'legend-label')).toEqual(['Observed (treated average)', 'Synthetic control']);
    expect(roleTexts(svg, 'title-text')[0]).toBe('Violence rate: treated vs synthetic control');
    // the x axis is in calendar months, independent of the time zone (UTC scale)
    expect(roleTexts(svg, 'axis-label')).toContain('Apr 2019');
  });

  it('observed vs counterfactual with an interval: the counterfactual band is drawn and named', async () => {
    const svg = await draw(gsynth, { kind: 'observed' });
    expect(itemsOf(svg, 'area')).toHaveLength(1);
    expect(itemsOf(svg, 'line')).toHaveLength(2);
    expect(roleTexts(svg, 'title-subtitle').join(' ')).toContain('Shaded: 95% interval of the counterfactual.');
    expect(roleTexts(svg, 'legend-label')).toEqual(['Observed (treated average)', 'Counterfactual (generalized synthetic control)']);
  });

  it('gap: with several treated units, the averaged placebo band, not single-area placebo gaps against the average (issue 14)', async () => {
    const svg = await draw(synth, { kind: 'gap' });
    expect(synth.units.length).toBeGreaterThan(1);
    const lines = itemsOf(svg, 'line');
    expect(lines.filter((l) => attr(l.attrs, 'stroke') === '#BBBBBB')).toHaveLength(0);
    expect(lines.filter((l) => attr(l.attrs, 'stroke') === '#000000')).toHaveLength(1);
    expect(itemsOf(svg, 'area')).toHaveLength(1);
    expect(ariaOf(svg, 'rule')).toContain('Intervention starts 2019-04');
    expect(roleTexts(svg, 'axis-title')).toEqual(['Month', 'Effect on violence rate']);
    expect(roleTexts(svg, 'title-subtitle').join(' ')).toContain('placebo band (range of the averaged placebo gaps)');
    expect(ariaOf(svg, 'rule')).toContain('zero line');
  });

  it('gap: one treated unit over one grey line per included placebo', async () => {
    const one = { ...synth, units: synth.units.slice(0, 1) } as typeof synth;
    const svg = await draw(one, { kind: 'gap' });
    const included = (synth.placebos as { units: { included: boolean }[] }).units.filter((u) => u.included).length;
    expect(included).toBeGreaterThan(10);
    expect(itemsOf(svg, 'line').filter((l) => attr(l.attrs, 'stroke') === '#BBBBBB')).toHaveLength(included);
    expect(roleTexts(svg, 'title-subtitle').join(' ')).toContain(`Grey: ${included} placebo gaps`);
  });

  it('cumulative: one line from the first post period with its band', async () => {
    const svg = await draw(gsynth, { kind: 'cumulative' });
    const post = gsynth.path.filter((p) => p.cumulative !== null).length;
    expect(itemsOf(svg, 'line')).toHaveLength(1);
    expect(itemsOf(svg, 'area')).toHaveLength(1);
    expect(itemsOf(svg, 'symbol')).toHaveLength(post);
    expect(roleTexts(svg, 'axis-title')).toEqual(['Month', 'Cumulative effect on violence rate per 100,000']);
    // staggered starts: one dated rule per start
    expect(ariaOf(svg, 'rule').filter((a) => a.startsWith('Intervention starts'))).toEqual(['Intervention starts 2019-04', 'Intervention starts 2019-09']);
    expect(roleTexts(svg, 'title-subtitle').join(' ')).toMatch(/Offences avoided: [\d,]+ \(95% CI [\d,]+ to [\d,]+\)/);
  });

  it('weights: one bar per donor with mean weight ≥ 0.001, labelled, sorted', async () => {
    const svg = await draw(synth, { kind: 'weights' });
    const sums = new Map<string, number>();
    for (const u of synth.units) for (const [d, w] of Object.entries(u.weights!)) sums.set(d, (sums.get(d) ?? 0) + w / synth.units.length);
    const expected = [...sums.values()].filter((w) => w >= 0.001).length;
    expect(itemsOf(svg, 'rect')).toHaveLength(expected);
    const labels = itemsOf(svg, 'text').map((t) => Number(t.text));
    expect(labels).toHaveLength(expected);
    expect([...labels].sort((a, b) => b - a)).toEqual(labels);
    expect(roleTexts(svg, 'axis-title')).toEqual(['Mean weight over 3 treated units (weights sum to 1)', 'Donor unit']);
  });

  it('units: small multiples, one panel per treated unit with two lines and its start rule', async () => {
    const svg = await draw(synth, { kind: 'units' });
    // one line per series per panel (vega groups each series of each facet separately)
    const lines = itemsOf(svg, 'line');
    expect(lines).toHaveLength(2 * synth.units.length);
    expect(lines.filter((l) => dash(l.attrs) === '6,4')).toHaveLength(synth.units.length);
    expect(markGroups(svg).filter((g) => g.type === 'rule')).toHaveLength(synth.units.length);
    expect(ariaOf(svg, 'rule').filter((a) => /intervention starts 2019-04/.test(a))).toHaveLength(synth.units.length);
    for (const u of synth.units) expect(svg).toContain(`>${u.unit}</text>`);
  });

  it('units without per-unit paths: each unit’s effect with its interval', async () => {
    const svg = await draw(gsynth, { kind: 'units' });
    expect(itemsOf(svg, 'symbol')).toHaveLength(gsynth.units.length);
    // 12 interval rules + the zero line
    expect(itemsOf(svg, 'rule')).toHaveLength(gsynth.units.length + 1);
    expect(roleTexts(svg, 'axis-title')).toContain('Average effect on violence rate per 100,000');
  });
});

describe('interrupted time series chart', () => {
  it('observed points, fitted segments split at each interruption, dashed counterfactual with band, shaded dummy window', async () => {
    const svg = await draw(its, { kind: 'its' });
    expect(itemsOf(svg, 'symbol')).toHaveLength(its.path.length);
    const lines = itemsOf(svg, 'line');
    const fitted = lines.filter((l) => l.aria!.includes('series: Fitted model'));
    const cf = lines.filter((l) => l.aria!.includes('series: Counterfactual (no intervention)'));
    expect(fitted).toHaveLength(3); // before 2019-04, 2019-04…08, from 2019-09
    expect(cf).toHaveLength(1);
    expect(dash(cf[0]!.attrs)).toBe('6,4');
    expect(itemsOf(svg, 'area')).toHaveLength(1);
    expect(ariaOf(svg, 'rect')).toContain('shock dummy: 2020-04 to 2020-05');
    // the interruptions come from options.interruptions, not from the aggregated units' (funding) start
    expect(ariaOf(svg, 'rule').filter((a) => a.startsWith('Intervention'))).toEqual(['Intervention starts 2019-04', 'Intervention starts 2019-09']);
    expect(roleTexts(svg, 'axis-title')).toEqual(['Month', 'violence rate']);
  });

  it('--y-label replaces the y-axis title', async () => {
    const svg = await draw(its, { kind: 'its', yLabel: 'offences per 100,000 residents' });
    expect(roleTexts(svg, 'axis-title')).toEqual(['Month', 'offences per 100,000 residents']);
  });
});

describe('event-study chart', () => {
  it('coefficients with intervals, reference period marked, pre-trend test in the caption', async () => {
    const svg = await draw(did, { kind: 'event' });
    const ev = did.eventPath as { eventTime: number; reference?: boolean }[];
    const est = ev.filter((r) => !r.reference);
    const symbols = itemsOf(svg, 'symbol');
    // estimates + the open reference square
    expect(symbols).toHaveLength(est.length + 1);
    expect(symbols.filter((s) => s.aria!.startsWith('event time'))).toHaveLength(est.length);
    expect(symbols.find((s) => s.aria === 'reference period -1, normalised to 0')).toBeDefined();
    // pre and post told apart by shape too (circle vs diamond paths differ)
    const pre = symbols.find((s) => s.aria!.startsWith('event time -2:'))!;
    const post = symbols.find((s) => s.aria!.startsWith('event time 3:'))!;
    expect(attr(pre.attrs, 'd')).not.toEqual(attr(post.attrs, 'd'));
    // interval bars: one per estimate, plus the zero line and the treatment-start rule
    expect(itemsOf(svg, 'rule')).toHaveLength(est.length + 2);
    expect(ariaOf(svg, 'rule')).toContain('treatment starts between event time -1 and 0');
    expect(roleTexts(svg, 'title-subtitle').join(' ')).toContain('Pre-trend test (all pre-period coefficients = 0): p = 0.430, no evidence against parallel pre-trends.');
    expect(roleTexts(svg, 'axis-title')).toEqual(['Months since treatment start (0 = first treated month)', 'Effect on violence rate']);
  });
});

describe('event-study chart with a uniform band (cs)', () => {
  it('draws the band behind each interval and says so; a failed pre-trend test is reported as such', async () => {
    const svg = await draw(cs, { kind: 'event' });
    const n = (cs.eventPath as unknown[]).length;
    // band + interval per estimate, the zero line and the treatment-start rule
    expect(itemsOf(svg, 'rule')).toHaveLength(2 * n + 2);
    expect(itemsOf(svg, 'rule').filter((r) => attr(r.attrs, 'stroke') === '#D0D0D0')).toHaveLength(n);
    const caption = roleTexts(svg, 'title-subtitle').join(' ');
    expect(caption).toContain('light grey wide bars: uniform 95% band');
    expect(caption).toContain('Pre-trend test (all pre-period coefficients = 0): p = 0.012, evidence against parallel pre-trends.');
    expect(roleTexts(svg, 'legend-label')).toEqual(['Before treatment', 'After treatment']);
  });
});

describe('cost-benefit chart', () => {
  it('a bar per outcome, total benefits and costs, whiskers at the CI bounds, ratio range in the caption', async () => {
    const svg = await draw(cba, { kind: 'cba' });
    const bars = ariaOf(svg, 'rect').filter((a) => /^(Benefit from|Total benefits|Programme costs)/.test(a));
    expect(bars).toHaveLength(4);
    // whisker end ticks (drawn as rects): two per benefit row, and a tick at the costs' end (visible when costs are small)
    expect(ariaOf(svg, 'rect')).toHaveLength(4 + 6 + 1);
    // bar labels in £ million, like the axis
    expect(svg).toContain('£122.0m');
    expect(svg).toContain('£268.1m');
    expect(bars[3]).toBe('Programme costs £121,952,973');
    expect(bars[0]).toMatch(/^Benefit from violence without injury: £268,125,/);
    // 3 whiskers (2 outcomes + total), the zero line and the dashed costs line
    expect(itemsOf(svg, 'rule')).toHaveLength(5);
    expect(ariaOf(svg, 'rule')).toEqual(expect.arrayContaining(['zero line', 'Programme costs £121,952,973']));
    expect(roleTexts(svg, 'title-subtitle').join(' ')).toContain('Benefit-cost ratio 3.16, from 0.40 (CI bound with fewer offences avoided) to 11.07 (bound with more).');
    expect(roleTexts(svg, 'legend-label')).toEqual(['Benefit', 'Cost']);
  });
});

describe('spec', () => {
  it('is plain Vega-Lite JSON with the data inline (restylable, no URLs to fetch)', () => {
    const spec = chartSpec(synth, 'observed');
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
    const text = JSON.stringify(spec);
    expect(text).not.toMatch(/"url"\s*:/);
    expect(JSON.parse(text)).toEqual(spec);
  });
});
