/**
 * gsynth building blocks against independent computations: the eigen solver
 * against ml-matrix, the IFE fit on noise-free data (exact recovery), and the
 * hat-matrix leave-one-out CV against explicit refits.
 */
import { describe, expect, it } from 'vitest';
import { lstsq, symmetricEigen } from '../../src/core/linalg.js';
import { ifePanel } from './ifePanel.js';
import { Rng } from '../../src/core/rng.js';
import { topEigen, topEigenWarm } from '../../src/estimators/gsynth/eigen.js';
import { fitControls, projectUnits, type FitSettings, type UnitBlock } from '../../src/estimators/gsynth/ife.js';
import { expectClose } from '../helpers.js';

describe('topEigenWarm (Lanczos from a warm start)', () => {
  it('matches the exact decomposition on factor-like and on flat (noise-only) spectra', () => {
    const rng = new Rng(21);
    const n = 66;
    for (const strength of [5, 0]) {
      const N = 300;
      const f = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, () => rng.normal()));
      const X = new Float64Array(N * n);
      for (let i = 0; i < N; i++) {
        const l = [rng.normal(), rng.normal(), rng.normal()];
        for (let t = 0; t < n; t++) X[i * n + t] = rng.normal() + strength * (l[0]! * f[0]![t]! + 0.7 * l[1]! * f[1]![t]! + 0.4 * l[2]! * f[2]![t]!);
      }
      const A = new Float64Array(n * n);
      for (let i = 0; i < N; i++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) A[a * n + b]! += X[i * n + a]! * X[i * n + b]!;
      const k = 3;
      const exact = topEigen(A, n, k);
      // Warm start: the exact vectors perturbed (as a bootstrap replication's are), and no warm start at all.
      const warm = Float64Array.from(exact.vectors, (v) => v + 0.05 * rng.normal());
      for (const w of [warm, null]) {
        const got = topEigenWarm(A, n, k, w);
        for (let c = 0; c < k; c++) {
          expectClose(got.values[c], exact.values[c]!, { rtol: 1e-9 }, `Ritz value ${c} (strength ${strength})`);
          let dot = 0;
          for (let i = 0; i < n; i++) dot += got.vectors[i * k + c]! * exact.vectors[i * k + c]!;
          // Eigenvector accuracy ~ residual / gap; the flat spectrum has small gaps, hence 1e-5 there.
          expectClose(Math.abs(dot), 1, { atol: strength > 0 ? 1e-9 : 1e-5 }, `|cos| vector ${c} (strength ${strength})`);
        }
      }
    }
  });
});

describe('topEigen', () => {
  it('matches ml-matrix on random Gram matrices (values and top vectors)', () => {
    const rng = new Rng(11);
    for (const n of [3, 24, 66]) {
      const N = 80;
      const X = Float64Array.from({ length: N * n }, () => rng.normal());
      const A = new Float64Array(n * n);
      for (let i = 0; i < N; i++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) A[a * n + b]! += X[i * n + a]! * X[i * n + b]!;
      const k = Math.min(5, n);
      const mine = topEigen(A, n, k);
      const ref = symmetricEigen(A, n);
      for (let c = 0; c < n; c++) expectClose(mine.values[c], ref.values[c]!, { rtol: 1e-10, atol: 1e-10 * ref.values[0]! }, `eigenvalue ${c} (n=${n})`);
      for (let c = 0; c < k; c++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += mine.vectors[i * k + c]! * ref.vectors[i * n + c]!;
        expectClose(Math.abs(dot), 1, { atol: 1e-9 }, `|cos| between eigenvectors ${c} (n=${n})`);
      }
    }
  });
});


const settings = (p: number): FitSettings => ({ force: 'two-way', tol: 1e-12, maxIter: 5000, covariateNames: Array.from({ length: p }, (_, k) => `x${k}`) });

