/**
 * Symmetric eigen-decomposition on Float64Array, for the T×T Gram matrix of the
 * interactive fixed-effects fit (T = number of periods, e.g. 66).
 *
 * Householder reduction to tridiagonal form, then the implicit QL algorithm with
 * Wilkinson-type shifts (Wilkinson & Reinsch 1971, Handbook for Automatic
 * Computation II; the textbook "tred2"/"tql" pair). Only the eigenvectors of the
 * top `k` eigenvalues are formed: QL runs on the eigenvalues alone (O(T²)), the
 * wanted eigenvectors of the tridiagonal matrix come from inverse iteration and
 * are mapped back through the Householder reflections (O(k·T²)). This is ~5×
 * cheaper than accumulating all T eigenvectors and matters in the bootstrap,
 * which decomposes one such matrix per replication.
 */
import { EstimationError } from '../../core/errors.js';

export interface TopEigen {
  /** All eigenvalues, decreasing. Length n. */
  values: Float64Array;
  /** Eigenvectors of the top k eigenvalues, n×k row-major (column c ↔ values[c]), orthonormal. */
  vectors: Float64Array;
  k: number;
}

/**
 * Top-k eigenpairs of a symmetric n×n matrix A (row-major; A is not modified).
 * Signs are fixed so the largest-magnitude entry of each vector is positive.
 * @throws EstimationError EIGEN_NOT_CONVERGED (never seen for finite symmetric input)
 */
export function topEigen(A: Float64Array, n: number, k: number): TopEigen {
  k = Math.max(0, Math.min(k, n));
  const a = Float64Array.from(A);
  // A = Q T Qᵀ: T tridiagonal (diag d, off-diagonal e[1..]); Q's reflections kept in `a`.
  const { d, e, hs } = householderTridiagonal(a, n);
  const values = tridiagonalValues(d, e, n);
  const y = inverseIteration(d, e, values, n, k);
  return { values, vectors: backTransform(a, hs, y, n, k), k };
}

/**
 * Householder reduction A → T = QᵀAQ (tred2 without accumulating Q), in place on `a` (n × n):
 * returns diag d, off-diagonal e (e[i] = T[i][i−1], e[0] = 0) and h_i; the vector u of step i
 * stays in row i of `a` (columns 0..i−1), H_i = I − u uᵀ / h_i.
 */
function householderTridiagonal(a: Float64Array, n: number): { d: Float64Array; e: Float64Array; hs: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const hs = new Float64Array(n);
  // Householder reduction on the full symmetric matrix (both triangles kept, so every
  // inner loop runs along a contiguous row). Step i annihilates row i left of the
  // subdiagonal with H_i = I − u uᵀ / h_i, u stored in row i (columns 0..i−1).
  const pv = new Float64Array(n);
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const ri = i * n;
    let h = 0;
    let scale = 0;
    if (l > 0) for (let j = 0; j <= l; j++) scale += Math.abs(a[ri + j]!);
    if (l === 0 || scale === 0) {
      e[i] = a[ri + l]!;
      hs[i] = 0;
      continue;
    }
    for (let j = 0; j <= l; j++) {
      const v = a[ri + j]! / scale;
      a[ri + j] = v;
      h += v * v;
    }
    const f = a[ri + l]!;
    const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
    e[i] = scale * g;
    h -= f * g;
    a[ri + l] = f - g;
    reflectBlock(a, n, ri, l, h, pv);
    hs[i] = h;
  }
  e[0] = 0;
  for (let i = 0; i < n; i++) d[i] = a[i * n + i]!;
  return { d, e, hs };
}

