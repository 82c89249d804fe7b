/**
 * Hold-out placebo test of the pre-treatment fit (the placebo test of fect; Liu, Wang & Xu 2024,
 * "A practical guide to counterfactual estimators for causal inference with time-series
 * cross-sectional data", AJPS, §4): pretend the programme started k periods before it did, keep only
 * the periods before the real start, re-estimate with the method's own inference, and test that the
 * "effect" over the k held-out pre-periods is zero. A method whose counterfactual cannot predict
 * the held-out periods from the earlier ones fails.
 *
 * Design: with first real start s₁, the placebo panel keeps periods t < s₁; the units that start at
 * s₁ are treated from s₁ − k (with staggered adoption, later cohorts are untreated throughout the
 * kept periods and stay as controls). Requires s₁ − k ≥ 2 (two fitting periods at least).
 *
 * Tests reported: the method's own p-value / interval for the placebo ATT (passes when the interval
 * covers 0); equivalence (TOST) within ±b using the reported interval — equivalence is declared when
 * the whole level-(1 − α) interval lies inside ±b, which is conservative for a level-α TOST (that
 * needs only the 1 − 2α interval inside).
 */
import { UsageError } from '../../core/errors.js';
import { treatmentStarts, type Panel } from '../../core/panel.js';
import type { Analysis } from '../../core/result.js';

/** Runs one method on a panel with the user's options (its own inference included). */
export type MethodRunner = (panel: Panel) => Analysis | Promise<Analysis>;

export interface PlaceboPanel {
  panel: Panel;
  /** Labels of the held-out periods (the pseudo-post window). */
  heldOut: string[];
  pseudoStart: string;
  realStart: string;
  /** Units pseudo-treated. */
  units: string[];
}

/** The truncated, pseudo-treated panel. @throws UsageError PLACEBO_TOO_FEW_PERIODS, InputError NO_TREATED_UNITS */
export function placeboPanel(panel: Panel, k: number): PlaceboPanel {
  const N = panel.units.length;
  const T = panel.periods.length;
  const starts = treatmentStarts(panel);
  const first = Math.min(...Array.from(starts).filter((s) => s >= 0));
  if (!Number.isFinite(first)) throw new UsageError('NO_TREATED_UNITS', `${panel.file}: no unit is treated, so there is no pre-period to hold out`, {});
  if (!Number.isInteger(k) || k < 1 || first - k < 2) {
    throw new UsageError('PLACEBO_TOO_FEW_PERIODS', `--placebo-holdout ${k}: the first treated period is ${panel.periods[first]} with ${first} pre-period(s); holding out k needs k ≥ 1 and at least 2 earlier periods to fit (k ≤ ${Math.max(0, first - 2)})`, { k, prePeriods: first });
  }
  const Tn = first;
  const pick = <A extends Float64Array | Uint8Array>(src: A, make: (n: number) => A): A => {
    const out = make(N * Tn);
    for (let i = 0; i < N; i++) for (let t = 0; t < Tn; t++) out[i * Tn + t] = src[i * T + t]!;
    return out;
  };
  const treated = new Uint8Array(N * Tn);
  const units: string[] = [];
  for (let i = 0; i < N; i++) {
    if (starts[i] !== first) continue;
    units.push(panel.units[i]!);
    for (let t = first - k; t < Tn; t++) treated[i * Tn + t] = 1;
  }
  const covariates: Record<string, Float64Array> = {};
  for (const c of panel.covariateNames) covariates[c] = pick(panel.covariates[c]!, (n) => new Float64Array(n));
  let rows = 0;
  const present = pick(panel.present, (n) => new Uint8Array(n));
  for (const p of present) rows += p;
  const sub: Panel = {
    ...panel,
    sha256: `${panel.sha256}:placebo-holdout-${k}`,
    rows,
    periods: panel.periods.slice(0, Tn),
    ordinals: panel.ordinals.slice(0, Tn),
    y: pick(panel.y, (n) => new Float64Array(n)),
    treated,
    present,
    covariates,
    population: panel.population ? pick(panel.population, (n) => new Float64Array(n)) : null,
  };
  return { panel: sub, heldOut: panel.periods.slice(first - k, first), pseudoStart: panel.periods[first - k]!, realStart: panel.periods[first]!, units };
}

