/**
 * `vru-eval did`: difference-in-differences. --method twfe (two-way fixed
 * effects, event study, CR1 / wild cluster bootstrap) or --method cs
 * (Callaway & Sant'Anna 2021 group-time effects and aggregations).
 */
import { Command } from 'commander';
import { readOptions } from '../../core/optionTable.js';
import { CS_OPTIONS, DID_OPTIONS, parseWindow, TWFE_OPTIONS } from '../../estimators/did/options.js';
import { InputError, UsageError } from '../../core/errors.js';
import { cellOfRow, readPanelWith, type Panel } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { cellCounts, didDesignChecks, missingCellIndices, missingCellsWarning, requirePanelOutcomeVariation, withCells } from '../../core/degenerate.js';
import { Rng } from '../../core/rng.js';
import type { ColumnRequest, ColumnTable } from '../../io/columns.js';
import { NumStatus } from '../../io/number.js';
import { TWFE_DEFAULTS, checkTwfeOptions, estimateCs, estimateTwfe } from '../../estimators/did/index.js';
import type { CliContext } from '../context.js';
import { SENS_OPTIONS, attachSensitivity, checkSensOptions } from '../../estimators/did/sensitivity.js';
import { step } from '../progress.js';
import { emitDocument } from '../context.js';
import { addOptions, givenOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, commonFrom, panelOptionsFrom } from '../options.js';

export { parseWindow };

/** The extra column `column` of the table, or a MISSING_COLUMN error naming the flag. */
function requireColumn(table: ColumnTable, panel: Panel, column: string, flag: string): void {
  if (!table.header.includes(column)) throw new InputError('MISSING_COLUMN', `${panel.file} has no column '${column}' (columns are: ${table.header.join(', ')}); name the right column with ${flag} <column>`, { column, flag });
}

