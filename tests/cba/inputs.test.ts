/**
 * Where offences avoided come from: a result document (counts block, or the cumulative rate ×
 * population), an effect per 100,000 × population, or a count; and the sign convention (an effect
 * is observed − counterfactual, so a reduction is negative and offences avoided are positive).
 * Reference values are hand-computed in each test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDocument, type Analysis } from '../../src/core/result.js';
import { expectClose, expectValidDocument, runCli, tempDir } from '../helpers.js';
import { runMain } from './inProcess.js';

const TOOL = { name: 'vru-eval', version: '0.1.0' };
const POP = 34321607;

/** A result document as an estimating command writes it (full precision, valid against the schema). */
function resultDoc(opts: { cumulative: number; cumulativeCi: [number, number]; counts?: Record<string, unknown>; level?: number; outcome?: string }): Record<string, unknown> {
  const analysis: Analysis = {
    method: 'gsynth',
    options: { seed: 20190401 },
    estimate: { att: opts.cumulative / 18, se: 1, ci: [opts.cumulativeCi[0] / 18, opts.cumulativeCi[1] / 18], level: opts.level ?? 0.95, pValue: 0.01, inference: 'bootstrap-parametric', cumulative: { value: opts.cumulative, ci: opts.cumulativeCi } },
    path: [],
    units: [],
    diagnostics: [],
    warnings: [],
    ...(opts.counts ? { counts: opts.counts } : {}),
  };
  const input = { file: 'panel.csv', sha256: 'a'.repeat(64), rows: 10, units: 2, periods: 5, frequency: 'monthly', outcome: opts.outcome ?? 'violence_rate' };
  const doc = makeDocument('scm', TOOL, input, analysis) as unknown as Record<string, unknown>;
  expectValidDocument(doc);
  return doc;
}

function write(dir: string, name: string, doc: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(doc, null, 2));
  return f;
}

const HEEKS_VWOI = ['--multiplier', '1.5', '--outcome-type', 'violence-without-injury', '--costs', '121952973'];

