/**
 * Seeded data-generating processes that return the truth, for fixtures, tests,
 * Monte Carlo checks and benchmarks.
 *
 * The panel model (Xu 2017, eq. 1, with a common trend and seasonality):
 *   Y_it = μ + α_i + ξ_t + λ_iᵀ f_t + β x_it + δ_it D_it + ε_it,
 * where ξ_t = linear trend + monthly seasonality + an optional common shock
 * (e.g. the first COVID lockdown), f_t are r random-walk factors, λ_i their
 * loadings, x_it a time-varying covariate correlated with λ_i, and ε_it i.i.d.
 * N(0, σ²). Treated units are chosen by `selection`:
 *   'level'    – at random among the top `pool` share by pre-period level + trend
 *                (funding went to the most violent areas);
 *   'loadings' – with probability rising in λ_i1 (so plain DiD is biased);
 *   'random'   – uniformly.
 */
import { Rng } from '../core/rng.js';
import { ordinalLabel, periodOrdinal, seasonOf, type Frequency } from '../core/periods.js';

export interface PanelSpec {
  units: number;
  periods: number;
  /** First period label, e.g. '2015-04'. */
  firstPeriod: string;
  frequency: Frequency;
  treatedUnits: number;
  /** First treated period label (all treated start together unless `staggerStarts` is given). */
  treatStart: string;
  /** Optional extra start labels: treated units are spread over [treatStart, ...staggerStarts] in turn. */
  staggerStarts?: string[];
  /** Constant effect δ per treated unit-period (added from the unit's start on). */
  effect: number;
  /** Months over which the effect ramps up linearly to `effect` (1 = immediate). */
  rampPeriods?: number;
  factors: number;
  /** SD of ε. */
  noise: number;
  /** Baseline mean μ. */
  mu: number;
  /** SD of α_i. */
  unitSd: number;
  /** Common linear trend per period. */
  trend: number;
  /** Amplitude of the annual seasonal cycle. */
  seasonalAmplitude: number;
  /** Scale of the factor part. */
  factorScale: number;
  /** Coefficient β on the covariate x (0 = no covariate effect). */
  beta: number;
  selection: 'level' | 'loadings' | 'random';
  /** For 'level': treated drawn from the top `pool` share of units. */
  pool?: number;
  /** Common shock window [from, to] labels and its size (added to every unit). */
  shock?: { from: string; to: string; size: number };
  /** Prefix of unit ids. */
  unitPrefix: string;
}

export const POLICE_FIXTURE_SPEC: PanelSpec = {
  units: 60,
  periods: 66,
  firstPeriod: '2015-04',
  frequency: 'monthly',
  treatedUnits: 12,
  treatStart: '2019-04',
  effect: -4,
  rampPeriods: 1,
  factors: 2,
  noise: 1.5,
  mu: 60,
  unitSd: 12,
  trend: 0.25,
  seasonalAmplitude: 4,
  factorScale: 3,
  beta: 0.5,
  selection: 'level',
  pool: 0.5,
  shock: { from: '2020-04', to: '2020-05', size: -12 },
  unitPrefix: 'A',
};

export interface SimRecord {
  unit: string;
  period: string;
  /** Violence rate per 100,000 (the outcome). */
  outcome: number;
  treated: 0 | 1;
  /** Offence count implied by the rate and population, Poisson-drawn. */
  offences: number;
  population: number;
  /** Time-varying covariate (e.g. stop-and-search rate). */
  x: number;
  /** Untreated potential outcome Y(0), for checks. */
  y0: number;
}

export interface SimTruth {
  /** Mean of δ_it over treated post cells (the ATT). */
  att: number;
  /** Mean effect by calendar period over treated units (null before any unit is treated). */
  pathEffect: (number | null)[];
  treatedUnits: string[];
  starts: Record<string, string>;
  beta: number;
  factors: number;
  /** λ_i per unit (row-major units × r). */
  loadings: number[][];
  spec: PanelSpec;
  seed: number;
}

