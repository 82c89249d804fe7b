/**
 * The seeded panel generator (src/sim/dgp.ts) is deterministic in (spec, seed): the same seed gives
 * the same panel byte for byte. The strongest reference is the shipped fixture: it was written by
 * scripts/makeFixtures.ts from simulatePanel(POLICE_FIXTURE_SPEC, 2019) and committed, so today's
 * generator must reproduce fixtures/police_monthly.csv and its truth file exactly (any change to the
 * order or number of draws fails this). Other designs (staggered, quarterly, loadings selection) are
 * checked for repeatability and for their own truth.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel, type PanelSpec } from '../../src/sim/dgp.js';
import { FIXTURE, ROOT } from '../helpers.js';

describe('simulatePanel is deterministic in (spec, seed)', () => {
  it('reproduces the shipped fixture byte for byte (seed 2019) and its truth', () => {
    const { records, truth } = simulatePanel(POLICE_FIXTURE_SPEC, 2019);
    expect(recordsToCsv(records)).toBe(readFileSync(FIXTURE, 'utf8'));
    const shipped = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'police_monthly.truth.json'), 'utf8'));
    expect(truth.att).toBe(shipped.att);
    expect(truth.treatedUnits).toEqual(shipped.treatedUnits);
    expect(truth.pathEffect).toEqual(shipped.pathEffect);
  });

  it('the same seed twice gives identical records and truth; another seed does not', () => {
    const { shock: _shock, ...noShock } = POLICE_FIXTURE_SPEC;
    const specs: PanelSpec[] = [
      { ...noShock, selection: 'loadings' },
      { ...POLICE_FIXTURE_SPEC, selection: 'random', staggerStarts: ['2019-10', '2020-01'], rampPeriods: 6 },
      { ...POLICE_FIXTURE_SPEC, frequency: 'quarterly', firstPeriod: '2015-Q2', periods: 22, treatStart: '2019-Q2', shock: { from: '2020-Q2', to: '2020-Q2', size: -5 } },
    ];
    for (const spec of specs) {
      const a = simulatePanel(spec, 7);
      const b = simulatePanel(spec, 7);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(recordsToCsv(simulatePanel(spec, 8).records)).not.toBe(recordsToCsv(a.records));
      // the truth agrees with the records: ATT = mean of (outcome − y0) over treated cells
      const eff = a.records.filter((r) => r.treated === 1).map((r) => r.outcome - r.y0);
      expect(Math.abs(eff.reduce((s, e) => s + e, 0) / eff.length - a.truth.att)).toBeLessThan(1e-9);
      expect(a.truth.treatedUnits).toHaveLength(spec.treatedUnits);
    }
  });
});
