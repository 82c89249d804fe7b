/**
 * Augmented synthetic control (Ben-Michael, Feller & Rothstein 2021, JASA 116:1789) on a
 * panel: ridge ASCM (or plain SC with `model: 'none'`), the de-meaned (intercept-shift)
 * variant of §5.1, covariates by residualising, jackknife+ and conformal intervals, and
 * staggered adoption by per-cohort fits aggregated with weights ∝ treated unit-periods.
 *
 * One block per adoption cohort: the cohort's treated units (their mean series is the
 * target, as with several treated units in the paper's §6) against the never-treated units.
 *
 * - De-meaned (`demean`): every series minus its own pre-period mean before fitting; the
 *   counterfactual adds the treated pre-period mean back (SC with an intercept shift).
 * - Covariates (`covariates`): Z_i = unit i's pre-period mean of each covariate; each
 *   period's outcome is regressed on [1, Z] across the controls by least squares (QR),
 *   treated and controls are replaced by their residuals, the weights are fitted on the
 *   residual pre-period series, and the counterfactual is Z₁β̂_t + Σγ̂_j(Y_jt − Z_jβ̂_t).
 * - Jackknife+ (Barber, Candès, Ramdas & Tibshirani 2021, applied over pre-periods as in
 *   Ben-Michael et al. §7): for each pre-period i, refit (λ fixed) without period i; R_i =
 *   |x₁ᵢ − x̂₁ᵢ(−i)|, and the post counterfactual ŷ_t(−i). Counterfactual interval at t:
 *   [q⁻_α{ŷ_t(−i) − R_i}, q⁺_{1−α}{ŷ_t(−i) + R_i}]; the effect's interval is y₁t minus it.
 *   The ATT's interval leaves out moving blocks of pre-periods instead and uses the residual of
 *   the block mean (jackknifePlusMean). (Demeaning and covariate coefficients use all
 *   pre-periods, a small leak into the held-out periods.)
 * - Conformal (Chernozhukov, Wüthrich & Zhu 2021): under H₀ the tested post periods of the
 *   treated series are shifted by θ, the ASCM is refitted (λ fixed) on pre + tested periods,
 *   and the permutation p-value of the residuals is inverted: moving-block permutations per
 *   period (synth/conformal.ts, shared), i.i.d. permutations for the ATT (conformalIntervals).
 */
import { InputError, UsageError } from '../../core/errors.js';
import { lstsq } from '../../core/linalg.js';
import { panelDesign, requireBalanced, type Panel } from '../../core/panel.js';
import { unitPath, type Analysis, type Diagnostic, type PathPoint, type UnitResult, type Warning } from '../../core/result.js';
import { Rng } from '../../core/rng.js';
import { invertTest, permutationPValue } from '../synth/conformal.js';
import { cvLambda, gramCols, ridgeWeights, scWeights, svdCols, type CvResult } from './ridge.js';

export const ASCM_INFERENCE = ['conformal', 'jackknife+', 'none'] as const;
export type AscmInference = (typeof ASCM_INFERENCE)[number];
export const ASCM_MODELS = ['ridge', 'none'] as const;

export interface AscmOptions {
  /** 'ridge' (default): ridge ASCM; 'none': plain synthetic control (the paper's SCM column). */
  model?: (typeof ASCM_MODELS)[number];
  /** Fixed ridge λ; default chosen by cross-validation. */
  lambda?: number | null;
  /** CV rule: '1se' (default) or 'min'. */
  cvRule?: 'min' | '1se';
  demean?: boolean;
  /** Covariate columns (pre-period means are balanced by residualising). */
  covariates?: readonly string[];
  /** Default 'conformal'. */
  inference?: AscmInference;
  level?: number;
  seed: number;
}

interface BlockResult {
  start: number;
  treated: number[];
  /** SC weights ŵ and augmented weights γ̂ (length N₀, aligned with controls). */
  w: Float64Array;
  gamma: Float64Array;
  lambda: number | null;
  cv: CvResult | null;
  observed: Float64Array;
  counterfactual: Float64Array;
  effect: Float64Array;
  att: number;
  /** Per-period and ATT intervals for the effect (null when not computed). */
  ci: ([number, number] | null)[];
  attCi: [number, number] | null;
  attP: number | null;
  preRmspe: number;
  scPreRmspe: number;
  solverOk: boolean;
  /** The interval actually computed: the requested one, or jackknife+ when the conformal set was unbounded. */
  inferenceUsed: AscmInference | 'jackknife+ (conformal unbounded)';
  /** Why the conformal interval was not bounded (null when it was, or not requested). */
  conformalNote: string | null;
  /** Jackknife+ intervals (ATT and per period) that missed their estimate and were extended to it. */
  extended: number;
}

/** What the interval procedures need from a fitted block. */
interface IntervalContext {
  X: Float64Array;
  x1: Float64Array;
  N0: number;
  T: number;
  T0: number;
  alpha: number;
  pre: number[];
  /** Refit (λ fixed) on the listed periods against a target. */
  fitWeights: (cols: readonly number[], target: Float64Array) => Float64Array;
  y1: Float64Array;
  back: (t: number, v: number) => number;
  /** Seed of the i.i.d. permutation draws. */
  seed: number;
}

/**
 * Jackknife+ (see the module comment): per post period, the single-period interval from the
 * leave-one-pre-period-out residuals R_i; for the ATT, the interval for the mean of the post
 * periods from leave-one-block-out residuals of block means ({@link jackknifePlusMean}).
 */
