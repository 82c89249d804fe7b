/**
 * Joint Wald / F test of the held-out pre-period "effects" of a synthetic-control method, and Roth
 * (2022) power, in the spirit of fect's F-test (Liu, Wang & Xu 2024, §4: the pre-period ATTs
 * estimated out of sample, tested jointly with their covariance from the method's own replications).
 *
 * Design. The hold-out placebo (placebo.ts) refits the method on the periods before the first real
 * start s₁ with a pseudo start s₁ − k, so the k held-out periods h = 0 … k − 1 (event time from the
 * pseudo start) are predicted out of sample. Their effects β̂ = (β̂₀ … β̂_{k−1}) are zero when the
 * counterfactual model holds. Their covariance V̂ (k × k) comes from the same run's replications:
 *
 *  - gsynth: the bootstrap (parametric: Xu 2017 Algorithm 2; nonparametric) replicate paths, sample
 *    covariance; or the jackknife's, (n − 1)/n Σ (x_i − x̄)(x_i − x̄)ᵀ;
 *  - sdid: the placebo (Arkhangelsky et al. 2021, Algorithm 4) / bootstrap / jackknife replicate
 *    calendar paths, V̂ as sdid's own standard errors use it;
 *  - synth (one treated unit): the in-space placebos' gaps g_j at the same pseudo start (those
 *    passing --placebo-filter), their sample covariance, and W referred to the placebos' own W_j
 *    (a permutation p-value) rather than to the F distribution;
 *  - ascm: a leave-one-unit-out jackknife of the placebo run (the method refitted without each unit,
 *    ridge λ held at the placebo run's value), (n − 1)/n Σ (x_i − x̄)(x_i − x̄)ᵀ.
 *
 * Statistic. W = β̂ᵀV̂⁻¹β̂. V̂ is estimated from ν + 1 independent replicates (ν = replicates − 1,
 * capped at resampled units − 1), so under H0 and normality W is Hotelling's T² with ν df and the
 * small-sample form F = W (G − k)/(k (G − 1)), G = ν + 1, is F(k, G − k) (the same form as the
 * cluster-robust event-study test, eventTests.ts). Needs G − k ≥ 1.
 *
 * Linear pre-trend and power (Roth 2022): the alternative δ_h = γ·(h + 1), a trend that the fit has
 * absorbed up to the last fitted period s₁ − k − 1 (the reference, event time −1) and that grows by γ
 * per period over the held-out window. The slope, "cannot rule out a trend of X per period" and the
 * slope detected with probability 0.8 (noncentral F(k, G − k, λ), λ = γ² rᵀV̂⁻¹r, r_h = h + 1) are
 * those of preTrendTests with event times 0 … k − 1.
 */
import { EstimationError } from '../../core/errors.js';
import type { Analysis } from '../../core/result.js';
import type { ReplicatePaths } from '../../core/replicatePaths.js';
import { preTrendSummary, preTrendTests, type PreTrendTests } from './eventTests.js';
import { solveSpd } from '../../core/linalg.js';

/** The held-out effects β̂, their covariance V̂ and where V̂ came from. */
export interface HeldOutCovariance {
  /** Replication scheme behind V̂. */
  scheme: string;
  periods: string[];
  beta: number[];
  /** k × k row-major. */
  vcov: number[];
  /** Replicates used (those with every held-out period estimated). */
  replicates: number;
  /** ν: degrees of freedom of V̂. */
  df: number;
  /**
   * Placebo draws of β̂ under the null (synth: the placebo units' gaps, or means of random sets of
   * n₁ of them): when given, W is referred to their W_d = m_dᵀV̂⁻¹m_d (a permutation p-value) and
   * the Roth power is P_d(reject with m_d + γr), instead of the Hotelling F.
   */
  draws?: number[][];
}

/** β̂ over the held-out periods from the placebo run's path. @throws EstimationError PRETREND_NO_PATH */
function heldOutEffects(a: Analysis, heldOut: readonly string[]): number[] {
  return heldOut.map((p) => {
    const pt = a.path.find((q) => q.period === p);
    const v = pt?.effect;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EstimationError('PRETREND_NO_PATH', `the placebo run gave no effect for held-out period ${p}, so the joint pre-trend test is not available`, { period: p });
    return v;
  });
}

