/**
 * Data checks of gsynth that name what is wrong (issue 20, downstream; issue 21): which months
 * have no control data, which controls were dropped (one warning with a count and examples,
 * not one per unit), and why cross-validation could not choose the number of factors.
 */
import { InputError } from '../../core/errors.js';
import type { Panel } from '../../core/panel.js';
import type { Warning } from '../../core/result.js';
import type { CvRow } from './model.js';

const EXAMPLES = 5;
const listed = (xs: readonly string[]) => `${xs.slice(0, EXAMPLES).join(', ')}${xs.length > EXAMPLES ? `, … (${xs.length - EXAMPLES} more)` : ''}`;

/** Controls with at least one observed outcome in the fit periods; the rest are named in one CONTROL_DROPPED warning. */
export function observedControls(panel: Panel, controlUnits: readonly number[], keep: readonly number[], warnings: Warning[]): number[] {
  const T = panel.periods.length;
  const kept: number[] = [];
  const dropped: string[] = [];
  for (const i of controlUnits) {
    if (keep.some((t) => !Number.isNaN(panel.y[i * T + t]!))) kept.push(i);
    else dropped.push(panel.units[i]!);
  }
  if (dropped.length > 0) {
    warnings.push({ code: 'CONTROL_DROPPED', message: `${dropped.length} of ${controlUnits.length} control unit(s) have no observed '${panel.outcome}' in the fit periods and were left out: ${listed(dropped)}. If these areas belong to a force missing from the data, build the panel without them (or check the panel build)` });
  }
  return kept;
}

/**
 * Every fit period needs at least one control with an observed outcome (the factor model's
 * period effect is otherwise not identified).
 * @throws InputError NO_CONTROL_DATA naming the months and the --exclude-periods that drops them
 */
export function requireControlDataEachPeriod(panel: Panel, controls: readonly number[], keep: readonly number[]): void {
  const T = panel.periods.length;
  const empty = keep.filter((t) => !controls.some((i) => !Number.isNaN(panel.y[i * T + t]!))).map((t) => panel.periods[t]!);
  if (empty.length === 0) return;
  throw new InputError('NO_CONTROL_DATA', `${panel.file}: no control unit has an observed '${panel.outcome}' in ${empty.length === 1 ? empty[0] : `${empty.length} periods (${listed(empty)})`}, so the factor model cannot be fitted there; leave ${empty.length === 1 ? 'it' : 'them'} out with --exclude-periods ${empty.slice(0, EXAMPLES).map((p) => `${p}:${p}`).join(',')}${empty.length > EXAMPLES ? ',…' : ''}, or add the missing data (a force's missing months in a police.uk build)`, { file: panel.file, periods: empty });
}

/** CV_FAILED message: the fits' own reason when there is one, else the shortage that explains it. */
export function cvFailedMessage(rows: readonly CvRow[], minPre: number, missingControlCells: number, controlCells: number): string {
  const reason = rows.find((r) => r.error)?.error;
  const parts: string[] = [];
  if (reason) parts.push(`every candidate number of factors failed to fit (${reason})`);
  if (missingControlCells > 0) parts.push(`${missingControlCells} of ${controlCells} control cells are missing (blocks of missing months make the held-out periods unscorable)`);
  if (parts.length === 0) parts.push(`the shortest treated pre-period has ${minPre} observed period(s), too few to hold one out and refit`);
  return `cross-validation could not score any number of factors: ${parts.join('; ')}. Give --factors r (e.g. --factors 0 or 1)${missingControlCells > 0 ? ', fill or exclude the missing months (--exclude-periods), or build the panel with --drop-incomplete' : ''}`;
}
