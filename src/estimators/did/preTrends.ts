/**
 * What each did pre-trend test tests, and the warning when it fails (issue 21: `did` twfe showed
 * the pre-trend test ✓ p = 0.57 while `did --method cs` showed ✗ p < 0.0001 on the same panel,
 * with no word on why). The two are different hypotheses:
 *  - twfe: the event-study coefficients e ≤ −2 of one pooled regression with unit and period
 *    effects, each relative to e = −1 (endpoints binned): are the treated areas' pre-period
 *    levels, averaged over cohorts with regression weights, parallel to the controls' relative
 *    to the last pre-period? Slow divergence spread over the window and cohort-specific
 *    differences that cancel in the pooling can pass.
 *  - cs (Callaway & Sant'Anna 2021): every cohort's pre-treatment ATT(g,t) separately; with the
 *    varying base period each is a one-period change (t−1 → t), so it rejects on short-run
 *    wobbles and on any single cohort's pre-trend, and with many (g,t) cells has more power.
 */
import type { Warning } from '../../core/result.js';

export const TWFE_PRE_TREND_SCOPE = 'this tests the pooled event-study coefficients of one TWFE regression, each relative to e = −1 (levels over the pre-window, averaged over cohorts by regression weights); `did --method cs` instead tests every cohort\'s pre-period ATT(g,t), period by period, so the two can disagree';

export function csPreTrendScope(basePeriod: string): string {
  return `this tests every cohort's pre-treatment ATT(g,t) separately (${basePeriod === 'varying' ? 'varying base period: each a one-period change t−1 → t, sensitive to short-run wobbles' : 'universal base period: each relative to the period before the cohort starts'}); \`did --method twfe\` tests pooled event-study levels relative to e = −1 and can pass where this fails`;
}

/** PRE_TRENDS_REJECTED, with what to do, when a pre-trend test fails. */
export function preTrendWarning(method: 'twfe' | 'cs', p: number): Warning {
  return {
    code: 'PRE_TRENDS_REJECTED',
    message: `the ${method === 'twfe' ? 'TWFE event-study' : 'Callaway–Sant\'Anna'} pre-trend test rejects parallel pre-trends (p ${p < 1e-4 ? '< 0.0001' : `= ${p.toPrecision(3)}`}): the treated and control areas were already moving differently before treatment, so the effect estimate may be biased. Look at the pre-period event path; consider covariates (--covariates), a comparison group that tracks the treated areas (scm --method sdid, gsynth or ascm), or report the estimate as sensitive to this (vru-eval robustness)`,
  };
}
