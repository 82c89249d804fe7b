/**
 * Is there a seasonal pattern in the pre-period that `--seasonality none` leaves in the errors?
 *
 * Monthly crime has a seasonal cycle (violence peaks in summer). An ITS without seasonal terms
 * puts it in the errors; the level change then also absorbs the seasons the post-period happens to
 * cover, and the interval is wider than it need be. On the shipped fixture (truth −4): without
 * seasonal terms −3.75 (95% CI −8.25 to 0.74, a null result); with `--seasonality month` −4.12
 * (−6.57 to −1.67).
 *
 * Test. On the pre-period series y_t, t = 0 … n − 1 (the analysed series, as for the unit-root
 * test), compare
 *     H0: y_t = a + b t + u_t           against    H1: y_t = a + b t + Σ_{s=1}^{S−1} c_s D_{s,t} + u_t,
 * D_s the season dummies (month of year, quarter), by feasible GLS with AR(1) errors
 * u_t = ρ u_{t−1} + ε_t: ρ̂ from the lag-1 autocorrelation of the H1 residuals (consistent under
 * both; the H0 residuals would carry the cycle, whose own autocorrelation inflates ρ̂ and
 * differences the cycle away: power 15% against a 2-SD swing), clipped to ±0.99,
 * both models fitted by OLS to the Cochrane–Orcutt transform z_t = y_t − ρ̂ y_{t−1}, t ≥ 1, and
 *     F = ((RSS₀ − RSS₁)/(S − 1)) / (RSS₁/(n − 1 − (S + 1)))  ~  F(S − 1, n − S − 2)  under H0.
 * Prewhitening keeps plain autocorrelation from passing for seasonality (size in
 * tests/its/seasonal.test.ts). `amplitude` is the range of the fitted seasonal effects
 * (max − min of 0, c_1 … c_{S−1}), in the series' units.
 */
import { lstsqColumns, applyQt } from '../../core/linalg.js';
import { pf } from '../../core/stats.js';

export interface SeasonalTest {
  statistic: number;
  df1: number;
  df2: number;
  pValue: number;
  /** AR(1) coefficient used to prewhiten. */
  rho: number;
  /** Range of the fitted seasonal effects (series units). */
  amplitude: number;
}

/** RSS of the OLS fit of z on the columns, and β. Null when the columns are rank deficient. */
function fit(cols: Float64Array[], n: number, z: Float64Array): { rss: number; beta: Float64Array } | null {
  try {
    const { beta, factor } = lstsqColumns(cols, n, z);
    const qtz = applyQt(factor, z);
    let rss = 0;
    for (let i = cols.length; i < n; i++) rss += qtz[i]! * qtz[i]!;
    return { rss, beta };
  } catch {
    return null;
  }
}

/**
 * The seasonal F test. @param season - season index 0 … S − 1 of each pre-period.
 * @returns null when the pre-period is under two cycles or too short for the test (n − S − 2 < 5).
 */
export function seasonalFTest(y: ArrayLike<number>, season: ArrayLike<number>, S: number): SeasonalTest | null {
  const n = y.length;
  if (S < 2 || n < 2 * S || n - S - 2 < 5) return null;
  const trend = Float64Array.from({ length: n }, (_, t) => t - (n - 1) / 2);
  const dummies = Array.from({ length: S - 1 }, (_, s) => Float64Array.from({ length: n }, (_, t) => (season[t] === s + 1 ? 1 : 0)));
  const ones = new Float64Array(n).fill(1);
  const yy = Float64Array.from(y);
  const full = [ones, trend, ...dummies];
  const h1 = fit(full, n, yy);
  if (!h1) return null;
  const e = Float64Array.from({ length: n }, (_, t) => yy[t]! - full.reduce((v, col, j) => v + col[t]! * h1.beta[j]!, 0));
  let num = 0;
  let den = 0;
  for (let t = 1; t < n; t++) {
    num += e[t]! * e[t - 1]!;
    den += e[t - 1]! * e[t - 1]!;
  }
  const rho = den > 0 ? Math.max(-0.99, Math.min(0.99, num / den)) : 0;
  const cw = (x: Float64Array) => Float64Array.from({ length: n - 1 }, (_, t) => x[t + 1]! - rho * x[t]!);
  const z = cw(yy);
  const base = [cw(ones), cw(trend)];
  const r0 = fit(base, n - 1, z);
  const r1 = fit([...base, ...dummies.map(cw)], n - 1, z);
  if (!r0 || !r1) return null;
  const df1 = S - 1;
  const df2 = n - 1 - (S + 1);
  if (!(r1.rss > 0)) return null;
  const statistic = Math.max(0, (r0.rss - r1.rss) / df1) / (r1.rss / df2);
  const effects = [0, ...Array.from(r1.beta.subarray(2))];
  return { statistic, df1, df2, pValue: 1 - pf(statistic, df1, df2), rho, amplitude: Math.max(...effects) - Math.min(...effects) };
}
