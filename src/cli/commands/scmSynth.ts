/**
 * `vru-eval scm --method synth`: classic synthetic control (flags → library → document).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import { applyDonorPool, readPanel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { predictorColumns, splitPredictorList } from '../../estimators/synth/predictors.js';
import { SYNTH_INFERENCE, SYNTH_PLACEBO, SYNTH_V, SYNTH_V_SEARCH, synth, type SynthOptions } from '../../estimators/synth/synth.js';
import { emitDocument } from '../context.js';
import { commonFrom, numberArg, panelOptionsFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';
import { step } from '../progress.js';

const appendPredictors = (value: string, previous: string[] = []) => [...previous, ...splitPredictorList(value)];

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
  ownOptions: ['predictors', 'predictorsFile', 'v', 'vSearch', 'optimisationWindow', 'placebo', 'placeboStart', 'placeboFilter', 'placeboDraws', 'loo'],
  addOptions: (cmd: Command) =>
    cmd
      .option('--predictors <list>', "[synth] predictors var@P, var@A:B, var@A:B:step, a+b@A:B, share(a|b|c)@A:B, comma-separated (default: every pre-period outcome, V = I)", appendPredictors)
      .option('--predictors-file <json>', '[synth] JSON array of predictor strings (alternative to --predictors)')
      .addOption(new Option('--v <method>', '[synth] predictor weights V with --predictors (default nested)').choices([...SYNTH_V]))
      .addOption(new Option('--v-search <how>', '[synth] nested-V search starts: equal V; equal and regression-based V; or those plus one per predictor and 8 quasi-random (default equal-regression)').choices([...SYNTH_V_SEARCH]))
      .option('--optimisation-window <from:to>', '[synth] periods whose outcome MSPE nested V minimises (default: all pre periods)')
      .addOption(new Option('--placebo <kind>', '[synth] placebo analysis').choices([...SYNTH_PLACEBO]).default('space'))
      .option('--placebo-start <period>', '[synth] fake start for --placebo time')
      .option('--placebo-filter <k>', '[synth] drop space placebos with pre-RMSPE > k × the treated unit\'s', numberArg('--placebo-filter', { min: 0, exclusiveMin: true }))
      .option('--placebo-draws <n>', '[synth] random placebo sets for the programme p-value with several treated units (default 5000)', numberArg('--placebo-draws', { integer: true, min: 1 }))
      .option('--loo', '[synth] leave-one-donor-out refits for each donor with positive weight'),
  run: (ctx, file, o) => {
    const common = commonFrom(o);
    if (o.population !== undefined || o.outcomeScale !== undefined) {
      // classic synthetic control reports effects in the outcome's units only: reject rather than ignore
      const flag = o.population !== undefined ? '--population' : '--outcome-scale';
      throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} is not used by --method synth (no conversion to offences); drop it, or use --method gsynth for offences avoided`, { flag, method: 'synth' });
    }
    const inference = (o.inference as string | undefined) ?? 'placebo';
    if (!(SYNTH_INFERENCE as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method synth (choose ${SYNTH_INFERENCE.join(', ')})`, { flag: '--inference', value: inference });
    }
    if (o.predictors !== undefined && o.predictorsFile !== undefined) throw new UsageError('CONFLICTING_PREDICTORS', 'give --predictors or --predictors-file, not both');
    const predictors = o.predictorsFile !== undefined ? readPredictorsFile(o.predictorsFile as string) : ((o.predictors as string[] | undefined) ?? []);
    let window: [string, string] | undefined;
    if (o.optimisationWindow !== undefined) {
      const parts = String(o.optimisationWindow).split(':');
      if (parts.length !== 2 || parts.some((x) => x.trim() === '')) throw new UsageError('BAD_WINDOW', `--optimisation-window '${String(o.optimisationWindow)}' must be from:to, e.g. 1970:1988`);
      window = [parts[0]!.trim(), parts[1]!.trim()];
    }
    const popts = panelOptionsFrom(o);
    const extra = predictorColumns(predictors).filter((c) => c !== popts.outcome);
    if (extra.length > 0) popts.covariates = [...new Set([...(popts.covariates ?? []), ...extra])];
    const panel = applyDonorPool(step(ctx, `reading ${file}`, () => readPanel(file, popts)), { donors: o.donors as string[] | undefined, excludeUnits: o.excludeUnits as string[] | undefined });
    const options: SynthOptions = {
      predictors,
      v: o.v as SynthOptions['v'],
      vSearch: o.vSearch as SynthOptions['vSearch'],
      optimisationWindow: window,
      placebo: o.placebo as SynthOptions['placebo'],
      placeboStart: o.placeboStart as string | undefined,
      placeboFilter: (o.placeboFilter as number | undefined) ?? null,
      placeboDraws: o.placeboDraws as number | undefined,
      loo: o.loo === true,
      inference: inference as SynthOptions['inference'],
      level: common.level,
      seed: common.seed,
    };
    const analysis = step(ctx, `synth: ${panel.units.length} units, ${options.placebo === 'none' ? 'no placebos' : `${options.placebo} placebos`}${inference === 'conformal' ? ', conformal grids' : ''}${options.loo ? ', leave-one-out' : ''}`, () => synth(panel, options));
    analysis.options = {
      ...analysis.options,
      outcome: panel.outcome,
      exclude: (o.excludeUnits as string[] | undefined) ?? null,
      donorsFlag: (o.donors as string[] | undefined) ?? null,
    };
    emitDocument(ctx, 'scm', inputInfo(panel), analysis, common.out);
  },
};
