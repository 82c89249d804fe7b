/**
 * Absorbing two sets of fixed effects (unit α_i and period γ_t) by alternating
 * projections (the method of alternating projections / Gauss–Seidel on the
 * normal equations of the dummies; Guimarães & Portugal 2010, Gaure 2013).
 *
 * For a column v (length n, one entry per observation) the within transform
 * M_D v removes its weighted projection on the unit and period dummies D. One
 * sweep subtracts the weighted unit means, then the weighted period means; the
 * sweeps repeat until the largest change in a sweep is ≤ tol·(1 + max|v|).
 * On a balanced, unweighted panel one sweep is exact (the second only confirms
 * it); on unbalanced or weighted panels it converges geometrically, and after
 * {@link ACCELERATE_AFTER} sweeps Irons–Tuck acceleration takes over (slowly
 * converging, poorly connected panels).
 */

export interface FeIndex {
  /** Number of observations n. */
  readonly n: number;
  /** Unit index (0..nUnits-1) of each observation. */
  readonly unit: Int32Array;
  /** Period index (0..nPeriods-1) of each observation. */
  readonly period: Int32Array;
  readonly nUnits: number;
  readonly nPeriods: number;
  /** Observation weights (length n, > 0), or null for equal weights. */
  readonly weight: Float64Array | null;
}

export interface DemeanControl {
  maxIter: number;
  tol: number;
}

export interface Convergence {
  converged: boolean;
  /** Largest number of sweeps any column needed. */
  iterations: number;
}

/** Precomputed weighted group totals (Σ w over each unit and each period). */
export interface FeSums {
  unitW: Float64Array;
  periodW: Float64Array;
}

export function feSums(ix: FeIndex): FeSums {
  const unitW = new Float64Array(ix.nUnits);
  const periodW = new Float64Array(ix.nPeriods);
  for (let o = 0; o < ix.n; o++) {
    const w = ix.weight ? ix.weight[o]! : 1;
    unitW[ix.unit[o]!] = unitW[ix.unit[o]!]! + w;
    periodW[ix.period[o]!] = periodW[ix.period[o]!]! + w;
  }
  return { unitW, periodW };
}

/**
 * Demean one column in place: v ← M_D v. Returns the number of sweeps and whether it converged.
 * `scratchU`/`scratchT` are work arrays of length nUnits / nPeriods.
 */
export function demeanInPlace(v: Float64Array, ix: FeIndex, sums: FeSums, ctl: DemeanControl, scratchU: Float64Array, scratchT: Float64Array): { iterations: number; converged: boolean } {
  const { n, unit, period, weight } = ix;
  let scale = 0;
  for (let o = 0; o < n; o++) scale = Math.max(scale, Math.abs(v[o]!));
  const tol = ctl.tol * (1 + scale);
  // One sweep: v −= unit means, then v −= period means. The passes over the observations are
  // fused (subtracting one set of means while summing for the next), which does the same
  // arithmetic in the same order as separate passes: 2–3 passes per sweep instead of 4.
  scratchU.fill(0);
  if (weight) for (let o = 0; o < n; o++) scratchU[unit[o]!] = scratchU[unit[o]!]! + weight[o]! * v[o]!;
  else for (let o = 0; o < n; o++) scratchU[unit[o]!] = scratchU[unit[o]!]! + v[o]!; // 1·v = v exactly
  const limit = Math.min(ctl.maxIter, ACCELERATE_AFTER);
  let it = 1;
  for (; it <= limit; it++) {
    let change = 0;
    // Unit means.
    for (let i = 0; i < scratchU.length; i++) {
      const m = sums.unitW[i]! > 0 ? scratchU[i]! / sums.unitW[i]! : 0;
      scratchU[i] = m;
      change = Math.max(change, Math.abs(m));
    }
    // Subtract them; sum for the period means.
    scratchT.fill(0);
    if (weight) {
      for (let o = 0; o < n; o++) {
        const x = v[o]! - scratchU[unit[o]!]!;
        v[o] = x;
        scratchT[period[o]!] = scratchT[period[o]!]! + weight[o]! * x;
      }
    } else {
      for (let o = 0; o < n; o++) {
        const x = v[o]! - scratchU[unit[o]!]!;
        v[o] = x;
        scratchT[period[o]!] = scratchT[period[o]!]! + x;
      }
    }
    for (let t = 0; t < scratchT.length; t++) {
      const m = sums.periodW[t]! > 0 ? scratchT[t]! / sums.periodW[t]! : 0;
      scratchT[t] = m;
      change = Math.max(change, Math.abs(m));
    }
    if (change <= tol || it === limit) {
      for (let o = 0; o < n; o++) v[o] = v[o]! - scratchT[period[o]!]!;
      if (change <= tol) return { iterations: it, converged: true };
      break;
    }
    // Subtract the period means; sum for the next sweep's unit means.
    scratchU.fill(0);
    if (weight) {
      for (let o = 0; o < n; o++) {
        const x = v[o]! - scratchT[period[o]!]!;
        v[o] = x;
        scratchU[unit[o]!] = scratchU[unit[o]!]! + weight[o]! * x;
      }
    } else {
      for (let o = 0; o < n; o++) {
        const x = v[o]! - scratchT[period[o]!]!;
        v[o] = x;
        scratchU[unit[o]!] = scratchU[unit[o]!]! + x;
      }
    }
  }
  if (it >= ctl.maxIter) return { iterations: ctl.maxIter, converged: false };
  return accelerated(v, ix, sums, ctl, scratchU, scratchT, tol, it);
}

