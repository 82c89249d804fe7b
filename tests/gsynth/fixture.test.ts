/**
 * gsynth on the project fixture (fixtures/police_monthly.csv, simulated by
 * src/sim/dgp.ts with truth ATT −4 in police_monthly.truth.json): truth recovery,
 * invariances, worker-count independence, counts, excluded periods, bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectClose, expectValidDocument, FIXTURE, ROOT, runCli, tempDir } from '../helpers.js';

const truth = JSON.parse(readFileSync(FIXTURE.replace('.csv', '.truth.json'), 'utf8')) as { att: number; beta: number };
const base = ['scm', '--method', 'gsynth', '--outcome', 'violence_rate', '--reps', '50', '--seed', '7'];
const run = (file: string, extra: string[] = []) => runCli([base[0]!, file, ...base.slice(1), ...extra]);

const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
const header = lines[0]!.split(',');
const col = (name: string) => header.indexOf(name);
function rewrite(f: (cells: string[]) => string[], reorder = false): string {
  const rows = lines.slice(1).map((l) => f(l.split(',')).join(','));
  if (reorder) rows.reverse();
  const file = join(tempDir(), 'panel.csv');
  writeFileSync(file, [lines[0], ...rows].join('\n') + '\n');
  return file;
}

describe('gsynth on the police fixture', () => {
  const first = run(FIXTURE, ['--population', 'population']);
  const doc = first.json();

  it('writes a valid document whose CI covers the true ATT (−4)', () => {
    expect(first.code, first.stderr).toBe(0);
    // stderr is a pipe here, not a terminal: no progress output.
    expect(first.stderr).toBe('');
    expectValidDocument(doc);
    expect(doc.method).toBe('gsynth');
    expect(doc.estimate.inference).toBe('bootstrap-parametric');
    expect(doc.estimate.ci[0]).toBeLessThanOrEqual(truth.att);
    expect(doc.estimate.ci[1]).toBeGreaterThanOrEqual(truth.att);
    // 12 treated × 18 months, σ = 1.5: SE ≈ 0.4, so ±0.6 (1.5 SE) is a meaningful check of the point estimate.
    expectClose(doc.estimate.att, truth.att, { atol: 0.6 }, 'fixture ATT');
    expect(doc.path).toHaveLength(66);
    expect(doc.units).toHaveLength(12);
    for (const u of doc.units) {
      expect(u.weights).toBeNull();
      expect(u.ci).toHaveLength(2);
      expect(u.start).toBe('2019-04');
    }
    const post = doc.path.filter((p: { period: string }) => p.period >= '2019-04');
    expect(post.every((p: { cumulativeCi: unknown }) => Array.isArray(p.cumulativeCi))).toBe(true);
    expectClose(post.at(-1).cumulative, doc.estimate.cumulative.value, { rtol: 1e-12 }, 'cumulative');
    expect(doc.eventPath.find((e: { eventTime: number }) => e.eventTime === 0).n).toBe(12);
  });

  it('converts the effect to offences avoided with --population (counts block)', () => {
    // offences avoided = −Σ effect × population / 100,000 over treated post cells (recomputed here from the path is
    // not possible, so check sign, CI and that it equals −ATT × Σ population / 1e5 when population is constant per cell).
    const c = doc.counts;
    expect(c.population).toBe('population');
    expect(c.ratePer).toBe(100000);
    expect(c.cells).toBe(12 * 18);
    expect(c.offencesAvoided).toBeGreaterThan(0);
    expect(c.ci[0]).toBeLessThan(c.offencesAvoided);
    expect(c.ci[1]).toBeGreaterThan(c.offencesAvoided);
    // Independent recomputation from the unit effects is not exact (population varies by month), but the
    // order of magnitude must match ATT × cells × mean population / 1e5.
    const pops = lines.slice(1).map((l) => l.split(',')).filter((c2) => c2[col('treated')] === '1').map((c2) => Number(c2[col('population')]));
    const approx = -doc.estimate.att * pops.reduce((a, b) => a + b, 0) / 1e5;
    expectClose(c.offencesAvoided, approx, { rtol: 0.05 }, 'offences avoided vs ATT × population');
  });

  it('gives identical output for shuffled rows', () => {
    const shuffled = rewrite((c) => c, true);
    const again = run(shuffled, ['--population', 'population']);
    expect(again.code).toBe(0);
    const a = again.json();
    delete a.input.file;
    const b = { ...doc, input: { ...doc.input } };
    delete b.input.file;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('gives byte-identical output with 1 and 2 worker threads', () => {
    // The compiled worker file (src/inference's pool) must exist, or the pool would fall back to one thread.
    expect(existsSync(join(ROOT, 'dist', 'src', 'inference', 'worker.js'))).toBe(true);
    const w1 = run(FIXTURE, ['--population', 'population', '--threads', '1']);
    const w2 = run(FIXTURE, ['--population', 'population', '--threads', '2']);
    expect(w1.code).toBe(0);
    expect(w1.stdout).toBe(w2.stdout);
    expect(w1.stdout).toBe(first.stdout);
  });

  it('is unchanged by adding a constant to one unit, and scales with the outcome', () => {
    const iy = col('violence_rate');
    const shifted = rewrite((c) => (c[0] === 'A07' || c[0] === 'A20' ? c.map((v, k) => (k === iy ? String(Number(v) + 100) : v)) : c));
    const s = run(shifted, ['--inference', 'none']).json();
    const ref = run(FIXTURE, ['--inference', 'none']).json();
    // Unit effects absorb a unit constant exactly (up to rounding).
    expectClose(s.estimate.att, ref.estimate.att, { atol: 1e-8 }, 'ATT after adding 100 to two units');
    const scaled = rewrite((c) => c.map((v, k) => (k === iy ? String(Number(v) * 10) : v)));
    const sc = run(scaled, ['--inference', 'none', '--factors', String(ref.options.factors)]).json();
    expectClose(sc.estimate.att, 10 * ref.estimate.att, { rtol: 1e-8 }, 'ATT after scaling the outcome by 10');
  });

  it('recovers the covariate coefficient of the generator (β = 0.5 on stop_search)', () => {
    const r = run(FIXTURE, ['--covariates', 'stop_search', '--inference', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    // 48 controls × 66 months with σ = 1.5 and sd(x) = 1: bootstrap SE of β ≈ 0.026, so ±0.05 ≈ 2 SE.
    expectClose(d.coefficients[0].estimate, truth.beta, { atol: 0.05 }, 'β of stop_search');
    expectClose(d.estimate.att, truth.att, { atol: 0.6 }, 'ATT with the covariate');
  });

  it('leaves an excluded window out of the fit and reports it', () => {
    const r = run(FIXTURE, ['--exclude-periods', '2020-04:2020-06', '--inference', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expect(d.options.excludePeriods).toEqual(['2020-04:2020-06']);
    const apr = d.path.find((p: { period: string }) => p.period === '2020-04');
    expect(apr.excluded).toBe(true);
    expect(apr.effect).toBeNull();
    expect(d.warnings.some((w: { code: string }) => w.code === 'EXCLUDED_PERIODS')).toBe(true);
    // Event time stays calendar time: 2020-04…06 are event times 12–14 and are absent, 15 is 2020-07.
    const ets = d.eventPath.map((e: { eventTime: number }) => e.eventTime);
    expect(ets).not.toContain(12);
    expect(ets).toContain(15);
    // The truth is −4 in every post month, so leaving the lockdown out must not move the ATT far.
    expectClose(d.estimate.att, truth.att, { atol: 0.6 }, 'ATT with the lockdown excluded');
  });

  it('handles missing control cells by EM and still recovers the effect', () => {
    const iy = col('violence_rate');
    let k = 0;
    const holes = rewrite((c) => (c[0] === 'A01' || c[0] === 'A02' ? c.map((v, j) => (j === iy && k++ % 7 === 0 ? '' : v)) : c));
    const r = run(holes, ['--inference', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expect(d.warnings.some((w: { code: string }) => w.code === 'IMPUTED_CONTROL_CELLS')).toBe(true);
    const ref = run(FIXTURE, ['--inference', 'none', '--factors', String(d.options.factors)]).json();
    // 20 of 3,168 control cells missing: the EM fit must stay within 0.1 of the complete-data fit.
    expectClose(d.estimate.att, ref.estimate.att, { atol: 0.1 }, 'ATT with missing control cells');
  });

  it('supports nonparametric and jackknife inference, and fixed r', () => {
    for (const inf of ['nonparametric', 'jackknife']) {
      const r = run(FIXTURE, ['--inference', inf, '--factors', '3']);
      expect(r.code, r.stderr).toBe(0);
      const d = r.json();
      expectValidDocument(d);
      expect(d.options.factors).toBe(3);
      expect(d.estimate.ci[0]).toBeLessThanOrEqual(truth.att);
      expect(d.estimate.ci[1]).toBeGreaterThanOrEqual(truth.att);
    }
  });

  it('rejects bad options and data with the right exit code and no output file', () => {
    const out = join(tempDir(), 'out.json');
    const bad = run(FIXTURE, ['--inference', 'placebo', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.error().code).toBe('BAD_INFERENCE');
    expect(existsSync(out)).toBe(false);
    const force = run(FIXTURE, ['--force', 'sideways']);
    expect(force.code).toBe(2);
    const cov = run(FIXTURE, ['--covariates', 'nope']);
    expect(cov.code).toBe(3);
    expect(cov.error().code).toBe('MISSING_COLUMN');
    const ic = col('stop_search');
    const holes = rewrite((c) => (c[0] === 'A03' && c[1] === '2016-01' ? c.map((v, j) => (j === ic ? '' : v)) : c));
    const mc = run(holes, ['--covariates', 'stop_search', '--out', out]);
    expect(mc.code).toBe(3);
    expect(mc.error().code).toBe('MISSING_COVARIATE');
    expect(mc.error().message).toContain("'A03'");
    expect(existsSync(out)).toBe(false);
    const tooMany = run(FIXTURE, ['--factors', '50', '--inference', 'none']);
    expect(tooMany.code).toBe(4);
    const wrongMethod = runCli(['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'gsynth', '--nonexistent']);
    expect(wrongMethod.code).toBe(2);
  });
});
