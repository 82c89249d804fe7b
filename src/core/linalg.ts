/**
 * Dense linear algebra on Float64Array, for least squares and variance matrices.
 *
 * Conventions: matrices are row-major n×p unless a name says otherwise.
 * Least squares is by Householder QR (never forming or inverting XᵀX); rank is
 * checked with the relative tolerance |R_jj| ≤ max(n,p)·ε·max_k|R_kk|.
 * ml-matrix is used for SVD/eigen, always with autoTranspose.
 */
import { createRequire } from 'node:module';
import type * as MlMatrix from 'ml-matrix';
import { EstimationError } from './errors.js';

let mlMatrixModule: typeof MlMatrix | null = null;
/**
 * ml-matrix, loaded on first use (≈ 45 ms of start-up that most commands never need).
 * Use `mlMatrix().Matrix` etc. in place of a static import.
 */
export function mlMatrix(): typeof MlMatrix {
  return (mlMatrixModule ??= createRequire(import.meta.url)('ml-matrix') as typeof MlMatrix);
}

export interface QRFactor {
  readonly n: number;
  readonly p: number;
  /** Householder vectors and R, column-major n×p (R in the upper triangle). */
  readonly qr: Float64Array;
  /** Householder scalars. */
  readonly tau: Float64Array;
  /** |R_jj| ≤ tol ⇒ column j is (numerically) a combination of earlier ones. */
  readonly tol: number;
  /** Indices of columns judged dependent (empty when full rank). */
  readonly dependent: readonly number[];
}

/** Householder QR of a row-major n×p matrix X (n ≥ p). */
export function qrFactor(X: Float64Array, n: number, p: number): QRFactor {
  if (X.length !== n * p) throw new RangeError(`qrFactor: X has ${X.length} entries, expected ${n}×${p}`);
  const a = new Float64Array(n * p); // column-major
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) a[j * n + i] = X[i * p + j]!;
  return qrInPlace(a, n, p);
}

/**
 * Householder QR of X given as p columns of length n (the same factor, bit for bit, as
 * {@link qrFactor} on the row-major matrix; one n×p copy instead of two, for tall designs).
 */
export function qrFactorColumns(cols: readonly Float64Array[], n: number): QRFactor {
  const p = cols.length;
  const a = new Float64Array(n * p);
  cols.forEach((c, j) => {
    if (c.length !== n) throw new RangeError(`qrFactorColumns: column ${j} has ${c.length} entries, expected ${n}`);
    a.set(c, j * n);
  });
  return qrInPlace(a, n, p);
}

/**
 * Math.hypot(a, b) for a running norm a ≥ 0, bit for bit (V8 scales by the larger
 * magnitude m and returns m·√((a/m)² + (b/m)²)); inline it is ~3× faster than the
 * builtin, which dominated QR of tall designs. Non-finite input goes to Math.hypot.
 * tests/core/linalg.test.ts checks equality with Math.hypot over random pairs.
 */
export function hypot2(a: number, b: number): number {
  const y = Math.abs(b);
  const m = a > y ? a : y;
  if (m === 0 || m === Number.POSITIVE_INFINITY || m !== m) return Math.hypot(a, b);
  const p = a / m;
  const q = y / m;
  return Math.sqrt(p * p + q * q) * m;
}

/** Householder QR of a column-major n×p array, overwritten with the factor. */
function qrInPlace(a: Float64Array, n: number, p: number): QRFactor {
  // Column norms before factorisation (scale for the rank tolerance).
  const tau = new Float64Array(p);
  for (let k = 0; k < Math.min(n, p); k++) {
    const off = k * n;
    let norm = 0;
    for (let i = k; i < n; i++) norm = hypot2(norm, a[off + i]!);
    if (norm === 0) {
      tau[k] = 0;
      continue;
    }
    const alpha = a[off + k]! > 0 ? -norm : norm;
    const v0 = a[off + k]! - alpha;
    // v = [1, a[k+1..]/v0]
    for (let i = k + 1; i < n; i++) a[off + i] = a[off + i]! / v0;
    tau[k] = -v0 / alpha; // H = I − τ v vᵀ with v₀ = 1 maps x to alpha·e₁
    a[off + k] = alpha;
    // Apply H = I − τ v vᵀ to remaining columns.
    const t = tau[k]!;
    for (let j = k + 1; j < p; j++) {
      const cj = j * n;
      let s = a[cj + k]!;
      for (let i = k + 1; i < n; i++) s += a[off + i]! * a[cj + i]!;
      s *= t;
      a[cj + k] = a[cj + k]! - s;
      for (let i = k + 1; i < n; i++) a[cj + i] = a[cj + i]! - s * a[off + i]!;
    }
  }
  let rmax = 0;
  for (let k = 0; k < Math.min(n, p); k++) rmax = Math.max(rmax, Math.abs(a[k * n + k]!));
  const tol = Math.max(n, p) * Number.EPSILON * rmax;
  const dependent: number[] = [];
  for (let k = 0; k < p; k++) if (k >= n || Math.abs(a[k * n + k]!) <= tol) dependent.push(k);
  return { n, p, qr: a, tau, tol, dependent };
}

