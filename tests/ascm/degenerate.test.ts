/**
 * Issue 21: ascm on identical or nearly identical series ends quickly — exit 3 naming the cause
 * when every control has the same series, and an answer within seconds when they differ only
 * by rounding (ml-matrix's SVD never returned on that matrix: > 240 s before).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { svd } from '../../src/core/linalg.js';
import { jacobiSvd } from '../../src/core/jacobiSvd.js';
import { Rng } from '../../src/core/rng.js';
import { runCli, tempDir } from '../helpers.js';

/** N units × T months, every unit the same series (+ optional rounding-size noise), 2 treated in the last 12 months. */
function identicalCsv(N: number, T: number, noise: number, seed = 3): string {
  const rng = new Rng(seed);
  const lines = ['unit,period,y,treated'];
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) {
    const p = `${2015 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
    const v = 50 + 10 * Math.sin(t / 2) + 0.3 * t + noise * (rng.uniform() - 0.5);
    lines.push(`U${String(i).padStart(3, '0')},${p},${v},${i < 2 && t >= T - 12 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

describe('ascm on degenerate series', () => {
  const dir = tempDir();
  it('every unit the same series: exit 3 IDENTICAL_CONTROL_SERIES within seconds, naming the count and period', () => {
    const f = join(dir, 'same.csv');
    writeFileSync(f, identicalCsv(60, 48, 0));
    const t0 = Date.now();
    const r = runCli(['scm', f, '--method', 'ascm', '--outcome', 'y']);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('IDENTICAL_CONTROL_SERIES');
    expect(r.error().message).toContain('all 58 control units');
    expect(r.error().message).toContain('before 2018-01');
  });
  it('series that differ only by rounding (1e-4): the default conformal interval finishes (was > 240 s)', () => {
    const f = join(dir, 'near.csv');
    writeFileSync(f, identicalCsv(60, 48, 1e-4));
    const t0 = Date.now();
    const r = runCli(['scm', f, '--method', 'ascm', '--outcome', 'y']);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(Math.abs(r.json().estimate.att)).toBeLessThan(1e-3);
  }, 90_000);
});

describe('jacobiSvd (bounded one-sided Jacobi)', () => {
  const check = (A: Float64Array, n: number, p: number) => {
    const d = jacobiSvd(A, n, p);
    expect(d.converged).toBe(true);
    const k = d.k;
    let err = 0;
    let norm = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) {
      let v = 0;
      for (let q = 0; q < k; q++) v += d.U[i * k + q]! * d.s[q]! * d.V[j * k + q]!;
      err = Math.max(err, Math.abs(v - A[i * p + j]!));
      norm = Math.max(norm, Math.abs(A[i * p + j]!));
    }
    expect(err).toBeLessThan(1e-12 * norm * Math.max(n, p));
    for (let q = 1; q < k; q++) expect(d.s[q]!).toBeLessThanOrEqual(d.s[q - 1]!);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
      let v = 0;
      for (let j = 0; j < p; j++) v += d.V[j * k + a]! * d.V[j * k + b]!;
      expect(Math.abs(v - (a === b ? 1 : 0))).toBeLessThan(1e-12);
    }
    return d;
  };
  it('matches ml-matrix on random tall and wide matrices (singular values to 1e-12 relative) and reconstructs A', () => {
    const rng = new Rng(7);
    for (const [n, p] of [[30, 8], [8, 30], [12, 12]] as const) {
      const A = Float64Array.from({ length: n * p }, () => rng.normal());
      const d = check(A, n, p);
      const ref = svd(A, n, p);
      for (let q = 0; q < Math.min(n, p); q++) expect(Math.abs(d.s[q]! - ref.s[q]!)).toBeLessThan(1e-12 * ref.s[0]!);
    }
  });
  it('returns on the nearly rank-one matrix of centred near-identical series (ml-matrix does not)', () => {
    const rng = new Rng(11);
    const n = 58;
    const p = 48;
    const A = new Float64Array(n * p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) A[i * p + j] = 1e-5 * ((i % 3) - 1) * Math.sin(j / 2) + 1e-12 * rng.normal();
    const d = check(A, n, p);
    expect(d.s[0]!).toBeGreaterThan(1e-4);
  });
});
