/**
 * gsynth's EM variant (`--em`; Gobillon & Magnac 2016, the EM option of Xu 2017): the factor
 * model is fitted on every untreated cell — the controls and the treated units' pre-treatment
 * periods — with the treated post cells imputed by EM; the counterfactual is the fitted value.
 *
 * - Exactness: noise-free IFE data with staggered starts → the EM counterfactual is the truth.
 * - Consistency with Algorithm 1: if the treated units' pre-period cells lie exactly on the
 *   control-only model, they carry no extra information, so the EM fit (a least-squares fit
 *   of all untreated cells) must return the same counterfactual as the control-only fit.
 * - gsynth_simdata (R gsynth 1.2.1's simulated panel; truth in the data: ATT 5.462, β = (1, 3),
 *   r = 2): r = 2 chosen, ATT near 5.462 and near the non-EM estimate, CI covers.
 * - The project's generator with selection on loadings, staggered adoption and a covariate.
 * - Shuffled rows → identical JSON; 1 vs 2 worker threads → identical JSON; too few
 *   pre-periods → a typed error naming the unit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { ifePanel } from './ifePanel.js';
import { Rng } from '../../src/core/rng.js';
import { gsynth } from '../../src/estimators/gsynth/index.js';
import { estimate, type Problem, type UnitBlock } from '../../src/estimators/gsynth/model.js';
import { POLICE_FIXTURE_SPEC, simulatePanel } from '../../src/sim/dgp.js';
import { dataset, expectClose, expectValidDocument, hasShared, runCli, tempDir } from '../helpers.js';


/** A Problem on arrays: the first nCo rows are controls, the rest treated with the given starts. */
function problem(y: Float64Array, x: Float64Array[], nCo: number, T: number, starts: number[], em: boolean): Problem {
  const nTr = starts.length;
  const blk = (from: number, n: number): UnitBlock => ({
    n,
    T,
    y: y.slice(from * T, (from + n) * T),
    x: x.map((a) => a.slice(from * T, (from + n) * T)),
    names: Array.from({ length: n }, (_, i) => `u${from + i}`),
  });
  const eventTime = new Int32Array(nTr * T);
  starts.forEach((s, j) => {
    for (let t = 0; t < T; t++) eventTime[j * T + t] = t - s;
  });
  return {
    co: blk(0, nCo),
    tr: blk(nCo, nTr),
    starts: Int32Array.from(starts),
    settings: { force: 'two-way', tol: 1e-12, maxIter: 20000, covariateNames: x.map((_, k) => `x${k}`) },
    popTr: null,
    ratePer: 1e5,
    firstStart: Math.min(...starts),
    eventTime,
    eMin: -Math.max(...starts),
    eMax: T - 1 - Math.min(...starts),
    seed: 1,
    em,
  };
}

describe('gsynth EM: exactness and agreement with Algorithm 1', () => {
  it('recovers the untreated outcome of staggered treated units on noise-free data (with a covariate)', () => {
    const nCo = 30, nTr = 4, T = 24;
    const d = ifePanel(nCo + nTr, T, 2, [1.5], 8);
    const starts = [10, 12, 15, 20];
    // Add an effect of +5 to treated post cells: the fit must never see them.
    const y = Float64Array.from(d.y);
    starts.forEach((s, j) => {
      for (let t = s; t < T; t++) y[(nCo + j) * T + t]! += 5;
    });
    const est = estimate(problem(y, d.x, nCo, T, starts, true), 2);
    expect(est.fit.converged).toBe(true);
    // Noise-free data and tol 1e-12: the fit is exact up to the EM convergence (≈1e-9 relative).
    expectClose(est.fit.beta[0], 1.5, { atol: 1e-6 }, 'β under EM');
    for (let j = 0; j < nTr; j++)
      for (let t = 0; t < T; t++) expectClose(est.cf[j * T + t], d.y[(nCo + j) * T + t]!, { atol: 1e-5 }, `EM counterfactual unit ${j} t=${t}`);
    expectClose(est.stats[0], 5, { atol: 1e-5 }, 'EM ATT on noise-free data');
  });

  it('equals the control-only estimate when the treated pre-periods lie on the control-only model', () => {
    const nCo = 40, nTr = 5, T = 30;
    const d = ifePanel(nCo + nTr, T, 2, [], 3);
    const rng = new Rng(5);
    const y = Float64Array.from(d.y, (v) => v + rng.normal());
    const starts = [18, 18, 20, 22, 25];
    const plain = estimate(problem(y, [], nCo, T, starts, false), 2);
    // Replace treated pre-period outcomes by Algorithm 1's own fitted values (cf): the EM fit
    // then has a least-squares solution with zero residual on them, the control-only one.
    const y2 = Float64Array.from(y);
    starts.forEach((s, j) => {
      for (let t = 0; t < s; t++) y2[(nCo + j) * T + t] = plain.cf[j * T + t]!;
    });
    const em = estimate(problem(y2, [], nCo, T, starts, true), 2);
    const plain2 = estimate(problem(y2, [], nCo, T, starts, false), 2);
    for (let k = 0; k < em.cf.length; k++) {
      // Both are fits of the same least-squares problem; the EM one converged to tol 1e-12.
      expectClose(em.cf[k], plain2.cf[k]!, { atol: 1e-6 }, `counterfactual cell ${k}`);
      expectClose(plain2.cf[k], plain.cf[k]!, { atol: 1e-9 }, `control-only counterfactual cell ${k}`);
    }
    expectClose(em.stats[0], plain.stats[0]!, { atol: 1e-6 }, 'ATT EM vs Algorithm 1');
  });
});

