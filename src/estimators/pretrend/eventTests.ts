/**
 * Pre-trend tests on the pre-period coefficients of an event study, β̂_pre ~ N(δ_pre, Σ_pre)
 * (event times e ≤ −2, reference −1; under parallel trends and no anticipation δ_pre = 0).
 *
 * 1. Joint Wald test of δ_pre = 0:  W = β̂ᵀΣ⁻¹β̂ ~ χ²_k under the null; with a cluster-robust Σ from
 *    G clusters, the Hotelling small-sample form F = W (G − k)/(k (G − 1)) ~ F(k, G − k) (the χ² form
 *    rejected 15% instead of 5% with 40 clusters and k = 5 in tests/pretrend/eventTests.test.ts).
 * 2. Equivalence (TOST; Schuirmann 1987; Hartman & Hidalgo 2018) of H0: max_e |δ_e| ≥ b against
 *    H1: |δ_e| < b for every e: per coefficient p_e = max(1 − Φ((β̂_e + b)/σ_e), Φ((β̂_e − b)/σ_e)),
 *    overall p = max_e p_e (intersection–union test: size ≤ α without a multiplicity correction).
 *    Default bound b = 0.36 σ_ε (Hartman & Hidalgo 2018 suggest 0.36 SD), σ_ε the SD of the
 *    outcome in untreated cells after removing unit and period means.
 * 3. Linear pre-trend: GLS slope through the reference, γ̂ = rᵀΣ⁻¹β̂ / rᵀΣ⁻¹r, r_e = e + 1,
 *    se(γ̂) = (rᵀΣ⁻¹r)^{−1/2}. "The pre-period cannot rule out a trend of |γ̂| + z_{1−α} se per
 *    period": the largest slope not rejected by the one-sided test at level α (the TOST bound on
 *    the slope at which equivalence would first be shown).
 * 4. Power of the Wald pre-test against linear trends (Roth 2022, "Pretest with caution",
 *    AER: Insights 4(3)): under δ_e = γ r_e, W ~ χ²_k(λ) with λ = γ² rᵀΣ⁻¹r (noncentral F(k, G − k, λ)
 *    in the Hotelling form); the slope the test detects with probability 0.8 is γ₈₀ = sqrt(λ₈₀ / rᵀΣ⁻¹r),
 *    λ₈₀ solving P(reject | λ) = 0.8. In the Hotelling form rᵀΣ⁻¹r is estimated by
 *    rᵀV̂⁻¹r · (ν − k − 1)/ν, ν = G − 1, which removes the upward bias of the inverse of V̂
 *    (inverseBiasFactor).
 */
import { EstimationError } from '../../core/errors.js';
import { solveSpd } from '../../core/linalg.js';
import { pchisq, pf, pnorm, qnorm } from '../../core/stats.js';

export interface PreTrendInput {
  /** Pre-period event times (e ≤ −2) and their estimates and covariance (row-major). */
  eventTimes: number[];
  beta: ArrayLike<number>;
  vcov: ArrayLike<number>;
  /** Number of clusters behind a cluster-robust Σ (Hotelling F form), or null/undefined for χ². */
  clusters?: number | null;
  /** What the G of the Hotelling form counts (default 'clusters'; e.g. 'placebo replicates'). */
  dfSource?: string;
}

export interface PreTrendTests {
  coefficients: { eventTime: number; estimate: number; se: number; tostPValue: number }[];
  wald: { statistic: number; df: number; pValue: number; rejected: boolean; form: string };
  equivalence: { bound: number; boundSource: string; pValue: number; equivalent: boolean };
  trend: { slope: number; se: number; ci: [number, number]; notRuledOut: number };
  power: { slope80: number; power: number; description: string };
  level: number;
  /** Plain-words summary for the terminal and report. */
  summary: string;
}