/** Qᵀy for a QR factor (y of length n, returns a new array). */
export function applyQt(f: QRFactor, y: Float64Array): Float64Array {
  const { n, p, qr, tau } = f;
  const z = Float64Array.from(y);
  for (let k = 0; k < Math.min(n, p); k++) {
    const t = tau[k]!;
    if (t === 0) continue;
    const off = k * n;
    let s = z[k]!;
    for (let i = k + 1; i < n; i++) s += qr[off + i]! * z[i]!;
    s *= t;
    z[k] = z[k]! - s;
    for (let i = k + 1; i < n; i++) z[i] = z[i]! - s * qr[off + i]!;
  }
  return z;
}

/** Solve R b = z[0..p) by back substitution. */
export function solveR(f: QRFactor, z: Float64Array): Float64Array {
  const { n, p, qr } = f;
  const b = new Float64Array(p);
  for (let j = p - 1; j >= 0; j--) {
    let s = z[j]!;
    for (let k = j + 1; k < p; k++) s -= qr[k * n + j]! * b[k]!;
    b[j] = s / qr[j * n + j]!;
  }
  return b;
}

/**
 * (XᵀX)⁻¹ = R⁻¹R⁻ᵀ from the QR factor (p×p row-major), computed by triangular
 * solves, for variance matrices. Never forms XᵀX.
 */
export function xtxInverse(f: QRFactor): Float64Array {
  const { n, p, qr } = f;
  // Rinv upper triangular, by back substitution on identity columns.
  const Rinv = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    for (let j = c; j >= 0; j--) {
      let s = j === c ? 1 : 0;
      for (let k = j + 1; k <= c; k++) s -= qr[k * n + j]! * Rinv[k * p + c]!;
      Rinv[j * p + c] = s / qr[j * n + j]!;
    }
  }
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < p; k++) s += Rinv[i * p + k]! * Rinv[j * p + k]!;
      out[i * p + j] = s;
      out[j * p + i] = s;
    }
  return out;
}

export interface LstsqResult {
  /** Coefficients, length p. */
  beta: Float64Array;
  /** y − Xβ, length n. */
  residuals: Float64Array;
  /** Residual sum of squares. */
  rss: number;
  /** n − p. */
  dfResidual: number;
  factor: QRFactor;
}

/**
 * Ordinary least squares β = argmin ‖y − Xβ‖² by Householder QR.
 * @param X - n×p design, row-major.
 * @param names - column names, used in the rank-deficiency message.
 * @throws EstimationError RANK_DEFICIENT naming the first dependent column.
 */
export function lstsq(X: Float64Array, n: number, p: number, y: Float64Array, names?: readonly string[]): LstsqResult {
  checkObservations(n, p);
  const f = qrFactor(X, n, p);
  const beta = lstsqBeta(f, y, names);
  const residuals = new Float64Array(n);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let s = y[i]!;
    for (let j = 0; j < p; j++) s -= X[i * p + j]! * beta[j]!;
    residuals[i] = s;
    rss += s * s;
  }
  return { beta, residuals, rss, dfResidual: n - p, factor: f };
}

function checkObservations(n: number, p: number): void {
  if (n < p) throw new EstimationError('TOO_FEW_OBSERVATIONS', `${n} observation(s) for ${p} parameter(s): the model needs at least as many observations as parameters`, { n, p });
}

/** β from a QR factor (the rank check and message of {@link lstsq}). @throws EstimationError RANK_DEFICIENT */
function lstsqBeta(f: QRFactor, y: Float64Array, names?: readonly string[]): Float64Array {
  if (f.dependent.length > 0) {
    const j = f.dependent[0]!;
    const name = names?.[j] ?? `column ${j + 1}`;
    throw new EstimationError('RANK_DEFICIENT', `the design matrix is rank deficient: '${name}' is (numerically) a linear combination of the other terms; drop it or change the specification`, { term: name, dependent: f.dependent.map((k) => names?.[k] ?? `column ${k + 1}`) });
  }
  return solveR(f, applyQt(f, y));
}

/**
 * Least squares on a design given as columns (see {@link qrFactorColumns}): β and the
 * factor, the same bits as {@link lstsq}, without the residuals (the caller forms them).
 * @throws EstimationError TOO_FEW_OBSERVATIONS | RANK_DEFICIENT
 */