function jackknifePlus(c: IntervalContext): { ci: ([number, number] | null)[]; attCi: [number, number] | null } {
  const { X, x1, N0, T, T0, alpha, pre } = c;
  const lo: number[][] = Array.from({ length: T - T0 }, () => []);
  const hi: number[][] = Array.from({ length: T - T0 }, () => []);
  for (let i = 0; i < T0; i++) {
    const g = c.fitWeights(pre.filter((t) => t !== i), x1);
    const R = Math.abs(x1[i]! - predict(X, N0, T, g, i));
    for (let t = T0; t < T; t++) {
      const cf = predict(X, N0, T, g, t);
      lo[t - T0]!.push(cf - R);
      hi[t - T0]!.push(cf + R);
    }
  }
  const n = T0;
  const kLo = Math.floor(alpha * (n + 1));
  const kHi = Math.ceil((1 - alpha) * (n + 1));
  const ci: ([number, number] | null)[] = new Array(T).fill(null);
  if (kLo >= 1 && kHi <= n) {
    for (let t = T0; t < T; t++) {
      const l = lo[t - T0]!.sort((a, b) => a - b)[kLo - 1]!;
      const h = hi[t - T0]!.sort((a, b) => a - b)[kHi - 1]!;
      ci[t] = [c.y1[t]! - c.back(t, h), c.y1[t]! - c.back(t, l)];
    }
  }
  // ATT: mean post effect = mean y₁ − mean counterfactual.
  let meanY = 0;
  let meanBack0 = 0;
  for (let t = T0; t < T; t++) { meanY += c.y1[t]! / (T - T0); meanBack0 += c.back(t, 0) / (T - T0); }
  const m = jackknifePlusMean(c);
  return { ci, attCi: m === null ? null : [meanY - (meanBack0 + m[1]), meanY - (meanBack0 + m[0])] };
}

/**
 * Jackknife+ for the post-period mean (the ATT), leaving out moving blocks of pre-periods.
 *
 * Target: the mean centred counterfactual m₁ = T₁⁻¹ Σ_{t ≥ T₀} x₁ₜ(0) over the T₁ = T − T₀ post
 * periods. Blocks B_k = {k, …, k + L − 1} ⊂ {0, …, T₀ − 1}, k = 0 … T₀ − L (n = T₀ − L + 1 of them),
 * with L = min(T₁, T₀ + 2 − ⌈1/α⌉) so that n ≥ ⌈1/α⌉ − 1 (the fewest for which the quantiles
 * exist). For each k the weights are refitted (λ fixed) on the pre-periods outside B_k, giving
 *   R_k = |L⁻¹ Σ_{t∈B_k} (x₁ₜ − x̂₁ₜ(−k))|   (the held-out block's mean residual) and
 *   μ̂(−k) = T₁⁻¹ Σ_{t ≥ T₀} x̂₁ₜ(−k)          (the refit's mean post counterfactual);
 * the (1 − α) interval for m₁ is [q⁻_α{μ̂(−k) − R_k}, q⁺_{1−α}{μ̂(−k) + R_k}] (Barber et al. 2021,
 * eq. 3, with the k-th order statistics ⌊α(n+1)⌋ and ⌈(1−α)(n+1)⌉). The residual of a block mean
 * has the spread of an L-period average, not of one period, so the interval has the width of the
 * ATT's error rather than of a single period's (the per-period jackknife+ above). With L < T₁ it is
 * conservative. Returns null when T₀ is too short for any block (n < ⌈1/α⌉ − 1).
 */
function jackknifePlusMean(c: IntervalContext): [number, number] | null {
  const { X, x1, N0, T, T0, alpha, pre } = c;
  const T1 = T - T0;
  const L = Math.min(T1, T0 + 2 - Math.ceil(1 / alpha - 1e-9));
  if (L < 1) return null;
  const n = T0 - L + 1;
  const kLo = Math.floor(alpha * (n + 1));
  const kHi = Math.ceil((1 - alpha) * (n + 1));
  if (kLo < 1 || kHi > n) return null;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let k = 0; k + L <= T0; k++) {
    const g = c.fitWeights(pre.filter((t) => t < k || t >= k + L), x1);
    let r = 0;
    for (let t = k; t < k + L; t++) r += (x1[t]! - predict(X, N0, T, g, t)) / L;
    let mu = 0;
    for (let t = T0; t < T; t++) mu += predict(X, N0, T, g, t) / T1;
    lo.push(mu - Math.abs(r));
    hi.push(mu + Math.abs(r));
  }
  lo.sort((a, b) => a - b);
  hi.sort((a, b) => a - b);
  return [lo[kLo - 1]!, hi[kHi - 1]!];
}

/** Permutations drawn for the ATT's conformal p-value (p has resolution 1/(B + 1) = 0.001). */
const ATT_PERMUTATIONS = 999;

/** `B` uniform draws of k distinct positions out of P (the first k of a partial Fisher–Yates shuffle). */
function subsetDraws(rng: Rng, P: number, k: number, B: number): Int32Array[] {
  return Array.from({ length: B }, () => rng.partialShuffle(P, k).slice(0, k));
}

/**
 * i.i.d. permutation p-value of the averaged statistic S(û) = |T₁⁻¹ Σ_{t∈post} û_t| (Chernozhukov,
 * Wüthrich & Zhu 2021, §3, with permutations Π = all permutations of the T periods, approximated by
 * B uniform draws π_b): p = (1 + #{b : S(û_{π_b}) ≥ S(û)}) / (B + 1). Under H₀ the residuals of
 * the symmetric refit are exchangeable over all periods, and S(û_{π_b}) is the mean of T₁ of them
 * drawn without replacement.
 */
