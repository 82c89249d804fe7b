/** Shared test data for the gsynth tests. */
import { Rng } from '../../src/core/rng.js';

/** A noise-free IFE panel y = 10 + α_i + ξ_t + λ_iᵀf_t + βᵀx (n×T row-major), its covariates and unit names. */
export function ifePanel(n: number, T: number, r: number, beta: number[], seed: number) {
  const rng = new Rng(seed);
  const F = Float64Array.from({ length: T * r }, () => rng.normal());
  const lam = Float64Array.from({ length: n * r }, () => rng.normal());
  const alpha = Float64Array.from({ length: n }, () => 3 * rng.normal());
  const xi = Float64Array.from({ length: T }, (_, t) => 0.1 * t + rng.normal());
  const x = beta.map(() => Float64Array.from({ length: n * T }, () => rng.normal()));
  const y = new Float64Array(n * T);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < T; t++) {
      let v = 10 + alpha[i]! + xi[t]!;
      for (let k = 0; k < r; k++) v += lam[i * r + k]! * F[t * r + k]!;
      beta.forEach((b, q) => (v += b * x[q]![i * T + t]!));
      y[i * T + t] = v;
    }
  return { y, x, names: Array.from({ length: n }, (_, i) => `u${i}`) };
}
