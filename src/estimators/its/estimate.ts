/**
 * Interrupted time series: panel + options → {@link Analysis}.
 *
 * The analysed series is one unit (`series`) or the mean/sum of several units
 * (`units`, default the panel's treated units). A segmented regression (see
 * design.ts) is fitted with
 *   - family gaussian: OLS, OLS with Newey–West HAC variance, or ARMA(p, q) errors by exact ML (arma.ts);
 *   - family poisson / quasipoisson: log-linear GLM with optional log-population offset by IRLS (glm.ts),
 *     quasi-Poisson dispersion φ̂ = Pearson χ²/(n − k).
 * The counterfactual is the fitted model with the intervention (level/slope) terms switched off;
 * its pointwise, average and cumulative intervals are delta-method Wald intervals
 * (on the response scale for count models).
 *
 * References: Lopez Bernal, Cummins & Gasparrini (2017, IJE 46:348); Linden (2015, Stata J 15:480);
 * Newey & West (1987, Econometrica 55:703); Brockwell & Davis (2016) §6.6.
 */
import { EstimationError, InputError, UsageError } from '../../core/errors.js';
import { lstsq, xtxInverse } from '../../core/linalg.js';
import { jacobiSvd } from '../../core/jacobiSvd.js';
import { parsePeriodArg, parsePeriodRange, ordinalLabel } from '../../core/periods.js';
import { requireBalanced, treatmentStarts, unitIndexOf, type Panel } from '../../core/panel.js';
import { requireOutcomeVariation } from '../../core/degenerate.js';
import type { Analysis, Diagnostic, PathPoint, UnitResult, Warning } from '../../core/result.js';
import type { Fit, ItsCoefficient } from './fit.js';
import { pValueNormal, pValueT, qnorm, qt } from '../../core/stats.js';
import { fitArmaRegression, type ArmaFit } from './arma.js';
import { armaParameterRows, fitIntegrated } from './arima.js';
import { buildDesign, type Design, type DesignSpec, type SeriesData } from './design.js';
import { durbinWatson, ljungBox } from './diagnostics.js';
import { fitPoisson } from './glm.js';
import { defaultNeweyWestLag, neweyWestVcov } from './hac.js';
import { errorsLabel, isIntegrated, parseErrors, parseSeasonality, seasonalityLabel, type ErrorModel, type ItsAggregate, type ItsControlModel, type ItsFamily, type ItsOptions, type Seasonality } from './spec.js';
import { itsChecks, preSeriesAdf } from './checks.js';
import { selectErrors, selectionDiagnostic, type ErrorSelection } from './selectErrors.js';

export const DEFAULT_ITS_MAX_ITER = 200;
export const DEFAULT_ITS_TOL = 1e-10;

export type { Fit, ItsCoefficient } from './fit.js';

/** Resolve the units making up a series and combine them (mean or sum). */
function combine(panel: Panel, idx: readonly number[], how: ItsAggregate, needOffset: boolean): SeriesData {
  const T = panel.periods.length;
  const y = new Float64Array(T);
  const pop = needOffset ? new Float64Array(T) : null;
  const cov = panel.covariateNames.map(() => new Float64Array(T));
  for (const i of idx) {
    for (let t = 0; t < T; t++) {
      y[t] = y[t]! + panel.y[i * T + t]!;
      if (pop) {
        const v = panel.population![i * T + t]!;
        if (Number.isNaN(v)) {
          throw new InputError('MISSING_CELL', `${panel.file}: unit '${panel.units[i]}', period ${panel.periods[t]}: the offset column '${panel.populationColumn}' is empty; a count model with --offset needs it in every period`, { file: panel.file, unit: panel.units[i], period: panel.periods[t], column: panel.populationColumn });
        }
        pop[t] = pop[t]! + v;
      }
      panel.covariateNames.forEach((c, j) => {
        const v = panel.covariates[c]![i * T + t]!;
        if (Number.isNaN(v)) {
          throw new InputError('MISSING_CELL', `${panel.file}: unit '${panel.units[i]}', period ${panel.periods[t]}: covariate '${c}' is empty; ITS needs covariates in every period (fill it or drop it from --covariates)`, { file: panel.file, unit: panel.units[i], period: panel.periods[t], column: c });
        }
        cov[j]![t] = cov[j]![t]! + v;
      });
    }
  }
  const m = idx.length;
  if (how === 'mean') {
    for (let t = 0; t < T; t++) {
      y[t] = y[t]! / m;
      if (pop) pop[t] = pop[t]! / m;
    }
  }
  // Covariates are always averaged (they are rates or levels, not totals).
  for (const c of cov) for (let t = 0; t < T; t++) c[t] = c[t]! / m;
  return { y, offset: pop ? pop.map((v) => Math.log(v)) : null, covariates: cov };
}