function iidPermutationPValue(u: Float64Array, tested: readonly number[], draws: readonly Int32Array[]): number {
  let s0 = 0;
  for (const t of tested) s0 += u[t]!;
  s0 = Math.abs(s0) / tested.length;
  let count = 1;
  for (const d of draws) {
    let s = 0;
    for (const t of d) s += u[t]!;
    if (Math.abs(s) / tested.length >= s0 * (1 - 1e-12)) count++;
  }
  return count / (draws.length + 1);
}

/**
 * Conformal intervals by test inversion (Chernozhukov, Wüthrich & Zhu 2021). Under H₀ the tested
 * post periods of the treated series are shifted by θ (x₁ₜ − θ), the ASCM is refitted (λ fixed)
 * on the pre-periods plus the tested ones, and the residuals û of that symmetric fit are permuted.
 * - Per period t: H₀: τ_t = θ, the moving-block (cyclic) permutations of û (synth/conformal.ts).
 * - ATT: H₀: τ_t = θ for every post period (so τ̄ = θ), statistic S(û) = |T₁⁻¹ Σ_{t ≥ T₀} û_t|,
 *   p-value over i.i.d. permutations of the T periods ({@link iidPermutationPValue}). The
 *   moving-block group is not used here: when the refit absorbs part of a sustained shift it
 *   leaves a ramp in û around T₀, cyclic blocks straddling T₀ then match the post block however
 *   large θ is, and p(θ) levels off above α (sets 10–40 times the estimate's error on
 *   police-like panels); i.i.d. draws of T₁ periods do not follow the ramp.
 * The set {θ : p(θ) > α} is grown from the estimate (doubling, then 40 bisection steps). When it
 * is not bounded, `why` says why.
 */
function conformalIntervals(c: IntervalContext, effect: Float64Array, att: number, pre2: number): { ci: ([number, number] | null)[]; attCi: [number, number] | null; attP: number | null; why: string } {
  const { X, x1, N0, T, T0, alpha, pre } = c;
  const scale = Math.max(Math.sqrt(pre2), 1e-8 * (Math.abs(att) + 1));
  const residuals = (tested: readonly number[], theta: number) => {
    const cols = [...pre, ...tested];
    const target = Float64Array.from(x1);
    for (const t of tested) target[t] = target[t]! - theta;
    const g = c.fitWeights(cols, target);
    return Float64Array.from(cols, (t) => target[t]! - predict(X, N0, T, g, t));
  };
  const ci: ([number, number] | null)[] = new Array(T).fill(null);
  for (let t = T0; t < T; t++) ci[t] = invertTest((th) => permutationPValue(residuals([t], th), [T0]), effect[t]!, scale, alpha).ci;
  const postAll = Array.from({ length: T - T0 }, (_, q) => T0 + q);
  const draws = subsetDraws(new Rng(c.seed), T, T - T0, ATT_PERMUTATIONS);
  // A refit that reproduces the shifted series exactly (residuals at rounding level) leaves nothing to test: p = 1.
  const tiny = 1e-9 * Math.max(...Array.from(x1, Math.abs), 1e-300);
  const pAtt = (th: number) => {
    const u = residuals(postAll, th);
    return u.every((v) => Math.abs(v) <= tiny) ? 1 : iidPermutationPValue(u, postAll, draws);
  };
  const r = invertTest(pAtt, att, scale, alpha);
  let why = '';
  if (r.ci === null) {
    if (r.centerRejected) why = 'the test rejects the point estimate itself, so there is no connected set around it';
    else if (N0 >= T) why = `the ridge refit has ${N0} control units for ${T} fitted periods, so it can absorb any shift of the post periods and no effect is rejected (a larger --ascm-lambda, or --ascm-model none, constrains it)`;
    else why = 'no effect within 2⁴⁰ times the pre-period RMSPE of the estimate is rejected (the post-period residuals do not stand out from the pre-period ones)';
  }
  return { ci, attCi: r.ci, attP: r.ci === null ? null : r.pAtZero, why };
}

/**
 * The transformed block: X (N₀×T) control series and x1 (T) treated mean, after demeaning,
 * covariate residualising and centring by the control mean; `back(t, v)` maps a fitted
 * centred treated value at t back to the outcome scale.
 */
