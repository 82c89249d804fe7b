/**
 * "Could this design have seen it?" — the minimum detectable effect a null result carries.
 *
 * For an estimate whose interval covers zero, the MDE at 80% power by the normal approximation
 * (Bloom 1995 with z quantiles): MDE ≈ (z_{1−α/2} + z_{0.8}) · SE, α = 1 − level, with SE the
 * document's standard error, or the interval's width / (2 z_{1−α/2}) when it has none. It is exact
 * for an unbiased, normal estimator with a known SE and an approximation otherwise (it says so in
 * `basis`); `vru-eval power` simulates the MDE of the design on the panel itself.
 */
import { qnorm } from './stats.js';

/** What the MDE is computed from (structurally an Analysis; no import of result.ts, which calls this). */
interface WithEstimate {
  estimate: { se: number | null; ci: [number, number] | null; level: number } | null;
  path: readonly { observed: number | null; cumulative: number | null }[];
}

export const NULL_MDE_POWER = 0.8;

export interface NullMde {
  value: number;
  power: number;
  alpha: number;
  se: number;
  /** The MDE as % of the treated units' mean outcome before the start (from path), or null. */
  percentOfMean: number | null;
  basis: string;
}

/** The MDE block for an analysis whose interval covers zero, or null. */
export function nullResultMde(a: WithEstimate): NullMde | null {
  const e = a.estimate;
  if (!e || !e.ci || typeof e.level !== 'number') return null;
  const [lo, hi] = e.ci;
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo > 0 || hi < 0) return null;
  const alpha = Number((1 - e.level).toPrecision(12)); // 0.05, not 1 − 0.95 = 0.050000000000000044
  const z = qnorm(1 - alpha / 2);
  const fromSe = typeof e.se === 'number' && Number.isFinite(e.se) && e.se > 0;
  const se = fromSe ? (e.se as number) : (hi - lo) / (2 * z);
  if (!(se > 0)) return null;
  const value = (z + qnorm(NULL_MDE_POWER)) * se;
  let s = 0;
  let n = 0;
  for (const p of a.path) {
    if (p.cumulative !== null && p.cumulative !== undefined) break;
    if (typeof p.observed === 'number' && Number.isFinite(p.observed)) {
      s += p.observed;
      n++;
    }
  }
  const preMean = n > 0 ? s / n : Number.NaN;
  return {
    value,
    power: NULL_MDE_POWER,
    alpha,
    se,
    percentOfMean: Number.isFinite(preMean) && preMean !== 0 ? (100 * value) / Math.abs(preMean) : null,
    basis: `approximation (z_{1−α/2} + z_{0.8})·SE with SE ${fromSe ? 'from the estimate' : 'from the interval width / (2·z_{1−α/2})'}; exact for an unbiased normal estimator with known SE; vru-eval power simulates the design's MDE on the panel`,
  };
}
