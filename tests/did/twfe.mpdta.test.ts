/**
 * TWFE on mpdta (Callaway & Sant'Anna's minimum-wage panel, 500 counties × 2003–2007)
 * checked against an independent computation with explicit unit and year dummies:
 * OLS of lemp on [treated, 500 unit dummies, 4 year dummies] by QR, then the
 * sandwich written out here. Closed-form quantities, so rtol 1e-8 (the two routes
 * differ only by floating-point rounding; alternating projections converge to 1e-12).
 *
 * CR1 convention (fixest's default ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE)):
 *   V = G/(G−1) · (n−1)/(n−K) · (XᵀX)⁻¹ (Σ_g s_g s_gᵀ) (XᵀX)⁻¹, K = slopes + FE not nested in clusters.
 * Clustering by county nests the 500 county effects, so K = 1 + (5 − 1) + 1 = 6 here: fixest
 * drops the nested effect's levels but keeps the intercept it absorbed (one per fully nested
 * effect; fixest 0.14.2 reports 67 = 1 + 66 on a 66-period panel clustered by area).
 */
import { describe, expect, it } from 'vitest';
import { lstsq, xtxInverse } from '../../src/core/linalg.js';
import { readFileSync } from 'node:fs';
import { readPanel, readPanelText, type Panel } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { estimateTwfe, TWFE_DEFAULTS, type TwfeOptions } from '../../src/estimators/did/index.js';
import { dataset, expectClose, hasShared, runCli, expectValidDocument } from '../helpers.js';

const base = (o: Partial<TwfeOptions> = {}): TwfeOptions => ({
  vcov: 'cluster', cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: null,
  wildBootstrap: 0, wildWeights: 'rademacher', level: 0.95, seed: 1, maxIter: TWFE_DEFAULTS.maxIter, tol: TWFE_DEFAULTS.tol, ...o,
});

/** Dummy-variable regression: columns = regressors, then N unit dummies, then T−1 period dummies (first period dropped). */
function dummyFit(panel: Panel, regressors: ((i: number, t: number) => number)[], w: ((i: number, t: number) => number) | null) {
  const N = panel.units.length;
  const T = panel.periods.length;
  const p = regressors.length + N + T - 1;
  const rowOf: number[] = [];
  for (let k = 0; k < N * T; k++) if (Number.isFinite(panel.y[k]!)) rowOf.push(k);
  const n = rowOf.length;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  const ws = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = Math.floor(rowOf[r]! / T);
    const t = rowOf[r]! % T;
    const sw = w ? Math.sqrt(w(i, t)) : 1;
    ws[r] = w ? w(i, t) : 1;
    regressors.forEach((f, j) => (X[r * p + j] = sw * f(i, t)));
    X[r * p + regressors.length + i] = sw;
    if (t > 0) X[r * p + regressors.length + N + t - 1] = sw;
    y[r] = sw * panel.y[i * T + t]!;
  }
  const fit = lstsq(X, n, p, y);
  const bread = xtxInverse(fit.factor);
  return { fit, bread, X, p, n, N, T, ws, rowOf };
}

/** CR1 (or HC1/iid) variance of coefficient j from the dummy regression. */
function varianceOf(d: ReturnType<typeof dummyFit>, j: number, type: 'cluster' | 'hc1' | 'iid', clusterOf: (r: number) => number, G: number, K: number): number {
  const { fit, bread, X, p, n } = d;
  const a = bread.subarray(j * p, (j + 1) * p); // row j of (XᵀWX)⁻¹
  // fit.residuals are √w-scaled: e_s = √w e; scores need w·x·e = (√w x)(√w e).
  if (type === 'iid') return (fit.rss / (n - K)) * bread[j * p + j]!;
  const score = (r: number) => {
    let s = 0;
    for (let k = 0; k < p; k++) s += a[k]! * X[r * p + k]!;
    return s * fit.residuals[r]!;
  };
  if (type === 'hc1') {
    let m = 0;
    for (let r = 0; r < n; r++) m += score(r) ** 2;
    return (n / (n - K)) * m;
  }
  const S = new Float64Array(G);
  for (let r = 0; r < n; r++) S[clusterOf(r)] = S[clusterOf(r)]! + score(r);
  let m = 0;
  for (const s of S) m += s * s;
  return (G / (G - 1)) * ((n - 1) / (n - K)) * m;
}