function prepare(panel: Panel, controls: readonly number[], treated: readonly number[], T0: number, o: AscmOptions): { X: Float64Array; x1: Float64Array; back: (t: number, v: number) => number; y1: Float64Array; beta: number[][] | null } {
  const T = panel.periods.length;
  const N0 = controls.length;
  const series = (u: number) => Float64Array.from(panel.y.subarray(u * T, (u + 1) * T));
  const Yc = controls.map(series);
  const y1 = new Float64Array(T);
  for (const u of treated) for (let t = 0; t < T; t++) y1[t] = y1[t]! + panel.y[u * T + t]! / treated.length;
  let y1f = Float64Array.from(y1);
  let shift1 = 0;
  if (o.demean) {
    const preMean = (s: Float64Array) => { let m = 0; for (let t = 0; t < T0; t++) m += s[t]!; return m / T0; };
    for (const s of Yc) { const m = preMean(s); for (let t = 0; t < T; t++) s[t] = s[t]! - m; }
    shift1 = preMean(y1f);
    y1f = y1f.map((v) => v - shift1);
  }
  const m = new Float64Array(T);
  for (const s of Yc) for (let t = 0; t < T; t++) m[t] = m[t]! + s[t]! / N0;
  const X = new Float64Array(N0 * T);
  Yc.forEach((s, a) => { for (let t = 0; t < T; t++) X[a * T + t] = s[t]! - m[t]!; });
  const x1 = Float64Array.from(y1f, (v, t) => v - m[t]!);
  let zFit: Float64Array | null = null;
  let beta: number[][] | null = null;
  const covs = o.covariates ?? [];
  if (covs.length > 0) {
    const K = covs.length;
    const zOf = (units: readonly number[]) => covs.map((c) => {
      const Xc = panel.covariates[c];
      if (!Xc) throw new UsageError('UNKNOWN_COVARIATE', `covariate '${c}' is not in the panel; pass it with --covariates`);
      let s = 0;
      let n = 0;
      for (const u of units) for (let t = 0; t < T0; t++) { const v = Xc[u * T + t]!; if (Number.isFinite(v)) { s += v; n++; } }
      if (n === 0) throw new InputError('MISSING_COVARIATE', `${panel.file}: covariate '${c}' has no pre-period value for '${panel.units[units[0]!]}'`, { covariate: c, unit: panel.units[units[0]!] });
      return s / n;
    });
    const Zc = controls.map((u) => zOf([u]));
    const z1 = treated.map((u) => zOf([u])).reduce((acc, z) => acc.map((v, k) => v + z[k]! / treated.length), new Array<number>(K).fill(0));
    if (N0 <= K + 1) throw new InputError('TOO_FEW_CONTROLS', `${panel.file}: residualising on ${K} covariate(s) needs more than ${K + 1} control units`);
    const D = new Float64Array(N0 * (K + 1));
    Zc.forEach((z, a) => { D[a * (K + 1)] = 1; z.forEach((v, k) => (D[a * (K + 1) + 1 + k] = v)); });
    beta = [];
    zFit = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const col = Float64Array.from({ length: N0 }, (_, a) => X[a * T + t]!);
      const r = lstsq(D, N0, K + 1, col);
      const b = Array.from(r.beta);
      if (b.some((v) => !Number.isFinite(v))) throw new InputError('COLLINEAR_COVARIATES', `${panel.file}: the covariates ${covs.join(', ')} are collinear across the control units`);
      beta.push(b);
      for (let a = 0; a < N0; a++) { let f = b[0]!; for (let k = 0; k < K; k++) f += b[1 + k]! * Zc[a]![k]!; X[a * T + t] = X[a * T + t]! - f; }
      let f1 = b[0]!;
      for (let k = 0; k < K; k++) f1 += b[1 + k]! * z1[k]!;
      zFit[t] = f1;
      x1[t] = x1[t]! - f1;
    }
  }
  const back = (t: number, v: number) => v + m[t]! + shift1 + (zFit ? zFit[t]! : 0);
  return { X, x1, back, y1, beta };
}

/**
 * Refuses a block whose control series are all the same over the pre-period (after de-meaning and
 * covariate residualising): X₀ (centred by the control mean) is then zero, every weight vector
 * fits equally well, and the ridge/simplex refits behind the intervals have nothing to
 * identify (the conformal search ran for minutes on such a panel).
 * @throws InputError IDENTICAL_CONTROL_SERIES
 */
function requireDistinctControls(panel: Panel, X: Float64Array, N0: number, T: number, T0: number, y1: Float64Array, o: AscmOptions): void {
  let scale = 0;
  for (let t = 0; t < T; t++) scale = Math.max(scale, Math.abs(y1[t]!));
  for (let a = 0; a < N0; a++) for (let t = 0; t < T; t++) scale = Math.max(scale, Math.abs(X[a * T + t]!));
  let spread = 0;
  for (let a = 0; a < N0; a++) for (let t = 0; t < T0; t++) spread = Math.max(spread, Math.abs(X[a * T + t]!));
  if (spread <= 1e-10 * Math.max(scale, 1e-300)) {
    const how = [o.demean ? 'after removing each unit\'s pre-period mean (--ascm-demean)' : '', o.covariates?.length ? `after residualising on ${o.covariates.join(', ')}` : ''].filter((x) => x).join(' and ');
    throw new InputError('IDENTICAL_CONTROL_SERIES', `${panel.file}: all ${N0} control units have the same '${panel.outcome}' series before ${panel.periods[T0]}${how ? ` ${how}` : ''}, so no weighting of them fits the treated series better than another and the synthetic control is not identified; check that the panel holds each area's own series (the same series copied to every unit is a build error)`, { file: panel.file, controls: N0, period: panel.periods[T0] });
  }
}

/**
 * Pre-period fit against the effect (issue 21, "pre-period misfit many times the effect"): when
 * the augmented fit misses the treated pre-period series by an RMSPE larger than |ATT|, a
 * post-period gap of the effect's size is within the fit's own error.
 */
function preFitWarnings(panel: Panel, blocks: readonly BlockResult[]): Warning[] {
  const out: Warning[] = [];
  for (const b of blocks) {
    if (!(b.preRmspe > Math.abs(b.att))) continue;
    out.push({ code: 'POOR_PRE_FIT', message: `the synthetic control misses the treated series before ${panel.periods[b.start]} by ${fmtNum(b.preRmspe)} (pre-period RMSPE), ${Number.isFinite(b.preRmspe / Math.abs(b.att)) ? `${fmtNum(b.preRmspe / Math.abs(b.att))} times` : 'more than'} the estimated effect (${fmtNum(b.att)}): the effect is within the fit's own error. Check the pre-period fit in path[], use --ascm-demean (a level difference), covariates, or more control areas that resemble the treated ones` });
  }
  return out;
}

