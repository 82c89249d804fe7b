/**
 * Library entry point for micro-area synthetic control on a panel: every preparation step the
 * CLI used to do (which columns to read, which --match-min columns are series and which are
 * time-invariant, merging outcome lists, --end-post, threads) plus the size-based defaults
 * (matching periods, permutations), so that `microFromPanel(panel, request)` does what
 * `vru-eval scm --method micro` does.
 *
 *   const panel = readPanel(file, microColumns(request, { outcome: 'crime1' }));
 *   const analysis = await microFromPanel(panel, request);
 */
import { UsageError } from '../../core/errors.js';
import type { Panel, PanelOptions } from '../../core/panel.js';
import type { Analysis, Warning } from '../../core/result.js';
import type { CalibrationDistance } from './calibrate.js';
import { micro, microDataFromPanel, type MatchPeriods, type MicroData, type MicroInference, type MicroOptions } from './index.js';
import type { PermPool, PermStat } from './permutation.js';
import type { MicroProgress } from './replicates.js';

/** What the user asks for (the CLI's flags, typed); unset fields take the defaults below. */
export interface MicroRequest {
  /** Outcomes reported, the first one the headline (one set of weights for all). */
  outcomes: readonly string[];
  /** Outcomes whose pre-period values are balanced exactly (default: every outcome). */
  matchOutcomes?: readonly string[];
  /** Time-invariant columns balanced exactly. */
  matchCovariates?: readonly string[];
  /** Columns balanced as closely as possible (series or time-invariant, detected from the data). */
  matchMin?: readonly string[];
  /** 'auto' (default): chosen from the panel's size, see {@link autoMatchPeriods}. */
  matchPeriods?: 'auto' | MatchPeriods;
  /** Last post period, as a period label. */
  endPost?: string;
  /** Default ['permutation']. */
  inference?: readonly MicroInference[];
  /** Placebo sets; 'auto' (default): see {@link autoPerms}. */
  perms?: number | 'auto';
  jackGroups?: number;
  /** Default true. */
  weightRange?: boolean;
  /** Default 'linear' (microsynth's). */
  calfun?: CalibrationDistance;
  permStat?: PermStat;
  permPool?: PermPool;
  maxImbalance?: number;
  seed: number;
  level: number;
  /** Default 1e-10. */
  balanceTol?: number;
  /** Default 500. */
  maxIter?: number;
  /** Default 1 (results are identical for any number). */
  threads?: number;
  progress?: (p: MicroProgress) => void;
}

/** The outcome and covariate columns to read for a request (merge into the panel options). */
export function microColumns(req: MicroRequest, base: PanelOptions): PanelOptions {
  const outcomes = uniqueOutcomes(req);
  const matchOutcomes = req.matchOutcomes ?? outcomes;
  const matchMin = [...new Set(req.matchMin ?? [])];
  return { ...base, outcome: outcomes[0]!, covariates: [...new Set([...outcomes.slice(1), ...matchOutcomes.filter((m) => m !== outcomes[0]), ...(req.matchCovariates ?? []), ...matchMin.filter((m) => m !== outcomes[0])])] };
}

function uniqueOutcomes(req: MicroRequest): string[] {
  const outcomes = [...new Set(req.outcomes.map((s) => s.trim()).filter((s) => s !== ''))];
  if (outcomes.length === 0) throw new UsageError('BAD_OUTCOME', '--outcome needs at least one column name (several comma-separated for one set of weights)');
  return outcomes;
}

/**
 * Matching periods from the panel's size. Each exact constraint costs the calibration freedom:
 * with more constraints than about one per 20 controls the weights concentrate on a few areas (or
 * no non-negative weighting exists; the 60-area fixture with 48 monthly constraints and 48
 * controls is one). So: each period when (outcomes × pre periods + covariates) ≤ n₀/20, else
 * blocks of K periods (every:K) with the fewest blocks that fit, else one total per outcome.
 */
