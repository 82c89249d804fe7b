/**
 * Regression with stationary ARMA(p, q) errors by exact Gaussian maximum likelihood.
 *
 * Model (Brockwell & Davis 2016, "Introduction to Time Series and Forecasting", §6.6;
 * Harvey 1989, §3.4):
 *   y_t = x_tᵀβ + e_t,   e_t = φ₁e_{t−1} + … + φ_p e_{t−p} + ε_t + θ₁ε_{t−1} + … + θ_q ε_{t−q},   ε_t ~ N(0, σ²).
 *
 * Cov(e) = σ²Ω(φ, θ). The Kalman filter on the state-space form of the ARMA
 * process (state dimension m = max(p, q + 1), stationary initial covariance from
 * the discrete Lyapunov equation) factorises Ω = L D Lᵀ; applying the same
 * (data-independent) filter to y and to each column of X gives the whitened
 * ỹ = D^{-1/2}L^{-1}y and X̃. Then for fixed (φ, θ):
 *   β̂ = argmin‖ỹ − X̃β‖² (QR least squares),  σ̂² = RSS/n,
 *   ℓ_p(φ, θ) = −n/2·(log 2π + log σ̂² + 1) − ½ Σ_t log F_t,
 * the profile (concentrated) exact log-likelihood, which is maximised over
 * (φ, θ) in an unconstrained parameterisation that keeps the AR polynomial
 * stationary and the MA polynomial invertible: partial autocorrelations
 * r_k = tanh(u_k) mapped to coefficients by the Durbin–Levinson recursion
 * (Barndorff-Nielsen & Schou 1973; Jones 1980; Monahan 1984).
 *
 * Several independent segments (e.g. the treated and the comparison series of a
 * controlled ITS) share (β, φ, θ, σ²); the filter restarts at each segment.
 */
import { EstimationError } from '../../core/errors.js';
import { invertSpd, lstsq, mlMatrix, xtxInverse } from '../../core/linalg.js';
import { bfgsMinimise, numericHessian } from './optim.js';

/** Durbin–Levinson: partial autocorrelations r₁..r_k (|r| < 1) → coefficients c of 1 − c₁z − … − c_k z^k, which is then stationary. */
export function pacfToCoefficients(r: ArrayLike<number>): Float64Array {
  const k = r.length;
  let c = new Float64Array(0);
  for (let j = 0; j < k; j++) {
    const next = new Float64Array(j + 1);
    const rj = r[j]!;
    for (let i = 0; i < j; i++) next[i] = c[i]! - rj * c[j - 1 - i]!;
    next[j] = rj;
    c = next;
  }
  return c;
}

/** Inverse of {@link pacfToCoefficients}; returns null when c is not stationary (some |r_k| ≥ 1). */
export function coefficientsToPacf(c: ArrayLike<number>): Float64Array | null {
  const k = c.length;
  const r = new Float64Array(k);
  let cur = Float64Array.from(c);
  for (let j = k - 1; j >= 0; j--) {
    const rj = cur[j]!;
    if (!(Math.abs(rj) < 1)) return null;
    r[j] = rj;
    const prev = new Float64Array(j);
    const d = 1 - rj * rj;
    for (let i = 0; i < j; i++) prev[i] = (cur[i]! + rj * cur[j - 1 - i]!) / d;
    cur = prev;
  }
  return r;
}

/** (φ, θ) from the unconstrained vector u = (u_AR[p], u_MA[q]). θ(z) = 1 + Σθ_j z^j is invertible by construction. */
export function armaFromUnconstrained(u: ArrayLike<number>, p: number, q: number): { phi: Float64Array; theta: Float64Array } {
  const ra = new Float64Array(p);
  for (let i = 0; i < p; i++) ra[i] = Math.tanh(u[i]!);
  const rm = new Float64Array(q);
  for (let i = 0; i < q; i++) rm[i] = Math.tanh(u[p + i]!);
  const phi = pacfToCoefficients(ra);
  const psi = pacfToCoefficients(rm);
  const theta = psi.map((x) => -x);
  return { phi, theta };
}

