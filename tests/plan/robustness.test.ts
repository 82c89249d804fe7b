/**
 * The robustness suite and the method comparison.
 *  - On the fixture (true effect −4 from 2019-04, no effect before, a common lockdown shock): the
 *    committed suite of the example plan, which run.test.ts re-computes exactly with --check.
 *  - On a generated panel where one donor drives the synthetic control (the treated unit is that
 *    donor's series plus the effect), leave-one-out exposes it.
 *  - `vru-eval compare` and `plot --kind compare`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parquetWriteFile } from 'hyparquet-writer';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { expectValidDocument, FIXTURE, ROOT, runCli, tempDir } from '../helpers.js';

const RESULTS = join(ROOT, 'examples', 'home-office', 'results');
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

interface Row {
  variant: string;
  group: string;
  att: number | null;
  se: number | null;
  ci: [number, number] | null;
  difference: number | null;
  withinMainCi: boolean | null;
  coversZero: boolean | null;
  error: string | null;
  change: string;
}

describe('robustness of gsynth on the fixture (examples/home-office/results/robust_violence.json)', () => {
  const doc = read(join(RESULTS, 'robust_violence.json'));
  const rows = doc.variants as Row[];
  const main = doc.estimate;

  it('is a valid document with one row per variant and no failed variant', () => {
    expectValidDocument(doc);
    expect(doc.command).toBe('robustness');
    expect(rows.map((r) => r.group)).toEqual([
      'in-time placebo', 'in-time placebo',
      'leave one donor out', 'leave one donor out', 'leave one donor out',
      ...Array(12).fill('leave one treated out'),
      'donor pool', 'start date', 'exclude window', 'placebo outcome', 'covariates', 'covariates',
    ]);
    expect(rows.every((r) => r.error === null)).toBe(true);
    for (const r of rows) expect(r.difference).toBeCloseTo(r.att! - main.att, 12);
  });

  it('in-time placebos are near zero (|estimate| < 0.5 per 100,000, truth 0) and their intervals cover zero', () => {
    const p = rows.filter((r) => r.group === 'in-time placebo');
    expect(p).toHaveLength(2);
    for (const r of p) {
      expect(Math.abs(r.att!)).toBeLessThan(0.5);
      expect(r.coversZero).toBe(true);
    }
    expect(doc.diagnostics.find((d: { code: string }) => d.code === 'IN_TIME_PLACEBOS').passed).toBe(true);
  });

  it('leave-one-out estimates (3 donors, 12 treated units) stay inside the main interval', () => {
    const loo = rows.filter((r) => r.group.startsWith('leave one'));
    expect(loo).toHaveLength(15);
    for (const r of loo) {
      expect(r.att!).toBeGreaterThanOrEqual(main.ci[0]);
      expect(r.att!).toBeLessThanOrEqual(main.ci[1]);
    }
  });

  it('excluding the lockdown window changes the estimate by less than its standard error', () => {
    const x = rows.find((r) => r.group === 'exclude window')!;
    expect(Math.abs(x.difference!)).toBeLessThan(main.se);
    expect(doc.diagnostics.find((d: { code: string }) => d.code === 'EXCLUDE_WINDOW_WITHIN_SE').passed).toBe(true);
  });

  it('the placebo outcome (stop_search, not moved by the programme) covers zero; the main estimate is near the truth −4', () => {
    expect(rows.find((r) => r.group === 'placebo outcome')!.coversZero).toBe(true);
    expect(Math.abs(main.att - -4)).toBeLessThan(2 * main.se);
  });
});

/**
 * 8 donors: flat random walks (steps sd 0.5) at levels 50, 60, …; donor D03 also climbs by 1 per
 * period from period 11. The treated unit T01 is D03's series plus noise (sd 0.05) plus an effect
 * of −5 from period 21 of 30. Synthetic control puts nearly all weight on D03, the only donor that
 * climbs; without D03 no donor follows the climb and the estimate moves by about the climb's
 * post-period excess (≈ +11), while dropping any other donor changes nothing.
 */
function oneDonorPanel(file: string): void {
  const rng = new Rng(11);
  const N = 8;
  const T = 30;
  const series: number[][] = [];
  for (let i = 0; i < N; i++) {
    const s = [50 + 10 * i];
    for (let t = 1; t < T; t++) s.push(s[t - 1]! + 0.5 * rng.normal());
    if (i === 2) for (let t = 0; t < T; t++) s[t] = s[t]! + Math.max(0, t - 10);
    series.push(s);
  }
  const lines = ['unit,period,y,treated'];
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) lines.push(`D0${i + 1},${t + 1},${series[i]![t]},0`);
  for (let t = 0; t < T; t++) lines.push(`T01,${t + 1},${series[2]![t]! + 0.05 * rng.normal() + (t >= 20 ? -5 : 0)},${t >= 20 ? 1 : 0}`);
  writeFileSync(file, lines.join('\n') + '\n');
}