export function autoMatchPeriods(n0: number, pre: number, matchOutcomes: number, covariates: number): { choice: MatchPeriods; reason: string } {
  const budget = Math.floor(n0 / 20);
  const blocks = matchOutcomes > 0 ? Math.floor((budget - covariates) / matchOutcomes) : pre;
  const why = `${n0} controls allow about ${Math.max(1, budget)} exact constraints (one per 20 controls); ${matchOutcomes} matched outcome(s) × ${pre} pre-period(s) + ${covariates} covariate(s)`;
  if (blocks >= pre) return { choice: { kind: 'each' }, reason: `${why} fit, so every pre-period is matched` };
  if (blocks >= 2) {
    const k = Math.ceil(pre / blocks);
    return { choice: { kind: 'every', k }, reason: `${why} do not, so pre-periods are matched in sums of ${k} (every:${k})` };
  }
  return { choice: { kind: 'total' }, reason: `${why} do not, so each outcome's pre-period total is matched (total)` };
}

/**
 * Placebo sets from the problem's size: 1,000 when n₀ × constraints ≤ 2·10⁶ (each placebo
 * re-weighting then takes well under a millisecond to a few ms), otherwise fewer, down to 199,
 * so that the default run stays near a minute on one core.
 */
export function autoPerms(n0: number, constraints: number): number {
  const size = n0 * Math.max(1, constraints);
  if (size <= 2e6) return 1000;
  return Math.max(199, Math.floor((1000 * 2e6) / size / 100) * 100 - 1);
}

/** Run micro-area synthetic control on a panel read with {@link microColumns}. */
export async function microFromPanel(panel: Panel, req: MicroRequest): Promise<Analysis> {
  const { data, options, auto, warnings } = prepareMicro(panel, req);
  const analysis = await micro(data, options);
  analysis.warnings.unshift(...warnings);
  analysis.options.population = panel.populationColumn;
  analysis.options.matchPeriodsRequested = req.matchPeriods === undefined || req.matchPeriods === 'auto' ? 'auto' : analysis.options.matchPeriods;
  analysis.options.permsRequested = req.perms ?? 'auto';
  if (auto.length > 0) analysis.diagnostics.push({ code: 'DEFAULTS', passed: null, value: null, message: `chosen from the panel's size: ${auto.join('; ')}` });
  return analysis;
}

