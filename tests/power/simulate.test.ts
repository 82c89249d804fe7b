/**
 * The power simulation: the shift evaluation equals real reruns for every method declared
 * translation-equivariant; MDE halves (within MC error) when the noise halves; MDE grows as
 * treated areas are removed; same seed → same result.
 */
import { describe, expect, it } from 'vitest';
import { readPanel } from '../../src/core/panel.js';
import { designPanel, history, simulatePower, type SimDesign } from '../../src/power/simulate.js';
import { POWER_METHODS, methodRunner } from '../../src/power/runner.js';
import { FIXTURE } from '../helpers.js';
import { noisePanel } from './gen.js';

const base = { effectType: 'additive' as const, direction: 'decrease' as const, power: 0.8, alpha: 0.05, placebo: 'space' as const, reps: 30, seed: 7, outcomeScale: null, ratePer: 1e5 };

describe('shift evaluation = rerun for translation-equivariant methods', () => {
  const panel = readPanel(FIXTURE, { outcome: 'violence_rate' });
  const h = history(panel, undefined);
  const treated = new Set(h.pool.slice(0, 6));
  const design: SimDesign = { units: h.pool, treated, start: h.T0 - 12, end: h.T0, seed: 99 };
  for (const method of POWER_METHODS) {
    const runner = methodRunner(method, { level: 0.95, reps: 30 });
    if (!runner.shiftEquivariant) continue;
    it(`${method}: adding δ = 3.7 to the treated post cells moves the estimate and the interval by −3.7`, async () => {
      const a = await runner.run(designPanel(panel, design, 0, base), design.seed);
      const b = await runner.run(designPanel(panel, design, 3.7, base), design.seed);
      const tol = 1e-7 * (1 + Math.abs(a.att));
      expect(Math.abs(b.att - (a.att - 3.7))).toBeLessThan(tol);
      expect(a.ci).not.toBeNull();
      expect(Math.abs(b.ci![0] - (a.ci![0] - 3.7))).toBeLessThan(tol * 10);
      expect(Math.abs(b.ci![1] - (a.ci![1] - 3.7))).toBeLessThan(tol * 10);
    }, 60_000);
  }
});

describe('shift evaluation = rerun for its under each error model', () => {
  const panel = readPanel(FIXTURE, { outcome: 'violence_rate' });
  const h = history(panel, undefined);
  const design: SimDesign = { units: h.pool, treated: new Set(h.pool.slice(0, 6)), start: h.T0 - 12, end: h.T0, seed: 99 };
  for (const errors of ['ols', 'newey-west', 'ar:1', 'arma:1,1', 'arima:0,1,1', 'local-level', 'auto + month']) {
    it(`its --errors ${errors}`, async () => {
      const runner = methodRunner('its', { level: 0.95, reps: 30, ...(errors === 'auto + month' ? { seasonality: 'month' } : { errors }) });
      expect(runner.shiftEquivariant).toBe(true);
      const a = await runner.run(designPanel(panel, design, 0, base), design.seed);
      const b = await runner.run(designPanel(panel, design, 3.7, base), design.seed);
      const tol = 1e-7 * (1 + Math.abs(a.att));
      expect(Math.abs(b.att - (a.att - 3.7))).toBeLessThan(tol);
      expect(Math.abs(b.ci![0] - (a.ci![0] - 3.7))).toBeLessThan(tol * 10);
      expect(Math.abs(b.ci![1] - (a.ci![1] - 3.7))).toBeLessThan(tol * 10);
    }, 60_000);
  }
});

