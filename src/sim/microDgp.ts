/**
 * Seeded micro-area panel with count outcomes, for micro-area synthetic control tests and
 * benchmarks (the shape of police.uk crimes by LSOA and month). Returns the truth.
 *
 * Area i has two time-invariant covariates, population pop_i and a deprivation score dep_i, and
 * a latent rate μ_i = base · (pop_i/1500) · exp(0.6·(dep_i − 50)/25 + σ_u·u_i), u_i ~ N(0, 1).
 * Outcome k (k = 0..K−1) in period t is Poisson(μ_i · ρ_k · s_t · (1 + τ·1[i treated, t ≥ t₀]))
 * where s_t is a common seasonal cycle and trend and ρ_k = 1/(k+1) the outcome's share. Treated
 * areas are drawn uniformly (`selection: 'random'`) or among the hotspots, the top max(10%, 2 × treated) by μ_i
 * ('hotspots', as the Home Office's funded hotspots; the other hotspots stay as controls). τ is the true proportional effect; the realised truth is
 * Σ Y(1)/Σ Y(0) − 1 over the treated post cells, both drawn with common random numbers
 * (Y(1) is a binomial thinning of Y(0) when τ < 0).
 */
import { Rng } from '../core/rng.js';
import { ordinalLabel, periodOrdinal } from '../core/periods.js';

export interface MicroPanelSpec {
  areas: number;
  periods: number;
  /** First monthly period label, e.g. '2015-04'. */
  firstPeriod: string;
  treated: number;
  /** Index of the first treated period (0-based). */
  start: number;
  /** Proportional effect τ (e.g. −0.2 for a 20% fall); must be ≥ −1. */
  effect: number;
  outcomes: number;
  /** Mean monthly count of outcome 0 in an average area. */
  base: number;
  /** SD of the unobserved area effect u_i on the log rate. */
  sigmaU: number;
  selection: 'random' | 'hotspots';
  /**
   * A random-walk common factor (crime series wander): f_t = f_{t−1} + sd·ε_t, f_0 = 0, and area i's
   * rate is multiplied by exp(λ_i·f_t) with λ_i = (log μ_i − mean)/SD, so the hotspots load most
   * and the treated hotspots sit at the edge of the controls' range of loadings. Drawn from a
   * separate stream, so panels without it are unchanged.
   */
  factor?: { sd: number };
}

export interface MicroPanel {
  units: string[];
  periods: string[];
  outcomeNames: string[];
  /** outcomes × (areas × periods) counts, row-major by area. */
  y: Float64Array[];
  pop: Float64Array;
  dep: Float64Array;
  treated: Uint8Array;
  truth: { effect: number; realised: number[]; treatedUnits: string[] };
}

function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const L = Math.exp(-mean);
  let k = 0;
  let p = rng.uniform();
  while (p > L) {
    k++;
    p *= rng.uniform();
  }
  return k;
}

function binomial(rng: Rng, n: number, p: number): number {
  if (p >= 1) return n;
  if (n > 200) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * rng.normal())));
  let k = 0;
  for (let i = 0; i < n; i++) if (rng.uniform() < p) k++;
  return k;
}

export function simulateMicroPanel(spec: MicroPanelSpec, seed: number): MicroPanel {
  if (spec.effect < -1) throw new RangeError('effect must be ≥ −1');
  const rng = new Rng(seed);
  let factorMult: (i: number, t: number) => number = () => 1;
  const N = spec.areas;
  const T = spec.periods;
  const o0 = periodOrdinal(spec.firstPeriod, 'monthly');
  const periods = Array.from({ length: T }, (_, t) => ordinalLabel(o0 + t, 'monthly'));
  const width = Math.max(5, String(N).length);
  const units = Array.from({ length: N }, (_, i) => `E${String(i + 1).padStart(width, '0')}`);
  const pop = new Float64Array(N);
  const dep = new Float64Array(N);
  const mu = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    pop[i] = Math.max(400, Math.round(1500 + 300 * rng.normal()));
    dep[i] = Math.min(100, Math.max(0, Math.round(50 + 20 * rng.normal())));
    mu[i] = spec.base * (pop[i]! / 1500) * Math.exp((0.6 * (dep[i]! - 50)) / 25 + spec.sigmaU * rng.normal());
  }
  const season = Array.from({ length: T }, (_, t) => (1 + 0.15 * Math.sin((2 * Math.PI * t) / 12)) * (1 + 0.002 * t));
  if (spec.factor) {
    const fr = new Rng(seed).stream(0x5eed);
    const f = new Float64Array(T);
    for (let t = 1; t < T; t++) f[t] = f[t - 1]! + spec.factor.sd * fr.normal();
    let m = 0;
    for (let i = 0; i < N; i++) m += Math.log(mu[i]!) / N;
    let v = 0;
    for (let i = 0; i < N; i++) v += (Math.log(mu[i]!) - m) ** 2 / (N - 1);
    const sdl = Math.sqrt(v);
    // Fold the factor into a per-area, per-period multiplier of the seasonal cycle.
    factorMult = (i: number, t: number) => Math.exp(((Math.log(mu[i]!) - m) / sdl) * f[t]!);
  }
  let pool: number[];
  if (spec.selection === 'hotspots') {
    pool = Array.from({ length: N }, (_, i) => i)
      .sort((a, b) => mu[b]! - mu[a]!)
      .slice(0, Math.max(2 * spec.treated, Math.round(0.1 * N)));
  } else pool = Array.from({ length: N }, (_, i) => i);
  const chosen = rng.shuffle(pool).slice(0, spec.treated);
  const treated = new Uint8Array(N);
  for (const i of chosen) treated[i] = 1;
  const outcomeNames = Array.from({ length: spec.outcomes }, (_, k) => `crime${k + 1}`);
  const y: Float64Array[] = [];
  const realised: number[] = [];
  for (let k = 0; k < spec.outcomes; k++) {
    const m = new Float64Array(N * T);
    const rho = 1 / (k + 1);
    let s1 = 0;
    let s0 = 0;
    for (let i = 0; i < N; i++) {
      for (let t = 0; t < T; t++) {
        const mean = mu[i]! * rho * season[t]! * factorMult(i, t);
        const y0 = poisson(rng, mean);
        let v = y0;
        if (treated[i] && t >= spec.start) {
          v = spec.effect <= 0 ? binomial(rng, y0, 1 + spec.effect) : y0 + poisson(rng, mean * spec.effect);
          s1 += v;
          s0 += y0;
        }
        m[i * T + t] = v;
      }
    }
    y.push(m);
    realised.push(s0 > 0 ? s1 / s0 - 1 : Number.NaN);
  }
  return { units, periods, outcomeNames, y, pop, dep, treated, truth: { effect: spec.effect, realised, treatedUnits: chosen.map((i) => units[i]!).sort() } };
}

/** Long CSV: unit, period, crime1..K, treated (1 from the start for treated areas), pop, dep. */
export function microPanelCsv(p: MicroPanel, start: number): string {
  const T = p.periods.length;
  const lines: string[] = [['unit', 'period', ...p.outcomeNames, 'treated', 'pop', 'dep'].join(',')];
  for (let i = 0; i < p.units.length; i++) {
    for (let t = 0; t < T; t++) {
      const ys = p.y.map((m) => m[i * T + t]!);
      lines.push(`${p.units[i]},${p.periods[t]},${ys.join(',')},${p.treated[i] && t >= start ? 1 : 0},${p.pop[i]},${p.dep[i]}`);
    }
  }
  return lines.join('\n') + '\n';
}
