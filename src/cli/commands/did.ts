/**
 * `vru-eval did`: difference-in-differences. --method twfe (two-way fixed
 * effects, event study, CR1 / wild cluster bootstrap) or --method cs
 * (Callaway & Sant'Anna 2021 group-time effects and aggregations).
 */
import { Command, Option } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import { panelFromTable, parseNumericCell, type Panel } from '../../core/panel.js';
import { periodOrdinal } from '../../core/periods.js';
import { inputInfo } from '../../core/result.js';
import { Rng } from '../../core/rng.js';
import { readCsvFile, type CsvTable } from '../../io/csv.js';
import { BASE_PERIODS, CS_CONTROLS, CS_DEFAULTS, CS_ESTIMATORS, type CsEstimator, VCOV_TYPES, WILD_WEIGHTS, TWFE_DEFAULTS, checkTwfeOptions, estimateCs, estimateTwfe, type BasePeriod, type CsControl, type VcovType, type WildWeights } from '../../estimators/did/index.js';
import type { CliContext } from '../context.js';
import { step } from '../progress.js';
import { emitDocument } from '../context.js';
import { addOutputOptions, addPanelOptions, commonFrom, numberArg, panelOptionsFrom } from '../options.js';

const TWFE_ONLY = ['vcov', 'cluster', 'weights', 'eventWindow', 'wildBootstrap', 'wildWeights'] as const;
const CS_ONLY = ['estimator', 'control', 'basePeriod', 'boots'] as const;

/** Parse '-12:12' into [lo, hi]. */
export function parseWindow(s: string): [number, number] {
  const m = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(s);
  if (!m) throw new UsageError('BAD_EVENT_WINDOW', `--event-window '${s}' must be lo:hi event times, e.g. -12:12`, { value: s });
  return [Number(m[1]), Number(m[2])];
}

/** Per-cell values of an extra column (cluster ids or weights), aligned with the panel (N×T). */
function cellColumn(table: CsvTable, panel: Panel, column: string, flag: string): (string | null)[] {
  const idx = table.header.indexOf(column);
  if (idx < 0) throw new InputError('MISSING_COLUMN', `${panel.file} has no column '${column}' (columns are: ${table.header.join(', ')}); name the right column with ${flag} <column>`, { column, flag });
  const iU = table.header.indexOf(panel.columns.unit);
  const iT = table.header.indexOf(panel.columns.time);
  const T = panel.periods.length;
  const unitIndex = new Map(panel.units.map((u, i) => [u, i]));
  const out: (string | null)[] = new Array(panel.units.length * T).fill(null);
  for (const row of table.rows) {
    const i = unitIndex.get(row[iU]!)!;
    const t = Math.round((periodOrdinal(row[iT]!, panel.frequency) - panel.ordinals[0]!) / panel.step);
    const v = row[idx]!;
    out[i * T + t] = v === '' ? null : v;
  }
  return out;
}

