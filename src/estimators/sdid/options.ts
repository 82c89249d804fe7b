/**
 * The options of `scm --method sdid`, declared once (see src/core/optionTable.ts).
 */
import { choice, defineOptions, num, str } from '../../core/optionTable.js';
import { SDID_KINDS } from './core.js';
import { SCM_REPS } from '../scmOptions.js';

export const SDID_OPTIONS = defineOptions({
  sdidEstimator: choice(SDID_KINDS, { flag: '--sdid-estimator <kind>', help: "[sdid] sdid, or the paper's sc (no intercept, no time weights) or did (uniform weights)", default: 'sdid' }),
  reps: SCM_REPS,
  cluster: str({ flag: '--cluster <col>', help: '[sdid] resample clusters (bootstrap) or leave clusters out (jackknife); units must be nested in clusters' }),
});
