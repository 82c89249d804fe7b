/**
 * Options of the interrupted-time-series estimator and the parsers of its
 * compact flag values (`--seasonality fourier:2`, `--errors arma:1,1`).
 * Parsers throw UsageError naming the flag and the accepted forms.
 */
import { UsageError } from '../../core/errors.js';

export const ITS_FAMILIES = ['gaussian', 'poisson', 'quasipoisson'] as const;
export type ItsFamily = (typeof ITS_FAMILIES)[number];

export const ITS_AGGREGATES = ['mean', 'sum'] as const;
export type ItsAggregate = (typeof ITS_AGGREGATES)[number];

export const ARMA_METHODS = ['ml', 'reml'] as const;

/** Seasonal terms: none, one dummy per month/quarter (reference: January / Q1), or K Fourier (harmonic) pairs. */
export type Seasonality = { type: 'none' } | { type: 'month' } | { type: 'fourier'; pairs: number };

/**
 * Error model of a Gaussian ITS:
 *  - `ols`: i.i.d. errors, classical variance;
 *  - `newey-west`: OLS point estimates with the Newey–West (1987) HAC variance, Bartlett weights up to `lag`
 *    (null = the rule of thumb ⌊4(n/100)^{2/9}⌋);
 *  - `arma`: regression with stationary, invertible ARMA(p, q) errors by exact Gaussian maximum likelihood;
 *  - `arima`: regression with ARIMA(p, 1, q) errors (Box & Jenkins; Harvey 1989 §3.4): the segmented
 *    regression differenced once, with ARMA(p, q) errors, by the exact likelihood of the differences
 *    (the errors wander like a random walk, so the counterfactual may drift);
 *  - `local-level`: the local level model y_t = μ_t + x_tᵀβ + ε_t, μ_{t+1} = μ_t + η_t
 *    (Harvey 1989 §2.3; Durbin & Koopman 2012 ch. 2), whose differences are MA(1) with θ ∈ (−1, 0];
 *  - `auto`: chosen from the pre-period by a unit-root test and residual checks (selectErrors.ts).
 */
export type ErrorModel =
  | { type: 'ols' }
  | { type: 'newey-west'; lag: number | null }
  | { type: 'arma'; p: number; q: number }
  | { type: 'arima'; p: number; q: number }
  | { type: 'local-level' }
  | { type: 'auto' };

/** Error models whose errors are integrated (I(1)): fitted to the differenced regression. */
export function isIntegrated(e: ErrorModel): e is { type: 'arima'; p: number; q: number } | { type: 'local-level' } {
  return e.type === 'arima' || e.type === 'local-level';
}

export const ITS_CONTROL_MODELS = ['stacked', 'difference'] as const;
export type ItsControlModel = (typeof ITS_CONTROL_MODELS)[number];

export interface ItsOptions {
  /** Analyse this one unit's series. Excludes `units`. */
  series?: string | undefined;
  /** Aggregate these units' series (default: the panel's treated units, or the only unit of a one-unit panel). */
  units?: readonly string[] | undefined;
  /** How several units are combined into one series. Default 'mean'. */
  aggregate?: ItsAggregate | undefined;
  /** Interruption periods, each with its own level (and slope) change. Default: the analysed units' treatment starts. */
  interruptions?: readonly string[] | undefined;
  /** Include a slope change at each interruption (default true); false gives the step-only model. */
  slope?: boolean | undefined;
  /** Shock windows `FROM:TO` (inclusive), each an indicator term kept in the counterfactual. */
  dummies?: readonly string[] | undefined;
  /** `none` (default), `month`, or `fourier:K`, or a parsed {@link Seasonality}. */
  seasonality?: string | Seasonality | undefined;
  /** Default 'gaussian'. */
  family?: ItsFamily | undefined;
  /** Use log(panel.population) as the offset of a count model. */
  offset?: boolean | undefined;
  /** `ols` (default), `newey-west[:lag]`, `ar:p`, `arma:p,q`, `arima:p,1,q`, `local-level`, `auto`, or a parsed {@link ErrorModel}. Gaussian only. */
  errors?: string | ErrorModel | undefined;
  /** How ARMA error parameters are estimated: 'ml' (exact maximum likelihood, default) or 'reml' (restricted ML). */
  armaMethod?: 'ml' | 'reml' | undefined;
  /** Comparison units for a controlled ITS (aggregated like the treated series). */
  control?: readonly string[] | undefined;
  /**
   * How the comparison series enters (issue 21): 'stacked' (default; Linden 2015, both series in one
   * regression with group interactions) or 'difference' (the segmented regression of treated −
   * comparison, so a trend both share, such as a random-walk common factor, cancels).
   */
  controlModel?: ItsControlModel | undefined;
  /** Confidence level, default 0.95. */
  level?: number | undefined;
  /** Recorded in `options.seed` (the estimator draws no random numbers). */
  seed?: number | undefined;
  /** Iteration limit of IRLS / the ARMA likelihood maximisation. Default 200. */
  maxIter?: number | undefined;
  /** Convergence tolerance (relative change of deviance / log-likelihood). Default 1e-10. */
  tol?: number | undefined;
}

