/**
 * Chart kinds, which ones a result document can draw, and the default per method.
 */
import type { ResultDocument } from '../core/result.js';
import { compositeWhyNot } from './composite.js';
import { describeWhyNot } from './describeChart.js';
import { powerWhyNot } from './powerChart.js';
import { cbaOutcomes, cbaTotals, eventPath, meanDonorWeights, microEffects, pathPoints } from './document.js';
import { timeWeightRows } from './weightsExtra.js';
import { forestRows } from './forest.js';
import { baconRows, placeboFitRows, sensitivityRows } from './sensitivityCharts.js';

export const PLOT_KINDS = ['observed', 'gap', 'cumulative', 'weights', 'units', 'its', 'event', 'cba', 'timeweights', 'compare', 'totals', 'placebo', 'composite', 'describe', 'sensitivity', 'bacon', 'placebofit', 'power'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

export const KIND_DESCRIPTIONS: Readonly<Record<PlotKind, string>> = {
  observed: 'observed (treated average) vs counterfactual over time, interventions as dashed verticals',
  gap: 'effect (observed − counterfactual) over time with its interval; placebo gaps in grey when the result has them',
  cumulative: 'cumulative effect since the intervention with its interval',
  weights: 'donor weights (mean over treated units) as a bar chart',
  units: 'per-unit small multiples (observed vs counterfactual) when units carry a path, else each unit’s effect with its interval',
  its: 'interrupted time series: observed points, fitted segments, counterfactual dashed with its interval',
  event: 'event study: effect by periods since the start with intervals, reference period marked, pre-trend test in the caption',
  cba: 'cost-benefit: benefits (with the range from the effect’s interval) against programme costs, ratio in the caption',
  timeweights: 'synthetic DiD time weights λ over the pre-periods (one row per adoption cohort)',
  compare: 'forest plot: estimates with intervals on one scale, one row per method (vru-eval compare, or plot a.json b.json --kind compare) or per robustness variant',
  totals: 'micro-area synthetic control: treated areas’ total against the synthetic total over time, one panel per outcome',
  placebo: 'micro-area synthetic control: placebo distribution of the percentage change with the observed one, per outcome',
  composite: 'three stacked panels on one time axis: observed vs counterfactual, effect per period, cumulative effect (offences avoided when known), post period shaded',
  describe: 'descriptive: no counterfactual — the monthly values of two years overlaid, per outcome (vru-eval describe)',
  sensitivity: 'Rambachan–Roth robust intervals of the effect over M̄ (did --honest), breakdown M̄ in the caption',
  bacon: 'Goodman-Bacon scatter: each 2×2 comparison’s estimate against its weight, by type, TWFE estimate as a line (did --bacon)',
  placebofit: 'hold-out placebo test: observed vs predicted treated average over the pre-period, held-out periods shaded (--placebo-holdout)',
  power: 'power curve of a vru-eval power document: simulated power against effect size with Monte Carlo error bars, target power and the MDE marked',
};

/** Why `kind` cannot be drawn from `doc`, or null if it can. */
export function whyNot(doc: ResultDocument, kind: PlotKind): string | null {
  const path = pathPoints(doc);
  switch (kind) {
    case 'observed':
      return path.some((p) => p.observed !== null) && path.some((p) => p.counterfactual !== null) ? null : 'the path has no observed and counterfactual values';
    case 'gap':
      return path.some((p) => p.effect !== null) ? null : 'the path has no effects';
    case 'cumulative':
      return path.some((p) => p.cumulative !== null) ? null : 'the path has no cumulative effects';
    case 'weights':
      return meanDonorWeights(doc).length > 0 ? null : 'no unit has donor weights (only classic synthetic control has them)';
    case 'units':
      return (doc.units ?? []).some((u) => Array.isArray(u.path) || typeof u.att === 'number') ? null : 'the result has no per-unit effects';
    case 'its':
      // the ITS chart draws fitted segments of a segmented regression; on another method's
      // result it would draw a counterfactual under an ITS caption (issue 14)
      if (doc.method !== 'its' && !path.some((p) => typeof p.fitted === 'number')) return `the ITS chart draws the fitted segments of an interrupted time series, and this is a ${doc.method} result (try --kind observed)`;
      return path.some((p) => p.observed !== null) && path.some((p) => p.counterfactual !== null || typeof p.fitted === 'number') ? null : 'the path has no observed and fitted/counterfactual values';
    case 'event':
      return eventPath(doc).some((r) => r.effect !== null) ? null : 'the result has no eventPath';
    case 'timeweights':
      return timeWeightRows(doc).length > 0 ? null : 'the result has no timeWeights (only scm --method sdid has them)';
    case 'compare':
      return forestRows(doc).length > 0 ? null : 'the result has no comparison or robustness rows (draw several documents with plot a.json b.json --kind compare)';
    case 'totals':
      return microEffects(doc).length > 0 ? null : 'the result has no per-outcome totals (only --method micro has them)';
    case 'placebo':
      return microEffects(doc).some((e) => (e.permutation?.placeboPercentChange?.length ?? 0) > 0) ? null : 'the result has no placebo distribution (micro with --inference permutation)';
    case 'composite':
      return compositeWhyNot(doc);
    case 'describe':
      return describeWhyNot(doc);
    case 'sensitivity':
      return sensitivityRows(doc).length > 0 ? null : 'the result has no sensitivity block (run did with --honest)';
    case 'bacon':
      return baconRows(doc).length > 0 ? null : 'the result has no Goodman-Bacon decomposition (run did --method twfe with --bacon)';
    case 'placebofit':
      return placeboFitRows(doc).length > 0 ? null : 'the result has no hold-out placebo test (run with --placebo-holdout k)';
    case 'power':
      return powerWhyNot(doc);
    case 'cba': {
      const t = cbaTotals(doc);
      return cbaOutcomes(doc).length > 0 && t.costs !== null ? null : 'the result has no cost-benefit outcomes and totals';
    }
  }
}

/** Every kind `doc` can draw, in a sensible reading order for its method. */
export function applicableKinds(doc: ResultDocument): PlotKind[] {
  if (doc.command === 'power') return powerWhyNot(doc) === null ? ['power'] : [];
  const order: PlotKind[] =
    doc.method === 'compare' || doc.method === 'robustness'
      ? ['compare']
      : doc.method === 'cba'
      ? ['cba']
      : doc.method === 'its'
        ? ['composite', 'its', 'gap', 'cumulative']
        : doc.method === 'twfe' || doc.method === 'cs'
          ? ['event', 'observed', 'gap', 'cumulative', 'sensitivity', 'bacon', 'placebofit']
          : doc.method === 'micro'
            ? ['totals', 'placebo', 'observed', 'gap', 'cumulative']
          : doc.method === 'describe'
            ? ['describe']
            : ['composite', 'observed', 'gap', 'cumulative', 'event', 'weights', 'timeweights', 'units', 'placebofit'];
  return order.filter((k) => whyNot(doc, k) === null);
}

/** The default chart for a result: synthetic control → observed vs counterfactual; its → its; DiD → event study; cba → cba. */
export function defaultKind(doc: ResultDocument): PlotKind | null {
  if (doc.command === 'power') return powerWhyNot(doc) === null ? 'power' : null;
  const preferred: PlotKind = doc.method === 'compare' || doc.method === 'robustness' ? 'compare' : doc.method === 'micro' ? 'totals' : doc.method === 'describe' ? 'describe' : doc.method === 'cba' ? 'cba' : doc.method === 'its' ? 'its' : doc.method === 'twfe' || doc.method === 'cs' ? 'event' : 'observed';
  if (whyNot(doc, preferred) === null) return preferred;
  return applicableKinds(doc)[0] ?? null;
}
