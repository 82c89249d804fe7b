/**
 * A small dense simplex for linear programmes in standard form
 *
 *     maximise  yᵀγ   subject to  B γ = b,  γ ≥ 0,          B: p × m (p ≤ ~15, m ≤ ~100),
 *
 * written for the dual linear programmes of the Andrews–Roth–Pakes (2023) moment-inequality test
 * (honestArp.ts): there the feasible set {γ ≥ 0 : X̃ᵀγ = 0, wᵀγ = c} stays fixed while the
 * objective y changes (one per Monte Carlo draw or per θ̄ of a grid), so the solver keeps its last
 * optimal basis and re-optimises from it (a warm start: phase 2 only, usually a few pivots).
 *
 * Method. Two-phase tableau simplex (e.g. Bertsimas & Tsitsiklis 1997, §3.5):
 *  - rows of (B, b) are scaled to max |B_ij| = 1 and flipped so b ≥ 0;
 *  - phase 1 minimises the sum of p artificial variables; a positive optimum means infeasible;
 *    artificials left basic at zero are pivoted out, or their row is dropped as redundant;
 *  - phase 2: Dantzig's largest reduced cost, switching to Bland's smallest-index rule after a run
 *    of degenerate pivots (the dual programmes here are highly degenerate: b is mostly 0), which
 *    guarantees termination;
 *  - the tableau is rebuilt from the basis by Gaussian elimination with partial pivoting every
 *    REFACTOR pivots, so error does not accumulate over thousands of warm starts.
 * Tolerances are relative: pivots |T_ij| > 1e-9 (rows scaled to 1), reduced costs > 1e-10·max|y|.
 */

import { EstimationError } from '../../core/errors.js';

const PIVOT_TOL = 1e-9;
const COST_TOL = 1e-10;
const REFACTOR = 64;
const MAX_PIVOTS = 5000;

export type LpStatus = 'optimal' | 'unbounded';

export interface LpSolution {
  status: LpStatus;
  /** yᵀγ at the optimum (+∞ when unbounded). */
  value: number;
  /** The optimal basic solution (length m). */
  gamma: Float64Array;
}

/** The feasible set {γ ≥ 0 : Bγ = b} with a feasible basis, ready to maximise any objective over it. */
export class StandardLp {
  readonly m: number;
  /** Rows kept after phase 1 (redundant rows dropped), scaled and sign-flipped. */
  private rows: Float64Array[] = [];
  private rhs: number[] = [];
  /** Tableau B_β⁻¹[B | b], one row per kept row; basis[i] is the column basic in row i. */
  private T: Float64Array[] = [];
  private basis: number[] = [];
  private pivotsSinceRefactor = 0;
  /** False when {γ ≥ 0 : Bγ = b} is empty. */
  readonly feasible: boolean;

  /**
   * @param B - p × m row-major.
   * @param p - number of equality constraints.
   * @param m - number of variables.
   * @param b - right-hand side (length p).
   */
  constructor(B: ArrayLike<number>, p: number, m: number, b: ArrayLike<number>) {
    this.m = m;
    const rows: Float64Array[] = [];
    const rhs: number[] = [];
    for (let i = 0; i < p; i++) {
      const row = Float64Array.from({ length: m }, (_, j) => B[i * m + j]!);
      let scale = 0;
      for (let j = 0; j < m; j++) scale = Math.max(scale, Math.abs(row[j]!));
      let bi = b[i]!;
      if (scale === 0) {
        if (Math.abs(bi) > 0) {
          this.feasible = false;
          return;
        }
        continue; // 0 = 0
      }
      const f = (bi < 0 ? -1 : 1) / scale;
      for (let j = 0; j < m; j++) row[j] = row[j]! * f;
      bi *= f;
      rows.push(row);
      rhs.push(bi);
    }
    this.feasible = this.phaseOne(rows, rhs);
  }

  /** Phase 1 with artificial columns m … m+p−1. Leaves a feasible basis of structural columns. */
  private phaseOne(rows: Float64Array[], rhs: number[]): boolean {
    const p = rows.length;
    const m = this.m;
    const width = m + p;
    const T = rows.map((r, i) => {
      const t = new Float64Array(width + 1);
      t.set(r, 0);
      t[m + i] = 1;
      t[width] = rhs[i]!;
      return t;
    });
    const basis = Array.from({ length: p }, (_, i) => m + i);
    // Maximise −Σ artificials.
    const cost = new Float64Array(width);
    for (let i = 0; i < p; i++) cost[m + i] = -1;
    const st = optimise(T, basis, cost, width);
    if (st.status !== 'optimal') return false;
    let infeas = 0;
    for (let i = 0; i < p; i++) if (basis[i]! >= m) infeas += T[i]![width]!;
    const bScale = Math.max(1, ...rhs.map(Math.abs));
    if (infeas > 1e-9 * bScale) return false;
    // Drive artificials out of the basis; a row with no structural pivot is redundant.
    const keep: number[] = [];
    for (let i = 0; i < p; i++) {
      if (basis[i]! < m) {
        keep.push(i);
        continue;
      }
      let jBest = -1;
      let best = PIVOT_TOL;
      for (let j = 0; j < m; j++) {
        const a = Math.abs(T[i]![j]!);
        if (a > best && !basis.includes(j)) [best, jBest] = [a, j];
      }
      if (jBest < 0) continue;
      pivot(T, basis, i, jBest, width);
      keep.push(i);
    }
    this.rows = keep.map((i) => rows[i]!);
    this.rhs = keep.map((i) => rhs[i]!);
    this.basis = keep.map((i) => basis[i]!);
    this.refactor();
    return true;
  }

