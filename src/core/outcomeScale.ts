/**
 * `--outcome-scale rate|count` (scm): whether the outcome is a rate per --rate-per people, to be
 * converted to offences with --population, or already a count of offences. A count read as a rate
 * multiplies offences avoided by population / 100,000 (68,255 instead of 6,895 on the fixture), so
 * when --population is given the scale must be declared unless the values cannot be counts.
 */
import { UsageError } from './errors.js';
import type { Panel } from './panel.js';

export const OUTCOME_SCALES = ['rate', 'count'] as const;
export type OutcomeScale = (typeof OUTCOME_SCALES)[number];

/** Whether every observed outcome is a whole number ≥ 0 (what counts look like), with an example value. */
export function looksLikeCounts(y: ArrayLike<number>): { counts: boolean; example: number | null } {
  let example: number | null = null;
  let seen = 0;
  for (let k = 0; k < y.length; k++) {
    const v = y[k]!;
    if (!Number.isFinite(v)) continue;
    seen++;
    if (!(v >= 0 && Number.isInteger(v))) return { counts: false, example: v };
    if (example === null && v > 0) example = v;
  }
  return { counts: seen > 0, example };
}

/**
 * The outcome's scale for a panel read with or without a population column.
 * @returns 'rate' (convert with the population), 'count' (already offences) or null (no counts)
 * @throws UsageError OUTCOME_SCALE_UNCLEAR when --population is given, no scale is, and the outcome looks like counts;
 *         POPULATION_WITH_COUNT for --outcome-scale count with --population (a count needs no population)
 */
export function resolveOutcomeScale(panel: Panel, given: OutcomeScale | undefined): OutcomeScale | null {
  if (given === 'count') {
    if (panel.population) {
      throw new UsageError('POPULATION_WITH_COUNT', `--outcome-scale count: ${panel.outcome} is already a count of offences, so --population ${panel.populationColumn} is not used; drop --population (or use --outcome-scale rate if ${panel.outcome} is a rate)`, { flag: '--population' });
    }
    return 'count';
  }
  if (given === 'rate') return panel.population ? 'rate' : null;
  if (!panel.population) return null;
  const look = looksLikeCounts(panel.y);
  if (look.counts) {
    throw new UsageError(
      'OUTCOME_SCALE_UNCLEAR',
      `--outcome ${panel.outcome} holds only whole numbers (e.g. ${look.example ?? 0}), so it may be a count rather than a rate per 100,000; say which with --outcome-scale count (offences avoided = the summed effect; drop --population) or --outcome-scale rate (converted with --population ${panel.populationColumn})`,
      { flag: '--outcome-scale', outcome: panel.outcome },
    );
  }
  return 'rate';
}
