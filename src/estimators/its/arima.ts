/**
 * Segmented regression with integrated errors (issue 21: counterfactuals that drift).
 *
 * ARIMA(p, 1, q) errors (Box, Jenkins & Reinsel 2008 ch. 8; Harvey 1989 §3.4; Brockwell & Davis
 * 2016 §6.6): y_t = x_tᵀβ + u_t with φ(L)(1 − L)u_t = θ(L)ε_t, ε_t ~ N(0, σ²). Differencing each
 * series once gives the stationary regression
 *   Δy_t = Δx_tᵀβ + w_t,   φ(L)w_t = θ(L)ε_t,   t = 2..T (per series),
 * whose exact Gaussian (restricted) likelihood is that of arma.ts on (Δy, ΔX). The exact
 * likelihood of the differences equals the diffuse likelihood of the levels (the initial level
 * has an improper prior; de Jong 1991; Durbin & Koopman 2012 §5.7 and §7.2.2), so the level
 * (intercept, and `group` in a stacked controlled ITS) is not a parameter: those columns
 * difference to zero and are dropped.
 *
 * Local level (Harvey 1989 §2.3; Durbin & Koopman 2012 ch. 2): y_t = μ_t + x_tᵀβ + ε_t,
 * μ_{t+1} = μ_t + η_t. Its reduced form is ARIMA(0,1,1) with θ = θ(q) ≤ 0, q = σ²_η/σ²_ε
 * (arma.ts localLevelTheta), maximised over log q; σ²_ε and σ²_η are reported.
 *
 * Effects. The intervention terms (level:, slope:) keep their meaning: the effect at period t is
 * e_t = x_t^{int}ᵀβ, Var ê_t = g_tᵀ Var(β̂) g_t with g_t = x_t^{int}; the counterfactual is
 * y_t − ê_t. Under I(1) errors the drift (the `time` column differences to 1) is estimated
 * from the differences, and the counterfactual's uncertainty grows with the horizon h = t − t₁:
 * with a slope change, Var ê_t ⊇ h²·Var(γ̂), where Var(γ̂) carries the random-walk variance of the
 * differences (σ²_η + 2σ²_ε for a local level) rather than the far smaller stationary one.
 * `fitted` is the one-step-ahead prediction ŷ_{t|t−1} = y_t − v_t (v_t the Kalman innovation).
 */
import { EstimationError } from '../../core/errors.js';
import type { Diagnostic, Warning } from '../../core/result.js';
import { pValueNormal, qnorm } from '../../core/stats.js';
import { fitArmaRegression, localLevelVariances, whiten, type ArmaFit, type ArmaMethod } from './arma.js';
import type { Design } from './design.js';
import type { Fit, ItsCoefficient } from './fit.js';

/** (Δy, ΔX) per series, with the columns that difference to zero dropped. */
export interface Differenced {
  dy: Float64Array;
  dX: Float64Array;
  n: number;
  k: number;
  /** Kept columns of the original design, in order. */
  kept: number[];
  /** Start rows of each differenced series. */
  segments: number[];
  /** Row of the original design that each differenced row belongs to. */
  rowOf: number[];
}

/** Difference each series of the design once (t = 2..T within each segment). */
export function differenceDesign(design: Design): Differenced {
  const { X, y, n, k } = design;
  const bounds = [...design.segments, n];
  const rowOf: number[] = [];
  const segments: number[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    segments.push(rowOf.length);
    for (let t = bounds[s]! + 1; t < bounds[s + 1]!; t++) rowOf.push(t);
  }
  const m = rowOf.length;
  const kept: number[] = [];
  for (let j = 0; j < k; j++) if (rowOf.some((t) => X[t * k + j] !== X[(t - 1) * k + j])) kept.push(j);
  const kk = kept.length;
  const dy = new Float64Array(m);
  const dX = new Float64Array(m * kk);
  rowOf.forEach((t, r) => {
    dy[r] = y[t]! - y[t - 1]!;
    kept.forEach((j, c) => (dX[r * kk + c] = X[t * k + j]! - X[(t - 1) * k + j]!));
  });
  return { dy, dX, n: m, k: kk, kept, segments, rowOf };
}

/** Rows of the AR/MA parameters and the stationarity/invertibility checks of an ARMA fit (shared with stationary ARMA errors). */
export function armaParameterRows(a: ArmaFit, level: number, diagnostics: Diagnostic[], warnings: Warning[], what = 'errors'): ItsCoefficient[] {
  const z = qnorm(0.5 + level / 2);
  const names = [...Array.from({ length: a.p }, (_, i) => `ar:${i + 1}`), ...Array.from({ length: a.q }, (_, i) => `ma:${i + 1}`)];
  const est = [...a.phi, ...a.theta];
  if (a.vcovArma === null && names.length > 0) warnings.push({ code: 'ARMA_SE_UNAVAILABLE', message: `the Hessian of the ARMA log-likelihood is not negative definite at the estimate (parameters at the edge of the stationary/invertible region?); AR/MA standard errors are null` });
  const rows = names.map((term, j): ItsCoefficient => {
    const e = est[j]!;
    const se = a.vcovArma ? Math.sqrt(a.vcovArma[j * names.length + j]!) : null;
    return { term, estimate: e, se, ci: se === null ? null : [e - z * se, e + z * se], pValue: se === null ? null : pValueNormal(e / se) };
  });
  if (a.arRootMin !== null) {
    const ok = a.arRootMin > 1.01;
    if (!ok) warnings.push({ code: 'NEAR_UNIT_ROOT', message: `the AR polynomial of the ${what} has a root of modulus ${a.arRootMin.toFixed(4)}, close to 1: the errors are nearly non-stationary, so intervals may be unreliable; consider --errors arima:0,1,1 (or local-level), more trend terms or a shorter window` });
    diagnostics.push({ code: 'AR_STATIONARITY', passed: ok, value: a.arRootMin, message: `smallest modulus of the AR polynomial roots ${a.arRootMin.toFixed(4)} (> 1 stationary)` });
  }
  if (a.maRootMin !== null) {
    const ok = a.maRootMin > 1.01;
    if (!ok) warnings.push({ code: 'NEAR_NONINVERTIBLE', message: `the MA polynomial of the ${what} has a root of modulus ${a.maRootMin.toFixed(4)}, close to 1 (over-differenced or over-parameterised errors?)${what === 'differenced errors' ? ': the series looks stationary around its trend, so --errors ar:1 (or auto) fits it better' : ''}` });
    diagnostics.push({ code: 'MA_INVERTIBILITY', passed: ok, value: a.maRootMin, message: `smallest modulus of the MA polynomial roots ${a.maRootMin.toFixed(4)} (> 1 invertible)` });
  }
  return rows;
}