describe('fitControls / projectUnits', () => {
  it('recovers β and reproduces a noise-free panel exactly (with covariates and missing cells)', () => {
    const n = 30, T = 20;
    const d = ifePanel(n, T, 2, [1.5, -2], 5);
    const y = Float64Array.from(d.y);
    // Remove a few cells: EM must fill them with their true values.
    const holes = [3, 47, 200, 333, 590];
    for (const k of holes) y[k] = Number.NaN;
    const block: UnitBlock = { n, T, y, x: d.x, names: d.names };
    const fit = fitControls(block, 2, settings(2), null, {}, true);
    expect(fit.converged).toBe(true);
    expectClose(fit.beta[0], 1.5, { atol: 1e-5 }, 'β1');
    expectClose(fit.beta[1], -2, { atol: 1e-5 }, 'β2');
    for (const k of holes) expectClose(fit.fitted![k], d.y[k]!, { atol: 1e-4 }, `imputed cell ${k}`);
  });

  it('projects a treated unit onto the factors: exact counterfactual without noise', () => {
    const n = 31, T = 20;
    const d = ifePanel(n, T, 2, [], 9);
    const co: UnitBlock = { n: 30, T, y: d.y.subarray(0, 30 * T), x: [], names: d.names.slice(0, 30) };
    const tr: UnitBlock = { n: 1, T, y: d.y.subarray(30 * T), x: [], names: ['t'] };
    const fit = fitControls(co, 2, settings(0));
    const pr = projectUnits(tr, Int32Array.of(12), fit, 'two-way');
    for (let t = 0; t < T; t++) expectClose(pr.cf[t], d.y[30 * T + t]!, { atol: 1e-8 }, `counterfactual t=${t}`);
  });

  it('leave-one-period-out CV by the hat matrix equals explicit refits', () => {
    const n = 25, T = 18;
    const rng = new Rng(4);
    const d = ifePanel(n + 2, T, 2, [], 3);
    const y = Float64Array.from(d.y, (v) => v + rng.normal());
    const co: UnitBlock = { n, T, y: y.subarray(0, n * T), x: [], names: d.names.slice(0, n) };
    const tr: UnitBlock = { n: 2, T, y: y.subarray(n * T), x: [], names: ['a', 'b'] };
    const starts = Int32Array.of(10, 13);
    const fit = fitControls(co, 2, settings(0));
    const pr = projectUnits(tr, starts, fit, 'two-way', true);
    // Explicit: for each treated unit and pre-period s, regress on the other pre-periods and predict s.
    let sse = 0, cnt = 0;
    for (let j = 0; j < 2; j++) {
      for (let s = 0; s < starts[j]!; s++) {
        const rows: number[] = [];
        for (let t = 0; t < starts[j]!; t++) if (t !== s) rows.push(t);
        const X = new Float64Array(rows.length * 3);
        const e = new Float64Array(rows.length);
        rows.forEach((t, k) => {
          X[k * 3] = 1;
          X[k * 3 + 1] = fit.F[t * 2]!;
          X[k * 3 + 2] = fit.F[t * 2 + 1]!;
          e[k] = tr.y[j * T + t]! - fit.mu - fit.xi[t]!;
        });
        const b = lstsq(X, rows.length, 3, e).beta;
        const pred = fit.mu + fit.xi[s]! + b[0]! + b[1]! * fit.F[s * 2]! + b[2]! * fit.F[s * 2 + 1]!;
        sse += (tr.y[j * T + s]! - pred) ** 2;
        cnt++;
      }
    }
    expect(pr.looN).toBe(cnt);
    expectClose(pr.looSse, sse, { rtol: 1e-9 }, 'leave-one-out SSE');
  });
});

describe('gsynth() library entry', () => {
  it('reports progress through the optional callback and is deterministic in the seed', async () => {
    const { readPanel } = await import('../../src/core/panel.js');
    const { gsynth } = await import('../../src/estimators/gsynth/index.js');
    const { FIXTURE } = await import('../helpers.js');
    const panel = readPanel(FIXTURE, { outcome: 'violence_rate' });
    const seen: number[] = [];
    const a = await gsynth(panel, { factors: 2, inference: 'nonparametric', boots: 40, seed: 3, progress: (p) => seen.push(p.done) });
    expect(seen.at(-1)).toBe(40);
    const b = await gsynth(panel, { factors: 2, inference: 'nonparametric', boots: 40, seed: 3 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = await gsynth(panel, { factors: 2, inference: 'nonparametric', boots: 40, seed: 4 });
    expect(c.estimate!.se).not.toBe(a.estimate!.se);
  });
});
