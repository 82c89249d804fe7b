/**
 * Police-like panels for ITS coverage checks with a common trend that wanders (issue 21).
 *
 *   y_it = a_i + b·(t − t₀) + f_t + δ·D_it + e_it,
 *   f_t = f_{t−1} + η_t, η_t ~ N(0, σ_f²)   (random-walk common factor, 'rw'; or f_t ≡ 0, 'stationary'),
 *   e_it = ρe_{i,t−1} + ε_it, ε_it ~ N(0, σ²), stationary start,
 *
 * with `treated` areas (D_it = 1{t ≥ t₀}) and `controls` untreated areas, a_i ~ N(0, 5²).
 * Crime series share such a wandering component (national trends, recording changes); a
 * single treated series then drifts away from its extrapolated pre-trend by σ_f√h after h
 * periods, which a stationary error model does not allow for. Deterministic in (spec, seed).
 */
import { Rng } from '../core/rng.js';
import { ordinalLabel, periodOrdinal } from '../core/periods.js';

export interface DriftSpec {
  periods: number;
  interruption: number;
  treated: number;
  controls: number;
  level: number;
  trend: number;
  rho: number;
  sigma: number;
  /** SD of the random-walk factor's steps (0: no common factor). */
  factorSd: number;
}

export const ITS_DRIFT_SPEC: DriftSpec = { periods: 144, interruption: 72, treated: 4, controls: 16, level: -5, trend: 0.1, rho: 0.5, sigma: 1, factorSd: 0.5 };

/** Long CSV text: unit, period, y, treated (treated units T0.., controls C0..). */
export function simulateDriftPanel(spec: DriftSpec, seed: number): string {
  const rng = new Rng(seed);
  const T = spec.periods;
  const o0 = periodOrdinal('2012-01', 'monthly');
  const periods = Array.from({ length: T }, (_, t) => ordinalLabel(o0 + t, 'monthly'));
  const f = new Float64Array(T);
  for (let t = 1; t < T; t++) f[t] = f[t - 1]! + spec.factorSd * rng.normal();
  const lines = ['unit,period,y,treated'];
  const N = spec.treated + spec.controls;
  for (let i = 0; i < N; i++) {
    const treated = i < spec.treated;
    const name = treated ? `T${i}` : `C${i - spec.treated}`;
    const a = 50 + 5 * rng.normal();
    let e = (spec.sigma * rng.normal()) / Math.sqrt(1 - spec.rho * spec.rho);
    for (let t = 0; t < T; t++) {
      if (t > 0) e = spec.rho * e + spec.sigma * rng.normal();
      const d = treated && t >= spec.interruption ? 1 : 0;
      const y = a + spec.trend * (t - spec.interruption) + f[t]! + spec.level * d + e;
      lines.push(`${name},${periods[t]},${y},${d}`);
    }
  }
  return lines.join('\n') + '\n';
}
