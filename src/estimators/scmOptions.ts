/**
 * Options of `vru-eval scm` shared by every method (declared once; see src/core/optionTable.ts).
 * Each method's own options are in its estimator's table (e.g. src/estimators/gsynth/options.ts).
 */
import { choice, defineOptions, num, str, strList } from '../core/optionTable.js';
import { OUTCOME_SCALES } from '../core/outcomeScale.js';

export const DEFAULT_SCM_METHOD = 'gsynth';

/**
 * Replications, one flag for every scm method that resamples (issue 23: one name for one thing).
 * One object shared by the methods' tables, so `scm` registers `--reps` once; each method applies
 * its own default where it reads it and records it in the document under its old key (gsynth
 * `boots`, sdid `reps`, micro `perms`, synth `placeboDraws`), so documents do not change.
 */
export const SCM_REPS = num({
  flag: '--reps <n>',
  aliases: [{ flag: '--boots <n>' }, { flag: '--perms <n>' }, { flag: '--placebo-draws <n>' }],
  help: 'replications: gsynth bootstrap (default 1000, ≥ 2); sdid placebo / bootstrap (default 200, ≥ 2); micro placebo treated sets for --inference permutation (default 1,000, fewer (down to 199) when controls × constraints exceeds 2·10⁶); synth random placebo sets for the programme p-value with several treated units (default 5000)',
  integer: true,
  min: 1,
  max: 1e6,
});

/** Threads for resampling, shared like SCM_REPS (results, and the document, do not depend on it, so it is not recorded). */
export const SCM_THREADS = num({
  flag: '--threads <n>',
  aliases: [{ flag: '--workers <n>' }],
  help: 'threads (results, and the document, do not depend on it): gsynth bootstrap and iterative cross-validation (this one + n−1 helpers); micro placebo re-weightings; default min(2, cores) for large jobs, else 1',
  integer: true,
  min: 1,
  max: 64,
});

/** `--method`, with the registered method names as choices. */
export function scmMethodOption<const C extends readonly string[]>(names: C) {
  return choice(names, { flag: '--method <name>', help: 'synthetic-control method', default: (names.includes(DEFAULT_SCM_METHOD) ? DEFAULT_SCM_METHOD : names[0]!) as C[number] });
}

export const SCM_OPTIONS = defineOptions({
  inference: str({ flag: '--inference <kind>', help: 'inference method (the choices depend on --method: see docs/methods/<method>.md)' }),
  donors: strList({ flag: '--donors <a,b,...>', help: 'use only these units as donors / controls' }),
  excludeUnits: strList({ flag: '--exclude-units <a,b,...>', help: 'drop these units from the donor pool (e.g. a national aggregate, or neighbours exposed to spillovers)' }),
  // issue 14: a count read as a rate per 100,000 multiplies offences avoided by population / 100,000 (src/core/outcomeScale.ts)
  outcomeScale: choice(OUTCOME_SCALES, {
    flag: '--outcome-scale <scale>',
    help: 'the outcome is a rate per --rate-per people (offences avoided need --population) or a count of offences (offences avoided = the summed effect); required with --population when the outcome holds whole numbers',
  }),
});
