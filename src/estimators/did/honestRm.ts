/**
 * Robust confidence sets for θ = lᵀτ_post under relative magnitudes Δ^RM(M̄) by inverting the
 * Andrews–Roth–Pakes conditional–least-favourable hybrid test (honestArp.ts), as in Rambachan &
 * Roth (2023, REStud 90(5), §4 and their default for Δ^RM: κ = α/10).
 *
 * Δ^RM(M̄) = {δ : |Δ_t| ≤ M̄ max_{s pre} |Δ_s| for every post first difference t} is a finite union
 * of polyhedra, one for each location s of the largest pre-period first difference and its sign:
 *     Δ^RM_{s,±}(M̄) = {δ : ±Δ_s ≥ |Δ_k| for every pre k,  |Δ_t| ≤ ±M̄ Δ_s for every post t},
 * i.e. A_{s,±} δ ≤ 0 with the rows (each first difference Δ_k = δ_{k+1} − δ_k a row vector D_k)
 *     pre k ≠ s:  D_k ∓ D_s,  −D_k ∓ D_s;      k = s:  ∓D_s;      post t:  D_t ∓ M̄ D_s,  −D_t ∓ M̄ D_s.
 * The test uses only the 2T̄ rows that involve post-period coefficients (the post rows), as Rambachan
 * & Roth's software does by default: the pre rows only say that Δ_s is the largest pre difference,
 * and dropping them keeps the union exact (δ ∈ Δ^RM ⇔ |Δ_t| ≤ M̄ |Δ_s| for all t at some s, namely the
 * argmax) while sparing the conditional test the low power it has when a pre row is nearly binding.
 * At M̄ = 0 the post rows are ±D_t δ ≤ 0 in every piece, the pre-period drops out, and the hybrid set
 * is lᵀβ̂ ± c_H σ with c_H fixed by c_LF (= z_{1−α/2} when c_LF is exact; see the tests).
 * For H0: θ = θ̄ write δ = β − τ with τ_pre = 0 and
 * τ_post = l θ̄/‖l‖² + N τ̃ (N an orthonormal basis of {v : lᵀv = 0} on the post grid), so
 *     Y(θ̄) = Aβ̂ − a θ̄,  a = A l/‖l‖²,   X̃ = A N (2T̄ × T̄−1),   Σ_Y = A Σ Aᵀ,
 * and H0 ⇔ ∃ τ̃: E[Y(θ̄)] − X̃τ̃ ≤ 0: ARP's form. The confidence set of the union is the union of
 * the pieces' sets, each at level 1 − α (RR 2023 §4): a δ in the union lies in some piece, whose
 * test has size ≤ α.
 *
 * Inversion (per piece and M̄). The hybrid never accepts θ̄ where η̂(θ̄) > c_LF, and η̂ is convex in
 * θ̄, so the set lies inside the LP-computed interval [θ_lo, θ_hi] = {θ̄ : η̂(θ̄) ≤ c_LF}. The test is
 * run on `gridPoints` equally spaced θ̄ there (plus lᵀβ̂), and the outermost accepted points are
 * refined by bisection against their rejected neighbours to `tolerance` (an absolute θ width,
 * 1e-6 × the SE of lᵀβ̂). The row reports the hull [lower, upper] of the union; `convex` is false
 * when a rejected grid point lies inside it. The breakdown M̄ is the largest M̄ (bisection, to
 * `breakdownTolerance`) below which every hull excludes 0.
 */
import { EstimationError } from '../../core/errors.js';
import { symmetricEigen } from '../../core/linalg.js';
import { Rng } from '../../core/rng.js';
import { ArpTest, type MomentProblem } from './honestArp.js';
import { at, dot, preDiffs, quad, rmIdentifiedSet, rmSlope, type HonestSetup } from './honestSetup.js';

/** Defaults: LF draws, θ grid points, the Rng stream of the command's seed used for the LF draws. */
export const RM_HYBRID_DEFAULTS = { draws: 1000, gridPoints: 100, stream: 22, kappaShare: 0.1, maxMbar: 1e4 } as const;

export interface RmHybridOptions {
  level: number;
  seed: number;
  /**
   * 'hybrid' (default): the conditional–LF hybrid, κ = α/10. 'conditional': ARP's conditional test
   * alone (κ = 0, c_LF = ∞; HonestDiD's `method = "Conditional"`), deterministic, kept to reproduce
   * published conditional sets; it loses power where a moment is nearly binding.
   */
  test?: 'hybrid' | 'conditional';
  draws?: number;
  gridPoints?: number;
  /** Search for the breakdown M̄ (default true). */
  breakdown?: boolean;
}