export function didCommand(ctx: CliContext): Command {
  const cmd = new Command('did')
    .description('difference-in-differences: two-way fixed effects with event study and cluster/wild-bootstrap inference (--method twfe), or Callaway & Sant\'Anna group-time effects for staggered adoption (--method cs)')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, DID_OPTIONS);
  addOptions(cmd, TWFE_OPTIONS);
  addOptions(cmd, CS_OPTIONS);
  addOptions(cmd, SENS_OPTIONS);
  return cmd.action((file: string, o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    const { method } = readOptions(DID_OPTIONS, o);
    const twfe = readOptions(TWFE_OPTIONS, o);
    const cs = readOptions(CS_OPTIONS, o);
    const foreign = Object.keys(method === 'twfe' ? CS_OPTIONS : TWFE_OPTIONS);
    const given = givenOptions(command);
    const sens = readOptions(SENS_OPTIONS, o);
    checkSensOptions(sens, given, method, { eventWindow: twfe.eventWindow !== undefined, basePeriod: cs.basePeriod, weights: twfe.weights !== undefined });
    for (const key of foreign) {
      if (given.has(key)) {
        const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
        throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} applies to --method ${method === 'twfe' ? 'cs' : 'twfe'}, not --method ${method}`, { flag, method });
      }
    }
    if (o.population !== undefined) {
      // accepted by the shared panel flags but used by no DiD estimator: reject rather than ignore
      throw new UsageError('POPULATION_NOT_USED', `'did' does not use --population (its effects stay in the outcome's units); to weight the regression by population use --weights ${String(o.population)} (--method twfe), or drop --population`, { flag: '--population' });
    }
    const clusterCol = method === 'twfe' ? twfe.cluster : undefined;
    const weightsCol = method === 'twfe' ? twfe.weights : undefined;
    const extra: ColumnRequest[] = [];
    if (clusterCol !== undefined) extra.push({ name: clusterCol, kind: 'key' });
    if (weightsCol !== undefined) extra.push({ name: weightsCol, kind: 'number' });
    const { panel, table } = step(ctx, `reading ${file}`, () => readPanelWith(file, panelOptionsFrom(o), extra));
    const rng = new Rng(common.seed);
    // Degenerate designs and data, named before estimating (src/core/degenerate.ts).
    const designWarnings = didDesignChecks(panel, method);
    requirePanelOutcomeVariation(panel, `did --method ${method}`);
    const covArrays = panel.covariateNames.map((c) => panel.covariates[c]!);
    if (method === 'cs') {
      if (cs.boots === 0 && given.has('bootstrapWeights')) throw new UsageError('WEIGHTS_NOT_USED', '--bootstrap-weights applies to the uniform-band bootstrap, which --boots 0 turns off', { flag: '--bootstrap-weights' });
      const analysis = step(ctx, `did cs: group-time effects${cs.boots > 0 ? `, ${cs.boots} multiplier-bootstrap draws` : ''}`, () => estimateCs(panel, { estimator: cs.estimator, control: cs.control, basePeriod: cs.basePeriod, boots: cs.boots, multiplier: cs.bootstrapWeights, level: common.level, seed: common.seed }, rng));
      analysis.warnings.push(...designWarnings);
      const csOpts = { estimator: cs.estimator, control: cs.control, basePeriod: cs.basePeriod, boots: 0, multiplier: cs.bootstrapWeights, level: common.level, seed: common.seed };
      step(ctx, 'did: sensitivity and pre-trend tests', () => attachSensitivity(analysis, panel, sens, common.level, (p) => estimateCs(p, csOpts, new Rng(common.seed))));
      const miss = missingCellIndices(panel, undefined, covArrays);
      const w = missingCellsWarning(panel, miss, 'were left out: the estimator needs a balanced panel, so every unit with a missing cell is dropped (see UNBALANCED_UNITS_DROPPED)');
      if (w) analysis.warnings.push(w);
      // Units kept: complete and not treated from the first period.
      const T = panel.periods.length;
      const missingUnits = new Set(miss.map((k) => Math.floor(k / T)));
      let keptUnits = 0;
      for (let i = 0; i < panel.units.length; i++) if (!missingUnits.has(i) && !panel.treated[i * T]) keptUnits++;
      emitDocument(ctx, 'did', withCells(inputInfo(panel), cellCounts(panel, miss, undefined, keptUnits * T)), analysis, common.out);
      return;
    }
    if (clusterCol !== undefined && twfe.vcov !== 'cluster') throw new UsageError('CLUSTER_NEEDS_VCOV', `--cluster needs --vcov cluster (got --vcov ${twfe.vcov})`, {});
    const T = panel.periods.length;
    const cellOf = clusterCol !== undefined || weightsCol !== undefined ? cellOfRow(table, panel) : null;
    let weights: Float64Array | null = null;
    if (weightsCol !== undefined) {
      requireColumn(table, panel, weightsCol, '--weights');
      const col = table.numbers.get(weightsCol)!;
      weights = new Float64Array(panel.units.length * T).fill(Number.NaN);
      for (let r = 0; r < table.nRows; r++) {
        const k = cellOf![r]!;
        const st = col.status[r]!;
        if (st === NumStatus.NotNumeric || st === NumStatus.Overflow) {
          const s = col.firstBad!.text;
          const what = st === NumStatus.Overflow ? 'which is beyond the largest number a double can hold (about ±1.8e308)' : 'which is not a number';
          throw new InputError(st === NumStatus.Overflow ? 'NUMBER_OVERFLOW' : 'NON_NUMERIC', `weight column '${weightsCol}' holds '${s}' for unit '${panel.units[Math.floor(k / T)]}', period ${panel.periods[k % T]} (${table.where} ${table.lines[r]}), ${what}`, { column: weightsCol, value: s, line: table.lines[r] });
        }
        weights[k] = col.values[r]!;
      }
    }
    let cluster: (string | null)[] | null = null;
    if (clusterCol !== undefined) {
      requireColumn(table, panel, clusterCol, '--cluster');
      const col = table.keys.get(clusterCol)!;
      cluster = new Array<string | null>(panel.units.length * T).fill(null);
      for (let r = 0; r < table.nRows; r++) {
        const v = col.values[col.codes[r]!]!;
        cluster[cellOf![r]!] = v === '' ? null : v;
      }
    }
    const opts = {
      vcov: twfe.vcov,
      cluster,
      clusterName: clusterCol ?? `unit (${panel.columns.unit})`,
      weights,
      weightsName: weightsCol ?? null,
      eventWindow: twfe.eventWindow !== undefined ? parseWindow(twfe.eventWindow) : null,
      wildBootstrap: twfe.wildBootstrap,
      wildWeights: twfe.wildWeights,
      level: common.level,
      seed: common.seed,
      maxIter: TWFE_DEFAULTS.maxIter,
      tol: TWFE_DEFAULTS.tol,
    };
    checkTwfeOptions(opts);
    const analysis = step(ctx, `did twfe: fixed effects${opts.wildBootstrap > 0 ? `, ${opts.wildBootstrap} wild bootstrap replications` : ''}`, () => estimateTwfe(panel, opts, rng));
    analysis.warnings.push(...designWarnings);
    // The placebo re-run: same options, static model only, weights/clusters cut to the kept periods.
    const rerun = (p: Panel) => {
      const Tp = p.periods.length;
      const cut = <V>(arr: V[] | Float64Array | null) => (arr ? Array.from({ length: panel.units.length * Tp }, (_, k) => (arr as V[])[Math.floor(k / Tp) * T + (k % Tp)]!) : null);
      const wCut = cut<number>(weights);
      return estimateTwfe(p, { ...opts, eventWindow: null, wildBootstrap: 0, weights: wCut ? Float64Array.from(wCut) : null, cluster: cut<string | null>(cluster) }, new Rng(common.seed));
    };
    step(ctx, 'did: sensitivity and pre-trend tests', () => attachSensitivity(analysis, panel, sens, common.level, rerun));
    const miss = missingCellIndices(panel, undefined, [...covArrays, weights]);
    const w = missingCellsWarning(panel, miss, `were left out of the regression${weights ? ' (a missing weight counts as missing)' : ''}`);
    if (w) analysis.warnings.push(w);
    const used = (analysis.details as { observations?: number } | undefined)?.observations;
    emitDocument(ctx, 'did', withCells(inputInfo(panel), cellCounts(panel, miss, undefined, used)), analysis, common.out);
  });
}