export function didCommand(ctx: CliContext): Command {
  const cmd = new Command('did')
    .description('difference-in-differences: two-way fixed effects with event study and cluster/wild-bootstrap inference (--method twfe), or Callaway & Sant\'Anna group-time effects for staggered adoption (--method cs)')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  cmd
    .addOption(new Option('--method <name>', 'estimator').choices(['twfe', 'cs']).default('twfe'))
    .addOption(new Option('--vcov <type>', 'twfe: variance estimator').choices([...VCOV_TYPES]).default(TWFE_DEFAULTS.vcov))
    .option('--cluster <col>', 'twfe: cluster column for --vcov cluster (default: the unit)')
    .option('--weights <col>', 'twfe: regression weight column (e.g. population)')
    .option('--event-window <lo:hi>', 'twfe: event-study window of event times, ends binned, reference −1 (e.g. -12:12)')
    .option('--wild-bootstrap <n>', 'twfe: wild cluster restricted bootstrap replications for the p-value and interval of τ (0 = off)', numberArg('--wild-bootstrap', { integer: true, min: 0, max: 1e6 }), 0)
    .addOption(new Option('--wild-weights <kind>', 'twfe: wild bootstrap weights').choices([...WILD_WEIGHTS]).default(TWFE_DEFAULTS.wildWeights))
    .addOption(new Option('--estimator <kind>', 'cs: ATT(g,t) estimator with covariates: outcome regression (or) or doubly robust (dr)').choices([...CS_ESTIMATORS]).default(CS_DEFAULTS.estimator))
    .addOption(new Option('--control <group>', 'cs: comparison group (never treated, or not yet treated)').choices([...CS_CONTROLS]).default(CS_DEFAULTS.control))
    .addOption(new Option('--base-period <kind>', 'cs: base period of pre-treatment ATT(g,t)').choices([...BASE_PERIODS]).default(CS_DEFAULTS.basePeriod))
    .option('--boots <n>', 'cs: multiplier-bootstrap replications for uniform bands (0 = none)', numberArg('--boots', { integer: true, min: 0, max: 1e6 }), CS_DEFAULTS.boots);
  return cmd.action((file: string, o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    const method = o.method as 'twfe' | 'cs';
    const foreign = method === 'twfe' ? CS_ONLY : TWFE_ONLY;
    for (const key of foreign) {
      if (command.getOptionValueSource(key) === 'cli') {
        const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
        throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} applies to --method ${method === 'twfe' ? 'cs' : 'twfe'}, not --method ${method}`, { flag, method });
      }
    }
    if (o.population !== undefined) {
      // accepted by the shared panel flags but used by no DiD estimator: reject rather than ignore
      throw new UsageError('POPULATION_NOT_USED', `'did' does not use --population (its effects stay in the outcome's units); to weight the regression by population use --weights ${String(o.population)} (--method twfe), or drop --population`, { flag: '--population' });
    }
    const table = step(ctx, `reading ${file}`, () => readCsvFile(file));
    const panel = panelFromTable(table, panelOptionsFrom(o));
    const rng = new Rng(common.seed);
    if (method === 'cs') {
      const analysis = step(ctx, `did cs: group-time effects${(o.boots as number) > 0 ? `, ${String(o.boots)} multiplier-bootstrap draws` : ''}`, () => estimateCs(panel, { estimator: o.estimator as CsEstimator, control: o.control as CsControl, basePeriod: o.basePeriod as BasePeriod, boots: o.boots as number, level: common.level, seed: common.seed }, rng));
      emitDocument(ctx, 'did', inputInfo(panel), analysis, common.out);
      return;
    }
    const clusterCol = o.cluster as string | undefined;
    const weightsCol = o.weights as string | undefined;
    if (clusterCol !== undefined && o.vcov !== 'cluster') throw new UsageError('CLUSTER_NEEDS_VCOV', `--cluster needs --vcov cluster (got --vcov ${String(o.vcov)})`, {});
    let weights: Float64Array | null = null;
    if (weightsCol !== undefined) {
      const raw = cellColumn(table, panel, weightsCol, '--weights');
      weights = Float64Array.from(raw, (s, k) => {
        if (s === null) return Number.NaN;
        const v = parseNumericCell(s);
        if (v === undefined) throw new InputError('NON_NUMERIC', `weight column '${weightsCol}' holds '${s}' for unit '${panel.units[Math.floor(k / panel.periods.length)]}', period ${panel.periods[k % panel.periods.length]}, which is not a number`, { column: weightsCol, value: s });
        return v;
      });
    }
    const opts = {
      vcov: o.vcov as VcovType,
      cluster: clusterCol !== undefined ? cellColumn(table, panel, clusterCol, '--cluster') : null,
      clusterName: clusterCol ?? `unit (${panel.columns.unit})`,
      weights,
      weightsName: weightsCol ?? null,
      eventWindow: o.eventWindow !== undefined ? parseWindow(o.eventWindow as string) : null,
      wildBootstrap: o.wildBootstrap as number,
      wildWeights: o.wildWeights as WildWeights,
      level: common.level,
      seed: common.seed,
      maxIter: TWFE_DEFAULTS.maxIter,
      tol: TWFE_DEFAULTS.tol,
    };
    checkTwfeOptions(opts);
    const twfe = step(ctx, `did twfe: fixed effects${opts.wildBootstrap > 0 ? `, ${opts.wildBootstrap} wild bootstrap replications` : ''}`, () => estimateTwfe(panel, opts, rng));
    emitDocument(ctx, 'did', inputInfo(panel), twfe, common.out);
  });
}