export function lstsqColumns(cols: readonly Float64Array[], n: number, y: Float64Array, names?: readonly string[]): { beta: Float64Array; factor: QRFactor } {
  checkObservations(n, cols.length);
  const factor = qrFactorColumns(cols, n);
  return { beta: lstsqBeta(factor, y, names), factor };
}

/**
 * Lower Cholesky factor L (p×p row-major, A = LLᵀ) of a symmetric positive-definite
 * matrix, or null when A is not (numerically) positive definite: a pivot at or
 * below p·ε·max|A_ii| counts as zero.
 */
export function choleskyFactor(A: Float64Array, p: number): Float64Array | null {
  const L = new Float64Array(p * p);
  let dmax = 0;
  for (let i = 0; i < p; i++) dmax = Math.max(dmax, Math.abs(A[i * p + i]!));
  for (let j = 0; j < p; j++) {
    let s = A[j * p + j]!;
    for (let k = 0; k < j; k++) s -= L[j * p + k]! ** 2;
    if (!(s > p * Number.EPSILON * dmax) || !Number.isFinite(s)) return null;
    const d = Math.sqrt(s);
    L[j * p + j] = d;
    for (let i = j + 1; i < p; i++) {
      let t = A[i * p + j]!;
      for (let k = 0; k < j; k++) t -= L[i * p + k]! * L[j * p + k]!;
      L[i * p + j] = t / d;
    }
  }
  return L;
}

/**
 * Cholesky solve of a symmetric positive-definite system A x = b (A p×p row-major).
 * @throws EstimationError NOT_POSITIVE_DEFINITE
 */
export function solveSpd(A: Float64Array, p: number, b: Float64Array): Float64Array {
  const L = choleskyFactor(A, p);
  if (L === null) throw new EstimationError('NOT_POSITIVE_DEFINITE', 'a matrix that must be positive definite is singular or indefinite (collinear inputs?)', {});
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * p + k]! * z[k]!;
    z[i] = s / L[i * p + i]!;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * x[k]!;
    x[i] = s / L[i * p + i]!;
  }
  return x;
}

/**
 * Inverse of a symmetric positive-definite matrix (p×p row-major) via its Cholesky
 * factor, A⁻¹ = L⁻ᵀL⁻¹; null when A is not positive definite. For small
 * information matrices (e.g. a Hessian), never for XᵀX: use `xtxInverse` from QR.
 */
export function invertSpd(A: Float64Array, p: number): Float64Array | null {
  const L = choleskyFactor(A, p);
  if (L === null) return null;
  const Li = new Float64Array(p * p);
  for (let c = 0; c < p; c++)
    for (let i = c; i < p; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= L[i * p + k]! * Li[k * p + c]!;
      Li[i * p + c] = s / L[i * p + i]!;
    }
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < p; k++) s += Li[k * p + i]! * Li[k * p + j]!;
      out[i * p + j] = s;
      out[j * p + i] = s;
    }
  return out;
}

/** Thin SVD of a row-major n×p matrix: U (n×k), s (k), V (p×k), k = min(n,p), row-major. */
export function svd(X: Float64Array, n: number, p: number): { U: Float64Array; s: Float64Array; V: Float64Array; k: number } {
  const { Matrix, SVD } = mlMatrix();
  const M = new Matrix(n, p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) M.set(i, j, X[i * p + j]!);
  const d = new SVD(M, { autoTranspose: true, computeLeftSingularVectors: true, computeRightSingularVectors: true });
  const k = Math.min(n, p);
  const U = new Float64Array(n * k);
  const V = new Float64Array(p * k);
  const s = Float64Array.from(d.diagonal.slice(0, k));
  const Um = d.leftSingularVectors;
  const Vm = d.rightSingularVectors;
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) U[i * k + j] = Um.get(i, j);
  for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) V[i * k + j] = Vm.get(i, j);
  return { U, s, V, k };
}

/**
 * Eigen-decomposition of a symmetric p×p matrix (row-major), eigenvalues in
 * decreasing order with matching eigenvector columns (p×p row-major).
 */
export function symmetricEigen(A: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const { Matrix, EigenvalueDecomposition } = mlMatrix();
  const M = new Matrix(p, p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) M.set(i, j, 0.5 * (A[i * p + j]! + A[j * p + i]!));
  const e = new EigenvalueDecomposition(M, { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const order = vals.map((_, k) => k).sort((a, b) => vals[b]! - vals[a]!);
  const values = Float64Array.from(order.map((k) => vals[k]!));
  const vectors = new Float64Array(p * p);
  const Vm = e.eigenvectorMatrix;
  order.forEach((k, c) => {
    for (let i = 0; i < p; i++) vectors[i * p + c] = Vm.get(i, k);
  });
  return { values, vectors };
}

/** Kahan–Babuška (Neumaier) sum. */
export function ksum(xs: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}
