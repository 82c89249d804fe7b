/**
 * The options of `scm --method micro`, declared once (see src/core/optionTable.ts): CLI flags,
 * --help, plan schema and validation all derive from this table.
 */
import { UsageError } from '../../core/errors.js';
import { bool, choice, custom, defineOptions, num, str, strList } from '../../core/optionTable.js';
import { CALIBRATION_DISTANCES } from './calibrate.js';
import { SCM_REPS, SCM_THREADS } from '../scmOptions.js';
import { PERM_POOLS, PERM_STATS } from './permutation.js';
import type { MatchPeriods } from './index.js';

/** Parse --match-periods each | total | every:K. */
export function parseMatchPeriods(v: string): MatchPeriods {
  if (v === 'each' || v === 'total') return { kind: v };
  const m = /^every:(\d+)$/.exec(v.trim());
  if (m && Number(m[1]) >= 1) return { kind: 'every', k: Number(m[1]) };
  throw new UsageError('BAD_MATCH_PERIODS', `--match-periods '${v}' must be each, total or every:K (K ≥ 1 pre-periods summed per constraint), e.g. every:3`, { flag: '--match-periods', value: v });
}

export const MICRO_OPTIONS = defineOptions({
  matchCovariates: strList({ flag: '--match-covariates <a,b,...>', help: 'micro: time-invariant columns balanced exactly (e.g. census counts)' }),
  matchOutcomes: strList({ flag: '--match-outcomes <a,b,...>', help: 'micro: outcomes whose pre-period values are balanced (default: every --outcome)' }),
  matchMin: strList({ flag: '--match-min <a,b,...>', help: 'micro: columns balanced as closely as possible but not exactly: series (pre-period values, in --match-periods blocks) or time-invariant covariates' }),
  matchPeriods: custom<string, { flag: string; help: string; default: string }>({
    flag: '--match-periods <how>',
    help: 'micro: pre-period outcomes balanced each period, as one total, or in sums of K periods counted back from the start (every:K); auto chooses from the panel\'s size (each period when outcomes × pre-periods + covariates ≤ controls/20, else the fewest blocks that fit, else total)',
    default: 'auto',
    parse: (v: string) => {
      if (v.trim() !== 'auto') parseMatchPeriods(v);
      return v.trim();
    },
    schema: { type: 'string', pattern: '^(auto|each|total|every:[1-9][0-9]*)$' },
    toArgs: (v) => [[v]],
  }),
  calfun: choice(CALIBRATION_DISTANCES, {
    flag: '--calfun <raking|linear>',
    help: 'micro: distance from uniform weights minimised among exactly balancing weightings: raking (Kullback–Leibler, all weights > 0) or linear (χ² with w ≥ 0, sparse weights; microsynth\'s default, as in the Home Office and Robbins & Davenport 2021 analyses)',
    default: 'linear',
  }),
  reps: SCM_REPS,
  permStat: choice(PERM_STATS, { flag: '--perm-stat <log-ratio|studentised|z>', help: "micro: permutation statistic, ranked by absolute value and inverted into the interval: the log ratio log(Y/Ŝ) (default), the log ratio over its linearisation SE (studentised), or microsynth's standardised difference z with its p = #{|z_b| ≥ |z|}/B", default: 'log-ratio' }),
  permPool: choice(PERM_POOLS, { flag: '--perm-pool <controls|all>', help: 'micro: areas placebo treated sets are drawn from: the controls (default) or every area (microsynth); donors are always the controls outside the set', default: 'controls' }),
  maxImbalance: num({ flag: '--max-imbalance <x>', help: 'micro: when exact balance is infeasible, accept the closest weights only if every balanced total is within this fraction of the treated total (else exit 4 naming the variables)', min: 0, exclusiveMin: true, max: 1, default: 0.05 }),
  jackGroups: num({ flag: '--jack-groups <n>', help: 'micro: jackknife groups (default min(treated areas, 40))', integer: true, min: 2, max: 1e6 }),
  endPost: str({ flag: '--end-post <period>', help: 'micro: last post-intervention period (default: the last period), e.g. 2020-03' }),
  weightRange: bool({ flag: '--no-weight-range', help: 'micro: skip the range of the synthetic totals over every exactly balancing weighting (two LPs per outcome)', default: true }),
  threads: SCM_THREADS,
  balanceTol: num({ flag: '--balance-tol <x>', help: 'micro: largest relative imbalance accepted as exact', min: 0, exclusiveMin: true, max: 0.1, default: 1e-10 }),
});