describe('cba --from a result document', () => {
  it('reads counts.offencesAvoided and counts.ci (as gsynth writes them) as is', () => {
    const dir = tempDir();
    const f = write(dir, 'vwoi.json', resultDoc({ cumulative: -80.5, cumulativeCi: [-120, -40], counts: { offencesAvoided: 27600.25, ci: [13700.5, 41200.75], population: 'population' } }));
    const r = runCli(['cba', '--from', f, ...HEEKS_VWOI]);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    const o = doc.outcomes[0];
    expect(o.source).toMatchObject({ kind: 'document', via: 'document', file: 'vwoi.json', field: 'counts.offencesAvoided', method: 'gsynth' });
    expect(o.name).toBe('violence_rate');
    expect(o.offencesAvoided).toBe(27600.25);
    expect(o.ci).toEqual([13700.5, 41200.75]);
    expect(o.level).toBe(0.95);
    // Hand-computed: 27,600.25 × 1.5 × £5,930 (Heeks et al. 2018, violence without injury).
    expectClose(o.benefit, 27600.25 * 1.5 * 5930, { rtol: 1e-15 }, 'benefit');
    expectClose(doc.bcr.low, (13700.5 * 1.5 * 5930) / 121952973, { rtol: 1e-15 }, 'bcr.low');
    expect(doc.input.files).toHaveLength(1);
    expect(doc.input.files[0]).toMatchObject({ file: 'vwoi.json', role: 'result' });
  });

  it('also reads counts.offencesAvoided as a number with counts.ci', async () => {
    const dir = tempDir();
    const f = write(dir, 'v.json', resultDoc({ cumulative: -10, cumulativeCi: [-15, -5], counts: { offencesAvoided: 3000, ci: [1500, 4500] } }));
    const doc = (await runMain(['cba', '--from', f, ...HEEKS_VWOI, '--population-total', '5000'])).json();
    expect(doc.warnings.map((w: { code: string }) => w.code)).toEqual(['POPULATION_UNUSED']);
    // the warning names the flag by its current name (issue 23: cba's number is --population-total)
    expect(doc.warnings[0].message).toBe('v.json already gives counts.offencesAvoided, so --population-total 5000 was not used');
    expect(doc.outcomes[0].offencesAvoided).toBe(3000);
    expect(doc.outcomes[0].ci).toEqual([1500, 4500]);
  });

  it('without counts: −cumulative × population / 100,000, interval flipped', async () => {
    // The report's rule: offences avoided = cumulative effect per 100,000 × treated population / 100,000.
    const dir = tempDir();
    const f = write(dir, 'vwoi.json', resultDoc({ cumulative: -80.37196270254691, cumulativeCi: [-281.56, -10.17] }));
    const r = (await runMain(['cba', '--from', f, '--population-total', String(POP), '--multiplier', '1.5', '--unit-cost', '6480', '--costs', '121952973']));
    expect(r.code, r.stderr).toBe(0);
    const o = r.json().outcomes[0];
    expect(o.source.field).toBe('estimate.cumulative');
    expect(o.source.population).toBe(POP);
    expectClose(o.offencesAvoided, 27584.949, { rtol: 1e-7 }, 'offences avoided');
    // CI [−281.56, −10.17] of the effect → [10.17, 281.56] × P / 1e5 of offences avoided (fewer first).
    expectClose(o.ci[0], (10.17 * POP) / 1e5, { rtol: 1e-14 }, 'lower end');
    expectClose(o.ci[1], (281.56 * POP) / 1e5, { rtol: 1e-14 }, 'upper end');
    expect(Math.round(o.benefit)).toBe(268125706);
  });

  it('--rate-base converts rates per million (hospital admissions per 1,000,000)', async () => {
    const dir = tempDir();
    const f = write(dir, 'h.json', resultDoc({ cumulative: -2, cumulativeCi: [-3, -1] }));
    const o = (await runMain(['cba', '--from', f, '--population-total', '1000000', '--rate-per', '1000000', '--unit-cost', '100', '--costs', '1', '--name', 'admissions'])).json().outcomes[0];
    expect(o.offencesAvoided).toBe(2);
    expect(o.ci).toEqual([1, 3]);
  });

  it('two documents, one per outcome, with per-outcome flags in order', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.json', resultDoc({ cumulative: -1, cumulativeCi: [-2, -0.5], counts: { offencesAvoided: 27585, ci: [3492, 96637] }, outcome: 'vwoi_rate' }));
    const b = write(dir, 'b.json', resultDoc({ cumulative: -1, cumulativeCi: [-2, 1], counts: { offencesAvoided: 2937, ci: [-1000, 10289] }, outcome: 'vwi_rate' }));
    const r = (await runMain(['cba', '--from', a, '--from', b, '--multiplier', '1.5', '--multiplier', '2.6', '--unit-cost', '6480', '--unit-cost', '15353', '--costs', '£121,952,973']));
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expect(doc.outcomes.map((o: { name: string }) => o.name)).toEqual(['vwoi_rate', 'vwi_rate']);
    expect(doc.outcomes[1].multiplier).toBe(2.6);
    expect(doc.totals.costs).toBe(121952973);
    expectClose(doc.totals.benefits, 27585 * 1.5 * 6480 + 2937 * 2.6 * 15353, { rtol: 1e-15 }, 'total');
    // The second effect's interval includes zero: monetised, with a warning (as the report did for violence with injury).
    expect(doc.outcomes[1].significant).toBe(false);
    expect(doc.warnings.map((w: { code: string }) => w.code)).toContain('NOT_SIGNIFICANT');
    expect(doc.warnings.find((w: { code: string }) => w.code === 'NOT_SIGNIFICANT').message).toContain('vwi_rate');
    expect(doc.input.files.map((x: { file: string }) => x.file)).toEqual(['a.json', 'b.json']);
  });

  it('a spec can point at result documents ("from", relative to the spec)', async () => {
    const dir = tempDir();
    write(dir, 'vwoi.json', resultDoc({ cumulative: -1, cumulativeCi: [-2, -0.5], counts: { offencesAvoided: 100, ci: [50, 150] } }));
    const spec = write(dir, 'spec.json', {
      outcomes: [
        { name: 'vwoi', from: 'vwoi.json', multiplier: 1.5, costTable: 'heeks2018', outcomeType: 'violence-without-injury' },
        { name: 'robbery', offencesAvoided: 10, ci: [2, 18], outcomeType: 'robbery' },
        { name: 'vwi', effectPer100k: -1, ci: [-2, 0.5], population: 200000, unitCost: 15353, priceYear: '2019/20' },
      ],
      costs: 1000000,
    });
    const r = (await runMain(['cba', '--spec', spec]));
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    expect(doc.input.files.map((x: { role: string }) => x.role)).toEqual(['spec', 'result']);
    const [a, b, c] = doc.outcomes;
    expect(a.benefit).toBe(100 * 1.5 * 5930);
    expect(b.unitCost).toMatchObject({ base: 11320, table: 'heeks2018', outcomeType: 'robbery' });
    expect(b.benefit).toBe(10 * 11320);
    // −(−1) per 100,000 × 200,000 = 2 offences avoided; CI [−0.5, 2] × 2 = [−1, 4].
    expect(c.offencesAvoided).toBe(2);
    expect(c.ci).toEqual([-1, 4]);
    expect(c.unitCost.priceYear).toBe('2019/20');
  });
});