/** Quadratic form gᵀVg. */
function quad(g: ArrayLike<number>, V: Float64Array, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) {
    let r = 0;
    for (let j = 0; j < k; j++) r += V[i * k + j]! * g[j]!;
    s += g[i]! * r;
  }
  return s;
}

/** Options resolved and checked against each other (no data needed). */
interface ItsSettings {
  level: number;
  family: ItsFamily;
  count: boolean;
  aggregate: ItsAggregate;
  slope: boolean;
  maxIter: number;
  tol: number;
  seasonality: Seasonality;
  errors: ErrorModel;
  useOffset: boolean;
  armaMethod: 'ml' | 'reml';
  controlModel: ItsControlModel;
}

/** @throws UsageError for options that contradict each other */
function resolveSettings(panel: Panel, options: ItsOptions): ItsSettings {
  const family: ItsFamily = options.family ?? 'gaussian';
  const count = family !== 'gaussian';
  const given: ErrorModel = typeof options.errors === 'string' ? parseErrors(options.errors) : (options.errors ?? { type: 'auto' });
  // `auto` (the default) chooses among the Gaussian error models; a count model has one variance, the GLM's.
  const errors: ErrorModel = count && given.type === 'auto' ? { type: 'ols' } : given;
  if (count && errors.type !== 'ols') {
    throw new UsageError('ERRORS_NOT_FOR_FAMILY', `--errors ${errorsLabel(errors)} applies to --family gaussian; count models (${family}) use the GLM variance (quasipoisson scales it by the dispersion)`, { family, errors: errorsLabel(errors) });
  }
  const useOffset = options.offset ?? false;
  if (useOffset && !count) throw new UsageError('OFFSET_NOT_FOR_FAMILY', '--offset applies to count models (--family poisson or quasipoisson); for a Gaussian model analyse a rate column instead', { family });
  if (useOffset && panel.population === null) throw new UsageError('MISSING_OFFSET_COLUMN', 'the offset needs a population column in the panel (--offset <col>)', {});
  const armaMethod = options.armaMethod ?? 'reml';
  if (armaMethod !== 'reml' && !['arma', 'arima', 'local-level', 'auto'].includes(errors.type)) throw new UsageError('ARMA_METHOD_WITHOUT_ARMA', `--arma-method ${armaMethod} applies to --errors ar:p, arma:p,q, arima:p,1,q, local-level or auto`, {});
  const controlModel: ItsControlModel = options.controlModel ?? 'stacked';
  if (options.controlModel !== undefined && options.control === undefined) throw new UsageError('CONTROL_MODEL_WITHOUT_CONTROL', '--control-model applies to a controlled ITS: add --control (every never-treated unit) or --control a,b', { flag: '--control-model' });
  if (controlModel === 'difference' && count) throw new UsageError('CONTROL_MODEL_NOT_FOR_FAMILY', `--control-model difference analyses treated − comparison, which is not a count; use --family gaussian on a rate, or --control-model stacked with --family ${family}`, { flag: '--control-model', family });
  return {
    level: options.level ?? 0.95,
    family,
    count,
    aggregate: options.aggregate ?? 'mean',
    slope: options.slope ?? true,
    maxIter: options.maxIter ?? DEFAULT_ITS_MAX_ITER,
    tol: options.tol ?? DEFAULT_ITS_TOL,
    seasonality: typeof options.seasonality === 'string' ? parseSeasonality(options.seasonality) : (options.seasonality ?? { type: 'none' }),
    errors,
    useOffset,
    armaMethod,
    controlModel,
  };
}

interface SeriesChoice {
  starts: Int32Array;
  unitIdx: number[];
  unitsFrom: string;
  controlIdx: number[] | null;
}