/** Parse `none | month | quarter | fourier:K`. */
export function parseSeasonality(spec: string, flag = '--seasonality'): Seasonality {
  const s = spec.trim().toLowerCase();
  if (s === 'none') return { type: 'none' };
  if (s === 'month' || s === 'quarter' || s === 'season') return { type: 'month' };
  const m = /^fourier:(\d+)$/.exec(s);
  if (m) {
    const k = Number(m[1]);
    if (k >= 1) return { type: 'fourier', pairs: k };
  }
  throw new UsageError('BAD_SEASONALITY', `${flag} '${spec}' must be none, month (quarter dummies for quarterly data) or fourier:K with K ≥ 1 sin/cos pairs, e.g. fourier:2`, { flag, value: spec });
}

/** Parse `ols | newey-west[:lag] | ar:p | arma:p,q | arima:p,1,q | local-level | auto`. */
export function parseErrors(spec: string, flag = '--errors'): ErrorModel {
  const s = spec.trim().toLowerCase();
  const bad = (why: string) =>
    new UsageError('BAD_ERRORS', `${flag} '${spec}': ${why}; use ols, newey-west, newey-west:LAG, ar:P, arma:P,Q (e.g. arma:1,1), arima:P,1,Q (e.g. arima:0,1,1), local-level or auto`, { flag, value: spec });
  if (s === 'ols') return { type: 'ols' };
  if (s === 'auto') return { type: 'auto' };
  if (s === 'local-level' || s === 'locallevel') return { type: 'local-level' };
  let m = /^(?:newey-west|nw|hac)(?::(\d+))?$/.exec(s);
  if (m) return { type: 'newey-west', lag: m[1] === undefined ? null : Number(m[1]) };
  m = /^ar:(\d+)$/.exec(s);
  if (m) {
    const p = Number(m[1]);
    if (p < 1) throw bad('the AR order must be at least 1 (ar:0 is plain OLS)');
    if (p > 24) throw bad('the AR order is limited to 24');
    return { type: 'arma', p, q: 0 };
  }
  m = /^arma:(\d+),(\d+)$/.exec(s);
  if (m) {
    const p = Number(m[1]);
    const q = Number(m[2]);
    if (p + q < 1) throw bad('arma:0,0 is plain OLS');
    if (p > 24 || q > 24) throw bad('orders are limited to 24');
    return { type: 'arma', p, q };
  }
  m = /^arima:(\d+),(\d+),(\d+)$/.exec(s);
  if (m) {
    const p = Number(m[1]);
    const d = Number(m[2]);
    const q = Number(m[3]);
    if (d !== 1) throw bad(d === 0 ? 'arima:P,0,Q is arma:P,Q' : 'only one difference (d = 1) is supported');
    if (p > 4 || q > 4) throw bad('arima orders are limited to 4');
    return { type: 'arima', p, q };
  }
  throw bad('not a recognised error model');
}

/** Canonical text of an error model (as recorded in `options.errors`). */
export function errorsLabel(e: ErrorModel): string {
  switch (e.type) {
    case 'ols':
      return 'ols';
    case 'newey-west':
      return e.lag === null ? 'newey-west' : `newey-west:${e.lag}`;
    case 'arma':
      return e.q === 0 ? `ar:${e.p}` : `arma:${e.p},${e.q}`;
    case 'arima':
      return `arima:${e.p},1,${e.q}`;
    case 'local-level':
      return 'local-level';
    case 'auto':
      return 'auto';
  }
}

/** Canonical text of a seasonality. */
export function seasonalityLabel(s: Seasonality): string {
  return s.type === 'fourier' ? `fourier:${s.pairs}` : s.type;
}
