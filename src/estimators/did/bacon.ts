/**
 * Goodman-Bacon (2021), "Difference-in-differences with variation in treatment timing",
 * J. Econometrics 225(2), Theorem 1: in a balanced panel with absorbing treatment and no
 * covariates, the TWFE coefficient β̂ of Y_it = α_i + γ_t + β D_it + e_it is a weighted average
 * of all 2×2 DiD estimates,  β̂ = Σ_j s_j β̂_j,  Σ_j s_j = 1,  s_j ≥ 0.
 *
 * Timing groups k (units first treated in period t_k; D̄_k = (T − t_k)/T, the share of periods
 * treated; t_k = first period gives an always-treated group, D̄ = 1), never-treated U, sample
 * shares n_k = N_k/N. For k earlier than ℓ (D̄_k > D̄_ℓ), windows PRE(k) = t < t_k,
 * MID(k,ℓ) = t_k ≤ t < t_ℓ, POST(ℓ) = t ≥ t_ℓ:
 *   β̂_kU   = (ȳ_k^{POST(k)} − ȳ_k^{PRE(k)}) − (ȳ_U^{POST(k)} − ȳ_U^{PRE(k)})        treated vs never
 *   β̂_kℓ^k = (ȳ_k^{MID} − ȳ_k^{PRE(k)}) − (ȳ_ℓ^{MID} − ȳ_ℓ^{PRE(k)})               earlier vs later (not yet treated)
 *   β̂_kℓ^ℓ = (ȳ_ℓ^{POST(ℓ)} − ȳ_ℓ^{MID}) − (ȳ_k^{POST(ℓ)} − ȳ_k^{MID})             later vs earlier ("forbidden": already treated as controls)
 * with weights (GB 2021 eq. 10), V̂^D the variance of the two-way demeaned D:
 *   s_kU   = (n_k + n_U)² n_kU(1 − n_kU) D̄_k(1 − D̄_k) / V̂^D,                     n_kU = n_k/(n_k + n_U)
 *   s_kℓ^k = ((n_k + n_ℓ)(1 − D̄_ℓ))² n_kℓ(1 − n_kℓ) · (D̄_k − D̄_ℓ)/(1 − D̄_ℓ) · (1 − D̄_k)/(1 − D̄_ℓ) / V̂^D
 *   s_kℓ^ℓ = ((n_k + n_ℓ) D̄_k)² n_kℓ(1 − n_kℓ) · D̄_ℓ/D̄_k · (D̄_k − D̄_ℓ)/D̄_k / V̂^D,  n_kℓ = n_k/(n_k + n_ℓ).
 * Unbalanced panels are refused (the identity is for balanced panels; GB's weights are
 * defined by the balanced design) rather than decomposed approximately.
 */
import type { Panel } from '../../core/panel.js';
import { InputError, UsageError } from '../../core/errors.js';
import { treatmentTiming } from './design.js';

export type BaconType = 'treated-vs-never' | 'earlier-vs-later' | 'later-vs-earlier';

export interface BaconComparison {
  type: BaconType;
  /** Period label of the treated group's start. */
  treated: string;
  /** Period label of the control group's start, 'never' for the never treated. */
  control: string;
  estimate: number;
  weight: number;
  forbidden: boolean;
}

export interface BaconResult {
  comparisons: BaconComparison[];
  byType: { type: BaconType; weight: number; estimate: number | null; comparisons: number }[];
  /** Σ_j s_j β̂_j. */
  weightedSum: number;
  /** β̂ of the TWFE regression without covariates, computed here from the demeaned D. */
  twfe: number;
  /** Share of the weight on later-vs-earlier comparisons (already-treated units as controls). */
  forbiddenShare: number;
  groups: { start: string; units: number; treatedShare: number }[];
  neverTreated: number;
}

interface Group {
  t: number;
  units: number[];
  dbar: number;
  n: number;
}

/** Check the design: balanced, absorbing treatment, no covariates. @throws InputError, UsageError */
function prepare(panel: Panel): { groups: Group[]; never: number[]; T: number } {
  const N = panel.units.length;
  const T = panel.periods.length;
  if (panel.covariateNames.length > 0) {
    throw new UsageError('BACON_COVARIATES', `the Goodman-Bacon decomposition is of the TWFE regression without covariates; drop --covariates (${panel.covariateNames.join(', ')}) to decompose`, { covariates: panel.covariateNames });
  }
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) {
      const k = i * T + t;
      if (!panel.present[k] || !Number.isFinite(panel.y[k]!)) {
        throw new InputError('BACON_UNBALANCED', `${panel.file}: unit '${panel.units[i]}' has no outcome in period ${panel.periods[t]}; the Goodman-Bacon decomposition needs a balanced panel (drop units with missing periods, or restrict the periods, then rerun)`, { unit: panel.units[i], period: panel.periods[t] });
      }
    }
  }
  const timing = treatmentTiming(panel);
  for (let i = 0; i < N; i++) {
    const g = timing.start[i]!;
    for (let t = 0; t < T; t++) {
      const want = g >= 0 && t >= g ? 1 : 0;
      if (panel.treated[i * T + t] !== want) {
        throw new InputError('BACON_NOT_ABSORBING', `${panel.file}: unit '${panel.units[i]}' is treated in ${panel.periods[g]} but not in ${panel.periods[t]}; the decomposition needs treatment that stays on once it starts`, { unit: panel.units[i], period: panel.periods[t] });
      }
    }
  }
  const never: number[] = [];
  const byStart = new Map<number, number[]>();
  for (let i = 0; i < N; i++) {
    const g = timing.start[i]!;
    if (g < 0) never.push(i);
    else byStart.set(g, [...(byStart.get(g) ?? []), i]);
  }
  const groups = [...byStart.entries()].sort((a, b) => a[0] - b[0]).map(([t, units]) => ({ t, units, dbar: (T - t) / T, n: units.length / N }));
  return { groups, never, T };
}

