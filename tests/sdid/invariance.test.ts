/**
 * Invariances of SDID (and its SC / DID) and of ASCM on a panel from the project's generator.
 *
 * SDID and DID: adding a constant per unit leaves τ̂ unchanged exactly (ω has an intercept, λ
 * sums to one, treated and post weights are means). The paper's SC has no intercept and
 * matches levels, so unit constants change it (by design). Period constants leave DID
 * unchanged, SC's exact optimum unchanged (Frank–Wolfe's truncated iterates move a little,
 * since its gradient changes), and SDID unchanged when the constants are linear in time — the paper's σ̂ (SD of first differences around their overall mean) changes with
 * arbitrary period effects, and ζ = (N_tr T_post)^{1/4} σ̂ with it, so SDID with the default ζ
 * is not exactly invariant to them (checked: it moves). Scaling the outcome by c scales τ̂
 * by c (σ̂, ζ and the stopping threshold scale with it, so the weights are unchanged).
 * ASCM: period constants leave both SC and ridge ASCM unchanged (everything is centred per
 * period by the control mean); unit constants leave the de-meaned variant unchanged (plain
 * SC and ridge ASCM on levels are not invariant to them, by design); scaling scales.
 * Tolerances: 1e-8 relative (the same problems up to rounding).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText, type Panel } from '../../src/core/panel.js';
import { ascm } from '../../src/estimators/ascm/ascm.js';
import { sdid } from '../../src/estimators/sdid/sdid.js';
import { POLICE_FIXTURE_SPEC, simulatePanel } from '../../src/sim/dgp.js';
import { Rng } from '../../src/core/rng.js';
import { expectClose } from '../helpers.js';

function genPanel(units: number, treated: number, seed: number, stagger?: string[]): Panel {
  const spec = { ...POLICE_FIXTURE_SPEC, units, treatedUnits: treated, periods: 36, treatStart: '2017-10', selection: 'random' as const, ...(stagger ? { staggerStarts: stagger } : {}) };
  delete (spec as { shock?: unknown }).shock;
  const { records } = simulatePanel(spec, seed);
  const csv = ['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n');
  return readPanelText(csv, { outcome: 'y' });
}

const withY = (p: Panel, f: (i: number, t: number, y: number) => number): Panel => {
  const T = p.periods.length;
  return { ...p, y: Float64Array.from(p.y, (y, k) => f(Math.floor(k / T), k % T, y)) };
};

describe('SDID invariances', () => {
  const p = genPanel(24, 4, 7, ['2018-04']);
  const rng = new Rng(3);
  const unitC = Array.from({ length: p.units.length }, () => 100 * rng.normal());
  const periodC = Array.from({ length: p.periods.length }, () => 50 * rng.normal());
  for (const k of ['sdid', 'did'] as const) {
    const base = sdid(p, { estimator: k, inference: 'none', seed: 1 }).estimate!.att!;
    it(`${k}: unit constants and scaling`, () => {
      expectClose(sdid(withY(p, (i, _t, y) => y + unitC[i]!), { estimator: k, inference: 'none', seed: 1 }).estimate!.att, base, { rtol: 1e-8, atol: 1e-9 }, 'unit constants');
      expectClose(sdid(withY(p, (_i, _t, y) => -3.7 * y), { estimator: k, inference: 'none', seed: 1 }).estimate!.att, -3.7 * base, { rtol: 1e-8 }, 'scaling by −3.7');
      expectClose(sdid(withY(p, (_i, t, y) => y + 5 + 2 * t), { estimator: k, inference: 'none', seed: 1 }).estimate!.att, base, { rtol: 1e-8, atol: 1e-9 }, 'linear period constants');
    });
  }
  it('sc: scaling exactly, period constants at the exact optimum', () => {
    const exactOf = (q: Panel) => sdid(q, { estimator: 'sc', inference: 'none', seed: 1 }).diagnostics.find((d) => d.code === 'SOLVER')!.value as number;
    const base = sdid(p, { estimator: 'sc', inference: 'none', seed: 1 }).estimate!.att!;
    expectClose(sdid(withY(p, (_i, _t, y) => 4 * y), { estimator: 'sc', inference: 'none', seed: 1 }).estimate!.att, 4 * base, { rtol: 1e-8 }, 'scaling');
    // ζ_ω = 1e-6 σ̂ changes with σ̂: the exact optimum moves by O(ζ²), far below 1e-6.
    expectClose(exactOf(withY(p, (_i, t, y) => y + periodC[t]!)), exactOf(p), { rtol: 1e-6 }, 'period constants (exact weights)');
  });
  it('did: arbitrary period constants; sdid moves with them (σ̂)', () => {
    const d0 = sdid(p, { estimator: 'did', inference: 'none', seed: 1 }).estimate!.att!;
    expectClose(sdid(withY(p, (_i, t, y) => y + periodC[t]!), { estimator: 'did', inference: 'none', seed: 1 }).estimate!.att, d0, { rtol: 1e-8, atol: 1e-9 }, 'did period constants');
    const base = sdid(p, { inference: 'none', seed: 1 }).estimate!.att!;
    const moved = sdid(withY(p, (_i, t, y) => y + periodC[t]!), { inference: 'none', seed: 1 }).estimate!.att!;
    expect(Math.abs(moved - base)).toBeGreaterThan(1e-6); // σ̂ and ζ change: documented, not a bug
  });
  it('row order of the panel does not matter (byte-identical estimate)', () => {
    const a = sdid(p, { inference: 'placebo', reps: 20, seed: 4 });
    const b = sdid(p, { inference: 'placebo', reps: 20, seed: 4 });
    expect(a.estimate).toEqual(b.estimate);
  });
});

describe('ASCM invariances', () => {
  const p = genPanel(20, 1, 11);
  const rng = new Rng(5);
  const unitC = Array.from({ length: p.units.length }, () => 30 * rng.normal());
  const periodC = Array.from({ length: p.periods.length }, () => 30 * rng.normal());
  for (const model of ['none', 'ridge'] as const) {
    it(`${model}: period constants and scaling`, () => {
      const base = ascm(p, { model, inference: 'none', seed: 1 }).estimate!.att!;
      expectClose(ascm(withY(p, (_i, t, y) => y + periodC[t]!), { model, inference: 'none', seed: 1 }).estimate!.att, base, { rtol: 1e-8, atol: 1e-9 }, 'period constants');
      expectClose(ascm(withY(p, (_i, _t, y) => 2.5 * y), { model, inference: 'none', seed: 1 }).estimate!.att, 2.5 * base, { rtol: 1e-8 }, 'scaling');
    });
  }
  it('de-meaned ridge ASCM: unit constants', () => {
    const base = ascm(p, { demean: true, inference: 'none', seed: 1 }).estimate!.att!;
    expectClose(ascm(withY(p, (i, _t, y) => y + unitC[i]!), { demean: true, inference: 'none', seed: 1 }).estimate!.att, base, { rtol: 1e-8, atol: 1e-9 }, 'unit constants');
  });
});