export interface RmHybridRow {
  mbar: number;
  lower: number;
  upper: number;
  identifiedSet: [number, number];
  /** False when the union of the pieces' accepted sets has a gap inside [lower, upper]. */
  convex: boolean;
  /** Each piece (s, sign): its least favourable critical value c_LF(κ) and its set's hull (null: empty). */
  pieces: RmPieceResult[];
}

export interface RmPieceResult {
  s: number;
  sign: 1 | -1;
  /** null for the conditional test (no first stage). */
  lfCritical: number | null;
  lower: number | null;
  upper: number | null;
}

export interface RmHybridResult {
  method: 'arp-hybrid' | 'arp-conditional';
  kappa: number;
  lfDraws: number;
  seed: number;
  lfStream: number;
  gridPoints: number;
  tolerance: number;
  maxPreDiff: number;
  slope: number;
  rows: RmHybridRow[];
  breakdown: number | null;
  breakdownTolerance: number | null;
}

/** Everything shared across pieces and M̄: the factor of Σ, the draws, the post basis. */
interface RmContext {
  s: HonestSetup;
  alpha: number;
  /** κ = α/10 for the hybrid; 0 for the conditional test (which then has c_LF = ∞). */
  kappa: number;
  conditional: boolean;
  /** SE of lᵀβ̂. */
  se: number;
  /** Σ = L Lᵀ on the grid (n × k). */
  L: Float64Array;
  k: number;
  draws: Float64Array;
  nDraws: number;
  /** Orthonormal basis of {v on the post grid : lᵀv = 0}, n × q. */
  N: Float64Array;
  q: number;
  gridPoints: number;
  tol: number;
  estimate: number;
  /** c_LF by lfKey: shared by the two signs of a piece (and by every piece at M̄ = 0). */
  lf: Map<string, number>;
}

/**
 * The pieces whose least favourable distributions coincide share one c_LF. A_{s,−} = −Π A_{s,+}
 * (Π swaps the rows of each ± pair) and X̃_{s,−} = −Π X̃_{s,+}, so η_{s,−}(ξ) = η_{s,+}(−ξ), which has
 * the same law as ξ ~ N(0, Σ) is symmetric; at M̄ = 0 every piece has the same rows ±D_t.
 */
function lfKey(piece: { s: number }, mbar: number): string {
  return mbar === 0 ? 'all' : `${piece.s}|${mbar}`;
}

function lfCritical(ctx: RmContext, test: ArpTest, key: string): number {
  if (ctx.conditional) return Number.POSITIVE_INFINITY;
  let c = ctx.lf.get(key);
  if (c === undefined) ctx.lf.set(key, (c = test.lfCritical(ctx.draws, ctx.nDraws, ctx.kappa)));
  return c;
}

/** First difference Δ_k = δ_{k+1} − δ_k as a row on the grid. */
function diffRow(s: HonestSetup, k: number): Float64Array {
  const d = new Float64Array(s.betaGrid.length);
  d[at(s, k + 1)] = 1;
  d[at(s, k)] = -1;
  return d;
}

/**
 * Rows of A_{s,sign}(M̄) on the δ grid that involve post-period coefficients: D_t ∓ M̄ D_s and
 * −D_t ∓ M̄ D_s for t = −1 … e_max − 1 (module comment: the pre-period "Δ_s is the largest" rows are
 * left out of the test).
 */
export function rmPieceRows(s: HonestSetup, piece: { s: number; sign: 1 | -1 }, mbar: number): Float64Array[] {
  const Ds = diffRow(s, piece.s).map((x) => piece.sign * x);
  const rows: Float64Array[] = [];
  for (let t = -1; t < s.eMax; t++) {
    const Dt = diffRow(s, t);
    rows.push(Dt.map((x, i) => x - mbar * Ds[i]!), Dt.map((x, i) => -x - mbar * Ds[i]!));
  }
  return rows;
}