/** Which units form the analysed series and the comparison series. @throws UsageError, InputError */
function chooseUnits(panel: Panel, options: ItsOptions): SeriesChoice {
  const starts = treatmentStarts(panel);
  const treatedOf = (st: Int32Array): number[] => Array.from(st.keys()).filter((i) => st[i]! >= 0);
  if (options.series !== undefined && options.units !== undefined) throw new UsageError('CONFLICTING_SERIES', 'give either --series <unit> or --units <a,b,...>, not both', {});
  let unitIdx: number[];
  let unitsFrom: string;
  if (options.series !== undefined) {
    unitIdx = [unitIndexOf(panel, options.series, '--series')];
    unitsFrom = 'series';
  } else if (options.units !== undefined) {
    unitIdx = [...new Set(options.units.map((u) => unitIndexOf(panel, u, '--units')))].sort((a, b) => a - b);
    unitsFrom = 'units';
  } else if (panel.units.length === 1) {
    unitIdx = [0];
    unitsFrom = 'only-unit';
  } else {
    unitIdx = treatedOf(starts);
    unitsFrom = 'treated';
    if (unitIdx.length === 0) throw new InputError('NO_TREATED_UNITS', `${panel.file}: no unit is treated, so there is no series to analyse; name one with --series <unit> or several with --units <a,b,...>`, { file: panel.file });
  }
  let controlIdx: number[] | null = null;
  if (options.control !== undefined) {
    const treatedSet = new Set(treatedOf(starts));
    const requested = options.control.length === 0 ? panel.units.map((_, i) => i).filter((i) => !treatedSet.has(i)) : options.control.map((u) => unitIndexOf(panel, u, '--control'));
    controlIdx = [...new Set(requested)].sort((a, b) => a - b);
    const analysed = new Set(unitIdx);
    for (const i of controlIdx) {
      if (analysed.has(i)) throw new UsageError('CONTROL_IS_ANALYSED', `--control names '${panel.units[i]}', which is also in the analysed series; comparison units must be different units`, { unit: panel.units[i] });
    }
    if (controlIdx.length === 0) throw new InputError('NO_CONTROL_UNITS', `${panel.file}: --control without units uses the never-treated units, but there are none; name comparison units with --control a,b`, { file: panel.file });
  }
  requireBalanced(panel, 'interrupted time series', controlIdx ? [...unitIdx, ...controlIdx] : unitIdx);
  // A constant (e.g. all-zero) analysed or comparison series has nothing to estimate from (issue 15).
  requireOutcomeVariation(panel, [{ name: 'the analysed series', units: unitIdx }, ...(controlIdx ? [{ name: 'the comparison series', units: controlIdx }] : [])], 'its');
  return { starts, unitIdx, unitsFrom, controlIdx };
}

/** Interruption indices (sorted, distinct) and shock dummies. @throws InputError, UsageError */
function resolveTiming(panel: Panel, options: ItsOptions, choice: SeriesChoice): { interruptions: number[]; dummies: DesignSpec['dummies'] } {
  const T = panel.periods.length;
  let interruptions: number[];
  if (options.interruptions !== undefined && options.interruptions.length > 0) {
    interruptions = options.interruptions.map((p) => {
      const ord = parsePeriodArg(p, panel.frequency, '--interruption');
      const t = Math.round((ord - panel.ordinals[0]!) / panel.step);
      if (t < 0 || t >= T || panel.ordinals[t] !== ord) throw new InputError('PERIOD_OUT_OF_RANGE', `--interruption ${p} is not one of the panel's periods (${panel.periods[0]} … ${panel.periods[T - 1]})`, { flag: '--interruption', value: p });
      return t;
    });
  } else {
    interruptions = choice.unitIdx.map((i) => choice.starts[i]!).filter((t) => t >= 0);
    if (interruptions.length === 0) {
      throw new InputError('NO_INTERRUPTION', `the analysed series has no treatment start in ${panel.file}; give the interruption period(s) with --interruption <period> (e.g. --interruption 2019-04)`, { file: panel.file });
    }
  }
  interruptions = [...new Set(interruptions)].sort((a, b) => a - b);
  const t1 = interruptions[0]!;
  if (t1 < 2) throw new InputError('TOO_FEW_PRE_PERIODS', `the first interruption ${panel.periods[t1]} leaves ${t1} pre-interruption period(s); at least 2 are needed to fit a pre-interruption level and trend`, { period: panel.periods[t1], preperiods: t1 });
  const dummies = (options.dummies ?? []).map((spec) => {
    const [a, b] = parsePeriodRange(spec, panel.frequency, '--dummy');
    const from = Math.round((a - panel.ordinals[0]!) / panel.step);
    const to = Math.round((b - panel.ordinals[0]!) / panel.step);
    if (to < 0 || from >= T) throw new InputError('PERIOD_OUT_OF_RANGE', `--dummy ${spec} lies outside the panel's periods (${panel.periods[0]} … ${panel.periods[T - 1]})`, { flag: '--dummy', value: spec });
    return { from: Math.max(0, from), to: Math.min(T - 1, to), name: `dummy:${ordinalLabel(a, panel.frequency)}:${ordinalLabel(b, panel.frequency)}` };
  });
  const dupDummy = dummies.find((d, i) => dummies.findIndex((e) => e.name === d.name) !== i);
  if (dupDummy) throw new UsageError('DUPLICATE_DUMMY', `--dummy ${dupDummy.name.slice(6)} is given twice`, {});
  return { interruptions, dummies };
}

