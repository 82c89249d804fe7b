/**
 * Sensitivity of an event-study conclusion to violations of parallel trends
 * (Rambachan & Roth 2023, "A More Credible Approach to Parallel Trends", REStud 90(5)).
 *
 * Notation. Event times e on a contiguous grid e_min … e_max, reference e = −1 (β_{−1} ≡ 0).
 * β̂ = (β̂_pre, β̂_post) ~ N(β, Σ), β = (0, τ_post) + δ, where δ is the difference in trends
 * (δ_{−1} = 0). The target is θ = lᵀτ_post (l = e_0, the first post period, or the average
 * of the post periods). δ_pre = β_pre is identified; δ_post is restricted to a set Δ.
 *
 * Relative magnitudes Δ^RM(M̄): every post-period first difference of δ is at most M̄ times the
 * largest pre-period first difference,
 *     |δ_{e+1} − δ_e| ≤ M̄ · m,  e ≥ −1,   m = max_{e ≤ −2} |δ_{e+1} − δ_e|.
 * Identified set (β known). Writing δ_e = Σ_{k=−1}^{e−1} Δ_k for e ≥ 0 (Δ_k = δ_{k+1} − δ_k),
 * lᵀδ_post = Σ_k Δ_k L_k with L_k = Σ_{e>k} l_e, so with the Δ_k in a box
 *     θ ∈ [lᵀβ_post − M̄ m S,  lᵀβ_post + M̄ m S],   S = Σ_k |L_k|.
 * Robust confidence sets. By default (rmMethod 'hybrid') they invert the Andrews–Roth–Pakes
 * conditional–least-favourable hybrid test over the union of polyhedra that makes up Δ^RM(M̄), as
 * in the paper (honestRm.ts, honestArp.ts). The alternative (rmMethod 'projection', implemented
 * here) is a Šidák projection, conservative but valid: with
 * a_j = the pre-period first differences Dβ̂_pre (j = 1…J) and b = lᵀβ̂_post, take c with
 * (2Φ(c) − 1)^{J+1} = 1 − α. By Šidák's inequality (Gaussian vector, any correlation) the event
 *     |b − lᵀβ_post| ≤ c σ_b  and  |a_j − (Dβ_pre)_j| ≤ c σ_j  for all j
 * has probability ≥ 1 − α; on it m ≤ m̂_U = max_j (|a_j| + c σ_j) and
 *     θ ∈ CI(M̄) = [b − c σ_b − M̄ S m̂_U,  b + c σ_b + M̄ S m̂_U].
 * At M̄ = 0 the pre-period does not enter and CI(0) = b ± z_{1−α/2} σ_b, the usual interval.
 * For M̄ > 0 the intervals are nested and grow linearly in M̄, so the breakdown value (the
 * largest M̄ at which the interval still excludes 0) is (|b| − c σ_b)/(S m̂_U), or 0.
 *
 * Smoothness Δ^SD(M): |δ_{e+1} − 2δ_e + δ_{e−1}| ≤ M at every interior grid point.
 * Parametrise δ = s r + A d with r_e = e + 1 (a linear trend through the reference) and
 * d ∈ [−M, M]^{n_d} the second differences (A maps them to δ with δ_{−1} = δ_0 = 0).
 * Fixed-length CI (FLCI; Armstrong & Kolesár 2018; RR §4.1): for an affine estimator
 * θ̂_v = wᵀβ̂ with w = (v, l) on the grid, the bias wᵀδ is bounded over Δ^SD(M) iff wᵀr = 0,
 * and then max |bias| = M ‖Aᵀw‖₁. The interval θ̂_v ± σ_v c_α(M‖Aᵀw‖₁/σ_v), σ_v² = wᵀΣw,
 * c_α(t) the 1 − α quantile of |N(t, 1)|, covers θ with probability ≥ 1 − α for every δ in
 * Δ^SD(M) (exactly 1 − α at the worst case). Its half-length is convex in v (perspective of
 * the convex c_α composed with two convex functions), and is minimised over v by Nelder–Mead
 * on the affine set wᵀr = 0, started from the variance-minimising v (the M = 0 optimum).
 * At M = 0 the FLCI is the minimum-variance linear extrapolation of the pre-trend ± z σ.
 */
