/**
 * Calibration weights: exact balance, the raking optimality condition, invariances (row order,
 * unit relabelling, covariate scaling), the zero-target presolve, and the infeasible fallback.
 */
import { describe, expect, it } from 'vitest';
import { micro, type MicroData } from '../../src/estimators/micro/index.js';
import { Rng } from '../../src/core/rng.js';
import { BASE, SMALL, permuteUnits, simData } from './helpers.js';

type Doc = Awaited<ReturnType<typeof micro>>;
const weights = (a: Doc) => a.weights as Record<string, number>;
const outcomes = (a: Doc) => a.effects as { outcome: string; treatedTotal: number; syntheticTotal: number; percentChange: number }[];
const cal = (a: Doc) => a.calibration as { exact: boolean; maxRelativeImbalance: number; method: string; iterations: number };

describe('micro calibration weights', () => {
  const { data } = simData(SMALL, 3);
  it('balance every matching variable exactly and satisfy the raking optimality condition', async () => {
    const a = await micro(data, BASE);
    expect(cal(a).exact).toBe(true);
    expect(cal(a).maxRelativeImbalance).toBeLessThan(1e-9);
    const bal = a.diagnostics.find((d) => d.code === 'BALANCE')!.table!;
    expect(bal.length).toBe(1 + 2 * 12 + 2); // intercept, 2 outcomes × 12 pre periods, 2 covariates
    for (const row of bal) expect(Math.abs(row.difference as number)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(row.treated as number)));
    // Optimality of minimum KL from uniform: log(w_j/d) is a linear function of x_j (with intercept).
    // Regress log w on the matching variables by normal equations on this small problem and check the fit is exact.
    const T = data.periods.length;
    const w = weights(a);
    const rows: number[][] = [];
    const lw: number[] = [];
    data.units.forEach((u, i) => {
      if (data.treated[i]) return;
      const x = [1];
      for (const o of data.outcomes) for (let t = 0; t < 12; t++) x.push(data.y[o]![i * T + t]!);
      x.push(data.covariates.pop![i]!, data.covariates.dep![i]!);
      rows.push(x);
      lw.push(Math.log(w[u]!));
    });
    // Least squares via QR-free check: fit on the first half, predict the second half.
    const { lstsq } = await import('../../src/core/linalg.js');
    const p = rows[0]!.length;
    const X = new Float64Array(rows.length * p);
    rows.forEach((r, i) => r.forEach((v, k) => (X[i * p + k] = v)));
    const fit = lstsq(X, rows.length, p, Float64Array.from(lw));
    let worst = 0;
    for (const e of fit.residuals) worst = Math.max(worst, Math.abs(e));
    expect(worst).toBeLessThan(1e-6);
  });

  it('do not depend on row order, unit names or the units of a covariate', async () => {
    const a = await micro(data, BASE);
    const rng = new Rng(9);
    const perm = rng.shuffle(data.units.map((_, i) => i));
    const b = await micro(permuteUnits(data, perm, (u) => `Z${u.split('').reverse().join('')}`), BASE);
    const scaled: MicroData = { ...data, covariates: { pop: data.covariates.pop!.map((v) => 1000 * v + 7), dep: data.covariates.dep!.map((v) => v / 100) } };
    const c = await micro(scaled, BASE);
    const wa = weights(a);
    const wb = weights(b);
    const wc = weights(c);
    for (const u of Object.keys(wa)) {
      const ub = `Z${u.split('').reverse().join('')}`;
      expect(Math.abs(wb[ub]! - wa[u]!)).toBeLessThanOrEqual(1e-9 * Math.max(1e-3, wa[u]!));
      expect(Math.abs(wc[u]! - wa[u]!)).toBeLessThanOrEqual(1e-8 * Math.max(1e-3, wa[u]!));
    }
    outcomes(a).forEach((o, k) => {
      expect(outcomes(b)[k]!.percentChange).toBeCloseTo(o.percentChange, 9);
      expect(outcomes(c)[k]!.percentChange).toBeCloseTo(o.percentChange, 8);
    });
  });

  it('zero-target presolve gives the same weights as iterating to the limit', async () => {
    // A treated set whose outcome total is zero in one period forces weight 0 on every control
    // with a positive count there. Build it: zero crime2 in period 0 for the treated units and
    // for every other control (so half the controls remain to balance the rest).
    const T = data.periods.length;
    const y2 = Float64Array.from(data.y.crime2!);
    data.units.forEach((_, i) => {
      if (data.treated[i] || i % 2 === 0) y2[i * T] = 0;
    });
    const d2: MicroData = { ...data, y: { ...data.y, crime2: y2 } };
    const a = await micro(d2, BASE);
    expect(cal(a).exact).toBe(true);
    expect((a.calibration as { zeroTargetControls: number }).zeroTargetControls).toBeGreaterThan(0);
    const w = weights(a);
    data.units.forEach((u, i) => {
      if (!data.treated[i] && y2[i * T]! > 0) expect(w[u]).toBe(0);
    });
  });

  it('infeasible exact balance far from any weighting: refuses (exit 4), naming the variables and the options that help', async () => {
    // Treated areas with far more crime than any control cannot be matched by non-negative weights summing to n₁.
    const T = data.periods.length;
    const y1 = Float64Array.from(data.y.crime1!);
    let max = 0;
    for (let i = 0; i < y1.length; i++) max = Math.max(max, y1[i]!);
    data.units.forEach((_, i) => {
      if (data.treated[i]) for (let t = 0; t < T; t++) y1[i * T + t] = 3 * max;
    });
    // Issue 21: the fallback used to report a counterfactual hundreds of times the treated total with exit 0.
    const err = await micro({ ...data, y: { ...data.y, crime1: y1 } }, BASE).then(
      () => null,
      (e: unknown) => e as { code: string; exitCode: number; message: string; details: { variables: string[] } },
    );
    expect(err?.code).toBe('EXACT_BALANCE_INFEASIBLE');
    expect(err?.exitCode).toBe(4);
    expect(err?.details.variables).toContain(`crime1@${data.periods[0]}`);
    expect(err?.message).toMatch(/--match-periods total/);
    expect(err?.message).toMatch(/--max-imbalance/);
  });

  it('aggregate pre-periods (--match-periods total / every:K) and cut the post period (--end-post)', async () => {
    const names = (a: Doc) => a.diagnostics.find((d) => d.code === 'BALANCE')!.table!.map((r) => r.variable as string);
    const tot = await micro(data, { ...BASE, matchPeriods: { kind: 'total' } });
    expect(names(tot)).toEqual(['Intercept', 'crime1@2018-01:2018-12', 'crime2@2018-01:2018-12', 'pop', 'dep']);
    const ev5 = await micro(data, { ...BASE, matchPeriods: { kind: 'every', k: 5 } });
    // 12 pre-periods in blocks of 5 counted back from the start: 01–02, 03–07, 08–12.
    expect(names(ev5).slice(1, 4)).toEqual(['crime1@2018-01:2018-02', 'crime1@2018-03:2018-07', 'crime1@2018-08:2018-12']);
    const full = await micro(data, BASE);
    const cut = await micro(data, { ...BASE, endPost: 13 });
    const e = (a: Doc) => (a.effects as { treatedTotal: number; path: { treated: number }[] }[])[0]!;
    expect(e(cut).treatedTotal).toBe(e(full).path[12]!.treated + e(full).path[13]!.treated);
    expect(e(cut).path).toHaveLength(14);
  });

  it('linear distance (microsynth\'s calfun): exact balance and the KKT conditions of min Σ(w−d)²/d, w ≥ 0', async () => {
    // Optimality of the truncated linear calibration: w_j = d·max(0, 1 + x_jᵀλ) for one λ. So on
    // the controls with w_j > 0, w_j/d − 1 is exactly linear in x_j (with intercept), and on the
    // controls with w_j = 0 that same linear function is ≤ 0 (i.e. 1 + x_jᵀλ ≤ 0).
    const a = await micro(data, { ...BASE, distance: 'linear' });
    expect(cal(a).exact).toBe(true);
    expect(cal(a).method).toBe('linear');
    expect(cal(a).maxRelativeImbalance).toBeLessThan(1e-9);
    const T = data.periods.length;
    const d = 25 / (data.units.length - 25);
    const w = weights(a);
    const pos: number[][] = [];
    const gpos: number[] = [];
    const zero: number[][] = [];
    data.units.forEach((u, i) => {
      if (data.treated[i]) return;
      const x = [1];
      for (const o of data.outcomes) for (let t = 0; t < 12; t++) x.push(data.y[o]![i * T + t]!);
      x.push(data.covariates.pop![i]!, data.covariates.dep![i]!);
      if (w[u]! > 0) {
        pos.push(x);
        gpos.push(w[u]! / d - 1);
      } else zero.push(x);
    });
    // The problem is chosen so that the non-negativity bound binds for some controls.
    expect(zero.length).toBeGreaterThan(0);
    const { lstsq } = await import('../../src/core/linalg.js');
    const p = pos[0]!.length;
    const X = new Float64Array(pos.length * p);
    pos.forEach((r, i) => r.forEach((v, k) => (X[i * p + k] = v)));
    const fit = lstsq(X, pos.length, p, Float64Array.from(gpos));
    let worst = 0;
    for (const e of fit.residuals) worst = Math.max(worst, Math.abs(e));
    expect(worst).toBeLessThan(1e-8);
    for (const x of zero) {
      let eta = 0;
      x.forEach((v, k) => (eta += v * fit.beta[k]!));
      expect(eta).toBeLessThanOrEqual(1e-8);
    }
    // A different distance gives different (strictly positive) raking weights on the same data.
    const r = weights(await micro(data, BASE));
    expect(Object.values(r).every((v) => v > 0)).toBe(true);
  });

  it('linear distance: invariant to row order, unit names and covariate units; infeasible balance says so', async () => {
    const L = { ...BASE, distance: 'linear' as const };
    const a = await micro(data, L);
    const perm = new Rng(11).shuffle(data.units.map((_, i) => i));
    const b = await micro(permuteUnits(data, perm, (u) => `Q${u}`), L);
    const c = await micro({ ...data, covariates: { pop: data.covariates.pop!.map((v) => 0.001 * v - 3), dep: data.covariates.dep!.map((v) => 50 * v) } }, L);
    const wa = weights(a);
    for (const u of Object.keys(wa)) {
      expect(Math.abs(weights(b)[`Q${u}`]! - wa[u]!)).toBeLessThanOrEqual(1e-9 * Math.max(1e-3, wa[u]!));
      expect(Math.abs(weights(c)[u]! - wa[u]!)).toBeLessThanOrEqual(1e-8 * Math.max(1e-3, wa[u]!));
    }
    outcomes(a).forEach((o, k) => {
      expect(outcomes(b)[k]!.percentChange).toBeCloseTo(o.percentChange, 9);
      expect(outcomes(c)[k]!.percentChange).toBeCloseTo(o.percentChange, 8);
    });
    const T = data.periods.length;
    const y1 = Float64Array.from(data.y.crime1!);
    data.units.forEach((_, i) => {
      if (data.treated[i]) for (let t = 0; t < T; t++) y1[i * T + t] = 1000;
    });
    await expect(micro({ ...data, y: { ...data.y, crime1: y1 } }, L)).rejects.toMatchObject({ code: 'EXACT_BALANCE_INFEASIBLE', message: expect.stringMatching(/penalised linear calibration/) });
  });

  it('reject data with no controls or no pre-period', async () => {
    await expect(micro({ ...data, treated: new Uint8Array(data.units.length).fill(1) }, BASE)).rejects.toMatchObject({ code: 'NO_CONTROLS' });
    await expect(micro({ ...data, start: 0 }, BASE)).rejects.toMatchObject({ code: 'NO_PRE_PERIOD' });
  });
});
