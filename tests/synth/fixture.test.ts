/**
 * Simulated truth (fixtures/police_monthly.csv, made by src/sim/dgp.ts; ATT = −4 for 12 areas
 * treated from 2019-04) and the other inference modes on it: conformal intervals
 * (Chernozhukov, Wüthrich & Zhu 2021), placebo in space, placebo in time, leave-one-out.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, expectClose, expectValidDocument, runCli } from '../helpers.js';

const truth = JSON.parse(readFileSync(FIXTURE.replace(/\.csv$/, '.truth.json'), 'utf8')) as { att: number; treatedUnits: string[] };

describe('fixture: police_monthly (truth ATT −4)', () => {
  let conf: any;
  beforeAll(() => {
    const r = runCli(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--inference', 'conformal']);
    expect(r.code, r.stderr).toBe(0);
    conf = r.json();
  });

  it('conformal: the ATT CI covers the true effect, and the estimate is near it', () => {
    expectValidDocument(conf);
    const { att, ci } = conf.estimate;
    console.log(`fixture ATT ${att} (truth ${truth.att}), conformal 95% CI [${ci[0]}, ${ci[1]}], p(0) = ${conf.estimate.pValue}`);
    expect(ci[0]).toBeLessThanOrEqual(truth.att);
    expect(ci[1]).toBeGreaterThanOrEqual(truth.att);
    // Noise SD 1.5 per cell, 12 × 18 treated cells: the average is far more precise than 0.5.
    expectClose(att, truth.att, { atol: 0.5 }, 'ATT');
    expect(conf.estimate.inference).toBe('conformal');
    // Cumulative effect to 2020-09 (18 months × −4 = −72) inside its conformal interval.
    const cum = conf.estimate.cumulative;
    console.log(`fixture cumulative ${cum.value} (truth ${truth.att * 18}), CI [${cum.ci[0]}, ${cum.ci[1]}]`);
    expect(cum.ci[0]).toBeLessThanOrEqual(truth.att * 18);
    expect(cum.ci[1]).toBeGreaterThanOrEqual(truth.att * 18);
    expect(conf.path[conf.path.length - 1].cumulativeCi).toEqual(cum.ci);
    expect(conf.units).toHaveLength(12);
  });

  it('conformal per-period intervals exist for every post period and most cover −4', () => {
    const post = conf.path.filter((p: any) => p.period >= '2019-04');
    expect(post).toHaveLength(18);
    let covered = 0;
    for (const p of post) {
      expect(p.ci).not.toBeNull();
      expect(p.ci[0]).toBeLessThanOrEqual(p.ci[1]);
      if (p.ci[0] <= -4 && -4 <= p.ci[1]) covered++;
    }
    // 95% intervals: with 18 periods, at least 14 covering is expected (P(fewer) < 0.01 if coverage is ≥ 0.9).
    expect(covered).toBeGreaterThanOrEqual(14);
    expect(conf.path.filter((p: any) => p.period < '2019-04').every((p: any) => p.ci === null)).toBe(true);
  });

  it('placebo in space (default): programme p-value, bands and a placebos block for 48 donors', () => {
    expect(conf.placebos.type).toBe('space');
    expect(conf.placebos.units).toHaveLength(48);
    expect(conf.placebos.units[0].gaps).toHaveLength(conf.path.length);
    for (const u of conf.units) {
      expect(u.pValue).toBeGreaterThan(0);
      expect(u.pValue).toBeLessThanOrEqual(1);
      expect(Object.keys(u.weights)).toHaveLength(48);
    }
    const band = conf.path.find((p: any) => p.period === '2019-06').placeboBand;
    expect(band[0]).toBeLessThan(0);
    expect(band[1]).toBeGreaterThan(0);
  });

  it('placebo in time: a fake start a year early finds no effect before the real start', () => {
    const r = runCli(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'time', '--placebo-start', '2018-04']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.placebos.type).toBe('time');
    expect(d.estimate.pValue).toBeNull();
    const fakeAtt = d.placebos.units.reduce((s: number, u: any) => s + u.att, 0) / d.placebos.units.length;
    console.log(`placebo-in-time mean fake effect 2018-04…2019-03: ${fakeAtt}`);
    // No effect before 2019-04: the fake average is within noise (SD of a 12-unit × 12-month mean of SC gaps ≈ 0.3).
    expect(Math.abs(fakeAtt)).toBeLessThan(1);
  });

  it('leave-one-out: one refit per positive-weight donor, identical to refitting with that donor excluded', () => {
    const r = runCli(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'none', '--loo']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    const nz = d.units.reduce((s: number, u: any) => s + u.nonzeroWeights, 0);
    expect(d.leaveOneOut).toHaveLength(nz);
    for (const row of d.leaveOneOut) {
      expect(row.weights[row.dropped]).toBeUndefined();
      const full = d.units.find((u: any) => u.unit === row.unit);
      expect(full.weights[row.dropped]).toBeGreaterThan(0);
    }
    const row = d.leaveOneOut[0];
    const r2 = runCli(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'none', '--exclude-units', row.dropped]);
    expect(r2.code, r2.stderr).toBe(0);
    const again = r2.json().units.find((u: any) => u.unit === row.unit);
    // Same problem solved twice by the exact solver: equal to rounding.
    expectClose(row.att, again.att, { rtol: 1e-9, atol: 1e-9 }, 'LOO ATT vs --exclude-units refit');
  });
});
