/**
 * Issue 21: coverage of ascm's ATT intervals (conformal with i.i.d. permutations of the averaged
 * residual; jackknife+ for the post-period mean by leave-one-block-out) in three police-like
 * designs (tests/ascm/montecarlo.ts). Target: 93–97% at 95%.
 *
 * The recorded run (tests/ascm/montecarlo.results.json, one row per replication) is what
 * docs/methods/ascm.md tabulates. Always (fast): the first replications of every design and
 * interval are recomputed and must equal the recorded rows exactly (so the record comes from this
 * code); every recorded interval contains its estimate and agrees with its p-value; the coverage
 * of each design × interval is in [93%, 97%] widened by 2 MC SEs (at 95%), or is one of the shortfalls the
 * docs and the document's warnings name; the docs table equals the record's summary.
 * Slow (VRU_SLOW=1): every recorded replication is recomputed and compared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESIGNS, replicate, summarise, type Replication } from './montecarlo.js';

const RECORD: Replication[] = JSON.parse(readFileSync(new URL('./montecarlo.results.json', import.meta.url), 'utf8'));
const METHODS = ['conformal', 'jackknife+'] as const;

function sameRow(fresh: Replication, recorded: Replication | undefined): void {
  expect(recorded, `replication ${fresh.design}/${fresh.inference}/${fresh.m} is recorded`).toBeDefined();
  expect(fresh.att).toBe(recorded!.att);
  expect(fresh.ci).toEqual(recorded!.ci);
  expect(fresh.pValue).toBe(recorded!.pValue);
  expect(fresh.used).toBe(recorded!.used);
  // Warnings added after the record was made (they change no number): checked separately.
  expect(fresh.warnings.filter((c) => !LATER_WARNINGS.includes(c))).toEqual(recorded!.warnings);
  expect(fresh.warnings.includes('TREATED_OUTSIDE_DONOR_RANGE'), `${fresh.design}/${fresh.m}: TREATED_OUTSIDE_DONOR_RANGE`).toBe(fresh.design === 'hotspots');
}
const LATER_WARNINGS = ['TREATED_OUTSIDE_DONOR_RANGE', 'INTERVAL_EXTENDED_TO_ESTIMATE'];
const recorded = (d: string, inf: string, m: number) => RECORD.find((x) => x.design === d && x.inference === inf && x.m === m);

describe('ascm ATT intervals: the recorded Monte Carlo', () => {
  it('the first replication of every design and interval is reproduced exactly', () => {
    for (const d of DESIGNS) for (const inf of METHODS) sameRow(replicate(d, inf, 0), recorded(d, inf, 0));
  }, 120_000);

  it('every recorded interval contains its estimate; p ≤ 0.05 exactly when 0 is outside the interval', () => {
    for (const r of RECORD) {
      if (!r.ci) continue;
      expect(r.ci[0], `${r.design}/${r.inference}/${r.m}`).toBeLessThanOrEqual(r.att);
      expect(r.ci[1], `${r.design}/${r.inference}/${r.m}`).toBeGreaterThanOrEqual(r.att);
      if (r.pValue !== null) expect(r.pValue <= 0.05, `${r.design}/${r.m}: p ${r.pValue}, ci ${r.ci}`).toBe(r.ci[0] > 0 || r.ci[1] < 0);
    }
  });

  it('coverage is in 93–97% within 2 MC SEs, except the shortfalls documented (and warned about)', () => {
    for (const d of DESIGNS) for (const inf of METHODS) {
      const s = summarise(RECORD, d, inf);
      expect(s.R, `${d}/${inf}`).toBeGreaterThanOrEqual(60);
      // Tolerance: 2 MC SEs of a coverage estimate at the nominal 95% (the binomial SE at p̂ is 0 when p̂ = 1).
      const se0 = Math.sqrt((0.95 * 0.05) / s.n);
      const inBand = s.coverage >= 0.93 - 2 * se0 && s.coverage <= 0.97 + 2 * se0;
      const documented = SHORTFALLS.some((x) => x.design === d && x.inference === inf);
      expect(inBand || documented, `${d}/${inf}: ${(100 * s.coverage).toFixed(1)}% ± ${(100 * s.mcse).toFixed(1)} (R = ${s.R})`).toBe(true);
      if (documented) expect(inBand, `${d}/${inf} is listed as a shortfall but is in the band now: remove it`).toBe(false);
    }
  });

  it('docs/methods/ascm.md tabulates the recorded run', () => {
    const doc = readFileSync(new URL('../../docs/methods/ascm.md', import.meta.url), 'utf8');
    for (const d of DESIGNS) for (const inf of METHODS) {
      const s = summarise(RECORD, d, inf);
      const row = `| ${d} | ${inf} | ${s.R} | ${(100 * s.coverage).toFixed(1)}% | ${(100 * s.mcse).toFixed(1)} | ${s.meanWidth.toFixed(2)} | ${s.sdEstimate.toFixed(2)} | ${s.poorPreFit} |`;
      expect(doc, row).toContain(row);
    }
  });
});

describe.skipIf(!process.env.VRU_SLOW)('ascm ATT intervals: every recorded replication (slow, VRU_SLOW=1)', () => {
  it('is reproduced exactly', () => {
    for (const r of RECORD) sameRow(replicate(r.design, r.inference, r.m), r);
  }, 7_200_000);
});

/** Design × interval pairs whose recorded coverage is below the band (see docs/methods/ascm.md). */
const SHORTFALLS: { design: string; inference: string }[] = [
  // Treated areas at three times their level: the leave-block-out refits do not see the
  // extrapolation error of the post period (TREATED_OUTSIDE_DONOR_RANGE warns and says what to do).
  { design: 'hotspots', inference: 'jackknife+' },
];