/** A factor L (n × k) with L Lᵀ = Σ on the grid, from its eigen-decomposition (Σ may be singular). */
function covFactor(s: HonestSetup): { L: Float64Array; k: number } {
  const n = s.betaGrid.length;
  const { values, vectors } = symmetricEigen(s.sigmaGrid, n);
  const top = Math.max(values[0]!, 0);
  const keep = Array.from(values, (v, c) => (v > 1e-13 * top ? c : -1)).filter((c) => c >= 0);
  const k = keep.length;
  const L = new Float64Array(n * k);
  keep.forEach((c, j) => {
    const r = Math.sqrt(values[c]!);
    for (let i = 0; i < n; i++) L[i * k + j] = vectors[i * n + c]! * r;
  });
  return { L, k };
}

/** Orthonormal basis of the post-grid vectors orthogonal to l (Gram–Schmidt on unit vectors). */
function postBasis(s: HonestSetup): { N: Float64Array; q: number } {
  const n = s.betaGrid.length;
  const lNorm = Math.sqrt(dot(s.lGrid, s.lGrid));
  const basis: Float64Array[] = [Float64Array.from(s.lGrid, (x) => x / lNorm)];
  for (let e = 0; e <= s.eMax && basis.length < s.nPost; e++) {
    const u = new Float64Array(n);
    u[at(s, e)] = 1;
    for (const b of basis) {
      const d = dot(u, b);
      for (let i = 0; i < n; i++) u[i] = u[i]! - d * b[i]!;
    }
    const nrm = Math.sqrt(dot(u, u));
    if (nrm > 1e-8) basis.push(u.map((x) => x / nrm));
  }
  const q = basis.length - 1;
  const N = new Float64Array(n * q);
  for (let j = 0; j < q; j++) for (let i = 0; i < n; i++) N[i * q + j] = basis[j + 1]![i]!;
  return { N, q };
}

/** Prepare the shared context: factor of Σ, post basis, seeded standard-normal draws. */
function rmContext(s: HonestSetup, opts: RmHybridOptions): RmContext {
  const alpha = 1 - opts.level;
  const { L, k } = covFactor(s);
  const { N, q } = postBasis(s);
  const conditional = opts.test === 'conditional';
  const nDraws = conditional ? 0 : (opts.draws ?? RM_HYBRID_DEFAULTS.draws);
  const rng = new Rng(opts.seed).stream(RM_HYBRID_DEFAULTS.stream);
  const draws = new Float64Array(nDraws * k);
  for (let i = 0; i < draws.length; i++) draws[i] = rng.normal();
  const se = Math.sqrt(quad(s, s.lGrid));
  const kappa = conditional ? 0 : RM_HYBRID_DEFAULTS.kappaShare * alpha;
  return { s, alpha, kappa, conditional, se, L, k, draws, nDraws, N, q, gridPoints: opts.gridPoints ?? RM_HYBRID_DEFAULTS.gridPoints, tol: 1e-6 * se, estimate: dot(s.lGrid, s.betaGrid), lf: new Map() };
}

/** Y(θ̄) = Aβ̂ − a θ̄ and the ARP moment problem of one piece. */
function pieceProblem(ctx: RmContext, rows: Float64Array[]): { test: ArpTest; Abeta: Float64Array; a: Float64Array } {
  const { s, L, k, N, q } = ctx;
  const n = s.betaGrid.length;
  const m = rows.length;
  const l2 = dot(s.lGrid, s.lGrid);
  const Abeta = Float64Array.from(rows, (r) => dot(r, s.betaGrid));
  const a = Float64Array.from(rows, (r) => dot(r, s.lGrid) / l2);
  const X = new Float64Array(m * q);
  const F = new Float64Array(m * k);
  const SigmaY = new Float64Array(m * m);
  rows.forEach((r, j) => {
    for (let i = 0; i < n; i++) {
      if (r[i] === 0) continue;
      for (let c = 0; c < q; c++) X[j * q + c] = X[j * q + c]! + r[i]! * N[i * q + c]!;
      for (let c = 0; c < k; c++) F[j * k + c] = F[j * k + c]! + r[i]! * L[i * k + c]!;
    }
  });
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    let v = 0;
    for (let c = 0; c < k; c++) v += F[i * k + c]! * F[j * k + c]!;
    SigmaY[i * m + j] = v;
  }
  const prob: MomentProblem = { m, q, X, SigmaY, F, k };
  return { test: new ArpTest(prob), Abeta, a };
}

interface PieceSet {
  lfCritical: number;
  /** null when the piece's set is empty. */
  set: { lower: number; upper: number; convex: boolean } | null;
}