export interface PlaceboResult {
  holdout: number;
  pseudoStart: string;
  realStart: string;
  heldOut: string[];
  method: string;
  inference: string | null;
  att: number | null;
  ci: [number, number] | null;
  pValue: number | null;
  level: number;
  /** The interval covers 0 (or, without one, p ≥ 1 − level); null when the method gave neither. */
  passed: boolean | null;
  equivalence: { bound: number; equivalent: boolean | null; rule: string };
  /** Treated average observed vs predicted over the placebo panel's periods. */
  path: { period: string; observed: number | null; counterfactual: number | null; effect: number | null; heldOut: boolean }[];
  warnings: { code: string; message: string }[];
  summary: string;
}

/** Run the hold-out placebo test with `run` (the method and its options). */
export async function placeboHoldout(panel: Panel, k: number, run: MethodRunner, level: number, bound: number, unit: string): Promise<PlaceboResult> {
  const pp = placeboPanel(panel, k);
  return assemblePlacebo(pp, k, await run(pp.panel), level, bound, unit);
}

/** The same with a synchronous method (did twfe / cs). */
export function placeboHoldoutSync(panel: Panel, k: number, run: (p: Panel) => Analysis, level: number, bound: number, unit: string): PlaceboResult {
  const pp = placeboPanel(panel, k);
  return assemblePlacebo(pp, k, run(pp.panel), level, bound, unit);
}

/** Read the placebo run's estimate and interval and word the test. */
export function assemblePlacebo(pp: PlaceboPanel, k: number, a: Analysis, level: number, bound: number, unit: string): PlaceboResult {
  const est = a.estimate;
  const att = typeof est?.att === 'number' ? est.att : null;
  const ci = Array.isArray(est?.ci) && est!.ci.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (est!.ci as [number, number]) : null;
  const pValue = typeof est?.pValue === 'number' ? est.pValue : null;
  const passed = ci ? ci[0] <= 0 && 0 <= ci[1] : pValue !== null ? pValue >= 1 - level : null;
  const equivalent = ci ? ci[0] > -bound && ci[1] < bound : null;
  const held = new Set(pp.heldOut);
  const path = a.path.map((p) => ({ period: p.period, observed: p.observed, counterfactual: p.counterfactual, effect: p.effect, heldOut: held.has(p.period) }));
  const fmt = (v: number) => v.toPrecision(3);
  const pct = Math.round(level * 100);
  const summary =
    att === null
      ? `placebo hold-out of ${k} pre-period(s): the method returned no estimate`
      : `placebo hold-out: pretending the programme started ${k} ${unit}(s) early (${pp.pseudoStart}), the method's "effect" on the held-out pre-periods is ${fmt(att)}${ci ? ` (${pct}% CI ${fmt(ci[0])} to ${fmt(ci[1])})` : ''}${pValue !== null ? `, p = ${pValue.toPrecision(2)}` : ''}: ${passed === false ? 'it FAILS to predict the held-out periods' : passed ? 'no evidence that it mispredicts them' : 'no test available'}; ${equivalent === null ? 'no interval for an equivalence test' : equivalent ? `equivalence within ±${fmt(bound)} is shown` : `equivalence within ±${fmt(bound)} is NOT shown (the pre-period cannot rule out a placebo effect of ${fmt(Math.max(Math.abs(ci![0]), Math.abs(ci![1])))})`}`;
  return {
    holdout: k,
    pseudoStart: pp.pseudoStart,
    realStart: pp.realStart,
    heldOut: pp.heldOut,
    method: a.method,
    inference: typeof est?.inference === 'string' ? est.inference : null,
    att,
    ci,
    pValue,
    level,
    passed,
    equivalence: { bound, equivalent, rule: `the ${pct}% interval of the placebo effect lies inside ±bound (conservative for a ${100 - pct}% TOST)` },
    path,
    warnings: a.warnings,
    summary,
  };
}