/** Prepare: the MicroData and the MicroOptions for {@link micro}, with the defaults resolved. */
export function prepareMicro(panel: Panel, req: MicroRequest): { data: MicroData; options: MicroOptions; auto: string[]; warnings: Warning[] } {
  const outcomes = uniqueOutcomes(req);
  const matchOutcomes = [...(req.matchOutcomes ?? outcomes)];
  const matchCovariates = [...(req.matchCovariates ?? [])];
  const matchMin = [...new Set(req.matchMin ?? [])];
  for (const m of matchMin)
    if (matchOutcomes.includes(m) || matchCovariates.includes(m))
      throw new UsageError('MATCH_MIN_OVERLAP', `--match-min ${m}: '${m}' is already balanced exactly (${matchCovariates.includes(m) ? '--match-covariates' : '--match-outcomes, which defaults to every --outcome'}); a variable is balanced either exactly or approximately`, { flag: '--match-min', value: m });
  // --match-min columns: a series (varies over time within some area, or is an outcome) enters by
  // its pre-period values like a matched outcome; a time-invariant column as a covariate.
  const T = panel.periods.length;
  const varies = (m: Float64Array | undefined) => {
    if (!m) return false;
    for (let i = 0; i < panel.units.length; i++) for (let t = 1; t < T; t++) if (m[i * T + t] !== m[i * T]) return true;
    return false;
  };
  const minSeries = matchMin.filter((m) => outcomes.includes(m) || varies(panel.covariates[m]));
  const minCovariates = matchMin.filter((m) => !minSeries.includes(m));
  const allOutcomes = [...new Set([...outcomes, ...matchOutcomes, ...minSeries])];
  const full = microDataFromPanel(panel, allOutcomes, [...matchCovariates, ...minCovariates]);
  const data: MicroData = { ...full, outcomes };
  let endPost: number | undefined;
  if (req.endPost !== undefined) {
    endPost = panel.periods.indexOf(req.endPost);
    if (endPost < 0) throw new UsageError('BAD_END_POST', `--end-post ${req.endPost} is not a period of the panel (${panel.periods[0]} … ${panel.periods[T - 1]})`, { flag: '--end-post' });
  }
  const n1 = data.treated.reduce((s, v) => s + v, 0);
  const n0 = panel.units.length - n1;
  const auto: string[] = [];
  let matchPeriods: MatchPeriods;
  if (req.matchPeriods === undefined || req.matchPeriods === 'auto') {
    const a = autoMatchPeriods(n0, data.start, matchOutcomes.length, matchCovariates.length);
    matchPeriods = a.choice;
    auto.push(`--match-periods ${a.choice.kind === 'every' ? `every:${a.choice.k}` : a.choice.kind} (${a.reason})`);
  } else matchPeriods = req.matchPeriods;
  const blocks = matchPeriods.kind === 'each' ? data.start : matchPeriods.kind === 'total' ? 1 : Math.ceil(data.start / matchPeriods.k);
  const inference = [...(req.inference ?? ['permutation'])];
  let perms: number;
  if (req.perms === undefined || req.perms === 'auto') {
    perms = autoPerms(n0, 1 + matchOutcomes.length * blocks + matchCovariates.length);
    if (inference.includes('permutation')) auto.push(`--reps ${perms}`);
  } else perms = req.perms;
  const options: MicroOptions = {
    matchPeriods,
    matchOutcomes,
    matchCovariates,
    ...(matchMin.length > 0 ? { matchMinOutcomes: minSeries, matchMinCovariates: minCovariates } : {}),
    ...(endPost !== undefined ? { endPost } : {}),
    inference,
    perms,
    ...(req.jackGroups !== undefined ? { jackGroups: req.jackGroups } : {}),
    weightRange: req.weightRange ?? true,
    distance: req.calfun ?? 'linear',
    ...(req.permStat ? { permStat: req.permStat } : {}),
    ...(req.permPool ? { permPool: req.permPool } : {}),
    ...(req.maxImbalance !== undefined ? { maxImbalance: req.maxImbalance } : {}),
    seed: req.seed,
    level: req.level,
    tol: req.balanceTol ?? 1e-10,
    maxIter: req.maxIter ?? 500,
    threads: req.threads ?? 1,
    ...(req.progress ? { progress: req.progress } : {}),
  };
  return { data, options, auto, warnings: rateWarnings(panel, full, outcomes) };
}

/**
 * micro sums counts over areas and periods; a rate (per 100,000, a percentage) summed over areas
 * is not the rate of the total. Warn when an outcome has non-integer values or a rate-like name.
 */
function rateWarnings(panel: Panel, data: MicroData, outcomes: readonly string[]): Warning[] {
  const out: Warning[] = [];
  const T = panel.periods.length;
  for (const o of outcomes) {
    const m = data.y[o]!;
    let cell = -1;
    for (let k = 0; k < m.length; k++)
      if (!Number.isInteger(m[k]!) || m[k]! < 0) {
        cell = k;
        break;
      }
    const named = /rate|per_?100|per_?1000|percent|pct|ratio/i.test(o);
    if (cell < 0 && !named) continue;
    const where = cell >= 0 ? `e.g. ${m[cell]} for unit '${panel.units[Math.floor(cell / T)]}' in ${panel.periods[cell % T]}` : `its name suggests a rate`;
    out.push({
      code: 'RATE_OUTCOME',
      message: `outcome '${o}' does not look like a count (${where}): micro-area synthetic control sums counts over areas and periods, and a sum of rates is not the rate of the total; give the count column as --outcome and --population <column> for rates per 100,000 beside the counts`,
    });
  }
  return out;
}