/**
 * Treated areas outside the donors' range (hotspots): the treated (mean) series' pre-period level
 * above every control's or below every control's. Ridge ASCM then extrapolates, the estimate's
 * error is several times larger, and in the Monte Carlo of docs/methods/ascm.md (treated at three
 * times their level) the jackknife+ ATT interval under-covered.
 */
function outsideRangeWarnings(panel: Panel, controls: readonly number[], blocks: readonly BlockResult[]): Warning[] {
  const T = panel.periods.length;
  const out: Warning[] = [];
  for (const b of blocks) {
    const level = (u: number) => { let m = 0; for (let t = 0; t < b.start; t++) m += panel.y[u * T + t]! / b.start; return m; };
    let lo = Infinity;
    let hi = -Infinity;
    for (const u of controls) { const v = level(u); lo = Math.min(lo, v); hi = Math.max(hi, v); }
    let y1 = 0;
    for (let t = 0; t < b.start; t++) y1 += b.observed[t]! / b.start;
    if (y1 >= lo && y1 <= hi) continue;
    out.push({ code: 'TREATED_OUTSIDE_DONOR_RANGE', message: `before ${panel.periods[b.start]} the treated ${b.treated.length > 1 ? 'areas\' mean ' : ''}level of '${panel.outcome}' (${fmtNum(y1)}) is outside the control areas' range (${fmtNum(lo)} to ${fmtNum(hi)}): the ridge step extrapolates beyond the donors (NEGATIVE_WEIGHT), the estimate is much less precise, and the jackknife+ ATT interval under-covers in this design (83.5% for a nominal 95% in the Monte Carlo of docs/methods/ascm.md; the conformal interval held its level, with mean width 16 for an effect of −4). Use --inference conformal (the default), or add control areas of the treated areas' level` });
  }
  return out;
}

const fmtNum = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x));

/** Predicted centred treated value at each period t from weights g. */
function predict(X: Float64Array, N0: number, T: number, g: Float64Array, t: number): number {
  let s = 0;
  for (let a = 0; a < N0; a++) s += g[a]! * X[a * T + t]!;
  return s;
}

/** Settings shared by every cohort's fit. */
interface AscmSettings {
  model: (typeof ASCM_MODELS)[number];
  level: number;
  alpha: number;
  inference: AscmInference;
}

/** A cohort's fitted weights (before inference): the transformed block and its ASCM fit. */
interface CohortFit {
  X: Float64Array;
  x1: Float64Array;
  y1: Float64Array;
  back: (t: number, v: number) => number;
  pre: number[];
  w: Float64Array;
  gamma: Float64Array;
  lambda: number | null;
  cv: CvResult | null;
  dPre: ReturnType<typeof svdCols> | null;
  solverOk: boolean;
}

/**
 * Fit: ŵ = simplex least squares on the pre-period X₀ (N₀×T₀) against x₁; with `ridge`,
 * λ by cross-validation (or given) and γ̂ = ŵ + X₀(X₀ᵀX₀ + λI)⁻¹(x₁ − X₀ᵀŵ) (via the SVD of X₀).
 */
function fitCohort(panel: Panel, controls: readonly number[], treated: readonly number[], T0: number, o: AscmOptions, s: AscmSettings): CohortFit {
  const T = panel.periods.length;
  const N0 = controls.length;
  const prep = prepare(panel, controls, treated, T0, o);
  const { X, x1 } = prep;
  requireDistinctControls(panel, X, N0, T, T0, prep.y1, o);
  const pre = Array.from({ length: T0 }, (_, t) => t);
  const sc = scWeights(X, N0, T, x1, pre);
  let lambda: number | null = null;
  let cv: CvResult | null = null;
  let gamma = sc.w;
  let dPre: ReturnType<typeof svdCols> | null = null;
  if (s.model === 'ridge') {
    const Xpre = new Float64Array(N0 * T0);
    for (let a = 0; a < N0; a++) for (let t = 0; t < T0; t++) Xpre[a * T0 + t] = X[a * T + t]!;
    if (o.lambda != null) lambda = o.lambda;
    else {
      if (T0 < 3) throw new InputError('TOO_FEW_PRE_PERIODS', `${panel.file}: cross-validating the ridge λ needs at least 3 pre-periods before ${panel.periods[T0]}; give --ascm-lambda`);
      cv = cvLambda(Xpre, N0, T0, x1.subarray(0, T0), o.cvRule ?? '1se');
      lambda = cv.lambda;
    }
    dPre = svdCols(X, N0, T, pre);
    gamma = ridgeWeights(X, N0, T, x1, sc.w, lambda, dPre);
  }
  return { X, x1, y1: prep.y1, back: prep.back, pre, w: sc.w, gamma, lambda, cv, dPre, solverOk: sc.converged };
}

/** Counterfactual Σγ̂_jY_jt, effect y₁t − counterfactual, the ATT (mean post effect) and the pre-period squared errors. */
function cohortPath(f: CohortFit, N0: number, T: number, T0: number): { counterfactual: Float64Array; effect: Float64Array; att: number; pre2: number; scPre2: number } {
  const { X, x1 } = f;
  const counterfactual = new Float64Array(T);
  const effect = new Float64Array(T);
  let att = 0;
  let pre2 = 0;
  let scPre2 = 0;
  for (let t = 0; t < T; t++) {
    counterfactual[t] = f.back(t, predict(X, N0, T, f.gamma, t));
    effect[t] = f.y1[t]! - counterfactual[t]!;
    if (t >= T0) att += effect[t]! / (T - T0);
    else { pre2 += effect[t]! ** 2 / T0; scPre2 += (x1[t]! - predict(X, N0, T, f.w, t)) ** 2 / T0; }
  }
  return { counterfactual, effect, att, pre2, scPre2 };
}

