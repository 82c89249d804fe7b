/**
 * Panels with missing control cells for the gsynth inference tests (tests/gsynth/missing.test.ts):
 * the project's generator (src/sim/dgp.ts) with blocks of control cells blanked the way a police
 * force with no file for some months blanks all its areas' cells: `postMissing` controls miss the
 * same `postMonths` consecutive months just after the start, `preMissing` other controls miss
 * four consecutive pre-period months. The truth is the generator's: the ATT (mean δ over treated
 * post cells) and the offences avoided −Σ δ·population/100,000 over the same cells.
 */
import { readPanelText, type Panel } from '../../src/core/panel.js';
import type { Analysis } from '../../src/core/result.js';
import { gsynth, type Inference } from '../../src/estimators/gsynth/index.js';
import { POLICE_FIXTURE_SPEC, simulatePanel, type PanelSpec } from '../../src/sim/dgp.js';

export const MISSING_SPEC: PanelSpec = { ...POLICE_FIXTURE_SPEC, units: 40, periods: 60, treatedUnits: 8 };
delete (MISSING_SPEC as Partial<PanelSpec>).shock;

export interface MissingPanel {
  csv: string;
  panel: Panel;
  truth: { att: number; count: number };
  /** Control units blanked, and the number of blank cells. */
  blanked: string[];
  cells: number;
}

export function missingPanel(seed: number, opts: { postMissing?: number; preMissing?: number; postMonths?: number } = {}): MissingPanel {
  const postMissing = opts.postMissing ?? 6;
  const preMissing = opts.preMissing ?? 4;
  const postMonths = opts.postMonths ?? 6;
  const { records, truth, periods } = simulatePanel(MISSING_SPEC, seed);
  const treated = new Set(truth.treatedUnits);
  const controls = [...new Set(records.map((r) => r.unit))].filter((u) => !treated.has(u)).sort();
  const start = periods.indexOf(MISSING_SPEC.treatStart);
  const postBlank = new Set(controls.slice(0, postMissing));
  const preBlank = new Set(controls.slice(postMissing, postMissing + preMissing));
  const postPeriods = new Set(periods.slice(start + 1, start + 1 + postMonths));
  const prePeriods = new Set(periods.slice(10, 14));
  let count = 0;
  let cells = 0;
  const lines = ['unit,period,y,treated,population'];
  for (const r of records) {
    const blank = (postBlank.has(r.unit) && postPeriods.has(r.period)) || (preBlank.has(r.unit) && prePeriods.has(r.period));
    if (blank) cells++;
    if (r.treated) count += ((r.y0 - r.outcome) * r.population) / 100000;
    lines.push(`${r.unit},${r.period},${blank ? '' : r.outcome},${r.treated},${r.population}`);
  }
  const csv = lines.join('\n');
  return { csv, panel: readPanelText(csv, { outcome: 'y', population: 'population' }), truth: { att: truth.att, count }, blanked: [...postBlank, ...preBlank], cells };
}

/** Coverage of the ATT and offences-avoided intervals of one inference scheme over `reps` panels (seeds firstSeed…). */
export async function missingCoverage(inference: Inference, reps: number, boots: number, firstSeed: number, blanks: { postMissing?: number; preMissing?: number } = {}) {
  let attCovered = 0;
  let countCovered = 0;
  let containsEstimate = 0;
  let failedWarnings = 0;
  const widths: number[] = [];
  for (let m = 0; m < reps; m++) {
    const d = missingPanel(firstSeed + m, blanks);
    const a = await gsynth(d.panel, { inference, boots, seed: m + 1, factors: 2 });
    const [lo, hi] = a.estimate!.ci!;
    const [clo, chi] = counts(a).ci!;
    if (lo <= d.truth.att && d.truth.att <= hi) attCovered++;
    if (clo <= d.truth.count && d.truth.count <= chi) countCovered++;
    const att = a.estimate!.att!;
    const cnt = counts(a).offencesAvoided!;
    if (lo <= att && att <= hi && clo <= cnt && cnt <= chi) containsEstimate++;
    if (a.warnings.some((w) => w.code === 'REPLICATES_FAILED')) failedWarnings++;
    widths.push(hi - lo);
  }
  return { reps, attCovered, countCovered, containsEstimate, failedWarnings, meanWidth: widths.reduce((s, w) => s + w, 0) / reps };
}

/** The counts block of a gsynth result (offences avoided), typed. */
export function counts(a: Analysis): { offencesAvoided: number; se: number; ci: [number, number] } {
  return a.counts as { offencesAvoided: number; se: number; ci: [number, number] };
}
