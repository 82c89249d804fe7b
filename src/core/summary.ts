/** A JSON summary of a panel (`vru-eval inspect`). */
import { missingCells, panelDesign, type Panel } from './panel.js';
import { inputInfo, type InputInfo } from './result.js';

export interface PanelSummary {
  input: InputInfo;
  frequency: string;
  step: number;
  units: number;
  periods: { count: number; first: string; last: string };
  outcome: string;
  treatedUnits: { unit: string; start: string; prePeriods: number; postPeriods: number }[];
  controlUnits: number;
  staggered: boolean;
  missingCells: { count: number; first: { unit: string; period: string }[] };
  absentRows: number;
  covariates: { name: string; missing: number; mean: number | null }[];
  population: string | null;
}

/** Summarise units, periods, treatment timing, missing cells and covariates. @throws InputError for designs that cannot be estimated. */
export function summarisePanel(panel: Panel): PanelSummary {
  const T = panel.periods.length;
  const design = panelDesign(panel);
  const miss = missingCells(panel);
  let absent = 0;
  for (let k = 0; k < panel.present.length; k++) if (!panel.present[k]) absent++;
  return {
    input: inputInfo(panel),
    frequency: panel.frequency,
    step: panel.step,
    units: panel.units.length,
    periods: { count: T, first: panel.periods[0]!, last: panel.periods[T - 1]! },
    outcome: panel.outcome,
    treatedUnits: design.treatedUnits.map((i) => ({
      unit: panel.units[i]!,
      start: panel.periods[design.startIndex[i]!]!,
      prePeriods: design.startIndex[i]!,
      postPeriods: T - design.startIndex[i]!,
    })),
    controlUnits: design.controlUnits.length,
    staggered: design.staggered,
    missingCells: { count: miss.length, first: miss.slice(0, 10) },
    absentRows: absent,
    covariates: panel.covariateNames.map((c) => {
      const v = panel.covariates[c]!;
      let n = 0;
      let s = 0;
      let m = 0;
      for (let k = 0; k < v.length; k++) {
        if (Number.isNaN(v[k]!)) m++;
        else {
          n++;
          s += v[k]!;
        }
      }
      return { name: c, missing: m, mean: n > 0 ? s / n : null };
    }),
    population: panel.populationColumn,
  };
}