/**
 * The refit used by the intervals: (λ fixed) simplex ŵ then ridge γ̂ on a column (period) set
 * against a target; refits on a column set reuse its Gram matrix and SVD (they do not depend on θ).
 */
function refitter(f: CohortFit, N0: number, T: number, model: AscmSettings['model'], onNotConverged: () => void): (cols: readonly number[], target: Float64Array) => Float64Array {
  const { X } = f;
  const cache = new Map<string, { G: Float64Array; d: ReturnType<typeof svdCols> | null }>();
  return (cols, target) => {
    const key = cols.join(',');
    let c = cache.get(key);
    if (!c) {
      c = { G: gramCols(X, N0, T, cols), d: model === 'none' ? null : svdCols(X, N0, T, cols) };
      cache.set(key, c);
    }
    const w = scWeights(X, N0, T, target, cols, c.G);
    if (!w.converged) onNotConverged();
    if (model === 'none') return w.w;
    return ridgeWeights(X, N0, T, target, w.w, f.lambda!, c.d!);
  };
}

/** Infer: the requested interval, or jackknife+ (with the reason) when the conformal set is not bounded. */
function inferCohort(ctx: IntervalContext, inference: AscmInference, effect: Float64Array, att: number, pre2: number): Pick<BlockResult, 'ci' | 'attCi' | 'attP' | 'inferenceUsed' | 'conformalNote' | 'extended'> {
  let ci: ([number, number] | null)[] = new Array(ctx.T).fill(null);
  let attCi: [number, number] | null = null;
  let attP: number | null = null;
  let used: BlockResult['inferenceUsed'] = inference;
  let conformalNote: string | null = null;
  if (inference === 'jackknife+') ({ ci, attCi } = jackknifePlus(ctx));
  else if (inference === 'conformal') {
    const c = conformalIntervals(ctx, effect, att, pre2);
    ({ ci, attCi, attP } = c);
    if (attCi === null) {
      // The test inverted to no bounded set (or rejected the estimate itself): say why and give jackknife+.
      conformalNote = c.why;
      ({ ci, attCi } = jackknifePlus(ctx));
      attP = null;
      used = 'jackknife+ (conformal unbounded)';
    }
  }
  let extended = 0;
  if (used !== 'conformal') {
    // Jackknife+ is centred on the leave-out refits, not on the full fit: when they all lie on one
    // side of it the interval can miss the estimate. Extend it to the estimate (warned about).
    const reach = (x: [number, number] | null, est: number): [number, number] | null => {
      if (x === null || (x[0] <= est && est <= x[1])) return x;
      extended++;
      return [Math.min(x[0], est), Math.max(x[1], est)];
    };
    attCi = reach(attCi, att);
    ci = ci.map((x, t) => reach(x, effect[t]!));
  }
  return { ci, attCi, attP, inferenceUsed: used, conformalNote, extended };
}

/** One adoption cohort: fit → path → infer. */
function fitBlock(panel: Panel, controls: readonly number[], treated: number[], start: number, o: AscmOptions, s: AscmSettings): BlockResult {
  const T = panel.periods.length;
  const N0 = controls.length;
  const T0 = start;
  const f = fitCohort(panel, controls, treated, T0, o, s);
  const { counterfactual, effect, att, pre2, scPre2 } = cohortPath(f, N0, T, T0);
  let solverOk = f.solverOk;
  const fitWeights = refitter(f, N0, T, s.model, () => (solverOk = false));
  const ctx: IntervalContext = { X: f.X, x1: f.x1, N0, T, T0, alpha: s.alpha, pre: f.pre, fitWeights, y1: f.y1, back: f.back, seed: o.seed };
  const inf = inferCohort(ctx, s.inference, effect, att, pre2);
  return { start, treated, w: f.w, gamma: f.gamma, lambda: f.lambda, cv: f.cv, observed: f.y1, counterfactual, effect, att, ...inf, preRmspe: Math.sqrt(pre2), scPreRmspe: Math.sqrt(scPre2), solverOk };
}

/**
 * Prepare: validate the options, check the panel (balanced, ≥ 2 donors) and group the treated
 * units into adoption cohorts (one block per first treated period).
 */
function prepareAscm(panel: Panel, options: AscmOptions): { settings: AscmSettings; controls: readonly number[]; starts: number[]; byStart: Map<number, number[]> } {
  const level = options.level ?? 0.95;
  const inference = options.inference ?? 'conformal';
  const model = options.model ?? 'ridge';
  if (model === 'none' && options.lambda != null) throw new UsageError('LAMBDA_WITHOUT_RIDGE', '--ascm-lambda applies to --ascm-model ridge');
  if (options.lambda != null && !(options.lambda >= 0)) throw new UsageError('BAD_NUMBER', '--ascm-lambda must be ≥ 0');
  const design = panelDesign(panel, 2);
  const controls = design.controlUnits;
  requireBalanced(panel, 'augmented synthetic control', [...design.treatedUnits, ...controls]);
  if (controls.length < 2) throw new InputError('TOO_FEW_DONORS', `${panel.file}: augmented synthetic control needs at least 2 donor units, found ${controls.length}`);
  const byStart = new Map<number, number[]>();
  for (const u of design.treatedUnits) {
    const s = design.startIndex[u]!;
    if (!byStart.has(s)) byStart.set(s, []);
    byStart.get(s)!.push(u);
  }
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  return { settings: { model, level, alpha: 1 - level, inference }, controls, starts, byStart };
}