describe.skipIf(!hasShared)('gsynth EM on gsynth_simdata', () => {
  it('chooses r = 2; ATT near the true 5.462 and the non-EM estimate; CI covers', () => {
    const args = ['scm', dataset('gsynth_simdata'), '--outcome', 'Y', '--covariates', 'X1,X2', '--inference', 'nonparametric', '--reps', '100', '--seed', '1', '--threads', '2'];
    const em = runCli([...args, '--em']);
    expect(em.code, em.stderr).toBe(0);
    const doc = em.json();
    expectValidDocument(doc);
    expect(doc.options.em).toBe(true);
    expect(doc.options.factors).toBe(2);
    const plain = runCli([...args, '--inference', 'none']).json();
    expect(plain.options.em).toBe(false);
    // 5 treated × 10 post periods, σ_ε = 1: estimation error SD ≈ 0.25 (bootstrap SE); 0.15 as
    // for the non-EM estimate (reference.test.ts). Measured: EM 5.579, non-EM 5.543.
    expectClose(doc.estimate.att, 5.462, { atol: 0.15 }, 'simdata EM ATT vs truth');
    // Both use the same controls and differ only through 5 × 20 extra pre-period cells: ±0.1 (≈ 0.4 SE).
    expectClose(doc.estimate.att, plain.estimate.att, { atol: 0.1 }, 'EM vs non-EM ATT');
    expect(doc.estimate.ci[0]).toBeLessThanOrEqual(5.462);
    expect(doc.estimate.ci[1]).toBeGreaterThanOrEqual(5.462);
    // β from 45 controls + 5 treated pre-periods × 30 periods: SE ≈ 0.03 → ±0.1.
    expectClose(doc.coefficients[0].estimate, 1, { atol: 0.1 }, 'β1 (EM)');
    expectClose(doc.coefficients[1].estimate, 3, { atol: 0.1 }, 'β2 (EM)');
  }, 120_000);
});

