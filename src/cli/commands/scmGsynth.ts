/**
 * `vru-eval scm --method gsynth`: generalized synthetic control (Xu 2017).
 * Flags (table: src/estimators/gsynth/options.ts) → analyseGsynth (src/analyse/scm.ts) → document.
 */
import { GSYNTH_OPTIONS } from '../../estimators/gsynth/options.js';
import { SCM_OPTIONS } from '../../estimators/scmOptions.js';
import { analyseGsynth, type GsynthAnalyseOptions } from '../../analyse.js';
import { emitDocument, type CliContext } from '../context.js';
import { analyseOptionsFrom, commonFrom } from '../options.js';
import { cliHooks } from '../progress.js';
import type { ScmMethod } from './scmMethods.js';
import { SCM_ANALYSES } from '../../analyse/scmMethods.js';

export const gsynthMethod: ScmMethod = {
  name: 'gsynth',
  description: SCM_ANALYSES.gsynth.description,
  options: GSYNTH_OPTIONS,
  run: async (ctx: CliContext, file: string, o: Record<string, unknown>) => {
    const r = await analyseGsynth(file, analyseOptionsFrom<GsynthAnalyseOptions>(o, [SCM_OPTIONS, GSYNTH_OPTIONS]), cliHooks(ctx));
    emitDocument(ctx, r.command, r.input, r.analysis, commonFrom(o).out);
  },
};
