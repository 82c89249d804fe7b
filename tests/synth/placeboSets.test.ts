/**
 * Synth's programme-level placebo p-value with several treated units is liberal (PLACEBO_P_LIBERAL):
 * the treated units' mean RMSPE ratio varies more than random placebo sets' means (cause not yet
 * pinned down; see the comment on PLACEBO_SETS_WARNING in src/estimators/synth/synth.ts). The
 * warning quotes the simulated size; this file keeps it honest:
 *  - fast: the warning is in every multi-treated placebo document and in no single-treated one;
 *  - VRU_SLOW (200 generated panels each, 40 areas, 18 periods, 3 post; MC SE ≈ 1.5–2.3 points):
 *    one treated unit stays at or below 5% + 2 MC SE; five treated reject within 2 MC SE of the
 *    11.5% the warning quotes (measured 2026-12-07: 11.0%).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText, type Panel } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { analyse } from '../../src/analyse.js';

const SLOW = process.env.VRU_SLOW === '1';

/** y_it = a_i + γ_t + l_i f_t + ε_it, the first nTr units treated in the last 3 periods (no effect). */
function panel(rng: Rng, nTr: number, N = 40, T = 18): Panel {
  const start = T - 3;
  const lines = ['unit,period,y,treated'];
  const gamma = Array.from({ length: T }, () => rng.normal());
  const f = Array.from({ length: T }, () => rng.normal());
  for (let i = 0; i < N; i++) {
    const a = rng.normal();
    const l = rng.normal();
    for (let t = 0; t < T; t++) lines.push(`u${i},${2000 + t},${a + gamma[t]! + l * f[t]! + rng.normal()},${i < nTr && t >= start ? 1 : 0}`);
  }
  return readPanelText(lines.join('\n') + '\n', { outcome: 'y' }, 'gen.csv');
}

async function size(nTr: number, R: number): Promise<number> {
  let rej = 0;
  for (let s = 0; s < R; s++) {
    const a = (await analyse(panel(new Rng(7000 + s), nTr), { method: 'synth', inference: 'placebo', seed: s + 1, reps: 1000 })).analysis;
    if ((a.estimate!.pValue as number) < 0.05) rej++;
  }
  return rej / R;
}

describe('synth programme-level placebo p-value with several treated units', () => {
  it('PLACEBO_P_LIBERAL is in multi-treated placebo documents only', async () => {
    const codes = async (nTr: number) => (await analyse(panel(new Rng(1), nTr), { method: 'synth', inference: 'placebo', seed: 1, reps: 200 })).analysis.warnings.map((w) => w.code);
    expect(await codes(5)).toContain('PLACEBO_P_LIBERAL');
    expect(await codes(2)).toContain('PLACEBO_P_LIBERAL');
    expect(await codes(1)).not.toContain('PLACEBO_P_LIBERAL');
  }, 60_000);

  it.skipIf(!SLOW)('Monte Carlo size at 5%: one treated unit ≤ 5% + 2 MC SE; five treated within 2 MC SE of the quoted 11.5% (200 panels each)', async () => {
    const R = 200;
    const one = await size(1, R);
    const five = await size(5, R);
    console.log(`synth placebo size at 5%: 1 treated ${one}, 5 treated ${five} (R = ${R})`);
    expect(one).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / R));
    expect(Math.abs(five - 0.115)).toBeLessThanOrEqual(2 * Math.sqrt((0.115 * 0.885) / R));
  }, 1_800_000);
});
