/**
 * Distribution functions (from @stdlib, not hand-rolled) and small helpers for
 * intervals and p-values used across estimators.
 */
import { createRequire } from 'node:module';

// The @stdlib distribution modules are loaded on first use: together they pull in
// hundreds of small CommonJS files (≈ 90 ms at start-up), which every command
// would otherwise pay even when it never computes a quantile.
const require = createRequire(import.meta.url);
type Fn2 = (x: number, a: number) => number;
type Fn3 = (x: number, a: number, b: number) => number;
function lazy<F>(name: string): () => F {
  let f: F | null = null;
  return () => (f ??= require(name) as F);
}
const normalCdf = lazy<Fn3>('@stdlib/stats-base-dists-normal-cdf');
const normalQuantile = lazy<Fn3>('@stdlib/stats-base-dists-normal-quantile');
const tCdf = lazy<Fn2>('@stdlib/stats-base-dists-t-cdf');
const tQuantile = lazy<Fn2>('@stdlib/stats-base-dists-t-quantile');
const chisqCdf = lazy<Fn2>('@stdlib/stats-base-dists-chisquare-cdf');
const fCdf = lazy<Fn3>('@stdlib/stats-base-dists-f-cdf');

/** Standard normal CDF Φ(x). */
export const pnorm = (x: number): number => normalCdf()(x, 0, 1);
/** Standard normal quantile Φ⁻¹(p). */
export const qnorm = (p: number): number => normalQuantile()(p, 0, 1);
/** Student t CDF with `df` degrees of freedom. */
export const pt = (x: number, df: number): number => tCdf()(x, df);
/** Student t quantile. */
export const qt = (p: number, df: number): number => tQuantile()(p, df);
/** χ² CDF. */
export const pchisq = (x: number, df: number): number => chisqCdf()(x, df);
/** F CDF. */
export const pf = (x: number, d1: number, d2: number): number => fCdf()(x, d1, d2);

/** Two-sided normal p-value for a z statistic. */
export function pValueNormal(z: number): number {
  return 2 * pnorm(-Math.abs(z));
}

/** Two-sided t p-value. */
export function pValueT(t: number, df: number): number {
  return 2 * pt(-Math.abs(t), df);
}

/** Wald interval estimate ± q·se using the normal (df = Infinity) or t critical value. */
export function waldInterval(estimate: number, se: number, level: number, df = Number.POSITIVE_INFINITY): [number, number] {
  const q = Number.isFinite(df) ? qt(0.5 + level / 2, df) : qnorm(0.5 + level / 2);
  return [estimate - q * se, estimate + q * se];
}

/**
 * Empirical quantile, type 7 (linear interpolation between order statistics, as R's default).
 * `sorted` must be ascending and free of NaN.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Percentile interval of a sample at `level` (type-7 quantiles). */
export function percentileInterval(sample: ArrayLike<number>, level: number): [number, number] {
  const s = Float64Array.from(sample).sort();
  return [quantileSorted(s, (1 - level) / 2), quantileSorted(s, (1 + level) / 2)];
}

/** Sample standard deviation (n − 1). */
export function sd(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i]!;
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

/** Arithmetic mean. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}