describe('vru-eval robustness <result.json> on a panel where one donor drives the fit', () => {
  it('leave-one-out puts that donor first and shows the estimate moving far only without it', () => {
    const dir = tempDir();
    const data = join(dir, 'panel.csv');
    oneDonorPanel(data);
    const main = join(dir, 'synth.json');
    const m = runCli(['scm', data, '--method', 'synth', '--outcome', 'y', '--out', main]);
    expect(m.code, m.stderr).toBe(0);
    const att = read(main).estimate.att;
    expect(Math.abs(att - -5)).toBeLessThan(0.1);
    const out = join(dir, 'robust.json');
    const r = runCli(['robustness', main, '--loo-donors', '3', '--threads', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const doc = read(out);
    expectValidDocument(doc);
    const rows = doc.variants as Row[];
    expect(rows[0]!.variant).toBe('main-rerun');
    expect(rows[0]!.att).toBe(att);
    const loo = rows.filter((r) => r.group === 'leave one donor out');
    expect(loo.map((r) => r.variant)[0]).toBe('loo-donor-D03');
    const d03 = Math.abs(loo[0]!.difference!);
    const others = Math.max(...loo.slice(1).map((r) => Math.abs(r.difference!)));
    expect(d03).toBeGreaterThan(5);
    expect(others).toBeLessThan(0.05);
    expect(doc.diagnostics.find((x: { code: string }) => x.code === 'LEAVE_ONE_OUT_WITHIN_CI')).toBeUndefined(); // placebo inference: no interval to judge
    expect(rows[0]!.change).toBe('none');
    expect(loo[0]!.change).toBe('data without D03');
  }, 60_000);

  it('runs from a Parquet panel as from the CSV of the same data (variants written back as CSV rows)', () => {
    const dir = tempDir();
    const csv = join(dir, 'panel.csv');
    oneDonorPanel(csv);
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const pq = join(dir, 'panel.parquet');
    parquetWriteFile({
      filename: pq,
      columnData: [
        { name: 'unit', data: rows.map((r) => r[0]!), type: 'STRING' },
        { name: 'period', data: rows.map((r) => Number(r[1])), type: 'INT32' },
        { name: 'y', data: rows.map((r) => Number(r[2])), type: 'DOUBLE' },
        { name: 'treated', data: rows.map((r) => Number(r[3])), type: 'INT32' },
      ],
    });
    const atts = (data: string) => {
      const main = join(dir, `synth-${data.endsWith('.csv') ? 'csv' : 'pq'}.json`);
      expect(runCli(['scm', data, '--method', 'synth', '--outcome', 'y', '--out', main]).code).toBe(0);
      const r = runCli(['robustness', main, '--loo-donors', '2', '--threads', '1']);
      expect(r.code, r.stderr).toBe(0);
      return (r.json().variants as Row[]).map((v) => [v.variant, v.att, v.error]);
    };
    const a = atts(csv);
    expect(a.length).toBe(3); // main-rerun and two leave-one-donor-out variants
    expect(atts(pq)).toEqual(a);
  }, 60_000);

  it('refuses data that do not reproduce the recorded estimate', () => {
    const dir = tempDir();
    const data = join(dir, 'panel.csv');
    oneDonorPanel(data);
    const main = join(dir, 'synth.json');
    expect(runCli(['scm', data, '--method', 'synth', '--outcome', 'y', '--out', main]).code).toBe(0);
    const other = join(dir, 'other.csv');
    writeFileSync(other, readFileSync(data, 'utf8').replace(/^(T01,22,)([-0-9.e]+)/m, (_m, a: string, y: string) => `${a}${Number(y) + 3}`));
    const r = runCli(['robustness', main, '--data', other, '--loo-donors', '1', '--threads', '1']);
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('NOT_REPRODUCED');
  }, 60_000);

  it('donor-pool variants: a list of donors, or every donor sharing a column value (e.g. the force) with a treated unit', () => {
    const dir = tempDir();
    const data = join(dir, 'panel.csv');
    oneDonorPanel(data);
    const force = (u: string): string => (u === 'T01' || u === 'D01' || u === 'D02' ? 'north' : 'south');
    const lines = readFileSync(data, 'utf8').trim().split('\n');
    writeFileSync(data, [lines[0] + ',force', ...lines.slice(1).map((l) => `${l},${force(l.split(',')[0]!)}`)].join('\n') + '\n');
    const main = join(dir, 'synth.json');
    expect(runCli(['scm', data, '--method', 'synth', '--outcome', 'y', '--out', main]).code).toBe(0);
    const r = runCli(['robustness', main, '--donor-pool', 'same_force@force', '--donor-pool', 'no_d05=D05', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const pools = (r.json().variants as (Row & { label: string })[]).filter((x) => x.group === 'donor pool');
    expect(pools.map((x) => [x.label, x.change])).toEqual([
      ["donor pool 'same_force' (2 donors dropped)", 'data without D01, D02'],
      ["donor pool 'no_d05' (1 donor dropped)", 'data without D05'],
    ]);
  }, 60_000);

  it('adjusted vs unadjusted run on the same reduced sample: units with a missing covariate leave both', () => {
    const dir = tempDir();
    const data = join(dir, 'police_monthly.csv');
    // blank one covariate cell of control A01 and one of control A02
    writeFileSync(data, readFileSync(FIXTURE, 'utf8').replace(/^(A01,2016-03,(?:[^,]*,){4})[^,\n]*$/m, '$1').replace(/^(A02,2017-07,(?:[^,]*,){4})[^,\n]*$/m, '$1'));
    const main = join(dir, 'cs.json');
    expect(runCli(['did', data, '--method', 'cs', '--outcome', 'violence_rate', '--reps', '0', '--out', main]).code).toBe(0);
    const r = runCli(['robustness', main, '--covariates-check', 'stop_search', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const rows = (r.json().variants as (Row & { label: string })[]).filter((x) => x.group === 'covariates');
    expect(rows.map((x) => [x.variant, x.change])).toEqual([
      ['unadjusted-reduced', 'data without A01, A02'],
      ['adjusted-reduced', '--covariates stop_search; data without A01, A02'],
    ]);
    expect(rows[0]!.label).toContain('2 units with missing covariates dropped');
    for (const x of rows) expect(x.att).not.toBeNull();
    expect(rows[0]!.att).not.toBe(r.json().estimate.att); // dropping areas changes the unadjusted estimate too
  }, 60_000);

  it('needs at least one check, and rejects a check the method lacks', () => {
    const main = join(RESULTS, 'twfe.json');
    expect(runCli(['robustness', main]).error().code).toBe('NO_CHECKS');
    const r = runCli(['robustness', main, '--exclude-window', '2020-04:2020-06']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('CHECK_NOT_AVAILABLE');
  });
});

describe('vru-eval compare', () => {
  it('puts methods on one scale and flags pairs whose intervals do not overlap', () => {
    const dir = tempDir();
    const shifted = read(join(RESULTS, 'twfe.json'));
    shifted.estimate.att = 5;
    shifted.estimate.ci = [4, 6];
    const f = join(dir, 'shifted.json');
    writeFileSync(f, JSON.stringify(shifted));
    const r = runCli(['compare', join(RESULTS, 'gsynth_violence.json'), join(RESULTS, 'its_2019_04.json'), f, '--label', 'gsynth', '--label', 'its', '--label', 'shifted']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    const rows = doc.comparison;
    expect(rows.map((x: { label: string }) => x.label)).toEqual(['gsynth', 'its', 'shifted']);
    expect(rows[0].att).toBe(read(join(RESULTS, 'gsynth_violence.json')).estimate.att);
    expect(rows[0].offencesAvoided).toBe(read(join(RESULTS, 'gsynth_violence.json')).counts.offencesAvoided);
    expect(rows[0].disagreesWith).toEqual(['shifted']);
    expect(rows[1].disagreesWith).toEqual(['shifted']);
    expect(rows[2].disagreesWith).toEqual(['gsynth', 'its']);
    expect(doc.diagnostics[0]).toMatchObject({ code: 'INTERVALS_OVERLAP', passed: false, value: 2 });
  });

  it('divides an ITS on a sum of units by the number of units (per treated area-period)', () => {
    const dir = tempDir();
    const its = read(join(RESULTS, 'its_2019_04.json'));
    its.options.aggregate = 'sum';
    its.options.units = ['A', 'B', 'C', 'D'];
    its.estimate.att = 8;
    its.estimate.ci = [4, 12];
    const f = join(dir, 'its_sum.json');
    writeFileSync(f, JSON.stringify(its));
    const doc = runCli(['compare', join(RESULTS, 'twfe.json'), f]).json();
    expect(doc.comparison[1]).toMatchObject({ att: 2, ci: [1, 3], scale: 'its on the sum of 4 units, divided by 4' });
  });

  it('plot a.json b.json --kind compare draws one forest row per document', () => {
    const r = runCli(['plot', join(RESULTS, 'gsynth_violence.json'), join(RESULTS, 'twfe.json'), join(RESULTS, 'its_2019_09.json'), '--kind', 'compare']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('<svg');
    for (const l of ['gsynth_violence (gsynth)', 'twfe (twfe)', 'its_2019_09 (its)']) expect(r.stdout).toContain(l);
    expect(runCli(['plot', join(RESULTS, 'gsynth_violence.json'), join(RESULTS, 'twfe.json')]).error().code).toBe('ONE_DOCUMENT');
  });
});

describe('robustness on a twfe document clustered by unit (the default)', () => {
  it('re-runs it: the recorded cluster label "unit (unit)" is not replayed as a column', () => {
    const dir = tempDir();
    const main = join(dir, 'twfe.json');
    expect(runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--out', main]).code).toBe(0);
    expect(read(main).options.cluster).toBe('unit (unit)');
    const r = runCli(['robustness', main, '--data', FIXTURE, '--loo-treated', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.main.att).toBe(read(main).estimate.att);
    expect(d.warnings.map((w: { message: string }) => w.message).join(' ')).not.toContain('cluster');
  }, 120_000);
});