/** χ² quantile by bisection on pchisq. */
function qchisq(p: number, df: number): number {
  let lo = 0;
  let hi = Math.max(1, df);
  while (pchisq(hi, df) < p) hi *= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (pchisq(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(χ²_k(λ) > x): Poisson(λ/2) mixture of central χ²_{k+2j} tails. */
/**
 * (ν − k − 1)/ν: rᵀV̂⁻¹r times this estimates rᵀΣ⁻¹r without bias when ν V̂ ~ Wishart(Σ, ν)
 * (E[V̂⁻¹] = ν Σ⁻¹/(ν − k − 1)), which is the model behind the Hotelling form. The plug-in λ̂ is
 * otherwise too large by ν/(ν − k − 1), so γ₈₀ came out too small: the held-out tests detected
 * their reported γ₈₀ 75–76% of the time, not 80% (ascm leave-one-out with 40 areas, sdid, gsynth;
 * 400 panels each). 1 when ν is unknown (χ² form) or too small for the mean to exist.
 */
export function inverseBiasFactor(nu: number | null, k: number): number {
  if (nu === null || nu - k - 1 <= 0) return 1;
  return (nu - k - 1) / nu;
}

export function noncentralChisqTail(x: number, k: number, lambda: number): number {
  if (lambda === 0) return 1 - pchisq(x, k);
  const h = lambda / 2;
  // Sum over j around the Poisson mode until the weights are negligible.
  let total = 0;
  const jMax = Math.ceil(h + 12 * Math.sqrt(h) + 50);
  let logW = -h; // log Poisson weight at j = 0
  for (let j = 0; j <= jMax; j++) {
    if (j > 0) logW += Math.log(h) - Math.log(j);
    const w = Math.exp(logW);
    total += w * (1 - pchisq(x, k + 2 * j));
  }
  return Math.min(1, total);
}

/** P(F(k, d, λ) > c): Poisson(λ/2) mixture; χ²_{k+2j}/k over χ²_d/d is ((k+2j)/k)·F(k+2j, d). */
export function noncentralFTail(c: number, k: number, d: number, lambda: number): number {
  const h = lambda / 2;
  const jMax = Math.ceil(h + 12 * Math.sqrt(h) + 50);
  let total = 0;
  let logW = -h;
  for (let j = 0; j <= jMax; j++) {
    if (j > 0) logW += Math.log(h) - Math.log(j);
    total += Math.exp(logW) * (1 - pf((c * k) / (k + 2 * j), k + 2 * j, d));
    if (h === 0) break;
  }
  return Math.min(1, total);
}

/** λ with tail(λ) = target (bisection; the tail is increasing in λ). */
function lambdaForPower(tail: (lambda: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  while (tail(hi) < target) hi *= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-10 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** F quantile by bisection on pf. */
function qf(p: number, d1: number, d2: number): number {
  let lo = 0;
  let hi = 10;
  while (pf(hi, d1, d2) < p) hi *= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (pf(mid, d1, d2) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * All four pre-trend statistics. `bound` is the equivalence bound b (> 0), `unit` names the period
 * in words ("month", "year").
 * @throws EstimationError PRETREND_NO_PRE | PRETREND_SINGULAR
 */
export function preTrendTests(input: PreTrendInput, opts: { level: number; bound: number; boundSource: string; unit: string }): PreTrendTests {
  const k = input.eventTimes.length;
  if (k === 0) throw new EstimationError('PRETREND_NO_PRE', 'no pre-period coefficient before the reference −1, so there is no pre-trend to test; widen the event window', {});
  const alpha = 1 - opts.level;
  const b = Float64Array.from(input.beta);
  const V = Float64Array.from(input.vcov);
  let x: Float64Array;
  try {
    x = solveSpd(V, k, b);
  } catch {
    throw new EstimationError('PRETREND_SINGULAR', 'the covariance of the pre-period coefficients is singular, so the joint pre-trend test is not available', {});
  }
  let W = 0;
  for (let j = 0; j < k; j++) W += b[j]! * x[j]!;
  const G = input.clusters ?? null;
  const hotelling = G !== null && G - k >= 1;
  const Fstat = hotelling ? (W * (G! - k)) / (k * (G! - 1)) : Number.NaN;
  const pW = hotelling ? 1 - pf(Fstat, k, G! - k) : 1 - pchisq(W, k);

  const coefficients = input.eventTimes.map((e, j) => {
    const se = Math.sqrt(V[j * k + j]!);
    const p = Math.max(1 - pnorm((b[j]! + opts.bound) / se), pnorm((b[j]! - opts.bound) / se));
    return { eventTime: e, estimate: b[j]!, se, tostPValue: p };
  });
  const pT = Math.max(...coefficients.map((c) => c.tostPValue));

  const r = Float64Array.from(input.eventTimes, (e) => e + 1);
  const Vir = solveSpd(V, k, r);
  let rVr = 0;
  let rVb = 0;
  for (let j = 0; j < k; j++) {
    rVr += r[j]! * Vir[j]!;
    rVb += b[j]! * Vir[j]!;
  }
  const slope = rVb / rVr;
  const seS = 1 / Math.sqrt(rVr);
  const z2 = qnorm(1 - alpha / 2);
  const notRuledOut = Math.abs(slope) + qnorm(1 - alpha) * seS;

  // λ scales with γ²; in the Hotelling form the statistic is W·(G − k)/(k(G − 1)), noncentral F(k, G − k, λ).
  const lam = hotelling
    ? lambdaForPower((l) => noncentralFTail(qf(1 - alpha, k, G! - k), k, G! - k, l), 0.8)
    : lambdaForPower((l) => noncentralChisqTail(qchisq(1 - alpha, k), k, l), 0.8);
  const slope80 = Math.sqrt(lam / (rVr * inverseBiasFactor(hotelling ? G! - 1 : null, k)));

  const summary = preTrendSummary({ k, pW, pT, alpha, bound: opts.bound, notRuledOut, slope80, unit: opts.unit });
  return {
    coefficients,
    wald: { statistic: W, df: k, pValue: pW, rejected: pW < alpha, form: hotelling ? `Hotelling F(${k}, ${G! - k}) = W(G − k)/(k(G − 1)), G = ${G} ${input.dfSource ?? 'clusters'}` : `χ²(${k})` },
    equivalence: { bound: opts.bound, boundSource: opts.boundSource, pValue: pT, equivalent: pT < alpha },
    trend: { slope, se: seS, ci: [slope - z2 * seS, slope + z2 * seS], notRuledOut },
    power: { slope80, power: 0.8, description: `smallest linear pre-trend (per ${opts.unit}, zero at the reference period) that the ${Math.round(opts.level * 100)}% joint Wald pre-test rejects with probability 0.8 (Roth 2022)` },
    level: opts.level,
    summary,
  };
}

/**
 * σ_ε: SD of y in untreated, observed cells after removing unit and period means (alternating
 * projections to 1e-12; the cells need not be balanced). Default equivalence bound = 0.36 σ_ε.
 */
export function residualSd(y: ArrayLike<number>, treated: ArrayLike<number>, N: number, T: number): number {
  const use: number[] = [];
  for (let k = 0; k < N * T; k++) if (!treated[k] && Number.isFinite(y[k]!)) use.push(k);
  const r = Float64Array.from(use, (k) => y[k]!);
  const nu = new Float64Array(N);
  const nt = new Float64Array(T);
  for (const k of use) {
    nu[Math.floor(k / T)]! += 1;
    nt[k % T]! += 1;
  }
  for (let it = 0; it < 10000; it++) {
    const su = new Float64Array(N);
    use.forEach((k, o) => (su[Math.floor(k / T)] = su[Math.floor(k / T)]! + r[o]!));
    use.forEach((k, o) => (r[o] = r[o]! - su[Math.floor(k / T)]! / nu[Math.floor(k / T)]!));
    const st = new Float64Array(T);
    use.forEach((k, o) => (st[k % T] = st[k % T]! + r[o]!));
    let moved = 0;
    use.forEach((k, o) => {
      const d = st[k % T]! / nt[k % T]!;
      moved = Math.max(moved, Math.abs(d));
      r[o] = r[o]! - d;
    });
    if (moved < 1e-12) break;
  }
  let ss = 0;
  for (const v of r) ss += v * v;
  return Math.sqrt(ss / Math.max(1, r.length - 1));
}

/** The plain-words line of the pre-trend tests (terminal, report, diagnostics). */
export function preTrendSummary(x: { k: number; pW: number; pT: number; alpha: number; bound: number; notRuledOut: number; slope80: number; unit: string }): string {
  const fmt = (v: number) => v.toPrecision(3);
  return (
    `pre-trends: joint Wald test of the ${x.k} pre-period coefficient(s) ${x.pW < x.alpha ? 'REJECTS' : 'does not reject'} parallel pre-trends (p = ${x.pW.toPrecision(3)}); ` +
    `equivalence (TOST) within ±${fmt(x.bound)} ${x.pT < x.alpha ? 'is shown' : 'is NOT shown'} (p = ${x.pT.toPrecision(3)}); ` +
    `the pre-period cannot rule out a trend of ${fmt(x.notRuledOut)} per ${x.unit}; ` +
    `the pre-trend test would detect a linear trend of ${fmt(x.slope80)} per ${x.unit} 80% of the time (Roth 2022)`
  );
}