/** Moduli of the roots of 1 − c₁z − … − c_k z^k (all > 1 ⇔ stationary/invertible), smallest first. */
export function polynomialRootModuli(c: ArrayLike<number>): number[] {
  let k = c.length;
  while (k > 0 && c[k - 1] === 0) k--;
  if (k === 0) return [];
  // Roots z of 1 − Σc_i z^i are 1/λ for the eigenvalues λ of the companion matrix of λ^k − c₁λ^{k−1} − … − c_k.
  const { Matrix, EigenvalueDecomposition } = mlMatrix();
  const M = Matrix.zeros(k, k);
  for (let i = 0; i < k; i++) M.set(0, i, c[i]!);
  for (let i = 1; i < k; i++) M.set(i, i - 1, 1);
  const e = new EigenvalueDecomposition(M);
  const re = e.realEigenvalues;
  const im = e.imaginaryEigenvalues;
  return re.map((a, i) => 1 / Math.hypot(a, im[i]!)).sort((a, b) => a - b);
}

/** Stationary state covariance P₀ (m×m row-major, in units of σ²) solving P = T P Tᵀ + R Rᵀ. */
function stationaryCovariance(phi: Float64Array, theta: Float64Array, m: number): Float64Array | null {
  const Tm = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    Tm[i * m] = i < phi.length ? phi[i]! : 0;
    if (i + 1 < m) Tm[i * m + i + 1] = 1;
  }
  const R = new Float64Array(m);
  R[0] = 1;
  for (let j = 1; j < m; j++) R[j] = j - 1 < theta.length ? theta[j - 1]! : 0;
  if (m === 1) {
    const d = 1 - Tm[0]! * Tm[0]!;
    return d > 0 ? Float64Array.of(1 / d) : null;
  }
  // Doubling (Smith 1968; Anderson & Moore 1979): P = Σ_j T^j RRᵀ (Tᵀ)^j, summed as
  // P ← P + A P Aᵀ, A ← A², which converges quadratically for a stationary T (spectral radius < 1).
  let P = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) P[i * m + j] = R[i]! * R[j]!;
  let A: Float64Array = Float64Array.from(Tm);
  const mul = (X: Float64Array, Y: Float64Array, transY: boolean): Float64Array => {
    const Z = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += X[i * m + k]! * (transY ? Y[j * m + k]! : Y[k * m + j]!);
        Z[i * m + j] = s;
      }
    return Z;
  };
  let converged = false;
  for (let it = 0; it < 100; it++) {
    const APAt = mul(mul(A, P, false), A, true);
    let change = 0;
    let size = 0;
    for (let i = 0; i < m * m; i++) {
      P[i] = P[i]! + APAt[i]!;
      change = Math.max(change, Math.abs(APAt[i]!));
      size = Math.max(size, Math.abs(P[i]!));
    }
    if (!Number.isFinite(size)) return null;
    if (change <= 1e-16 * size) {
      converged = true;
      break;
    }
    A = mul(A, A, false);
  }
  if (!converged) return null;
  if (!(P[0]! > 0)) return null;
  for (let i = 0; i < m; i++) if (!(P[i * m + i]! >= -1e-12 * P[0]!) || !Number.isFinite(P[i * m + i]!)) return null;
  return P;
}

export interface Whitened {
  /** Whitened columns, n × k row-major: D^{-1/2}L^{-1} applied to each input column. */
  W: Float64Array;
  /** Σ log F_t (log det Ω). */
  logDet: number;
  /** F_t (prediction-error variances in units of σ²), length n. */
  F: Float64Array;
}

/**
 * Kalman-filter whitening of k columns (n × k row-major) under ARMA(φ, θ) errors
 * with independent segments starting at `segments` (sorted start indices, first 0).
 * Returns null when (φ, θ) is not stationary (no positive-definite P₀).
 */
