/**
 * `vru-eval scm --method synth`: classic synthetic control (typed options → library → document;
 * options table: src/estimators/synth/options.ts).
 */
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../../core/errors.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { cellCounts, requirePanelOutcomeVariation, withCells } from '../../core/degenerate.js';
import { readOptions } from '../../core/optionTable.js';
import { SYNTH_OPTIONS } from '../../estimators/synth/options.js';
import { predictorColumns } from '../../estimators/synth/predictors.js';
import { SYNTH_INFERENCE, synth, type SynthOptions } from '../../estimators/synth/synth.js';
import { emitDocument } from '../context.js';
import { commonFrom, panelOptionsFrom } from '../options.js';
import { SCM_OPTIONS } from './scmOptions.js';
import type { ScmMethod } from './scmMethods.js';
import { step } from '../progress.js';

/** Predictors from a JSON file: an array of predictor strings, or { "predictors": [...] }. */
function readPredictorsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('FILE_NOT_FOUND', `--predictors-file ${file} cannot be read`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError('BAD_PREDICTORS_FILE', `--predictors-file ${file} is not valid JSON (${(e as Error).message})`, { file });
  }
  const arr = Array.isArray(data) ? data : (data as { predictors?: unknown })?.predictors;
  if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string')) {
    throw new InputError('BAD_PREDICTORS_FILE', `--predictors-file ${file} must hold an array of predictor strings such as ["lnincome@1980:1988", "cigsale@1975"] (or {"predictors": [...]})`, { file });
  }
  return arr as string[];
}

export const synthMethod: ScmMethod = {
  name: 'synth',
  description: 'classic synthetic control (Abadie et al.) with placebo and conformal inference',
  options: SYNTH_OPTIONS,
  run: (ctx, file, o) => {
    const common = commonFrom(o);
    const v = readOptions(SYNTH_OPTIONS, o);
    const scm = readOptions(SCM_OPTIONS, o);
    if (o.population !== undefined || scm.outcomeScale !== undefined) {
      // classic synthetic control reports effects in the outcome's units only: reject rather than ignore
      const flag = o.population !== undefined ? '--population' : '--outcome-scale';
      throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} is not used by --method synth (no conversion to offences); drop it, or use --method gsynth for offences avoided`, { flag, method: 'synth' });
    }
    const inference = scm.inference ?? 'placebo';
    if (!(SYNTH_INFERENCE as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method synth (choose ${SYNTH_INFERENCE.join(', ')})`, { flag: '--inference', value: inference });
    }
    if (v.predictors !== undefined && v.predictorsFile !== undefined) throw new UsageError('CONFLICTING_PREDICTORS', 'give --predictors or --predictors-file, not both');
    const predictors = v.predictorsFile !== undefined ? readPredictorsFile(v.predictorsFile) : (v.predictors ?? []);
    let window: [string, string] | undefined;
    if (v.optimisationWindow !== undefined) {
      const parts = v.optimisationWindow.split(':');
      if (parts.length !== 2 || parts.some((x) => x.trim() === '')) throw new UsageError('BAD_WINDOW', `--optimisation-window '${v.optimisationWindow}' must be from:to, e.g. 1970:1988`);
      window = [parts[0]!.trim(), parts[1]!.trim()];
    }
    let trainingWindow: [string, string] | undefined;
    if (v.trainingWindow !== undefined) {
      const parts = v.trainingWindow.split(':');
      if (parts.length !== 2 || parts.some((x) => x.trim() === '')) throw new UsageError('BAD_WINDOW', `--training-window '${v.trainingWindow}' must be from:to, e.g. 1981:1990`);
      trainingWindow = [parts[0]!.trim(), parts[1]!.trim()];
    }
    const training = v.trainingPredictors ?? [];
    const popts = panelOptionsFrom(o);
    const extra = predictorColumns([...predictors, ...training]).filter((c) => c !== popts.outcome);
    if (extra.length > 0) popts.covariates = [...new Set([...(popts.covariates ?? []), ...extra])];
    const panel = applyDonorPool(step(ctx, `reading ${file}`, () => readPanel(file, popts)), { donors: scm.donors, excludeUnits: scm.excludeUnits });
    const options: SynthOptions = {
      predictors,
      v: v.v,
      vSearch: v.vSearch,
      optimisationWindow: window,
      placebo: v.placebo,
      placeboStart: v.placeboStart,
      placeboFilter: v.placeboFilter ?? null,
      placeboDraws: v.placeboDraws,
      loo: v.loo === true,
      trainingPredictors: training,
      trainingWindow,
      uniquenessTol: v.uniquenessTol === 'off' ? null : (v.uniquenessTol ?? 0.01),
      inference: inference as SynthOptions['inference'],
      level: common.level,
      seed: common.seed,
    };
    requirePanelOutcomeVariation(panel, 'scm --method synth');
    const analysis = step(ctx, `synth: ${panel.units.length} units, ${options.placebo === 'none' ? 'no placebos' : `${options.placebo} placebos`}${inference === 'conformal' ? ', conformal grids' : ''}${options.loo ? ', leave-one-out' : ''}`, () => synth(panel, options));
    analysis.options = {
      ...analysis.options,
      outcome: panel.outcome,
      exclude: scm.excludeUnits ?? null,
      donorsFlag: scm.donors ?? null,
    };
    // Classic SC needs a balanced panel (missing cells are an error), so every observed cell is used.
    emitDocument(ctx, 'scm', withCells(inputInfo(panel), cellCounts(panel, [])), analysis, common.out);
  },
};