/**
 * The series and design. Stacked (Linden 2015): treated and comparison series as two segments.
 * Difference: one series, treated − comparison, so a trend both share (e.g. a random-walk
 * common factor) cancels before the segmented regression; the comparison series is kept to
 * put the path back on the treated series' scale.
 */
function seriesAndDesign(panel: Panel, s: ItsSettings, choice: SeriesChoice, timing: { interruptions: number[]; dummies: DesignSpec['dummies'] }): { design: Design; controlSeries: SeriesData | null; shift: Float64Array | null } {
  const spec: DesignSpec = { ordinals: panel.ordinals, frequency: panel.frequency, interruptions: timing.interruptions, slope: s.slope, dummies: timing.dummies, seasonality: s.seasonality, covariateNames: panel.covariateNames };
  const treatedSeries = combine(panel, choice.unitIdx, s.aggregate, s.useOffset);
  const controlSeries = choice.controlIdx ? combine(panel, choice.controlIdx, s.aggregate, s.useOffset) : null;
  let design: Design;
  let shift: Float64Array | null = null;
  if (controlSeries && s.controlModel === 'difference') {
    const diff: SeriesData = {
      y: treatedSeries.y.map((v, t) => v - controlSeries.y[t]!),
      offset: null,
      covariates: treatedSeries.covariates.map((c, j) => c.map((v, t) => v - controlSeries.covariates[j]![t]!)),
    };
    design = buildDesign(spec, diff, null);
    shift = controlSeries.y;
  } else design = buildDesign(spec, treatedSeries, controlSeries);
  if (design.n <= design.k) throw new EstimationError('TOO_FEW_OBSERVATIONS', `${design.n} observations for ${design.k} terms (${design.names.join(', ')}); shorten the model (fewer seasonal terms, --no-slope) or use a longer series`, { n: design.n, k: design.k });
  return { design, controlSeries, shift };
}

/** Coefficient rows (estimate, SE, t/normal interval, p; rate ratios for count models). */
function coefficientRows(design: Design, fit: Fit, crit: number, pval: (z: number) => number, count: boolean): ItsCoefficient[] {
  const { names, k } = design;
  const dropped = new Set(fit.integrated?.dropped ?? []); // not identified from the differences (arima.ts)
  const rows: ItsCoefficient[] = names.flatMap((term, j) => {
    if (dropped.has(term)) return [];
    const est = fit.beta[j]!;
    const se = Math.sqrt(fit.vcov[j * k + j]!);
    const ci: [number, number] = [est - crit * se, est + crit * se];
    const row: ItsCoefficient = { term, estimate: est, se, ci, pValue: pval(est / se) };
    if (count) {
      row.rateRatio = Math.exp(est);
      row.rateRatioCi = [Math.exp(ci[0]), Math.exp(ci[1])];
    }
    return [row];
  });
  return [...rows, ...fit.extraCoefficients];
}

/**
 * Path (fitted, counterfactual with the intervention terms off, delta-method intervals) and
 * the post-period ATT, cumulative and relative effects. `shift` (difference model) adds the
 * comparison series back so observed and counterfactual are the treated series' own.
 */
