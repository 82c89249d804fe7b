/**
 * The conditional and hybrid tests of Andrews, Roth & Pakes (2023), "Inference for Linear
 * Conditional Moment Inequalities", REStud 90(6) (ARP), for a null hypothesis of the form
 *
 *     H0: ∃ τ̃ ∈ ℝ^q with μ − X̃ τ̃ ≤ 0,        Y ~ N(μ, Σ_Y),  Y ∈ ℝ^m,  X̃ ∈ ℝ^{m×q} known,
 *
 * which is how Rambachan & Roth (2023, §4) test H0: θ = θ̄ for one polyhedron Δ = {δ : Aδ ≤ d}
 * (honestRm.ts builds Y(θ̄), X̃ and Σ_Y = AΣAᵀ; τ̃ are the nuisance post-period effects).
 *
 * Test statistic (ARP §3): the largest studentised violation after profiling out τ̃,
 *     η̂ = min_{η, τ̃} η  s.t.  Y − X̃τ̃ ≤ η σ,   σ_j = √(Σ_Y)_jj,
 * solved through its dual  η̂ = max_γ γᵀY  s.t.  γ ≥ 0, X̃ᵀγ = 0, σᵀγ = 1  (vertices: the set V).
 *
 * Conditional test (ARP §3.2). With γ̂ the optimal vertex, σ_γ² = γ̂ᵀΣ_Yγ̂, r = Σ_Yγ̂/σ_γ² and
 * S = Y − r η̂ (independent of γ̂ᵀY), γ̂ stays optimal for Y = S + r t exactly when t ∈ [V^lo, V^up].
 * Because γ̂ᵀS = 0 and γ̂ᵀr = 1, "γ̂ optimal at S + rt" means "the programme's value there is t", so
 * by LP duality
 *     V^lo = min{ t : ∃ τ̃, S − X̃τ̃ ≤ t (σ − r) },   V^up = max{ same },
 * two small LPs (dual: max γᵀS s.t. X̃ᵀγ = 0, (σ − r)ᵀγ = ±1; infeasible ⇒ ∓∞). Under H0 the worst
 * case is γ̂ᵀμ = 0, and η̂ given (S, γ̂) is N(0, σ_γ²) truncated to [V^lo, V^up]; the test rejects
 * when the truncated upper tail P(ξ > η̂ | V^lo ≤ ξ ≤ V^up) is ≤ α.
 *
 * Least favourable critical value (ARP §3.3): c_LF(κ) = the 1 − κ quantile of max_{γ∈V} γᵀξ,
 * ξ ~ N(0, Σ_Y) (all moments binding), simulated from the project's seeded Rng (the draws are
 * passed in, so one set serves every polyhedron and M̄: common random numbers).
 *
 * Hybrid (ARP §3.3, Rambachan & Roth's default for Δ^RM with κ = α/10): reject if η̂ > c_LF(κ);
 * otherwise run the conditional test at level α̃ = (α − κ)/(1 − κ) with V^up replaced by
 * min(V^up, c_LF(κ)). Size ≤ κ + (1 − κ) α̃ = α.
 *
 * One choice of ours: the test never rejects when η̂ ≤ 0 (every moment holds in the sample, so the
 * data are inside the null). This can only enlarge the confidence set, so size is unaffected.
 */
import { EstimationError } from '../../core/errors.js';
import { pnorm, quantileSorted } from '../../core/stats.js';
import { StandardLp } from './standardLp.js';

/** The moment inequalities of one null: X̃ (m×q, row-major), Σ_Y (m×m) and a factor F (m×k) with F Fᵀ = Σ_Y for draws. */
export interface MomentProblem {
  m: number;
  q: number;
  X: Float64Array;
  SigmaY: Float64Array;
  F: Float64Array;
  k: number;
}

/** The dual feasible set {γ ≥ 0 : X̃ᵀγ = 0, wᵀγ = c}. */
function dualSet(p: MomentProblem, w: ArrayLike<number>, c: number): StandardLp {
  const { m, q, X } = p;
  const B = new Float64Array((q + 1) * m);
  for (let a = 0; a < q; a++) for (let j = 0; j < m; j++) B[a * m + j] = X[j * q + a]!;
  for (let j = 0; j < m; j++) B[q * m + j] = w[j]!;
  const b = new Float64Array(q + 1);
  b[q] = c;
  return new StandardLp(B, q + 1, m, b);
}

/** log P(Z > x) for a standard normal Z, accurate far in the upper tail (Mills-ratio series beyond 35). */
export function logUpperTail(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  if (x < 35) return Math.log(pnorm(-x));
  const x2 = x * x;
  return -0.5 * x2 - Math.log(x) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - 1 / x2 + 3 / (x2 * x2) - 15 / (x2 * x2 * x2));
}