/**
 * Fit the segmented regression with ARIMA(p,1,q) or local-level errors.
 * @throws EstimationError TOO_FEW_OBSERVATIONS / ARMA_FAILED
 */
export function fitIntegrated(design: Design, errors: { type: 'arima'; p: number; q: number } | { type: 'local-level' }, opts: { maxIter: number; tol: number; level: number; armaMethod: ArmaMethod }): Fit {
  const d = differenceDesign(design);
  const local = errors.type === 'local-level';
  const p = local ? 0 : errors.p;
  const q = local ? 1 : errors.q;
  const dropped = design.names.filter((_, j) => !d.kept.includes(j));
  if (d.k === 0) throw new EstimationError('TOO_FEW_OBSERVATIONS', 'after differencing no intervention term is left to estimate', { terms: design.names });
  const names = d.kept.map((j) => design.names[j]!);
  const a = fitArmaRegression(d.dy, d.dX, d.n, d.k, p, q, d.segments, { maxIter: opts.maxIter, tol: opts.tol, names, method: opts.armaMethod, localLevel: local });
  const warnings: Warning[] = [];
  const diagnostics: Diagnostic[] = [];
  const label = local ? 'local level' : `ARIMA(${p},1,${q})`;
  const ok = a.converged;
  if (!ok) warnings.push({ code: 'NOT_CONVERGED', message: `${label} likelihood maximisation did not converge in ${a.iterations} iteration(s) (limit ${opts.maxIter}); the estimates are from the last iteration. Raise --max-iter, simplify the model, or check the data` });
  diagnostics.push({ code: 'CONVERGENCE', passed: ok, value: a.iterations, message: `${label} likelihood maximisation ${ok ? 'converged' : 'did NOT converge'} after ${a.iterations} iteration(s)` });
  const extra = local ? [] : armaParameterRows(a, opts.level, diagnostics, warnings, 'differenced errors');
  const { beta, vcov } = expand(a, d, design.k);
  const details: Record<string, unknown> = {
    sigma2: a.sigma2,
    logLik: a.logLik,
    aic: a.aic,
    arima: { method: a.method, p, d: 1, q, ar: Array.from(a.phi), ma: Array.from(a.theta), sigma2: a.sigma2, logLik: a.logLik, aic: a.aic, nDifferenced: d.n, droppedTerms: dropped, likelihood: 'exact Gaussian likelihood of the differenced series (= diffuse likelihood of the levels)' },
    convergence: { converged: a.converged, iterations: a.iterations },
  };
  if (local) {
    const v = localLevelVariances(a.theta[0]!, a.sigma2);
    details.localLevel = { sigma2Eps: v.sigma2Eps, sigma2Eta: v.sigma2Eta, signalToNoise: v.sigma2Eps > 0 ? v.sigma2Eta / v.sigma2Eps : null, theta: a.theta[0]! };
  }
  return {
    beta,
    vcov,
    df: d.n - d.k,
    diagResiduals: a.innovations,
    diagResidualsKind: `standardised ${label} innovations`,
    fitdf: p + q,
    inference: `${local ? 'local-level' : `arima(${p},1,${q})`}-${a.method} (exact Gaussian ${a.method === 'ml' ? 'likelihood' : 'restricted likelihood'} of the differenced series; effects from the intervention terms, t with ${d.n - d.k} df, delta method)`,
    details,
    extraCoefficients: extra,
    diagnostics,
    warnings,
    integrated: { fitted: oneStepFitted(design, d, a), segments: d.segments, dropped },
  };
}

/** β and Var(β̂) on the full design's columns (0 for the dropped, unidentified ones). */
function expand(a: ArmaFit, d: Differenced, k: number): { beta: Float64Array; vcov: Float64Array } {
  const beta = new Float64Array(k);
  const vcov = new Float64Array(k * k);
  d.kept.forEach((j, c) => {
    beta[j] = a.beta[c]!;
    d.kept.forEach((l, e) => (vcov[j * k + l] = a.vcovBeta[c * d.k + e]!));
  });
  return { beta, vcov };
}

/** One-step-ahead predictions of the levels, ŷ_{t|t−1} = y_t − v_t, for the analysed (first) series. */
function oneStepFitted(design: Design, d: Differenced, a: ArmaFit): (number | null)[] {
  const wr = whiten(a.residuals, d.n, 1, a.phi, a.theta, d.segments);
  const out: (number | null)[] = Array.from({ length: design.T }, () => null);
  if (wr === null) return out;
  d.rowOf.forEach((t, r) => {
    if (t < design.T) out[t] = design.y[t]! - wr.W[r]! * Math.sqrt(wr.F[r]!);
  });
  return out;
}