/** A ← H A H on the leading (l+1)×(l+1) block, u in row `ri` of a: p = A u / h, K = uᵀp / 2h, q = p − K u, A ← A − u qᵀ − q uᵀ. */
function reflectBlock(a: Float64Array, n: number, ri: number, l: number, h: number, pv: Float64Array): void {
  let upp = 0;
  for (let j = 0; j <= l; j++) {
    const rj = j * n;
    let acc = 0;
    for (let m = 0; m <= l; m++) acc += a[rj + m]! * a[ri + m]!;
    const pj = acc / h;
    pv[j] = pj;
    upp += pj * a[ri + j]!;
  }
  const K = upp / (h + h);
  for (let j = 0; j <= l; j++) pv[j] = pv[j]! - K * a[ri + j]!;
  for (let j = 0; j <= l; j++) {
    const rj = j * n;
    const uj = a[ri + j]!;
    const qj = pv[j]!;
    for (let m = 0; m <= l; m++) a[rj + m] = a[rj + m]! - (uj * pv[m]! + qj * a[ri + m]!);
  }
}

/** The eigenvalues of T (diag d, off-diagonal e[1..]) by QL without vectors, decreasing. */
function tridiagonalValues(d: Float64Array, e: Float64Array, n: number): Float64Array {
  const dv = Float64Array.from(d);
  const ev = new Float64Array(n);
  for (let i = 1; i < n; i++) ev[i - 1] = e[i]!;
  ev[n - 1] = 0;
  tqlValues(dv, ev, n);
  return dv.sort().reverse();
}

/**
 * Eigenvectors of T for the top k values by inverse iteration (4 steps of (T − σI)z = z, σ = λ_c
 * nudged by ‖T‖·1e−14·(c+1), each orthogonalised against the earlier vectors): k vectors of length n.
 */
function inverseIteration(d: Float64Array, e: Float64Array, values: Float64Array, n: number, k: number): Float64Array[] {
  const z = new Float64Array(n);
  let tnorm = 0;
  for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(d[i]!) + Math.abs(e[i]!) + (i + 1 < n ? Math.abs(e[i + 1]!) : 0));
  const sub = new Float64Array(n); // sub[i] = T[i][i-1] = e[i]
  for (let i = 1; i < n; i++) sub[i] = e[i]!;
  const prev: Float64Array[] = [];
  const work = new Float64Array(4 * n);
  for (let c = 0; c < k; c++) {
    const lam = values[c]!;
    // Perturb the shift slightly so T − σI is not exactly singular.
    const sigma = lam + tnorm * 1e-14 * (c + 1);
    for (let i = 0; i < n; i++) z[i] = 1 / Math.sqrt(n) + 1e-3 * Math.sin(i + 1 + c);
    for (let it = 0; it < 4; it++) {
      tridiagSolve(d, sub, sigma, z, n, work);
      // Orthogonalise against earlier vectors (clustered eigenvalues).
      for (const p of prev) {
        let s = 0;
        for (let i = 0; i < n; i++) s += p[i]! * z[i]!;
        for (let i = 0; i < n; i++) z[i] = z[i]! - s * p[i]!;
      }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += z[i]! * z[i]!;
      nrm = Math.sqrt(nrm);
      if (!(nrm > 0)) throw new EstimationError('EIGEN_NOT_CONVERGED', 'eigen-decomposition of the factor Gram matrix failed (non-finite data?)');
      for (let i = 0; i < n; i++) z[i] = z[i]! / nrm;
    }
    prev.push(Float64Array.from(z));
  }
  return prev;
}

/**
 * x = Q y for each tridiagonal eigenvector y (Q = H_{n−1}·…·H_1, the reflections of `a`), signed so
 * the largest-magnitude entry is positive: the n × k row-major eigenvectors of A. Overwrites `ys`.
 */
function backTransform(a: Float64Array, hs: Float64Array, ys: Float64Array[], n: number, k: number): Float64Array {
  const vectors = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const y = ys[c]!;
    for (let i = 1; i < n; i++) {
      const h = hs[i]!;
      if (h === 0) continue;
      const ri = i * n;
      let s = 0;
      for (let j = 0; j < i; j++) s += a[ri + j]! * y[j]!;
      s /= h;
      for (let j = 0; j < i; j++) y[j] = y[j]! - s * a[ri + j]!;
    }
    // Sign convention.
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(y[i]!) > Math.abs(big)) big = y[i]!;
    const sg = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[i * k + c] = sg * y[i]!;
  }
  return vectors;
}