describe('TWFE on mpdta vs explicit dummies', () => {
  // The body reads the dataset while tests are collected, so guard it here rather than with skipIf.
  if (!hasShared) {
    it.skip('needs ../shared/datasets/mpdta (present in CI)', () => undefined);
    return;
  }
  const panel = readPanel(dataset('mpdta'), { outcome: 'lemp' });
  const T = panel.periods.length;
  const N = panel.units.length;
  const D = (i: number, t: number) => panel.treated[i * T + t]!;
  const dummies = dummyFit(panel, [D], null);

  it('coefficient and CR1 cluster SE (by county) agree to 1e-8', () => {
    const a = estimateTwfe(panel, base(), new Rng(1)) as any;
    expectClose(a.estimate.att, dummies.fit.beta[0]!, { rtol: 1e-8 }, 'τ');
    const v = varianceOf(dummies, 0, 'cluster', (r) => Math.floor(r / T), N, 1 + (T - 1) + 1);
    expectClose(a.estimate.se, Math.sqrt(v), { rtol: 1e-8 }, 'CR1 SE');
    expect(a.details.K).toBe(6);
    // Magnitude sanity: the TWFE estimate on mpdta is about −0.0365 (log points).
    expectClose(a.estimate.att, -0.0365, { atol: 5e-5 }, 'τ (4 d.p.)');
  });

  it('HC1 and iid SEs agree with the dummy regression (K = 1 + N + T − 1)', () => {
    const K = 1 + N + T - 1;
    for (const type of ['hc1', 'iid'] as const) {
      const a = estimateTwfe(panel, base({ vcov: type }), new Rng(1)) as any;
      const v = varianceOf(dummies, 0, type, () => 0, 1, K);
      expectClose(a.estimate.se, Math.sqrt(v), { rtol: 1e-8 }, `${type} SE`);
    }
  });

  it('weighted TWFE (weights = exp(lpop)) agrees with weighted dummy regression', () => {
    const pop = readPanel(dataset('mpdta'), { outcome: 'lemp', covariates: ['lpop'] }).covariates.lpop!;
    const weights = Float64Array.from(pop, (v) => Math.exp(v));
    const wd = dummyFit(panel, [D], (i, t) => weights[i * T + t]!);
    const a = estimateTwfe(panel, base({ weights, weightsName: 'pop' }), new Rng(1)) as any;
    expectClose(a.estimate.att, wd.fit.beta[0]!, { rtol: 1e-8 }, 'weighted τ');
    const v = varianceOf(wd, 0, 'cluster', (r) => Math.floor(r / T), N, 1 + (T - 1) + 1);
    expectClose(a.estimate.se, Math.sqrt(v), { rtol: 1e-8 }, 'weighted CR1 SE');
  });

  it('event-study coefficients and SEs agree with explicit event dummies (window −3:2, binned ends)', () => {
    const start = Array.from({ length: N }, (_, i) => {
      for (let t = 0; t < T; t++) if (panel.treated[i * T + t]) return t;
      return -1;
    });
    const lo = -3, hi = 2;
    const times = [-3, -2, 0, 1, 2];
    const regs = times.map((e) => (i: number, t: number) => (start[i]! >= 0 && Math.min(hi, Math.max(lo, t - start[i]!)) === e ? 1 : 0));
    const ed = dummyFit(panel, regs, null);
    const a = estimateTwfe(panel, base({ eventWindow: [lo, hi] }), new Rng(1)) as any;
    times.forEach((e, j) => {
      const row = a.eventPath.find((r: any) => r.eventTime === e);
      expectClose(row.effect, ed.fit.beta[j]!, { rtol: 1e-8, atol: 1e-12 }, `μ_${e}`);
      const v = varianceOf(ed, j, 'cluster', (r) => Math.floor(r / T), N, times.length + (T - 1) + 1); // + the intercept the nested unit effects absorb (fixest)
      expectClose(row.se, Math.sqrt(v), { rtol: 1e-8 }, `se μ_${e}`);
    });
    const ref = a.eventPath.find((r: any) => r.eventTime === -1);
    expect(ref).toMatchObject({ effect: 0, se: null, ci: null, reference: true });
    const pre = a.diagnostics.find((d: any) => d.code === 'PRE_TRENDS');
    expect(pre.value).toBeGreaterThan(0);
    expect(pre.value).toBeLessThan(1);
  });

  it('unbalanced panel (every 7th row dropped): alternating projections match the dummy regression to 1e-8', () => {
    const [head, ...rows] = readFileSync(dataset('mpdta'), 'utf8').trim().split('\n');
    const ub = readPanelText([head, ...rows.filter((_, k) => k % 7 !== 3)].join('\n') + '\n', { outcome: 'lemp' }, 'mpdta-unbalanced.csv');
    const Tu = ub.periods.length;
    const d = dummyFit(ub, [(i, t) => ub.treated[i * Tu + t]!], null);
    const a = estimateTwfe(ub, base(), new Rng(1)) as any;
    expectClose(a.estimate.att, d.fit.beta[0]!, { rtol: 1e-8 }, 'unbalanced τ');
    const v = varianceOf(d, 0, 'cluster', (r) => Math.floor(d.rowOf[r]! / Tu), ub.units.length, 1 + (Tu - 1) + 1);
    expectClose(a.estimate.se, Math.sqrt(v), { rtol: 1e-8 }, 'unbalanced CR1 SE');
    const conv = a.diagnostics.find((x: any) => x.code === 'FE_CONVERGENCE');
    expect(conv.passed).toBe(true);
    expect(conv.value).toBeGreaterThan(2); // more than the one exact sweep (+ check) of a balanced panel
    // Starved of sweeps, the same fit reports non-convergence as a warning instead of failing silently.
    const starved = estimateTwfe(ub, base({ maxIter: 2 }), new Rng(1)) as any;
    expect(starved.warnings.map((w: any) => w.code)).toContain('NOT_CONVERGED');
    expect(starved.diagnostics.find((x: any) => x.code === 'FE_CONVERGENCE').passed).toBe(false);
  });

  it('CLI: staggered warning, schema-valid document, wild bootstrap interval brackets τ', () => {
    const r = runCli(['did', dataset('mpdta'), '--outcome', 'lemp', '--event-window', '-4:3', '--wild-bootstrap', '199', '--seed', '7']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    expect(doc.warnings.map((w: any) => w.code)).toContain('TWFE_STAGGERED');
    expect(doc.warnings.find((w: any) => w.code === 'TWFE_STAGGERED').message).toContain('--method cs');
    const [lo, hi] = doc.estimate.ci;
    expect(lo).toBeLessThan(doc.estimate.att);
    expect(hi).toBeGreaterThan(doc.estimate.att);
    expect(doc.estimate.inference).toBe('wild-cluster-bootstrap-rademacher');
    expect(doc.diagnostics.find((d: any) => d.code === 'PRE_TRENDS')).toBeTruthy();
  });
});
