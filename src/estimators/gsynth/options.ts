/**
 * The options of `scm --method gsynth`, declared once (see src/core/optionTable.ts): CLI flags,
 * --help, plan schema and validation all derive from this table.
 */
import { bool, choice, custom, defineOptions, num, numberArg, strList } from '../../core/optionTable.js';
import { FORCES } from './ife.js';
import { SCM_REPS, SCM_THREADS } from '../scmOptions.js';

const factorsArg = (v: string): number | 'auto' => (v === 'auto' ? 'auto' : numberArg('--factors', { integer: true, min: 0, max: 50 })(v));

export const GSYNTH_OPTIONS = defineOptions({
  force: choice(FORCES, { flag: '--force <effects>', help: 'gsynth: additive fixed effects', default: 'two-way' }),
  factors: custom<number | 'auto', { flag: string; help: string; default: number | 'auto' }>({
    flag: '--factors <r|auto>',
    help: "gsynth: number of latent factors, or 'auto' (cross-validation)",
    default: 'auto',
    parse: factorsArg,
    schema: { anyOf: [{ type: 'integer', minimum: 0, maximum: 50 }, { const: 'auto' }] },
    toArgs: (v) => [[String(v)]],
  }),
  factorsMax: num({ flag: '--factors-max <n>', help: 'gsynth: largest number of factors tried by cross-validation', integer: true, min: 0, max: 50, default: 5 }),
  reps: SCM_REPS,
  ratePer: num({ flag: '--rate-per <n>', help: 'gsynth: the outcome is a rate per this many people (with --population: counts)', min: 0, exclusiveMin: true, default: 100000 }),
  excludePeriods: strList({ flag: '--exclude-periods <from:to,...>', help: 'gsynth: leave these periods out of the fit (repeatable or comma list), e.g. 2020-04:2020-06' }),
  em: bool({ flag: '--em', help: 'gsynth: EM variant — fit the factor model on all untreated cells (controls + treated pre-treatment periods), treated post cells imputed by EM (Gobillon & Magnac 2016)', default: false }),
  threads: SCM_THREADS,
  tol: num({ flag: '--tol <x>', help: 'gsynth: relative tolerance of the iterative fit', min: 0, max: 1, exclusiveMin: true, default: 1e-7 }),
  maxIter: num({ flag: '--max-iter <n>', help: 'gsynth: iteration cap of the iterative fit', integer: true, min: 1, max: 1e6, default: 1000 }),
});