/** multiplier · (1/R) Σ (x − x̄)(x − x̄)ᵀ over the rows. */
function spread(rows: readonly number[][], k: number, multiplier: number): number[] {
  const R = rows.length;
  const m = new Array<number>(k).fill(0);
  for (const x of rows) for (let j = 0; j < k; j++) m[j]! += x[j]! / R;
  const V = new Array<number>(k * k).fill(0);
  for (const x of rows) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) V[i * k + j]! += ((x[i]! - m[i]!) * (x[j]! - m[j]!) * multiplier) / R;
  return V;
}

/** From a method's replicate paths (gsynth, sdid, the ascm jackknife). */
export function heldOutFromReplicates(a: Analysis, heldOut: readonly string[], rp: ReplicatePaths): HeldOutCovariance {
  const cols = heldOut.map((p) => rp.periods.indexOf(p));
  if (cols.some((c) => c < 0)) throw new EstimationError('PRETREND_NO_PATH', `the replications do not cover the held-out periods ${heldOut.join(', ')}`, {});
  const rows = rp.paths.map((x) => cols.map((c) => x[c]!)).filter((x) => x.every(Number.isFinite));
  const dropped = rp.paths.length - rows.length;
  const df = Math.min(rp.df, rows.length - 1);
  // the multiplier was set for all R replicates: a jackknife's (R − 1) stays (R' − 1) over those kept
  const mult = dropped === 0 ? rp.multiplier : rp.scheme.startsWith('jackknife') ? rows.length - 1 : rows.length / (rows.length - 1);
  return { scheme: rp.scheme, periods: [...heldOut], beta: heldOutEffects(a, heldOut), vcov: spread(rows, heldOut.length, mult), replicates: rows.length, df };
}

/**
 * From synth's in-space placebos at the pseudo start, one treated unit: the placebo units' gaps
 * g_j (J of them) are the draws of the permutation test (exact when the treated and placebo units
 * are exchangeable) and V̂ is their sample covariance. With several treated units there is no such
 * test here: random sets of placebo units serve as each other's donors (negatively correlated
 * gaps), the treated units never do, so the mean gap of a set is not exchangeable with the treated
 * mean (the set-based test rejected 16.5% at 5% with 5 treated of 40 areas, 200 panels).
 * @throws EstimationError PRETREND_NO_PLACEBOS, PRETREND_SYNTH_SEVERAL_TREATED
 */
export function heldOutFromSynthPlacebos(a: Analysis, heldOut: readonly string[], pseudoStart: string, periods: readonly string[], nTreated: number): HeldOutCovariance {
  if (nTreated > 1) throw new EstimationError('PRETREND_SYNTH_SEVERAL_TREATED', `the joint pre-trend test for synth is a placebo permutation test for one treated unit; with ${nTreated} treated units, sets of placebo units are each other's donors and their mean gap is not comparable with the treated mean (it over-rejects), so it is not given. Test each treated area alone (--treated-units <area> --start <period>), or use --method sdid or gsynth; the placebo test above still applies`, { treated: nTreated });
  const pl = a.placebos as { type?: string; units?: { start: string; included: boolean; gaps: number[] }[] } | undefined;
  if (!pl || pl.type !== 'space' || !pl.units) throw new EstimationError('PRETREND_NO_PLACEBOS', 'the joint pre-trend test for synth uses its in-space placebos; they were turned off (--placebo none or time)', {});
  const cols = heldOut.map((p) => periods.indexOf(p));
  const units = pl.units.filter((u) => u.included && u.start === pseudoStart).map((u) => cols.map((c) => u.gaps[c]!)).filter((x) => x.every(Number.isFinite));
  const J = units.length;
  if (J < 2) throw new EstimationError('PRETREND_NO_PLACEBOS', `only ${J} placebo unit(s) at the pseudo start ${pseudoStart}, too few for a covariance`, { placebos: J });
  return { scheme: 'placebo-space', periods: [...heldOut], beta: heldOutEffects(a, heldOut), vcov: spread(units, heldOut.length, J / (J - 1)), replicates: J, df: J - 1, draws: units };
}

export interface HeldOutWald extends PreTrendTests {
  scheme: string;
  periods: string[];
  replicates: number;
  /** G = ν + 1 of the Hotelling form. */
  hotellingG: number;
  alternative: string;
}