/** The model's draws for one panel: factors f_t, α_i, λ_i, unit trends, base populations, ξ_t and x_it. */
interface Latent {
  periods: string[];
  /** r × T standardised random-walk factors. */
  F: number[][];
  alpha: number[];
  lambda: number[][];
  unitTrend: number[];
  popBase: number[];
  xi: number[];
  /** N × T covariate. */
  x: number[][];
}

/**
 * Simulate a panel and return its records and the truth. Deterministic in (spec, seed): the draws
 * happen in a fixed order (factors → α → λ → unit trends → populations → x → treated selection →
 * ε and counts cell by cell), so a seed gives the same panel byte for byte.
 */
export function simulatePanel(spec: PanelSpec, seed: number): { records: SimRecord[]; truth: SimTruth; periods: string[] } {
  const rng = new Rng(seed);
  const o0 = periodOrdinal(spec.firstPeriod, spec.frequency);
  const tIndex = (label: string) => periodOrdinal(label, spec.frequency) - o0;
  const z = drawLatent(spec, rng, o0, tIndex);
  const treated = selectTreated(spec, rng, z);
  const starts = [spec.treatStart, ...(spec.staggerStarts ?? [])];
  const startOf = new Map<number, number>();
  treated.forEach((i, k) => startOf.set(i, tIndex(starts[k % starts.length]!)));
  const { records, truth } = drawOutcomes(spec, rng, z, treated, startOf);
  return { records, truth: { ...truth, seed }, periods: z.periods };
}

/** Factors (random walks, standardised), unit effects, loadings, trends, populations, the common ξ_t (trend + season + shock) and x_it. */
function drawLatent(spec: PanelSpec, rng: Rng, o0: number, tIndex: (label: string) => number): Latent {
  const N = spec.units;
  const T = spec.periods;
  const r = spec.factors;
  const periods = Array.from({ length: T }, (_, t) => ordinalLabel(o0 + t, spec.frequency));
  const season = spec.frequency === 'monthly' ? 12 : spec.frequency === 'quarterly' ? 4 : 1;
  // Factors: random walks with drift-free steps, standardised to unit variance.
  const F: number[][] = [];
  for (let k = 0; k < r; k++) {
    const f = new Array<number>(T);
    let v = 0;
    for (let t = 0; t < T; t++) {
      v += rng.normal() * 0.3;
      f[t] = v;
    }
    const m = f.reduce((a, b) => a + b, 0) / T;
    const s = Math.sqrt(f.reduce((a, b) => a + (b - m) ** 2, 0) / T) || 1;
    F.push(f.map((x) => (x - m) / s));
  }
  const alpha = Array.from({ length: N }, () => rng.normal() * spec.unitSd);
  const lambda = Array.from({ length: N }, () => Array.from({ length: r }, () => rng.normal()));
  const unitTrend = Array.from({ length: N }, () => rng.normal() * 0.05);
  const popBase = Array.from({ length: N }, () => Math.round(150000 + rng.uniform() * 1350000));
  const xi = periods.map((_, t) => {
    const ord = o0 + t;
    const s = season > 1 ? spec.seasonalAmplitude * Math.sin((2 * Math.PI * (seasonOf(ord, spec.frequency) - 3)) / season) : 0;
    return spec.trend * t + s;
  });
  if (spec.shock) {
    const a = tIndex(spec.shock.from);
    const b = tIndex(spec.shock.to);
    for (let t = Math.max(0, a); t <= Math.min(T - 1, b); t++) xi[t] = xi[t]! + spec.shock.size;
  }
  const x = Array.from({ length: N }, (_, i) => periods.map((_, t) => 10 + 2 * (lambda[i]![0] ?? 0) + 0.02 * t + rng.normal()));
  return { periods, F, alpha, lambda, unitTrend, popBase, xi, x };
}