/** The project's generator: selection on the first loading (DiD biased), three cohorts, covariate x. */
function generated(seed: number) {
  const spec = { ...POLICE_FIXTURE_SPEC, selection: 'loadings' as const, units: 60, treatedUnits: 12, staggerStarts: ['2019-10', '2020-01'] };
  delete (spec as { shock?: unknown }).shock;
  const { records, truth } = simulatePanel(spec, seed);
  const csv = ['unit,period,y,treated,x', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated},${r.x}`)].join('\n');
  return { csv, truth };
}

describe('gsynth EM on the project generator', () => {
  it('recovers the ATT within its CI (staggered adoption, selection on loadings, covariate)', async () => {
    const { csv, truth } = generated(41);
    const panel = readPanelText(csv, { outcome: 'y', covariates: ['x'] });
    const a = await gsynth(panel, { em: true, factors: 2, inference: 'nonparametric', boots: 100, seed: 7 });
    expect(a.options.em).toBe(true);
    // 12 treated, ~13–19 post months, σ = 1.5: SE ≈ 0.3 → ±0.6 (2 SE), and the CI must cover.
    expectClose(a.estimate!.att, truth.att, { atol: 0.6 }, 'EM ATT on the generator');
    expect(a.estimate!.ci![0]).toBeLessThanOrEqual(truth.att);
    expect(a.estimate!.ci![1]).toBeGreaterThanOrEqual(truth.att);
    // β of the generator (0.5), from 60 units × 66 months: ±0.1.
    expectClose((a.coefficients as { estimate: number }[])[0]!.estimate, truth.beta, { atol: 0.1 }, 'β (EM, generator)');
    // r = 0 (additive effects only) is biased by the selection on loadings; EM with factors is not worse.
    const did = await gsynth(panel, { em: true, factors: 0, inference: 'none' });
    expect(Math.abs(a.estimate!.att! - truth.att)).toBeLessThan(Math.abs(did.estimate!.att! - truth.att) + 0.3);
  }, 60_000);

  it('stays near the truth with more factors than needed (EM started from Algorithm 1, not column means)', async () => {
    // The treated post block is a rectangle of missing cells: a spurious factor living only there
    // costs nothing on the observed cells. Started from column means, EM with r = 4 on this panel
    // drifted (ATT far from the truth, not converged in 1,000 iterations); started from Algorithm 1's fit it must not.
    const { csv, truth } = generated(41);
    const panel = readPanelText(csv, { outcome: 'y', covariates: ['x'] });
    for (const factors of [3, 4]) {
      const a = await gsynth(panel, { em: true, factors, inference: 'none' });
      const plain = await gsynth(panel, { em: false, factors, inference: 'none' });
      expect(a.warnings.map((w) => w.code)).not.toContain('NOT_CONVERGED');
      // Superfluous factors make both estimators noisier (measured: r = 3 EM −3.31, non-EM −3.56;
      // r = 4 −3.08, −3.48; truth −4), so ±0.6 between them and ±1.2 from the truth; the drift
      // from a column-mean start was +4 (ATT 0.3 on the fixture with r = 3).
      expectClose(a.estimate!.att, plain.estimate!.att!, { atol: 0.6 }, `EM vs non-EM ATT with r = ${factors}`);
      expectClose(a.estimate!.att, truth.att, { atol: 1.2 }, `EM ATT with r = ${factors}`);
    }
  }, 60_000);

  it('gives identical JSON for shuffled rows and for 1 vs 2 worker threads (CV + bootstrap)', () => {
    const { csv } = generated(42);
    const dir = tempDir();
    const lines = csv.split('\n');
    const rng = new Rng(9);
    const body = lines.slice(1);
    for (let k = body.length - 1; k > 0; k--) {
      const m = rng.int(k + 1);
      [body[k], body[m]] = [body[m]!, body[k]!];
    }
    const dir2 = tempDir();
    const a = join(dir, 'p.csv');
    const b = join(dir2, 'p.csv');
    writeFileSync(a, csv);
    writeFileSync(b, [lines[0], ...body].join('\n'));
    const args = ['--outcome', 'y', '--method', 'gsynth', '--em', '--factors-max', '2', '--inference', 'parametric', '--reps', '20', '--seed', '3'];
    const r1 = runCli(['scm', a, ...args, '--threads', '1']);
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = runCli(['scm', a, ...args, '--threads', '2']);
    const r3 = runCli(['scm', b, ...args, '--threads', '2']);
    expect(r2.stdout).toBe(r1.stdout);
    expect(r3.stdout).toBe(r1.stdout);
    const doc = r1.json();
    expectValidDocument(doc);
    expect(doc.diagnostics.find((d: { code: string }) => d.code === 'FACTORS_CV').table).toHaveLength(3);
  }, 120_000);

  it('names the treated unit whose pre-periods cannot identify its loadings', async () => {
    // Two pre-periods, two-way effects and 2 factors: 3 parameters for 2 cells.
    const { csv, truth } = generated(43);
    const u = truth.treatedUnits[0]!;
    expect(truth.starts[u]).toBe('2019-04');
    // Keep only 2019-02 and 2019-03 before its start (the other units stay balanced).
    const kept = csv.split('\n').filter((l, k) => k === 0 || !(l.startsWith(`${u},`) && l.split(',')[1]! < '2019-02'));
    const cut = readPanelText(kept.join('\n'), { outcome: 'y' });
    await expect(gsynth(cut, { em: true, factors: 2, inference: 'none' })).rejects.toMatchObject({ code: 'TOO_FEW_PRE_PERIODS', details: { unit: u } });
  });
});