export function whiten(cols: Float64Array, n: number, k: number, phi: Float64Array, theta: Float64Array, segments: readonly number[]): Whitened | null {
  const p = phi.length;
  const q = theta.length;
  const m = Math.max(p, q + 1);
  const P0 = stationaryCovariance(phi, theta, m);
  if (P0 === null) return null;
  const R = new Float64Array(m);
  R[0] = 1;
  for (let j = 1; j < m; j++) R[j] = j - 1 < q ? theta[j - 1]! : 0;
  const RR = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) RR[i * m + j] = R[i]! * R[j]!;
  const phiAt = (i: number) => (i < p ? phi[i]! : 0);
  const W = new Float64Array(n * k);
  const F = new Float64Array(n);
  let logDet = 0;
  const A = new Float64Array(m * k); // state predictions a_t for each column (m × k)
  const An = new Float64Array(m * k);
  let P = new Float64Array(m * m);
  let Pn = new Float64Array(m * m);
  const TP = new Float64Array(m * m);
  const Kg = new Float64Array(m);
  const v = new Float64Array(k);
  const bounds = [...segments, n];
  for (let s = 0; s + 1 < bounds.length; s++) {
    A.fill(0);
    P.set(P0);
    for (let t = bounds[s]!; t < bounds[s + 1]!; t++) {
      const f = P[0]!;
      if (!(f > 0) || !Number.isFinite(f)) return null;
      F[t] = f;
      logDet += Math.log(f);
      const sf = Math.sqrt(f);
      for (let c = 0; c < k; c++) {
        v[c] = cols[t * k + c]! - A[c]!;
        W[t * k + c] = v[c]! / sf;
      }
      // TP = T P (T companion: row i = φ_i·P[0,:] + P[i+1,:]).
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) TP[i * m + j] = phiAt(i) * P[j]! + (i + 1 < m ? P[(i + 1) * m + j]! : 0);
      // Gain K = T P Zᵀ / F = TP[:,0]/f.
      for (let i = 0; i < m; i++) Kg[i] = TP[i * m]! / f;
      // a_{t+1} = T a_t + K v.
      for (let i = 0; i < m; i++)
        for (let c = 0; c < k; c++) An[i * k + c] = phiAt(i) * A[c]! + (i + 1 < m ? A[(i + 1) * k + c]! : 0) + Kg[i]! * v[c]!;
      A.set(An);
      // P_{t+1} = T P Tᵀ + R Rᵀ − K f Kᵀ, with (T P Tᵀ)_{ij} = φ_j·TP[i,0] + TP[i,j+1].
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) Pn[i * m + j] = phiAt(j) * TP[i * m]! + (j + 1 < m ? TP[i * m + j + 1]! : 0) + RR[i * m + j]! - Kg[i]! * f * Kg[j]!;
      // Symmetrise against rounding drift.
      for (let i = 0; i < m; i++)
        for (let j = i + 1; j < m; j++) {
          const a = 0.5 * (Pn[i * m + j]! + Pn[j * m + i]!);
          Pn[i * m + j] = a;
          Pn[j * m + i] = a;
        }
      const tmp = P;
      P = Pn;
      Pn = tmp;
    }
  }
  return { W, logDet, F };
}

/** 'ml': exact maximum likelihood; 'reml': restricted (residual) maximum likelihood, less biased (φ, θ, σ²) in short series with trends. */
export type ArmaMethod = 'ml' | 'reml';

export interface ArmaFit {
  method: ArmaMethod;
  p: number;
  q: number;
  phi: Float64Array;
  theta: Float64Array;
  /** GLS coefficients at the ML (φ, θ). */
  beta: Float64Array;
  /** σ̂² = RSS/n (ML) or RSS/(n − k) (REML) of the whitened regression. */
  sigma2: number;
  /** Maximised log-likelihood (restricted log-likelihood under REML). */
  logLik: number;
  /** AIC = −2ℓ + 2(k + p + q + 1) (under REML only comparable between models with the same regression terms). */
  aic: number;
  /** Var(β̂) = σ̂²(X̃ᵀX̃)^{-1}, k×k row-major (inverse expected information; β and (φ,θ,σ²) are asymptotically independent). */
  vcovBeta: Float64Array;
  /** Var of (φ, θ) from the numerical Hessian of the profile log-likelihood (null when not negative definite). */
  vcovArma: Float64Array | null;
  /** Regression residuals y − Xβ̂ (length n). */
  residuals: Float64Array;
  /** Standardised innovations (one-step prediction errors / their SD) of the residuals: ≈ white noise if the model fits. */
  innovations: Float64Array;
  converged: boolean;
  iterations: number;
  /** Smallest modulus of the AR / MA polynomial roots (> 1 ⇔ stationary / invertible), null when the order is 0. */
  arRootMin: number | null;
  maRootMin: number | null;
}

interface Profile {
  logLik: number;
  beta: Float64Array;
  rss: number;
  wh: Whitened;
  XtXinv: Float64Array;
}

