/** The fitted model of an ITS as the estimator's later stages use it (estimate.ts, arima.ts). */
import type { Diagnostic, Interval, Warning } from '../../core/result.js';

/** One row of the `coefficients` block. */
export interface ItsCoefficient {
  term: string;
  estimate: number;
  se: number | null;
  ci: Interval;
  pValue: number | null;
  rateRatio?: number;
  rateRatioCi?: Interval;
}

export interface Fit {
  beta: Float64Array;
  /** Var(β̂), k×k row-major. */
  vcov: Float64Array;
  /** Degrees of freedom of the reference t distribution (Infinity = normal). */
  df: number;
  /** Residuals for the diagnostics (raw OLS residuals, ARMA innovations, or Pearson residuals). */
  diagResiduals: Float64Array;
  diagResidualsKind: string;
  /** Parameters subtracted from the Ljung–Box degrees of freedom. */
  fitdf: number;
  inference: string;
  details: Record<string, unknown>;
  extraCoefficients: ItsCoefficient[];
  diagnostics: Diagnostic[];
  warnings: Warning[];
  /**
   * Set for integrated (ARIMA(p,1,q) / local level) errors, fitted to the differenced regression:
   * the effect at t is x_tᵀβ over the intervention terms and the counterfactual is observed − effect
   * (the level is not a parameter); `fitted` holds one-step-ahead predictions of the analysed
   * series' levels (null where a series starts), `segments` the start rows of the differenced series
   * (for the residual diagnostics), `dropped` the terms that difference to zero (intercept, group).
   */
  /**
   * GLS fits (ARMA errors): the post-period effect is x_t^{int}ᵀβ̂ (counterfactual = observed − effect),
   * not observed − x⁰ᵀβ̂, which would add the post-period mean GLS residual to the ATT (issue 22: the
   * ITS placebo test rejected 13% instead of 5% with AR(1) errors and no slope change).
   */
  effectFromTerms?: boolean;
  integrated?: { fitted: (number | null)[]; segments: number[]; dropped: string[] };
}