/** Treated units by `selection` (level: random among the top `pool` share by α + 3λ₁ + 20·trend; loadings: ∝ exp(1.5 λ₁); random), sorted. */
function selectTreated(spec: PanelSpec, rng: Rng, z: Latent): number[] {
  const N = spec.units;
  const { alpha, lambda, unitTrend } = z;
  const score = alpha.map((a, i) => a + 3 * (lambda[i]![0] ?? 0) + 20 * unitTrend[i]!);
  let treated: number[];
  if (spec.selection === 'level') {
    const order = score.map((_, i) => i).sort((a, b) => score[b]! - score[a]!);
    const poolN = Math.max(spec.treatedUnits, Math.round((spec.pool ?? 0.5) * N));
    treated = rng.shuffle(order.slice(0, poolN)).slice(0, spec.treatedUnits);
  } else if (spec.selection === 'loadings') {
    const w = lambda.map((l) => Math.exp(1.5 * (l[0] ?? 0)));
    treated = [];
    const avail = new Set(Array.from({ length: N }, (_, i) => i));
    while (treated.length < spec.treatedUnits) {
      const cand = [...avail];
      const tot = cand.reduce((s, i) => s + w[i]!, 0);
      let u = rng.uniform() * tot;
      let pick = cand[cand.length - 1]!;
      for (const i of cand) {
        u -= w[i]!;
        if (u <= 0) {
          pick = i;
          break;
        }
      }
      treated.push(pick);
      avail.delete(pick);
    }
  } else {
    treated = rng.shuffle(Array.from({ length: N }, (_, i) => i)).slice(0, spec.treatedUnits);
  }
  return treated.sort((a, b) => a - b);
}

/**
 * Y_it(0) = μ + α_i + ξ_t + trend_i·t + scale·λ_iᵀf_t + β x_it + ε_it, the effect δ_it (ramped) from
 * each treated unit's start, population and a Poisson count of offences, cell by cell; the truth (ATT, path).
 */
function drawOutcomes(spec: PanelSpec, rng: Rng, z: Latent, treated: number[], startOf: Map<number, number>): { records: SimRecord[]; truth: Omit<SimTruth, 'seed'> } {
  const N = spec.units;
  const T = spec.periods;
  const r = spec.factors;
  const { periods, F, alpha, lambda, unitTrend, popBase, xi, x } = z;
  const width = String(N).length;
  const name = (i: number) => `${spec.unitPrefix}${String(i + 1).padStart(Math.max(2, width), '0')}`;
  const ramp = Math.max(1, spec.rampPeriods ?? 1);
  const records: SimRecord[] = [];
  const effSum = new Array<number>(T).fill(0);
  const effN = new Array<number>(T).fill(0);
  let attSum = 0;
  let attN = 0;
  for (let i = 0; i < N; i++) {
    const s = startOf.get(i) ?? -1;
    for (let t = 0; t < T; t++) {
      let fac = 0;
      for (let k = 0; k < r; k++) fac += lambda[i]![k]! * F[k]![t]!;
      const y0 = spec.mu + alpha[i]! + xi[t]! + unitTrend[i]! * t + spec.factorScale * fac + spec.beta * x[i]![t]! + rng.normal() * spec.noise;
      const d = s >= 0 && t >= s ? 1 : 0;
      const delta = d ? spec.effect * Math.min(1, (t - s + 1) / ramp) : 0;
      if (d) {
        effSum[t] = effSum[t]! + delta;
        effN[t] = effN[t]! + 1;
        attSum += delta;
        attN++;
      }
      const y = y0 + delta;
      const pop = Math.round(popBase[i]! * (1 + 0.0008 * t));
      const lambdaCount = Math.max(0, (y * pop) / 100000);
      records.push({ unit: name(i), period: periods[t]!, outcome: y, treated: d as 0 | 1, offences: poisson(rng, lambdaCount), population: pop, x: x[i]![t]!, y0 });
    }
  }
  const truth = {
    att: attSum / attN,
    pathEffect: effSum.map((s, t) => (effN[t]! > 0 ? s / effN[t]! : null)),
    treatedUnits: treated.map(name),
    starts: Object.fromEntries(treated.map((i) => [name(i), periods[startOf.get(i)!]!])),
    beta: spec.beta,
    factors: r,
    loadings: lambda,
    spec,
  };
  return { records, truth };
}

