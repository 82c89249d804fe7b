/**
 * Augmented Dickey–Fuller test (Said & Dickey 1984) of a unit root in a pre-period series,
 * with constant and linear trend (and optional seasonal dummies, which leave the limiting
 * distribution of the t statistic unchanged: Dickey, Bell & Miller 1986):
 *
 *   Δy_t = a + b·t + Σ_s c_s·S_st + π·y_{t−1} + Σ_{j=1}^{p} φ_j·Δy_{t−j} + u_t,
 *   τ = π̂ / SE(π̂);  H₀: π = 0 (a random walk: the series wanders), rejected when τ < τ_5%.
 *
 * τ_5% from MacKinnon's (1991) response surface for the constant-plus-trend case:
 * τ_5%(n) = −3.4126 − 4.039/n − 17.83/n². Lags p from p_max = min(4, ⌊∛(n − 1)⌋) down,
 * general-to-specific (n = pre-periods).
 *
 * Why ITS needs it (issue 21): a segmented regression extrapolates the pre-period trend; when
 * the series holds a random-walk component (a common crime trend that wanders), the
 * counterfactual drifts from that line by σ√h after h periods, which stationary ARMA errors do
 * not allow for, and the interval under-covers (65% for a nominal 95% in the runs).
 */
import { lstsq, xtxInverse } from '../../core/linalg.js';

export interface AdfResult {
  statistic: number;
  critical5: number;
  lags: number;
  n: number;
  /** True when the unit root is rejected at 5% (τ < τ_5%). */
  stationary: boolean;
}

/** ADF on y (pre-period values, in time order); `season` (length y) is each period's season index or null. Null when too short. */
export function adfTest(y: ArrayLike<number>, season: ArrayLike<number> | null, seasons: number): AdfResult | null {
  const N = y.length;
  const pMax = Math.min(4, Math.floor(Math.cbrt(N - 1)));
  // General-to-specific lag choice (Ng & Perron 1995): drop the last lag while |t| < 1.645.
  for (let p = pMax; p >= 0; p--) {
    const r = adfRegression(y, season, seasons, p, pMax);
    if (!r) return null;
    if (p === 0 || Math.abs(r.lastLagT) > 1.645) {
      const critical5 = -3.4126 - 4.039 / N - 17.83 / (N * N);
      return { statistic: r.tau, critical5, lags: p, n: N, stationary: r.tau < critical5 };
    }
  }
  return null;
}

/** One ADF regression with p lags on the common sample t = pMax + 1 … N − 1 (so lag choices compare like with like). */
function adfRegression(y: ArrayLike<number>, season: ArrayLike<number> | null, seasons: number, p: number, pMax: number): { tau: number; lastLagT: number } | null {
  const N = y.length;
  const seasonal = season !== null && seasons > 1 ? seasons - 1 : 0;
  const k = 3 + p + seasonal;
  const rows = N - 1 - pMax;
  if (rows < k + 5) return null;
  const X = new Float64Array(rows * k);
  const dy = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const t = r + 1 + pMax;
    dy[r] = y[t]! - y[t - 1]!;
    const row = r * k;
    X[row] = 1;
    X[row + 1] = t / N;
    X[row + 2] = y[t - 1]!;
    for (let j = 1; j <= p; j++) X[row + 2 + j] = y[t - j]! - y[t - j - 1]!;
    if (seasonal) {
      const sIdx = season![t]!;
      if (sIdx > 0) X[row + 3 + p + (sIdx - 1)] = 1;
    }
  }
  let ls: ReturnType<typeof lstsq>;
  try {
    ls = lstsq(X, rows, k, dy);
  } catch {
    return null; // rank deficient (e.g. a constant pre-period): no test
  }
  const s2 = ls.rss / (rows - k);
  // Var(β̂) = s²(XᵀX)⁻¹ from the QR factor's R⁻¹ (XᵀX itself is never inverted).
  const V = xtxInverse(ls.factor);
  const se = Math.sqrt(s2 * V[2 * k + 2]!);
  if (!(se > 0)) return null;
  const last = 2 + p;
  return { tau: ls.beta[2]! / se, lastLagT: p > 0 ? ls.beta[last]! / Math.sqrt(s2 * V[last * k + last]!) : 0 };
}
