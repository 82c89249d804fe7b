/**
 * Options of `vru-eval scm` shared by every method (declared once; see src/core/optionTable.ts).
 * Each method's own options are in its estimator's table (e.g. src/estimators/gsynth/options.ts).
 */
import { choice, defineOptions, str, strList } from '../core/optionTable.js';
import { OUTCOME_SCALES } from '../core/outcomeScale.js';

export const DEFAULT_SCM_METHOD = 'gsynth';

/** `--method`, with the registered method names as choices. */
export function scmMethodOption<const C extends readonly string[]>(names: C) {
  return choice(names, { flag: '--method <name>', help: 'synthetic-control method', default: (names.includes(DEFAULT_SCM_METHOD) ? DEFAULT_SCM_METHOD : names[0]!) as C[number] });
}

export const SCM_OPTIONS = defineOptions({
  inference: str({ flag: '--inference <kind>', help: 'inference method (allowed values depend on --method; see README)' }),
  donors: strList({ flag: '--donors <a,b,...>', help: 'use only these units as donors / controls' }),
  excludeUnits: strList({ flag: '--exclude-units <a,b,...>', help: 'drop these units from the donor pool (e.g. a national aggregate, or neighbours exposed to spillovers)' }),
  // issue 14: a count read as a rate per 100,000 multiplies offences avoided by population / 100,000 (src/core/outcomeScale.ts)
  outcomeScale: choice(OUTCOME_SCALES, {
    flag: '--outcome-scale <scale>',
    help: 'the outcome is a rate per --rate-per people (offences avoided need --population) or a count of offences (offences avoided = the summed effect); required with --population when the outcome holds whole numbers',
  }),
});
