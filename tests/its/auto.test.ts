/**
 * `--errors auto` and the integrated error models through the CLI (documents valid against the
 * schema, the choice recorded, flags refused where they do not apply), and the design's condition
 * number by the bounded Jacobi SVD on degenerate designs (ml-matrix's SVD could loop forever on
 * nearly rank-one matrices, issue 21).
 */
import { describe, expect, it } from 'vitest';
import { designConditionNumber } from '../../src/estimators/its/estimate.js';
import { svd } from '../../src/core/linalg.js';
import { expectClose, expectValidDocument, FIXTURE, runCli } from '../helpers.js';

describe('its --errors auto / arima / local-level (CLI)', () => {
  it('auto on the fixture: records what it chose and why, in options, details and a diagnostic', () => {
    const r = runCli(['its', FIXTURE, '--outcome', 'violence_rate', '--errors', 'auto', '--json']);
    expect(r.code).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.options.errors).toBe('auto');
    expect(typeof d.options.errorsChosen).toBe('string');
    const diag = d.diagnostics.find((x: { code: string }) => x.code === 'ERRORS_CHOSEN');
    expect(diag.value).toBe(d.options.errorsChosen);
    expect(diag.message).toContain('ADF');
    expect(d.details.errorSelection.chosen).toBe(d.options.errorsChosen);
    expect(d.details.errorSelection.adf).not.toBeNull();
    expect(d.estimate.ci[0]).toBeLessThanOrEqual(d.estimate.att);
    expect(d.estimate.ci[1]).toBeGreaterThanOrEqual(d.estimate.att);
  });
  it('arima:0,1,1 and local-level give valid documents without an intercept row', () => {
    for (const e of ['arima:0,1,1', 'local-level']) {
      const d = runCli(['its', FIXTURE, '--outcome', 'violence_rate', '--errors', e, '--json']).json();
      expectValidDocument(d);
      expect(d.options.errors).toBe(e);
      expect(d.coefficients.map((c: { term: string }) => c.term)).not.toContain('intercept');
      expect(d.warnings.map((w: { code: string }) => w.code)).not.toContain('COUNTERFACTUAL_MAY_DRIFT');
    }
  });
  it('refuses integrated errors for count models and arima with d ≠ 1 (exit 2)', () => {
    // auto (the default) gives a count model its GLM variance; integrated errors are refused
    const count = runCli(['its', FIXTURE, '--outcome', 'offences', '--family', 'quasipoisson', '--errors', 'auto']);
    expect(count.code).toBe(0);
    expect(count.json().options.errors).toBe('ols');
    expect(runCli(['its', FIXTURE, '--outcome', 'offences', '--family', 'quasipoisson', '--errors', 'arima:0,1,1']).code).toBe(2);
    const bad = runCli(['its', FIXTURE, '--outcome', 'violence_rate', '--errors', 'arima:0,2,1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('d = 1');
  });
});

describe('design condition number (Jacobi SVD)', () => {
  it('agrees with ml-matrix on an ordinary design', () => {
    const n = 60;
    const X = new Float64Array(n * 3);
    for (let t = 0; t < n; t++) X.set([1, t - 30, t >= 30 ? 1 : 0], t * 3);
    const s = svd(X, n, 3).s;
    expectClose(designConditionNumber({ X, n, k: 3 }), s[0]! / s[2]!, { rtol: 1e-12 }, 'κ');
  });
  it('ends quickly on degenerate designs: identical columns (κ = ∞ or huge) and nearly rank-one columns', () => {
    const n = 58;
    const k = 48;
    const X = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) X[i * k + j] = 1e-5 * Math.sin(i) + (j === 0 ? 0 : 1e-9 * Math.cos(i * j));
    const t0 = Date.now();
    const kappa = designConditionNumber({ X, n, k });
    const same = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) same.set([i, i], i * 2);
    const kSame = designConditionNumber({ X: same, n, k: 2 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(kappa === null || kappa > 1e5).toBe(true); // about 7e5
    expect(kSame === null || kSame > 1e12).toBe(true);
  });
});