/** Invert the hybrid test of one piece over θ̄ (grid inside the LF interval, bisection at the ends). */
/**
 * The conditional test has no first stage to bound its set, so search from the identified set
 * widened by 20 SE on each side (HonestDiD's default grid is ±20 SE), doubling the margin until
 * both ends are rejected. @throws EstimationError when the set is still open at 2⁸ × that margin
 */
function conditionalRange(ctx: RmContext, accepts: (th: number) => boolean, mbar: number): [number, number] {
  const [idLo, idHi] = rmIdentifiedSet(ctx.s, mbar);
  for (let w = 20 * ctx.se, i = 0; i < 8; i++, w *= 2) {
    const lo = Math.min(idLo, ctx.estimate) - w;
    const hi = Math.max(idHi, ctx.estimate) + w;
    if (!accepts(lo) && !accepts(hi)) return [lo, hi];
  }
  throw new EstimationError('HONEST_UNBOUNDED_SET', `the conditional test accepts θ more than ${(20 * 2 ** 7).toFixed(0)} standard errors beyond the identified set at M̄ = ${mbar}: the set looks unbounded; use the default hybrid test`, { mbar });
}

function pieceSet(ctx: RmContext, rows: Float64Array[], key: string, mbar: number): PieceSet {
  const { test, Abeta, a } = pieceProblem(ctx, rows);
  const cLF = lfCritical(ctx, test, key);
  const accepts = (th: number) => !test.hybrid(Abeta.map((y, j) => y - a[j]! * th), cLF, ctx.alpha, ctx.kappa).reject;
  const iv = ctx.conditional ? conditionalRange(ctx, accepts, mbar) : test.lfInterval(Abeta, a, cLF);
  if (!iv) return { lfCritical: cLF, set: null };
  const [lo, hi] = iv;
  const G = ctx.gridPoints;
  const thetas = hi - lo <= ctx.tol ? [lo, hi] : Array.from({ length: G }, (_, i) => lo + ((hi - lo) * i) / (G - 1));
  if (ctx.estimate > lo && ctx.estimate < hi) {
    thetas.push(ctx.estimate);
    thetas.sort((x, y) => x - y);
  }
  const acc = thetas.map(accepts);
  const first = acc.indexOf(true);
  if (first < 0) return { lfCritical: cLF, set: null };
  const last = acc.lastIndexOf(true);
  const refine = (inside: number, outside: number) => {
    let [x, y] = [inside, outside];
    while (Math.abs(y - x) > ctx.tol) {
      const mid = (x + y) / 2;
      if (accepts(mid)) x = mid;
      else y = mid;
    }
    return x;
  };
  const lower = first === 0 ? thetas[0]! : refine(thetas[first]!, thetas[first - 1]!);
  const upper = last === thetas.length - 1 ? thetas[last]! : refine(thetas[last]!, thetas[last + 1]!);
  return { lfCritical: cLF, set: { lower, upper, convex: acc.slice(first, last + 1).every(Boolean) } };
}

/** The pieces (s, sign) of Δ^RM: every pre-period first difference, both signs. */
function pieces(s: HonestSetup): { s: number; sign: 1 | -1 }[] {
  const out: { s: number; sign: 1 | -1 }[] = [];
  for (let k = s.eMin; k <= -2; k++) out.push({ s: k, sign: 1 }, { s: k, sign: -1 });
  return out;
}

/** One row: the union (hull) of the pieces' confidence sets at M̄. */
function rmRow(ctx: RmContext, mbar: number): RmHybridRow {
  const all = pieces(ctx.s).map((pc) => ({ pc, res: pieceSet(ctx, rmPieceRows(ctx.s, pc, mbar), lfKey(pc, mbar), mbar) }));
  const sets = all.flatMap((x) => (x.res.set ? [x.res.set] : []));
  if (sets.length === 0) {
    throw new EstimationError('HONEST_EMPTY_SET', `the ARP ${ctx.conditional ? 'conditional' : 'hybrid'} test rejected every θ under relative magnitudes at M̄ = ${mbar}, which should not happen (the estimate itself satisfies the restriction); please report this with the event-study coefficients and covariance`, { mbar });
  }
  sets.sort((x, y) => x.lower - y.lower);
  let reach = sets[0]!.upper;
  let convex = sets.every((x) => x.convex);
  for (const x of sets.slice(1)) {
    if (x.lower > reach) convex = false;
    reach = Math.max(reach, x.upper);
  }
  const detail = all.map(({ pc, res }) => ({ s: pc.s, sign: pc.sign, lfCritical: ctx.conditional ? null : res.lfCritical, lower: res.set?.lower ?? null, upper: res.set?.upper ?? null }));
  return { mbar, lower: sets[0]!.lower, upper: reach, identifiedSet: rmIdentifiedSet(ctx.s, mbar), convex, pieces: detail };
}

