/**
 * `vru-eval scm --method sdid`: synthetic difference-in-differences (Arkhangelsky et al. 2021),
 * with the paper's SC and DID via --sdid-estimator (flags → library → document).
 */
import { InputError, UsageError } from '../../core/errors.js';
import { cellCounts, requirePanelOutcomeVariation, withCells } from '../../core/degenerate.js';
import { applyDonorPool, readPanelWith, type Panel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { SDID_INFERENCE, sdid, type SdidInference } from '../../estimators/sdid/sdid.js';
import { readOptions } from '../../core/optionTable.js';
import { SDID_OPTIONS } from '../../estimators/sdid/options.js';
import type { ColumnTable } from '../../io/columns.js';
import { emitDocument } from '../context.js';
import { commonFrom, panelOptionsFrom } from '../options.js';
import { resolveOutcomeScale, type OutcomeScale } from '../outcomeScale.js';
import { attachAttCounts } from '../../estimators/attCounts.js';
import { readOptions as readTable } from '../../core/optionTable.js';
import { GSYNTH_OPTIONS } from '../../estimators/gsynth/options.js';
import { SCM_OPTIONS } from './scmOptions.js';
import type { ScmMethod } from './scmMethods.js';

/**
 * Cluster label of each panel unit from a column of the table; the column must be constant within units.
 * @throws InputError UNKNOWN_COLUMN | CLUSTER_NOT_NESTED | MISSING_CLUSTER
 */
export function unitClusters(table: ColumnTable, panel: Panel, column: string): string[] {
  const g = table.keys.get(column);
  if (!g) throw new InputError('UNKNOWN_COLUMN', `${panel.file}: --cluster column '${column}' is not in the header (${table.header.join(', ')})`, { column });
  const uk = table.keys.get(panel.columns.unit)!;
  const byUnit = new Map<string, string>();
  for (let k = 0; k < table.nRows; k++) {
    const u = uk.values[uk.codes[k]!]!;
    const c = g.values[g.codes[k]!]!;
    const at = `${table.where} ${table.lines[k]}`;
    if (c === '') throw new InputError('MISSING_CLUSTER', `${panel.file} ${at}: '${u}' has an empty --cluster '${column}'`, { unit: u, [table.where]: table.lines[k] });
    const prev = byUnit.get(u);
    if (prev !== undefined && prev !== c) throw new InputError('CLUSTER_NOT_NESTED', `${panel.file} ${at}: '${u}' is in cluster '${prev}' and '${c}'; units must be nested in clusters`, { unit: u, [table.where]: table.lines[k] });
    byUnit.set(u, c);
  }
  return panel.units.map((u) => byUnit.get(u)!);
}

export const sdidMethod: ScmMethod = {
  name: 'sdid',
  description: 'synthetic difference-in-differences (Arkhangelsky et al. 2021), also its SC and DID; staggered adoption by cohort',
  options: SDID_OPTIONS,
  run: (ctx, file, o) => {
    const common = commonFrom(o);
    const v = readOptions(SDID_OPTIONS, o);
    const scm = readOptions(SCM_OPTIONS, o);
    const inference = scm.inference ?? 'placebo';
    if (!(SDID_INFERENCE as readonly string[]).includes(inference)) {
      throw new UsageError('BAD_INFERENCE', `--inference ${inference} is not available for --method sdid (choose ${SDID_INFERENCE.join(', ')})`, { flag: '--inference', value: inference });
    }
    if (v.reps !== undefined && !(inference === 'placebo' || inference === 'bootstrap')) throw new UsageError('REPS_NOT_USED', `--reps applies to --inference placebo or bootstrap, not ${inference}`);
    if (v.cluster !== undefined && !(inference === 'bootstrap' || inference === 'jackknife')) throw new UsageError('CLUSTER_NOT_USED', `--cluster applies to --inference bootstrap or jackknife, not ${inference}`);
    // CSV, Parquet or Arrow, as every estimating command reads (src/io/columns.ts).
    const { panel: full, table } = readPanelWith(file, panelOptionsFrom(o), v.cluster !== undefined ? [{ name: v.cluster, kind: 'key' }] : []);
    const panel = applyDonorPool(full, { donors: scm.donors, excludeUnits: scm.excludeUnits });
    // issue 21: --population converts the effect to offences avoided, as gsynth (src/cli/outcomeScale.ts)
    const scale = resolveOutcomeScale(panel, scm.outcomeScale as OutcomeScale | undefined);
    const clusters = v.cluster !== undefined ? unitClusters(table, panel, v.cluster) : null;
    requirePanelOutcomeVariation(panel, 'scm --method sdid'); // issue 15: one CONSTANT_OUTCOME error in every command
    const analysis = sdid(panel, {
      estimator: v.sdidEstimator,
      inference: inference as SdidInference,
      reps: v.reps ?? 200,
      clusters,
      clusterColumn: v.cluster ?? null,
      covariates: panel.covariateNames,
      level: common.level,
      seed: common.seed,
    });
    analysis.options = { ...analysis.options, outcome: panel.outcome, donors: scm.donors ?? null, excludeUnits: scm.excludeUnits ?? null };
    attachAttCounts(analysis, panel, scale, readTable(GSYNTH_OPTIONS, o).ratePer); // --rate-per (declared with gsynth's options)
    // SDID needs a balanced panel: a missing outcome cell is UNBALANCED_PANEL (exit 3, as classic SC
    // and ITS) and a missing covariate cell MISSING_COVARIATE, so every cell is observed and used.
    emitDocument(ctx, 'scm', withCells(inputInfo(panel), cellCounts(panel, [])), analysis, common.out);
  },
};