/**
 * Plain sweeps after which a slowly converging column (a poorly connected unbalanced panel)
 * switches to accelerated sweeps. Balanced panels converge in 2 sweeps and typical
 * unbalanced ones in under 10, so their results do not depend on the acceleration.
 */
export const ACCELERATE_AFTER = 25;

/**
 * Irons & Tuck (1969) acceleration of the alternating projections, as used for fixed
 * effects by Berge (2018, fixest): from v₀, two sweeps give v₁ = F(v₀), v₂ = F(v₁), and
 * v ← v₂ − (Δv·Δ²v / Δ²v·Δ²v) Δv with Δv = v₂ − v₁, Δ²v = v₂ − 2v₁ + v₀. F is affine and
 * every iterate is v minus a combination of dummy columns, so the extrapolation stays in that
 * set and the fixed point (M_D v) is unchanged. Convergence is judged, as in the plain
 * sweeps, by the largest mean a sweep removes. `done` sweeps have been made already.
 */
function accelerated(v: Float64Array, ix: FeIndex, sums: FeSums, ctl: DemeanControl, su: Float64Array, st: Float64Array, tol: number, done: number): { iterations: number; converged: boolean } {
  const n = ix.n;
  const v0 = new Float64Array(n);
  const v1 = new Float64Array(n);
  let it = done;
  while (it < ctl.maxIter) {
    v0.set(v);
    it++;
    if (sweep(v, ix, sums, su, st) <= tol) return { iterations: it, converged: true };
    if (it >= ctl.maxIter) break;
    v1.set(v);
    it++;
    if (sweep(v, ix, sums, su, st) <= tol) return { iterations: it, converged: true };
    let num = 0;
    let den = 0;
    for (let o = 0; o < n; o++) {
      const d = v[o]! - v1[o]!;
      const d2 = d - (v1[o]! - v0[o]!);
      num += d * d2;
      den += d2 * d2;
    }
    if (den > 0 && Number.isFinite(num / den)) {
      const a = num / den;
      for (let o = 0; o < n; o++) v[o] = v[o]! - a * (v[o]! - v1[o]!);
    }
  }
  return { iterations: ctl.maxIter, converged: false };
}

/** One plain sweep in place (v −= unit means, then v −= period means); returns the largest mean removed. */
function sweep(v: Float64Array, ix: FeIndex, sums: FeSums, su: Float64Array, st: Float64Array): number {
  const { n, unit, period, weight } = ix;
  let change = 0;
  su.fill(0);
  for (let o = 0; o < n; o++) su[unit[o]!] = su[unit[o]!]! + (weight ? weight[o]! : 1) * v[o]!;
  for (let i = 0; i < su.length; i++) {
    const m = sums.unitW[i]! > 0 ? su[i]! / sums.unitW[i]! : 0;
    su[i] = m;
    change = Math.max(change, Math.abs(m));
  }
  st.fill(0);
  for (let o = 0; o < n; o++) {
    const x = v[o]! - su[unit[o]!]!;
    v[o] = x;
    st[period[o]!] = st[period[o]!]! + (weight ? weight[o]! : 1) * x;
  }
  for (let t = 0; t < st.length; t++) {
    const m = sums.periodW[t]! > 0 ? st[t]! / sums.periodW[t]! : 0;
    st[t] = m;
    change = Math.max(change, Math.abs(m));
  }
  for (let o = 0; o < n; o++) v[o] = v[o]! - st[period[o]!]!;
  return change;
}

/** Demean several columns (each length n); returns new arrays and the worst convergence. */
export function demeanColumns(cols: readonly Float64Array[], ix: FeIndex, ctl: DemeanControl, sums: FeSums = feSums(ix)): { cols: Float64Array[]; convergence: Convergence } {
  const su = new Float64Array(ix.nUnits);
  const st = new Float64Array(ix.nPeriods);
  let iterations = 0;
  let converged = true;
  const out = cols.map((c) => {
    const v = Float64Array.from(c);
    const r = demeanInPlace(v, ix, sums, ctl, su, st);
    iterations = Math.max(iterations, r.iterations);
    converged &&= r.converged;
    return v;
  });
  return { cols: out, convergence: { converged, iterations } };
}

/** Demean several columns in place (same arithmetic as {@link demeanColumns}, no copies); returns the worst convergence. */
export function demeanColumnsInPlace(cols: readonly Float64Array[], ix: FeIndex, ctl: DemeanControl, sums: FeSums = feSums(ix)): Convergence {
  const su = new Float64Array(ix.nUnits);
  const st = new Float64Array(ix.nPeriods);
  let iterations = 0;
  let converged = true;
  for (const v of cols) {
    const r = demeanInPlace(v, ix, sums, ctl, su, st);
    iterations = Math.max(iterations, r.iterations);
    converged &&= r.converged;
  }
  return { converged, iterations };
}
