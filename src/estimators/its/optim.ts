/**
 * Small smooth optimisation helpers for the ARMA likelihood: BFGS with
 * central-difference gradients and a backtracking (Armijo) line search, and a
 * central-difference Hessian. Both report what they did; neither throws on
 * non-convergence (the caller turns that into a NOT_CONVERGED warning).
 *
 * Reference: Nocedal & Wright (2006), "Numerical Optimization", Algorithm 6.1 (BFGS)
 * and §8.1 (finite-difference derivatives).
 */

export interface MinimiseResult {
  x: Float64Array;
  value: number;
  converged: boolean;
  iterations: number;
}

/** Central-difference gradient of f at x (step h·max(1, |x_i|)). */
export function numericGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const d = x.length;
  const g = new Float64Array(d);
  const xp = Float64Array.from(x);
  for (let i = 0; i < d; i++) {
    const s = h * Math.max(1, Math.abs(x[i]!));
    xp[i] = x[i]! + s;
    const fp = f(xp);
    xp[i] = x[i]! - s;
    const fm = f(xp);
    xp[i] = x[i]!;
    g[i] = (fp - fm) / (2 * s);
  }
  return g;
}

const maxNorm = (v: Float64Array) => v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);

function identity(d: number): Float64Array {
  const H = new Float64Array(d * d);
  for (let i = 0; i < d; i++) H[i * d + i] = 1;
  return H;
}

/**
 * Search direction p = −Hg, reset to steepest descent (and H to I) when it is not a descent
 * direction, and scaled to a max-norm of at most 2 (the tanh map saturates): returns p, its slope gᵀp and H.
 */
function searchDirection(H: Float64Array, g: Float64Array): { p: Float64Array; slope: number; H: Float64Array } {
  const d = g.length;
  let p = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s -= H[i * d + j]! * g[j]!;
    p[i] = s;
  }
  let slope = 0;
  for (let i = 0; i < d; i++) slope += p[i]! * g[i]!;
  if (!(slope < 0)) {
    H = identity(d);
    p = g.map((v) => -v);
    slope = -g.reduce((s, v) => s + v * v, 0);
  }
  const pmax = maxNorm(p);
  if (pmax > 2) {
    for (let i = 0; i < d; i++) p[i] = (p[i]! * 2) / pmax;
    slope *= 2 / pmax;
  }
  return { p, slope, H };
}

/** Backtracking line search with the Armijo condition f(x + ap) ≤ f(x) + 10⁻⁴·a·gᵀp, halving a up to 60 times. */
function lineSearch(f: (x: Float64Array) => number, x: Float64Array, fx: number, p: Float64Array, slope: number): { xn: Float64Array; fn: number } {
  const d = x.length;
  let a = 1;
  const xn = new Float64Array(d);
  let fn = Number.POSITIVE_INFINITY;
  for (let ls = 0; ls < 60; ls++) {
    for (let i = 0; i < d; i++) xn[i] = x[i]! + a * p[i]!;
    fn = f(xn);
    if (Number.isFinite(fn) && fn <= fx + 1e-4 * a * slope) break;
    a *= 0.5;
  }
  return { xn, fn };
}

/** BFGS update of the inverse Hessian (Nocedal & Wright eq. 6.17): H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, ρ = 1/sᵀy; skipped unless sᵀy > 10⁻¹⁴. */
function bfgsUpdate(H: Float64Array, s: Float64Array, yv: Float64Array): Float64Array {
  const d = s.length;
  let sy = 0;
  for (let i = 0; i < d; i++) sy += s[i]! * yv[i]!;
  if (!(sy > 1e-14)) return H;
  const rho = 1 / sy;
  const Hy = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let t = 0;
    for (let j = 0; j < d; j++) t += H[i * d + j]! * yv[j]!;
    Hy[i] = t;
  }
  let yHy = 0;
  for (let i = 0; i < d; i++) yHy += yv[i]! * Hy[i]!;
  const Hn = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) Hn[i * d + j] = H[i * d + j]! - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
  return Hn;
}

/**
 * Minimise a smooth f over Rᵈ by BFGS (Nocedal & Wright Algorithm 6.1): direction → line search →
 * convergence test → inverse-Hessian update.
 * Convergence: the relative decrease of f over an iteration is below `tol`
 * and the gradient's max-norm is below √tol·(1 + |f|), or the gradient is ≈ 0.
 */
export function bfgsMinimise(f: (x: Float64Array) => number, x0: Float64Array, opts: { maxIter: number; tol: number }): MinimiseResult {
  const d = x0.length;
  let x = Float64Array.from(x0);
  let fx = f(x);
  if (d === 0) return { x, value: fx, converged: true, iterations: 0 };
  let g = numericGradient(f, x);
  let H = identity(d); // inverse Hessian approximation
  const gtol = Math.sqrt(opts.tol);
  let iter = 0;
  let converged = false;
  if (maxNorm(g) <= 1e-12 * (1 + Math.abs(fx))) return { x, value: fx, converged: true, iterations: 0 };
  while (iter < opts.maxIter) {
    iter++;
    const dir = searchDirection(H, g);
    H = dir.H;
    const { xn, fn } = lineSearch(f, x, fx, dir.p, dir.slope);
    if (!Number.isFinite(fn) || fn > fx) {
      // No decrease possible along p: at a minimum to working precision if the gradient is small.
      converged = maxNorm(g) <= gtol * (1 + Math.abs(fx)) * 10;
      break;
    }
    const gn = numericGradient(f, xn);
    const s = xn.map((v, i) => v - x[i]!);
    const yv = gn.map((v, i) => v - g[i]!);
    const decrease = fx - fn;
    x = Float64Array.from(xn);
    fx = fn;
    g = gn;
    if (decrease <= opts.tol * (1 + Math.abs(fx)) && maxNorm(g) <= gtol * (1 + Math.abs(fx))) {
      converged = true;
      break;
    }
    H = bfgsUpdate(H, s, yv);
  }
  return { x, value: fx, converged, iterations: iter };
}

/**
 * Central-difference Hessian of f at x (d×d row-major), step h·max(1, |x_i|).
 * Returns null when f is not finite at any evaluation point (e.g. at the edge of the stationary region).
 */
export function numericHessian(f: (x: Float64Array) => number, x: Float64Array, h = 1e-4): Float64Array | null {
  const d = x.length;
  const H = new Float64Array(d * d);
  const st = Array.from(x, (v) => h * Math.max(1, Math.abs(v)));
  const xp = Float64Array.from(x);
  const at = (i: number, si: number, j: number, sj: number): number => {
    xp.set(x);
    xp[i] = xp[i]! + si;
    xp[j] = xp[j]! + sj;
    return f(xp);
  };
  const f0 = f(x);
  if (!Number.isFinite(f0)) return null;
  for (let i = 0; i < d; i++) {
    const si = st[i]!;
    const fp = at(i, si, i, 0);
    const fm = at(i, -si, i, 0);
    if (!Number.isFinite(fp) || !Number.isFinite(fm)) return null;
    H[i * d + i] = (fp - 2 * f0 + fm) / (si * si);
    for (let j = 0; j < i; j++) {
      const sj = st[j]!;
      const a = at(i, si, j, sj);
      const b = at(i, si, j, -sj);
      const c = at(i, -si, j, sj);
      const e = at(i, -si, j, -sj);
      if (![a, b, c, e].every(Number.isFinite)) return null;
      const v = (a - b - c + e) / (4 * si * sj);
      H[i * d + j] = v;
      H[j * d + i] = v;
    }
  }
  return H;
}