  /** Rebuild the tableau B_β⁻¹[B | b] from the original rows and the current basis. */
  private refactor(): void {
    const p = this.rows.length;
    const m = this.m;
    const M = this.rows.map((r, i) => {
      const t = new Float64Array(m + 1);
      t.set(r, 0);
      t[m] = this.rhs[i]!;
      return t;
    });
    // Gauss–Jordan on the basis columns with partial pivoting; row k ends with basis[k] as unit column.
    const cols = this.basis.slice();
    const used = new Array<boolean>(p).fill(false);
    const order = new Array<number>(p);
    for (let k = 0; k < p; k++) {
      const j = cols[k]!;
      let r = -1;
      let best = 0;
      for (let i = 0; i < p; i++) if (!used[i] && Math.abs(M[i]![j]!) > best) [best, r] = [Math.abs(M[i]![j]!), i];
      if (r < 0 || best < 1e-14) throw new EstimationError('HONEST_LP_FAILED', 'internal linear programme: the basis became singular on refactorisation; please report this with the event-study coefficients and covariance', {});
      used[r] = true;
      order[k] = r;
      const piv = M[r]!;
      const inv = 1 / piv[j]!;
      for (let c = 0; c <= m; c++) piv[c] = piv[c]! * inv;
      for (let i = 0; i < p; i++) {
        if (i === r) continue;
        const f = M[i]![j]!;
        if (f === 0) continue;
        const row = M[i]!;
        for (let c = 0; c <= m; c++) row[c] = row[c]! - f * piv[c]!;
      }
    }
    this.T = order.map((r) => M[r]!);
    for (const t of this.T) if (t[m]! < 0 && t[m]! > -1e-9) t[m] = 0;
    this.pivotsSinceRefactor = 0;
  }

  /** Maximise yᵀγ over the feasible set, warm-started from the last optimal basis. */
  maximise(y: ArrayLike<number>): LpSolution {
    if (!this.feasible) throw new EstimationError('HONEST_LP_FAILED', 'internal linear programme: maximise called on an infeasible programme', {});
    const m = this.m;
    if (this.pivotsSinceRefactor > REFACTOR) this.refactor();
    const cost = new Float64Array(m);
    for (let j = 0; j < m; j++) cost[j] = y[j]!;
    const st = optimise(this.T, this.basis, cost, m);
    this.pivotsSinceRefactor += st.pivots;
    const gamma = new Float64Array(m);
    let value = 0;
    for (let i = 0; i < this.basis.length; i++) {
      const j = this.basis[i]!;
      const v = Math.max(0, this.T[i]![m]!);
      gamma[j] = v;
      value += cost[j]! * v;
    }
    if (st.status === 'unbounded') return { status: 'unbounded', value: Number.POSITIVE_INFINITY, gamma };
    return { status: 'optimal', value, gamma };
  }
}

/** Pivot the tableau on (r, j): column j enters the basis in row r. */
function pivot(T: Float64Array[], basis: number[], r: number, j: number, width: number): void {
  const piv = T[r]!;
  const inv = 1 / piv[j]!;
  for (let c = 0; c <= width; c++) piv[c] = piv[c]! * inv;
  piv[j] = 1;
  for (let i = 0; i < T.length; i++) {
    if (i === r) continue;
    const row = T[i]!;
    const f = row[j]!;
    if (f === 0) continue;
    for (let c = 0; c <= width; c++) row[c] = row[c]! - f * piv[c]!;
    row[j] = 0;
  }
  basis[r] = j;
}

/** Primal simplex from a feasible basis: maximise costᵀx over the columns 0…width−1 of the tableau. */
function optimise(T: Float64Array[], basis: number[], cost: Float64Array, width: number): { status: LpStatus; pivots: number } {
  const p = T.length;
  let cScale = 0;
  for (let j = 0; j < width; j++) cScale = Math.max(cScale, Math.abs(cost[j]!));
  const tol = COST_TOL * (cScale || 1);
  const d = new Float64Array(width);
  const inBasis = new Uint8Array(width);
  let degenerateRun = 0;
  let pivots = 0;
  for (;;) {
    inBasis.fill(0);
    for (const j of basis) inBasis[j] = 1;
    // Reduced costs d_j = c_j − c_βᵀ T_·j.
    let enter = -1;
    let dBest = tol;
    const bland = degenerateRun > 20;
    for (let j = 0; j < width; j++) {
      if (inBasis[j]) continue;
      let v = cost[j]!;
      for (let i = 0; i < p; i++) v -= cost[basis[i]!]! * T[i]![j]!;
      d[j] = v;
      if (v > dBest) {
        enter = j;
        if (bland) break;
        dBest = v;
      }
    }
    if (enter < 0) return { status: 'optimal', pivots };
    // Ratio test (ties: smallest basic index, Bland).
    let r = -1;
    let ratio = Number.POSITIVE_INFINITY;
    for (let i = 0; i < p; i++) {
      const a = T[i]![enter]!;
      if (a <= PIVOT_TOL) continue;
      const q = Math.max(0, T[i]![width]!) / a;
      if (q < ratio - 1e-15 || (Math.abs(q - ratio) <= 1e-15 && basis[i]! < basis[r]!)) [ratio, r] = [q, i];
    }
    if (r < 0) return { status: 'unbounded', pivots };
    degenerateRun = ratio === 0 ? degenerateRun + 1 : 0;
    pivot(T, basis, r, enter, width);
    if (++pivots > MAX_PIVOTS) throw new EstimationError('HONEST_LP_FAILED', `internal linear programme: no optimum after ${MAX_PIVOTS} pivots; please report this with the event-study coefficients and covariance`, {});
  }
}