/** Solve (T − σI) x = z in place for tridiagonal T (diag d, subdiagonal sub[1..n-1]); partial pivoting. */
function tridiagSolve(d: Float64Array, sub: Float64Array, sigma: number, z: Float64Array, n: number, work: Float64Array): void {
  // Gaussian elimination with partial pivoting on a tridiagonal system (fills one extra superdiagonal).
  const diag = work.subarray(0, n);
  const up1 = work.subarray(n, 2 * n);
  const up2 = work.subarray(2 * n, 3 * n);
  const low = work.subarray(3 * n, 4 * n);
  up2.fill(0);
  for (let i = 0; i < n; i++) {
    diag[i] = d[i]! - sigma;
    up1[i] = i + 1 < n ? sub[i + 1]! : 0;
    low[i] = i + 1 < n ? sub[i + 1]! : 0;
  }
  const tiny = 1e-300;
  for (let i = 0; i < n - 1; i++) {
    if (Math.abs(low[i]!) > Math.abs(diag[i]!)) {
      // swap rows i and i+1
      const a0 = diag[i]!, a1 = up1[i]!, a2 = up2[i]!, zi = z[i]!;
      diag[i] = low[i]!;
      up1[i] = diag[i + 1]!;
      up2[i] = up1[i + 1]!;
      z[i] = z[i + 1]!;
      // new row i+1 = old row i
      const m = a0 / diag[i]!;
      diag[i + 1] = a1 - m * up1[i]!;
      up1[i + 1] = a2 - m * up2[i]!;
      z[i + 1] = zi - m * z[i]!;
    } else {
      const piv = diag[i]! === 0 ? tiny : diag[i]!;
      diag[i] = piv;
      const m = low[i]! / piv;
      diag[i + 1] = diag[i + 1]! - m * up1[i]!;
      up1[i + 1] = up1[i + 1]! - m * up2[i]!;
      z[i + 1] = z[i + 1]! - m * z[i]!;
    }
  }
  if (diag[n - 1] === 0) diag[n - 1] = tiny;
  z[n - 1] = z[n - 1]! / diag[n - 1]!;
  if (n >= 2) z[n - 2] = (z[n - 2]! - up1[n - 2]! * z[n - 1]!) / diag[n - 2]!;
  for (let i = n - 3; i >= 0; i--) z[i] = (z[i]! - up1[i]! * z[i + 1]! - up2[i]! * z[i + 2]!) / diag[i]!;
}

