/**
 * The weight-range LPs (HiGHS) against brute force: on a tiny problem the optimum of a linear
 * objective over {w ≥ 0 : A w = b} is attained at a basic feasible solution, so enumerating every
 * choice of m columns, solving B w_B = b and keeping the non-negative solutions gives the exact
 * minimum and maximum.
 */
import { describe, expect, it } from 'vitest';
import { loadHighs, solveEqualityLp } from '../../src/estimators/micro/range.js';
import { Rng } from '../../src/core/rng.js';

function solveSquare(M: number[][], b: number[]): number[] | null {
  const m = b.length;
  const A = M.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    if (Math.abs(A[piv]![c]!) < 1e-12) return null;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k <= m; k++) A[r]![k] = A[r]![k]! - f * A[c]![k]!;
    }
  }
  return A.map((r, i) => r[m]! / r[i]!);
}

function* combinations(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield acc.slice();
    return;
  }
  for (let i = start; i < n; i++) {
    acc.push(i);
    yield* combinations(n, k, i + 1, acc);
    acc.pop();
  }
}

describe('weight-range linear programmes', () => {
  it('match vertex enumeration on small random problems', async () => {
    const highs = await loadHighs();
    const rng = new Rng(5);
    for (let rep = 0; rep < 6; rep++) {
      const n = 8;
      const m = 3;
      // Columns (1, x1, x2) with x ≥ 0, b a positive combination so the problem is feasible.
      const cols = Array.from({ length: n }, () => [1, Math.round(10 * rng.uniform()), Math.round(10 * rng.uniform())]);
      const w0 = Array.from({ length: n }, () => rng.uniform());
      const b = [0, 1, 2].map((i) => cols.reduce((s, c, j) => s + c[i]! * w0[j]!, 0));
      const cost = Array.from({ length: n }, () => Math.round(20 * rng.uniform()));
      let lo = Infinity;
      let hi = -Infinity;
      for (const S of combinations(n, m)) {
        const B = [0, 1, 2].map((i) => S.map((j) => cols[j]![i]!));
        const x = solveSquare(B, b);
        if (!x || x.some((v) => v < -1e-9)) continue;
        const v = S.reduce((s, j, k) => s + cost[j]! * x[k]!, 0);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const colOf = (j: number, out: Float64Array) => cols[j]!.forEach((v, i) => (out[i] = v));
      const mn = solveEqualityLp(highs, n, m, colOf, Float64Array.from(b), Float64Array.from(cost), false);
      const mx = solveEqualityLp(highs, n, m, colOf, Float64Array.from(b), Float64Array.from(cost), true);
      expect(mn.status).toBe('optimal');
      expect(mx.status).toBe('optimal');
      expect(mn.value!).toBeCloseTo(lo, 6);
      expect(mx.value!).toBeCloseTo(hi, 6);
    }
  });

  it('report infeasibility', async () => {
    const highs = await loadHighs();
    const cols = [[1, 1], [1, 2], [1, 3]];
    const colOf = (j: number, out: Float64Array) => cols[j]!.forEach((v, i) => (out[i] = v));
    // Σw = 1 and Σ w x = 5 with x ≤ 3: impossible.
    const r = solveEqualityLp(highs, 3, 2, colOf, Float64Array.from([1, 5]), Float64Array.from([1, 1, 1]), false);
    expect(r.status).toBe('infeasible');
  });
});
