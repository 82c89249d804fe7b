/**
 * Monte Carlo designs for ascm's ATT intervals (issue 21), shared by tests/ascm/montecarlo.test.ts
 * and the recorded run in tests/ascm/montecarlo.results.json.
 *
 * Police-like panels from the project's generator (src/sim/dgp.ts, POLICE_FIXTURE_SPEC without
 * the COVID shock): 60 areas × 66 months, 12 treated from month 49 (T₀ = 48, T₁ = 18), effect −4,
 * treated areas drawn from the top half by level (`selection: 'level'`). Designs:
 *  (a) `inside`: the generator as is (treated inside the donors' range);
 *  (b) `hotspots`: treated areas outside the donors' range, level ×3 — each treated area's
 *      series plus twice its own pre-period mean (the dynamics unchanged, the effect still −4);
 *  (c) `randomWalk`: one random-walk common factor with heterogeneous loadings λᵢ ~ N(0, 1) and
 *      scale 8 (the factor part's SD is 8 against noise σ = 1.5).
 * Replication m uses generator seed 5000 + m (the same panel seed in every design) and
 * `ascm(panel, { seed: 1, inference })` with the defaults otherwise.
 */
import { readPanelText } from '../../src/core/panel.js';
import { ascm, type AscmInference } from '../../src/estimators/ascm/ascm.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel, type PanelSpec } from '../../src/sim/dgp.js';

export const DESIGNS = ['inside', 'hotspots', 'randomWalk'] as const;
export type Design = (typeof DESIGNS)[number];

export interface Replication {
  design: Design;
  inference: AscmInference;
  m: number;
  truth: number;
  att: number;
  ci: [number, number] | null;
  pValue: number | null;
  /** estimate.inference (the interval actually reported). */
  used: string;
  warnings: string[];
}

/** The panel of replication m in a design, with the true ATT. */
export function designPanel(design: Design, m: number) {
  const { shock: _shock, ...base } = POLICE_FIXTURE_SPEC;
  const spec: PanelSpec = design === 'randomWalk' ? { ...base, factors: 1, factorScale: 8 } : { ...base };
  const sim = simulatePanel(spec, 5000 + m);
  let records = sim.records;
  if (design === 'hotspots') {
    const treated = new Set(sim.truth.treatedUnits);
    const preSum = new Map<string, number>();
    let T0 = 0;
    for (const r of records) {
      if (!treated.has(r.unit) || r.period >= spec.treatStart) continue;
      preSum.set(r.unit, (preSum.get(r.unit) ?? 0) + r.outcome);
      if (r.unit === sim.truth.treatedUnits[0]) T0++;
    }
    records = records.map((r) => (treated.has(r.unit) ? { ...r, outcome: r.outcome + (2 * preSum.get(r.unit)!) / T0 } : r));
  }
  return { panel: readPanelText(recordsToCsv(records), { outcome: 'violence_rate' }), truth: sim.truth.att };
}

export function replicate(design: Design, inference: AscmInference, m: number): Replication {
  const { panel, truth } = designPanel(design, m);
  const a = ascm(panel, { seed: 1, inference });
  const e = a.estimate!;
  return { design, inference, m, truth, att: e.att!, ci: e.ci ?? null, pValue: e.pValue ?? null, used: String(e.inference), warnings: a.warnings.map((w) => w.code) };
}

export interface Summary {
  design: Design;
  inference: AscmInference;
  R: number;
  /** Replications whose reported interval is the requested one. */
  n: number;
  covered: number;
  coverage: number;
  /** Binomial MC standard error √(p(1−p)/n). */
  mcse: number;
  meanWidth: number;
  bias: number;
  sdEstimate: number;
  poorPreFit: number;
}

export function summarise(rows: readonly Replication[], design: Design, inference: AscmInference): Summary {
  const r = rows.filter((x) => x.design === design && x.inference === inference);
  const withCi = r.filter((x) => x.ci !== null && x.used === inference);
  const covered = withCi.filter((x) => x.ci![0] <= x.truth && x.truth <= x.ci![1]).length;
  const n = withCi.length;
  const coverage = covered / n;
  const err = r.map((x) => x.att - x.truth);
  const bias = err.reduce((a, b) => a + b, 0) / r.length;
  return {
    design, inference, R: r.length, n, covered, coverage,
    mcse: Math.sqrt((coverage * (1 - coverage)) / n),
    meanWidth: withCi.reduce((s, x) => s + x.ci![1] - x.ci![0], 0) / n,
    bias,
    sdEstimate: Math.sqrt(err.reduce((a, b) => a + (b - bias) ** 2, 0) / (r.length - 1)),
    poorPreFit: r.filter((x) => x.warnings.includes('POOR_PRE_FIT')).length,
  };
}
