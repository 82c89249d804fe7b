/**
 * One library call per analysis:
 *
 *     import { analyse, analysisDocument } from 'vru-eval';
 *     const r = await analyse('panel.csv', { method: 'gsynth', outcome: 'violence_rate', factors: 2, reps: 200 });
 *     r.analysis.estimate.value;                  // the ATT
 *     const doc = analysisDocument(r);            // the same document `vru-eval scm --method gsynth` writes
 *
 * `source` is a panel file (CSV, Parquet, Arrow; read with the columns the method needs) or a built
 * Panel. The options are the typed values of the same option tables the CLI flags and plan files
 * use (camelCase of the flag: --factors-max → factorsMax), with the same defaults, plus `method`.
 * analyse() does every preparation step the commands used to do (donor pool, outcome scale,
 * cluster/weight columns, several micro outcomes, ITS without a treatment column, …), so a library
 * user gets the CLI's document exactly; the CLI and `vru-eval run` only parse flags, read
 * predictor files and print. Errors are typed (src/core/errors.ts); nothing is written to stdout/stderr.
 */
import { makeDocument, type ResultDocument } from './core/result.js';
import { UsageError } from './core/errors.js';
import { analyseAscm, analyseGsynth, analyseSdid, analyseSynth, type Analysed, type AscmAnalyseOptions, type GsynthAnalyseOptions, type SdidAnalyseOptions, type SynthAnalyseOptions } from './analyse/scm.js';
import { analyseMicro, type MicroAnalyseOptions } from './analyse/micro.js';
import { analyseIts, type ItsAnalyseOptions } from './analyse/its.js';
import { analyseCs, analyseTwfe, type CsAnalyseOptions, type TwfeAnalyseOptions } from './analyse/did.js';
import type { AnalyseHooks, PanelSource } from './analyse/source.js';
import { toolInfo } from './core/tool.js';

export type { Analysed, AnalyseHooks, PanelSource };
export type { AscmAnalyseOptions, GsynthAnalyseOptions, SdidAnalyseOptions, SynthAnalyseOptions, MicroAnalyseOptions, ItsAnalyseOptions, CsAnalyseOptions, TwfeAnalyseOptions };
export { analyseAscm, analyseGsynth, analyseSdid, analyseSynth, analyseMicro, analyseIts, analyseCs, analyseTwfe };
export { unitClusters, readPredictorsFile } from './analyse/scm.js';
export { analyseCba, type CbaAnalyseOptions, type CbaAnalysed } from './analyse/cba.js';

/** The analyses, by method name: scm's methods, its, and did's twfe and cs. */
export const ANALYSE_METHODS = ['gsynth', 'synth', 'sdid', 'ascm', 'micro', 'its', 'twfe', 'cs'] as const;
export type AnalyseMethod = (typeof ANALYSE_METHODS)[number];

export type AnalyseOptions =
  | ({ method: 'gsynth' } & GsynthAnalyseOptions)
  | ({ method: 'synth' } & SynthAnalyseOptions)
  | ({ method: 'sdid' } & SdidAnalyseOptions)
  | ({ method: 'ascm' } & AscmAnalyseOptions)
  | ({ method: 'micro' } & MicroAnalyseOptions)
  | ({ method: 'its' } & ItsAnalyseOptions)
  | ({ method: 'twfe' } & TwfeAnalyseOptions)
  | ({ method: 'cs' } & CsAnalyseOptions);

/** The `method` key out of the options: the rest are the method's own. */
function rest<T extends { method: string }>(o: T): Omit<T, 'method'> {
  const { method: _m, ...r } = o;
  return r;
}

/**
 * Run one analysis as the CLI would, returning its command, input block and analysis.
 * @throws UsageError (bad options), InputError (bad data), EstimationError (the method cannot estimate)
 */
export async function analyse(source: PanelSource, options: AnalyseOptions, hooks?: AnalyseHooks): Promise<Analysed> {
  switch (options.method) {
    case 'gsynth':
      return analyseGsynth(source, rest(options), hooks);
    case 'synth':
      return analyseSynth(source, rest(options), hooks);
    case 'sdid':
      return analyseSdid(source, rest(options));
    case 'ascm':
      return analyseAscm(source, rest(options));
    case 'micro':
      return analyseMicro(source, rest(options), hooks);
    case 'its':
      return analyseIts(source, rest(options), hooks);
    case 'twfe':
      return analyseTwfe(source, rest(options), hooks);
    case 'cs':
      return analyseCs(source, rest(options), hooks);
    default:
      throw new UsageError('UNKNOWN_METHOD', `method ${String((options as { method?: unknown }).method)} is not available (choose ${ANALYSE_METHODS.join(', ')})`, { method: (options as { method?: unknown }).method });
  }
}

/** The result document of an analysis (the JSON the CLI writes); `tool` defaults to this package's name and version. */
export function analysisDocument(r: Analysed, tool: { name: string; version: string } = toolInfo()): ResultDocument {
  return makeDocument(r.command, tool, r.input, r.analysis);
}
