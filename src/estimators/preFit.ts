/**
 * Pre-period fit against the effect, for synthetic-control documents (issue 21: "pre-period
 * misfit many times the effect" with no warning). The pre-period RMSPE of the path's gaps
 * (observed − counterfactual over the periods before the first treatment; for sdid, whose
 * counterfactual is only parallel to the treated series, the gaps minus their mean) measures how
 * far the synthetic control strays when there is no effect. When it exceeds |ATT|, an effect of
 * the estimated size is within the fit's own error: POOR_PRE_FIT, with what to do.
 * (ascm applies the same rule per cohort in ascm.ts.)
 */
import type { Analysis, Warning } from '../core/result.js';

const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x));

export function preFitWarning(a: Analysis, opts: { demean: boolean; fix: string }): Warning | null {
  const att = a.estimate?.att;
  if (att === null || att === undefined || !Number.isFinite(att)) return null;
  const gaps = a.path.filter((p) => p.cumulative === null && typeof p.effect === 'number' && Number.isFinite(p.effect) && p.excluded !== true).map((p) => p.effect as number);
  if (gaps.length < 2) return null;
  const m = opts.demean ? gaps.reduce((s, v) => s + v, 0) / gaps.length : 0;
  const rmspe = Math.sqrt(gaps.reduce((s, v) => s + (v - m) ** 2, 0) / gaps.length);
  if (!(rmspe > Math.abs(att))) return null;
  const ratio = rmspe / Math.abs(att);
  return {
    code: 'POOR_PRE_FIT',
    message: `before treatment the synthetic control misses the treated series by ${fmt(rmspe)} (pre-period RMSPE${opts.demean ? ' around its mean gap' : ''}), ${Number.isFinite(ratio) ? `${fmt(ratio)} times` : 'more than'} the estimated effect (${fmt(att)}): an effect of this size is within the fit's own error. Check the pre-period fit in path[]; ${opts.fix}`,
  };
}
