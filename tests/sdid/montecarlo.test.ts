/**
 * Monte Carlo of SDID's default inference (placebo, Algorithm 4) on the project's generator
 * (src/sim/dgp.ts): 40 areas × 36 months, 24 pre-periods, treated areas drawn at random
 * (selection 'random', so treated and control errors are exchangeable, the placebo's
 * assumption), two factors, unit effects, trend, seasonality, σ = 1.5, effect −4.
 *
 * Full version (VRU_SLOW=1): 500 replications each with 8 and with 2 treated areas, 100 placebo
 * draws: |bias| < 5% of the effect and 95% CI coverage in [93%, 97%] (binomial SE ≈ 1%).
 * Fast version (always): 25 replications each, 30 draws: |bias| < 10% of the effect and at
 * least 22 of 25 intervals cover (P(≤ 21 of 25) ≈ 0.7% at 95% coverage).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { sdid } from '../../src/estimators/sdid/sdid.js';
import { POLICE_FIXTURE_SPEC, simulatePanel, type PanelSpec } from '../../src/sim/dgp.js';

function monteCarlo(treated: number, reps: number, draws: number) {
  const spec: PanelSpec = { ...POLICE_FIXTURE_SPEC, units: 40, periods: 36, treatStart: '2017-04', treatedUnits: treated, selection: 'random' };
  delete (spec as Partial<PanelSpec>).shock;
  let bias = 0;
  let covered = 0;
  for (let m = 0; m < reps; m++) {
    const { records, truth } = simulatePanel(spec, 5000 + 17 * treated + m);
    const panel = readPanelText(['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n'), { outcome: 'y' });
    const a = sdid(panel, { reps: draws, seed: m });
    bias += (a.estimate!.att! - truth.att) / reps;
    const ci = a.estimate!.ci!;
    if (ci[0] <= truth.att && truth.att <= ci[1]) covered++;
  }
  return { bias, coverage: covered / reps, covered };
}

describe('SDID Monte Carlo (fast)', () => {
  for (const treated of [8, 2]) {
    it(`${treated} treated areas: small bias, intervals cover`, () => {
      const r = monteCarlo(treated, 25, 30);
      expect(Math.abs(r.bias)).toBeLessThan(0.4);
      expect(r.covered).toBeGreaterThanOrEqual(22);
    });
  }
});

describe.skipIf(!process.env.VRU_SLOW)('SDID Monte Carlo (slow, VRU_SLOW=1)', () => {
  for (const treated of [8, 2]) {
    it(`${treated} treated areas: |bias| < 5% and coverage 93–97%`, () => {
      const r = monteCarlo(treated, 500, 100);
      console.log(`SDID Monte Carlo, ${treated} treated: bias ${r.bias.toFixed(4)}, coverage ${(100 * r.coverage).toFixed(1)}%`);
      expect(Math.abs(r.bias)).toBeLessThan(0.2);
      expect(r.coverage).toBeGreaterThanOrEqual(0.93);
      expect(r.coverage).toBeLessThanOrEqual(0.97);
    }, 1_200_000);
  }
});
