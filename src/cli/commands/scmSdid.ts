/**
 * `vru-eval scm --method sdid`: synthetic difference-in-differences (Arkhangelsky et al. 2021),
 * with the paper's SC and DID via --sdid-estimator (flags → library → document).
 */
import { Option, type Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import { applyDonorPool, panelFromTable, type Panel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { SDID_INFERENCE, sdid, type SdidInference } from '../../estimators/sdid/sdid.js';
import { SDID_KINDS, type SdidKind } from '../../estimators/sdid/core.js';
import { readCsvFile, type CsvTable } from '../../io/csv.js';
import { emitDocument } from '../context.js';
import { commonFrom, numberArg, panelOptionsFrom } from '../options.js';
import type { ScmMethod } from './scmMethods.js';

/**
 * Cluster label of each panel unit from a column of the table; the column must be constant within units.
 * @throws InputError UNKNOWN_COLUMN | CLUSTER_NOT_NESTED | MISSING_CLUSTER
 */
export function unitClusters(table: CsvTable, panel: Panel, column: string): string[] {
  const ci = table.header.indexOf(column);
  if (ci < 0) throw new InputError('UNKNOWN_COLUMN', `${panel.file}: --cluster column '${column}' is not in the header (${table.header.join(', ')})`, { column });
  const ui = table.header.indexOf(panel.columns.unit);
  const byUnit = new Map<string, string>();
  table.rows.forEach((r, k) => {
    const u = r[ui]!;
    const g = r[ci]!;
    if (g === '') throw new InputError('MISSING_CLUSTER', `${panel.file} line ${table.lines[k]}: '${u}' has an empty --cluster '${column}'`, { unit: u, line: table.lines[k] });
    const prev = byUnit.get(u);
    if (prev !== undefined && prev !== g) throw new InputError('CLUSTER_NOT_NESTED', `${panel.file} line ${table.lines[k]}: '${u}' is in cluster '${prev}' and '${g}'; units must be nested in clusters`, { unit: u, line: table.lines[k] });
    byUnit.set(u, g);
  });
  return panel.units.map((u) => byUnit.get(u)!);
}

export const sdidMethod: ScmMethod = {
  name: 'sdid',
  description: 'synthetic difference-in-differences (Arkhangelsky et al. 2021), also its SC and DID; staggered adoption by cohort',
  ownOptions: ['sdidEstimator', 'reps', 'cluster'],
  addOptions: (cmd: Command) =>
    cmd
      .addOption(new Option('--sdid-estimator <kind>', '[sdid] sdid, or the paper\'s sc (no intercept, no time weights) or did (uniform weights)').choices([...SDID_KINDS]))
      .option('--reps <n>', '[sdid] placebo / bootstrap replications (default 200)', numberArg('--reps', { integer: true, min: 2, max: 1e6 }))
      .option('--cluster <col>', '[sdid] resample clusters (bootstrap) or leave clusters out (jackknife); units must be nested in clusters'),
  run: (ctx, file, o) => {
    const common = commonFrom(o);
    const inference = (o.inference as string | undefined) ?? 'placebo';
    if (!(SDID_INFERENCE as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method sdid (choose ${SDID_INFERENCE.join(', ')})`, { flag: '--inference', value: inference });
    }
    if (o.reps !== undefined && !(inference === 'placebo' || inference === 'bootstrap')) throw new UsageError('REPS_NOT_USED', `--reps applies to --inference placebo or bootstrap, not ${inference}`);
    if (o.cluster !== undefined && !(inference === 'bootstrap' || inference === 'jackknife')) throw new UsageError('CLUSTER_NOT_USED', `--cluster applies to --inference bootstrap or jackknife, not ${inference}`);
    const table = readCsvFile(file);
    const popts = panelOptionsFrom(o);
    const full = panelFromTable(table, popts);
    const panel = applyDonorPool(full, { donors: o.donors as string[] | undefined, excludeUnits: o.excludeUnits as string[] | undefined });
    const clusters = o.cluster !== undefined ? unitClusters(table, panel, o.cluster as string) : null;
    const analysis = sdid(panel, {
      estimator: (o.sdidEstimator as SdidKind | undefined) ?? 'sdid',
      inference: inference as SdidInference,
      reps: (o.reps as number | undefined) ?? 200,
      clusters,
      clusterColumn: (o.cluster as string | undefined) ?? null,
      covariates: panel.covariateNames,
      level: common.level,
      seed: common.seed,
    });
    analysis.options = { ...analysis.options, outcome: panel.outcome, donors: (o.donors as string[] | undefined) ?? null, excludeUnits: (o.excludeUnits as string[] | undefined) ?? null };
    emitDocument(ctx, 'scm', inputInfo(panel), analysis, common.out);
  },
};
