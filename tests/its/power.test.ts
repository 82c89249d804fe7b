/**
 * Issue 22: `vru-eval power --method its` runs ITS with the error model ITS would choose
 * (--errors auto) on each placebo design, so its test has about the nominal size. Before, power's
 * ITS runs used OLS errors, which over-reject on autocorrelated series (POWER_SIZE 12–25% on the
 * fixture).
 *
 * Generated panels (src/sim/itsDrift.ts, no treated areas, no effect): 30 areas, 120 months,
 * AR(1) area errors ρ = 0.5, with no common factor ('stationary') or a random-walk common factor
 * (step SD 0.5). Power's placebo designs put 4 pseudo-treated areas on a hypothetical start with
 * a 24-month post-period. The size must be at most 5% + 3 MC SEs (80 designs: MC SE 2.4 points,
 * bound 12.3%). The designs share one generated panel, so they share its noise. (Before the ARMA
 * effect fix in estimate.ts the stationary design gave 11.3%; after it 3.8%.)
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { simulatePower } from '../../src/power/simulate.js';
import { methodRunner } from '../../src/power/runner.js';
import { ITS_DRIFT_SPEC, simulateDriftPanel } from '../../src/sim/itsDrift.js';

const SIMS = 80;
const base = { effectType: 'additive' as const, direction: 'decrease' as const, power: 0.8, alpha: 0.05, placebo: 'space' as const, reps: 30, seed: 11, outcomeScale: null, ratePer: 1e5, effects: [0, 1] };

function panel(factorSd: number) {
  const spec = { ...ITS_DRIFT_SPEC, periods: 120, interruption: 120, treated: 0, controls: 30, factorSd };
  return readPanelText(simulateDriftPanel(spec, 4242), { outcome: 'y' });
}

describe('power --method its: the size of the test ITS would run', () => {
  it('records --errors auto as the runs\' inference', () => {
    const r = methodRunner('its', { level: 0.95, reps: 10 });
    expect(r.settings.errors).toBe('auto');
    expect(r.shiftEquivariant).toBe(true);
  });
  for (const [name, sd] of [['stationary AR(1) errors', 0], ['random-walk common factor', 0.5]] as const) {
    it(`${name}: size within 3 MC SEs of 5%`, async () => {
      const r = await simulatePower(panel(sd), { ...base, method: 'its', sims: SIMS, start: 120, nTreated: 4, post: 24 } as Parameters<typeof simulatePower>[1]);
      const bound = 0.05 + 3 * Math.sqrt((0.05 * 0.95) / SIMS);
      console.log(`power its, ${name}: size ${(100 * r.size.value).toFixed(1)}% (${r.size.rejections}/${SIMS}, MC SE ${(100 * r.size.mcSe).toFixed(1)} points)`);
      expect(r.size.value).toBeLessThanOrEqual(bound);
    }, 120_000);
  }
});
