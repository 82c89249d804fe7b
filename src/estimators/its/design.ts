/**
 * The analysed series and the segmented-regression design of an ITS
 * (Lopez Bernal, Cummins & Gasparrini 2017; Linden 2015).
 *
 * One series (rows t = 0..T−1):
 *   intercept, time (t − t₁, centred on the first interruption t₁), seasonal terms,
 *   covariates, shock dummies, and for each interruption k:
 *   level:<P_k> = 1{t ≥ t_k},   slope:<P_k> = (t − t_k)·1{t ≥ t_k}.
 * The level change is therefore the jump at the interruption period itself and
 * the slope change is the change in trend per period after it.
 *
 * Controlled ITS (Linden 2015, eq. 2): the treated series (group G = 1) and the
 * comparison series (G = 0) stacked, 2T rows, with
 *   intercept, time, group, group:time, seasonal, covariates, dummies, and for each k
 *   control:level:<P_k> = L_k,  control:slope:<P_k> = S_k   (changes in the comparison series, common to both),
 *   level:<P_k> = G·L_k,        slope:<P_k> = G·S_k         (treated − comparison differences: the effects).
 *
 * Intervention terms (switched off for the counterfactual) are the level:/slope: columns.
 */
import { UsageError } from '../../core/errors.js';
import { ordinalLabel, seasonLength, seasonOf, type Frequency } from '../../core/periods.js';
import type { Seasonality } from './spec.js';

export interface SeriesData {
  /** Outcome, length T. */
  y: Float64Array;
  /** Offset log(exposure), length T, or null. */
  offset: Float64Array | null;
  /** Covariates, each length T. */
  covariates: Float64Array[];
}

export interface DesignSpec {
  /** Period ordinals of the T periods (for seasons and labels). */
  ordinals: readonly number[];
  frequency: Frequency;
  /** Interruption indices (sorted, distinct, within 1..T−1). */
  interruptions: readonly number[];
  slope: boolean;
  /** Shock windows as [fromIndex, toIndex] (inclusive, clipped to the panel) with their term names. */
  dummies: readonly { from: number; to: number; name: string }[];
  seasonality: Seasonality;
  covariateNames: readonly string[];
}

export interface Design {
  /** n × k design (row-major), n = T (one series) or 2T (controlled). */
  X: Float64Array;
  n: number;
  k: number;
  names: string[];
  /** Column is an intervention term (zeroed for the counterfactual). */
  intervention: boolean[];
  /** Stacked outcome (length n) and offset (or null). */
  y: Float64Array;
  offset: Float64Array | null;
  /** Start rows of the independent series: [0] or [0, T]. */
  segments: number[];
  /** Number of periods T; rows 0..T−1 are the treated series. */
  T: number;
}

/** Seasonal column names and values for an ordinal. */
function seasonalColumns(spec: DesignSpec): { names: string[]; value: (ord: number) => number[] } {
  const S = seasonLength(spec.frequency);
  const s = spec.seasonality;
  if (s.type === 'none') return { names: [], value: () => [] };
  if (S === 1) throw new UsageError('NO_SEASONS', `--seasonality ${s.type === 'fourier' ? `fourier:${s.pairs}` : s.type} needs monthly or quarterly periods; this panel is ${spec.frequency}`, { frequency: spec.frequency });
  if (s.type === 'month') {
    const label = (j: number) => (S === 12 ? `month:${String(j + 1).padStart(2, '0')}` : `quarter:${j + 1}`);
    const names = Array.from({ length: S - 1 }, (_, j) => label(j + 1));
    return {
      names,
      value: (ord) => {
        const m = seasonOf(ord, spec.frequency);
        return Array.from({ length: S - 1 }, (_, j) => (m === j + 1 ? 1 : 0));
      },
    };
  }
  const K = s.pairs;
  if (2 * K > S) throw new UsageError('BAD_SEASONALITY', `fourier:${K} has more pairs than a ${S}-period cycle allows (at most ${Math.floor(S / 2)})`, { pairs: K, period: S });
  const names: string[] = [];
  for (let k = 1; k <= K; k++) {
    if (2 * k !== S) names.push(`sin:${k}`);
    names.push(`cos:${k}`);
  }
  return {
    names,
    value: (ord) => {
      // Season m = 1..S (month of year), as the harmonic terms sin/cos(2πk·m/S) of the tutorial.
      const m = seasonOf(ord, spec.frequency) + 1;
      const out: number[] = [];
      for (let k = 1; k <= K; k++) {
        const a = (2 * Math.PI * k * m) / S;
        if (2 * k !== S) out.push(Math.sin(a));
        out.push(Math.cos(a));
      }
      return out;
    },
  };
}

/** Label of an interruption period. */
export function periodLabel(spec: DesignSpec, t: number): string {
  return ordinalLabel(spec.ordinals[t]!, spec.frequency);
}

/** Build the design for the treated series and, when given, a comparison series. */
export function buildDesign(spec: DesignSpec, treated: SeriesData, control: SeriesData | null): Design {
  const T = spec.ordinals.length;
  const t1 = spec.interruptions[0]!;
  const seasonal = seasonalColumns(spec);
  const labels = spec.interruptions.map((t) => periodLabel(spec, t));
  const names: string[] = ['intercept', 'time'];
  const intervention: boolean[] = [false, false];
  const cits = control !== null;
  if (cits) {
    names.push('group', 'group:time');
    intervention.push(false, false);
  }
  for (const nm of seasonal.names) {
    names.push(nm);
    intervention.push(false);
  }
  for (const c of spec.covariateNames) {
    names.push(`covariate:${c}`);
    intervention.push(false);
  }
  for (const d of spec.dummies) {
    names.push(d.name);
    intervention.push(false);
  }
  for (const lab of labels) {
    if (cits) {
      names.push(`control:level:${lab}`);
      intervention.push(false);
      if (spec.slope) {
        names.push(`control:slope:${lab}`);
        intervention.push(false);
      }
    }
    names.push(`level:${lab}`);
    intervention.push(true);
    if (spec.slope) {
      names.push(`slope:${lab}`);
      intervention.push(true);
    }
  }
  const k = names.length;
  const groups: [SeriesData, number][] = cits ? [[treated, 1], [control, 0]] : [[treated, 1]];
  const n = T * groups.length;
  const X = new Float64Array(n * k);
  const y = new Float64Array(n);
  const hasOffset = treated.offset !== null;
  const offset = hasOffset ? new Float64Array(n) : null;
  groups.forEach(([series, G], gi) => {
    for (let t = 0; t < T; t++) {
      const r = gi * T + t;
      y[r] = series.y[t]!;
      if (offset) offset[r] = series.offset![t]!;
      const row: number[] = [1, t - t1];
      if (cits) row.push(G, G * (t - t1));
      row.push(...seasonal.value(spec.ordinals[t]!));
      for (let c = 0; c < spec.covariateNames.length; c++) row.push(series.covariates[c]![t]!);
      for (const d of spec.dummies) row.push(t >= d.from && t <= d.to ? 1 : 0);
      for (const tk of spec.interruptions) {
        const L = t >= tk ? 1 : 0;
        const S = L * (t - tk);
        if (cits) {
          row.push(L);
          if (spec.slope) row.push(S);
        }
        row.push(G * L);
        if (spec.slope) row.push(G * S);
      }
      for (let j = 0; j < k; j++) X[r * k + j] = row[j]!;
    }
  });
  return { X, n, k, names, intervention, y, offset, segments: cits ? [0, T] : [0], T };
}
