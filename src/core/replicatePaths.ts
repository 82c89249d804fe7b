/**
 * Per-period replicate effect paths of an analysis, kept beside it (not in the document): the
 * joint pre-trend Wald test of `vru-eval pretrends` (src/estimators/pretrend/heldOutWald.ts) needs
 * the covariance of the per-period effects, which the methods estimate from their own replications
 * (gsynth's bootstrap / jackknife, sdid's placebo / bootstrap / jackknife) but do not publish.
 *
 * Covariance convention: V̂ = multiplier · (1/R) Σ_b (x_b − x̄)(x_b − x̄)ᵀ over the R replicate
 * paths x_b (the spread each method already uses for its standard errors), with ν degrees of
 * freedom for the small-sample (Hotelling) correction of a Wald statistic built on V̂.
 *
 * Kept in a WeakMap keyed by the analysis object, so documents are unchanged (makeDocument copies
 * enumerable keys only) and nothing leaks when the analysis is dropped.
 */
import type { Analysis } from './result.js';

export interface ReplicatePaths {
  /** Scheme that produced them, e.g. 'bootstrap-parametric', 'jackknife', 'placebo'. */
  scheme: string;
  /** Calendar periods (panel labels) of the path columns. */
  periods: readonly string[];
  /** R replicate effect paths, each of length periods.length (NaN where not estimated). */
  paths: readonly Float64Array[];
  /** V̂ = multiplier · (1/R) Σ (x − x̄)(x − x̄)ᵀ (R/(R−1) for a bootstrap, R − 1 for a jackknife). */
  multiplier: number;
  /** Degrees of freedom ν of V̂ (independent replicates − 1, at most the resampled units − 1). */
  df: number;
}

const STORE = new WeakMap<object, ReplicatePaths>();

/** Keep the replicate paths of an analysis (additive; the document does not change). */
export function setReplicatePaths(analysis: Analysis, r: ReplicatePaths): void {
  STORE.set(analysis, r);
}

/** The replicate paths of an analysis, or null when its method kept none (e.g. --inference none). */
export function replicatePaths(analysis: Analysis): ReplicatePaths | null {
  return STORE.get(analysis) ?? null;
}