/**
 * The joint test, TOST per held-out period, linear trend and Roth power from β̂ and V̂.
 * @throws EstimationError PRETREND_TOO_FEW_REPLICATES (G − k < 1), PRETREND_SINGULAR
 */
export function heldOutWald(c: HeldOutCovariance, opts: { level: number; bound: number; boundSource: string; unit: string }): HeldOutWald {
  const k = c.beta.length;
  const G = c.df + 1;
  if (G - k < 1) throw new EstimationError('PRETREND_TOO_FEW_REPLICATES', `the covariance of the ${k} held-out effects comes from ${c.replicates} ${c.scheme} replicate(s) (ν = ${c.df}); the small-sample F needs ν ≥ k = ${k}: use more replications (--reps), more units, or a smaller --placebo-holdout`, { replicates: c.replicates, df: c.df, k });
  const t = preTrendTests({ eventTimes: c.beta.map((_, h) => h), beta: c.beta, vcov: c.vcov, clusters: G, dfSource: `${c.scheme} replicates` }, opts);
  if (c.draws) permutationForm(t, c, opts);
  const summary = t.summary.replace('pre-trends: joint Wald test of the', 'pre-trends (held-out placebo): joint Wald test of the').replace('pre-period coefficient(s)', `held-out pre-period effect(s), covariance from ${c.replicates} ${c.scheme} replicate(s),`);
  return {
    ...t,
    summary,
    scheme: c.scheme,
    periods: c.periods,
    replicates: c.replicates,
    hotellingG: G,
    alternative: `a linear trend zero at the last fitted period and growing by the slope per ${opts.unit} over the held-out periods (${c.periods.join(', ')})`,
  };
}

/**
 * The permutation form (synth): W against the placebo draws' W_d = m_dᵀV̂⁻¹m_d,
 * p = (1 + #{W_d ≥ W}) / (1 + D); Roth power at slope γ = the share of draws m_d + γr that this
 * test rejects, γ₈₀ by bisection. Rewrites t.wald, t.power and t.summary in place.
 */
function permutationForm(t: PreTrendTests, c: HeldOutCovariance, opts: { level: number; bound: number; unit: string }): void {
  const k = c.beta.length;
  const V = Float64Array.from(c.vcov);
  const quad = (x: readonly number[]): number => {
    const y = solveSpd(V, k, Float64Array.from(x));
    let q = 0;
    for (let j = 0; j < k; j++) q += x[j]! * y[j]!;
    return q;
  };
  const null_ = Float64Array.from(c.draws!, quad).sort();
  const D = null_.length;
  const alpha = 1 - opts.level;
  /** p-value of a statistic against the null draws (binary search for #{W_d ≥ w}). */
  const pOf = (w: number): number => {
    let lo = 0;
    let hi = D;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (null_[mid]! < w) lo = mid + 1;
      else hi = mid;
    }
    return (1 + D - lo) / (1 + D);
  };
  const W = quad(c.beta);
  const pW = pOf(W);
  const r = c.beta.map((_, h) => h + 1);
  const powerAt = (g: number): number => c.draws!.filter((m) => pOf(quad(m.map((v, j) => v + g * r[j]!))) < alpha).length / D;
  let hi = t.trend.se > 0 ? t.trend.se : 1;
  for (let it = 0; it < 60 && powerAt(hi) < 0.8; it++) hi *= 2;
  let lo = 0;
  for (let it = 0; it < 50 && hi - lo > 1e-6 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (powerAt(mid) < 0.8) lo = mid;
    else hi = mid;
  }
  t.wald = { statistic: W, df: k, pValue: pW, rejected: pW < alpha, form: `placebo permutation: W = β̂ᵀV̂⁻¹β̂ against the same statistic of ${D} placebo draw(s), p = (1 + #{W_d ≥ W})/(1 + D)` };
  t.power = { slope80: hi, power: 0.8, description: `smallest linear pre-trend (per ${opts.unit}, zero at the last fitted period) that the ${Math.round(opts.level * 100)}% placebo-permutation test rejects for 80% of the placebo draws (Roth 2022)` };
  t.summary = preTrendSummary({ k, pW, pT: t.equivalence.pValue, alpha, bound: opts.bound, notRuledOut: t.trend.notRuledOut, slope80: hi, unit: opts.unit });
}