/** Profile log-likelihood at (φ, θ), null when not evaluable. */
function profile(y: Float64Array, X: Float64Array, n: number, k: number, phi: Float64Array, theta: Float64Array, segments: readonly number[], method: ArmaMethod, names?: readonly string[]): Profile | null {
  const cols = new Float64Array(n * (k + 1));
  for (let t = 0; t < n; t++) {
    cols[t * (k + 1)] = y[t]!;
    for (let j = 0; j < k; j++) cols[t * (k + 1) + 1 + j] = X[t * k + j]!;
  }
  const wh = whiten(cols, n, k + 1, phi, theta, segments);
  if (wh === null) return null;
  const yt = new Float64Array(n);
  const Xt = new Float64Array(n * k);
  for (let t = 0; t < n; t++) {
    yt[t] = wh.W[t * (k + 1)]!;
    for (let j = 0; j < k; j++) Xt[t * k + j] = wh.W[t * (k + 1) + 1 + j]!;
  }
  const ls = k > 0 ? lstsq(Xt, n, k, yt, names) : null;
  const rss = ls ? ls.rss : yt.reduce((a, v) => a + v * v, 0); // k = 0: no regression (e.g. a pure local level)
  if (!(rss > 0)) return null;
  let logLik: number;
  if (method === 'ml' || ls === null) {
    logLik = -0.5 * n * (Math.log(2 * Math.PI) + Math.log(rss / n) + 1) - 0.5 * wh.logDet;
  } else {
    // Restricted likelihood (Harville 1974): −½[(n−k)(log 2π + log σ̂² + 1) + log|Ω| + log|X̃ᵀX̃|], σ̂² = RSS/(n−k).
    let logDetXtX = 0;
    for (let j = 0; j < k; j++) logDetXtX += 2 * Math.log(Math.abs(ls.factor.qr[j * n + j]!));
    logLik = -0.5 * ((n - k) * (Math.log(2 * Math.PI) + Math.log(rss / (n - k)) + 1) + wh.logDet + logDetXtX);
  }
  return { logLik, beta: ls ? ls.beta : new Float64Array(0), rss, wh, XtXinv: ls ? xtxInverse(ls.factor) : new Float64Array(0) };
}

/**
 * Local level model (Harvey 1989 §2.3; Durbin & Koopman 2012 §2.1), y_t = μ_t + ε_t,
 * μ_{t+1} = μ_t + η_t, ε ~ N(0, σ²_ε), η ~ N(0, σ²_η), q = σ²_η/σ²_ε (signal-to-noise ratio):
 * its differences Δy_t = η_{t−1} + ε_t − ε_{t−1} are MA(1), Δy_t = w_t + θw_{t−1}, with
 *   θ = [−(q + 2) + √(q² + 4q)] / 2 ∈ (−1, 0),  σ²_w = σ²_ε/(−θ),
 * since Var Δy = σ²_η + 2σ²_ε = σ²_w(1 + θ²) and Cov(Δy_t, Δy_{t−1}) = −σ²_ε = θσ²_w.
 */
export function localLevelTheta(q: number): number {
  return (-(q + 2) + Math.sqrt(q * q + 4 * q)) / 2;
}

/** (σ²_ε, σ²_η) of the local level model from the MA(1) form of its differences (θ ≤ 0, σ²_w). */
export function localLevelVariances(theta: number, sigma2w: number): { sigma2Eps: number; sigma2Eta: number } {
  return { sigma2Eps: -theta * sigma2w, sigma2Eta: (1 + theta) * (1 + theta) * sigma2w };
}

/** Yule–Walker partial autocorrelations of x up to lag p (for starting values). */
function samplePacf(x: ArrayLike<number>, p: number): Float64Array {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  const g = new Float64Array(p + 1);
  for (let h = 0; h <= p; h++) {
    let s = 0;
    for (let t = h; t < n; t++) s += (x[t]! - m) * (x[t - h]! - m);
    g[h] = s / n;
  }
  const r = new Float64Array(p);
  if (!(g[0]! > 0)) return r;
  // Durbin–Levinson on autocorrelations.
  let phi = new Float64Array(0);
  let v = g[0]!;
  for (let k = 1; k <= p; k++) {
    let num = g[k]!;
    for (let j = 1; j < k; j++) num -= phi[j - 1]! * g[k - j]!;
    const a = num / v;
    const next = new Float64Array(k);
    for (let j = 1; j < k; j++) next[j - 1] = phi[j - 1]! - a * phi[k - j - 1]!;
    next[k - 1] = a;
    phi = next;
    v *= 1 - a * a;
    r[k - 1] = a;
    if (!(v > 0)) break;
  }
  return r;
}

/**
 * Fit y = Xβ + e with ARMA(p, q) errors by exact ML.
 * @param X - n×k design (row-major); @param segments - start index of each independent series (first must be 0).
 * @throws EstimationError ARMA_FAILED when the likelihood cannot be evaluated at the start.
 */
