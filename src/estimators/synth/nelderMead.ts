/**
 * Nelder–Mead simplex minimiser (Nelder & Mead 1965; standard coefficients
 * reflection 1, expansion 2, contraction ½, shrink ½). Deterministic.
 * Stops when the spread of function values over the simplex is below
 * `ftol`·(|f_best| + 1e-300) + `fatol` and the simplex diameter is below `xtol`, or after `maxEval` evaluations.
 */
export interface NelderMeadResult {
  x: Float64Array;
  f: number;
  evaluations: number;
  converged: boolean;
}

export function nelderMead(f: (x: Float64Array) => number, x0: Float64Array, opts: { step?: number; maxEval?: number; ftol?: number; fatol?: number; xtol?: number } = {}): NelderMeadResult {
  const n = x0.length;
  const step = opts.step ?? 1;
  const maxEval = opts.maxEval ?? 400 * n;
  const ftol = opts.ftol ?? 1e-10;
  const fatol = opts.fatol ?? 0;
  const xtol = opts.xtol ?? 1e-8;
  const pts: Float64Array[] = [];
  const fv: number[] = [];
  let evals = 0;
  const F = (x: Float64Array) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  pts.push(Float64Array.from(x0));
  fv.push(F(pts[0]!));
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from(x0);
    x[i] = x[i]! + step;
    pts.push(x);
    fv.push(F(x));
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  let converged = false;
  while (evals < maxEval) {
    order.sort((a, b) => fv[a]! - fv[b]! || a - b);
    const best = order[0]!;
    const worst = order[n]!;
    const second = order[n - 1]!;
    let diam = 0;
    for (let i = 1; i <= n; i++) {
      const p = pts[order[i]!]!;
      for (let d = 0; d < n; d++) diam = Math.max(diam, Math.abs(p[d]! - pts[best]![d]!));
    }
    if (fv[worst]! - fv[best]! <= ftol * Math.abs(fv[best]!) + fatol && diam <= xtol) { converged = true; break; }
    centroid.fill(0);
    for (let i = 0; i < n; i++) { const p = pts[order[i]!]!; for (let d = 0; d < n; d++) centroid[d] = centroid[d]! + p[d]! / n; }
    const W = pts[worst]!;
    for (let d = 0; d < n; d++) xr[d] = centroid[d]! + (centroid[d]! - W[d]!);
    const fr = F(xr);
    if (fr < fv[best]!) {
      for (let d = 0; d < n; d++) xe[d] = centroid[d]! + 2 * (centroid[d]! - W[d]!);
      const fe = F(xe);
      if (fe < fr) { W.set(xe); fv[worst] = fe; } else { W.set(xr); fv[worst] = fr; }
    } else if (fr < fv[second]!) {
      W.set(xr);
      fv[worst] = fr;
    } else {
      const outside = fr < fv[worst]!;
      for (let d = 0; d < n; d++) xc[d] = outside ? centroid[d]! + 0.5 * (xr[d]! - centroid[d]!) : centroid[d]! + 0.5 * (W[d]! - centroid[d]!);
      const fc = F(xc);
      if (fc < (outside ? fr : fv[worst]!)) { W.set(xc); fv[worst] = fc; }
      else {
        const B = pts[best]!;
        for (let i = 0; i <= n; i++) {
          if (i === best) continue;
          const p = pts[i]!;
          for (let d = 0; d < n; d++) p[d] = B[d]! + 0.5 * (p[d]! - B[d]!);
          fv[i] = F(p);
        }
      }
    }
  }
  let b = 0;
  for (let i = 1; i <= n; i++) if (fv[i]! < fv[b]!) b = i;
  return { x: Float64Array.from(pts[b]!), f: fv[b]!, evaluations: evals, converged };
}
