/**
 * Issue 21: a pre-period misfit larger than the effect is a POOR_PRE_FIT warning in every
 * synthetic-control method (gsynth, synth, sdid, ascm), and the fixture (good fit: pre-period
 * RMSPE ≈ 0.5 against an effect of −4) has none.
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import type { Analysis } from '../../src/core/result.js';
import { ascm } from '../../src/estimators/ascm/ascm.js';
import { gsynth } from '../../src/estimators/gsynth/index.js';
import { sdid } from '../../src/estimators/sdid/sdid.js';
import { synth } from '../../src/estimators/synth/synth.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../../src/sim/dgp.js';

const { shock: _s, ...BASE } = POLICE_FIXTURE_SPEC;
const sim = simulatePanel({ ...BASE, treatedUnits: 1 }, 11);
const rng = new Rng(12);
const treated = new Set(sim.truth.treatedUnits);
/** The one treated area gets month-to-month noise of SD 12: no weighting of controls can follow it. */
const noisy = readPanelText(recordsToCsv(sim.records.map((r) => (treated.has(r.unit) ? { ...r, outcome: r.outcome + 12 * rng.normal() } : r))), { outcome: 'violence_rate' });
const clean = readPanelText(recordsToCsv(simulatePanel(BASE, 11).records), { outcome: 'violence_rate' });

const methods: [string, (p: typeof clean) => Promise<Analysis> | Analysis][] = [
  ['gsynth', (p) => gsynth(p, { inference: 'none', seed: 1, factors: 1 })],
  ['synth', (p) => synth(p, { inference: 'none', placebo: 'none', seed: 1, uniquenessTol: null } as Parameters<typeof synth>[1])],
  ['sdid', (p) => sdid(p, { inference: 'none', seed: 1 })],
  ['ascm', (p) => ascm(p, { inference: 'none', seed: 1 })],
];

describe('POOR_PRE_FIT', () => {
  for (const [name, run] of methods) {
    it(`${name}: warned when the pre-period misfit exceeds the effect, not on a well-fitting panel`, async () => {
      const bad = await run(noisy);
      const w = bad.warnings.filter((x) => x.code === 'POOR_PRE_FIT');
      expect(w, JSON.stringify(bad.warnings)).toHaveLength(1);
      expect(w[0]!.message).toMatch(/times the estimated effect|pre-period RMSPE/);
      const good = await run(clean);
      expect(good.warnings.map((x) => x.code)).not.toContain('POOR_PRE_FIT');
    }, 120_000);
  }
});
