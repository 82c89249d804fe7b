/**
 * Options shared by the estimating commands, declared once (see optionTable.ts): the panel
 * mapping (which columns hold unit, period, outcome, treatment …) and the output options.
 */
import { defineOptions, num, str, strList } from './optionTable.js';
import { DEFAULT_SEED } from './rng.js';

export const PANEL_OPTIONS = defineOptions({
  unit: str({ flag: '--unit <col>', help: 'unit id column', default: 'unit' }),
  time: str({ flag: '--time <col>', help: 'period column (YYYY-MM, YYYY-Qn, YYYY or integer)', default: 'period' }),
  outcome: str({ flag: '--outcome <col>', help: 'outcome column', required: true }),
  treated: str({ flag: '--treated <col>', help: "0/1 treatment column (default 'treated')" }),
  treatedUnits: strList({ flag: '--treated-units <a,b,...>', help: 'treated units (instead of a treatment column); needs --start' }),
  start: str({ flag: '--start <period>', help: 'first treated period for --treated-units, e.g. 2019-04' }),
  covariates: strList({ flag: '--covariates <a,b,...>', help: 'time-varying covariate columns' }),
  population: str({ flag: '--population <col>', help: 'population column (for rates and counts)' }),
});

/** --out and --plot are for the command line only: a plan decides where files go. */
export const OUTPUT_OPTIONS = defineOptions({
  out: str({ flag: '--out <file>', help: 'write the JSON document here (atomically) instead of stdout', plan: false }),
  plot: str({ flag: '--plot <file>', help: 'also draw the default chart of the result (.svg or .png, written atomically after the document); see vru-eval plot', plan: false }),
  seed: num({ flag: '--seed <n>', help: 'seed of the random generator (recorded in the output)', integer: true, min: 0, max: Number.MAX_SAFE_INTEGER, default: DEFAULT_SEED }),
  level: num({ flag: '--level <p>', help: 'confidence level of every interval', min: 0, max: 1, exclusiveMin: true, default: 0.95 }),
});

