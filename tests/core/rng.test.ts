import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';

describe('Rng', () => {
  it('is deterministic in its seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xa);
  });

  it('streams depend only on (seed, index), not on draws made before', () => {
    const a = new Rng(7);
    const s1 = a.stream(3).uniform();
    a.uniform();
    a.normal();
    expect(a.stream(3).uniform()).toBe(s1);
    expect(a.stream(4).uniform()).not.toBe(s1);
  });

  it('uniform and normal have the right first two moments (n = 200,000; 5 Monte Carlo SEs)', () => {
    const r = new Rng(1);
    const n = 200_000;
    let su = 0, su2 = 0, sz = 0, sz2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      su += u; su2 += u * u;
      const z = r.normal();
      sz += z; sz2 += z * z;
    }
    expect(Math.abs(su / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(su2 / n - 1 / 3)).toBeLessThan(5 * Math.sqrt(4 / 45 / n));
    expect(Math.abs(sz / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sz2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('int(n) is uniform over 0..n-1 (chi-square, 10 cells)', () => {
    const r = new Rng(9);
    const counts = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[r.int(10)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88); // χ²₉ 0.999 quantile
  });

  it('shuffle returns a permutation', () => {
    const r = new Rng(5);
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const s = r.shuffle(xs);
    expect([...s].sort((a, b) => a - b)).toEqual(xs);
    expect(s).not.toEqual(xs);
  });
});
