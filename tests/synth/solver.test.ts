/**
 * The simplex weight solver: exact optimality (KKT) of outcome-only weights, agreement
 * with brute-force enumeration on small problems, and the factor form vs the Gram form.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { lstsq } from '../../src/core/linalg.js';
import { panelDesign, readPanel } from '../../src/core/panel.js';
import { fitOutcomeOnly, outcomeGram } from '../../src/estimators/synth/fit.js';
import { simplexLS, simplexQP } from '../../src/estimators/synth/simplex.js';
import { FIXTURE, dataset, expectClose, hasShared } from '../helpers.js';

/** Independent KKT check from the raw data (not the solver's own report): ½‖X₁ − X₀w‖² over the pre-period. */
function kktFromData(y: Float64Array, T: number, target: number, donors: readonly number[], w: Float64Array, start: number) {
  const r = new Float64Array(start);
  for (let t = 0; t < start; t++) {
    let s = y[target * T + t]!;
    donors.forEach((j, a) => (s -= w[a]! * y[j * T + t]!));
    r[t] = s;
  }
  // g_j = −X₀ⱼᵀ r ; scale = max_j ‖X₀ⱼ − m‖² with m the donor mean (the centring the solver uses)
  const g = donors.map((j) => { let s = 0; for (let t = 0; t < start; t++) s -= y[j * T + t]! * r[t]!; return s; });
  let lambda = 0;
  donors.forEach((_, a) => (lambda += w[a]! * g[a]!));
  let stat = 0;
  let dual = 0;
  donors.forEach((_, a) => {
    if (w[a]! > 0) stat = Math.max(stat, Math.abs(g[a]! - lambda));
    else dual = Math.max(dual, lambda - g[a]!);
  });
  let sum = 0;
  let minW = Infinity;
  for (const x of w) { sum += x; minW = Math.min(minW, x); }
  return { stat, dual, sum, minW };
}

