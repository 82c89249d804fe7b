/**
 * `vru-eval robustness <result.json>`: run the robustness suite (src/plan/robustness.ts) around an
 * existing result, re-using the options recorded in it. The data file is --data, or the document's
 * input file beside the document; its content must be the one the result was computed from.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { OUTPUT_OPTIONS } from '../../core/commonOptions.js';
import { InputError, UsageError } from '../../core/errors.js';
import { bool, custom, defineOptions, num, numberArg, planValues, readOptions, str, strList, type OptionTable } from '../../core/optionTable.js';
import type { ResultDocument } from '../../core/result.js';
import { INFERENCES } from '../../estimators/gsynth/index.js';
import { SYNTH_INFERENCE } from '../../estimators/synth/synth.js';
import { readResultDocument } from '../../plot/document.js';
import { PLAN_COMMANDS } from '../../plan/commands.js';
import { runRobustness, type VariantRow } from '../../plan/robustness.js';
import { emptyRobustness, type RobustnessSpec } from '../../plan/robustnessSpec.js';
import { emitDocument, type CliContext } from '../context.js';
import { execFor } from '../exec.js';
import { addOptions } from '../optionFlags.js';
import { noteTable } from '../planSummary.js';

const ROBUSTNESS_OPTIONS = defineOptions({
  out: OUTPUT_OPTIONS.out,
  plot: OUTPUT_OPTIONS.plot,
  data: str({ flag: '--data <csv>', help: "the panel the result was computed from (default: the document's input file beside it)" }),
  inTimePlacebo: strList({ flag: '--in-time-placebo <period>', help: 'fake start date within the pre-period (repeatable); the data are cut before the real start', split: 'repeat' }),
  looDonors: custom<number | 'all'>({
    flag: '--loo-donors <n|all>',
    help: 'leave out each of the n most influential donors in turn (largest weight, else highest pre-period correlation with the treated average), or all',
    parse: (s) => (s === 'all' ? 'all' : numberArg('--loo-donors', { integer: true, min: 0 })(s)),
    schema: { anyOf: [{ type: 'integer', minimum: 0 }, { const: 'all' }] },
    toArgs: (v) => [[String(v)]],
  }),
  looTreated: bool({ flag: '--loo-treated', help: 'leave out each treated unit in turn' }),
  donorPool: strList({ flag: '--donor-pool <name=a,b|name@column>', help: "donor-pool variant (repeatable): drop the listed donors ('name=A01,A02'), or every donor sharing a column's value with a treated unit ('name@force')", split: 'repeat' }),
  altStart: strList({ flag: '--alt-start <period>', help: 'alternative start date (repeatable)', split: 'repeat' }),
  excludeWindow: strList({ flag: '--exclude-window <from:to>', help: 'leave this shock window out (gsynth: --exclude-periods; its: a dummy); repeatable', split: 'repeat' }),
  placeboOutcome: strList({ flag: '--placebo-outcome <col>', help: 'outcome the programme should not move (repeatable)', split: 'repeat' }),
  covariatesCheck: strList({ flag: '--covariates-check <a,b,...>', help: 'adjusted vs unadjusted on the same reduced sample (units with a missing covariate dropped from both)' }),
  threads: num({ flag: '--threads <n>', aliases: [{ flag: '--jobs <n>' }], help: 'variants at a time (1 = serial, in this process; results are identical); default min(4, cores)', integer: true, min: 1, max: 64 }),
});

/** Recorded option names that differ from the flag's name. */
const RENAMED: Record<string, Record<string, string>> = {
  its: { interruptions: 'interruption', dummies: 'dummy' },
  synth: { exclude: 'excludeUnits', donorsFlag: 'donors', placeboDraws: 'reps' },
  // issue 23: one flag for replications; documents keep their recorded keys
  gsynth: { boots: 'reps' },
  micro: { perms: 'reps' },
  cs: { boots: 'reps' },
};

/** The options of the recorded analysis, as plan values of its command's tables (keys that do not validate are left out and reported). */
function recordedOptions(doc: ResultDocument): { command: (typeof PLAN_COMMANDS)[number]; tables: OptionTable[]; values: Record<string, unknown>; given: Set<string>; skipped: string[] } {
  const command = PLAN_COMMANDS.find((c) => c.name === doc.command && c.panel);
  if (!command) throw new UsageError('NOT_AN_ANALYSIS', `robustness re-runs an estimating command (scm, its, did); this document was written by '${doc.command}'`, { command: doc.command });
  const raw: Record<string, unknown> = {};
  const rename = RENAMED[doc.method] ?? RENAMED[doc.command] ?? {};
  // synth records the resolved donor pool as `donors` and the flag as `donorsFlag`
  const recorded = { ...(doc.options ?? {}) };
  if (doc.method === 'synth') delete recorded.donors;
  // twfe records its default clustering as the label "unit (<unit column>)", which is not a column
  if (doc.method === 'twfe' && typeof recorded.cluster === 'string' && /^unit \(.*\)$/.test(recorded.cluster)) delete recorded.cluster;
  for (const [k, v] of Object.entries(recorded)) if (v !== null && !(Array.isArray(v) && v.length === 0)) raw[rename[k] ?? k] = v;
  const outcome = (doc.input as { outcome?: unknown } | null)?.outcome;
  if (typeof outcome === 'string') raw.outcome = outcome;
  if (doc.command === 'scm' || doc.command === 'did') raw.method = doc.method;
  if (doc.command === 'scm') {
    const allowed: readonly string[] = doc.method === 'synth' ? SYNTH_INFERENCE : INFERENCES;
    if (typeof raw.inference === 'string' && !allowed.includes(raw.inference)) delete raw.inference;
  }
  const tables = command.tables(raw);
  const known = new Set(tables.flatMap((t) => Object.entries(t).filter(([, o]) => o.plan !== false).map(([k]) => k)));
  const accepted: Record<string, unknown> = {};
  const skipped: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (!known.has(k)) {
      skipped.push(k);
      continue;
    }
    try {
      planValues(tables, { [k]: v, outcome: raw.outcome }, 'options');
      accepted[k] = v;
    } catch {
      skipped.push(k);
    }
  }
  const pv = planValues(tables, accepted, `${doc.command} options recorded in the document`);
  return { command, tables, values: pv.values, given: pv.given, skipped };
}