/** Mean of y over the units and periods [t0, t1). */
function cellMean(panel: Panel, units: number[], t0: number, t1: number): number {
  const T = panel.periods.length;
  let s = 0;
  for (const i of units) for (let t = t0; t < t1; t++) s += panel.y[i * T + t]!;
  return s / (units.length * (t1 - t0));
}

/** TWFE β̂ and V̂^D from the two-way demeaned treatment (balanced panel: one sweep is exact). */
function twfeFromDemeaned(panel: Panel): { beta: number; vd: number } {
  const N = panel.units.length;
  const T = panel.periods.length;
  const D = panel.treated;
  const rowMean = new Float64Array(N);
  const colMean = new Float64Array(T);
  let all = 0;
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) {
    const d = D[i * T + t]!;
    rowMean[i] = rowMean[i]! + d / T;
    colMean[t] = colMean[t]! + d / N;
    all += d / (N * T);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) {
    const dt = D[i * T + t]! - rowMean[i]! - colMean[t]! + all;
    num += dt * panel.y[i * T + t]!;
    den += dt * dt;
  }
  return { beta: num / den, vd: den / (N * T) };
}

/** Every 2×2 comparison with its estimate and weight. */
function comparisons(panel: Panel, groups: Group[], never: number[], T: number, vd: number): BaconComparison[] {
  const label = (t: number) => panel.periods[t]!;
  const out: BaconComparison[] = [];
  const nU = never.length / panel.units.length;
  for (const k of groups) {
    if (nU > 0 && k.t > 0) {
      const est = cellMean(panel, k.units, k.t, T) - cellMean(panel, k.units, 0, k.t) - (cellMean(panel, never, k.t, T) - cellMean(panel, never, 0, k.t));
      const nkU = k.n / (k.n + nU);
      const w = ((k.n + nU) ** 2 * nkU * (1 - nkU) * k.dbar * (1 - k.dbar)) / vd;
      out.push({ type: 'treated-vs-never', treated: label(k.t), control: 'never', estimate: est, weight: w, forbidden: false });
    }
  }
  for (let a = 0; a < groups.length; a++) {
    for (let b = a + 1; b < groups.length; b++) {
      const k = groups[a]!; // earlier
      const l = groups[b]!; // later
      const nkl = k.n / (k.n + l.n);
      if (k.t > 0) {
        const est = cellMean(panel, k.units, k.t, l.t) - cellMean(panel, k.units, 0, k.t) - (cellMean(panel, l.units, k.t, l.t) - cellMean(panel, l.units, 0, k.t));
        const w = (((k.n + l.n) * (1 - l.dbar)) ** 2 * nkl * (1 - nkl) * ((k.dbar - l.dbar) / (1 - l.dbar)) * ((1 - k.dbar) / (1 - l.dbar))) / vd;
        out.push({ type: 'earlier-vs-later', treated: label(k.t), control: label(l.t), estimate: est, weight: w, forbidden: false });
      }
      const est = cellMean(panel, l.units, l.t, T) - cellMean(panel, l.units, k.t, l.t) - (cellMean(panel, k.units, l.t, T) - cellMean(panel, k.units, k.t, l.t));
      const w = (((k.n + l.n) * k.dbar) ** 2 * nkl * (1 - nkl) * (l.dbar / k.dbar) * ((k.dbar - l.dbar) / k.dbar)) / vd;
      out.push({ type: 'later-vs-earlier', treated: label(l.t), control: label(k.t), estimate: est, weight: w, forbidden: true });
    }
  }
  return out;
}

/**
 * Decompose the TWFE coefficient of a balanced staggered panel into its 2×2 comparisons.
 * @throws InputError BACON_UNBALANCED | BACON_NOT_ABSORBING | NO_TREATED_UNITS; UsageError BACON_COVARIATES
 */
export function baconDecomposition(panel: Panel): BaconResult {
  const { groups, never, T } = prepare(panel);
  const { beta, vd } = twfeFromDemeaned(panel);
  if (!(vd > 0)) throw new InputError('BACON_NO_VARIATION', `${panel.file}: the treatment has no variation left after removing unit and period effects (everyone treated at the same time with no comparison group), so there is no TWFE estimate to decompose`, {});
  const comps = comparisons(panel, groups, never, T, vd);
  const types: BaconType[] = ['treated-vs-never', 'earlier-vs-later', 'later-vs-earlier'];
  const byType = types.map((type) => {
    const cs = comps.filter((c) => c.type === type);
    const w = cs.reduce((s, c) => s + c.weight, 0);
    return { type, weight: w, estimate: w > 0 ? cs.reduce((s, c) => s + c.weight * c.estimate, 0) / w : null, comparisons: cs.length };
  });
  return {
    comparisons: comps,
    byType,
    weightedSum: comps.reduce((s, c) => s + c.weight * c.estimate, 0),
    twfe: beta,
    forbiddenShare: byType[2]!.weight,
    groups: groups.map((g) => ({ start: panel.periods[g.t]!, units: g.units.length, treatedShare: g.dbar })),
    neverTreated: never.length,
  };
}