function pathAndEstimate(panel: Panel, design: Design, fit: Fit, t1: number, crit: number, pval: (z: number) => number, ctx: { count: boolean; level: number; controlSeries: SeriesData | null; shift: Float64Array | null; nUnits: number; aggregate: ItsAggregate }): { path: PathPoint[]; estimate: NonNullable<Analysis['estimate']>; preRmspe: number } {
  const T = panel.periods.length;
  const { X, k } = design;
  const { beta, vcov } = fit;
  const path: PathPoint[] = [];
  const postG = new Float64Array(k);
  let postObs = 0;
  let postCf = 0;
  let preSs = 0;
  for (let t = 0; t < T; t++) {
    let eta = design.offset ? design.offset[t]! : 0;
    let eta0 = eta;
    const x0 = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const x = X[t * k + j]!;
      eta += x * beta[j]!;
      x0[j] = design.intervention[j] ? 0 : x;
      eta0 += x0[j]! * beta[j]!;
    }
    const add = ctx.shift ? ctx.shift[t]! : 0;
    const obs = design.y[t]! + add;
    let fitted: number | null = (ctx.count ? Math.exp(eta) : eta) + add;
    let cf = (ctx.count ? Math.exp(eta0) : eta0) + add;
    let g = ctx.count ? x0.map((v) => v * cf) : x0; // ∂ counterfactual / ∂β (up to sign: only gᵀVg is used)
    if (fit.integrated) {
      // Integrated errors (arima.ts): the level is not a parameter; effect = x^intᵀβ, counterfactual = observed − effect.
      g = X.slice(t * k, (t + 1) * k).map((v, j) => (design.intervention[j] ? v : 0));
      cf = obs - g.reduce((a, v, j) => a + v * beta[j]!, 0);
      const f = fit.integrated.fitted[t];
      fitted = f === null || f === undefined ? null : f + add;
    } else if (fit.effectFromTerms && t >= t1) {
      // GLS (ARMA errors): residuals are orthogonal to the level column only in the Ω⁻¹ metric, so
      // observed − x⁰ᵀβ̂ would add the post-period mean residual (noise the interval does not carry) to
      // the effect. The effect is the intervention terms', as with OLS where the two coincide.
      g = X.slice(t * k, (t + 1) * k).map((v, j) => (design.intervention[j] ? v : 0));
      cf = obs - g.reduce((a, v, j) => a + v * beta[j]!, 0);
    }
    const seCf = Math.sqrt(Math.max(0, quad(g, vcov, k)));
    const cfCi: [number, number] = [cf - crit * seCf, cf + crit * seCf];
    const effect = obs - cf;
    const point: PathPoint = { period: panel.periods[t]!, observed: obs, counterfactual: cf, effect, ci: [obs - cfCi[1], obs - cfCi[0]], cumulative: null, cumulativeCi: null, fitted, counterfactualCi: cfCi };
    if (ctx.controlSeries) point.control = ctx.controlSeries.y[t]!;
    if (t >= t1) {
      for (let j = 0; j < k; j++) postG[j] = postG[j]! + g[j]!;
      postObs += obs;
      postCf += cf;
      const seCum = Math.sqrt(Math.max(0, quad(postG, vcov, k)));
      point.cumulative = postObs - postCf;
      point.cumulativeCi = [postObs - postCf - crit * seCum, postObs - postCf + crit * seCum];
    } else if (!fit.integrated) preSs += effect * effect;
    else if (fitted !== null) preSs += (obs - fitted) ** 2; // one-step prediction errors (the counterfactual is the observed series before t₁)
    path.push(point);
  }
  const nPost = T - t1;
  const att = (postObs - postCf) / nPost;
  const attSe = Math.sqrt(Math.max(0, quad(postG.map((v) => v / nPost), vcov, k)));
  const cumSe = Math.sqrt(Math.max(0, quad(postG, vcov, k)));
  const relSe = (postObs / (postCf * postCf)) * cumSe;
  const estimate: NonNullable<Analysis['estimate']> = {
    att,
    se: attSe,
    ci: [att - crit * attSe, att + crit * attSe],
    level: ctx.level,
    pValue: pval(att / attSe),
    inference: fit.inference,
    cumulative: { value: postObs - postCf, ci: [postObs - postCf - crit * cumSe, postObs - postCf + crit * cumSe] },
    postPeriods: nPost,
    scale: ctx.nUnits === 1 ? 'series' : ctx.aggregate,
    relative: { value: postObs / postCf - 1, ci: [postObs / postCf - 1 - crit * relSe, postObs / postCf - 1 + crit * relSe] },
  };
  if (ctx.aggregate === 'sum' && ctx.nUnits > 1) estimate.perUnit = { att: att / ctx.nUnits, ci: [(att - crit * attSe) / ctx.nUnits, (att + crit * attSe) / ctx.nUnits] };
  return { path, estimate, preRmspe: Math.sqrt(preSs / t1) };
}

/** Durbin–Watson and Ljung–Box on the model's residuals (diagnostics; failures become warnings in itsChecks.ts). */
function residualDiagnostics(design: Design, fit: Fit, s: ItsSettings, T: number): Diagnostic[] {
  const e = fit.diagResiduals;
  const segments = fit.integrated?.segments ?? design.segments;
  const dw = durbinWatson(e, segments);
  const out: Diagnostic[] = [{
    code: 'DURBIN_WATSON',
    passed: null,
    value: dw,
    message: `Durbin–Watson statistic ${dw.toFixed(3)} on the ${fit.diagResidualsKind} (2 = no lag-1 autocorrelation; well below 2 suggests positive autocorrelation${s.errors.type === 'ols' && !s.count ? ': consider --errors ar:1 or newey-west' : ''})`,
  }];
  for (const h of [12, 24]) {
    const lb = ljungBox(e, h, fit.fitdf, segments);
    out.push(
      lb === null
        ? { code: `LJUNG_BOX_${h}`, passed: null, value: null, message: `Ljung–Box test at lag ${h} not computed: the series is too short (${T} periods) for ${h} lags${fit.fitdf ? ` and ${fit.fitdf} ARMA parameters` : ''}` }
        : { code: `LJUNG_BOX_${h}`, passed: lb.pValue >= 0.05, value: lb.pValue, message: `Ljung–Box Q(${h}) = ${lb.statistic.toFixed(3)} on ${lb.df} df, p = ${lb.pValue.toPrecision(3)}, on the ${fit.diagResidualsKind}${lb.pValue < 0.05 ? ': residual autocorrelation remains (p < 0.05)' : ''}` },
    );
  }
  return [...out, ...fit.diagnostics];
}