/** Implicit QL iteration for the eigenvalues of a symmetric tridiagonal matrix (d diagonal, e[0..n-2] off-diagonal). */
function tqlValues(d: Float64Array, e: Float64Array, n: number): void {
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new EstimationError('EIGEN_NOT_CONVERGED', 'eigenvalues of the factor Gram matrix did not converge (non-finite data?)');
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.sqrt(g * g + 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        let early = false;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.sqrt(f * f + g * g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] = d[i + 1]! - p;
            e[m] = 0;
            early = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - p;
          r = (d[i]! - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (early) continue;
        d[l] = d[l]! - p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}

let lanczosWork = { n: 0, Q: new Float64Array(0), alpha: new Float64Array(0), beta: new Float64Array(0), w: new Float64Array(0), x: new Float64Array(0), h: new Float64Array(0) };

/** Σ_i a[ao + i]·b[bo + i] over i < n, with four running sums. */
function dotAt(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
    s2 += a[ao + i + 2]! * b[bo + i + 2]!;
    s3 += a[ao + i + 3]! * b[bo + i + 3]!;
  }
  for (; i < n; i++) s0 += a[ao + i]! * b[bo + i]!;
  return (s0 + s1) + (s2 + s3);
}

/** out = A x for a row-major n×n A and x = v[vo .. vo + n), eight (then four) rows per pass over x. */
function symv(A: Float64Array, n: number, v: Float64Array, vo: number, out: Float64Array): void {
  let i = 0;
  for (; i + 7 < n; i += 8) {
    const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, r4 = r3 + n, r5 = r4 + n, r6 = r5 + n, r7 = r6 + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let l = 0; l < n; l++) {
      const x = v[vo + l]!;
      s0 += A[r0 + l]! * x;
      s1 += A[r1 + l]! * x;
      s2 += A[r2 + l]! * x;
      s3 += A[r3 + l]! * x;
      s4 += A[r4 + l]! * x;
      s5 += A[r5 + l]! * x;
      s6 += A[r6 + l]! * x;
      s7 += A[r7 + l]! * x;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
    out[i + 4] = s4;
    out[i + 5] = s5;
    out[i + 6] = s6;
    out[i + 7] = s7;
  }
  for (; i + 3 < n; i += 4) {
    const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let l = 0; l < n; l++) {
      const x = v[vo + l]!;
      s0 += A[r0 + l]! * x;
      s1 += A[r1 + l]! * x;
      s2 += A[r2 + l]! * x;
      s3 += A[r3 + l]! * x;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) out[i] = dotAt(A, i * n, v, vo, n);
}

/**
 * Top-k eigenpairs of a symmetric n×n matrix by the Lanczos method with full
 * reorthogonalisation, started from a warm guess of the eigenvectors (e.g. the
 * full-sample factors, when decomposing a bootstrap replication's Gram matrix, or
 * the previous iteration's factors in the alternating fit). The Krylov space is
 * grown until every wanted Ritz pair has residual ‖A x − θ x‖ ≤ tol·θ₁ (at least
 * k + 10 steps); at n steps it is exact. Deterministic for a given warm start.
 * @param warm - n×k row-major guess (any scale) or null.
 */
export function topEigenWarm(A: Float64Array, n: number, k: number, warm: Float64Array | null, tol = 1e-11): TopEigen {
  k = Math.max(0, Math.min(k, n));
  if (k === 0 || n <= k + 10) return topEigen(A, n, k);
  // Work arrays reused across calls (one decomposition per bootstrap replication): allocating
  // these off-heap buffers every call cost more in garbage collection than the arithmetic.
  if (lanczosWork.n !== n) lanczosWork = { n, Q: new Float64Array(n * n), alpha: new Float64Array(n), beta: new Float64Array(n), w: new Float64Array(n), x: new Float64Array(n), h: new Float64Array(n) };
  const { Q, alpha, beta, w, h: hco } = lanczosWork; // row j of Q = q_j (rows past the last step are stale)
  // Start: the sum of the warm vectors plus a small fixed generic component.
  let nrm = 0;
  for (let i = 0; i < n; i++) {
    let v = 1e-3 * Math.sin(1.7 * i + 0.3);
    if (warm) for (let c = 0; c < k; c++) v += warm[i * k + c]! * (1 + 0.1 * c);
    Q[i] = v;
    nrm += v * v;
  }
  nrm = Math.sqrt(nrm);
  for (let i = 0; i < n; i++) Q[i] = Q[i]! / nrm;
  const minSteps = k + 10;
  let m = 0;
  let ritz: { theta: Float64Array; y: Float64Array[] } | null = null;
  for (let j = 0; j < n; j++) {
    const qj = j * n;
    // w = A q_j, four rows at a time (four independent sums per load of q_j: the loop is
    // otherwise bound by the latency of one running sum, not by arithmetic).
    symv(A, n, Q, qj, w);
    const a = dotAt(Q, qj, w, 0, n);
    alpha[j] = a;
    // Full reorthogonalisation against q_0..q_j, twice ("twice is enough"; classical Gram–Schmidt:
    // all coefficients from the same w, then one update).
    for (let pass = 0; pass < 2; pass++) {
      for (let l = 0; l <= j; l++) hco[l] = dotAt(Q, l * n, w, 0, n);
      let l = 0;
      for (; l + 3 <= j; l += 4) {
        const q0 = l * n, q1 = q0 + n, q2 = q1 + n, q3 = q2 + n;
        const h0 = hco[l]!, h1 = hco[l + 1]!, h2 = hco[l + 2]!, h3 = hco[l + 3]!;
        for (let i = 0; i < n; i++) w[i] = w[i]! - ((h0 * Q[q0 + i]! + h1 * Q[q1 + i]!) + (h2 * Q[q2 + i]! + h3 * Q[q3 + i]!));
      }
      for (; l <= j; l++) {
        const ql = l * n;
        const h = hco[l]!;
        for (let i = 0; i < n; i++) w[i] = w[i]! - h * Q[ql + i]!;
      }
    }
    const b = Math.sqrt(dotAt(w, 0, w, 0, n));
    beta[j] = b;
    m = j + 1;
    const last = m === n;
    if (m >= minSteps || last) {
      ritz = tridiagTop(alpha, beta, m, k);
      const scale = Math.abs(ritz.theta[0]!) || 1;
      let ok = true;
      for (let c = 0; c < k && ok; c++) if (Math.abs(b * ritz.y[c]![m - 1]!) > tol * scale) ok = false;
      if (ok || last || b <= Number.EPSILON * scale) break;
    }
    if (b === 0) break;
    const qn = (j + 1) * n;
    for (let i = 0; i < n; i++) Q[qn + i] = w[i]! / b;
  }
  if (!ritz) ritz = tridiagTop(alpha, beta, m, k);
  const vectors = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const y = ritz.y[c]!;
    let big = 0;
    const x = lanczosWork.x;
    x.fill(0);
    for (let j = 0; j < m; j++) {
      const yj = y[j]!;
      const qj = j * n;
      for (let i = 0; i < n; i++) x[i] = x[i]! + yj * Q[qj + i]!;
    }
    for (let i = 0; i < n; i++) if (Math.abs(x[i]!) > Math.abs(big)) big = x[i]!;
    const sg = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[i * k + c] = sg * x[i]!;
  }
  const values = new Float64Array(n);
  values.set(ritz.theta.subarray(0, Math.min(n, ritz.theta.length)));
  return { values, vectors, k };
}

