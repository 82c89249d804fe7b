/**
 * Newey–West (1987) heteroskedasticity- and autocorrelation-consistent variance
 * of OLS coefficients:
 *   V = (XᵀX)^{-1} S (XᵀX)^{-1},
 *   S = Γ₀ + Σ_{l=1}^{L} w_l (Γ_l + Γ_lᵀ),   Γ_l = Σ_t u_t u_{t−l} x_t x_{t−l}ᵀ,   w_l = 1 − l/(L + 1) (Bartlett),
 * with no small-sample scaling. Lags never cross a segment boundary (independent series).
 * (XᵀX)^{-1} comes from the QR factor, never from inverting XᵀX.
 */
import type { QRFactor } from '../../core/linalg.js';
import { xtxInverse } from '../../core/linalg.js';

/** The rule-of-thumb lag ⌊4(n/100)^{2/9}⌋ (Newey & West 1994), at least 0. */
export function defaultNeweyWestLag(n: number): number {
  return Math.max(0, Math.floor(4 * Math.pow(n / 100, 2 / 9)));
}

/**
 * @param X - n×k design (row-major); @param u - OLS residuals (length n);
 * @param factor - QR factor of X; @param segments - start index of each independent series.
 * @returns V (k×k row-major).
 */
export function neweyWestVcov(X: Float64Array, n: number, k: number, u: Float64Array, factor: QRFactor, lag: number, segments: readonly number[]): Float64Array {
  const seg = new Int32Array(n);
  const bounds = [...segments, n];
  for (let s = 0; s + 1 < bounds.length; s++) for (let t = bounds[s]!; t < bounds[s + 1]!; t++) seg[t] = s;
  // Scores h_t = x_t u_t.
  const h = new Float64Array(n * k);
  for (let t = 0; t < n; t++) for (let j = 0; j < k; j++) h[t * k + j] = X[t * k + j]! * u[t]!;
  const S = new Float64Array(k * k);
  for (let l = 0; l <= lag; l++) {
    const w = l === 0 ? 1 : 1 - l / (lag + 1);
    for (let t = l; t < n; t++) {
      if (seg[t] !== seg[t - l]) continue;
      for (let i = 0; i < k; i++) {
        const hi = h[t * k + i]!;
        for (let j = 0; j < k; j++) {
          const v = hi * h[(t - l) * k + j]!;
          S[i * k + j] = S[i * k + j]! + w * v;
          if (l > 0) S[j * k + i] = S[j * k + i]! + w * v;
        }
      }
    }
  }
  const B = xtxInverse(factor);
  const BS = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += B[i * k + m]! * S[m * k + j]!;
      BS[i * k + j] = s;
    }
  const V = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += BS[i * k + m]! * B[m * k + j]!;
      V[i * k + j] = s;
    }
  // Symmetrise.
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++) {
      const a = 0.5 * (V[i * k + j]! + V[j * k + i]!);
      V[i * k + j] = a;
      V[j * k + i] = a;
    }
  return V;
}
