/**
 * Poisson log-linear regression with an offset by iteratively reweighted least
 * squares (McCullagh & Nelder 1989, "Generalized Linear Models", §2.5), and the
 * quasi-Poisson dispersion φ̂ = Pearson χ²/(n − p) (ibid. §6.2; Wedderburn 1974).
 *
 *   log μ_t = o_t + x_tᵀβ,   Var(y_t) = φ μ_t   (φ = 1 for Poisson).
 *
 * Each IRLS step solves a weighted least-squares problem by QR (never XᵀWX).
 */
import { EstimationError } from '../../core/errors.js';
import { lstsq, xtxInverse } from '../../core/linalg.js';

export interface PoissonFit {
  beta: Float64Array;
  /** (XᵀWX)^{-1} at convergence (k×k row-major), i.e. Var(β̂) for φ = 1. */
  unscaledVcov: Float64Array;
  mu: Float64Array;
  /** Linear predictor without the offset, x_tᵀβ. */
  eta: Float64Array;
  deviance: number;
  /** Pearson χ² = Σ (y − μ)²/μ. */
  pearson: number;
  converged: boolean;
  iterations: number;
}

/** Poisson deviance contribution 2[y log(y/μ) − (y − μ)]. */
function devTerm(y: number, mu: number): number {
  return 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
}

/**
 * Fit a Poisson GLM with log link by IRLS.
 * @param X - n×k design (row-major); @param offset - length n (log exposure) or null.
 * Convergence: |D_new − D_old|/(|D_new| + 0.1) < tol (the criterion of R's glm.fit, here with a smaller default tol).
 * @throws EstimationError when a count is negative or the fit diverges.
 */
export function fitPoisson(y: Float64Array, X: Float64Array, n: number, k: number, offset: Float64Array | null, opts: { maxIter: number; tol: number; names?: readonly string[] }): PoissonFit {
  for (let t = 0; t < n; t++) {
    if (!(y[t]! >= 0)) throw new EstimationError('NEGATIVE_COUNT', `a count model needs non-negative outcomes, but observation ${t + 1} is ${y[t]}; use --family gaussian for this outcome`, { index: t, value: y[t] });
  }
  const off = offset ?? new Float64Array(n);
  // Start from μ = y + 0.1 (as glm's Poisson mustart, shifted away from 0).
  let mu = Float64Array.from(y, (v) => v + 0.1);
  let eta = new Float64Array(n);
  for (let t = 0; t < n; t++) eta[t] = Math.log(mu[t]!) - off[t]!;
  let dev = 0;
  for (let t = 0; t < n; t++) dev += devTerm(y[t]!, mu[t]!);
  let beta: Float64Array = new Float64Array(k);
  let vcov: Float64Array = new Float64Array(k * k);
  let converged = false;
  let iter = 0;
  const Xw = new Float64Array(n * k);
  const z = new Float64Array(n);
  while (iter < opts.maxIter) {
    iter++;
    for (let t = 0; t < n; t++) {
      const w = Math.sqrt(mu[t]!);
      z[t] = (eta[t]! + (y[t]! - mu[t]!) / mu[t]!) * w;
      for (let j = 0; j < k; j++) Xw[t * k + j] = X[t * k + j]! * w;
    }
    const ls = lstsq(Xw, n, k, z, opts.names);
    beta = ls.beta;
    vcov = xtxInverse(ls.factor);
    const etaN = new Float64Array(n);
    const muN = new Float64Array(n);
    let devN = 0;
    for (let t = 0; t < n; t++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += X[t * k + j]! * beta[j]!;
      etaN[t] = s;
      muN[t] = Math.exp(s + off[t]!);
      devN += devTerm(y[t]!, muN[t]!);
    }
    if (!Number.isFinite(devN)) throw new EstimationError('GLM_DIVERGED', 'the Poisson fit diverged (infinite deviance); check for a term that separates zero counts', {});
    const change = Math.abs(devN - dev) / (Math.abs(devN) + 0.1);
    eta = etaN;
    mu = muN;
    dev = devN;
    if (change < opts.tol) {
      converged = true;
      break;
    }
  }
  // Variance at the final μ (one more weighted factorisation so it matches β̂ exactly).
  for (let t = 0; t < n; t++) {
    const w = Math.sqrt(mu[t]!);
    for (let j = 0; j < k; j++) Xw[t * k + j] = X[t * k + j]! * w;
  }
  vcov = xtxInverse(lstsq(Xw, n, k, z, opts.names).factor);
  let pearson = 0;
  for (let t = 0; t < n; t++) pearson += (y[t]! - mu[t]!) ** 2 / mu[t]!;
  return { beta, unscaledVcov: vcov, mu, eta, deviance: dev, pearson, converged, iterations: iter };
}