import { solveSpd } from '../../core/linalg.js';
import { pnorm, qnorm } from '../../core/stats.js';
import { DEFAULT_SEED } from '../../core/rng.js';
import { nelderMead } from '../synth/nelderMead.js';
import { rmHybrid, type RmHybridResult } from './honestRm.js';
import { at, dot, preDiffs, prepareHonest, quad, rmIdentifiedSet, rmSlope, type EventStudy, type HonestSetup, type HonestTarget } from './honestSetup.js';

export { HONEST_TARGETS, prepareHonest, rmIdentifiedSet, rmSlope, type EventStudy, type HonestSetup, type HonestTarget } from './honestSetup.js';

/**
 * How the Δ^RM robust sets are built: the ARP hybrid test (Rambachan & Roth's default), ARP's
 * conditional test alone (HonestDiD's `method = "Conditional"`, to reproduce published sets), or
 * the Šidák projection.
 */
export const RM_METHODS = ['hybrid', 'conditional', 'projection'] as const;
export type RmMethod = (typeof RM_METHODS)[number];

export interface HonestOptions {
  target: HonestTarget;
  /** Δ^RM method (default 'hybrid'). */
  rmMethod?: RmMethod;
  /** Seed of the least favourable draws of the hybrid (default DEFAULT_SEED); recorded in the result. */
  seed?: number;
  /** Grid of M̄ for relative magnitudes (≥ 0). */
  mbar: number[];
  /** Grid of M for smoothness (≥ 0, in outcome units per period²). */
  m: number[];
  level: number;
}

/** 1 − α quantile of |N(t, 1)|: the c solving Φ(c − t) − Φ(−c − t) = 1 − α. */
export function cvFoldedNormal(t: number, alpha: number): number {
  const tt = Math.abs(t);
  let lo = 0;
  let hi = tt + qnorm(1 - alpha / 2) + 1;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    const cover = pnorm(mid - tt) - pnorm(-mid - tt);
    if (cover < 1 - alpha) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-13 * (1 + hi)) break;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------- relative magnitudes

export interface RmRow {
  mbar: number;
  lower: number;
  upper: number;
  identifiedSet: [number, number];
}

export interface RmResult {
  method: string;
  criticalValue: number;
  /** Upper confidence bound on the largest pre-period first difference. */
  maxPreDiffUpper: number;
  /** Largest pre-period first difference at β̂. */
  maxPreDiff: number;
  slope: number;
  rows: RmRow[];
  /** Largest M̄ at which the robust interval excludes 0 (0 if it never does for M̄ > 0); null if the original interval covers 0. */
  breakdown: number | null;
}

/** Šidák-projection robust intervals under Δ^RM(M̄) for each M̄ of the grid. */
export function relativeMagnitudes(s: HonestSetup, grid: number[], level: number): RmResult {
  const alpha = 1 - level;
  const diffs = preDiffs(s);
  const J = diffs.length;
  const c = qnorm(0.5 + Math.pow(1 - alpha, 1 / (J + 1)) / 2);
  const z = qnorm(1 - alpha / 2);
  const b = dot(s.lGrid, s.betaGrid);
  const sb = Math.sqrt(quad(s, s.lGrid));
  let mU = 0;
  let m = 0;
  for (const w of diffs) {
    const a = dot(w, s.betaGrid);
    m = Math.max(m, Math.abs(a));
    mU = Math.max(mU, Math.abs(a) + c * Math.sqrt(quad(s, w)));
  }
  const S = rmSlope(s);
  const rows = grid.map((mbar) => {
    const h = mbar === 0 ? z * sb : c * sb + mbar * S * mU;
    return { mbar, lower: b - h, upper: b + h, identifiedSet: rmIdentifiedSet(s, mbar) };
  });
  let breakdown: number | null = null;
  if (Math.abs(b) > z * sb) breakdown = Math.abs(b) > c * sb ? (Math.abs(b) - c * sb) / (S * mU) : 0;
  return { method: 'sidak-projection', criticalValue: c, maxPreDiffUpper: mU, maxPreDiff: m, slope: S, rows, breakdown };
}