/** Warnings on the intervals (staggered cohorts, unbounded conformal sets, too few pre-periods), pre-period fit and solver. */
function ascmWarnings(panel: Panel, options: AscmOptions, s: AscmSettings, controls: readonly number[], starts: readonly number[], blocks: readonly BlockResult[]): Warning[] {
  const { inference, level } = s;
  const warnings: Warning[] = [];
  if (starts.length > 1 && inference !== 'none') warnings.push({ code: 'STAGGERED_INFERENCE_PER_COHORT', message: `treated units start in ${starts.length} different periods; ${inference} intervals are computed per cohort (in cohorts[]) and there is no interval for the aggregate ATT` });
  for (const b of blocks) {
    if (inference === 'jackknife+' && b.attCi === null) warnings.push({ code: 'NO_INTERVAL', message: `no jackknife+ interval for the cohort starting ${panel.periods[b.start]}: with ${b.start} pre-periods the ${100 * level}% interval needs at least ${Math.ceil(1 / (1 - level)) - 1}; use a longer pre-period, a lower --level, or --inference conformal` });
    if (b.inferenceUsed === 'conformal' && b.ci.every((x) => x === null)) warnings.push({ code: 'NO_PERIOD_INTERVALS', message: `no per-period conformal intervals for the cohort starting ${panel.periods[b.start]}: with ${panel.periods.length} periods the smallest p-value of the moving-block permutation test is 1/${panel.periods.length} = ${fmtNum(1 / panel.periods.length)}, above α = ${fmtNum(1 - level)}, so no single period's effect can be rejected (the ATT's interval uses i.i.d. permutations and is unaffected). For per-period intervals use a panel of more than ${Math.ceil(1 / (1 - level) - 1e-9)} periods, or --inference jackknife+ with at least ${Math.ceil(1 / (1 - level) - 1e-9) - 1} pre-periods` });
    const N0 = b.gamma.length;
    const T = panel.periods.length;
    if (b.inferenceUsed === 'conformal' && N0 >= T) warnings.push({ code: 'CONFORMAL_LOW_POWER', message: `the conformal refit for the cohort starting ${panel.periods[b.start]} has ${N0} control units for ${T} fitted periods, so under each hypothesis it absorbs much of a shift of the post periods and the ATT interval is wide (the test has little power, though it stays valid). --inference jackknife+ does not refit on the post periods; --ascm-model none or a larger --ascm-lambda constrains the refit` });
    if (b.extended > 0) warnings.push({ code: 'INTERVAL_EXTENDED_TO_ESTIMATE', message: `${b.extended} jackknife+ interval(s) for the cohort starting ${panel.periods[b.start]} did not contain their estimate (the leave-out refits' counterfactuals all lie on one side of the full fit's, a sign that the fit depends on which pre-periods it sees) and were extended to it; treat them with caution, and check the pre-period fit (POOR_PRE_FIT, path[]) or compare with --inference conformal` });
    if (b.conformalNote === null) continue;
    const T0 = b.start;
    const jk = b.attCi !== null
      ? 'the jackknife+ interval is reported instead (estimate.inference says so) and there is no p-value'
      : `jackknife+ cannot replace it either: with ${T0} pre-periods its ${100 * level}% interval needs at least ${Math.ceil(1 / (1 - level)) - 1} (--level ${level}); no interval is reported. Use a longer pre-period, a lower --level, or another method (scm --method sdid or gsynth)`;
    warnings.push({ code: 'CONFORMAL_UNBOUNDED', message: `the conformal interval for the cohort starting ${panel.periods[b.start]} is not a bounded interval (${b.conformalNote}); ${jk}` });
  }
  warnings.push(...preFitWarnings(panel, blocks));
  if (!options.demean) warnings.push(...outsideRangeWarnings(panel, controls, blocks));
  if (blocks.some((b) => !b.solverOk)) warnings.push({ code: 'NOT_CONVERGED', message: 'a simplex weight problem stopped at its iteration limit' });
  return warnings;
}

/** Calendar path: cohorts already treated at t (weights = treated units), all cohorts before the first start; and the cumulative effect. */
function calendarPath(panel: Panel, blocks: readonly BlockResult[], first: number): { path: PathPoint[]; cum: number } {
  const T = panel.periods.length;
  const single = blocks.length === 1 ? blocks[0]! : null;
  const path: PathPoint[] = [];
  let cum = 0;
  for (let t = 0; t < T; t++) {
    let ws = 0;
    let eff = 0;
    let obs = 0;
    let cf = 0;
    for (const b of blocks) {
      if (t >= first && t < b.start) continue;
      const w = b.treated.length;
      ws += w;
      eff += w * b.effect[t]!;
      obs += w * b.observed[t]!;
      cf += w * b.counterfactual[t]!;
    }
    const post = t >= first;
    if (post) cum += eff / ws;
    path.push({ period: panel.periods[t]!, observed: obs / ws, counterfactual: cf / ws, effect: eff / ws, ci: single && post ? single.ci[t] ?? null : null, cumulative: post ? cum : null, cumulativeCi: null });
  }
  return { path, cum };
}

