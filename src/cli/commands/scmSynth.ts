/**
 * `vru-eval scm --method synth`: classic synthetic control.
 * Flags (table: src/estimators/synth/options.ts) → analyseSynth (src/analyse/scm.ts) → document.
 */
import { SYNTH_OPTIONS } from '../../estimators/synth/options.js';
import { SCM_OPTIONS } from '../../estimators/scmOptions.js';
import { analyseSynth, type SynthAnalyseOptions } from '../../analyse.js';
import { emitDocument } from '../context.js';
import { analyseOptionsFrom, commonFrom } from '../options.js';
import { cliHooks } from '../progress.js';
import type { ScmMethod } from './scmMethods.js';
import { SCM_ANALYSES } from '../../analyse/scmMethods.js';

export const synthMethod: ScmMethod = {
  name: 'synth',
  description: SCM_ANALYSES.synth.description,
  options: SYNTH_OPTIONS,
  run: (ctx, file, o) => {
    const r = analyseSynth(file, analyseOptionsFrom<SynthAnalyseOptions>(o, [SCM_OPTIONS, SYNTH_OPTIONS]), cliHooks(ctx));
    emitDocument(ctx, r.command, r.input, r.analysis, commonFrom(o).out);
  },
};
