/**
 * Coverage Monte Carlo for micro's intervals (issue 21), on the project's micro-area generator
 * (src/sim/microDgp.ts): 1,200 areas × 16 months, 30 treated, a true 25% fall, matching on two
 * outcomes by month (auto: 2 × 12 constraints fit 1,170/20) and two covariates, linear distance.
 * Truth per replication: the realised Σ Y(1)/Σ Y(0) − 1 of the first outcome.
 *
 * Designs: `random` (treated drawn at random: placebo sets exchangeable with the treated set) and
 * `hotspot-rw` (treated among the top 10% by rate, a random-walk common factor whose loadings
 * rise with the rate, so the treated areas sit at the edge of the controls' range and their
 * weights concentrate: the police-like design in which the unstudentised permutation interval
 * covered 86%).
 *
 * Intervals checked: permutation with the log ratio (the default, inverted symmetrically),
 * permutation studentised, linearisation. Measured figures: docs/micro-seattle.md.
 *
 * Fast: 2 replications of each design check that every interval contains its estimate and agrees
 * with its p-value; 80 fixed-seed replications per design check the linearisation interval's
 * coverage within nominal ± 3 MC SE. VRU_SLOW=1 runs VRU_MC_REPS (default 200) replications with
 * VRU_MC_PERMS (default 39) placebo sets and asserts the same band for the linearisation and
 * studentised intervals, and at least its lower end for the default log ratio; measured figures in
 * docs/micro-seattle.md.
 */
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { micro } from '../../src/estimators/micro/index.js';
import type { MicroPanelSpec } from '../../src/sim/microDgp.js';
import { BASE, simData } from './helpers.js';

const MC: MicroPanelSpec = { areas: 1200, periods: 16, firstPeriod: '2018-01', treated: 30, start: 12, effect: -0.25, outcomes: 2, base: 8, sigmaU: 0.4, selection: 'random' };
export const DESIGNS: Record<string, MicroPanelSpec> = {
  random: MC,
  'hotspot-rw': { ...MC, selection: 'hotspots', factor: { sd: 0.05 } },
};
type Blk = { pValue: number | null; percentChangeCi: [number, number] | null };
type Res = { percentChange: number; permutation?: Blk; linearisation?: Blk };

export async function replicate(spec: MicroPanelSpec, seed: number, perms: number, withLogRatio = true): Promise<{ est: number; truth: number; blocks: Record<string, Blk> } | null> {
  const { data, truth } = simData(spec, seed);
  const opts = { ...BASE, distance: 'linear' as const, perms, seed };
  let a: Res[];
  try {
    // VRU_MC_ONLY=log-ratio: the default interval alone (cheaper).
    a = (await micro(data, process.env.VRU_MC_ONLY === 'log-ratio' ? { ...opts, inference: ['permutation'] } : { ...opts, inference: ['permutation', 'linearisation'], permStat: 'studentised' })).effects as Res[];
  } catch (e) {
    // A refusal (exact balance infeasible) is counted, not covered.
    if ((e as { code?: string }).code === 'EXACT_BALANCE_INFEASIBLE') return null;
    throw e;
  }
  if (process.env.VRU_MC_ONLY === 'log-ratio') return { est: a[0]!.percentChange, truth: 100 * truth.realised[0]!, blocks: { logRatio: a[0]!.permutation! } };
  const blocks: Record<string, Blk> = { studentised: a[0]!.permutation!, linearisation: a[0]!.linearisation! };
  if (withLogRatio) blocks.logRatio = ((await micro(data, { ...opts, inference: ['permutation'], permStat: 'log-ratio' })).effects as Res[])[0]!.permutation!;
  return { est: a[0]!.percentChange, truth: 100 * truth.realised[0]!, blocks };
}

describe('micro intervals (fast)', () => {
  it.each(Object.keys(DESIGNS))('%s: every interval contains its estimate and agrees with its p-value', async (name) => {
    for (let s = 0; s < 2; s++) {
      const r = await replicate(DESIGNS[name]!, 300 + s, 39);
      if (!r) continue;
      for (const [k, b] of Object.entries(r.blocks)) {
        const ci = b.percentChangeCi!;
        expect(ci[0], k).toBeLessThanOrEqual(r.est);
        expect(ci[1], k).toBeGreaterThanOrEqual(r.est);
        expect(b.pValue! <= 0.05 + 1e-12, k).toBe(ci[0] > 0 || ci[1] < 0);
      }
    }
  }, 300_000);
});

/** The band a coverage estimate from R replications must fall in: nominal ± 3 MC standard errors, √(0.95·0.05/R). */
export function coverageBand(R: number, level = 0.95): [number, number] {
  const se = Math.sqrt((level * (1 - level)) / R);
  return [level - 3 * se, Math.min(1, level + 3 * se)];
}