describe('MDE responds to the design as it must', () => {
  const T = 24;
  const run = (sigma: number, seed: number, nTreated: number) =>
    simulatePower(noisePanel(80, T, sigma, seed), { ...base, method: 'twfe', sims: 400, start: T, nTreated, post: 6 });

  it('halves (within MC error) when the noise halves', async () => {
    // independent noise draws for the two panels; the MDE's MC SE from the MDEs at 80% ± 1.96 SE
    const full = await run(1, 21, 10);
    const half = await run(0.5, 22, 10);
    const d = half.mde.value! - full.mde.value! / 2;
    const se = Math.hypot(half.mde.mcSe!, full.mde.mcSe! / 2);
    // panel-to-panel noise in the realised variance (J = 80) adds ≈ 8% of the MDE: allowed for explicitly
    const panelSd = 0.08 * half.mde.value!;
    expect(Math.abs(d), `MDE ${full.mde.value} vs ${half.mde.value}`).toBeLessThanOrEqual(2 * Math.hypot(se, panelSd));
    // and on the same noise scaled, exactly half (the twfe test is scale-equivariant)
    const same = await simulatePower(noisePanel(80, T, 0.5, 21), { ...base, method: 'twfe', sims: 400, start: T, nTreated: 10, post: 6 });
    const sameFull = await simulatePower(noisePanel(80, T, 1, 21), { ...base, method: 'twfe', sims: 400, start: T, nTreated: 10, post: 6 });
    expect(sameFull.mde.value).toBeGreaterThan(0);
    // α_i and ξ_t are not scaled, but twfe removes them: the ratio is ½ to rounding
    expect(Math.abs(same.mde.value! / sameFull.mde.value! - 0.5)).toBeLessThan(1e-6);
  }, 120_000);

  it('grows as treated areas are removed (10 → 3)', async () => {
    const ten = await run(1, 31, 10);
    const three = await run(1, 31, 3);
    // analytic ratio √((1/3 + 1/77)/(1/10 + 1/70)) ≈ 1.74
    expect(three.mde.value! - ten.mde.value!).toBeGreaterThan(2 * Math.hypot(three.mde.mcSe!, ten.mde.mcSe!));
    expect(three.mde.value! / ten.mde.value!).toBeGreaterThan(1.4);
    expect(three.mde.value! / ten.mde.value!).toBeLessThan(2.1);
  }, 120_000);

  it('rerun and shift evaluations agree for twfe on the same designs', async () => {
    // proportional effects force reruns; an additive effect with shift reads the same designs once
    const p = noisePanel(40, 16, 1, 41);
    const o = { ...base, method: 'twfe' as const, sims: 40, start: 16, nTreated: 8, post: 4, effects: [0.3, 0.6, 0.9] };
    const shift = await simulatePower(p, o);
    expect(shift.evaluation).toBe('shift');
    const runner = methodRunner('twfe', { level: 0.95, reps: 10 });
    // rerun by hand on the same designs
    const { Rng } = await import('../../src/core/rng.js');
    const h = history(p, 16);
    const master = new Rng(o.seed);
    for (const [k, m] of [0.3, 0.6, 0.9].entries()) {
      let rej = 0;
      for (let s = 0; s < o.sims; s++) {
        const rng = master.stream(s);
        const seed = rng.nextUint32();
        const idx = rng.partialShuffle(h.pool.length, 8);
        const d: SimDesign = { units: h.pool, treated: new Set(Array.from(idx.subarray(0, 8), (j) => h.pool[j]!)), start: 12, end: 16, seed };
        const r = await runner.run(designPanel(p, d, m, o), seed);
        if (r.ci![0] > 0 || r.ci![1] < 0) rej++;
      }
      expect(shift.curve[k + 1]!.rejections).toBe(rej);
    }
  }, 120_000);

  it('same seed, same result; another seed, other designs', async () => {
    const p = noisePanel(30, 12, 1, 51);
    const o = { ...base, method: 'sdid' as const, sims: 20, start: 12, nTreated: 4, post: 3 };
    const a = await simulatePower(p, o);
    const b = await simulatePower(p, o);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = await simulatePower(p, { ...o, seed: 8 });
    expect(JSON.stringify(c.nullEstimates)).not.toBe(JSON.stringify(a.nullEstimates));
  }, 60_000);
});
