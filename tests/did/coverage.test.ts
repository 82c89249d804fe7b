/**
 * Coverage of the difference-in-differences intervals on simulated panels with a known effect
 * (issue 15). Every figure printed with its Monte Carlo SE √(p(1 − p)/n) at p = 0.95.
 *
 * Callaway & Sant'Anna (`did --method cs`, outcome regression, never-treated comparisons):
 *   DGP src/sim/dgp.ts simulatePanel: 60 areas × 24 months (2018-01…2019-12), 30 treated at
 *   random, half from 2019-01 and half from 2019-05, constant effect −3 from the start (so every
 *   post ATT(g,t) and every θ(e ≥ 0) is −3 and every pre θ(e) is 0), no factors (parallel trends),
 *   area-specific linear trends (sd 0.05 per month), σ = 1.5.
 *   - analytic: the 95% influence-function interval of the simple aggregate ATT covers −3;
 *   - bootstrap: the pointwise 95% interval θ̂(0) ± z·se*(0) of the first post event time with the
 *     multiplier-bootstrap SE (`seBootstrap`, IQR rule) covers −3;
 *   - the uniform band of the event study (all 27 event times at once) is reported, not held to
 *     93–97%: it under-covers. Finding (issue 15, left for the cs owner): 89.0% on 400
 *     replications (seeds 1…400, B = 999), 93% / 91.5% on 200 replications with 60 / 200 areas;
 *     with 100 areas the Monte Carlo 95% quantile of max_e |θ̂(e) − θ(e)|/se(e) is 3.23 where the
 *     bootstrap critical value averages 2.99, while every pointwise interval covers ≈ 95%. A likely
 *     cause: the band needs the tails of max_e |t(e)| near 3, where t statistics with SEs estimated
 *     from 15-unit cohorts are heavier-tailed than the normal the multiplier bootstrap reproduces
 *     (with Rademacher multipliers a studentized draw equals the unstudentized one, so studentizing
 *     does not help); the shortfall shrinks with larger cohorts. The slow test asserts only band
 *     coverage ≥ 85% so that it catches a collapse, and prints it.
 * Wild cluster restricted bootstrap (`did --method twfe --vcov cluster --wild-bootstrap`):
 *   DGP simulateClusterPanel: 12 areas × 3 units × 12 periods, 3 treated areas from period 7,
 *   effect −1, area-level AR(1) shocks (ρ = 0.5), heteroskedastic areas, clustered by area; the
 *   95% test-inversion interval covers −1.
 *
 * Slow (VRU_SLOW=1): 400 replications each (MC SE 1.1 points), each interval within 93–97%.
 * Fast (CI): 100 replications for CS (MC SE 2.2 points), 80 for the wild bootstrap (MC SE 2.4);
 * bounds 0.95 ± 3.3 MC SE, i.e. [0.878, 1] and [0.871, 1] (P(outside) < 0.1% for a correct 95%
 * interval; the seeds are fixed, so the result is deterministic).
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { qnorm } from '../../src/core/stats.js';
import { estimateCs, estimateTwfe, TWFE_DEFAULTS } from '../../src/estimators/did/index.js';
import { POLICE_FIXTURE_SPEC, simulateClusterPanel, simulatePanel, type PanelSpec } from '../../src/sim/dgp.js';

const mcSe = (n: number) => Math.sqrt((0.95 * 0.05) / n);
const pct = (x: number) => (100 * x).toFixed(1);

const CS_SPEC: PanelSpec = { ...POLICE_FIXTURE_SPEC, units: 60, periods: 24, firstPeriod: '2018-01', treatedUnits: 30, treatStart: '2019-01', staggerStarts: ['2019-05'], effect: -3, rampPeriods: 1, factors: 0, selection: 'random', beta: 0 };
delete (CS_SPEC as Partial<PanelSpec>).shock;

function csCoverage(reps: number, boots: number, firstSeed: number) {
  let analytic = 0;
  let boot0 = 0;
  let band = 0;
  let bandRows = 0;
  for (let m = 0; m < reps; m++) {
    const { records, truth } = simulatePanel(CS_SPEC, firstSeed + m);
    const csv = ['unit,period,y,treated', ...records.map((r) => `${r.unit},${r.period},${r.outcome},${r.treated}`)].join('\n');
    const panel = readPanelText(csv, { outcome: 'y' });
    const a = estimateCs(panel, { estimator: 'or', control: 'never', basePeriod: 'varying', boots, level: 0.95, seed: m }, new Rng(m)) as any;
    const ci = a.estimate.ci as [number, number];
    if (ci[0] <= truth.att && truth.att <= ci[1]) analytic++;
    const rows = (a.aggregations.dynamic.rows as { eventTime: number; att: number; seBootstrap: number | null; band: [number, number] | null; reference?: boolean }[]).filter((r) => !r.reference);
    const e0 = rows.find((r) => r.eventTime === 0)!;
    if (e0.seBootstrap !== null && Math.abs(e0.att - CS_SPEC.effect) <= qnorm(0.975) * e0.seBootstrap) boot0++;
    bandRows = rows.length;
    if (rows.every((r) => r.band !== null && r.band[0] <= (r.eventTime >= 0 ? CS_SPEC.effect : 0) && (r.eventTime >= 0 ? CS_SPEC.effect : 0) <= r.band[1])) band++;
  }
  return { reps, analytic: analytic / reps, boot0: boot0 / reps, band: band / reps, bandRows };
}

const WILD_SPEC = { clusters: 12, unitsPerCluster: 3, periods: 12, treatedClusters: 3, treatStart: 7, effect: -1, rho: 0.5 };

function wildCoverage(reps: number, B: number, firstSeed: number) {
  let covered = 0;
  let cr1 = 0;
  for (let m = 0; m < reps; m++) {
    const { csv, truth } = simulateClusterPanel(WILD_SPEC, firstSeed + m);
    const panel = readPanelText(csv, { outcome: 'y' });
    const T = panel.periods.length;
    const cluster = Array.from({ length: panel.units.length * T }, (_, k) => panel.units[Math.floor(k / T)]!.replace(/U\d+$/, ''));
    const a = estimateTwfe(panel, {
      vcov: 'cluster', cluster, clusterName: 'cluster', weights: null, weightsName: null, eventWindow: null,
      wildBootstrap: B, wildWeights: 'webb', level: 0.95, seed: m, maxIter: TWFE_DEFAULTS.maxIter, tol: TWFE_DEFAULTS.tol,
    }, new Rng(m)) as any;
    const ci = a.estimate.ci as [number, number] | null;
    if (ci && ci[0] <= truth.effect && truth.effect <= ci[1]) covered++;
    const c1 = a.estimate.analytic.ci as [number, number];
    if (c1[0] <= truth.effect && truth.effect <= c1[1]) cr1++;
  }
  return { reps, coverage: covered / reps, cr1: cr1 / reps };
}

describe('Callaway–Sant\'Anna interval coverage (known effect −3)', () => {
  const say = (tag: string, r: ReturnType<typeof csCoverage>) =>
    `[cs ${tag}] analytic CI coverage ${pct(r.analytic)}%, bootstrap-SE interval at e = 0 ${pct(r.boot0)}%, uniform band (all ${r.bandRows} event times at once) ${pct(r.band)}% (${r.reps} reps, MC SE ${pct(mcSe(r.reps))} points)`;
  it('fast (100 replications): analytic and bootstrap intervals ≥ 87.8% (0.95 − 3.3 MC SE)', () => {
    const r = csCoverage(100, 199, 50001);
    console.log(say('fast', r));
    expect(r.analytic, say('fast', r)).toBeGreaterThanOrEqual(0.878);
    expect(r.boot0, say('fast', r)).toBeGreaterThanOrEqual(0.878);
  }, 120_000);

  it.skipIf(!process.env.VRU_SLOW)('slow (400 replications): analytic and bootstrap intervals within 93–97%', () => {
    const r = csCoverage(400, 999, 1);
    console.log(say('slow', r));
    for (const v of [r.analytic, r.boot0]) {
      expect(v, say('slow', r)).toBeGreaterThanOrEqual(0.93);
      expect(v, say('slow', r)).toBeLessThanOrEqual(0.97);
    }
    expect(r.band, say('slow', r)).toBeGreaterThanOrEqual(0.85);
  }, 3_600_000);
});

describe('wild cluster bootstrap interval coverage, 12 areas of which 3 treated (effect −1)', () => {
  it('fast (80 replications, B = 199): coverage ≥ 87.1% (0.95 − 3.3 MC SE)', () => {
    const r = wildCoverage(80, 199, 60001);
    console.log(`[wild fast] WCR (Webb) CI coverage ${pct(r.coverage)}%, CR1 t(G−1) ${pct(r.cr1)}% (${r.reps} reps, MC SE ${pct(mcSe(r.reps))} points)`);
    expect(r.coverage).toBeGreaterThanOrEqual(0.871);
  }, 120_000);

  it.skipIf(!process.env.VRU_SLOW)('slow (400 replications, B = 399): coverage within 93–97%', () => {
    const r = wildCoverage(400, 399, 1);
    console.log(`[wild slow] WCR (Webb) CI coverage ${pct(r.coverage)}%, CR1 t(G−1) ${pct(r.cr1)}% (${r.reps} reps, MC SE ${pct(mcSe(r.reps))} points)`);
    expect(r.coverage).toBeGreaterThanOrEqual(0.93);
    expect(r.coverage).toBeLessThanOrEqual(0.97);
  }, 3_600_000);
});