/** P(Z > x | a ≤ Z ≤ b), Z standard normal, computed in the tail where [a, b] lies. */
export function truncatedUpperTail(x: number, a: number, b: number): number {
  const xx = Math.min(Math.max(x, a), b);
  if (b - a <= 0) return 1;
  if (a >= 0) {
    const la = logUpperTail(a);
    const ex = Math.exp(logUpperTail(xx) - la);
    const eb = Math.exp(logUpperTail(b) - la);
    return 1 - eb <= 0 ? 1 : Math.min(1, Math.max(0, (ex - eb) / (1 - eb)));
  }
  if (b <= 0) {
    // Lower tails: Φ(u) = P(Z > −u).
    const lb = logUpperTail(-b);
    const ex = Math.exp(logUpperTail(-xx) - lb);
    const ea = Math.exp(logUpperTail(-a) - lb);
    return 1 - ea <= 0 ? 1 : Math.min(1, Math.max(0, (1 - ex) / (1 - ea)));
  }
  const Fa = pnorm(a);
  const Fb = pnorm(b);
  return Math.min(1, Math.max(0, (Fb - pnorm(xx)) / (Fb - Fa)));
}

export interface HybridDecision {
  reject: boolean;
  /** 'lf': η̂ above the least favourable critical value; 'conditional': the second stage decided; 'inside': η̂ ≤ 0. */
  stage: 'lf' | 'conditional' | 'inside';
  eta: number;
  /** The second stage's truncated-normal p-value (null when it did not run). */
  pConditional: number | null;
}

/** ARP's test statistic, conditioning set and hybrid test for one moment problem. */
export class ArpTest {
  readonly p: MomentProblem;
  readonly sd: Float64Array;
  private readonly eta: StandardLp;
  private readonly cache = new Map<string, { gamma: Float64Array; r: Float64Array; sg: number; lo: StandardLp; up: StandardLp }>();

  constructor(p: MomentProblem) {
    this.p = p;
    this.sd = Float64Array.from({ length: p.m }, (_, j) => Math.sqrt(Math.max(0, p.SigmaY[j * p.m + j]!)));
    const sMax = Math.max(...this.sd);
    if (!(sMax > 0) || this.sd.some((s) => s <= 1e-10 * sMax)) {
      throw new EstimationError('HONEST_SINGULAR_MOMENT', 'a moment inequality of the relative-magnitude set has zero variance (the event-study covariance is singular along it), so the ARP test cannot studentise it; check the event-study covariance or use --honest-rm-method projection', {});
    }
    this.eta = dualSet(p, this.sd, 1);
    if (!this.eta.feasible) {
      throw new EstimationError('HONEST_UNBOUNDED_SET', 'the nuisance parameters can make every moment slack, so the robust set is unbounded; this restriction on δ identifies nothing', {});
    }
  }

  /** η̂ and the optimal vertex γ̂ at Y. */
  statistic(Y: ArrayLike<number>): { eta: number; gamma: Float64Array } {
    const sol = this.eta.maximise(Y);
    if (sol.status !== 'optimal') throw new EstimationError('HONEST_LP_FAILED', 'internal linear programme for the ARP statistic is unbounded although its primal is feasible; please report this', {});
    return { eta: sol.value, gamma: sol.gamma };
  }

  /** σ_γ, r and the two LPs for V^lo, V^up of a vertex (cached: the grid revisits the same few vertices). */
  private vertex(gamma: Float64Array) {
    const { m, SigmaY } = this.p;
    const gMax = Math.max(...gamma);
    const key = Array.from(gamma, (g, j) => (g > 1e-12 * gMax ? j : -1)).filter((j) => j >= 0).join(',');
    const hit = this.cache.get(key);
    if (hit && hit.gamma.every((g, j) => Math.abs(g - gamma[j]!) <= 1e-9 * gMax)) return hit;
    const Sg = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Sg[i] = Sg[i]! + SigmaY[i * m + j]! * gamma[j]!;
    let v = 0;
    for (let j = 0; j < m; j++) v += gamma[j]! * Sg[j]!;
    const sg = Math.sqrt(Math.max(0, v));
    const r = Sg.map((x) => (v > 0 ? x / v : 0));
    const w = this.sd.map((s, j) => s - r[j]!);
    const entry = { gamma: Float64Array.from(gamma), r, sg, lo: dualSet(this.p, w, 1), up: dualSet(this.p, w, -1) };
    this.cache.set(key, entry);
    return entry;
  }

