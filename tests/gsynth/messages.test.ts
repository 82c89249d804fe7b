/**
 * gsynth refusals and warnings that name what is wrong (issue 21: "only 65 of 65 are
 * (incomplete: )"; issue 20 downstream: NO_CONTROL_DATA names the month, CV_FAILED the cause,
 * CONTROL_DROPPED is one warning with a count and examples).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { gsynth } from '../../src/estimators/gsynth/index.js';
import { recordsToCsv, simulatePanel, POLICE_FIXTURE_SPEC } from '../../src/sim/dgp.js';

const { shock: _s, ...NO_SHOCK } = POLICE_FIXTURE_SPEC;

/** Long CSV with `blank(unit, period)` cells emptied. */
function csvWith(spec: typeof NO_SHOCK, seed: number, blank: (u: string, p: string, treated: boolean) => boolean): string {
  const sim = simulatePanel(spec, seed);
  const treated = new Set(sim.truth.treatedUnits);
  const lines = recordsToCsv(sim.records).trim().split('\n');
  return [lines[0], ...lines.slice(1).map((l) => {
    const c = l.split(',');
    if (blank(c[0]!, c[1]!, treated.has(c[0]!))) c[2] = '';
    return c.join(',');
  })].join('\n') + '\n';
}

describe('gsynth refusals name both counts and the cause', () => {
  it('more treated than control areas (87 vs 65 shape): parametric refusal names both counts and the design cause, with correct advice', async () => {
    const panel = readPanelText(recordsToCsv(simulatePanel({ ...NO_SHOCK, units: 30, treatedUnits: 18, pool: 0.9 }, 5).records), { outcome: 'violence_rate' });
    const e = await gsynth(panel, { inference: 'parametric', boots: 20, seed: 1, factors: 1 }).then(() => null, (x) => x);
    expect(e.code).toBe('TOO_FEW_CONTROLS');
    expect(e.message).toContain('18 treated and 12 control units');
    expect(e.message).toContain('--inference nonparametric');
    expect(e.message).not.toContain('incomplete: )');
    // the advice works
    const ok = await gsynth(panel, { inference: 'nonparametric', boots: 20, seed: 1, factors: 1 });
    expect(ok.estimate!.ci).not.toBeNull();
  });
  it('a month with no control data: NO_CONTROL_DATA names the month and the --exclude-periods that drops it', async () => {
    const panel = readPanelText(csvWith(NO_SHOCK, 6, (_u, p, tr) => !tr && p === '2017-03'), { outcome: 'violence_rate' });
    const e = await gsynth(panel, { inference: 'none', seed: 1, factors: 1 }).then(() => null, (x) => x);
    expect(e.code).toBe('NO_CONTROL_DATA');
    expect(e.message).toContain('2017-03');
    expect(e.message).toContain('--exclude-periods 2017-03:2017-03');
    expect(e.message).not.toContain('index');
    const ok = await gsynth(panel, { inference: 'none', seed: 1, factors: 1, excludePeriods: ['2017-03:2017-03'] });
    expect(Number.isFinite(ok.estimate!.att)).toBe(true);
  });
  it('controls with no data at all: one CONTROL_DROPPED warning with the count and examples', async () => {
    const sim = simulatePanel(NO_SHOCK, 7);
    const treated = new Set(sim.truth.treatedUnits);
    const gone = [...new Set(sim.records.map((r) => r.unit))].filter((u) => !treated.has(u)).slice(0, 8);
    const panel = readPanelText(csvWith(NO_SHOCK, 7, (u) => gone.includes(u)), { outcome: 'violence_rate' });
    const a = await gsynth(panel, { inference: 'none', seed: 1, factors: 1 });
    const w = a.warnings.filter((x) => x.code === 'CONTROL_DROPPED');
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toContain(`8 of 48 control unit(s)`);
    expect(w[0]!.message).toContain(gone[0]!);
    expect(w[0]!.message).toContain('(3 more)');
  });
});
