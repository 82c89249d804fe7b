/**
 * Issue 21: ascm's default conformal interval is computed, or replaced by jackknife+ with a
 * warning that says why — never `ci: null` in silence.
 *
 * Why a conformal set can be unbounded (found on police-like panels): (a) per period, the
 * moving-block permutation p-value is at least 1/T, so with T ≤ 20 periods nothing is rejected at
 * 5% (the ATT's test uses i.i.d. permutations and is unaffected; NO_PERIOD_INTERVALS says so);
 * (b) with at least as many controls as fitted periods and λ = 0, the refit under H₀ reproduces
 * any shift θ of the post periods, so no θ is rejected.
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { ascm } from '../../src/estimators/ascm/ascm.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../../src/sim/dgp.js';

const { shock: _shock, ...NO_SHOCK } = POLICE_FIXTURE_SPEC;
const panelOf = (over: Partial<typeof POLICE_FIXTURE_SPEC>, seed: number, base: typeof POLICE_FIXTURE_SPEC = POLICE_FIXTURE_SPEC) => {
  const sim = simulatePanel({ ...base, ...over }, seed);
  return { panel: readPanelText(recordsToCsv(sim.records), { outcome: 'violence_rate' }), truth: sim.truth };
};

describe('ascm conformal interval: computed, or jackknife+ with a warning', () => {
  it('many controls, ridge λ = 0 (the refit reproduces any shift): jackknife+ is reported, labelled, with CONFORMAL_UNBOUNDED naming the cause', () => {
    const { panel, truth } = panelOf({ periods: 30, firstPeriod: '2018-01', treatStart: '2019-09' }, 702, NO_SHOCK);
    const a = ascm(panel, { seed: 1, lambda: 0 });
    const w = a.warnings.find((x) => x.code === 'CONFORMAL_UNBOUNDED');
    expect(w, JSON.stringify(a.warnings)).toBeDefined();
    expect(w!.message).toContain('48 control units for 30 fitted periods');
    expect(a.estimate!.inference).toBe('jackknife+ (conformal unbounded)');
    const ci = a.estimate!.ci!;
    expect(ci).not.toBeNull();
    expect(ci[0]).toBeLessThanOrEqual(a.estimate!.att!);
    expect(ci[1]).toBeGreaterThanOrEqual(a.estimate!.att!);
    expect(a.estimate!.pValue).toBeNull();
    expect(ci[0]).toBeLessThan(truth.att);
    expect(ci[1]).toBeGreaterThan(truth.att);
    // the same fit with jackknife+ asked for gives the same interval
    const j = ascm(panel, { seed: 1, lambda: 0, inference: 'jackknife+' });
    expect(j.estimate!.ci).toEqual(ci);
  });
  it('18 periods (per-period p-value ≥ 1/18 > 0.05): the ATT interval is computed (i.i.d. permutations), and NO_PERIOD_INTERVALS says why there are no per-period ones and what to do', () => {
    const { panel, truth } = panelOf({ periods: 18, firstPeriod: '2018-01', treatStart: '2019-01' }, 703, NO_SHOCK);
    const a = ascm(panel, { seed: 1 });
    expect(a.estimate!.inference).toBe('conformal');
    const ci = a.estimate!.ci!;
    expect(ci[0]).toBeLessThanOrEqual(a.estimate!.att!);
    expect(ci[1]).toBeGreaterThanOrEqual(a.estimate!.att!);
    expect(ci[0]).toBeLessThan(truth.att);
    expect(ci[1]).toBeGreaterThan(truth.att);
    expect(a.estimate!.pValue! <= 0.05).toBe(ci[0] > 0 || ci[1] < 0);
    expect(a.path.every((p) => p.ci === null)).toBe(true);
    const w = a.warnings.find((x) => x.code === 'NO_PERIOD_INTERVALS')!;
    expect(w.message).toContain('1/18');
    expect(w.message).toContain('at least 19 pre-periods');
  });
  it('ordinary police-like panel (66 months, 48 controls): the conformal interval is computed and contains the estimate', () => {
    const { panel, truth } = panelOf({}, 700);
    const a = ascm(panel, { seed: 1 });
    expect(a.estimate!.inference).toBe('conformal');
    const ci = a.estimate!.ci!;
    expect(ci[0]).toBeLessThanOrEqual(a.estimate!.att!);
    expect(ci[1]).toBeGreaterThanOrEqual(a.estimate!.att!);
    expect(ci[0]).toBeLessThan(truth.att);
    expect(ci[1]).toBeGreaterThan(truth.att);
    expect(a.warnings.map((x) => x.code)).not.toContain('CONFORMAL_UNBOUNDED');
  });
});
