/**
 * Per-period and cumulative-path intervals from the placebo distribution (permutation inference):
 * present for every post period, around the point effect, the last cumulative band equal to the
 * headline cumulative interval, none for the pre-period or other headline inferences, and the
 * same for any thread count (placebo set b always comes from stream b).
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
    expect(last.cumulativeCi![0]).toBeCloseTo(est.cumulative.ci[0], 10);
    expect(last.cumulativeCi![1]).toBeCloseTo(est.cumulative.ci[1], 10);
    // A single post period's band is wider (relative to its effect) than the band of the total.
    const first = a.path[t0]!;
    expect((first.ci![1] - first.ci![0]) * 4).toBeGreaterThan(last.cumulativeCi![1] - last.cumulativeCi![0]);
    const j = await micro(data, { ...BASE, inference: ['jackknife', 'permutation'], perms: 20 });
    expect(j.path[t0]!.ci).toBeNull();
  });
});
