/** Chart kinds of micro results: treated vs synthetic totals and the placebo distribution. */
import { describe, expect, it } from 'vitest';
import { makeDocument } from '../../src/core/result.js';
import { micro } from '../../src/estimators/micro/index.js';
import { applicableKinds, defaultKind, whyNot } from '../../src/plot/kinds.js';
import { chartSpec } from '../../src/plot/specs.js';
import { BASE, SMALL, simData } from './helpers.js';

describe('micro charts', () => {
  it('draw totals by default and the placebo distribution with the observed effect', async () => {
    const { data } = simData(SMALL, 4);
    const doc = makeDocument('scm', { name: 'vru-eval', version: 't' }, null, await micro(data, { ...BASE, inference: ['permutation'], perms: 25 }));
    expect(defaultKind(doc)).toBe('totals');
    expect(applicableKinds(doc).slice(0, 2)).toEqual(['totals', 'placebo']);
    const totals = chartSpec(doc, 'totals') as { vconcat: { layer: { data: { values: { series: string; value: number }[] } }[] }[] };
    expect(totals.vconcat).toHaveLength(2);
    const rows = totals.vconcat[0]!.layer[0]!.data.values;
    expect(rows.filter((r) => r.series.startsWith('Treated'))).toHaveLength(16);
    const effects = doc.effects as { path: { treated: number }[]; percentChange: number }[];
    expect(rows.find((r) => r.series.startsWith('Treated'))!.value).toBe(effects[0]!.path[0]!.treated);
    const placebo = chartSpec(doc, 'placebo') as { vconcat: { layer: { data: { values: { v: number }[] } }[] }[] };
    expect(placebo.vconcat[0]!.layer[0]!.data.values).toHaveLength(25);
    expect(placebo.vconcat[0]!.layer[1]!.data.values[0]!.v).toBe(effects[0]!.percentChange);
    const noPerm = makeDocument('scm', { name: 'vru-eval', version: 't' }, null, await micro(data, BASE));
    expect(whyNot(noPerm, 'placebo')).toMatch(/permutation/);
  });
});
