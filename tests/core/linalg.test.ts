import { describe, expect, it } from 'vitest';
import { lstsq, xtxInverse, solveSpd, svd, symmetricEigen, ksum } from '../../src/core/linalg.js';
import { EstimationError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { expectClose } from '../helpers.js';

function randomDesign(n: number, p: number, seed: number, offset = 202401): Float64Array {
  const r = new Rng(seed);
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    X[i * p] = 1;
    for (let j = 1; j < p; j++) X[i * p + j] = r.normal() * (j * 10) + offset; // large offsets stress conditioning
  }
  return X;
}

describe('lstsq (Householder QR)', () => {
  it('recovers exact coefficients of a noiseless system (rtol 1e-8)', () => {
    const n = 40, p = 4;
    const X = randomDesign(n, p, 1, 100);
    const beta = [3, -2, 0.5, 7];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) y[i] = y[i]! + X[i * p + j]! * beta[j]!;
    const fit = lstsq(X, n, p, y);
    beta.forEach((b, j) => expectClose(fit.beta[j], b, { rtol: 1e-8, atol: 1e-8 }, `beta[${j}]`));
    expect(fit.rss).toBeLessThan(1e-12 * ksum(Array.from(y, (v) => v * v)));
  });

  it('fits badly centred columns (offset 202401, cond ≈ 1e5) to fitted-value accuracy 1e-12 relative', () => {
    const n = 40, p = 4;
    const X = randomDesign(n, p, 1);
    const beta = [3, -2, 0.5, 7];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) y[i] = y[i]! + X[i * p + j]! * beta[j]!;
    const fit = lstsq(X, n, p, y);
    for (let i = 0; i < n; i++) expectClose(y[i]! - fit.residuals[i]!, y[i]!, { rtol: 1e-12 }, `fitted ${i}`);
    // Slopes are well determined even though the intercept is not (that is why estimators centre time).
    for (let j = 1; j < p; j++) expectClose(fit.beta[j], beta[j]!, { rtol: 1e-8 }, `slope ${j}`);
  });

  it('residuals are orthogonal to the columns and (XᵀX)⁻¹ from R matches Cholesky solves', () => {
    const n = 30, p = 3;
    const X = randomDesign(n, p, 2);
    const r = new Rng(3);
    const y = Float64Array.from({ length: n }, () => r.normal());
    const fit = lstsq(X, n, p, y);
    for (let j = 0; j < p; j++) {
      let s = 0, scale = 0;
      for (let i = 0; i < n; i++) {
        s += X[i * p + j]! * fit.residuals[i]!;
        scale += Math.abs(X[i * p + j]! * y[i]!);
      }
      expect(Math.abs(s)).toBeLessThan(1e-9 * scale);
    }
    const inv = xtxInverse(fit.factor);
    const xtx = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let i = 0; i < n; i++) xtx[a * p + b] = xtx[a * p + b]! + X[i * p + a]! * X[i * p + b]!;
    for (let c = 0; c < p; c++) {
      const e = new Float64Array(p);
      e[c] = 1;
      const col = solveSpd(xtx, p, e);
      for (let a = 0; a < p; a++) expectClose(inv[a * p + c], col[a]!, { rtol: 1e-5 }, `inv[${a},${c}]`);
    }
  });

  it('throws RANK_DEFICIENT naming the dependent column', () => {
    const n = 10, p = 3;
    const X = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      X[i * p] = 1;
      X[i * p + 1] = i;
      X[i * p + 2] = 2 * i + 1;
    }
    try {
      lstsq(X, n, p, new Float64Array(n), ['intercept', 'time', 'level']);
      expect.fail('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(EstimationError);
      expect((e as EstimationError).code).toBe('RANK_DEFICIENT');
      expect((e as EstimationError).message).toContain("'level'");
    }
  });
});

describe('svd and symmetricEigen', () => {
  it('reconstruct their input', () => {
    const n = 6, p = 4;
    const r = new Rng(4);
    const X = Float64Array.from({ length: n * p }, () => r.normal());
    const { U, s, V, k } = svd(X, n, p);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < p; j++) {
        let v = 0;
        for (let c = 0; c < k; c++) v += U[i * k + c]! * s[c]! * V[j * k + c]!;
        expectClose(v, X[i * p + j]!, { atol: 1e-12 }, `X[${i},${j}]`);
      }
    const A = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) for (let i = 0; i < n; i++) A[a * p + b] = A[a * p + b]! + X[i * p + a]! * X[i * p + b]!;
    const e = symmetricEigen(A, p);
    for (let c = 1; c < p; c++) expect(e.values[c - 1]!).toBeGreaterThanOrEqual(e.values[c]!);
    for (let c = 0; c < p; c++) expectClose(e.values[c], s[c]! ** 2, { rtol: 1e-10 }, `eigenvalue ${c}`);
  });
});
