/**
 * `vru-eval scm --method ascm`: augmented synthetic control (Ben-Michael, Feller & Rothstein 2021).
 * Flags → analyseAscm (src/analyse/scm.ts) → document.
 */
import { ASCM_OPTIONS } from '../../estimators/ascm/options.js';
import { SCM_OPTIONS } from '../../estimators/scmOptions.js';
import { analyseAscm, type AscmAnalyseOptions } from '../../analyse.js';
import { emitDocument } from '../context.js';
import { analyseOptionsFrom, commonFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';
import { SCM_ANALYSES } from '../../analyse/scmMethods.js';

export const ascmMethod: ScmMethod = {
  name: 'ascm',
  description: SCM_ANALYSES.ascm.description,
  options: ASCM_OPTIONS,
  run: (ctx, file, o) => {
    const r = analyseAscm(file, analyseOptionsFrom<AscmAnalyseOptions>(o, [SCM_OPTIONS, ASCM_OPTIONS]));
    emitDocument(ctx, r.command, r.input, r.analysis, commonFrom(o).out);
  },
};