/** The document's `options`: every option as resolved. */
function resolvedOptions(panel: Panel, options: ItsOptions, s: ItsSettings, choice: SeriesChoice, timing: { interruptions: number[]; dummies: DesignSpec['dummies'] }, fit: Fit): Record<string, unknown> {
  const resolved: Record<string, unknown> = {
    series: options.series ?? null,
    units: choice.unitIdx.map((i) => panel.units[i]!),
    unitsFrom: choice.unitsFrom,
    aggregate: s.aggregate,
    interruptions: timing.interruptions.map((t) => panel.periods[t]!),
    slope: s.slope,
    dummies: timing.dummies.map((d) => d.name.slice('dummy:'.length)),
    seasonality: seasonalityLabel(s.seasonality),
    family: s.family,
    offset: s.useOffset ? panel.populationColumn : null,
    errors: errorsLabel(s.errors),
    control: choice.controlIdx ? choice.controlIdx.map((i) => panel.units[i]!) : null,
    controlModel: choice.controlIdx ? s.controlModel : null,
    covariates: [...panel.covariateNames],
    level: s.level,
    maxIter: s.maxIter,
    tol: s.tol,
    seed: options.seed ?? null,
  };
  if (s.errors.type === 'newey-west') resolved.neweyWestLag = fit.details.neweyWestLag;
  if (s.errors.type !== 'ols' && s.errors.type !== 'newey-west') resolved.armaMethod = s.armaMethod;
  return resolved;
}

/**
 * Estimate an interrupted time series: settings → series → design → fit → coefficients,
 * path and effects → diagnostics and the warnings they call for → document.
 * @throws UsageError for inconsistent options; InputError for unusable data; EstimationError when the model cannot be fitted.
 */
export function estimateIts(panel: Panel, options: ItsOptions = {}): Analysis {
  const T = panel.periods.length;
  const s = resolveSettings(panel, options);
  const choice = chooseUnits(panel, options);
  const timing = resolveTiming(panel, options, choice);
  const t1 = timing.interruptions[0]!;
  const { design, controlSeries, shift } = seriesAndDesign(panel, s, choice, timing);
  const { fit, errors, selection } = fitModel(panel, design, s, t1);
  const crit = Number.isFinite(fit.df) ? qt(0.5 + s.level / 2, fit.df) : qnorm(0.5 + s.level / 2);
  const pval = (z: number) => (Number.isFinite(fit.df) ? pValueT(z, fit.df) : pValueNormal(z));
  const coefficients = coefficientRows(design, fit, crit, pval, s.count);
  const nUnits = choice.unitIdx.length;
  const { path, estimate, preRmspe } = pathAndEstimate(panel, design, fit, t1, crit, pval, { count: s.count, level: s.level, controlSeries, shift, nUnits, aggregate: s.aggregate });
  const units: UnitResult[] = choice.unitIdx.map((i) => ({ unit: panel.units[i]!, att: nUnits === 1 ? estimate.att : null, preRmspe: nUnits === 1 ? preRmspe : null, weights: null, start: choice.starts[i]! >= 0 ? panel.periods[choice.starts[i]!]! : null }));
  const diagnostics = [...(selection ? [selectionDiagnostic(selection)] : []), ...residualDiagnostics(design, fit, { ...s, errors }, T)];
  const checks = itsChecks({ panel, design, fit, t1, diagnostics, errors, count: s.count, controlled: choice.controlIdx !== null, controlModel: s.controlModel, seasonality: s.seasonality });
  diagnostics.push(...checks.diagnostics);
  const warnings: Warning[] = [...fit.warnings, ...checks.warnings];
  const interruptionLabels = timing.interruptions.map((t) => panel.periods[t]!);
  return {
    method: 'its',
    options: { ...resolvedOptions(panel, options, s, choice, timing, fit), ...(selection ? { errorsChosen: errorsLabel(errors) } : {}) },
    estimate,
    path,
    units,
    diagnostics,
    warnings,
    coefficients,
    details: {
      family: s.family,
      link: s.count ? 'log' : 'identity',
      n: design.n,
      terms: design.k,
      dfResidual: design.n - design.k,
      timeCentredAt: panel.periods[t1],
      interruptions: interruptionLabels,
      interventionTerms: design.names.filter((_, j) => design.intervention[j]),
      controlUnits: choice.controlIdx ? choice.controlIdx.map((i) => panel.units[i]!) : null,
      conditionNumber: designConditionNumber(design),
      ...fit.details,
      ...(selection ? { errorSelection: { chosen: errorsLabel(errors), reason: selection.reason, adf: selection.adf, candidates: selection.candidates } } : {}),
    },
  };
}

