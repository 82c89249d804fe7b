/**
 * Building blocks of the ITS estimator checked against closed forms written here:
 * the Kalman-filter whitening against the exact ARMA(1,1) covariance matrix (autocovariances
 * γ₀ = σ²(1 + 2φθ + θ²)/(1 − φ²), γ₁ = σ²(1 + φθ)(φ + θ)/(1 − φ²), γ_k = φγ_{k−1}; Brockwell & Davis
 * 2016, §3.2) and the Prais–Winsten transform for AR(1); the stationarity parameterisation.
 */
import { Matrix, CholeskyDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { coefficientsToPacf, pacfToCoefficients, polynomialRootModuli, whiten } from '../../src/estimators/its/arma.js';
import { expectClose } from '../helpers.js';

describe('ARMA building blocks', () => {
  it('partial autocorrelations ↔ coefficients round-trip, and the map lands in the stationary region', () => {
    const r = Float64Array.of(0.7, -0.4, 0.2);
    const c = pacfToCoefficients(r);
    const back = coefficientsToPacf(c)!;
    r.forEach((v, i) => expectClose(back[i], v, { atol: 1e-14 }, `pacf ${i}`));
    expect(Math.min(...polynomialRootModuli(c))).toBeGreaterThan(1);
    // AR(1) φ = 0.5: root of 1 − 0.5z is 2. Non-stationary coefficients have no pacf.
    expectClose(polynomialRootModuli([0.5])[0], 2, { rtol: 1e-12 }, 'AR(1) root');
    expect(coefficientsToPacf([1.2])).toBeNull();
    // AR(2) (1.4345, −0.7368) from the fixture: complex roots of modulus 1/√0.7368.
    expectClose(polynomialRootModuli([1.4345, -0.7368])[0], 1 / Math.sqrt(0.7368), { rtol: 1e-10 }, 'AR(2) complex roots');
  });

  it('whitening equals the Prais–Winsten transform for AR(1)', () => {
    const phi = 0.6;
    const y = Float64Array.from({ length: 20 }, (_, t) => Math.sin(t) + 0.1 * t);
    const w = whiten(y, 20, 1, Float64Array.of(phi), new Float64Array(0), [0])!;
    const c = Math.sqrt(1 - phi * phi);
    for (let t = 0; t < 20; t++) expectClose(w.W[t], t === 0 ? c * y[0]! : y[t]! - phi * y[t - 1]!, { atol: 1e-12 }, `w${t}`);
    expectClose(w.logDet, -Math.log(1 - phi * phi), { atol: 1e-12 }, 'log det Ω');
  });

  it('whitening under ARMA(1,1) gives yᵀΩ⁻¹y and log det Ω of the exact covariance matrix; segments are independent', () => {
    const phi = 0.5;
    const theta = 0.4;
    const n = 15;
    const g = [(1 + 2 * phi * theta + theta * theta) / (1 - phi * phi), ((1 + phi * theta) * (phi + theta)) / (1 - phi * phi)];
    for (let k = 2; k < n; k++) g.push(phi * g[k - 1]!);
    const Om = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Om.set(i, j, g[Math.abs(i - j)]!);
    const y = Float64Array.from({ length: n }, (_, t) => Math.cos(1.3 * t) + 0.05 * t * t);
    const L = new CholeskyDecomposition(Om).lowerTriangularMatrix;
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += 2 * Math.log(L.get(i, i));
    const x = new CholeskyDecomposition(Om).solve(Matrix.columnVector(Array.from(y))).to1DArray();
    const quad = x.reduce((s, v, i) => s + v * y[i]!, 0);
    const w = whiten(y, n, 1, Float64Array.of(phi), Float64Array.of(theta), [0])!;
    expectClose(w.W.reduce((s, v) => s + v * v, 0), quad, { rtol: 1e-11 }, 'yᵀΩ⁻¹y');
    expectClose(w.logDet, logDet, { rtol: 1e-11 }, 'log det Ω');
    // Two segments: the sum of two independent whitenings.
    const yy = Float64Array.from([...y, ...y]);
    const w2 = whiten(yy, 2 * n, 1, Float64Array.of(phi), Float64Array.of(theta), [0, n])!;
    expectClose(w2.logDet, 2 * logDet, { rtol: 1e-11 }, 'two segments');
  });
});