describe('simplex solver', () => {
  it('outcome-only weights on the fixture satisfy the KKT conditions to 1e-8 for every treated unit', () => {
    const p = readPanel(FIXTURE, { outcome: 'violence_rate' });
    const d = panelDesign(p);
    const T = p.periods.length;
    const gram = outcomeGram(p, d.firstStart, [...d.controlUnits, ...d.treatedUnits], d.controlUnits);
    let worst = 0;
    for (const i of d.treatedUnits) {
      const f = fitOutcomeOnly(p, gram, i, d.controlUnits, d.startIndex[i]!);
      expect(f.solver.converged).toBe(true);
      // Solver's own residuals, relative to max diag H.
      worst = Math.max(worst, f.solver.kkt.stationarity, f.solver.kkt.dual, f.solver.kkt.sum, f.solver.kkt.negativity);
      // Recomputed from the raw (uncentred) data: gradient of ½‖X₁ − X₀w‖², relative to the same scale.
      const k = kktFromData(p.y, T, i, d.controlUnits, f.w, d.startIndex[i]!);
      expect(k.stat / f.solver.kkt.scale).toBeLessThanOrEqual(1e-8);
      expect(k.dual / f.solver.kkt.scale).toBeLessThanOrEqual(1e-8);
      expect(Math.abs(k.sum - 1)).toBeLessThanOrEqual(1e-12);
      expect(k.minW).toBeGreaterThanOrEqual(0);
    }
    console.log(`fixture outcome-only KKT: largest residual ${worst}`);
    expect(worst).toBeLessThanOrEqual(1e-8);
  });

  it.skipIf(!hasShared)('outcome-only weights for California (Prop 99, 38 donors, 19 pre-years) satisfy KKT to 1e-8', () => {
    const p = readPanel(dataset('prop99'), { outcome: 'cigsale' });
    const d = panelDesign(p);
    const ca = d.treatedUnits[0]!;
    const gram = outcomeGram(p, d.startIndex[ca]!, [...d.controlUnits, ca], d.controlUnits);
    const f = fitOutcomeOnly(p, gram, ca, d.controlUnits, d.startIndex[ca]!);
    const k = kktFromData(p.y, p.periods.length, ca, d.controlUnits, f.w, d.startIndex[ca]!);
    console.log(`Prop 99 outcome-only KKT: stationarity ${k.stat / f.solver.kkt.scale}, dual ${k.dual / f.solver.kkt.scale}`);
    expect(k.stat / f.solver.kkt.scale).toBeLessThanOrEqual(1e-8);
    expect(k.dual / f.solver.kkt.scale).toBeLessThanOrEqual(1e-8);
  });

  it('matches brute-force enumeration of supports on random small problems (objective to 1e-10 relative: both are exact up to rounding)', () => {
    const rng = new Rng(11);
    for (let rep = 0; rep < 40; rep++) {
      const k = 3 + rng.int(4);
      const J = 2 + rng.int(4);
      const A = Float64Array.from({ length: k * J }, () => rng.normal());
      const b = Float64Array.from({ length: k }, () => 2 * rng.normal());
      const res = simplexLS(A, k, J, b);
      const f = (w: ArrayLike<number>) => {
        let s = 0;
        for (let p = 0; p < k; p++) { let r = b[p]!; for (let j = 0; j < J; j++) r -= A[p * J + j]! * w[j]!; s += r * r; }
        return 0.5 * s;
      };
      // Brute force, independent of the solver: for every support S, the equality-constrained least squares
      // on S by QR (w = e_r + Σ_a y_a (e_a − e_r)); keep it when it is feasible (w ≥ 0).
      let best = Infinity;
      for (let mask = 1; mask < 1 << J; mask++) {
        const S = [...Array(J).keys()].filter((j) => mask & (1 << j));
        const r = S[0]!;
        const m = S.length - 1;
        const w = new Float64Array(J);
        if (m === 0) w[r] = 1;
        else {
          if (k < m) continue;
          const Z = new Float64Array(k * m);
          const rhs = new Float64Array(k);
          for (let p = 0; p < k; p++) {
            rhs[p] = b[p]! - A[p * J + r]!;
            for (let a2 = 0; a2 < m; a2++) Z[p * m + a2] = A[p * J + S[a2 + 1]!]! - A[p * J + r]!;
          }
          let y: Float64Array;
          try { y = lstsq(Z, k, m, rhs).beta; } catch { continue; }
          let sy = 0;
          for (let a2 = 0; a2 < m; a2++) { w[S[a2 + 1]!] = y[a2]!; sy += y[a2]!; }
          w[r] = 1 - sy;
          if (S.some((j) => w[j]! < -1e-12)) continue;
        }
        best = Math.min(best, f(w));
      }
      // And vertices/edges directly (independent of the solver): exact 1-D minimisation on each edge.
      for (let i = 0; i < J; i++) for (let j = i + 1; j < J; j++) {
        let num = 0;
        let den = 0;
        for (let p = 0; p < k; p++) { const d = A[p * J + i]! - A[p * J + j]!; const r = b[p]! - A[p * J + j]!; num += d * r; den += d * d; }
        const a = Math.min(1, Math.max(0, den > 0 ? num / den : 0));
        const w = new Float64Array(J);
        w[i] = a;
        w[j] = 1 - a;
        best = Math.min(best, f(w));
      }
      expect(f(res.w)).toBeLessThanOrEqual(best * (1 + 1e-10) + 1e-12);
      expect(res.converged).toBe(true);
    }
  });

  it('the factor form (AᵀA implicit) and the Gram form give the same weights', () => {
    const rng = new Rng(5);
    const k = 12;
    const J = 30;
    const A = Float64Array.from({ length: k * J }, () => rng.normal());
    const b = Float64Array.from({ length: k }, () => rng.normal());
    const G = new Float64Array(J * J);
    const c = new Float64Array(J);
    for (let a = 0; a < J; a++) {
      for (let p = 0; p < k; p++) c[a] = c[a]! + A[p * J + a]! * b[p]!;
      for (let bb = 0; bb < J; bb++) for (let p = 0; p < k; p++) G[a * J + bb] = G[a * J + bb]! + A[p * J + a]! * A[p * J + bb]!;
    }
    const r1 = simplexLS(A, k, J, b);
    const r2 = simplexQP(G, J, Int32Array.from({ length: J }, (_, a) => a), c);
    for (let a = 0; a < J; a++) expectClose(r1.w[a]!, r2.w[a]!, { atol: 1e-10 }, `w[${a}]`);
  });
});
