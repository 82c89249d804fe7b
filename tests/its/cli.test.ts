/**
 * `vru-eval its` end to end: the README analysis on the fixture, the document's shape and
 * internal consistency, invariances, controlled ITS against separate fits, and bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPanel, readPanelText } from '../../src/core/panel.js';
import { estimateIts } from '../../src/estimators/its/index.js';
import { Rng } from '../../src/core/rng.js';
import { FIXTURE, expectClose, expectValidDocument, runCli, tempDir } from '../helpers.js';

// The README's worked example: the funded areas' mean, two interruptions, a lockdown dummy,
// month dummies and ARMA(1,1) errors.
const README_ARGS = ['its', FIXTURE, '--outcome', 'violence_rate', '--interruption', '2019-04', '--interruption', '2019-09', '--dummy', '2020-04:2020-05', '--seasonality', 'month', '--errors', 'arma:1,1'];

type Coef = { term: string; estimate: number; se: number | null; ci: [number, number] | null; pValue: number | null };
const byTerm = (doc: { coefficients: Coef[] }, t: string) => doc.coefficients.find((c) => c.term === t)!;

describe('vru-eval its on the fixture (the report-shaped analysis)', () => {
  const r = runCli(README_ARGS);
  const doc = r.json();

  it('exits 0 with a valid document holding every term of the model', () => {
    expect(r.code, r.stderr).toBe(0);
    expectValidDocument(doc);
    expect(doc.method).toBe('its');
    expect(doc.command).toBe('its');
    const terms = doc.coefficients.map((c: Coef) => c.term);
    for (const t of ['intercept', 'time', 'month:02', 'month:12', 'dummy:2020-04:2020-05', 'level:2019-04', 'slope:2019-04', 'level:2019-09', 'slope:2019-09', 'ar:1', 'ma:1']) expect(terms).toContain(t);
    expect(doc.options).toMatchObject({ interruptions: ['2019-04', '2019-09'], errors: 'arma:1,1', armaMethod: 'reml', seasonality: 'month', family: 'gaussian', aggregate: 'mean', unitsFrom: 'treated' });
    expect(doc.options.units).toHaveLength(12);
    expect(doc.units).toHaveLength(12);
    expect(doc.details.arma).toMatchObject({ p: 1, q: 1 });
    expect(Number.isFinite(doc.details.logLik)).toBe(true);
    expect(doc.details.aic).toBeCloseTo(-2 * doc.details.logLik + 2 * (18 + 2 + 1), 9);
    const codes = doc.diagnostics.map((d: { code: string }) => d.code);
    for (const c of ['DURBIN_WATSON', 'LJUNG_BOX_12', 'LJUNG_BOX_24', 'CONVERGENCE', 'AR_STATIONARITY', 'MA_INVERTIBILITY']) expect(codes).toContain(c);
    // issue 21: a failed Ljung–Box test is a warning with the fix, not a silent ✗ (it failed at lag 12 here)
    const lb12 = doc.diagnostics.find((d: { code: string }) => d.code === 'LJUNG_BOX_12');
    expect(lb12.passed).toBe(false);
    expect(doc.warnings.map((w: { code: string }) => w.code)).toEqual(['RESIDUAL_AUTOCORRELATION']);
    expect(doc.warnings[0].message).toContain('--errors');
  });

  it('path: fitted = counterfactual before 2019-04; effect = observed − counterfactual; cumulative sums effects', () => {
    expect(doc.path).toHaveLength(66);
    let cum = 0;
    for (const p of doc.path) {
      expectClose(p.effect, p.observed - p.counterfactual, { atol: 1e-9 }, `effect ${p.period}`);
      expect(p.counterfactualCi[0]).toBeLessThan(p.counterfactual);
      expectClose(p.ci[0], p.observed - p.counterfactualCi[1], { atol: 1e-9 }, `effect CI ${p.period}`);
      if (p.period < '2019-04') {
        expect(p.fitted).toBe(p.counterfactual);
        expect(p.cumulative).toBeNull();
      } else {
        cum += p.effect;
        expectClose(p.cumulative, cum, { atol: 1e-9 }, `cumulative ${p.period}`);
      }
    }
        const first = doc.path.find((p: { period: string }) => p.period === '2019-04');
    // With ARMA (GLS) errors the post-period effect is the intervention terms' (issue 22), so the
    // effect in the first post period is exactly the level change.
    expectClose(first.effect, byTerm(doc, 'level:2019-04').estimate, { rtol: 1e-9 }, 'effect at 2019-04');
    expect(doc.estimate.postPeriods).toBe(18);
    expectClose(doc.estimate.att * 18, doc.estimate.cumulative.value, { rtol: 1e-12 }, 'att × periods = cumulative');
    expect(doc.estimate.ci[0]).toBeLessThan(doc.estimate.att);
    // The fixture's true effect is −4 per month from 2019-04: the interval must cover it.
    const truth = JSON.parse(readFileSync(FIXTURE.replace('.csv', '.truth.json'), 'utf8')).att;
    expect(doc.estimate.ci[0]).toBeLessThanOrEqual(truth);
    expect(doc.estimate.ci[1]).toBeGreaterThanOrEqual(truth);
  });

  it('shuffled rows give byte-identical output', () => {
    const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
    const body = new Rng(7).shuffle(lines.slice(1));
    const dir = tempDir();
    const file = join(dir, 'police_monthly.csv');
    writeFileSync(file, [lines[0], ...body].join('\n') + '\n');
    const again = runCli(README_ARGS.map((a) => (a === FIXTURE ? file : a)));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(r.stdout);
  });
});

describe('invariances and the library API', () => {
  const panel = readPanel(FIXTURE, { outcome: 'violence_rate' });
  const shifted = (f: (y: number) => number) => ({ ...panel, y: panel.y.map(f) });
  const opts = { interruptions: ['2019-04', '2019-09'], dummies: ['2020-04:2020-05'], seasonality: 'fourier:2' };

  it('adding a constant moves only the intercept and the levels; scaling by c scales effects and SEs (OLS, AR(1))', () => {
    for (const errors of ['ols', 'ar:1']) {
      const a = estimateIts(panel, { ...opts, errors });
      const b = estimateIts(shifted((y) => y + 100), { ...opts, errors });
      const c = estimateIts(shifted((y) => 3 * y), { ...opts, errors });
      const A = a.coefficients as Coef[];
      for (const [k, row] of A.entries()) {
        const rb = (b.coefficients as Coef[])[k]!;
        const rc = (c.coefficients as Coef[])[k]!;
        const shift = row.term === 'intercept' ? 100 : 0;
        expectClose(rb.estimate, row.estimate + shift, { rtol: 1e-6, atol: 1e-6 }, `${errors} +100: ${row.term}`);
        if (row.term.startsWith('ar:')) {
          expectClose(rc.estimate, row.estimate, { rtol: 1e-5 }, `${errors} ×3: ${row.term}`);
        } else {
          expectClose(rc.estimate, 3 * row.estimate, { rtol: 1e-6, atol: 1e-6 }, `${errors} ×3: ${row.term}`);
          expectClose(rc.se!, 3 * row.se!, { rtol: 1e-5 }, `${errors} ×3: se ${row.term}`);
        }
      }
      expectClose(b.estimate!.att, a.estimate!.att!, { rtol: 1e-6, atol: 1e-6 }, `${errors} att +100`);
      expectClose(c.estimate!.att, 3 * a.estimate!.att!, { rtol: 1e-6 }, `${errors} att ×3`);
    }
  });

  it('--aggregate sum analyses the total (= 12 × the mean) and reports the per-unit effect', () => {
    const m = estimateIts(panel, { ...opts, aggregate: 'mean' });
    const s = estimateIts(panel, { ...opts, aggregate: 'sum' });
    expectClose(s.path[10]!.observed, 12 * m.path[10]!.observed!, { rtol: 1e-12 }, 'sum = 12 × mean');
    expectClose(s.estimate!.att, 12 * m.estimate!.att!, { rtol: 1e-9 }, 'att');
    expectClose((s.estimate!.perUnit as { att: number }).att, m.estimate!.att!, { rtol: 1e-9 }, 'per-unit att');
    expect(s.estimate!.scale).toBe('sum');
  });

  it('controlled ITS: with no shared terms, the effect terms equal treated − comparison from two separate fits', () => {
    const o = { interruptions: ['2019-04'], errors: 'ols' };
    const cits = estimateIts(panel, { ...o, control: [] });
    const tr = estimateIts(panel, o);
    const treatedSet = new Set(tr.options.units as string[]);
    const controls = panel.units.filter((u) => !treatedSet.has(u));
    expect(cits.options.control).toEqual(controls);
    const co = estimateIts(panel, { ...o, units: controls });
    const get = (a: typeof tr, t: string) => (a.coefficients as Coef[]).find((c) => c.term === t)!.estimate;
    for (const t of ['level:2019-04', 'slope:2019-04']) {
      expectClose(get(cits, t), get(tr, t) - get(co, t), { rtol: 1e-8, atol: 1e-10 }, `CITS ${t}`);
      expectClose(get(cits, `control:${t}`), get(co, t), { rtol: 1e-8, atol: 1e-10 }, `CITS control:${t}`);
    }
    expectClose(get(cits, 'group'), get(tr, 'intercept') - get(co, 'intercept'), { rtol: 1e-8 }, 'group');
    // The counterfactual keeps the comparison series' changes: effect = observed − (fitted − G·(level + slope terms)).
    expect(cits.path[0]!.control).toBeCloseTo(co.path[0]!.observed!, 10);
    // AR errors in a stacked design restart at the comparison series (independent segments).
    const ar = estimateIts(panel, { ...o, control: [], errors: 'ar:1' });
    expect((ar.details as { convergence: { converged: boolean } }).convergence.converged).toBe(true);
  });

  it('a file without a treatment column works with --interruption; --series picks one unit', () => {
    const dir = tempDir();
    const file = join(dir, 'one.csv');
    const rows = ['area,month,count'];
    for (let t = 0; t < 36; t++) {
      const y = 2000 + t, m = (t % 12) + 1;
      rows.push(`Z,${2018 + Math.floor(t / 12)}-${String(m).padStart(2, '0')},${100 + t + (t >= 24 ? -10 : 0) + ((t * 7) % 5)}`);
      rows.push(`W,${2018 + Math.floor(t / 12)}-${String(m).padStart(2, '0')},${y % 7}`);
    }
    writeFileSync(file, rows.join('\n') + '\n');
    const run = runCli(['its', file, '--unit', 'area', '--time', 'month', '--outcome', 'count', '--series', 'Z', '--interruption', '2020-01', '--no-slope', '--family', 'poisson']);
    expect(run.code, run.stderr).toBe(0);
    const d = run.json();
    expectValidDocument(d);
    expect(d.options.units).toEqual(['Z']);
    expect(byTerm(d, 'level:2020-01').estimate).toBeLessThan(0);
    expect(typeof (byTerm(d, 'level:2020-01') as Coef & { rateRatio: number }).rateRatio).toBe('number');
    // Without --interruption and without a treatment column there is nothing to interrupt.
    const none = runCli(['its', file, '--unit', 'area', '--time', 'month', '--outcome', 'count', '--series', 'Z']);
    // Problems in the file are input errors (exit 3), as in every command (issue 15).
    expect(none.code).toBe(3);
    expect(none.error().code).toBe('NO_INTERRUPTION');
    // Without --series and two units, the command asks which.
    const amb = runCli(['its', file, '--unit', 'area', '--time', 'month', '--outcome', 'count', '--interruption', '2020-01']);
    expect(amb.code).toBe(3);
    expect(amb.error().code).toBe('NO_SERIES');
  });

  it('NOT_CONVERGED is a warning, never silent', () => {
    const a = estimateIts(panel, { ...opts, errors: 'arma:2,1', maxIter: 1 });
    expect(a.warnings.map((w) => w.code)).toContain('NOT_CONVERGED');
    expect(a.diagnostics.find((d) => d.code === 'CONVERGENCE')!.passed).toBe(false);
  });

  it('month dummies and Fourier pairs: a full set of 6 pairs spans the same space as 11 month dummies', () => {
    const a = estimateIts(panel, { interruptions: ['2019-04'], seasonality: 'month', errors: 'ols' });
    const b = estimateIts(panel, { interruptions: ['2019-04'], seasonality: 'fourier:6', errors: 'ols' });
    expect((b.coefficients as Coef[]).filter((c) => /^(sin|cos):/.test(c.term))).toHaveLength(11);
    expectClose(b.estimate!.att, a.estimate!.att!, { rtol: 1e-9 }, 'att month vs fourier:6');
    expectClose((b.coefficients as Coef[]).find((c) => c.term === 'level:2019-04')!.se!, (a.coefficients as Coef[]).find((c) => c.term === 'level:2019-04')!.se!, { rtol: 1e-9 }, 'level se');
  });

  it('quarterly data: quarter dummies; annual data rejects seasonality', () => {
    const rows = ['unit,period,y,treated'];
    for (let t = 0; t < 24; t++) rows.push(`Q,${2015 + Math.floor(t / 4)}-Q${(t % 4) + 1},${10 + 0.3 * t + (t % 4) + (t >= 16 ? 2 : 0) + Math.sin(t)},${t >= 16 ? 1 : 0}`);
    const p = readPanelText(rows.join('\n'), { outcome: 'y' });
    const a = estimateIts(p, { seasonality: 'month' });
    expect((a.coefficients as Coef[]).map((c) => c.term)).toEqual(expect.arrayContaining(['quarter:2', 'quarter:3', 'quarter:4', 'level:2019-Q1']));
    const annual = readPanelText('unit,period,y,treated\n' + Array.from({ length: 10 }, (_, t) => `A,${2010 + t},${t + Math.cos(t)},${t >= 6 ? 1 : 0}`).join('\n'), { outcome: 'y' });
    expect(() => estimateIts(annual, { seasonality: 'fourier:1' })).toThrow(/monthly or quarterly/);
  });
});

describe('bad input and usage', () => {
  const cases: [string, string[], number, string][] = [
    ['unknown series unit', ['--series', 'NOPE'], 3, 'UNKNOWN_UNIT'],
    ['bad --errors', ['--errors', 'garch'], 2, 'BAD_ERRORS'],
    ['bad --seasonality', ['--seasonality', 'weekly'], 2, 'BAD_SEASONALITY'],
    ['ARMA with a count family', ['--family', 'poisson', '--errors', 'ar:1', '--outcome', 'offences'], 2, 'ERRORS_NOT_FOR_FAMILY'],
    ['offset with gaussian', ['--offset', 'population'], 2, 'OFFSET_NOT_FOR_FAMILY'],
    ['--start without --treated-units', ['--start', '2019-04'], 2, 'START_NEEDS_TREATED_UNITS'],
    ['--population instead of --offset', ['--population', 'population'], 2, 'POPULATION_NOT_USED'],
    ['interruption outside the panel', ['--interruption', '2030-01'], 3, 'PERIOD_OUT_OF_RANGE'],
    ['shock dummy outside the panel', ['--dummy', '2030-01:2030-03'], 3, 'PERIOD_OUT_OF_RANGE'],
    ['malformed dummy', ['--dummy', '2020-04'], 2, 'BAD_RANGE_ARG'],
    ['series and units together', ['--series', 'A01', '--units', 'A02,A03'], 2, 'CONFLICTING_SERIES'],
    ['control overlapping the series', ['--series', 'A07', '--control', 'A07'], 2, 'CONTROL_IS_ANALYSED'],
    ['bad family', ['--family', 'binomial'], 2, 'USAGE'],
    ['too many Fourier pairs', ['--seasonality', 'fourier:7'], 2, 'BAD_SEASONALITY'],
    ['--arma-method without ARMA errors', ['--arma-method', 'ml', '--errors', 'ols'], 2, 'ARMA_METHOD_WITHOUT_ARMA'],
  ];
  for (const [what, extra, code, errCode] of cases) {
    it(`${what}: exit ${code}, ${errCode}, no output file`, () => {
      const dir = tempDir();
      const out = join(dir, 'out.json');
      const args = ['its', FIXTURE, '--outcome', 'violence_rate', '--out', out, ...extra];
      const r = runCli(args);
      expect(r.code, r.stderr).toBe(code);
      expect(r.error().code).toBe(errCode);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('negative counts under a count family: exit 4 NEGATIVE_COUNT', () => {
    const dir = tempDir();
    const file = join(dir, 'neg.csv');
    writeFileSync(file, 'unit,period,y,treated\n' + Array.from({ length: 12 }, (_, t) => `A,2020-${String(t + 1).padStart(2, '0')},${t === 3 ? -1 : 5 + t},${t >= 6 ? 1 : 0}`).join('\n') + '\n');
    const r = runCli(['its', file, '--outcome', 'y', '--family', 'quasipoisson']);
    expect(r.code).toBe(4);
    expect(r.error().code).toBe('NEGATIVE_COUNT');
  });

  it('missing outcome cells in the analysed series: exit 3 UNBALANCED_PANEL', () => {
    const dir = tempDir();
    const file = join(dir, 'gap.csv');
    writeFileSync(file, 'unit,period,y,treated\n' + Array.from({ length: 12 }, (_, t) => `A,2020-${String(t + 1).padStart(2, '0')},${t === 3 ? '' : 5 + t},${t >= 6 ? 1 : 0}`).join('\n') + '\n');
    const r = runCli(['its', file, '--outcome', 'y']);
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('UNBALANCED_PANEL');
  });
});
