/**
 * The power result document: prepare (the panel, options) → fit (simulatePower) → infer (the
 * analytic DiD MDE on the same design) → assemble (one Analysis with a `power` block).
 */
import type { Panel } from '../core/panel.js';
import type { Analysis, Diagnostic } from '../core/result.js';
import { simulatePower, history, type PowerOptions, type PowerResult } from './simulate.js';
import { bpwMde, bloomDidMde, errorMoments, twoWayResiduals } from './analytic.js';

export interface AnalyticMde {
  applies: boolean;
  reason: string | null;
  units: number | null;
  treated: number | null;
  pre: number | null;
  post: number | null;
  sigma2: number | null;
  psiB: number | null;
  psiA: number | null;
  psiX: number | null;
  bloom: { mde: number; se: number; df: number; sigma2: number } | null;
  bpw: { mde: number; se: number; df: number } | null;
}

/** BPW (2020) and Bloom (1995) MDE of the placebo-in-space DiD design, moments from the pool's history. */
export function analyticMde(panel: Panel, o: PowerOptions, r: PowerResult): AnalyticMde {
  const empty = { units: null, treated: null, pre: null, post: null, sigma2: null, psiB: null, psiA: null, psiX: null, bloom: null, bpw: null };
  // cs compares each post period with the period before the start (not with the pre-period mean), so its variance is not the one eq. 2 describes
  if (o.method !== 'twfe') return { applies: false, reason: `the analytic formulas describe the two-way fixed-effects DiD estimator (pre-period mean against post-period mean), not ${o.method}`, ...empty };
  if (o.effectType !== 'additive') return { applies: false, reason: 'the analytic formulas are for an additive effect', ...empty };
  if (o.placebo !== 'space') return { applies: false, reason: 'the analytic formulas describe the placebo-in-space design (n₁ of J areas, m pre and r post periods)', ...empty };
  const h = history(panel, o.start);
  const T = panel.periods.length;
  const J = h.pool.length;
  const Tw = h.T0;
  const y = new Float64Array(J * Tw);
  for (let j = 0; j < J; j++)
    for (let t = 0; t < Tw; t++) {
      const v = panel.y[h.pool[j]! * T + t]!;
      if (!Number.isFinite(v)) return { applies: false, reason: `the pool's history has missing cells (e.g. '${panel.units[h.pool[j]!]}' ${panel.periods[t]}); the closed-form moments need a balanced block`, ...empty };
      y[j * Tw + t] = v;
    }
  const post = r.design.post;
  const mom = errorMoments(twoWayResiduals(y, J, Tw), J, Tw, post);
  const d = { units: J, treated: r.design.nTreated, pre: Tw - post, post };
  const alpha = o.alpha;
  const bloom = bloomDidMde(d, mom.sigma2Iid, alpha, o.power);
  return {
    applies: true,
    reason: null,
    units: J,
    treated: d.treated,
    pre: d.pre,
    post,
    sigma2: mom.sigma2,
    psiB: mom.psiB,
    psiA: mom.psiA,
    psiX: mom.psiX,
    bloom: { ...bloom, sigma2: mom.sigma2Iid },
    bpw: bpwMde(d, mom, alpha, o.power),
  };
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** Run and assemble the power document. */
export async function powerAnalysis(panel: Panel, o: PowerOptions): Promise<Analysis> {
  const r = await simulatePower(panel, o);
  const analytic = analyticMde(panel, o, r);
  const diagnostics: Diagnostic[] = [];
  const sizeOk = Math.abs(r.size.value - o.alpha) <= 2 * Math.sqrt((o.alpha * (1 - o.alpha)) / o.sims);
  diagnostics.push({
    code: 'POWER_SIZE',
    passed: sizeOk,
    value: r.size.value,
    message: `with no effect the method rejected in ${r.size.rejections} of ${o.sims} placebo designs (${(100 * r.size.value).toFixed(1)}%, MC SE ${(100 * r.size.mcSe).toFixed(1)} points) against a nominal ${(100 * o.alpha).toFixed(0)}%${sizeOk ? '' : ': its test is not of the nominal size on this panel, so its power figures are not comparable with a test that is'}`,
  });
  if (analytic.bpw && r.mde.value !== null) {
    const tol = 2 * (r.mde.mcSe ?? 0);
    const agree = Math.abs(r.mde.value - analytic.bpw.mde) <= tol;
    diagnostics.push({
      code: 'ANALYTIC_MDE',
      passed: agree,
      value: analytic.bpw.mde,
      message: `analytic MDE (Burlig, Preonas & Woerman 2020, serial correlation from the panel) ${fmt(analytic.bpw.mde)}, Bloom (1995, no serial correlation) ${fmt(analytic.bloom!.mde)}; simulated ${fmt(r.mde.value)} (MC SE ${fmt(r.mde.mcSe ?? Number.NaN)})${agree ? ': they agree within 2 MC SEs' : ': they differ by more than 2 MC SEs (the analytic formula assumes the estimator\'s variance is known; the simulation uses the method\'s own interval on this panel)'}`,
    });
  }
  const options: Record<string, unknown> = {
    method: o.method,
    nTreated: o.nTreated ?? null,
    post: o.post ?? null,
    sims: o.sims,
    effects: o.effects ?? null,
    effectType: o.effectType,
    direction: o.direction,
    power: o.power,
    alpha: o.alpha,
    level: 1 - o.alpha,
    placebo: o.placebo,
    reps: o.reps,
    start: o.start !== undefined ? panel.periods[o.start] : null,
    outcomeScale: o.outcomeScale,
    ratePer: o.outcomeScale === 'rate' ? o.ratePer : null,
    population: panel.populationColumn,
    seed: o.seed,
    runs: r.runner.settings,
  };
  return {
    method: o.method,
    options,
    estimate: null,
    path: [],
    units: [],
    diagnostics,
    warnings: r.warnings,
    power: {
      target: o.power,
      alpha: o.alpha,
      evaluation: r.evaluation,
      inference: r.runner.inference,
      placebo: o.placebo,
      effectType: o.effectType,
      direction: o.direction,
      sims: o.sims,
      design: r.design,
      mde: r.mde,
      size: r.size,
      curve: r.curve,
      analytic,
    },
  };
}