export function robustnessCommand(ctx: CliContext): Command {
  const cmd = new Command('robustness')
    .description('robustness suite around a result: in-time placebos, leave-one-out over donors and treated units, donor-pool variants, alternative start dates, an excluded shock window, placebo outcomes, adjusted vs unadjusted on one sample; one table (variant, estimate, interval, difference from the main estimate) and a forest plot (--plot)')
    .argument('<result.json>', 'result document written by scm, its or did');
  addOptions(cmd, ROBUSTNESS_OPTIONS);
  return cmd.action(async (file: string, o: Record<string, unknown>) => {
    const v = readOptions(ROBUSTNESS_OPTIONS, o);
    const spec: RobustnessSpec = emptyRobustness();
    spec.inTimePlacebos = v.inTimePlacebo ?? [];
    spec.leaveOneOut = { donors: v.looDonors ?? 0, treated: v.looTreated === true };
    spec.starts = v.altStart ?? [];
    spec.excludeWindows = v.excludeWindow ?? [];
    spec.placeboOutcomes = v.placeboOutcome ?? [];
    spec.covariates = v.covariatesCheck ?? [];
    for (const p of v.donorPool ?? []) {
      const m = /^([^=@]+)(=|@)(.+)$/.exec(p);
      if (!m) throw new UsageError('BAD_DONOR_POOL', `--donor-pool '${p}' must be name=A01,A02 (drop these donors) or name@column (drop donors sharing the column's value with a treated unit)`, { flag: '--donor-pool' });
      spec.donorPools.push(m[2] === '=' ? { name: m[1]!, exclude: m[3]!.split(',').map((s) => s.trim()).filter(Boolean), sameAs: null } : { name: m[1]!, exclude: [], sameAs: m[3]! });
    }
    const nChecks = spec.inTimePlacebos.length + spec.starts.length + spec.excludeWindows.length + spec.placeboOutcomes.length + spec.donorPools.length + spec.covariates.length + (spec.leaveOneOut.donors !== 0 ? 1 : 0) + (spec.leaveOneOut.treated ? 1 : 0);
    if (nChecks === 0) throw new UsageError('NO_CHECKS', 'name at least one check: --in-time-placebo, --loo-donors, --loo-treated, --donor-pool, --alt-start, --exclude-window, --placebo-outcome or --covariates-check', {});
    const doc = readResultDocument(file);
    const rec = recordedOptions(doc);
    const method = String(rec.values.method ?? doc.method);
    if (spec.excludeWindows.length > 0 && !(method === 'gsynth' || doc.command === 'its')) throw new UsageError('CHECK_NOT_AVAILABLE', `--exclude-window needs a gsynth or its result; this is ${doc.command} --method ${method}`, { flag: '--exclude-window' });
    if (spec.covariates.length > 0 && !(method === 'gsynth' || method === 'cs')) throw new UsageError('CHECK_NOT_AVAILABLE', `--covariates-check needs a gsynth or did --method cs result; this is ${doc.command} --method ${method}`, { flag: '--covariates-check' });
    const inputFile = (doc.input as { file?: unknown } | null)?.file;
    const data = v.data ?? (typeof inputFile === 'string' ? join(dirname(file), inputFile) : undefined);
    if (data === undefined || !existsSync(data)) throw new UsageError('MISSING_DATA', `give the panel the result was computed from with --data <csv>${typeof inputFile === 'string' ? ` (${inputFile} is not beside ${file})` : ''}`, { flag: '--data' });
    const jobs = v.threads ?? Math.max(1, Math.min(4, availableParallelism()));
    const scratch = mkdtempSync(join(tmpdir(), 'vru-robust-'));
    const exec = execFor(jobs);
    try {
      const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
      spec.rerun = true;
      const analysis = await runRobustness({ command: rec.command.name, file: data, tables: rec.tables, values: rec.values, given: rec.given, doc, docFile: file, docSha256: sha }, spec, exec, scratch);
      // The variants only mean something if the recorded options reproduce the main estimate on this data.
      const main = doc.estimate?.att;
      const again = (analysis.variants as VariantRow[]).find((r) => r.group === 'main re-run')!;
      if (typeof main !== 'number' || again.att === null || Math.abs(again.att - main) > 1e-9 * Math.max(1, Math.abs(main))) {
        throw new InputError(
          'NOT_REPRODUCED',
          `re-running ${basename(file)} from its recorded options on ${data} gives ${again.error ?? `an estimate of ${again.att}`}, not the recorded ${main}; the data differ from the result's input, or an option was not recorded${rec.skipped.length ? ` (not re-applied: ${rec.skipped.join(', ')})` : ''}. Give the original data with --data, or run the suite from a plan`,
          { file, data },
        );
      }
      if (rec.skipped.length > 0) analysis.warnings.push({ code: 'OPTIONS_NOT_REAPPLIED', message: `recorded option(s) not re-applied to the variants (no flag of that name and value): ${rec.skipped.join(', ')}` });
      noteTable(ctx, emitDocument(ctx, 'robustness', { files: [{ file: basename(file), sha256: sha, role: 'main' }] }, analysis, v.out, { main: doc }));
    } finally {
      await exec.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
