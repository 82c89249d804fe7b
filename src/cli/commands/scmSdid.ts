/**
 * `vru-eval scm --method sdid`: synthetic difference-in-differences (Arkhangelsky et al. 2021),
 * with the paper's SC and DID via --sdid-estimator. Flags → analyseSdid (src/analyse/scm.ts) → document.
 */
import { SDID_OPTIONS } from '../../estimators/sdid/options.js';
import { SCM_OPTIONS } from '../../estimators/scmOptions.js';
import { analyseSdid, type SdidAnalyseOptions } from '../../analyse.js';
import { emitDocument } from '../context.js';
import { analyseOptionsFrom, commonFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';
import { SCM_ANALYSES } from '../../analyse/scmMethods.js';

/** Moved to the library (src/analyse/scm.ts); re-exported for existing imports. */
export { unitClusters } from '../../analyse.js';

export const sdidMethod: ScmMethod = {
  name: 'sdid',
  description: SCM_ANALYSES.sdid.description,
  options: SDID_OPTIONS,
  run: (ctx, file, o) => {
    const r = analyseSdid(file, analyseOptionsFrom<SdidAnalyseOptions>(o, [SCM_OPTIONS, SDID_OPTIONS]));
    emitDocument(ctx, r.command, r.input, r.analysis, commonFrom(o).out);
  },
};
