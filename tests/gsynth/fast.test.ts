/**
 * The bootstrap's fast fit (one-pass centring of data centred once by the full-sample means,
 * Gram matrix Σ c_i u_i u_iᵀ − C v′v′ᵀ, Lanczos from a warm start) against the general fit
 * (explicit weighted two-way centring, exact eigen-decomposition) on the same weighted sample,
 * and the cohort projector against least squares by lstsq.
 */
import { describe, expect, it } from 'vitest';
import { lstsq } from '../../src/core/linalg.js';
import { Rng } from '../../src/core/rng.js';
import { fitControls, projectUnits, type FitSettings, type UnitBlock } from '../../src/estimators/gsynth/ife.js';
import { expectClose } from '../helpers.js';

const settings: FitSettings = { force: 'two-way', tol: 1e-12, maxIter: 100, covariateNames: [] };

function noisyPanel(n: number, T: number, r: number, seed: number): UnitBlock {
  const rng = new Rng(seed);
  const F = Float64Array.from({ length: T * r }, () => 3 * rng.normal());
  const y = new Float64Array(n * T);
  for (let i = 0; i < n; i++) {
    const a = 50 + 10 * rng.normal();
    const lam = Array.from({ length: r }, () => rng.normal());
    for (let t = 0; t < T; t++) {
      // Large period effects (trend + season), as in the police data, so centring matters.
      let v = a + 0.25 * t + 4 * Math.sin((2 * Math.PI * t) / 12) + rng.normal();
      for (let k = 0; k < r; k++) v += lam[k]! * F[t * r + k]!;
      y[i * T + t] = v;
    }
  }
  return { n, T, y, x: [], names: Array.from({ length: n }, (_, i) => `u${i}`) };
}

describe('gsynth fast bootstrap fit', () => {
  it('equals the general weighted fit (period effects, unit effects, factor space)', () => {
    const n = 120, T = 40, r = 3;
    const block = noisyPanel(n, T, r, 12);
    const full = fitControls(block, r, settings, null, {}, true);
    const V = full.F.map((f) => f / Math.sqrt(T));
    const rng = new Rng(3);
    for (let rep = 0; rep < 3; rep++) {
      const w = new Float64Array(n);
      for (let k = 0; k < n; k++) w[rng.int(n)]! += 1;
      const fast = fitControls(block, r, settings, w, { V });
      const general = fitControls(block, r, settings, w, {}, true);
      expect(fast.fitted).toBeNull();
      expect(general.fitted).not.toBeNull();
      // Same least-squares problem; the fast one differs by rounding and the Lanczos tolerance (1e-11).
      expectClose(fast.mu, general.mu, { atol: 1e-9 }, 'μ');
      for (let t = 0; t < T; t++) expectClose(fast.xi[t], general.xi[t]!, { atol: 1e-9 }, `ξ_${t}`);
      for (let i = 0; i < n; i++) if (w[i]! > 0) expectClose(fast.alpha[i], general.alpha[i]!, { atol: 1e-9 }, `α_${i}`);
      // Factor space: |cos| between matching columns of F/√T is 1 (signs may differ).
      for (let k = 0; k < r; k++) {
        let dot = 0;
        for (let t = 0; t < T; t++) dot += (fast.F[t * r + k]! * general.F[t * r + k]!) / T;
        expectClose(Math.abs(dot), 1, { atol: 1e-8 }, `factor ${k}`);
      }
    }
  });

  it('projects treated units exactly as least squares on [1, F] over their pre-periods', () => {
    const n = 60, T = 30, r = 2;
    const all = noisyPanel(n + 3, T, r, 5);
    const co: UnitBlock = { ...all, n, y: all.y.slice(0, n * T), names: all.names.slice(0, n) };
    const tr: UnitBlock = { ...all, n: 3, y: all.y.slice(n * T), names: ['a', 'b', 'c'] };
    tr.y[1] = Number.NaN; // a missing pre-period cell: unit a forms its own group
    const starts = Int32Array.of(20, 20, 24);
    const fit = fitControls(co, r, settings);
    const pr = projectUnits(tr, starts, fit, 'two-way');
    for (let j = 0; j < 3; j++) {
      const rows: number[] = [];
      for (let t = 0; t < starts[j]!; t++) if (!Number.isNaN(tr.y[j * T + t]!)) rows.push(t);
      const X = new Float64Array(rows.length * 3);
      const e = new Float64Array(rows.length);
      rows.forEach((t, k) => {
        X[k * 3] = 1;
        X[k * 3 + 1] = fit.F[t * 2]!;
        X[k * 3 + 2] = fit.F[t * 2 + 1]!;
        e[k] = tr.y[j * T + t]! - fit.mu - fit.xi[t]!;
      });
      const b = lstsq(X, rows.length, 3, e).beta;
      for (let t = 0; t < T; t++) {
        const want = fit.mu + fit.xi[t]! + b[0]! + b[1]! * fit.F[t * 2]! + b[2]! * fit.F[t * 2 + 1]!;
        expectClose(pr.cf[j * T + t], want, { atol: 1e-9 }, `counterfactual unit ${j} t=${t}`);
      }
    }
  });
});