describe('micro linearisation coverage (fast, fixed seeds)', () => {
  // The leverage-corrected linearisation variance (linearise.ts) alone, 80 replications per design:
  // coverage must lie within nominal ± 3 MC SE (0.877 … 1). The plain Deville–Särndal variance
  // covered 58–68% in the hotspot designs, far below the band (mutation check: restoring it fails
  // the hotspot-rw case).
  // VRU_MC_LIN_REPS / VRU_MC_LIN_SEED change the replications and first seed (docs/micro-seattle.md used 400 from seed 10,000).
  it.each(Object.keys(DESIGNS))('%s: the linearisation interval covers within 3 MC SE of nominal', async (name) => {
    const R = Number(process.env.VRU_MC_LIN_REPS ?? 80);
    const seed0 = Number(process.env.VRU_MC_LIN_SEED ?? 50_000);
    let cover = 0;
    let done = 0;
    for (let s = 0; done < R; s++) {
      const { data, truth } = simData(DESIGNS[name]!, seed0 + s);
      let a: Res[];
      try {
        a = (await micro(data, { ...BASE, distance: 'linear', inference: ['linearisation'], seed: 1 })).effects as Res[];
      } catch (e) {
        if ((e as { code?: string }).code === 'EXACT_BALANCE_INFEASIBLE') continue;
        throw e;
      }
      done++;
      const ci = a[0]!.linearisation!.percentChangeCi!;
      const t = 100 * truth.realised[0]!;
      if (ci[0] <= t && t <= ci[1]) cover++;
    }
    const [lo, hi] = coverageBand(R);
    expect(cover / R).toBeGreaterThanOrEqual(lo);
    expect(cover / R).toBeLessThanOrEqual(hi);
  }, 600_000);
});

describe.skipIf(!process.env.VRU_SLOW)('micro interval coverage (slow)', () => {
  // VRU_MC_DESIGNS=random or hotspot-rw runs one design (one process per design).
  const designs = Object.keys(DESIGNS).filter((d) => !process.env.VRU_MC_DESIGNS || process.env.VRU_MC_DESIGNS.split(',').includes(d));
  it.each(designs)('%s: linearisation and studentised cover within 3 MC SE of nominal; the default log ratio at least nominal − 3 MC SE', async (name) => {
    const R = Number(process.env.VRU_MC_REPS ?? 200);
    const cover: Record<string, number> = {};
    const width: Record<string, number> = {};
    let err = 0;
    let refused = 0;
    for (let s = 0; s < R + refused; s++) {
      const r = await replicate(DESIGNS[name]!, 10_000 + s, Number(process.env.VRU_MC_PERMS ?? 39), process.env.VRU_MC_ONLY !== 'studentised');
      if (!r) {
        refused++;
        continue;
      }
      err += r.est - r.truth;
      for (const [k, b] of Object.entries(r.blocks)) {
        const ci = b.percentChangeCi;
        if (ci && ci[0] <= r.truth && r.truth <= ci[1]) cover[k] = (cover[k] ?? 0) + 1;
        if (ci) width[k] = (width[k] ?? 0) + (ci[1] - ci[0]);
      }
      const done = s + 1 - refused;
      if (process.env.VRU_MC_LOG && done % 10 === 0)
        appendFileSync(process.env.VRU_MC_LOG, `${new Date().toISOString()} ${name} ${done}/${R} (${refused} refused): ${Object.keys(width).map((k) => `${k} ${cover[k] ?? 0}/${done} width ${(width[k]! / done).toFixed(2)}`).join(', ')}; mean error ${(err / done).toFixed(3)}\n`);
    }
    const line = Object.keys(width).map((k) => `${k} ${(((cover[k] ?? 0) / R) * 100).toFixed(1)}% (MC SE ${(Math.sqrt(((cover[k] ?? 0) / R) * (1 - (cover[k] ?? 0) / R) / R) * 100).toFixed(1)}), mean width ${(width[k]! / R).toFixed(2)} points`);
    console.log(`micro coverage ${name}, R = ${R}, ${process.env.VRU_MC_PERMS ?? 39} placebo sets (${refused} refused): mean error ${(err / R).toFixed(3)} points; ${line.join('; ')}`);
    const [lo, hi] = coverageBand(R);
    for (const k of Object.keys(width)) {
      expect((cover[k] ?? 0) / R, k).toBeGreaterThanOrEqual(lo);
      // The log-ratio interval may be conservative when the treated set is less noisy than random placebo sets (docs/micro-seattle.md).
      if (k !== 'logRatio') expect((cover[k] ?? 0) / R, k).toBeLessThanOrEqual(hi);
    }
  }, 36_000_000);
});
