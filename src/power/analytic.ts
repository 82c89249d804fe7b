/**
 * Analytic minimum detectable effects of a difference-in-differences design.
 *
 * Bloom (1995), "Minimum detectable effects: a simple way to report the statistical power of
 * experimental designs", Evaluation Review 19(5): MDE = M · SE(β̂), with the multiplier
 * M = t_{1−α/2} + t_{κ} (two-sided test at α, power κ; ≈ 2.80 for α = 0.05, κ = 0.8, many df).
 *
 * Burlig, Preonas & Woerman (2020), "Panel data and experimental design", JDE 144, eq. (2): for J
 * units, a share P treated, m pre- and r post-periods, and idiosyncratic errors ω_it (what is left
 * after unit and period fixed effects) with variance σ²_ω and average covariances ψ^B (between two
 * distinct pre-periods), ψ^A (two distinct post-periods) and ψ^X (a pre- and a post-period),
 *
 *   MDE = (t_{1−κ} + t_{α/2}) · sqrt( 1/(P(1−P)J) · [ (m+r)/(m r) σ²_ω + (m−1)/m ψ^B + (r−1)/r ψ^A − 2 ψ^X ] ),
 *
 * written here with |t| (t_{1−κ} = −t_κ). Without serial correlation (ψ = 0) it is Bloom's MDE with
 * Var(β̂_DiD) = σ²(1/m + 1/r)(1/n₁ + 1/n₀). The ψ are estimated from fixed-effect residuals of the
 * panel; BPW's form is exact for them: the −σ²/T covariance that demeaning puts between periods of a
 * unit cancels (with i.i.d. ω, the bracket equals σ²(m+r)/(mr) whatever T).
 * Critical values: Student t with J − 1 degrees of freedom, as the cluster-robust TWFE interval.
 */
import { UsageError } from '../core/errors.js';
import { qt } from '../core/stats.js';

export interface DidDesign {
  /** Units J. */
  units: number;
  /** Treated units n₁ (P = n₁ / J). */
  treated: number;
  /** Pre-periods m and post-periods r. */
  pre: number;
  post: number;
}

export interface ErrorMoments {
  /** σ²_ω: variance of the idiosyncratic error. */
  sigma2: number;
  /** ψ^B, ψ^A, ψ^X: average covariance of two distinct pre, two distinct post, and a pre with a post period. */
  psiB: number;
  psiA: number;
  psiX: number;
}

/** Bloom's multiplier M = t_{1−α/2, df} + t_{κ, df}. */
export function bloomMultiplier(alpha: number, power: number, df: number): number {
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1) || !(df > 0)) throw new UsageError('BAD_POWER_SETTING', `alpha ${alpha}, power ${power} must be in (0, 1) and df ${df} positive`, { alpha, power, df });
  return qt(1 - alpha / 2, df) + qt(power, df);
}

/** Bloom (1995): MDE = M · SE. */
export function bloomMde(se: number, alpha: number, power: number, df: number): number {
  return bloomMultiplier(alpha, power, df) * se;
}

function checkDesign(d: DidDesign): void {
  if (!(d.treated >= 1 && d.treated < d.units && d.pre >= 1 && d.post >= 1)) {
    throw new UsageError('BAD_DESIGN', `a DiD design needs 1 ≤ treated < units and at least one pre- and one post-period (got ${d.treated} of ${d.units} units, ${d.pre} pre, ${d.post} post)`, { ...d });
  }
}

/** The bracket of BPW eq. (2) divided by P(1−P)J: the variance of the DiD estimator. */
export function bpwVariance(d: DidDesign, e: ErrorMoments): number {
  checkDesign(d);
  const { pre: m, post: r } = d;
  const P = d.treated / d.units;
  const bracket = ((m + r) / (m * r)) * e.sigma2 + ((m - 1) / m) * e.psiB + ((r - 1) / r) * e.psiA - 2 * e.psiX;
  return bracket / (P * (1 - P) * d.units);
}