/** Largest M̄ below which every hull excludes 0: bracket from the grid rows (doubling beyond), then bisect. */
function rmBreakdown(ctx: RmContext, rows: RmHybridRow[], rowAt: (mbar: number) => RmHybridRow): { value: number | null; tolerance: number | null } {
  const covers = (r: RmHybridRow) => r.lower <= 0 && r.upper >= 0;
  const zero = rows.find((r) => r.mbar === 0) ?? rowAt(0);
  if (covers(zero)) return { value: null, tolerance: null };
  let lo = 0;
  let hi = Number.NaN;
  for (const r of [...rows].sort((x, y) => x.mbar - y.mbar)) {
    if (covers(r)) {
      hi = r.mbar;
      break;
    }
    lo = Math.max(lo, r.mbar);
  }
  if (Number.isNaN(hi)) {
    let x = Math.max(lo, 0.125);
    while (!covers(rowAt(x * 2)) && x * 2 < RM_HYBRID_DEFAULTS.maxMbar) x *= 2;
    lo = Math.max(lo, x);
    hi = x * 2;
    if (hi >= RM_HYBRID_DEFAULTS.maxMbar && !covers(rowAt(hi))) return { value: hi, tolerance: null };
  }
  const tolerance = Math.max(1e-3 * hi, 1e-6);
  while (hi - lo > tolerance) {
    const mid = (lo + hi) / 2;
    if (covers(rowAt(mid))) hi = mid;
    else lo = mid;
  }
  return { value: lo, tolerance: hi - lo };
}

/**
 * The hybrid test of H0: θ = θ̄ under Δ^RM(M̄) as a function of β̂ (on the setup's grid), for Monte
 * Carlo: A, X̃, Σ_Y and c_LF of every piece depend on Σ only, so they are computed once.
 * Returns true when H0 is rejected, i.e. when every piece rejects (θ̄ outside the union).
 */
export function rmHybridTester(s: HonestSetup, mbar: number, opts: RmHybridOptions): (betaGrid: ArrayLike<number>, theta: number) => boolean {
  const ctx = rmContext(s, opts);
  const parts = pieces(s).map((pc) => {
    const rows = rmPieceRows(s, pc, mbar);
    const { test, a } = pieceProblem(ctx, rows);
    return { rows, test, a, cLF: lfCritical(ctx, test, lfKey(pc, mbar)) };
  });
  return (beta, theta) => parts.every(({ rows, test, a, cLF }) => test.hybrid(rows.map((r, j) => dot(r, beta) - a[j]! * theta), cLF, ctx.alpha, ctx.kappa).reject);
}

/** ARP hybrid robust confidence sets under Δ^RM(M̄) over a grid of M̄, and the breakdown M̄. */
export function rmHybrid(s: HonestSetup, grid: number[], opts: RmHybridOptions): RmHybridResult {
  const ctx = rmContext(s, opts);
  const cache = new Map<number, RmHybridRow>();
  const rowAt = (mbar: number) => {
    let r = cache.get(mbar);
    if (!r) cache.set(mbar, (r = rmRow(ctx, mbar)));
    return r;
  };
  const rows = grid.map(rowAt);
  const bd = opts.breakdown === false ? { value: null, tolerance: null } : rmBreakdown(ctx, rows, rowAt);
  const m = Math.max(...preDiffs(s).map((w) => Math.abs(dot(w, s.betaGrid))));
  return {
    method: ctx.conditional ? 'arp-conditional' : 'arp-hybrid',
    kappa: ctx.kappa,
    lfDraws: ctx.nDraws,
    seed: opts.seed,
    lfStream: RM_HYBRID_DEFAULTS.stream,
    gridPoints: ctx.gridPoints,
    tolerance: ctx.tol,
    maxPreDiff: m,
    slope: rmSlope(s),
    rows,
    breakdown: bd.value,
    breakdownTolerance: bd.tolerance,
  };
}
