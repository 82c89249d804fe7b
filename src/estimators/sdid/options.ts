/**
 * The options of `scm --method sdid`, declared once (see src/core/optionTable.ts).
 */
import { choice, defineOptions, num, str } from '../../core/optionTable.js';
import { SDID_KINDS } from './core.js';

export const SDID_OPTIONS = defineOptions({
  sdidEstimator: choice(SDID_KINDS, { flag: '--sdid-estimator <kind>', help: "[sdid] sdid, or the paper's sc (no intercept, no time weights) or did (uniform weights)", default: 'sdid' }),
  reps: num({ flag: '--reps <n>', help: '[sdid] placebo / bootstrap replications (default 200)', integer: true, min: 2, max: 1e6 }),
  cluster: str({ flag: '--cluster <col>', help: '[sdid] resample clusters (bootstrap) or leave clusters out (jackknife); units must be nested in clusters' }),
});