export function fitArmaRegression(
  y: Float64Array,
  X: Float64Array,
  n: number,
  k: number,
  p: number,
  q: number,
  segments: readonly number[],
  opts: { maxIter: number; tol: number; names?: readonly string[]; method?: ArmaMethod; localLevel?: boolean },
): ArmaFit {
  const method: ArmaMethod = opts.method ?? 'ml';
  const npar = p + q;
  if (n <= k + npar + 1) throw new EstimationError('TOO_FEW_OBSERVATIONS', `${n} observations cannot support ${k} regression terms plus ARMA(${p},${q}) errors; use a simpler error model`, { n, k, p, q });
  if (opts.localLevel && !(p === 0 && q === 1)) throw new EstimationError('ARMA_FAILED', 'the local level form is MA(1) on the differences', { p, q });
  // Local level: u = log q (q = σ²_η/σ²_ε), θ = localLevelTheta(q); otherwise partial autocorrelations.
  const toArma = (u: ArrayLike<number>) => (opts.localLevel ? { phi: new Float64Array(0), theta: Float64Array.of(localLevelTheta(Math.exp(u[0]!))) } : armaFromUnconstrained(u, p, q));
  // Start: AR partial autocorrelations of the OLS residuals (shrunk inside the unit interval), MA at 0.
  const olsResiduals = k > 0 ? lstsq(X, n, k, y, opts.names).residuals : y;
  const r0 = samplePacf(olsResiduals, p);
  const u0 = new Float64Array(npar);
  for (let i = 0; i < p; i++) u0[i] = Math.atanh(Math.max(-0.9, Math.min(0.9, r0[i]!)));
  const negLik = (u: Float64Array): number => {
    const { phi, theta } = toArma(u);
    const pr = profile(y, X, n, k, phi, theta, segments, method, opts.names);
    return pr === null ? Number.POSITIVE_INFINITY : -pr.logLik;
  };
  if (!Number.isFinite(negLik(u0))) throw new EstimationError('ARMA_FAILED', 'the ARMA likelihood could not be evaluated at the starting values', { p, q });
  let opt = bfgsMinimise(negLik, u0, { maxIter: opts.maxIter, tol: opts.tol });
  // A second start guards against a local optimum when there is more than one ARMA parameter or
  // an MA part: white noise (all partial autocorrelations 0), or for the local level q = e⁻⁴
  // (a nearly fixed level); the higher likelihood wins.
  if (npar > 1 || q > 0) {
    const alt = bfgsMinimise(negLik, opts.localLevel ? Float64Array.of(-4) : new Float64Array(npar), { maxIter: opts.maxIter, tol: opts.tol });
    if (alt.value < opt.value - 1e-9 * (1 + Math.abs(opt.value))) opt = alt;
  }
  const { phi, theta } = toArma(opt.x);
  const pr = profile(y, X, n, k, phi, theta, segments, method, opts.names)!;
  const sigma2 = pr.rss / (method === 'ml' ? n : n - k);
  const vcovBeta = pr.XtXinv.map((v) => v * sigma2);
  // SEs of (φ, θ): Hessian of the profile log-likelihood in the natural coordinates.
  const nat = new Float64Array(npar);
  nat.set(phi, 0);
  nat.set(theta, p);
  const negLikNat = (x: Float64Array): number => {
    const pr2 = profile(y, X, n, k, x.subarray(0, p), x.subarray(p), segments, method, opts.names);
    return pr2 === null ? Number.NaN : -pr2.logLik;
  };
  let vcovArma: Float64Array | null = null;
  const H = numericHessian(negLikNat, nat, 1e-4);
  if (H !== null) vcovArma = invertSpd(H, npar);
  const residuals = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = y[t]!;
    for (let j = 0; j < k; j++) s -= X[t * k + j]! * pr.beta[j]!;
    residuals[t] = s;
  }
  const wr = whiten(residuals, n, 1, phi, theta, segments)!;
  const arRoots = polynomialRootModuli(phi);
  const maRoots = polynomialRootModuli(theta.map((x) => -x));
  return {
    method,
    p,
    q,
    phi,
    theta,
    beta: pr.beta,
    sigma2,
    logLik: pr.logLik,
    aic: -2 * pr.logLik + 2 * (k + npar + 1),
    vcovBeta,
    vcovArma,
    residuals,
    innovations: wr.W,
    converged: opt.converged,
    iterations: opt.iterations,
    arRootMin: arRoots.length ? arRoots[0]! : null,
    maRootMin: maRoots.length ? maRoots[0]! : null,
  };
}

