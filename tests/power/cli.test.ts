/**
 * `vru-eval power` on the fixture for every method, through the built binary: MDE, power curve and
 * Monte Carlo error in a schema-valid document; the unit conversions; byte-identical reruns;
 * the hypothetical-start path and its errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, expectClose, expectValidDocument, runCli, tempDir } from '../helpers.js';

const ARGS = [FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--json'];
const SIMS: Record<string, string> = { gsynth: '20', synth: '10', micro: '10', sdid: '20', ascm: '10', its: '20', twfe: '40', cs: '40' };

describe('vru-eval power on the fixture, every method', () => {
  for (const method of Object.keys(SIMS)) {
    it(`${method}: MDE, curve and MC error`, () => {
      const S = Number(SIMS[method]);
      const r = runCli(['power', ...ARGS, '--method', method, '--sims', String(S), ...(method === 'gsynth' || method === 'synth' ? ['--reps', '30'] : []), ...(method === 'synth' || method === 'micro' ? ['--effects', '0.5,1,2,3,4,6'] : [])]);
      expect(r.code, r.stderr).toBe(0);
      const d = r.json();
      expectValidDocument(d);
      expect(d.command).toBe('power');
      expect(d.method).toBe(method);
      const p = d.power;
      expect(p.sims).toBe(S);
      expect(p.design.nTreated).toBe(12); // the fixture's treated areas
      expect(p.design.post).toBe(18); // 2019-04 … 2020-09
      expect(p.mde.reached).toBe(true);
      expect(p.mde.value).toBeGreaterThan(0);
      expect(p.mde.mcSe).toBeGreaterThan(0);
      expect(p.mde.mcInterval[0]).toBeLessThanOrEqual(p.mde.value);
      expect(p.mde.mcInterval[1]).toBeGreaterThanOrEqual(p.mde.value);
      // % of the treated pre-period mean and offences over the post period (rate per 100,000)
      expectClose(p.mde.percentOfMean, (100 * p.mde.value) / p.design.treatedPreMean, { rtol: 1e-12 }, 'percentOfMean');
      expectClose(p.mde.offencesOverPost, (p.mde.value * p.design.populationPerArea * 12 * 18) / 1e5, { rtol: 1e-12 }, 'offences');
      for (const c of p.curve) expectClose(c.mcSe, Math.sqrt((c.power * (1 - c.power)) / S), { rtol: 1e-12, atol: 1e-15 }, 'MC SE');
      expect(p.curve[0].effect).toBe(0);
      expect(p.curve[0].power).toBe(p.size.value);
      expect(p.curve[p.curve.length - 1].power).toBeGreaterThanOrEqual(0.8);
      expect(d.diagnostics.find((x: { code: string }) => x.code === 'POWER_SIZE')).toBeTruthy();
      expect(p.evaluation).toBe(method === 'synth' || method === 'micro' ? 'rerun' : 'shift');
      if (method === 'twfe') {
        expect(p.analytic.applies).toBe(true);
        expect(p.analytic.bpw.mde).toBeGreaterThan(0);
        expect(p.analytic.bloom.mde).toBeGreaterThan(0);
      } else expect(p.analytic.applies).toBe(false);
    }, 120_000);
  }

  it('same seed → byte-identical document', () => {
    const dir = tempDir();
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    for (const out of [a, b]) expect(runCli(['power', ...ARGS, '--method', 'gsynth', '--sims', '10', '--reps', '20', '--seed', '5', '--out', out]).code).toBe(0);
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
  }, 120_000);

  it('flags a method does not use are rejected', () => {
    const r = runCli(['power', ...ARGS, '--method', 'twfe', '--reps', '50']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('OPTION_NOT_FOR_METHOD');
    const q = runCli(['power', FIXTURE, '--outcome', 'violence_rate', '--json', '--method', 'twfe', '--rate-per', '1000']);
    expect(q.code).toBe(2);
    expect(q.error().code).toBe('OPTION_NOT_USED');
    const e = runCli(['power', ...ARGS, '--method', 'gsynth', '--errors', 'ar:1']);
    expect(e.code).toBe(2);
    expect(e.error().code).toBe('OPTION_NOT_FOR_METHOD');
    const bad = runCli(['power', ...ARGS, '--method', 'its', '--errors', 'ar:x']);
    expect(bad.code).toBe(2);
    const s = runCli(['power', ...ARGS, '--method', 'sdid', '--seasonality', 'month']);
    expect(s.code).toBe(2);
    expect(s.error().code).toBe('OPTION_NOT_FOR_METHOD');
    expect(runCli(['power', ...ARGS, '--method', 'its', '--seasonality', 'fourier:x']).code).toBe(2);
  });

  it('its: --errors and --seasonality choose the model of every run and are recorded; OLS errors over-reject here, as POWER_SIZE says', () => {
    const run = (errors: string[]) => {
      const r = runCli(['power', ...ARGS, '--method', 'its', '--sims', '40', '--effects', '0,2', ...errors]);
      expect(r.code, r.stderr).toBe(0);
      const d = r.json();
      expectValidDocument(d);
      return d;
    };
    const auto = run([]);
    const ar1 = run(['--errors', 'ar:1']);
    const ols = run(['--errors', 'ols']);
    const seasonal = run(['--seasonality', 'month']);
    expect(seasonal.options.runs).toMatchObject({ errors: 'auto', seasonality: 'month' });
    expect(auto.options.runs.seasonality).toBe('none');
    expect(seasonal.power.curve.map((c: { power: number }) => c.power)).not.toEqual(auto.power.curve.map((c: { power: number }) => c.power));
    expect(auto.options.runs.errors).toBe('auto');
    expect(ar1.options.runs.errors).toBe('ar:1');
    expect(ar1.power.inference).toBe('ar:1');
    expect(ols.options.runs.errors).toBe('ols');
    // Same designs (same seed), different error models: the curves differ.
    expect(ols.power.curve.map((c: { power: number }) => c.power)).not.toEqual(auto.power.curve.map((c: { power: number }) => c.power));
    // The fixture's treated mean has Durbin–Watson 0.56 under OLS: its placebo size is far above 5%.
    expect(ols.power.size.value).toBeGreaterThan(0.1);
    expect(ols.diagnostics.find((x: { code: string }) => x.code === 'POWER_SIZE').passed).toBe(false);
  }, 120_000);

  it('what if: 4 treated areas and 6 months; nothing treated needs --start, --n-treated and --post', () => {
    const r = runCli(['power', ...ARGS, '--method', 'twfe', '--sims', '40', '--n-treated', '4', '--post', '6']);
    expect(r.code, r.stderr).toBe(0);
    const p = r.json().power;
    expect(p.design.nTreated).toBe(4);
    expect(p.design.post).toBe(6);
    expect(p.design.start).toBe('2018-10');
    const dir = tempDir();
    const csv = join(dir, 'untreated.csv');
    writeFileSync(csv, readFileSync(FIXTURE, 'utf8').replace(/,1,(\d+,\d+,[\d.]+)$/gm, ',0,$1'));
    const none = runCli(['power', csv, '--outcome', 'violence_rate', '--json', '--method', 'twfe', '--sims', '20']);
    expect(none.code).toBe(2);
    expect(none.error().code).toBe('NEEDS_START');
    const noN = runCli(['power', csv, '--outcome', 'violence_rate', '--json', '--method', 'twfe', '--sims', '20', '--start', '2019-04']);
    expect(noN.error().code).toBe('NEEDS_N_TREATED');
    const ok = runCli(['power', csv, '--outcome', 'violence_rate', '--json', '--method', 'twfe', '--sims', '20', '--start', '2019-04', '--n-treated', '12', '--post', '12']);
    expect(ok.code, ok.stderr).toBe(0);
    const d = ok.json();
    expect(d.options.start).toBe('2019-04');
    expect(d.power.design.historyLast).toBe('2019-03');
    expect(d.power.design.units).toBe(60);
  }, 120_000);
});
