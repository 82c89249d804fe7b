/**
 * Thin singular value decomposition by one-sided Jacobi rotations (Hestenes 1958; Demmel &
 * Veselić 1992), with a bounded number of sweeps.
 *
 * Why not ml-matrix's SVD (src/core/linalg.ts `svd`): its Golub–Kahan loop has no iteration
 * cap and never returned on a 58×48 matrix of nearly identical centred series (entries ~1e-5,
 * singular values 3e-4, 2e-12, 8e-20): `scm --method ascm` ran past 240 s (issue 21). Jacobi
 * rotations converge for every matrix and are accurate in the relative sense for tiny
 * singular values; here every sweep is counted and the result says whether it converged.
 *
 * Shapes: A is n×p row-major; k = min(n, p); A = U diag(s) Vᵀ with U n×k, V p×k (row-major),
 * s descending. For n ≥ p the p columns of W = A·V are orthogonalised by plane rotations
 * (rotation of columns i, j when |wᵢᵀwⱼ| > ε‖wᵢ‖‖wⱼ‖); s_j = ‖w_j‖, u_j = w_j / s_j. For n < p
 * the decomposition of Aᵀ is transposed.
 */

export interface JacobiSvd {
  U: Float64Array;
  s: Float64Array;
  V: Float64Array;
  k: number;
  /** Whether a sweep ended with no rotation (all column pairs orthogonal to ε) within the cap. */
  converged: boolean;
  sweeps: number;
}

const EPS = 1e-15;
const MAX_SWEEPS = 80;

export function jacobiSvd(A: Float64Array, n: number, p: number): JacobiSvd {
  if (n < p) {
    const At = new Float64Array(p * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) At[j * n + i] = A[i * p + j]!;
    const r = jacobiSvd(At, p, n);
    return { U: r.V, s: r.s, V: r.U, k: r.k, converged: r.converged, sweeps: r.sweeps };
  }
  const W = Float64Array.from(A);
  const V = new Float64Array(p * p);
  for (let j = 0; j < p; j++) V[j * p + j] = 1;
  let sweeps = 0;
  let converged = p <= 1;
  while (!converged && sweeps < MAX_SWEEPS) {
    sweeps++;
    let rotated = false;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        let a = 0;
        let b = 0;
        let g = 0;
        for (let r = 0; r < n; r++) {
          const x = W[r * p + i]!;
          const y = W[r * p + j]!;
          a += x * x;
          b += y * y;
          g += x * y;
        }
        if (g === 0 || a === 0 || b === 0 || Math.abs(g) <= EPS * Math.sqrt(a) * Math.sqrt(b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * g);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let r = 0; r < n; r++) {
          const x = W[r * p + i]!;
          const y = W[r * p + j]!;
          W[r * p + i] = c * x - s * y;
          W[r * p + j] = s * x + c * y;
        }
        for (let r = 0; r < p; r++) {
          const x = V[r * p + i]!;
          const y = V[r * p + j]!;
          V[r * p + i] = c * x - s * y;
          V[r * p + j] = s * x + c * y;
        }
      }
    }
    if (!rotated) converged = true;
  }
  const norms = Array.from({ length: p }, (_, j) => {
    let ss = 0;
    for (let r = 0; r < n; r++) ss += W[r * p + j]! ** 2;
    return Math.sqrt(ss);
  });
  const order = norms.map((_, j) => j).sort((x, y) => norms[y]! - norms[x]! || x - y);
  const k = p;
  const U = new Float64Array(n * k);
  const Vo = new Float64Array(p * k);
  const s = new Float64Array(k);
  order.forEach((j, q) => {
    const sj = norms[j]!;
    s[q] = sj;
    if (sj > 0) for (let r = 0; r < n; r++) U[r * k + q] = W[r * p + j]! / sj;
    for (let r = 0; r < p; r++) Vo[r * k + q] = V[r * p + j]!;
  });
  return { U, s, V: Vo, k, converged, sweeps };
}