/** Poisson draw (inversion for small means, normal approximation with continuity for large ones). */
function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 500) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const L = Math.exp(-mean);
  let k = 0;
  let p = rng.uniform();
  let cdf = L;
  let term = L;
  while (p > cdf) {
    k++;
    term *= mean / k;
    cdf += term;
    if (k > 10000) break;
  }
  return k;
}

/** Round to 4 decimals for compact CSV output (the truth is computed from the rounded-free values; rounding noise ≪ σ). */
const fmt = (v: number) => String(Math.round(v * 1e4) / 1e4);

/** Long CSV text of simulated records: unit, period, outcome, treated, offences, population, x. */
export function recordsToCsv(records: readonly SimRecord[]): string {
  const lines = ['unit,period,violence_rate,treated,offences,population,stop_search'];
  for (const r of records) lines.push(`${r.unit},${r.period},${fmt(r.outcome)},${r.treated},${r.offences},${r.population},${fmt(r.x)}`);
  return lines.join('\n') + '\n';
}

/** One interrupted time series with AR(1) errors (for ITS Monte Carlo checks). */
export interface ItsSeriesSpec {
  periods: number;
  /** First period label, e.g. '2015-01'. */
  firstPeriod: string;
  frequency: Frequency;
  /** Index (0-based) of the interruption period. */
  interruption: number;
  intercept: number;
  /** Pre-interruption trend per period. */
  trend: number;
  /** True level change at the interruption (the step). */
  level: number;
  /** True slope change per period after the interruption. */
  slope: number;
  /** AR(1) coefficient ρ of the errors, |ρ| < 1; the errors start from their stationary distribution. */
  rho: number;
  /** SD of the innovations ε_t. */
  sigma: number;
  /** Unit id written to the CSV. */
  unit: string;
}

export const ITS_AR1_SPEC: ItsSeriesSpec = {
  periods: 96,
  firstPeriod: '2012-01',
  frequency: 'monthly',
  interruption: 48,
  intercept: 50,
  trend: 0.1,
  level: -5,
  slope: 0,
  rho: 0.5,
  sigma: 1,
  unit: 'S',
};

/**
 * Simulate y_t = a + b(t − t₀) + δ·1{t ≥ t₀} + γ(t − t₀)·1{t ≥ t₀} + e_t with
 * e_t = ρe_{t−1} + ε_t, ε_t ~ N(0, σ²), e₀ ~ N(0, σ²/(1 − ρ²)). Deterministic in (spec, seed).
 */
export function simulateItsSeries(spec: ItsSeriesSpec, seed: number): { periods: string[]; y: number[]; truth: { level: number; slope: number; rho: number } } {
  const rng = new Rng(seed);
  const o0 = periodOrdinal(spec.firstPeriod, spec.frequency);
  const periods = Array.from({ length: spec.periods }, (_, t) => ordinalLabel(o0 + t, spec.frequency));
  const y: number[] = [];
  let e = (rng.normal() * spec.sigma) / Math.sqrt(1 - spec.rho * spec.rho);
  for (let t = 0; t < spec.periods; t++) {
    if (t > 0) e = spec.rho * e + rng.normal() * spec.sigma;
    const post = t >= spec.interruption ? 1 : 0;
    const c = t - spec.interruption;
    y.push(spec.intercept + spec.trend * c + spec.level * post + spec.slope * c * post + e);
  }
  return { periods, y, truth: { level: spec.level, slope: spec.slope, rho: spec.rho } };
}

/** Long CSV (unit, period, y, treated) of a simulated ITS series, full precision. */
export function itsSeriesToCsv(spec: ItsSeriesSpec, sim: { periods: string[]; y: number[] }): string {
  const lines = ['unit,period,y,treated'];
  sim.periods.forEach((p, t) => lines.push(`${spec.unit},${p},${sim.y[t]},${t >= spec.interruption ? 1 : 0}`));
  return lines.join('\n') + '\n';
}

