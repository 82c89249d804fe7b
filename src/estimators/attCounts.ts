/**
 * Offences avoided from an average effect per treated unit-period (sdid, ascm), in the same
 * `counts` block gsynth reports (src/estimators/gsynth/index.ts; schema: `counts`).
 *
 * gsynth has an effect for every treated cell and sums −effect_it × pop_it / ratePer. sdid and
 * ascm estimate one average effect τ̂ over the treated unit-periods (ascm: the treated mean
 * series), so the count is the average applied to the treated population-periods:
 *
 *   offences avoided = −τ̂ · E,   E = Σ_{i treated} Σ_{t ≥ start_i} pop_it / ratePer,
 *
 * with its SE and interval scaled by E (E is data, not estimated, so the interval is τ̂'s
 * interval mapped by the same linear map: it contains the estimate exactly when τ̂'s does).
 * Equal to gsynth's cell sum when the population is constant over a unit's post periods.
 */
import { InputError } from '../core/errors.js';
import { panelDesign, type Panel } from '../core/panel.js';
import type { Analysis } from '../core/result.js';

export interface AttCounts {
  population: string | null;
  ratePer: number | null;
  offencesAvoided: number;
  se: number | null;
  ci: [number, number] | null;
  cells: number;
  /** Σ pop / ratePer over the treated post-treatment cells (E above). */
  exposure: number;
  definition: string;
}

/**
 * @param treated treated unit indices with their first treated period index
 * @throws InputError MISSING_POPULATION when a treated post-treatment cell has no population
 */
export function countsFromAtt(
  panel: Panel,
  treated: readonly { unit: number; start: number }[],
  att: number,
  se: number | null,
  ci: readonly [number, number] | null,
  ratePer: number,
): AttCounts {
  const pop = panel.population;
  if (!pop) throw new Error('countsFromAtt needs a panel with a population column');
  const T = panel.periods.length;
  let exposure = 0;
  let cells = 0;
  for (const { unit, start } of treated) {
    for (let t = start; t < T; t++) {
      const v = pop[unit * T + t]!;
      if (!Number.isFinite(v)) {
        throw new InputError('MISSING_POPULATION', `${panel.file}: population ('${panel.populationColumn}') is missing for treated unit '${panel.units[unit]}' in ${panel.periods[t]}, which is needed to convert the effect to counts; fill it or drop --population`, { file: panel.file, unit: panel.units[unit], period: panel.periods[t] });
      }
      exposure += v / ratePer;
      cells++;
    }
  }
  const lo = ci ? -ci[1] * exposure : null;
  const hi = ci ? -ci[0] * exposure : null;
  return {
    population: panel.populationColumn,
    ratePer,
    offencesAvoided: -att * exposure,
    se: se === null ? null : se * exposure,
    ci: lo === null || hi === null ? null : [lo, hi],
    cells,
    exposure,
    definition: `−ATT × Σ ${panel.populationColumn} / ${ratePer} over treated units and their post-treatment periods (the average effect per treated unit-period applied to the treated population-periods; the interval is the ATT's scaled the same way; negative effects = offences avoided)`,
  };
}

/**
 * Adds `counts` to an sdid/ascm document from its ATT when the panel has a population (or the
 * outcome is a count: `population` all 1 and `ratePer` 1), and records population, ratePer and
 * the outcome scale in `options`. With no population and a rate outcome, records them as null.
 */
export function attachAttCounts(analysis: Analysis, panel: Panel, scale: 'rate' | 'count' | null, ratePer: number): void {
  analysis.options.outcomeScale = scale;
  if (scale === null) {
    analysis.options.population = null;
    analysis.options.ratePer = null;
    return;
  }
  const est = analysis.estimate;
  const design = panelDesign(panel, 2);
  const treated = design.treatedUnits.map((u) => ({ unit: u, start: design.startIndex[u]! }));
  const p = scale === 'count' ? { ...panel, population: new Float64Array(panel.y.length).fill(1), populationColumn: '1' } : panel;
  const per = scale === 'count' ? 1 : ratePer;
  const c = countsFromAtt(p, treated, est?.att ?? Number.NaN, est?.se ?? null, est?.ci ?? null, per);
  analysis.options.population = scale === 'count' ? null : panel.populationColumn;
  analysis.options.ratePer = scale === 'count' ? null : ratePer;
  analysis.counts = scale === 'count'
    ? { ...c, population: null, ratePer: null, definition: `−ATT × (treated post-treatment unit-periods) = −Σ of the average effect over treated units and their post-treatment periods; ${panel.outcome} is a count of offences (--outcome-scale count; negative effects = offences avoided)` }
    : c;
}
