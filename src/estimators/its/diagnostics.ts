/**
 * Residual autocorrelation checks: the Durbin–Watson statistic (Durbin & Watson
 * 1950) and the Ljung–Box portmanteau test (Ljung & Box 1978),
 *   Q(h) = n(n + 2) Σ_{k=1}^{h} r_k² / (n − k),   p = 1 − F_{χ²(h − fitdf)}(Q).
 * With several independent segments, differences and lagged products are taken
 * within segments only and pooled.
 */
import { pchisq } from '../../core/stats.js';

function segmentOf(n: number, segments: readonly number[]): Int32Array {
  const seg = new Int32Array(n);
  const bounds = [...segments, n];
  for (let s = 0; s + 1 < bounds.length; s++) for (let t = bounds[s]!; t < bounds[s + 1]!; t++) seg[t] = s;
  return seg;
}

/** DW = Σ(e_t − e_{t−1})² / Σ e_t² (≈ 2(1 − r₁); 2 means no lag-1 autocorrelation). */
export function durbinWatson(e: ArrayLike<number>, segments: readonly number[] = [0]): number {
  const n = e.length;
  const seg = segmentOf(n, segments);
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    den += e[t]! * e[t]!;
    if (t > 0 && seg[t] === seg[t - 1]) num += (e[t]! - e[t - 1]!) ** 2;
  }
  return num / den;
}

/** Sample autocorrelations r_1..r_h (each segment centred on its own mean; lagged products within segments, pooled). */
export function autocorrelations(e: ArrayLike<number>, h: number, segments: readonly number[] = [0]): Float64Array {
  const n = e.length;
  const seg = segmentOf(n, segments);
  const bounds = [...segments, n];
  const c = new Float64Array(n);
  for (let s = 0; s + 1 < bounds.length; s++) {
    let m = 0;
    for (let t = bounds[s]!; t < bounds[s + 1]!; t++) m += e[t]!;
    m /= bounds[s + 1]! - bounds[s]!;
    for (let t = bounds[s]!; t < bounds[s + 1]!; t++) c[t] = e[t]! - m;
  }
  let g0 = 0;
  for (let t = 0; t < n; t++) g0 += c[t]! * c[t]!;
  const r = new Float64Array(h);
  for (let k = 1; k <= h; k++) {
    let s = 0;
    for (let t = k; t < n; t++) if (seg[t] === seg[t - k]) s += c[t]! * c[t - k]!;
    r[k - 1] = s / g0;
  }
  return r;
}

export interface LjungBox {
  lag: number;
  statistic: number;
  df: number;
  pValue: number;
}

/** Ljung–Box test at lag h with `fitdf` parameters subtracted from the degrees of freedom (e.g. p + q). Null when h ≥ n or df < 1. */
export function ljungBox(e: ArrayLike<number>, h: number, fitdf = 0, segments: readonly number[] = [0]): LjungBox | null {
  const bounds = [...segments, e.length];
  let minLen = Number.POSITIVE_INFINITY;
  for (let s = 0; s + 1 < bounds.length; s++) minLen = Math.min(minLen, bounds[s + 1]! - bounds[s]!);
  const df = h - fitdf;
  if (h >= minLen || df < 1) return null;
  // Pooled over segments, n is the total number of residuals (an approximation when there are several).
  const n = e.length;
  const r = autocorrelations(e, h, segments);
  let q = 0;
  for (let k = 1; k <= h; k++) q += (r[k - 1]! * r[k - 1]!) / (n - k);
  q *= n * (n + 2);
  return { lag: h, statistic: q, df, pValue: 1 - pchisq(q, df) };
}