describe('cba from flags', () => {
  it('--effect-per-100k with --population: the report\'s rule, sign flipped', async () => {
    const r = (await runMain(['cba', '--effect-per-100k', '-80.37196270254691', '--ci', '-281.56,-10.17', '--population-total', String(POP), '--name', 'vwoi', '--multiplier', '1.5', '--unit-cost', '6480', '--costs', '121952973']));
    expect(r.code, r.stderr).toBe(0);
    const o = r.json().outcomes[0];
    expectClose(o.offencesAvoided, 27584.949, { rtol: 1e-7 }, 'offences avoided');
    expect(o.ci[0]).toBeLessThan(o.ci[1]);
    expect(o.source).toMatchObject({ kind: 'effect-rate', via: 'flags', effect: -80.37196270254691, population: POP });
  });

  it('--offences-avoided with --ci; several outcomes; an increase is a negative benefit with a warning', async () => {
    const r = (await runMain(['cba', '--offences-avoided', '100', '--ci', '40,160', '--offences-avoided', '-5', '--ci', '-20,10', '--name', 'a', '--name', 'b', '--unit-cost', '1000', '--costs', '50000']));
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expect(doc.outcomes[1].benefit).toBe(-5000);
    expect(doc.totals.benefits).toBe(95000);
    expect(doc.bcr).toEqual({ estimate: 1.9, low: (40000 - 20000) / 50000, high: (160000 + 10000) / 50000 });
    const codes = doc.warnings.map((w: { code: string }) => w.code);
    expect(codes).toContain('NEGATIVE_BENEFIT');
    expect(codes).toContain('NOT_SIGNIFICANT');
    expect(doc.input).toBeNull();
  });

  it('without an interval: ratio only, ends null, NO_CI warning', async () => {
    const doc = (await runMain(['cba', '--offences-avoided', '10', '--name', 'x', '--unit-cost', '100', '--costs', '500'])).json();
    expectValidDocument(doc);
    expect(doc.bcr).toEqual({ estimate: 2, low: null, high: null });
    expect(doc.outcomes[0].low).toBeNull();
    expect(doc.warnings.map((w: { code: string }) => w.code)).toEqual(['NO_CI']);
  });

  it('is invariant to scaling: counts × c and costs × c, or unit costs × c and costs × c, leave the ratios unchanged', async () => {
    const base = (await runMain(['cba', '--offences-avoided', '123.4', '--ci', '50,300', '--name', 'x', '--unit-cost', '777', '--multiplier', '1.3', '--costs', '40000'])).json().bcr;
    const scaledCounts = (await runMain(['cba', '--offences-avoided', String(123.4 * 7), '--ci', `${50 * 7},${300 * 7}`, '--name', 'x', '--unit-cost', '777', '--multiplier', '1.3', '--costs', String(40000 * 7)])).json().bcr;
    const scaledMoney = (await runMain(['cba', '--offences-avoided', '123.4', '--ci', '50,300', '--name', 'x', '--unit-cost', String(777 * 3), '--multiplier', '1.3', '--costs', String(40000 * 3)])).json().bcr;
    for (const k of ['estimate', 'low', 'high'] as const) {
      expectClose(scaledCounts[k], base[k], { rtol: 1e-13 }, `counts-scaled ${k}`);
      expectClose(scaledMoney[k], base[k], { rtol: 1e-13 }, `money-scaled ${k}`);
    }
  });
});

describe('cba library', () => {
  it('the order of outcomes does not change totals or ratios', async () => {
    const { costBenefit } = await import('../../src/estimators/cba/index.js');
    const mk = (name: string, n: number, ci: [number, number], m: number, c: number) => ({ name, offencesAvoided: n, ci, level: 0.95, source: { kind: 'count' as const, via: 'spec' as const }, multiplier: m, unitCost: { kind: 'given' as const, value: c, priceYear: null, source: null, outcomeType: null }, uprate: 1, benefitShares: null });
    const xs = [mk('a', 27584.9, [3492, 96637], 1.5, 6480), mk('b', 2936.97, [-372, 10289], 2.6, 15353), mk('c', 12.5, [1, 30], 1, 39360)];
    const run = (os: typeof xs) => costBenefit({ outcomes: os, costs: 121952973, costsVia: 'spec', discountRate: null, level: 0.95 }, { seed: 1 });
    const a = run(xs);
    const b = run([...xs].reverse());
    for (const k of ['estimate', 'low', 'high'] as const) expectClose((b.bcr as Record<string, number>)[k], (a.bcr as Record<string, number>)[k]!, { rtol: 1e-15 }, `bcr.${k}`);
    expectClose((b.totals as { benefits: number }).benefits, (a.totals as { benefits: number }).benefits, { rtol: 1e-15 }, 'benefits');
  });
});