// ---------------------------------------------------------------- smoothness

/** r (linear trend through the reference) and A (second differences → δ) on the grid. */
export function smoothnessBasis(s: HonestSetup): { r: Float64Array; A: Float64Array[] } {
  const n = s.betaGrid.length;
  const r = new Float64Array(n);
  for (let e = s.eMin; e <= s.eMax; e++) r[at(s, e)] = e + 1;
  const A: Float64Array[] = [];
  for (let k = s.eMin + 1; k <= s.eMax - 1; k++) {
    // δ with a single unit second difference at k, δ_{−1} = δ_0 = 0.
    const d = new Float64Array(n);
    const dd = (e: number) => (e === k ? 1 : 0);
    for (let e = 0; e < s.eMax; e++) d[at(s, e + 1)] = dd(e) + 2 * d[at(s, e)]! - d[at(s, e - 1)]!;
    for (let e = -1; e > s.eMin; e--) d[at(s, e - 1)] = dd(e) + 2 * d[at(s, e)]! - d[at(s, e + 1)]!;
    A.push(d);
  }
  return { r, A };
}

export interface FlciRow {
  m: number;
  lower: number;
  upper: number;
  /** The affine estimator's centre wᵀβ̂. */
  centre: number;
  se: number;
  maxBias: number;
  /** Weights v on the pre-period coefficients e_min … −2. */
  preWeights: number[];
  converged: boolean;
}

/** The FLCI pieces for one v (pre weights): centre, σ, worst-case bias per unit M. */
function flciAt(s: HonestSetup, basis: { r: Float64Array; A: Float64Array[] }, v: ArrayLike<number>) {
  const w = Float64Array.from(s.lGrid);
  for (let j = 0; j < s.nPre; j++) w[j] = v[j]!;
  let bias = 0;
  for (const col of basis.A) bias += Math.abs(dot(col, w));
  return { w, centre: dot(w, s.betaGrid), se: Math.sqrt(quad(s, w)), bias };
}

/** Pre weights v₀ + N u satisfying wᵀr = 0: a particular solution and an orthonormal null basis of r_pre. */
function constraintSpace(s: HonestSetup, r: Float64Array): { base: Float64Array; N: Float64Array[] } {
  const p = s.nPre;
  const rp = r.subarray(0, p);
  const c = dot(s.lGrid, r);
  const rr = dot(rp, rp);
  const base = Float64Array.from(rp, (x) => (-c * x) / rr);
  // Gram–Schmidt on the unit vectors against r_pre.
  const N: Float64Array[] = [];
  const q0 = Float64Array.from(rp, (x) => x / Math.sqrt(rr));
  for (let j = 0; j < p && N.length < p - 1; j++) {
    const u = new Float64Array(p);
    u[j] = 1;
    for (const q of [q0, ...N]) {
      const d = dot(u, q);
      for (let i = 0; i < p; i++) u[i] = u[i]! - d * q[i]!;
    }
    const nrm = Math.sqrt(dot(u, u));
    if (nrm > 1e-8) N.push(u.map((x) => x / nrm));
  }
  return { base, N };
}

