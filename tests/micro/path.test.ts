/**
 * Per-period and cumulative-path intervals from the placebo distribution (permutation inference):
 * present for every post period, around the point effect, the last cumulative band equal to the
 * headline cumulative interval, none for the pre-period or other headline inferences; with sparse
 * counts the placebo draws a period's band leaves out are named in a warning. (The same bands for
 * any thread count is checked through the binary in cli.test.ts, whose documents carry them.)
 */
import { describe, expect, it } from 'vitest';
import { micro } from '../../src/estimators/micro/index.js';
import { BASE, SMALL, simData } from './helpers.js';

describe('micro path intervals', () => {
  const { data } = simData(SMALL, 8);
  it('band every post period from the placebo distribution, consistent with the headline interval', async () => {
    const a = await micro(data, { ...BASE, inference: ['permutation'], perms: 99, seed: 4 });
    const t0 = data.start;
    a.path.forEach((p, t) => {
      if (t < t0) {
        expect(p.ci).toBeNull();
        expect(p.cumulativeCi).toBeNull();
        return;
      }
      expect(p.ci).not.toBeNull();
      expect(p.ci![0]).toBeLessThan(p.effect!);
      expect(p.ci![1]).toBeGreaterThan(p.effect!);
      expect(p.cumulativeCi![0]).toBeLessThan(p.cumulative!);
      expect(p.cumulativeCi![1]).toBeGreaterThan(p.cumulative!);
    });
    const last = a.path[a.path.length - 1]!;
    const est = a.estimate as { cumulative: { ci: [number, number] } };
    expect(last.cumulativeCi).toEqual(est.cumulative.ci);
    // A single post period's band is wider (relative to its effect) than the band of the total.
    const first = a.path[t0]!;
    expect((first.ci![1] - first.ci![0]) * 4).toBeGreaterThan(last.cumulativeCi![1] - last.cumulativeCi![0]);
    const j = await micro(data, { ...BASE, inference: ['jackknife', 'permutation'], perms: 20 });
    expect(j.path[t0]!.ci).toBeNull();
  });

  it('names the placebo draws left out of sparse periods, and a period with no treated count', async () => {
    const sparse = simData({ ...SMALL, base: 0.15, sigmaU: 0.2 }, 3).data;
    const a = await micro(sparse, { ...BASE, inference: ['permutation'], perms: 99, matchPeriods: { kind: 'total' } });
    const w = a.warnings.find((x) => x.code === 'PATH_PLACEBO_NON_FINITE');
    expect(w?.message).toMatch(/left out of that period's band/);
    const t0 = sparse.start;
    const zeroPeriods = a.path.filter((p, t) => t >= t0 && p.observedTotal === 0).map((p) => p.period);
    for (const p of a.path.slice(t0)) expect(p.ci === null).toBe(zeroPeriods.includes(p.period));
    if (zeroPeriods.length > 0) expect(a.warnings.find((x) => x.code === 'PATH_ZERO_TREATED')?.message).toContain(zeroPeriods[0]!);
  });

  it('rates: a non-positive population through the library is BAD_POPULATION', async () => {
    const pop = new Float64Array(data.units.length * data.periods.length).fill(1500);
    pop[7] = 0;
    await expect(micro({ ...data, population: pop }, BASE)).rejects.toMatchObject({ code: 'BAD_POPULATION' });
  });
});
