/**
 * Seattle Drug Market Intervention (../shared/datasets/seattledmi; Robbins, Saunders & Kilmer
 * 2017; Robbins & Davenport 2021, Table 2; microsynth 2.0.51 vignette `sea1`): 39 treated blocks,
 * 9,603 controls, pre quarters 1–12, post 13–16, exact matching on i_felony, i_misdemea, i_drugs,
 * any_crime by quarter and nine census counts (58 constraints with the intercept).
 *
 * Published (microsynth): Trt 46 / 45 / 20 / 788; Con 68.22 / 71.80 / 23.76 / 986.44;
 * % change −32.6 / −37.3 / −15.8 / −20.1.
 *
 * microsynth's weights come from survey::calibrate with its defaults calfun = "linear" and
 * bounds = c(0, Inf) (microsynth's documented defaults), i.e. the truncated linear (χ², w ≥ 0)
 * distance: `--calfun linear` here. With it we reproduce Con to the published two decimals
 * (68.222 / 71.800 / 23.759 / 986.434). Tolerances: synthetic totals within 0.006 (half a unit of
 * the published rounding), percentage changes within 0.05 points (same), both far inside the
 * issue's 1.5 points.
 *
 * Our default distance is raking (the issue's specification). The problem is degenerate: the
 * weight-range LPs show exactly balancing weightings give felony counterfactuals anywhere in
 * ≈[30.8, 118.3], so the two distances' choices differ noticeably: raking gives 69.54 / 68.39 /
 * 22.98 / 973.46 (−33.85 / −34.20 / −12.95 / −19.05 %). That run is pinned as a regression value
 * (not a published one), and the published counterfactuals must lie inside our exact-balance range.
 */
import { describe, expect, it } from 'vitest';
import { readPanel } from '../../src/core/panel.js';
import { micro, microDataFromPanel } from '../../src/estimators/micro/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, dataset, hasShared } from '../helpers.js';
import { BASE } from './helpers.js';

const OUT = ['i_felony', 'i_misdemea', 'i_drugs', 'any_crime'];
const COV = ['TotalPop', 'BLACK', 'HISPANIC', 'Males_1521', 'HOUSEHOLDS', 'FAMILYHOUS', 'FEMALE_HOU', 'RENTER_HOU', 'VACANT_HOU'];
const PUBLISHED = { pct: [-32.6, -37.3, -15.8, -20.1], con: [68.22, 71.8, 23.76, 986.44], trt: [46, 45, 20, 788] };

/** The Seattle table rows of the micro page (moved there from the README, issue 23), checked against the runs below (numbers as the page writes them). */
const PAGE = 'docs/methods/micro.md';
const README = readFileSync(join(ROOT, PAGE), 'utf8');
const NAMES = ['felonies', 'misdemeanours', 'drugs', 'any crime'];
const fmt = (x: number, d: number) => x.toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d }).replace(/^-/, '\u2212');
const linearCells: string[] = [];

describe.skipIf(!hasShared)('micro on Seattle DMI (Robbins & Davenport 2021, Table 2)', () => {
  const load = () => microDataFromPanel(readPanel(dataset('seattledmi'), { outcome: OUT[0]!, covariates: [...OUT.slice(1), ...COV] }), OUT, COV);
  it('reproduces the published synthetic totals and percentage changes with microsynth\'s linear distance', async () => {
    const a = await micro(load(), { ...BASE, distance: 'linear' });
    const cal = a.calibration as { exact: boolean; maxRelativeImbalance: number; method: string };
    expect(cal.exact).toBe(true);
    expect(cal.method).toBe('linear');
    expect(cal.maxRelativeImbalance).toBeLessThanOrEqual(1e-8);
    const res = a.effects as { outcome: string; treatedTotal: number; syntheticTotal: number; percentChange: number }[];
    res.forEach((r, k) => {
      expect(r.treatedTotal).toBe(PUBLISHED.trt[k]);
      expect(Math.abs(r.syntheticTotal - PUBLISHED.con[k]!), `${r.outcome}: Con ${r.syntheticTotal} vs ${PUBLISHED.con[k]}`).toBeLessThanOrEqual(0.006);
      expect(Math.abs(r.percentChange - PUBLISHED.pct[k]!), `${r.outcome}: ${r.percentChange} vs ${PUBLISHED.pct[k]}`).toBeLessThanOrEqual(0.05);
      linearCells[k] = `${fmt(r.percentChange, 2)} (Con ${fmt(r.syntheticTotal, 2)})`;
    });
  }, 120_000);

  it('raking (the default): exact balance, inside the exact-balance range, pinned regression values', async () => {
    const data = load();
    const a = await micro(data, { ...BASE, weightRange: true, inference: ['linearisation'] });
    const cal = a.calibration as { exact: boolean; maxRelativeImbalance: number; constraints: number; treatedUnits: number; controlUnits: number };
    expect(cal.exact).toBe(true);
    expect(cal.constraints).toBe(58);
    expect([cal.treatedUnits, cal.controlUnits]).toEqual([39, 9603]);
    expect(cal.maxRelativeImbalance).toBeLessThanOrEqual(1e-8);
    const res = a.effects as { outcome: string; treatedTotal: number; syntheticTotal: number; percentChange: number; weightRange: { syntheticMin: number; syntheticMax: number } }[];
    res.forEach((r, k) => {
      expect(r.treatedTotal).toBe(PUBLISHED.trt[k]);
      expect(r.weightRange.syntheticMin).toBeLessThan(PUBLISHED.con[k]!);
      expect(r.weightRange.syntheticMax).toBeGreaterThan(PUBLISHED.con[k]!);
      expect(r.weightRange.syntheticMin).toBeLessThanOrEqual(r.syntheticTotal);
      expect(r.weightRange.syntheticMax).toBeGreaterThanOrEqual(r.syntheticTotal);
    });
    // Regression pin of this implementation's converged raking solution (not a published value).
    [-33.85, -34.2, -12.95, -19.05].forEach((v, k) => expect(res[k]!.percentChange).toBeCloseTo(v, 1));
    // The micro page's table says what these runs give (the linear cells from the test above, or
    // computed here when this test runs alone).
    if (linearCells.length === 0) {
      const lin = (await micro(data, { ...BASE, distance: 'linear' })).effects as { syntheticTotal: number; percentChange: number }[];
      lin.forEach((r, k) => (linearCells[k] = `${fmt(r.percentChange, 2)} (Con ${fmt(r.syntheticTotal, 2)})`));
    }
    res.forEach((r, k) => {
      const row = `| ${NAMES[k]} | ${fmt(PUBLISHED.pct[k]!, 1)} (Con ${fmt(PUBLISHED.con[k]!, 2)}) | ${linearCells[k]} | ${fmt(r.percentChange, 2)} (Con ${fmt(r.syntheticTotal, 2)}) | ${fmt(r.weightRange.syntheticMin, 1)} – ${fmt(r.weightRange.syntheticMax, 1)} |`;
      expect(README.includes(row), `${PAGE} should have the row: ${row}`).toBe(true);
    });
  }, 120_000);
});
