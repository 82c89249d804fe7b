/**
 * `did --method cs` uniform bands (issue 15 follow-up): the band is built as in Callaway &
 * Sant'Anna (2021) Algorithm 1, steps 5–8 — the sup-t statistic max_k |R*_k|/Σ̂_k^{1/2} and the band
 * θ̂_k ± ĉ·Σ̂_k^{1/2}/√n use the bootstrap IQR SE Σ̂_k^{1/2}/√n = (q.75 − q.25)/(z.75 − z.25) of the
 * draws (`seBootstrap` in the document). Checked here as identities on every row (to 1e-12
 * relative), plus the multiplier flag, its validation and the small-cohort warning. Coverage is in
 * tests/did/coverage.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { estimateCs } from '../../src/estimators/did/index.js';
import { POLICE_FIXTURE_SPEC, simulatePanel, type PanelSpec } from '../../src/sim/dgp.js';
import { dataset, expectClose, hasShared, runCli } from '../helpers.js';

const SPEC: PanelSpec = { ...POLICE_FIXTURE_SPEC, units: 60, periods: 24, firstPeriod: '2018-01', treatedUnits: 30, treatStart: '2019-01', staggerStarts: ['2019-05'], effect: -3, rampPeriods: 1, factors: 0, selection: 'random', beta: 0 };
delete (SPEC as Partial<PanelSpec>).shock;

function panelOf(units: number, seed: number) {
  const { records } = simulatePanel({ ...SPEC, units, treatedUnits: units / 2 }, seed);
  return readPanelText(['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n'), { outcome: 'y' });
}

type Row = { att: number; se: number | null; seBootstrap: number | null; band: [number, number] | null; reference?: boolean };

function tables(a: any): [Row[], number][] {
  return [
    [a.attGt, a.details.criticalValueAttGt],
    [a.aggregations.dynamic.rows, a.aggregations.dynamic.criticalValue],
    [a.aggregations.group.rows, a.aggregations.group.criticalValue],
    [a.aggregations.calendar.rows, a.aggregations.calendar.criticalValue],
  ];
}

describe('cs uniform band: CS 2021 Algorithm 1', () => {
  const panel = panelOf(60, 7);
  const base = { estimator: 'or', control: 'never', basePeriod: 'varying', boots: 499, level: 0.95, seed: 7 } as const;

  it('band = θ̂ ± ĉ × bootstrap IQR SE on every row of every table (default)', () => {
    const a = estimateCs(panel, base, new Rng(7)) as any;
    expect(a.options.bandScale).toBe('bootstrap');
    expect(a.options.bootstrapWeights).toBe('rademacher');
    for (const [rows, crit] of tables(a)) {
      expect(crit).toBeGreaterThan(1.96);
      for (const r of rows.filter((x) => !x.reference)) {
        expect(r.seBootstrap).not.toBeNull();
        expectClose(r.band![0], r.att - crit * r.seBootstrap!, { rtol: 1e-12, atol: 1e-12 }, 'band lower');
        expectClose(r.band![1], r.att + crit * r.seBootstrap!, { rtol: 1e-12, atol: 1e-12 }, 'band upper');
      }
    }
  });

  it('bandScale analytic (the former behaviour) scales by the analytic SE; both bands are wider than pointwise', () => {
    const a = estimateCs(panel, { ...base, bandScale: 'analytic' }, new Rng(7)) as any;
    const b = estimateCs(panel, base, new Rng(7)) as any;
    for (const [rows, crit] of tables(a)) {
      for (const r of rows.filter((x) => !x.reference)) expectClose(r.band![1] - r.att, crit * r.se!, { rtol: 1e-12 }, 'analytic band');
    }
    // Same draws: the bootstrap SEs agree with the analytic ones to a few percent (B = 499).
    const dynB = b.aggregations.dynamic.rows as Row[];
    for (const r of dynB) expectClose(r.seBootstrap!, r.se!, { rtol: 0.15 }, 'IQR SE vs analytic SE');
    for (const r of [...(a.aggregations.dynamic.rows as Row[]), ...dynB]) expect(r.band![1] - r.att).toBeGreaterThan(1.96 * r.se!);
  });

  it('multipliers: Rademacher, Mammen and Gaussian give different draws with the same seed; each is recorded', () => {
    const crits = (['rademacher', 'mammen', 'gaussian'] as const).map((m) => {
      const a = estimateCs(panel, { ...base, multiplier: m }, new Rng(7)) as any;
      expect(a.options.bootstrapWeights).toBe(m);
      return a.aggregations.dynamic.criticalValue as number;
    });
    expect(new Set(crits).size).toBe(3);
    // All approximate the same sup-t quantile (27 correlated event times: ≈ 3).
    for (const c of crits) {
      expect(c).toBeGreaterThan(2.5);
      expect(c).toBeLessThan(3.6);
    }
  });

  it('UNIFORM_BAND_SMALL_COHORTS with cohorts of 15, not with cohorts of 100 nor without the bootstrap', () => {
    const small = estimateCs(panel, base, new Rng(1)) as any;
    const w = small.warnings.find((x: { code: string }) => x.code === 'UNIFORM_BAND_SMALL_COHORTS');
    expect(w, JSON.stringify(small.warnings)).toBeDefined();
    expect(w.message).toMatch(/smallest cohort \(2019-0[15]\) has 1\d unit/);
    expect(w.message).toContain('--bootstrap-weights gaussian');
    const none = estimateCs(panel, { ...base, boots: 0 }, new Rng(1)) as any;
    expect(none.warnings.map((x: { code: string }) => x.code)).not.toContain('UNIFORM_BAND_SMALL_COHORTS');
    expect(none.options.bootstrapWeights).toBeNull();
    const big = estimateCs(panelOf(400, 7), { ...base, boots: 49 }, new Rng(1)) as any;
    expect(big.details.cohorts.every((c: { units: number }) => c.units >= 100)).toBe(true);
    expect(big.warnings.map((x: { code: string }) => x.code)).not.toContain('UNIFORM_BAND_SMALL_COHORTS');
  });
});

describe.skipIf(!hasShared)('did --method cs --bootstrap-weights through the binary (mpdta)', () => {
  it('gaussian is recorded and moves only the bands; bad uses exit 2', () => {
    const args = ['did', dataset('mpdta'), '--outcome', 'lemp', '--method', 'cs', '--reps', '199', '--seed', '3'];
    const a = runCli(args);
    const g = runCli([...args, '--bootstrap-weights', 'gaussian']);
    expect(a.code, a.stderr).toBe(0);
    expect(g.code, g.stderr).toBe(0);
    const da = a.json();
    const dg = g.json();
    expect(dg.options.bootstrapWeights).toBe('gaussian');
    expect(dg.aggregations.group.att).toBe(da.aggregations.group.att);
    expect(dg.aggregations.group.se).toBe(da.aggregations.group.se);
    expect(dg.aggregations.dynamic.criticalValue).not.toBe(da.aggregations.dynamic.criticalValue);
    // mpdta's smallest cohort (2004) has 20 counties.
    expect(da.warnings.find((w: { code: string }) => w.code === 'UNIFORM_BAND_SMALL_COHORTS').message).toContain('(2004) has 20 unit(s)');
    const off = runCli(['did', dataset('mpdta'), '--outcome', 'lemp', '--method', 'cs', '--reps', '0', '--bootstrap-weights', 'gaussian']);
    expect(off.code).toBe(2);
    expect(off.error().code).toBe('WEIGHTS_NOT_USED');
    const tw = runCli(['did', dataset('mpdta'), '--outcome', 'lemp', '--bootstrap-weights', 'gaussian']);
    expect(tw.code).toBe(2);
    expect(tw.error().code).toBe('OPTION_NOT_FOR_METHOD');
    const bad = runCli([...args, '--bootstrap-weights', 'webb']);
    expect(bad.code).toBe(2);
  });
});
