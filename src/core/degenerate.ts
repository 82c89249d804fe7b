/**
 * Degenerate data, named: checks every estimating command runs on the panel it
 * analyses, so that data with nothing to estimate from gives one clear input error
 * (exit 3) and cells a command leaves out or fills in are reported in the document.
 *
 *  - {@link requireOutcomeVariation}: a constant (or all-zero) outcome, overall, among the
 *    treated units or among the comparison units → InputError CONSTANT_OUTCOME naming the
 *    column, the group and the value.
 *  - {@link missingCellsWarning}: the MISSING_CELLS warning (count, first unit–period pairs,
 *    what the method did with them); {@link withCells}: the `input.cells` block
 *    (cells in the analysed units, observed, used by the fit).
 *
 * Cells are indexed as in the panel: k = i·T + t (units i, periods t).
 */
import { InputError } from './errors.js';
import { treatmentStarts, type Panel } from './panel.js';
import type { InputInfo, Warning } from './result.js';

/** A group of units checked for variation, e.g. the treated units. */
export interface UnitGroup {
  /** Named in the message: 'every unit', 'the treated units', 'the comparison units' … */
  name: string;
  /** Panel indices of the units. */
  units: readonly number[];
}

/** Relative tolerance below which the range of a group's outcomes counts as zero. */
const CONSTANT_RTOL = 1e-12;

/**
 * Throw CONSTANT_OUTCOME when the observed outcome cells of any group (in order) all hold
 * the same value (range ≤ 1e-12 · max |y|; exactly zero for an all-zero group).
 * Groups without observed cells are skipped (other checks name them).
 * @param method - named in the message, e.g. 'did --method cs'.
 * @throws InputError CONSTANT_OUTCOME with details { file, column, group, value, cells }.
 */
