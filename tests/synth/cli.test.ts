/**
 * `scm --method synth` through the real binary: invariances (row order, adding a
 * constant, scaling), staggered starts, donor pools, and bad inputs (exit code,
 * error code, no output file).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { FIXTURE, dataset, expectClose, expectValidDocument, hasShared, runCli, tempDir } from '../helpers.js';

const text = readFileSync(FIXTURE, 'utf8');
const [header, ...rows] = text.trim().split('\n');
const base = ['--method', 'synth', '--outcome', 'violence_rate'];

/** Rewrite the outcome column (index 2) of the fixture. */
function mapOutcome(f: (y: number) => number): string {
  return [header, ...rows.map((r) => { const c = r.split(','); c[2] = String(f(Number(c[2]))); return c.join(','); })].join('\n') + '\n';
}

describe('scm --method synth: invariances', () => {
  const dir = tempDir();
  let ref: any;
  let refText: string;
  beforeAll(() => {
    const r = runCli(['scm', FIXTURE, ...base]);
    expect(r.code, r.stderr).toBe(0);
    refText = r.stdout;
    ref = r.json();
    expectValidDocument(ref);
  });

  it('shuffled rows give byte-identical JSON', () => {
    const sub = join(dir, 'shuffled');
    mkdirSync(sub, { recursive: true });
    const shuffled = new Rng(3).shuffle(rows);
    writeFileSync(join(sub, 'police_monthly.csv'), [header, ...shuffled].join('\r\n') + '\r\n');
    const r = runCli(['scm', join(sub, 'police_monthly.csv'), ...base]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(refText);
  });

  it('adding a constant to every outcome leaves weights, effects and p-values unchanged', () => {
    const f = join(dir, 'plus.csv');
    writeFileSync(f, mapOutcome((y) => y + 1000));
    const d = runCli(['scm', f, ...base]).json();
    // Tolerance 1e-8: the same exact problem up to rounding of y + 1000 in the CSV (≈1e-13 relative).
    expectClose(d.estimate.att, ref.estimate.att, { rtol: 1e-8 }, 'ATT');
    expect(d.estimate.pValue).toBe(ref.estimate.pValue);
    d.units.forEach((u: any, q: number) => {
      for (const [k, w] of Object.entries(u.weights)) expectClose(w as number, ref.units[q].weights[k], { atol: 1e-8 }, `${u.unit} weight ${k}`);
      expectClose(u.att, ref.units[q].att, { rtol: 1e-8, atol: 1e-10 }, `${u.unit} att`);
    });
    d.path.forEach((p: any, t: number) => expectClose(p.effect, ref.path[t].effect, { atol: 1e-8 }, `effect ${p.period}`));
  });

  it('scaling every outcome by c scales the effects by c (weights unchanged)', () => {
    const c = 3.7;
    const f = join(dir, 'scaled.csv');
    writeFileSync(f, mapOutcome((y) => y * c));
    const d = runCli(['scm', f, ...base]).json();
    expectClose(d.estimate.att, c * ref.estimate.att, { rtol: 1e-9 }, 'ATT');
    expectClose(d.estimate.cumulative.value, c * ref.estimate.cumulative.value, { rtol: 1e-9 }, 'cumulative');
    d.path.forEach((p: any, t: number) => expectClose(p.effect, c * ref.path[t].effect, { rtol: 1e-8, atol: 1e-9 }, `effect ${p.period}`));
    d.units.forEach((u: any, q: number) => {
      for (const [k, w] of Object.entries(u.weights)) expectClose(w as number, ref.units[q].weights[k], { atol: 1e-9 }, `${u.unit} weight ${k}`);
    });
    expect(d.estimate.pValue).toBe(ref.estimate.pValue);
  });

  it('same seed, same output; the seed is recorded', () => {
    expect(ref.options.seed).toBeTypeOf('number');
    const r = runCli(['scm', FIXTURE, ...base, '--seed', String(ref.options.seed)]);
    expect(r.stdout).toBe(refText);
  });
});

describe('scm --method synth: designs', () => {
  const dir = tempDir();

  it('staggered starts: each unit keeps its own start; placebo inference works, conformal refuses', () => {
    // Delay the start of the first treated unit by 3 months.
    const first = rows.find((r) => r.split(',')[3] === '1')!.split(',')[0]!;
    const late = new Set(['2019-04', '2019-05', '2019-06']);
    const f = join(dir, 'staggered.csv');
    writeFileSync(f, [header, ...rows.map((r) => { const c = r.split(','); if (c[0] === first && late.has(c[1]!)) c[3] = '0'; return c.join(','); })].join('\n') + '\n');
    const r = runCli(['scm', f, ...base, '--reps', '2000']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.units.find((u: any) => u.unit === first).start).toBe('2019-07');
    // Placebos are run at both starts (48 donors × 2).
    expect(d.placebos.units).toHaveLength(96);
    // In 2019-05 only the 11 units already treated make up the path (the late unit is still untreated).
    const treatedUnits = new Set(rows.filter((r) => r.split(',')[3] === '1').map((r) => r.split(',')[0]!));
    treatedUnits.delete(first);
    const ys = rows.filter((r) => treatedUnits.has(r.split(',')[0]!) && r.split(',')[1] === '2019-05').map((r) => Number(r.split(',')[2]));
    expect(ys).toHaveLength(11);
    expectClose(d.path.find((p: any) => p.period === '2019-05').observed, ys.reduce((a, b) => a + b, 0) / 11, { rtol: 1e-12 }, 'observed 2019-05');
    // The ATT averages every treated unit-period: 11 × 18 + 1 × 15 cells.
    const attCells = d.units.reduce((s: number, u: any) => s + u.att * (u.start === '2019-07' ? 15 : 18), 0) / (11 * 18 + 15);
    expectClose(d.estimate.att, attCells, { rtol: 1e-12 }, 'ATT over treated cells');
    expect(d.estimate.pValue).toBeGreaterThan(0);
    const c = runCli(['scm', f, ...base, '--inference', 'conformal', '--placebo', 'none']);
    expect(c.code).toBe(2);
    expect(c.error().code).toBe('CONFORMAL_STAGGERED');
  });

  it('a treated unit far above every donor → OUTSIDE_CONVEX_HULL and POOR_PRE_FIT warnings', () => {
    const first = rows.find((r) => r.split(',')[3] === '1')!.split(',')[0]!;
    const f = join(dir, 'outside.csv');
    writeFileSync(f, [header, ...rows.map((r) => { const c = r.split(','); if (c[0] === first) c[2] = String(Number(c[2]) * 3); return c.join(','); })].join('\n') + '\n');
    const d = runCli(['scm', f, ...base, '--placebo', 'none']).json();
    const codes = d.warnings.filter((w: any) => w.message.includes(`'${first}'`)).map((w: any) => w.code);
    expect(codes).toContain('OUTSIDE_CONVEX_HULL');
    expect(codes).toContain('POOR_PRE_FIT');
    // The synthetic control can only reach the top donor: every pre-period gap is positive.
    const u = d.units.find((x: any) => x.unit === first);
    expect(u.preRmspe).toBeGreaterThan(10);
  });

  it('--donors restricts the pool: weights only over the listed units', () => {
    const donors = ['A01', 'A02', 'A03', 'A04', 'A05'];
    const r = runCli(['scm', FIXTURE, ...base, '--donors', donors.join(','), '--placebo', 'none']);
    expect(r.code, r.stderr).toBe(0);
    for (const u of r.json().units) expect(Object.keys(u.weights).sort()).toEqual(donors);
  });
});

describe('scm --method synth: bad inputs', () => {
  const dir = tempDir();
  const out = join(dir, 'never.json');
  const expectFail = (args: string[], code: number, err: string) => {
    const r = runCli([...args, '--out', out]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.error().code).toBe(err);
    expect(r.error().message.length).toBeGreaterThan(20);
    expect(existsSync(out)).toBe(false);
    return r.error();
  };

  it('a donor with a missing outcome cell → exit 3 UNBALANCED_PANEL naming unit and period', () => {
    const f = join(dir, 'unbalanced.csv');
    writeFileSync(f, [header, ...rows.filter((r) => !r.startsWith('A01,2016-05,'))].join('\n') + '\n');
    const e = expectFail(['scm', f, ...base], 3, 'UNBALANCED_PANEL');
    expect(e.message).toContain("'A01' 2016-05");
  });

  it('an empty outcome cell for a donor → exit 3', () => {
    const f = join(dir, 'empty.csv');
    writeFileSync(f, [header, ...rows.map((r) => (r.startsWith('A02,2017-01,') ? r.replace(/^([^,]*,[^,]*,)[^,]*/, '$1') : r))].join('\n') + '\n');
    expectFail(['scm', f, ...base], 3, 'UNBALANCED_PANEL');
  });

  it('only one donor → exit 3 TOO_FEW_DONORS', () => expectFail(['scm', FIXTURE, ...base, '--donors', 'A01'], 3, 'TOO_FEW_DONORS'));
  it('malformed predictor → exit 2 BAD_PREDICTOR', () => expectFail(['scm', FIXTURE, ...base, '--predictors', 'stop_search'], 2, 'BAD_PREDICTOR'));
  it('predictor column not in the file → exit 3 MISSING_COLUMN', () => expectFail(['scm', FIXTURE, ...base, '--predictors', 'income@2016-01:2018-12'], 3, 'MISSING_COLUMN'));
  it('predictor window outside the panel → exit 2', () => expectFail(['scm', FIXTURE, ...base, '--predictors', 'stop_search@2010-01:2011-01'], 2, 'PERIOD_OUT_OF_RANGE'));
  it('unknown --inference → exit 2 BAD_INFERENCE', () => expectFail(['scm', FIXTURE, ...base, '--inference', 'bootstrap'], 2, 'BAD_INFERENCE'));
  it('--placebo time without --placebo-start → exit 2', () => expectFail(['scm', FIXTURE, ...base, '--placebo', 'time'], 2, 'MISSING_PLACEBO_START'));
  it('--placebo-start after the real start → exit 2', () => expectFail(['scm', FIXTURE, ...base, '--placebo', 'time', '--placebo-start', '2019-06'], 2, 'PLACEBO_START_TOO_LATE'));
  it('--v without predictors → exit 2', () => expectFail(['scm', FIXTURE, ...base, '--v', 'equal'], 2, 'V_WITHOUT_PREDICTORS'));
  it('--placebo-filter 0 → exit 2', () => expectFail(['scm', FIXTURE, ...base, '--placebo-filter', '0'], 2, 'BAD_NUMBER'));
  it('unreadable --predictors-file → exit 3', () => expectFail(['scm', FIXTURE, ...base, '--predictors-file', join(dir, 'nope.json')], 3, 'FILE_NOT_FOUND'));

  it.skipIf(!hasShared)('a predictor missing for a unit in its whole window → exit 3 PREDICTOR_MISSING naming the unit', () => {
    // beer is only recorded from 1984 in the Prop 99 data.
    const e = expectFail(['scm', dataset('prop99'), '--method', 'synth', '--outcome', 'cigsale', '--predictors', 'beer@1975:1980,cigsale@1980', '--placebo', 'none'], 3, 'PREDICTOR_MISSING');
    expect(e.message).toContain('beer');
    expect(e.message).toContain('1975');
  });

  it('--predictors-file JSON gives the same result as --predictors', () => {
    const f = join(dir, 'preds.json');
    writeFileSync(f, JSON.stringify(['stop_search@2016-04:2019-03', 'violence_rate@2016-04:2019-03', 'violence_rate@2019-03']));
    const a = runCli(['scm', FIXTURE, ...base, '--predictors-file', f, '--placebo', 'none', '--v', 'equal']);
    const b = runCli(['scm', FIXTURE, ...base, '--predictors', 'stop_search@2016-04:2019-03,violence_rate@2016-04:2019-03,violence_rate@2019-03', '--placebo', 'none', '--v', 'equal']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json().estimate).toEqual(b.json().estimate);
    expect(a.json().units[0].v).toEqual({ 'stop_search@2016-04:2019-03': 1 / 3, 'violence_rate@2016-04:2019-03': 1 / 3, 'violence_rate@2019-03': 1 / 3 });
  });
});
