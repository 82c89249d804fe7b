/**
 * `did --honest / --bacon / --pretrends`: sensitivity and pre-trend blocks added to a TWFE or
 * Callaway–Sant'Anna result. The estimators expose their event-study coefficients and covariance
 * (`eventCovariance`); this module reads them, runs honest.ts, bacon.ts and the pre-trend tests,
 * and adds `sensitivity`, `bacon` and `pretrends` blocks, diagnostics in plain words, and the
 * resolved options. No I/O.
 */
import { UsageError, EstimationError } from '../../core/errors.js';
import { DEFAULT_SEED } from '../../core/rng.js';
import { bool, choice, defineOptions, num, str } from '../../core/optionTable.js';
import type { Panel } from '../../core/panel.js';
import type { Analysis } from '../../core/result.js';
import { preTrendTests, residualSd } from '../pretrend/eventTests.js';
import { placeboHoldoutSync } from '../pretrend/placebo.js';
import { baconDecomposition } from './bacon.js';
import { defaultGrids, honestDid, prepareHonest, HONEST_TARGETS, RM_METHODS, type EventStudy, type HonestTarget, type RmMethod } from './honest.js';
import { RM_HYBRID_DEFAULTS } from './honestRm.js';

/** Parse a comma-separated list of non-negative numbers, e.g. '0,0.5,1'. */
export function parseGrid(flag: string, s: string): number[] {
  const parts = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const out = parts.map(Number);
  if (out.length === 0 || out.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new UsageError('BAD_GRID', `${flag} '${s}' must be a comma-separated list of numbers ≥ 0, e.g. 0,0.5,1,2`, { flag, value: s });
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** How each relative-magnitude method is named in the HONEST_BREAKDOWN diagnostic. */
const RM_WORDS: Record<string, string> = {
  'arp-hybrid': 'relative-magnitude sets by the Andrews–Roth–Pakes hybrid test, as in the paper',
  'arp-conditional': "relative-magnitude sets by ARP's conditional test alone (HonestDiD's \"Conditional\"; the default hybrid test is more powerful where a moment nearly binds)",
  'sidak-projection': "conservative Šidák projection intervals (the paper's hybrid test, the default, is shorter)",
};

export const SENS_OPTIONS = defineOptions({
  honest: bool({ flag: '--honest', help: 'Rambachan–Roth sensitivity: robust intervals under relative-magnitude (M̄) and smoothness (M) violations of parallel trends, and the breakdown M̄ (twfe needs --event-window; cs needs --base-period universal)', default: false }),
  honestTarget: choice(HONEST_TARGETS, { flag: '--honest-target <which>', help: 'effect the --honest bounds are for: the first post period (event time 0) or the average over post periods', default: 'first' }),
  honestRmMethod: choice(RM_METHODS, { flag: '--honest-rm-method <m>', help: `with --honest: relative-magnitude robust sets by the Andrews–Roth–Pakes hybrid test (Rambachan & Roth's method; ${RM_HYBRID_DEFAULTS.draws} least favourable draws from --seed), by ARP's conditional test alone (HonestDiD's method "Conditional", to reproduce published sets) or by the conservative Šidák projection`, default: 'hybrid' }),
  mbar: str({ flag: '--mbar <list>', help: 'with --honest: comma-separated M̄ values (default 0,0.25,…,2)', check: (v) => void parseGrid('--mbar', v) }),
  smoothnessM: str({ flag: '--smoothness-m <list>', help: 'with --honest: comma-separated M values in outcome units per period² (default 0 … 2 × the SE of the target, 9 steps)', check: (v) => void parseGrid('--smoothness-m', v) }),
  bacon: bool({ flag: '--bacon', help: 'twfe: Goodman-Bacon decomposition of the TWFE coefficient into its 2×2 comparisons (balanced panel, no covariates or weights)', default: false }),
  pretrends: bool({ flag: '--pretrends', help: 'pre-trend tests on the event-study pre-period: joint Wald, equivalence (TOST), the trend it cannot rule out, and its power (Roth 2022)', default: false }),
  equivalenceBound: num({ flag: '--equivalence-bound <x>', help: 'with --pretrends or --placebo-holdout: equivalence (TOST) bound in outcome units (default 0.36 × the residual SD of untreated cells)', min: 0, exclusiveMin: true }),
  placeboHoldout: num({ flag: '--placebo-holdout <k>', help: 'placebo test: re-estimate on the pre-period only with a pseudo start k periods before the first real one, and test the "effect" on the k held-out periods', integer: true, min: 1, max: 1000 }),
});

export interface SensRequest {
  honest: boolean;
  honestTarget: HonestTarget;
  honestRmMethod: RmMethod;
  mbar?: string | undefined;
  smoothnessM?: string | undefined;
  bacon: boolean;
  pretrends: boolean;
  equivalenceBound?: number | undefined;
  placeboHoldout?: number | undefined;
}

/** Flags given without the switch they refine, and method combinations that cannot work. @throws UsageError */
export function checkSensOptions(r: SensRequest, given: ReadonlySet<string>, method: 'twfe' | 'cs', ctx: { eventWindow: boolean; basePeriod?: string; weights: boolean }): void {
  for (const key of ['honestTarget', 'honestRmMethod', 'mbar', 'smoothnessM'] as const) {
    if (given.has(key) && !r.honest) throw new UsageError('OPTION_NEEDS_HONEST', `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} refines --honest; add --honest or drop it`, { flag: key });
  }
  if (given.has('equivalenceBound') && !r.pretrends && r.placeboHoldout === undefined) throw new UsageError('OPTION_NEEDS_PRETRENDS', '--equivalence-bound refines --pretrends or --placebo-holdout; add one or drop it', {});
  if (r.bacon && method !== 'twfe') throw new UsageError('BACON_TWFE_ONLY', '--bacon decomposes the TWFE coefficient; use it with --method twfe', {});
  if (r.bacon && ctx.weights) throw new UsageError('BACON_WEIGHTS', '--bacon decomposes the unweighted TWFE regression; drop --weights', {});
  if ((r.honest || r.pretrends) && method === 'twfe' && !ctx.eventWindow) {
    throw new UsageError('NEEDS_EVENT_WINDOW', `${r.honest ? '--honest' : '--pretrends'} works on the event study: add --event-window lo:hi (e.g. -4:3) covering the pre-periods`, {});
  }
  if ((r.honest || r.pretrends) && method === 'cs' && ctx.basePeriod !== 'universal') {
    throw new UsageError('NEEDS_UNIVERSAL_BASE', `${r.honest ? '--honest' : '--pretrends'} needs pre-period effects measured from the same reference period (e = −1) as the post-period ones: add --base-period universal (the varying base gives one-period changes, which are not the δ_pre of Rambachan & Roth)`, {});
  }
}

/** The event study the estimator exposed (reference −1 omitted). */
function eventStudyOf(a: Analysis): EventStudy {
  const ec = a.eventCovariance as { eventTimes: number[]; estimates: number[]; vcov: number[][] } | undefined;
  if (!ec) throw new EstimationError('NO_EVENT_STUDY', 'this result has no event study to analyse', {});
  return { eventTimes: ec.eventTimes, beta: ec.estimates, vcov: ec.vcov.flat() };
}

/** Words for one period of the panel's frequency. */
function periodWord(panel: Panel): string {
  const f = String(panel.frequency);
  return f.startsWith('month') ? 'month' : f.startsWith('quarter') ? 'quarter' : f.startsWith('year') || f.startsWith('annual') ? 'year' : f.startsWith('week') ? 'week' : f.startsWith('day') ? 'day' : 'period';
}

/** Whether some treated unit has event times outside 'lo:hi' (so the end coefficients are bins). */
function binsBeyondWindow(panel: Panel, window: string): boolean {
  const [lo, hi] = window.split(':').map(Number) as [number, number];
  const T = panel.periods.length;
  for (let i = 0; i < panel.units.length; i++) {
    let g = -1;
    for (let t = 0; t < T; t++) if (panel.treated[i * T + t]) { g = t; break; }
    if (g >= 0 && (-g < lo || T - 1 - g > hi)) return true;
  }
  return false;
}

/**
 * Add the requested blocks to `a` (mutates it) and record the options. `rerun` re-estimates the
 * same method with the same options on another panel (for --placebo-holdout).
 */
export function attachSensitivity(a: Analysis, panel: Panel, r: SensRequest, level: number, rerun?: (p: Panel) => Analysis): void {
  // Nothing asked: the document stays exactly as before (no eventCovariance, no new option keys),
  // so existing results and committed examples are byte-identical.
  if (!r.honest && !r.bacon && !r.pretrends && r.placeboHoldout === undefined) {
    delete a.eventCovariance;
    return;
  }
  a.options.honest = r.honest;
  a.options.bacon = r.bacon;
  a.options.pretrends = r.pretrends;
  if (r.honest) {
    const es = eventStudyOf(a);
    const setup = prepareHonest(es, r.honestTarget);
    const grids = defaultGrids(setup);
    const mbar = r.mbar !== undefined ? parseGrid('--mbar', r.mbar) : grids.mbar;
    const m = r.smoothnessM !== undefined ? parseGrid('--smoothness-m', r.smoothnessM) : grids.m;
    const seed = typeof a.options.seed === 'number' ? a.options.seed : DEFAULT_SEED;
    const h = honestDid(es, { target: r.honestTarget, rmMethod: r.honestRmMethod, seed, mbar, m, level });
    a.options.honestTarget = r.honestTarget;
    a.options.honestRmMethod = r.honestRmMethod;
    a.options.mbar = mbar;
    a.options.smoothnessM = m;
    a.sensitivity = h;
    const rm = h.relativeMagnitudes;
    a.diagnostics.push({ code: 'HONEST_BREAKDOWN', passed: rm.breakdown === null ? null : rm.breakdown >= 1, value: rm.breakdown, message: `Rambachan–Roth sensitivity: ${h.summary}; ${RM_WORDS[rm.method] ?? RM_WORDS['sidak-projection']}; smoothness: ${h.smoothness.breakdown === null ? 'the interval covers 0 even with linear pre-trends extrapolated exactly (M = 0)' : `significant unless the trend's slope may change by more than ${h.smoothness.breakdown.toPrecision(3)} per ${periodWord(panel)} each ${periodWord(panel)} (breakdown M)`}` });
    if (a.method === 'twfe' && binsBeyondWindow(panel, String(a.options.eventWindow))) {
      a.warnings.push({ code: 'HONEST_BINNED_ENDPOINTS', message: `--event-window ${String(a.options.eventWindow)} bins earlier/later event times into its end coefficients, and the bounds treat each bin as one period; widen the window to span the data for exact bounds` });
    }
  } else {
    a.options.honestTarget = null;
    a.options.honestRmMethod = null;
    a.options.mbar = null;
    a.options.smoothnessM = null;
  }
  if (r.bacon) {
    const b = baconDecomposition(panel);
    a.bacon = b;
    const tau = (a.estimate?.att as number | null) ?? null;
    if (tau !== null && Math.abs(b.weightedSum - tau) > 1e-8 * (1 + Math.abs(tau))) {
      throw new EstimationError('BACON_IDENTITY', `the Goodman-Bacon weighted sum ${b.weightedSum} differs from the TWFE coefficient ${tau}; this is a bug, please report it`, {});
    }
    const forb = b.byType[2]!;
    a.diagnostics.push({ code: 'BACON_FORBIDDEN_SHARE', passed: b.forbiddenShare < 0.1, value: b.forbiddenShare, message: `Goodman-Bacon: ${(100 * b.forbiddenShare).toFixed(1)}% of the TWFE weight is on comparisons that use already-treated units as controls${forb.estimate !== null ? ` (their weighted estimate ${forb.estimate.toPrecision(3)})` : ''}; ${b.byType.map((t) => `${t.type} ${(100 * t.weight).toFixed(1)}%`).join(', ')}` });
  }
  const sdE = r.pretrends || r.placeboHoldout !== undefined ? residualSd(panel.y, panel.treated, panel.units.length, panel.periods.length) : Number.NaN;
  const bound = r.equivalenceBound ?? 0.36 * sdE;
  const boundSource = r.equivalenceBound !== undefined ? 'user (--equivalence-bound)' : `0.36 × residual SD of untreated cells (${sdE.toPrecision(4)})`;
  a.options.equivalenceBound = r.pretrends || r.placeboHoldout !== undefined ? bound : null;
  a.options.placeboHoldout = r.placeboHoldout ?? null;
  if (r.pretrends) {
    const es = eventStudyOf(a);
    const pre = es.eventTimes.map((e, j) => [e, j] as const).filter(([e]) => e <= -2);
    const k = es.eventTimes.length;
    const idx = pre.map(([, j]) => j);
    const t = preTrendTests(
      { eventTimes: pre.map(([e]) => e), beta: idx.map((j) => (es.beta as number[])[j]!), vcov: idx.flatMap((a1) => idx.map((b1) => (es.vcov as number[])[a1 * k + b1]!)), clusters: ((a.eventCovariance as { clusters?: number | null }).clusters) ?? null },
      { level, bound, boundSource, unit: periodWord(panel) },
    );
    a.pretrends = { ...t, residualSd: sdE };
    a.diagnostics.push({ code: 'PRETREND_EQUIVALENCE', passed: t.equivalence.equivalent, value: t.equivalence.pValue, message: t.summary });
  }
  if (r.placeboHoldout !== undefined) {
    if (!rerun) throw new EstimationError('PLACEBO_NO_RUNNER', 'the placebo hold-out needs the method to re-run', {});
    const pl = placeboHoldoutSync(panel, r.placeboHoldout, rerun, level, bound, periodWord(panel));
    a.pretrends = { ...((a.pretrends as object | undefined) ?? {}), placebo: pl, residualSd: sdE };
    a.diagnostics.push({ code: 'PLACEBO_HOLDOUT', passed: pl.passed, value: pl.pValue, message: pl.summary });
  }
}