/** Top-k eigenpairs of the m×m tridiagonal Lanczos matrix (diag alpha, off-diagonal beta[0..m-2]). */
function tridiagTop(alpha: Float64Array, beta: Float64Array, m: number, k: number): { theta: Float64Array; y: Float64Array[] } {
  const d = Float64Array.from(alpha.subarray(0, m));
  const e = new Float64Array(m);
  for (let i = 0; i + 1 < m; i++) e[i] = beta[i]!;
  const dv = Float64Array.from(d);
  const ev = Float64Array.from(e);
  tqlValues(dv, ev, m);
  const theta = dv.sort().reverse();
  const sub = new Float64Array(m);
  for (let i = 1; i < m; i++) sub[i] = e[i - 1]!;
  let tnorm = 0;
  for (let i = 0; i < m; i++) tnorm = Math.max(tnorm, Math.abs(d[i]!) + Math.abs(sub[i]!) + (i + 1 < m ? Math.abs(sub[i + 1]!) : 0));
  const work = new Float64Array(4 * m);
  const y: Float64Array[] = [];
  const kk = Math.min(k, m);
  for (let c = 0; c < kk; c++) {
    const z = new Float64Array(m);
    const sigma = theta[c]! + tnorm * 1e-14 * (c + 1);
    for (let i = 0; i < m; i++) z[i] = 1 / Math.sqrt(m) + 1e-3 * Math.sin(i + 1 + c);
    for (let it = 0; it < 4; it++) {
      tridiagSolve(d, sub, sigma, z, m, work);
      for (const p of y) {
        let s = 0;
        for (let i = 0; i < m; i++) s += p[i]! * z[i]!;
        for (let i = 0; i < m; i++) z[i] = z[i]! - s * p[i]!;
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += z[i]! * z[i]!;
      nrm = Math.sqrt(nrm);
      if (!(nrm > 0)) throw new EstimationError('EIGEN_NOT_CONVERGED', 'eigen-decomposition of the factor Gram matrix failed (non-finite data?)');
      for (let i = 0; i < m; i++) z[i] = z[i]! / nrm;
    }
    y.push(z);
  }
  return { theta, y };
}