/**
 * A small clustered DiD panel for inference checks (e.g. 18 police force areas):
 * `clusters` clusters of `unitsPerCluster` units over `periods` integer periods;
 * the first `treatedClusters` clusters are treated from period `treatStart` on.
 *   Y_it = α_i + γ_t + δ·D_it + s_g·(c_{g,t} + e_it),
 * c_{g,t} a cluster-level AR(1) shock (ρ = `rho`, unit variance), e_it ~ N(0, 1),
 * s_g ~ U(0.5, 2) a cluster-specific scale (heteroskedastic clusters), α_i, γ_t ~ N(0, 1).
 * Returns long CSV text (unit, period, y, treated, cluster) and the truth δ.
 */
export interface ClusterPanelSpec {
  clusters: number;
  unitsPerCluster: number;
  periods: number;
  treatedClusters: number;
  /** First treated period (1-based integer period label). */
  treatStart: number;
  effect: number;
  rho: number;
}

export function simulateClusterPanel(spec: ClusterPanelSpec, seed: number): { csv: string; truth: { effect: number } } {
  const rng = new Rng(seed);
  const T = spec.periods;
  const gamma = Array.from({ length: T }, () => rng.normal());
  const lines = ['unit,period,y,treated,cluster'];
  for (let g = 0; g < spec.clusters; g++) {
    const scale = 0.5 + 1.5 * rng.uniform();
    const c = new Array<number>(T);
    let prev = rng.normal();
    for (let t = 0; t < T; t++) {
      prev = t === 0 ? prev : spec.rho * prev + Math.sqrt(1 - spec.rho * spec.rho) * rng.normal();
      c[t] = prev;
    }
    const treated = g < spec.treatedClusters;
    for (let u = 0; u < spec.unitsPerCluster; u++) {
      const alpha = rng.normal();
      for (let t = 0; t < T; t++) {
        const d = treated && t + 1 >= spec.treatStart ? 1 : 0;
        const y = alpha + gamma[t]! + spec.effect * d + scale * (c[t]! + rng.normal());
        lines.push(`C${g + 1}U${u + 1},${t + 1},${y},${d},C${g + 1}`);
      }
    }
  }
  return { csv: lines.join('\n') + '\n', truth: { effect: spec.effect } };
}

/**
 * Conditional parallel trends for covariate-adjusted DiD checks (Sant'Anna & Zhao 2020 style).
 * n units, periods 1..T, one time-invariant covariate x_i ~ N(0, 1). Units are treated from
 * period `treatStart` with probability logistic(`selection`·x_i), otherwise never.
 *   Y_it = α_i + γ_t + t·(1 + `trendOnX`·x_i)·0.5 + δ·D_it + ε_it,  α_i ~ N(x_i, 1), ε ~ N(0, 1).
 * Trends depend on x and x drives selection, so unconditional DiD is biased and
 * conditioning on x removes the bias. With `nonlinear`, trends depend on x² too
 * (an outcome regression linear in x is then misspecified; the propensity score is not).
 */
export interface CovariateDidSpec {
  units: number;
  periods: number;
  treatStart: number;
  effect: number;
  selection: number;
  trendOnX: number;
  nonlinear?: boolean;
}

export function simulateCovariateDid(spec: CovariateDidSpec, seed: number): { csv: string; truth: { att: number } } {
  const rng = new Rng(seed);
  const gamma = Array.from({ length: spec.periods }, () => rng.normal());
  const lines = ['unit,period,y,treated,x'];
  for (let i = 0; i < spec.units; i++) {
    const x = rng.normal();
    const treated = rng.uniform() < 1 / (1 + Math.exp(-spec.selection * x));
    const alpha = x + rng.normal();
    const slope = 0.5 * (1 + spec.trendOnX * x + (spec.nonlinear ? spec.trendOnX * (x * x - 1) : 0));
    for (let t = 1; t <= spec.periods; t++) {
      const d = treated && t >= spec.treatStart ? 1 : 0;
      const y = alpha + gamma[t - 1]! + t * slope + spec.effect * d + rng.normal();
      lines.push(`u${i + 1},${t},${y},${d},${x}`);
    }
  }
  return { csv: lines.join('\n') + '\n', truth: { att: spec.effect } };
}
