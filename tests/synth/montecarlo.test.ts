/**
 * Monte Carlo check of the conformal ATT interval on panels from the project's generator
 * (src/sim/dgp.ts: 40 areas × 48 months, 6 treated from 2019-04 chosen among the most
 * violent, true effect −4). Fast version: 3 replications, each CI must cover the truth
 * (P(a miss) ≈ 0.05 each, fixed seeds). Slow version (VRU_SLOW=1): 100 replications,
 * coverage ≥ 0.88 (0.95 − 3 Monte Carlo SEs of √(0.95·0.05/100) ≈ 0.022).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { synth } from '../../src/estimators/synth/synth.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../../src/sim/dgp.js';

function replicate(seed: number) {
  const { shock: _noShock, ...base } = POLICE_FIXTURE_SPEC;
  const spec = { ...base, units: 40, treatedUnits: 6, periods: 48, firstPeriod: '2016-04' };
  const sim = simulatePanel(spec, 1000 + seed);
  const panel = readPanelText(recordsToCsv(sim.records), { outcome: 'violence_rate' });
  const a = synth(panel, { seed: 1, inference: 'conformal', placebo: 'none' });
  const est = a.estimate!;
  const ci = est.ci;
  let perIn = 0;
  let perN = 0;
  for (const p of a.path) if (p.ci) { perN++; if (p.ci[0] <= spec.effect && spec.effect <= p.ci[1]) perIn++; }
  return { covered: ci !== null && ci[0] <= sim.truth.att && sim.truth.att <= ci[1], att: est.att as number, truth: sim.truth.att, perIn, perN };
}

describe('conformal ATT interval: coverage on simulated panels', () => {
  it('fast: 3 replications, each interval covers the true ATT', () => {
    for (let s = 1; s <= 3; s++) {
      const r = replicate(s);
      expect(r.covered, `replication ${s}: ATT ${r.att}, truth ${r.truth}`).toBe(true);
    }
  });

  it.skipIf(!process.env.VRU_SLOW)('slow: 100 replications, coverage ≥ 0.88', () => {
    let covered = 0;
    let perIn = 0;
    let perN = 0;
    let bias = 0;
    const R = 100;
    for (let s = 1; s <= R; s++) {
      const r = replicate(s);
      if (r.covered) covered++;
      perIn += r.perIn;
      perN += r.perN;
      bias += (r.att - r.truth) / R;
    }
    console.log(`conformal ATT coverage ${covered / R}, per-period coverage ${perIn / perN}, mean ATT error ${bias}`);
    expect(covered / R).toBeGreaterThanOrEqual(0.88);
  }, 600_000);
});
