/**
 * Treatment timing of a panel for DiD: each unit's first treated period
 * (its cohort g in Callaway & Sant'Anna 2021), without requiring never-treated
 * units (core/panel.ts `panelDesign` does; not-yet-treated comparisons do not).
 */
import { treatmentStarts, type Panel } from '../../core/panel.js';
import { InputError } from '../../core/errors.js';

export interface Timing {
  /** First treated period index per unit, −1 when never treated. Length N. */
  start: Int32Array;
  /** Distinct start indices among treated units, ascending. */
  cohorts: number[];
  nTreated: number;
  nNever: number;
  /** More than one distinct start. */
  staggered: boolean;
}

/** @throws InputError NO_TREATED_UNITS */
export function treatmentTiming(panel: Panel): Timing {
  const N = panel.units.length;
  const start = treatmentStarts(panel);
  const cohorts = [...new Set(Array.from(start).filter((s) => s >= 0))].sort((a, b) => a - b);
  if (cohorts.length === 0) {
    throw new InputError('NO_TREATED_UNITS', `${panel.file}: no unit is ever treated; mark treated unit-periods with 1 in '${panel.columns.treated ?? 'treated'}', or give --treated-units and --start`, { file: panel.file });
  }
  let nTreated = 0;
  for (const s of start) if (s >= 0) nTreated++;
  return { start, cohorts, nTreated, nNever: N - nTreated, staggered: cohorts.length > 1 };
}
