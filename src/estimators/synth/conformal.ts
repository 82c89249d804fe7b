/**
 * Conformal inference for synthetic-control effects (Chernozhukov, Wüthrich & Zhu
 * 2021, JASA 116:1849, §2–3), by test inversion.
 *
 * Null H₀: θ for the effect (per period: at one post period t; for the average:
 * a constant effect θ in every post period). Under H₀ the adjusted treated series
 * Y₁ − θ·D is fitted by the outcome-only simplex synthetic control on the pre
 * periods plus the tested periods (the fit includes them, as the paper requires),
 * giving residuals û. With several treated units (common start) the residuals are
 * averaged across units. The test statistic is S(û) = |mean of û_t over the tested
 * periods| — for one period this is the paper's |û_t|; for the average effect we use the
 * signed mean rather than the paper's mean of |û_t| (S₁), because with many post periods
 * the moving blocks overlapping the post window keep S₁'s p-value from ever falling
 * below about T_post / T (the permutation test is valid for any statistic of û); its p-value compares S with its values under the T moving-block
 * (cyclic) permutations of time: p(θ) = (1/T) Σ_j 1{S(û_πj) ≥ S(û)}.
 * The (1 − α) set is {θ : p(θ) > α}; we report the connected set around the point
 * estimate, its ends found by doubling then 40 bisection steps.
 */
import { simplexQP } from './simplex.js';

/** A fixed donor Gram over a period set plus the treated units' cross products. */
export interface ConformalProblem {
  /** Donor Gram over the tested period set P (J×J) — centred outcomes. */
  G: Float64Array;
  J: number;
  /** For each treated unit: c_j = Σ_{t∈P} z_jt z_it (length J) and d_j = Σ_{t∈post∩P} z_jt (length J). */
  c: Float64Array[];
  d: Float64Array[];
  /** Centred donor outcomes over P (J×|P| row-major) and treated outcomes (|P|) per unit, for residuals. */
  Z0: Float64Array;
  z1: Float64Array[];
  /** Positions (within P) of the tested (post) periods. */
  tested: number[];
}

/** p-value of H₀: effect = θ. */
export function conformalPValue(prob: ConformalProblem, theta: number): number {
  const P = prob.z1[0]!.length;
  const J = prob.J;
  const n = prob.c.length;
  const u = new Float64Array(P);
  const idx = Int32Array.from({ length: J }, (_, a) => a);
  const isTested = new Uint8Array(P);
  for (const t of prob.tested) isTested[t] = 1;
  for (let i = 0; i < n; i++) {
    const c = Float64Array.from(prob.c[i]!, (x, j) => x - theta * prob.d[i]![j]!);
    const w = simplexQP(prob.G, J, idx, c).w;
    const z1 = prob.z1[i]!;
    for (let t = 0; t < P; t++) {
      let s = z1[t]! - (isTested[t] ? theta : 0);
      for (let a = 0; a < J; a++) if (w[a]! !== 0) s -= w[a]! * prob.Z0[a * P + t]!;
      u[t] = u[t]! + s / n;
    }
  }
  return permutationPValue(u, prob.tested);
}

/**
 * Moving-block (cyclic) permutation p-value of S(û) = |mean of û over the tested
 * positions| (for one period the paper's |û_t|): (1/P) Σ_j 1{S(û_πj) ≥ S(û)}.
 * Shared by every estimator whose residuals come from a fit under H₀ (synth, ascm).
 */
export function permutationPValue(u: Float64Array, tested: readonly number[]): number {
  const P = u.length;
  const stat = (shift: number) => {
    let s = 0;
    for (const t of tested) s += u[(t + shift) % P]!;
    return Math.abs(s) / tested.length;
  };
  const s0 = stat(0);
  let count = 0;
  for (let j = 0; j < P; j++) if (stat(j) >= s0 * (1 - 1e-12)) count++;
  return count / P;
}

/**
 * Confidence set by inverting the test around `center` with initial half-width `scale`.
 * Returns null when the set is unbounded (p never falls to α within 2⁴⁰·scale) or when
 * the test rejects the point estimate itself (`centerRejected`).
 */
export function conformalInterval(prob: ConformalProblem, center: number, scale: number, alpha: number): { ci: [number, number] | null; pAtZero: number; centerRejected: boolean } {
  return invertTest((th) => conformalPValue(prob, th), center, scale, alpha);
}

/** Test inversion for any p-value function θ ↦ p(θ) (see {@link conformalInterval}). */
export function invertTest(pValue: (theta: number) => number, center: number, scale: number, alpha: number): { ci: [number, number] | null; pAtZero: number; centerRejected: boolean } {
  const accept = (th: number) => pValue(th) > alpha;
  const pAtZero = pValue(0);
  // The connected set is grown from the point estimate; if the test rejects the estimate itself there is none.
  if (!accept(center)) return { ci: null, pAtZero, centerRejected: true };
  const step = scale > 0 && Number.isFinite(scale) ? scale : 1;
  const end = (dir: 1 | -1): number | null => {
    let inside = center;
    let d = step;
    let outside: number | null = null;
    for (let m = 0; m < 40; m++) {
      const th = center + dir * d;
      if (!accept(th)) { outside = th; break; }
      inside = th;
      d *= 2;
    }
    if (outside === null) return null;
    let out: number = outside;
    for (let b = 0; b < 40; b++) {
      const mid: number = 0.5 * (inside + out);
      if (accept(mid)) inside = mid;
      else out = mid;
    }
    return inside;
  };
  const lo = end(-1);
  const hi = end(1);
  return { ci: lo === null || hi === null ? null : [lo, hi], pAtZero, centerRejected: false };
}