/** Minimum-variance pre weights subject to wᵀr = 0 (the M = 0 optimum), in u coordinates. */
function minVarianceU(s: HonestSetup, space: { base: Float64Array; N: Float64Array[] }): Float64Array {
  const q = space.N.length;
  if (q === 0) return new Float64Array(0);
  const n = s.betaGrid.length;
  // w(u) = w0 + Σ_j u_j n_j (n_j padded with zeros); minimise (w0 + Bu)ᵀΣ(w0 + Bu): (BᵀΣB) u = −BᵀΣ w0.
  const w0 = Float64Array.from(s.lGrid);
  for (let j = 0; j < s.nPre; j++) w0[j] = space.base[j]!;
  const B = space.N.map((col) => {
    const x = new Float64Array(n);
    x.set(col, 0);
    return x;
  });
  const Sx = (x: Float64Array) => {
    const out = new Float64Array(n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[a] = out[a]! + s.sigmaGrid[a * n + b]! * x[b]!;
    return out;
  };
  const SB = B.map(Sx);
  const H = new Float64Array(q * q);
  const g = new Float64Array(q);
  const Sw0 = Sx(w0);
  for (let a = 0; a < q; a++) {
    g[a] = -dot(B[a]!, Sw0);
    for (let b = 0; b < q; b++) H[a * q + b] = dot(B[a]!, SB[b]!);
  }
  try {
    return solveSpd(H, q, g);
  } catch {
    return new Float64Array(q);
  }
}

export interface FlciResult {
  method: string;
  rows: FlciRow[];
  /** Smallest M on a bisection at which the FLCI covers 0; null if the M = 0 interval already does. */
  breakdown: number | null;
}

/** The FLCI for one M: minimise the half-length over the pre weights. */
export function flci(s: HonestSetup, M: number, level: number, start?: Float64Array): FlciRow & { u: Float64Array } {
  const alpha = 1 - level;
  const basis = smoothnessBasis(s);
  const space = constraintSpace(s, basis.r);
  const vOf = (u: ArrayLike<number>) => {
    const v = Float64Array.from(space.base);
    space.N.forEach((col, j) => {
      for (let i = 0; i < v.length; i++) v[i] = v[i]! + u[j]! * col[i]!;
    });
    return v;
  };
  const half = (u: ArrayLike<number>) => {
    const f = flciAt(s, basis, vOf(u));
    if (f.se === 0) return M * f.bias;
    return f.se * cvFoldedNormal((M * f.bias) / f.se, alpha);
  };
  const u0 = minVarianceU(s, space);
  let best: { u: Float64Array; f: number; converged: boolean } = { u: u0, f: half(u0), converged: true };
  if (space.N.length > 0 && M > 0) {
    const starts = [u0, ...(start && start.length === u0.length ? [start] : [])];
    const scale = Math.max(1, ...Array.from(space.base, Math.abs));
    for (const x0 of starts) {
      let x: Float64Array = Float64Array.from(x0);
      let res = nelderMead(half, x, { step: 0.5 * scale, maxEval: 4000 * space.N.length, ftol: 1e-12, xtol: 1e-10 });
      // Restart from the optimum: Nelder–Mead can stall on a kink of the L1 bias.
      for (let rep = 0; rep < 3; rep++) {
        x = res.x;
        const again = nelderMead(half, x, { step: 0.1 * scale, maxEval: 4000 * space.N.length, ftol: 1e-12, xtol: 1e-10 });
        if (!(again.f < res.f - 1e-12 * Math.abs(res.f))) {
          res = again.f <= res.f ? again : res;
          break;
        }
        res = again;
      }
      if (res.f < best.f) best = { u: Float64Array.from(res.x), f: res.f, converged: res.converged };
    }
  }
  const v = vOf(best.u);
  const f = flciAt(s, basis, v);
  const h = f.se > 0 ? f.se * cvFoldedNormal((M * f.bias) / f.se, alpha) : M * f.bias;
  return { m: M, lower: f.centre - h, upper: f.centre + h, centre: f.centre, se: f.se, maxBias: M * f.bias, preWeights: Array.from(v), converged: best.converged, u: best.u };
}

/** FLCIs over the grid of M, and the breakdown M (bisection to 1e-6 relative). */
export function smoothness(s: HonestSetup, grid: number[], level: number): FlciResult {
  let prev: Float64Array | undefined;
  const rows: FlciRow[] = [];
  for (const M of grid) {
    const { u, ...row } = flci(s, M, level, prev);
    prev = u;
    rows.push(row);
  }
  const covers0 = (M: number) => {
    const r = flci(s, M, level);
    return r.lower <= 0 && r.upper >= 0;
  };
  let breakdown: number | null = null;
  if (!covers0(0)) {
    let lo = 0;
    let hi = Math.max(1e-12, ...grid.filter((x) => x > 0));
    let guard = 0;
    while (!covers0(hi) && guard++ < 60) {
      lo = hi;
      hi *= 2;
    }
    if (guard < 60) {
      for (let it = 0; it < 60 && hi - lo > 1e-6 * hi; it++) {
        const mid = (lo + hi) / 2;
        if (covers0(mid)) hi = mid;
        else lo = mid;
      }
      breakdown = lo;
    }
  }
  return { method: 'flci', rows, breakdown };
}

// ---------------------------------------------------------------- assemble

export interface HonestResult {
  target: HonestTarget;
  targetDescription: string;
  estimate: number;
  se: number;
  ci: [number, number];
  level: number;
  preTerms: number;
  postTerms: number;
  relativeMagnitudes: RmResult | RmHybridResult;
  smoothness: FlciResult;
  summary: string;
}

/** Default grids: M̄ ∈ {0, 0.25, …, 2}; M in steps of the pre-period's largest |second difference| scale. */
export function defaultGrids(s: HonestSetup): { mbar: number[]; m: number[] } {
  const mbar = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
  const sb = Math.sqrt(quad(s, s.lGrid));
  const step = sb / 4;
  const m = Array.from({ length: 9 }, (_, j) => j * step);
  return { mbar, m };
}

/** The Δ^RM block by the chosen method. */
function rmBlock(s: HonestSetup, opts: HonestOptions): RmResult | RmHybridResult {
  const method = opts.rmMethod ?? 'hybrid';
  if (method === 'projection') return relativeMagnitudes(s, opts.mbar, opts.level);
  return rmHybrid(s, opts.mbar, { level: opts.level, seed: opts.seed ?? DEFAULT_SEED, test: method });
}

/** The breakdown M̄ in plain words. */
function rmWords(rm: RmResult | RmHybridResult, desc: string, pct: number): string {
  if (rm.breakdown === null) return `the ${pct}% robust set for the ${desc} already covers 0 with no violation of parallel trends allowed after treatment (M̄ = 0), so there is no conclusion to break`;
  if (rm.breakdown === 0) return `the ${desc} is significant under exact parallel trends but not once any violation is allowed (breakdown M̄ = 0 with the conservative Šidák projection)`;
  if (rm.method.startsWith('arp-') && (rm as RmHybridResult).breakdownTolerance === null) return `the ${desc} stays significant at ${pct}% for every M̄ up to ${rm.breakdown} searched (breakdown M̄ beyond that)`;
  return `the ${desc} stays significant at ${pct}% unless post-treatment violations of parallel trends exceed ${rm.breakdown.toPrecision(3)} times the largest pre-treatment one (breakdown M̄)`;
}

/** Robust confidence sets for θ under Δ^RM and Δ^SD over grids of M̄ and M. */
export function honestDid(es: EventStudy, opts: HonestOptions): HonestResult {
  const s = prepareHonest(es, opts.target);
  const rm = rmBlock(s, opts);
  const sd = smoothness(s, opts.m, opts.level);
  const est = dot(s.lGrid, s.betaGrid);
  const se = Math.sqrt(quad(s, s.lGrid));
  const z = qnorm(0.5 + opts.level / 2);
  const desc = opts.target === 'first' ? 'effect at event time 0 (the first treated period)' : `average effect over event times 0…${s.eMax}`;
  return {
    target: opts.target,
    targetDescription: desc,
    estimate: est,
    se,
    ci: [est - z * se, est + z * se],
    level: opts.level,
    preTerms: s.nPre,
    postTerms: s.nPost,
    relativeMagnitudes: rm,
    smoothness: sd,
    summary: rmWords(rm, desc, Math.round(opts.level * 100)),
  };
}
