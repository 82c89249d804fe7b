/**
 * `vru-eval did` end to end: the police fixture, simulated truths, and bad input
 * (exit code + error code + no output file).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { estimateCs, estimateTwfe, TWFE_DEFAULTS } from '../../src/estimators/did/index.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulateClusterPanel, simulatePanel } from '../../src/sim/dgp.js';
import { dataset, expectValidDocument, FIXTURE, hasShared, runCli, tempDir } from '../helpers.js';

const { shock: _shock, ...NO_SHOCK } = POLICE_FIXTURE_SPEC;

describe('did on the police fixture', () => {
  it('twfe event study with population weights: valid document, no staggered warning, eventPath contract', () => {
    const r = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--event-window', '-12:12', '--weights', 'population', '--covariates', 'stop_search']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    expect(doc.warnings.map((w: any) => w.code)).not.toContain('TWFE_STAGGERED');
    expect(doc.eventPath).toHaveLength(25);
    expect(doc.eventPath.filter((e: any) => e.reference)).toEqual([{ eventTime: -1, effect: 0, se: null, ci: null, n: 12, reference: true }]);
    expect(doc.coefficients.map((c: any) => c.term)).toEqual(['treated', 'stop_search']);
    expect(doc.units).toHaveLength(12);
    const pre = doc.diagnostics.find((d: any) => d.code === 'PRE_TRENDS');
    expect(pre.value).toBeGreaterThanOrEqual(0);
    expect(doc.options).toMatchObject({ method: 'twfe', vcov: 'cluster', weights: 'population', eventWindow: '-12:12', seed: 20190401 });
  });

  it('cs on the single-cohort fixture: one group, simple = group aggregate', () => {
    const r = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--method', 'cs', '--reps', '99']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    expect(doc.aggregations.group.rows).toHaveLength(1);
    expect(Math.abs(doc.aggregations.simple.att - doc.aggregations.group.att)).toBeLessThan(1e-12);
  });
});

describe('simulated truths', () => {
  it('TWFE recovers a constant effect δ = 2 within 4 SEs (18 clusters)', () => {
    // 4 SEs: an unbiased estimator with a correct SE misses by more with probability < 1e-4.
    const { csv, truth } = simulateClusterPanel({ clusters: 18, unitsPerCluster: 5, periods: 12, treatedClusters: 6, treatStart: 7, effect: 2, rho: 0.3 }, 77);
    const panel = readPanelText(csv, { outcome: 'y' });
    const a = estimateTwfe(panel, { vcov: 'cluster', cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: null, wildBootstrap: 0, wildWeights: 'rademacher', level: 0.95, seed: 1, maxIter: TWFE_DEFAULTS.maxIter, tol: TWFE_DEFAULTS.tol }, new Rng(1)) as any;
    expect(Math.abs(a.estimate.att - truth.effect)).toBeLessThan(4 * a.estimate.se);
  });

  it('CS recovers the ATT under staggered adoption with dynamic effects, where TWFE is pulled away', () => {
    const spec = { ...NO_SHOCK, units: 150, treatedUnits: 90, periods: 48, firstPeriod: '2016-01', treatStart: '2017-01', staggerStarts: ['2018-01', '2019-01'], effect: -6, rampPeriods: 18, factors: 0, selection: 'random' as const, noise: 1 };
    const { records, truth } = simulatePanel(spec, 11);
    const panel = readPanelText(recordsToCsv(records), { outcome: 'violence_rate' });
    const cs = estimateCs(panel, { estimator: 'or', control: 'never', basePeriod: 'varying', boots: 0, level: 0.95, seed: 1 }, new Rng(1)) as any;
    // 4 SEs as above (the unit-specific trends of the DGP are independent of treatment under random selection).
    expect(Math.abs(cs.estimate.att - truth.att)).toBeLessThan(4 * cs.estimate.se);
    const tw = estimateTwfe(panel, { vcov: 'cluster', cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: null, wildBootstrap: 0, wildWeights: 'rademacher', level: 0.95, seed: 1, maxIter: TWFE_DEFAULTS.maxIter, tol: TWFE_DEFAULTS.tol }, new Rng(1)) as any;
    console.log(`[staggered sim] truth ATT ${truth.att.toFixed(3)}, CS simple ${cs.estimate.att.toFixed(3)} (se ${cs.estimate.se.toFixed(3)}), TWFE ${tw.estimate.att.toFixed(3)} (se ${tw.estimate.se.toFixed(3)})`);
    expect(tw.warnings.map((w: any) => w.code)).toContain('TWFE_STAGGERED');
    // With effects growing over event time, TWFE uses already-treated units as controls and is attenuated.
    expect(Math.abs(tw.estimate.att - truth.att)).toBeGreaterThan(Math.abs(cs.estimate.att - truth.att));
  });

  it('CS with --control notyet works when every unit is eventually treated', () => {
    const spec = { ...NO_SHOCK, units: 60, treatedUnits: 60, periods: 36, firstPeriod: '2016-01', treatStart: '2017-01', staggerStarts: ['2018-01'], effect: -3, rampPeriods: 1, factors: 0, selection: 'random' as const, noise: 1 };
    const { records } = simulatePanel(spec, 3);
    const panel = readPanelText(recordsToCsv(records), { outcome: 'violence_rate' });
    const cs = estimateCs(panel, { estimator: 'or', control: 'notyet', basePeriod: 'varying', boots: 0, level: 0.95, seed: 1 }, new Rng(1)) as any;
    // Only the 2017 cohort has comparisons after it starts (the 2018 cohort until 2017-12).
    expect(cs.aggregations.group.rows.map((r: any) => r.group)).toEqual(['2017-01']);
    expect(Math.abs(cs.estimate.att - -3)).toBeLessThan(4 * cs.estimate.se);
    expect(cs.warnings.map((w: any) => w.code)).toContain('NO_COMPARISON_FOR_CELL');
    expect(() => estimateCs(panel, { estimator: 'or', control: 'never', basePeriod: 'varying', boots: 0, level: 0.95, seed: 1 }, new Rng(1))).toThrow(/never-treated/);
  });
});

describe('bad input', () => {
  const dir = tempDir();
  const out = () => join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const cases: [string, string[], number, string][] = [
    ['cs flag with twfe', ['--control', 'notyet'], 2, 'OPTION_NOT_FOR_METHOD'],
    ['twfe flag with cs', ['--method', 'cs', '--event-window', '-3:3'], 2, 'OPTION_NOT_FOR_METHOD'],
    ['window without pre-periods', ['--event-window', '2:5'], 2, 'BAD_EVENT_WINDOW'],
    ['malformed window', ['--event-window', 'soon'], 2, 'BAD_EVENT_WINDOW'],
    ['wild bootstrap without clustering', ['--vcov', 'hc1', '--wild-bootstrap', '99'], 2, 'WILD_NEEDS_CLUSTER'],
    ['unknown vcov', ['--vcov', 'hc3'], 2, 'USAGE'],
    ['missing cluster column', ['--cluster', 'force'], 3, 'MISSING_COLUMN'],
    ['non-numeric weights', ['--weights', 'unit'], 3, 'NON_NUMERIC'],
  ];
  for (const [name, args, code, err] of cases) {
    it(`${name} → exit ${code} ${err}, no output file`, () => {
      const o = out();
      const r = runCli(['did', FIXTURE, '--outcome', 'violence_rate', ...args, '--out', o]);
      expect(r.code).toBe(code);
      expect(r.error().code).toBe(err);
      expect(existsSync(o)).toBe(false);
    });
  }

  it.skipIf(!hasShared)('time-invariant covariate in TWFE → exit 4 ABSORBED_BY_FIXED_EFFECTS naming it', () => {
    const o = out();
    const r = runCli(['did', dataset('mpdta'), '--outcome', 'lemp', '--covariates', 'lpop', '--out', o]);
    expect(r.code).toBe(4);
    expect(r.error().code).toBe('ABSORBED_BY_FIXED_EFFECTS');
    expect(r.error().message).toContain('lpop');
    expect(existsSync(o)).toBe(false);
  });

  it('cs with never-treated controls on a panel without never-treated units → exit 3', () => {
    const f = join(dir, 'alltreated.csv');
    writeFileSync(f, 'unit,period,y,treated\n' + ['a', 'b', 'c'].flatMap((u, k) => [1, 2, 3, 4].map((t) => `${u},${t},${t + k},${t >= 2 + k ? 1 : 0}`)).join('\n') + '\n');
    const r = runCli(['did', f, '--outcome', 'y', '--method', 'cs']);
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('NO_COMPARISON_UNITS');
    expect(r.error().message).toContain('--control notyet');
  });
});