/** BPW (2020) eq. (2). Returns null variance-wise impossible moments (negative bracket) as NaN. */
export function bpwMde(d: DidDesign, e: ErrorMoments, alpha: number, power: number): { mde: number; se: number; df: number } {
  const v = bpwVariance(d, e);
  const df = d.units - 1;
  const se = v > 0 ? Math.sqrt(v) : Number.NaN;
  return { mde: bloomMde(se, alpha, power, df), se, df };
}

/** Bloom's MDE for DiD with serially uncorrelated errors of variance σ²: SE² = σ²(m+r)/(mr) / (P(1−P)J). */
export function bloomDidMde(d: DidDesign, sigma2: number, alpha: number, power: number): { mde: number; se: number; df: number } {
  return bpwMde(d, { sigma2, psiB: 0, psiA: 0, psiX: 0 }, alpha, power);
}

/**
 * Residuals of the two-way fixed-effect model y_it = α_i + ξ_t + ω_it on a balanced J × T block
 * (row-major), in closed form: ω = y − ȳ_i· − ȳ_·t + ȳ.
 */
export function twoWayResiduals(y: ArrayLike<number>, J: number, T: number): Float64Array {
  const rowM = new Float64Array(J);
  const colM = new Float64Array(T);
  let all = 0;
  for (let i = 0; i < J; i++)
    for (let t = 0; t < T; t++) {
      const v = y[i * T + t]!;
      rowM[i]! += v / T;
      colM[t]! += v / J;
      all += v / (J * T);
    }
  const out = new Float64Array(J * T);
  for (let i = 0; i < J; i++) for (let t = 0; t < T; t++) out[i * T + t] = y[i * T + t]! - rowM[i]! - colM[t]! + all;
  return out;
}

/**
 * σ²_ω, ψ^B, ψ^A, ψ^X from two-way residuals ω (J × T, the last `post` periods are "post"):
 * the cross-unit second moments Σ_i ω_is ω_it / (J − 1), averaged over the period pairs of each kind
 * (BPW 2020, section 3, estimated from the panel as their power calculations do). Also σ̂² with the
 * two-way degrees of freedom, SSR / ((J − 1)(T − 1)), for Bloom's serially uncorrelated formula.
 */
export function errorMoments(w: ArrayLike<number>, J: number, T: number, post: number): ErrorMoments & { sigma2Iid: number } {
  const m = T - post;
  if (m < 1 || post < 1 || J < 2) throw new UsageError('BAD_DESIGN', `error moments need J ≥ 2 units and 1 ≤ post < T periods (got J = ${J}, T = ${T}, post = ${post})`, { J, T, post });
  const C = new Float64Array(T * T);
  for (let s = 0; s < T; s++)
    for (let t = s; t < T; t++) {
      let c = 0;
      for (let i = 0; i < J; i++) c += w[i * T + s]! * w[i * T + t]!;
      C[s * T + t] = C[t * T + s] = c / (J - 1);
    }
  let sigma2 = 0;
  for (let t = 0; t < T; t++) sigma2 += C[t * T + t]! / T;
  const avg = (a0: number, a1: number, b0: number, b1: number, distinct: boolean): number => {
    let s = 0;
    let n = 0;
    for (let a = a0; a < a1; a++)
      for (let b = b0; b < b1; b++) {
        if (distinct && a === b) continue;
        s += C[a * T + b]!;
        n++;
      }
    return n > 0 ? s / n : 0;
  };
  let ssr = 0;
  for (let k = 0; k < J * T; k++) ssr += w[k]! * w[k]!;
  return {
    sigma2,
    psiB: avg(0, m, 0, m, true),
    psiA: avg(m, T, m, T, true),
    psiX: avg(0, m, m, T, false),
    sigma2Iid: T > 1 ? ssr / ((J - 1) * (T - 1)) : Number.NaN,
  };
}