/**
 * Condition number σ_max/σ_min of the design (columns as used), by the bounded one-sided Jacobi
 * SVD (src/core/jacobiSvd.ts): ml-matrix's SVD has no iteration cap and hung on nearly rank-one
 * matrices (issue 21, ascm). Null when the sweeps did not converge; Infinity for a zero singular value.
 */
export function designConditionNumber(design: Pick<Design, 'X' | 'n' | 'k'>): number | null {
  const r = jacobiSvd(design.X, design.n, design.k);
  if (!r.converged) return null;
  const smin = r.s[r.s.length - 1]!;
  return smin > 0 ? r.s[0]! / smin : Number.POSITIVE_INFINITY;
}

/** Residual checks that `--errors auto` asks of a candidate: Ljung–Box at 12 and 24 (when computable) pass and Durbin–Watson ≥ 1.5. */
function residualChecksPass(design: Design, fit: Fit): boolean {
  const segments = fit.integrated?.segments ?? design.segments;
  if (durbinWatson(fit.diagResiduals, segments) < 1.5) return false;
  return [12, 24].every((h) => {
    const lb = ljungBox(fit.diagResiduals, h, fit.fitdf, segments);
    return lb === null || lb.pValue >= 0.05;
  });
}

/** Fit the model; `--errors auto` first chooses the error model from the pre-period (selectErrors.ts). */
function fitModel(panel: Panel, design: Design, s: ItsSettings, t1: number): { fit: Fit; errors: ErrorModel; selection: ErrorSelection | null } {
  if (s.count) return { fit: fitCount(design, s.family, s.useOffset, { maxIter: s.maxIter, tol: s.tol }), errors: s.errors, selection: null };
  const opts = { maxIter: s.maxIter, tol: s.tol, level: s.level, armaMethod: s.armaMethod };
  if (s.errors.type !== 'auto') return { fit: fitGaussian(design, s.errors, opts), errors: s.errors, selection: null };
  const adf = preSeriesAdf({ panel, design, t1, count: false, seasonality: s.seasonality });
  const selection = selectErrors(adf, (e) => fitGaussian(design, e, opts), (f) => residualChecksPass(design, f));
  return { fit: selection.fit ?? fitGaussian(design, selection.errors, opts), errors: selection.errors, selection };
}

function convergenceDiagnostic(what: string, converged: boolean, iterations: number, maxIter: number, warnings: Warning[]): Diagnostic {
  if (!converged) warnings.push({ code: 'NOT_CONVERGED', message: `${what} did not converge in ${iterations} iteration(s) (limit ${maxIter}); the estimates are from the last iteration. Raise --max-iter, simplify the model, or check the data` });
  return { code: 'CONVERGENCE', passed: converged, value: iterations, message: `${what} ${converged ? 'converged' : 'did NOT converge'} after ${iterations} iteration(s)` };
}