export function requireOutcomeVariation(panel: Panel, groups: readonly UnitGroup[], method: string): void {
  const T = panel.periods.length;
  for (const g of groups) {
    let lo = Infinity;
    let hi = -Infinity;
    let n = 0;
    for (const i of g.units) {
      for (let t = 0; t < T; t++) {
        const v = panel.y[i * T + t]!;
        if (Number.isNaN(v)) continue;
        n++;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (n === 0) continue;
    const scale = Math.max(Math.abs(lo), Math.abs(hi));
    if (hi - lo <= CONSTANT_RTOL * scale) {
      const what = scale === 0 ? '0 (an all-zero outcome)' : String(lo);
      const units = g.units.length === 1 ? `unit '${panel.units[g.units[0]!]}'` : `${g.name} (${g.units.length} units)`;
      throw new InputError(
        'CONSTANT_OUTCOME',
        `${panel.file}: outcome column '${panel.outcome}' is constant for ${units}: all ${n} observed cell(s) are ${what}, so ${method} has no variation to estimate an effect from. Check that --outcome names the right column (an offence type with no recorded offences is all zero), or drop those units`,
        { file: panel.file, column: panel.outcome, group: g.name, value: lo, cells: n, units: g.units.length },
      );
    }
  }
}

/** Indices of ever-treated and never-treated units, in panel order. */
export function treatmentGroups(panel: Panel): { treated: number[]; controls: number[] } {
  const start = treatmentStarts(panel);
  const treated: number[] = [];
  const controls: number[] = [];
  for (let i = 0; i < panel.units.length; i++) (start[i]! >= 0 ? treated : controls).push(i);
  return { treated, controls };
}

/**
 * The standard three checks for a panel method: every unit, the treated units, the
 * never-treated units (empty groups are skipped).
 * @throws InputError CONSTANT_OUTCOME
 */
export function requirePanelOutcomeVariation(panel: Panel, method: string): void {
  const { treated, controls } = treatmentGroups(panel);
  requireOutcomeVariation(
    panel,
    [
      { name: 'every unit', units: panel.units.map((_, i) => i) },
      { name: 'the treated units', units: treated },
      { name: 'the never-treated (comparison) units', units: controls },
    ],
    method,
  );
}

/** Cells (k = i·T + t) of the listed units (default: all) where the outcome or any listed extra array is missing. */
export function missingCellIndices(panel: Panel, units?: readonly number[], extra: readonly (ArrayLike<number> | null)[] = []): number[] {
  const T = panel.periods.length;
  const us = units ?? panel.units.map((_, i) => i);
  const out: number[] = [];
  for (const i of us) {
    for (let t = 0; t < T; t++) {
      const k = i * T + t;
      if (Number.isNaN(panel.y[k]!) || extra.some((a) => a !== null && Number.isNaN(a[k]!))) out.push(k);
    }
  }
  return out;
}

/** "'A01' 2019-04, 'A02' 2019-05, …" for the first `max` cells. */
export function formatCells(panel: Panel, cells: readonly number[], max = 5): string {
  const T = panel.periods.length;
  const shown = cells.slice(0, max).map((k) => `'${panel.units[Math.floor(k / T)]}' ${panel.periods[k % T]}`);
  return shown.join(', ') + (cells.length > max ? ', …' : '');
}

/**
 * The MISSING_CELLS warning, or null when no cell is missing.
 * @param what - what the method did with them, e.g. 'were left out of the regression'.
 */
export function missingCellsWarning(panel: Panel, cells: readonly number[], what: string): Warning | null {
  if (cells.length === 0) return null;
  return {
    code: 'MISSING_CELLS',
    message: `${cells.length} unit–period cell(s) have a missing outcome${panel.covariateNames.length ? ' or covariate' : ''} (${formatCells(panel, cells)}) and ${what}`,
  };
}

/** Counts recorded in `input.cells`. */
export interface CellCounts {
  /** Unit × period cells of the analysed units. */
  total: number;
  /** Of those, cells with an observed outcome. */
  observed: number;
  /** Cells the estimator used (observed cells it fitted or averaged over). */
  used: number;
  /** Cells left out or imputed because a value was missing. */
  missing: number;
}

/** `input` with a `cells` block added. */
export function withCells(input: InputInfo, cells: CellCounts): InputInfo {
  return { ...input, cells };
}

/** Cell counts for the listed units (default all) with `used` given by the estimator (default: the observed cells). */
export function cellCounts(panel: Panel, missing: readonly number[], units?: readonly number[], used?: number): CellCounts {
  const T = panel.periods.length;
  const us = units ?? panel.units.map((_, i) => i);
  let observed = 0;
  for (const i of us) for (let t = 0; t < T; t++) if (!Number.isNaN(panel.y[i * T + t]!)) observed++;
  return { total: us.length * T, observed, used: used ?? observed, missing: missing.length };
}

/**
 * Design checks shared by `did --method twfe` and `--method cs`, so the same problem gets
 * the same answer as in every other command:
 *  - no never-treated unit and one treatment start (nothing to compare with): InputError
 *    NO_CONTROL_UNITS (twfe; cs with --control never throws NO_COMPARISON_UNITS itself);
 *  - units treated from the first period: warning ALWAYS_TREATED (twfe; cs drops them and
 *    says so with ALWAYS_TREATED_DROPPED);
 *  - cohorts with a single pre-treatment period: warning SINGLE_PRE_PERIOD.
 * Returns the warnings to add to the document. Panels with no treated unit are left to the
 * estimators (NO_TREATED_UNITS).
 * @throws InputError NO_CONTROL_UNITS
 */
export function didDesignChecks(panel: Panel, method: 'twfe' | 'cs'): Warning[] {
  const N = panel.units.length;
  const start = treatmentStarts(panel);
  const treated = Array.from(start.keys()).filter((i) => start[i]! >= 0);
  if (treated.length === 0) return [];
  const cohorts = [...new Set(treated.map((i) => start[i]!))].sort((a, b) => a - b);
  const nNever = N - treated.length;
  const warnings: Warning[] = [];
  if (method === 'twfe' && nNever === 0 && cohorts.length === 1) {
    throw new InputError('NO_CONTROL_UNITS', `${panel.file}: every unit is treated from ${panel.periods[cohorts[0]!]}, so there is no untreated unit to compare with and the treatment effect cannot be told apart from the period effects; add never-treated areas`, { file: panel.file });
  }
  const always = treated.filter((i) => start[i] === 0);
  if (method === 'twfe' && always.length > 0) {
    warnings.push({
      code: 'ALWAYS_TREATED',
      message: `${always.length} unit(s) are treated from the first period ${panel.periods[0]} (${always.slice(0, 5).map((i) => `'${panel.units[i]}'`).join(', ')}${always.length > 5 ? ', …' : ''}): with no untreated period their treatment is absorbed by their unit effect, so they add nothing to τ (only to the period effects); their effect is not estimated`,
    });
  }
  const single = cohorts.filter((g) => g === 1);
  if (single.length > 0) {
    const n = treated.filter((i) => start[i] === 1).length;
    warnings.push({
      code: 'SINGLE_PRE_PERIOD',
      message: `${n} treated unit(s) start in ${panel.periods[1]} and have a single pre-treatment period (${panel.periods[0]}): their effects rest on that one base period and no pre-treatment ${method === 'cs' ? 'ATT(g,t)' : 'coefficient'} can check parallel trends for them`,
    });
  }
  return warnings;
}