/** Per treated unit: the cohort's augmented weights γ̂ and SC weights ŵ (and the unit's path when it is alone in its cohort). */
function unitResults(panel: Panel, controls: readonly number[], blocks: readonly BlockResult[]): UnitResult[] {
  const units: UnitResult[] = [];
  for (const b of blocks) {
    const weights: Record<string, number> = {};
    controls.forEach((u, a) => (weights[panel.units[u]!] = b.gamma[a]!));
    const scw: Record<string, number> = {};
    controls.forEach((u, a) => (scw[panel.units[u]!] = b.w[a]!));
    for (const u of b.treated) {
      // Unit-level counterfactual: the cohort's counterfactual (fitted to the cohort mean).
      units.push({ unit: panel.units[u]!, att: b.treated.length === 1 ? b.att : null, cohortAtt: b.att, preRmspe: b.treated.length === 1 ? b.preRmspe : null, weights, scWeights: scw, start: panel.periods[b.start]!, path: b.treated.length === 1 ? unitPath(panel.periods, b.observed, b.counterfactual) : undefined });
    }
  }
  units.sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
  return units;
}

type CohortRow = { start: string; treatedUnits: string[]; att: number; weight: number; ci: [number, number] | null; pValue: number | null; inference: BlockResult['inferenceUsed']; lambda: number | null; preRmspe: number; scPreRmspe: number };

/** PRE_RMSPE, RIDGE_LAMBDA (with the CV table) and NEGATIVE_WEIGHT. */
function ascmDiagnostics(options: AscmOptions, model: AscmSettings['model'], blocks: readonly BlockResult[], cohorts: readonly CohortRow[]): Diagnostic[] {
  const single = blocks.length === 1 ? blocks[0]! : null;
  const diagnostics: Diagnostic[] = [];
  diagnostics.push({ code: 'PRE_RMSPE', passed: null, value: single ? single.preRmspe : null, message: 'pre-period RMSPE of the augmented fit to the treated (mean) series, and of the plain SC weights (per cohort)', table: cohorts.map((c) => ({ start: c.start, preRmspe: c.preRmspe, scPreRmspe: c.scPreRmspe })) });
  if (model === 'ridge') {
    diagnostics.push({ code: 'RIDGE_LAMBDA', passed: null, value: single ? single.lambda : null, message: options.lambda != null ? 'ridge λ given by --ascm-lambda' : `ridge λ by leave-one-pre-period-out cross-validation (${options.cvRule ?? '1se'} rule); table: candidates with mean squared error and its SE (first cohort)`, table: blocks[0]!.cv ? blocks[0]!.cv.lambdas.map((l, k) => ({ lambda: l, error: blocks[0]!.cv!.errors[k], se: blocks[0]!.cv!.se[k] })) : [] });
    const neg = blocks.map((b) => b.gamma.reduce((s, v) => s + (v < 0 ? -v : 0), 0));
    diagnostics.push({ code: 'NEGATIVE_WEIGHT', passed: null, value: Math.max(...neg), message: 'total negative weight Σ max(0, −γ_j) of the augmented weights (extrapolation beyond the donors\' convex hull)' });
  }
  return diagnostics;
}

/**
 * Augmented synthetic control.
 * @throws InputError (unbalanced panel, too few periods/controls), UsageError.
 */
export function ascm(panel: Panel, options: AscmOptions): Analysis {
  const { settings, controls, starts, byStart } = prepareAscm(panel, options);
  const blocks = starts.map((s) => fitBlock(panel, controls, byStart.get(s)!, s, options, settings));
  const warnings = ascmWarnings(panel, options, settings, controls, starts, blocks);
  return assembleAscm(panel, options, settings, controls, starts, blocks, warnings);
}

/** Assemble: the ATT aggregated over cohorts (weights ∝ treated unit-periods), path, units, cohorts, diagnostics and options. */
function assembleAscm(panel: Panel, options: AscmOptions, s: AscmSettings, controls: readonly number[], starts: readonly number[], blocks: readonly BlockResult[], warnings: Warning[]): Analysis {
  const { level, inference, model } = s;
  const T = panel.periods.length;
  const wts = blocks.map((b) => b.treated.length * (T - b.start));
  const tot = wts.reduce((a, b) => a + b, 0);
  const att = blocks.reduce((a, b, q) => a + (wts[q]! / tot) * b.att, 0);
  const single = blocks.length === 1 ? blocks[0]! : null;
  const first = starts[0]!;
  const { path, cum } = calendarPath(panel, blocks, first);
  const units = unitResults(panel, controls, blocks);
  const cohorts: CohortRow[] = blocks.map((b, q) => ({ start: panel.periods[b.start]!, treatedUnits: b.treated.map((u) => panel.units[u]!), att: b.att, weight: wts[q]! / tot, ci: b.attCi, pValue: b.attP, inference: b.inferenceUsed, lambda: b.lambda, preRmspe: b.preRmspe, scPreRmspe: b.scPreRmspe }));
  const diagnostics = ascmDiagnostics(options, model, blocks, cohorts);
  const firstCi = single?.attCi ?? null;
  return {
    method: 'ascm',
    options: {
      model,
      lambda: options.lambda ?? null,
      cvRule: model === 'ridge' && options.lambda == null ? options.cvRule ?? '1se' : null,
      demean: !!options.demean,
      covariates: options.covariates?.length ? [...options.covariates] : null,
      covariateMethod: options.covariates?.length ? 'residualised on pre-period means' : null,
      inference,
      level,
      seed: options.seed,
      controls: controls.map((u) => panel.units[u]!),
    },
    estimate: {
      att,
      se: null,
      ci: firstCi,
      level,
      pValue: inference === 'conformal' && single ? single.attP : null,
      inference: single ? single.inferenceUsed : inference,
      cumulative: { value: cum, ci: firstCi ? [firstCi[0] * (T - first), firstCi[1] * (T - first)] : null },
    },
    path,
    units,
    diagnostics,
    warnings,
    cohorts,
  };
}