function fitCount(design: Design, family: ItsFamily, useOffset: boolean, opts: { maxIter: number; tol: number }): Fit {
  const { X, n, k, names, y } = design;
  const warnings: Warning[] = [];
  const diagnostics: Diagnostic[] = [];
  if (family === 'poisson' && y.some((v) => v !== Math.round(v))) {
    warnings.push({ code: 'NON_INTEGER_COUNTS', message: 'the Poisson family expects whole counts but the series has non-integer values (e.g. a mean over units); consider --aggregate sum or --family quasipoisson' });
  }
  const g = fitPoisson(y, X, n, k, useOffset ? design.offset : null, { maxIter: opts.maxIter, tol: opts.tol, names });
  const dispersion = g.pearson / (n - k);
  const phi = family === 'quasipoisson' ? dispersion : 1;
  const vcov = g.unscaledVcov.map((v) => v * phi);
  const pearsonRes = new Float64Array(n);
  for (let t = 0; t < n; t++) pearsonRes[t] = (y[t]! - g.mu[t]!) / Math.sqrt(g.mu[t]!);
  diagnostics.push(convergenceDiagnostic('IRLS', g.converged, g.iterations, opts.maxIter, warnings));
  const over = family === 'poisson' && dispersion > 1.5;
  if (over) warnings.push({ code: 'OVERDISPERSED', message: `Pearson χ²/(n − k) = ${dispersion.toFixed(2)} > 1.5: the Poisson variance understates the spread, so its intervals are too narrow; use --family quasipoisson` });
  diagnostics.push({
    code: 'DISPERSION',
    passed: family === 'poisson' ? !over : null,
    value: dispersion,
    message: `dispersion (Pearson χ²/(n − k)) = ${dispersion.toFixed(4)}${family === 'quasipoisson' ? ', used to scale the variance (quasi-Poisson)' : ' (Poisson assumes 1; above 1.5 use quasipoisson)'}`,
  });
  return {
    beta: g.beta,
    vcov,
    df: Number.POSITIVE_INFINITY,
    diagResiduals: pearsonRes,
    diagResidualsKind: 'Pearson residuals',
    fitdf: 0,
    inference: family === 'quasipoisson' ? 'glm-quasipoisson (Wald, delta method)' : 'glm-poisson (Wald, delta method)',
    details: { dispersion, dispersionUsed: phi, deviance: g.deviance, pearsonChi2: g.pearson, convergence: { converged: g.converged, iterations: g.iterations } },
    extraCoefficients: [],
    diagnostics,
    warnings,
  };
}

function fitGaussian(design: Design, errors: ErrorModel, opts: { maxIter: number; tol: number; level: number; armaMethod: 'ml' | 'reml' }): Fit {
  const { X, n, k, names, y } = design;
  if (isIntegrated(errors)) return fitIntegrated(design, errors, opts);
  if (errors.type === 'auto') throw new Error('internal: --errors auto must be resolved before fitting');
  const warnings: Warning[] = [];
  const diagnostics: Diagnostic[] = [];
  if (errors.type === 'arma') {
    const a: ArmaFit = fitArmaRegression(y, X, n, k, errors.p, errors.q, design.segments, { maxIter: opts.maxIter, tol: opts.tol, names, method: opts.armaMethod });
    diagnostics.push(convergenceDiagnostic(`ARMA(${a.p},${a.q}) likelihood maximisation`, a.converged, a.iterations, opts.maxIter, warnings));
    const extra = armaParameterRows(a, opts.level, diagnostics, warnings);
    return {
      effectFromTerms: true,
      beta: a.beta,
      vcov: a.vcovBeta,
      // t with n − k df for β, as nlme::gls reports for regression with correlated errors.
      df: n - k,
      diagResiduals: a.innovations,
      diagResidualsKind: 'standardised ARMA innovations',
      fitdf: a.p + a.q,
      inference: `arma-${a.method} (exact Gaussian ${a.method === 'ml' ? 'likelihood' : 'restricted likelihood'}, ARMA(${a.p},${a.q}) errors; t with ${n - k} df, delta method)`,
      details: {
        sigma2: a.sigma2,
        logLik: a.logLik,
        aic: a.aic,
        arma: { method: a.method, p: a.p, q: a.q, ar: Array.from(a.phi), ma: Array.from(a.theta), sigma2: a.sigma2, logLik: a.logLik, aic: a.aic, arRootMin: a.arRootMin, maRootMin: a.maRootMin },
        convergence: { converged: a.converged, iterations: a.iterations },
      },
      extraCoefficients: extra,
      diagnostics,
      warnings,
    };
  }
  const ls = lstsq(X, n, k, y, names);
  const s2 = ls.rss / (n - k);
  const logLik = -0.5 * n * (Math.log(2 * Math.PI) + Math.log(ls.rss / n) + 1);
  let vcov: Float64Array;
  let inference: string;
  const details: Record<string, unknown> = { sigma2: s2, logLik, aic: -2 * logLik + 2 * (k + 1), convergence: null };
  if (errors.type === 'newey-west') {
    const lag = errors.lag ?? defaultNeweyWestLag(design.T);
    vcov = neweyWestVcov(X, n, k, ls.residuals, ls.factor, lag, design.segments);
    inference = `newey-west (HAC, Bartlett lag ${lag}; t with ${n - k} df, delta method)`;
    details.neweyWestLag = lag;
  } else {
    vcov = xtxInverse(ls.factor).map((v) => v * s2);
    inference = `ols (t with ${n - k} df, delta method)`;
  }
  return { beta: ls.beta, vcov, df: n - k, diagResiduals: ls.residuals, diagResidualsKind: 'OLS residuals', fitdf: 0, inference, details, extraCoefficients: [], diagnostics, warnings };
}
