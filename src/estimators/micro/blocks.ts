/**
 * Inference blocks of micro-area synthetic control: the per-outcome record of one inference
 * (standard error of log(Y/Ŝ), p-values, intervals for the percentage change and the difference)
 * and the small helpers that build them. Y is the treated areas' post-period total, Ŝ the
 * synthetic total, the percentage change 100·(Y/Ŝ − 1), the difference Y − Ŝ.
 */
import { pnorm, qnorm } from '../../core/stats.js';

export interface InferenceBlock {
  /** Standard error of log(Y/Ŝ) (jackknife, linearisation); null for permutation. */
  seLogRatio: number | null;
  pValue: number | null;
  pLower: number | null;
  pUpper: number | null;
  percentChangeCi: [number, number] | null;
  differenceCi: [number, number] | null;
  [extra: string]: unknown;
}

/** Sorted copy. */
export const sorted = (xs: ArrayLike<number>): Float64Array => Float64Array.from(xs).sort();

/** Type-7 quantile of sorted values. */
export function quantile(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Interval for the difference implied by one for the percentage change (difference = Y − Y/(1 + pct/100), increasing in pct). */
export function diffFromPct(Y: number, ci: [number, number] | null): [number, number] | null {
  if (!ci) return null;
  return [Y - Y / (1 + ci[0] / 100), Y - Y / (1 + ci[1] / 100)];
}

/** Normal-theory block on the log scale: log(Y/Ŝ) ± z·se, p from the same z (so p ≤ α ⇔ 0 ∉ CI). */
export function normalBlock(Y: number, S: number, se: number, level: number): InferenceBlock {
  const l = Math.log(Y / S);
  const z = qnorm(0.5 + level / 2);
  const ok = Number.isFinite(l) && Number.isFinite(se) && se > 0;
  const ci: [number, number] | null = ok ? [100 * (Math.exp(l - z * se) - 1), 100 * (Math.exp(l + z * se) - 1)] : null;
  return {
    seLogRatio: Number.isFinite(se) ? se : null,
    pValue: ok ? 2 * pnorm(-Math.abs(l / se)) : null,
    pLower: ok ? pnorm(l / se) : null,
    pUpper: ok ? 1 - pnorm(l / se) : null,
    percentChangeCi: ci,
    differenceCi: diffFromPct(Y, ci),
  };
}

/** Relative tolerance for ties between a placebo statistic and the observed one. */
export const TIE = 1e-12;

/**
 * Inverting a two-sided permutation test. With placebo statistics s_b (b = 1..B), the observed
 * statistic s and p(s) = (c₀ + #{b : |s_b| ≥ (1 − ε)|s|}) / (B + c₀) (c₀ = 1 counts the observed
 * set as one of the draws; c₀ = 0 is microsynth's formula), the set {θ : p(θ) > α} of effects not
 * rejected is |s − s(θ)| ≤ h with h = a₍ₖ₎/(1 − ε), a₍ₖ₎ the k-th largest |s_b| and
 * k = ⌊α(B + c₀) − c₀⌋ + 1. So the interval always contains the estimate (θ = s) and excludes the
 * null exactly when p ≤ α. Returns h, or null when k < 1 (too few draws for the level: every
 * effect is accepted).
 */
export function permutationHalfWidth(absSortedDesc: Float64Array, alpha: number, c0: 0 | 1): number | null {
  const B = absSortedDesc.length;
  const k = Math.floor(alpha * (B + c0) - c0 + 1e-9) + 1;
  if (k < 1 || B === 0) return null;
  return absSortedDesc[Math.min(B, k) - 1]! / (1 - TIE);
}

/** Two-sided and one-sided permutation p-values of s among the finite placebo statistics. */
export function permutationP(s: number, draws: ArrayLike<number>, c0: 0 | 1): { pValue: number; pLower: number; pUpper: number } {
  const B = draws.length;
  let two = 0;
  let lo = 0;
  let hi = 0;
  const cut = (1 - TIE) * Math.abs(s);
  for (let b = 0; b < B; b++) {
    const v = draws[b]!;
    if (Math.abs(v) >= cut) two++;
    if (v <= s) lo++;
    if (v >= s) hi++;
  }
  return { pValue: (c0 + two) / (B + c0), pLower: (c0 + lo) / (B + c0), pUpper: (c0 + hi) / (B + c0) };
}
