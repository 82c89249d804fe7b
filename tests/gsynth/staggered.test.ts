/**
 * Staggered adoption on the project's generator: three cohorts (2019-04, 2019-10,
 * 2020-01), true effect −4 from each unit's own start. Checks that each unit uses its
 * own start (calendar path uses only units treated in that month; event path counts
 * units by months since their start) and that the estimate recovers the truth.
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { gsynth } from '../../src/estimators/gsynth/index.js';
import { POLICE_FIXTURE_SPEC, simulatePanel } from '../../src/sim/dgp.js';
import { expectClose } from '../helpers.js';

describe('gsynth with staggered adoption', () => {
  it('uses each unit’s own start and recovers the effect', async () => {
    const spec = { ...POLICE_FIXTURE_SPEC, units: 80, treatedUnits: 15, staggerStarts: ['2019-10', '2020-01'] };
    const { records, truth } = simulatePanel(spec, 31);
    const csv = ['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n');
    const a = await gsynth(readPanelText(csv, { outcome: 'y' }), { inference: 'nonparametric', boots: 200, seed: 2 });
    const starts = Object.values(truth.starts);
    expect(new Set(starts).size).toBe(3);
    // Calendar path: in 2019-06 only the first cohort (5 units) is treated; from 2020-01 all 15.
    const at = (p: string) => a.path.find((x) => x.period === p)!;
    expect(at('2019-06').n).toBe(starts.filter((s) => s <= '2019-06').length);
    expect(at('2020-02').n).toBe(15);
    // Event path: event time 0 has all 15 units; event time 17 only the first cohort.
    const ev = a.eventPath as { eventTime: number; n: number; effect: number }[];
    expect(ev.find((e) => e.eventTime === 0)!.n).toBe(15);
    expect(ev.find((e) => e.eventTime === 17)!.n).toBe(starts.filter((s) => s === '2019-04').length);
    // Units report their own start.
    for (const u of a.units) expect(u.start).toBe(truth.starts[u.unit]);
    // 15 treated, ~13 post months each, σ = 1.5: SE ≈ 0.3 → ±0.6 (2 SE), and the CI must cover.
    expectClose(a.estimate!.att, truth.att, { atol: 0.6 }, 'staggered ATT');
    expect(a.estimate!.ci![0]).toBeLessThanOrEqual(truth.att);
    expect(a.estimate!.ci![1]).toBeGreaterThanOrEqual(truth.att);
  }, 60_000);
});
