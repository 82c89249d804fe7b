/**
 * The event study laid on a contiguous grid of event times, and the pieces every Rambachan & Roth
 * (2023) bound uses (honest.ts: projection and smoothness bounds; honestRm.ts: the ARP hybrid
 * confidence sets under relative magnitudes).
 *
 * Notation. Event times e on a contiguous grid e_min … e_max, reference e = −1 (β_{−1} ≡ 0).
 * β̂ = (β̂_pre, β̂_post) ~ N(β, Σ), β = (0, τ_post) + δ. The target is θ = lᵀτ_post. First
 * differences Δ_e = δ_{e+1} − δ_e: pre-period ones e = e_min … −2 (J = n_pre of them, the last is
 * δ_{−1} − δ_{−2} = −δ_{−2}), post-period ones e = −1 … e_max − 1 (T̄ = n_post of them).
 */
import { EstimationError, InputError } from '../../core/errors.js';

/** An event study: coefficients at event times (reference −1 excluded) and their covariance. */
export interface EventStudy {
  eventTimes: number[];
  beta: ArrayLike<number>;
  /** k×k covariance, row-major. */
  vcov: ArrayLike<number>;
}

export const HONEST_TARGETS = ['first', 'average'] as const;
export type HonestTarget = (typeof HONEST_TARGETS)[number];

/** The grid, the target and the pieces every bound uses. */
export interface HonestSetup {
  eMin: number;
  eMax: number;
  /** β̂ on the grid e_min…e_max (0 at the reference). */
  betaGrid: Float64Array;
  /** Σ on the grid (zero row/column at the reference). */
  sigmaGrid: Float64Array;
  /** Target weights l on the grid (non-zero only at e ≥ 0). */
  lGrid: Float64Array;
  nPre: number;
  nPost: number;
}

/** Index of event time e on the grid. */
export const at = (s: { eMin: number }, e: number) => e - s.eMin;

/** Check the event study and lay it on a contiguous grid. @throws InputError, EstimationError */
export function prepareHonest(es: EventStudy, target: HonestTarget): HonestSetup {
  const times = es.eventTimes;
  const k = times.length;
  if (times.includes(-1)) throw new InputError('HONEST_REFERENCE', 'the event study must omit the reference period −1 (it is normalised to 0)', {});
  const eMin = Math.min(...times, -1);
  const eMax = Math.max(...times, -1);
  const nG = eMax - eMin + 1;
  if (k !== nG - 1) {
    const missing: number[] = [];
    for (let e = eMin; e <= eMax; e++) if (e !== -1 && !times.includes(e)) missing.push(e);
    throw new EstimationError('HONEST_GAPS', `sensitivity bounds need a coefficient at every event time from ${eMin} to ${eMax}; event time(s) ${missing.join(', ')} have none (no treated observation); narrow --event-window`, { missing });
  }
  const nPre = times.filter((e) => e <= -2).length;
  const nPost = times.filter((e) => e >= 0).length;
  if (nPost === 0) throw new EstimationError('HONEST_NO_POST', 'the event study has no post-period coefficient (e ≥ 0), so there is no effect to bound', {});
  if (nPre === 0) throw new EstimationError('HONEST_NO_PRE', 'the event study has no pre-period coefficient before the reference −1, so the pre-period says nothing about violations of parallel trends; widen --event-window (e.g. -4:…)', {});
  const betaGrid = new Float64Array(nG);
  const sigmaGrid = new Float64Array(nG * nG);
  times.forEach((e, a) => {
    const b = es.beta[a]!;
    if (!Number.isFinite(b)) throw new EstimationError('HONEST_NON_FINITE', `event coefficient at e = ${e} is not finite`, { eventTime: e });
    betaGrid[e - eMin] = b;
    times.forEach((f, c) => (sigmaGrid[(e - eMin) * nG + (f - eMin)] = es.vcov[a * k + c]!));
  });
  const lGrid = new Float64Array(nG);
  if (target === 'first') lGrid[at({ eMin }, 0)] = 1;
  else for (let e = 0; e <= eMax; e++) lGrid[e - eMin] = 1 / nPost;
  return { eMin, eMax, betaGrid, sigmaGrid, lGrid, nPre, nPost };
}

export function quad(s: HonestSetup, w: ArrayLike<number>): number {
  const n = s.betaGrid.length;
  let v = 0;
  for (let a = 0; a < n; a++) {
    if (w[a] === 0) continue;
    for (let b = 0; b < n; b++) v += w[a]! * s.sigmaGrid[a * n + b]! * w[b]!;
  }
  return v;
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let v = 0;
  for (let i = 0; i < a.length; i++) v += a[i]! * b[i]!;
  return v;
};

/** S = Σ_k |L_k|, L_k = Σ_{e>k} l_e over k = −1 … e_max − 1. */
export function rmSlope(s: HonestSetup): number {
  let S = 0;
  for (let k = -1; k < s.eMax; k++) {
    let L = 0;
    for (let e = k + 1; e <= s.eMax; e++) L += s.lGrid[at(s, e)]!;
    S += Math.abs(L);
  }
  return S;
}

/** Pre-period first differences Δ_e = β_{e+1} − β_e, e = e_min … −2, as weight vectors on the grid. */
export function preDiffs(s: HonestSetup): Float64Array[] {
  const n = s.betaGrid.length;
  const out: Float64Array[] = [];
  for (let e = s.eMin; e <= -2; e++) {
    const w = new Float64Array(n);
    w[at(s, e + 1)] = 1;
    w[at(s, e)] = -1;
    out.push(w);
  }
  return out;
}

/** Identified set of θ under Δ^RM(M̄) at the point estimate β̂ (no sampling error). */
export function rmIdentifiedSet(s: HonestSetup, mbar: number): [number, number] {
  const b = dot(s.lGrid, s.betaGrid);
  const m = Math.max(...preDiffs(s).map((w) => Math.abs(dot(w, s.betaGrid))));
  const h = mbar * m * rmSlope(s);
  return [b - h, b + h];
}