  /**
   * The conditioning interval [V^lo, V^up] of η̂ given S = Y − r η̂, and σ_γ. In exact arithmetic
   * t = η̂ is feasible for both LPs; S_j = Y_j − r_j η̂ cancels to 0 on the rows that bind at the
   * optimum, and where also σ_j − r_j = 0 round-off of either sign would decide feasibility. So each
   * S_j is lowered by 1e-9 × the size of the terms that cancel (a relative slack), and an LP that
   * is still unbounded (its primal infeasible) is an error, not a silent default.
   */
  truncation(Y: ArrayLike<number>, eta: number, gamma: Float64Array): { vlo: number; vup: number; sg: number } {
    const vx = this.vertex(gamma);
    const S = Float64Array.from({ length: this.p.m }, (_, j) => {
      const t = vx.r[j]! * eta;
      return Y[j]! - t - 1e-9 * (Math.abs(Y[j]!) + Math.abs(t) + this.sd[j]! * Math.abs(eta));
    });
    const lo = vx.lo.feasible ? vx.lo.maximise(S) : null;
    const up = vx.up.feasible ? vx.up.maximise(S) : null;
    if (lo?.status === 'unbounded' || up?.status === 'unbounded') {
      throw new EstimationError('HONEST_LP_FAILED', 'internal linear programme: the conditioning interval of the ARP test is empty although the statistic lies in it; please report this with the event-study coefficients and covariance', {});
    }
    const vlo = lo ? lo.value : Number.NEGATIVE_INFINITY;
    const vup = up ? -up.value : Number.POSITIVE_INFINITY;
    // η̂ itself is in the interval (the slack above moves the ends outwards by ~1e-9 relative).
    return { vlo: Math.min(vlo, eta), vup: Math.max(vup, eta), sg: vx.sg };
  }

  /** c_LF(κ): the 1 − κ quantile of η over draws ξ = F z (z rows of `draws`, N × k). */
  lfCritical(draws: Float64Array, n: number, kappa: number): number {
    const { m, k, F } = this.p;
    const xi = new Float64Array(m);
    const etas = new Float64Array(n);
    for (let b = 0; b < n; b++) {
      for (let j = 0; j < m; j++) {
        let v = 0;
        for (let c = 0; c < k; c++) v += F[j * k + c]! * draws[b * k + c]!;
        xi[j] = v;
      }
      etas[b] = this.statistic(xi).eta;
    }
    etas.sort();
    return quantileSorted(etas, 1 - kappa);
  }

  /** The hybrid test at level α with first-stage size κ and LF critical value cLF (κ = 0, cLF = ∞: the conditional test). */
  hybrid(Y: ArrayLike<number>, cLF: number, alpha: number, kappa: number): HybridDecision {
    const { eta, gamma } = this.statistic(Y);
    if (eta > cLF) return { reject: true, stage: 'lf', eta, pConditional: null };
    if (eta <= 0) return { reject: false, stage: 'inside', eta, pConditional: null };
    const { vlo, vup, sg } = this.truncation(Y, eta, gamma);
    if (!(sg > 0)) return { reject: true, stage: 'conditional', eta, pConditional: 0 };
    const p = truncatedUpperTail(eta / sg, vlo / sg, Math.min(vup, cLF) / sg);
    return { reject: p <= (alpha - kappa) / (1 - kappa), stage: 'conditional', eta, pConditional: p };
  }

  /** The interval {t : min_τ̃ max_j (Y₀ − a t − X̃τ̃)_j/σ_j ≤ c}: where the first stage does not reject; null if empty. */
  lfInterval(Y0: ArrayLike<number>, a: ArrayLike<number>, c: number): [number, number] | null {
    const { m, q, X } = this.p;
    // min over t of the statistic: dual with the extra column a in the nuisance.
    const ext: MomentProblem = { ...this.p, q: q + 1, X: Float64Array.from({ length: m * (q + 1) }, (_, i) => { const j = Math.floor(i / (q + 1)); const col = i % (q + 1); return col < q ? X[j * q + col]! : a[j]!; }) };
    const all = dualSet(ext, this.sd, 1);
    if (!all.feasible) throw new EstimationError('HONEST_UNBOUNDED_SET', 'the robust set for θ is unbounded under this restriction', {});
    if (all.maximise(Y0).value > c) return null;
    const Yc = Float64Array.from({ length: m }, (_, j) => Y0[j]! - c * this.sd[j]!);
    const lo = dualSet(this.p, a, 1);
    const up = dualSet(this.p, a, -1);
    if (!lo.feasible || !up.feasible) throw new EstimationError('HONEST_UNBOUNDED_SET', 'the robust set for θ is unbounded under this restriction', {});
    return [lo.maximise(Yc).value, -up.maximise(Yc).value];
  }
}
