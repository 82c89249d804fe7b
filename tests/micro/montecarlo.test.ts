/**
 * Monte Carlo on the project's micro-area generator (src/sim/microDgp.ts): Poisson counts for
 * 1,200 areas × 16 months, 30 treated (drawn at random, so random placebo sets are exchangeable
 * with the treated set), a true 25% fall (Y(1) a binomial thinning of Y(0)), matching on two
 * outcomes by month and two covariates. Truth per replication: the realised Σ Y(1)/Σ Y(0) − 1.
 *
 * CI (fast): 12 replications, bias of the mean percentage change under 5% of the effect (1.25
 *   points; the Monte Carlo SE of the mean is about 0.6 points here), and the hotspot design's
 *   bias under 10% of the effect.
 * VRU_SLOW=1: 1,000 replications × 199 permutations (MC SE of a 95% coverage ≈ 0.7 points, so
 *   the 93–97% band is a real test): bias under 5% of the effect, coverage of the 95% permutation
 *   interval for the percentage change within 93–97%, and with no effect the two-sided
 *   permutation test rejects at 5% in 3–7% of replications; for each calibration distance.
 *   Measured (same seeds, via the built library, 2026-11-29):
 *     raking: mean error +0.02 points (MC SE 0.08; 0.1% of the effect), coverage 944/1000 = 94.4%
 *       (MC SE 0.7), null rejections 51/1000 = 5.1%;
 *     linear: mean error +0.02 points, coverage 945/1000 = 94.5%, null rejections 53/1000 = 5.3%.
 *   An earlier 300-replication run gave 92.7% coverage (MC SE 1.5): Monte Carlo noise, not
 *   under-coverage.
 */
import { describe, expect, it } from 'vitest';
import { micro } from '../../src/estimators/micro/index.js';
import type { MicroPanelSpec } from '../../src/sim/microDgp.js';
import { BASE, simData } from './helpers.js';

const MC: MicroPanelSpec = { areas: 1200, periods: 16, firstPeriod: '2018-01', treated: 30, start: 12, effect: -0.25, outcomes: 2, base: 8, sigmaU: 0.4, selection: 'random' };
type Res = { percentChange: number; permutation?: { pValue: number; percentChangeCi: [number, number] } };

async function replicate(spec: MicroPanelSpec, seed: number, perms: number, distance: 'raking' | 'linear' = 'linear'): Promise<{ est: number; truth: number; p: number | null; ci: [number, number] | null }> {
  const { data, truth } = simData(spec, seed);
  const a = await micro(data, { ...BASE, inference: perms > 0 ? ['permutation'] : [], perms, seed, distance, permStat: 'log-ratio' });
  const r = (a.effects as Res[])[0]!;
  return { est: r.percentChange, truth: 100 * truth.realised[0]!, p: r.permutation?.pValue ?? null, ci: r.permutation?.percentChangeCi ?? null };
}

describe('micro Monte Carlo (fast)', () => {
  it('is unbiased for the percentage change (random and hotspot selection)', async () => {
    for (const [selection, bound] of [['random', 0.05], ['hotspots', 0.1]] as const) {
      let err = 0;
      const R = 12;
      let refused = 0;
      for (let s = 0; s < R + refused; s++) {
        // Hotspot panels from this generator occasionally admit no exactly balancing weights; micro
        // then refuses (issue 21) and the replication is replaced by the next seed.
        const r = await replicate({ ...MC, selection }, 100 + s, 0).catch((e: { code?: string }) => {
          if (e.code !== 'EXACT_BALANCE_INFEASIBLE') throw e;
          return null;
        });
        if (!r) {
          refused++;
          continue;
        }
        err += r.est - r.truth;
      }
      expect(refused, selection).toBeLessThanOrEqual(R / 3);
      expect(Math.abs(err / R), `${selection}: mean error ${err / R} points`).toBeLessThan(bound * 25);
    }
  }, 120_000);
});

describe.skipIf(!process.env.VRU_SLOW).each(['raking', 'linear'] as const)('micro Monte Carlo (slow, %s)', (distance) => {
  it('bias < 5% of the effect and permutation-interval coverage within 93–97%', async () => {
    const R = 1000;
    let err = 0;
    let cover = 0;
    for (let s = 0; s < R; s++) {
      const r = await replicate(MC, 1000 + s, 199, distance);
      err += r.est - r.truth;
      if (r.ci && r.ci[0] <= r.truth && r.truth <= r.ci[1]) cover++;
    }
    console.log(`micro MC (${distance}): mean error ${(err / R).toFixed(3)} points (effect −25), coverage ${cover}/${R}`);
    expect(Math.abs(err / R)).toBeLessThan(0.05 * 25);
    expect(cover / R).toBeGreaterThanOrEqual(0.93);
    expect(cover / R).toBeLessThanOrEqual(0.97);
  }, 3_600_000);

  it('null rejection rate of the permutation test within 3–7%', async () => {
    const R = 1000;
    let rej = 0;
    for (let s = 0; s < R; s++) {
      const r = await replicate({ ...MC, effect: 0 }, 5000 + s, 199, distance);
      if (r.p !== null && r.p <= 0.05) rej++;
    }
    console.log(`micro MC (${distance}): null rejections ${rej}/${R}`);
    expect(rej / R).toBeGreaterThanOrEqual(0.03);
    expect(rej / R).toBeLessThanOrEqual(0.07);
  }, 3_600_000);
});
