/**
 * Design-stage power by simulation on the user's own panel (`vru-eval power`).
 *
 * Algorithm (one simulated design per Monte Carlo draw s = 1..S, each from its own Rng stream):
 *   prepare  — keep the periods before the programme (before `--start`, or a hypothetical start),
 *              and the never-treated units as the pool of placebo areas;
 *   place    — placebo in space: n₁ pseudo-treated areas drawn from the pool, the pseudo-start r
 *              periods before the end of the history; placebo in time: the real treated areas with
 *              a pseudo-start drawn from the history;
 *   treat    — add a known effect of size δ to the pseudo-treated post cells (δ absolute in the
 *              outcome's units, or y·(1 ∓ δ) for a proportional effect on counts);
 *   test     — run the method with its own inference and record whether it rejects "no effect";
 *   assemble — power(δ) = rejections / S with Monte Carlo SE √(p(1−p)/S); the MDE is the smallest
 *              δ with power ≥ κ, its MC interval from the MDEs at κ ± 1.96·SE(κ).
 * For methods whose interval moves by exactly δ when δ is added (runner.ts, shiftEquivariant) the
 * 'shift' evaluation runs each design once and reads off power at every δ; otherwise ('rerun') each
 * design is rerun at each δ of the grid and the MDE interpolated linearly between grid points.
 */
import { InputError, UsageError } from '../core/errors.js';
import { panelDesign, treatmentStarts, type Panel } from '../core/panel.js';
import { Rng } from '../core/rng.js';
import { qnorm, quantileSorted } from '../core/stats.js';
import { eachInTurnAsync, replicates, type ResampleOptions } from '../inference/resample.js';
import { methodRunner, rejects, type MethodRunner, type PowerMethod, type RunOutcome } from './runner.js';

export interface PowerOptions {
  method: PowerMethod;
  /** What-if: number of treated areas (default: the panel's treated areas). */
  nTreated?: number | undefined;
  /** What-if: post-period length in periods (default: the panel's post-period, capped by the history). */
  post?: number | undefined;
  /** Simulated designs S. */
  sims: number;
  /** Effect sizes (magnitudes ≥ 0) of the curve; default: a grid scaled to the design's noise. */
  effects?: readonly number[] | undefined;
  effectType: 'additive' | 'proportional';
  direction: 'decrease' | 'increase';
  /** Target power κ. */
  power: number;
  /** Test size α (the method's interval at level 1 − α). */
  alpha: number;
  placebo: 'space' | 'time';
  /** Resampling draws inside each run (bootstrap / placebo inference). */
  reps: number;
  /** its only: the error model of each run (`--errors`; default auto). */
  errors?: string | undefined;
  /** its only: seasonal terms of each run (`--seasonality`; default none). */
  seasonality?: string | undefined;
  /** Period index of a hypothetical start (periods before it are the history); default the first treated period. */
  start?: number | undefined;
  seed: number;
  /** Conversion to offences: a rate per `ratePer` people (population column), a count, or none. */
  outcomeScale: 'rate' | 'count' | null;
  ratePer: number;
  /** Called after each simulated design (progress). */
  progress?: ((done: number, total: number) => void) | undefined;
}

export interface CurvePoint {
  effect: number;
  /** The effect as % of the treated pre-period mean. */
  percentOfMean: number | null;
  power: number;
  mcSe: number;
  rejections: number;
}

export interface PowerResult {
  runner: MethodRunner;
  evaluation: 'shift' | 'rerun';
  design: {
    units: number;
    controls: number;
    nTreated: number;
    pre: number;
    post: number;
    start: string;
    historyFirst: string;
    historyLast: string;
    treatedPreMean: number;
    /** Mean population per treated area (last history period), or null. */
    populationPerArea: number | null;
    distinctDesigns: number;
  };
  size: { value: number; mcSe: number; rejections: number };
  curve: CurvePoint[];
  mde: { value: number | null; mcSe: number | null; mcInterval: [number, number] | null; reached: boolean; percentOfMean: number | null; outcomeUnits: number | null; offencesOverPost: number | null };
  nullEstimates: { att: number[]; ci: ([number, number] | null)[] };
  warnings: { code: string; message: string }[];
}

interface History {
  T0: number;
  pool: number[];
  treated: number[];
}

/** prepare: the history window and the pool of placebo areas. */
export function history(panel: Panel, start: number | undefined): History {
  const T = panel.periods.length;
  const starts = treatmentStarts(panel);
  const treated: number[] = [];
  const pool: number[] = [];
  starts.forEach((s, i) => (s >= 0 ? treated : pool).push(i));
  let T0: number;
  if (treated.length > 0) {
    const design = panelDesign(panel);
    T0 = start !== undefined ? Math.min(start, design.firstStart) : design.firstStart;
  } else {
    if (start === undefined) throw new UsageError('NEEDS_START', `${panel.file}: no unit is treated yet; give the hypothetical programme start with --start <period> (the periods before it are used)`, { file: panel.file });
    T0 = start;
  }
  if (T0 < 1 || T0 > T) throw new UsageError('BAD_START', `the programme start must fall inside the panel`, { start: T0 });
  return { T0, pool, treated };
}

function mean(panel: Panel, units: readonly number[], t0: number, t1: number): number {
  const T = panel.periods.length;
  let s = 0;
  let n = 0;
  for (const i of units)
    for (let t = t0; t < t1; t++) {
      const v = panel.y[i * T + t]!;
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
  return n > 0 ? s / n : Number.NaN;
}

/** One simulated design: which units, pseudo-treated ones, pseudo-start, window end. */
export interface SimDesign {
  units: number[];
  treated: Set<number>;
  start: number;
  end: number;
  seed: number;
}

function drawDesign(h: History, o: { nTreated: number; post: number; placebo: 'space' | 'time' }, rng: Rng, minPre: number): SimDesign {
  const seed = rng.nextUint32();
  if (o.placebo === 'space') {
    const idx = rng.partialShuffle(h.pool.length, o.nTreated);
    const treated = new Set<number>();
    for (let k = 0; k < o.nTreated; k++) treated.add(h.pool[idx[k]!]!);
    return { units: h.pool, treated, start: h.T0 - o.post, end: h.T0, seed };
  }
  const chosen = h.treated.length === o.nTreated ? h.treated : Array.from(rng.partialShuffle(h.treated.length, o.nTreated).subarray(0, o.nTreated), (k) => h.treated[k]!);
  const start = minPre + rng.int(h.T0 - o.post - minPre + 1);
  return { units: [...h.pool, ...chosen].sort((a, b) => a - b), treated: new Set(chosen), start, end: start + o.post, seed };
}

/** treat: the panel of one design with effect δ (sign from the direction) on the pseudo-treated post cells. */
export function designPanel(panel: Panel, d: SimDesign, delta: number, o: Pick<PowerOptions, 'effectType' | 'direction'>): Panel {
  const T = panel.periods.length;
  const Tw = d.end;
  const N = d.units.length;
  const y = new Float64Array(N * Tw);
  const treated = new Uint8Array(N * Tw);
  const present = new Uint8Array(N * Tw);
  const population = panel.population ? new Float64Array(N * Tw) : null;
  const sign = o.direction === 'decrease' ? -1 : 1;
  d.units.forEach((i, j) => {
    const tr = d.treated.has(i);
    for (let t = 0; t < Tw; t++) {
      let v = panel.y[i * T + t]!;
      const post = tr && t >= d.start;
      if (post && delta !== 0) v = o.effectType === 'additive' ? v + sign * delta : v * (1 + sign * delta);
      y[j * Tw + t] = v;
      treated[j * Tw + t] = post ? 1 : 0;
      present[j * Tw + t] = panel.present[i * T + t]!;
      if (population) population[j * Tw + t] = panel.population![i * T + t]!;
    }
  });
  return {
    ...panel,
    units: d.units.map((i) => panel.units[i]!),
    periods: panel.periods.slice(0, Tw),
    ordinals: panel.ordinals.slice(0, Tw),
    y,
    treated,
    present,
    covariates: {},
    covariateNames: [],
    population,
  };
}

/** Power at effect magnitude m from one null run per design (shift evaluation). */
function shiftRejects(r: RunOutcome, m: number, sign: number, alpha: number): boolean {
  if (r.ci === null) return false;
  return r.ci[0] + sign * m > 0 || r.ci[1] + sign * m < 0;
}

function binomialSe(p: number, S: number): number {
  return Math.sqrt((p * (1 - p)) / S);
}

/** The default grid: multiples of the MDE guessed from the null runs' spread (normal approximation). */
function autoGrid(nulls: RunOutcome[], alpha: number, power: number): number[] {
  const halfWidths = nulls.filter((r) => r.ci !== null).map((r) => (r.ci![1] - r.ci![0]) / 2);
  let se: number;
  if (halfWidths.length >= nulls.length / 2) {
    se = quantileSorted(Float64Array.from(halfWidths).sort(), 0.5) / qnorm(1 - alpha / 2);
  } else {
    const a = nulls.map((r) => r.att);
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    se = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1));
  }
  const guess = (qnorm(1 - alpha / 2) + qnorm(power)) * se;
  if (!(guess > 0) || !Number.isFinite(guess)) return [0];
  return [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3].map((k) => k * guess);
}

/** The smallest m with power(m) ≥ target on a piecewise-linear curve (null when never reached). */
export function crossing(curve: readonly { effect: number; power: number }[], target: number): number | null {
  for (let k = 0; k < curve.length; k++) {
    const c = curve[k]!;
    if (c.power >= target) {
      if (k === 0) return c.effect;
      const a = curve[k - 1]!;
      return a.effect + ((target - a.power) / (c.power - a.power)) * (c.effect - a.effect);
    }
  }
  return null;
}

/** Shift evaluation: the exact step power curve of the S null runs; MDE = first breakpoint reaching the target. */
function shiftMde(nulls: RunOutcome[], sign: number, alpha: number, target: number): number | null {
  const S = nulls.length;
  const bps = new Set<number>();
  for (const r of nulls) if (r.ci) for (const e of r.ci) if (-sign * e >= 0) bps.add(-sign * e);
  const sorted = [...bps].sort((a, b) => a - b);
  const powerAt = (m: number) => nulls.reduce((s, r) => s + (shiftRejects(r, m, sign, alpha) ? 1 : 0), 0) / S;
  if (powerAt(0) >= target) return 0;
  for (const b of sorted) {
    // power just above the breakpoint b: the interval end has crossed 0
    const m = b + Math.max(Math.abs(b), 1e-300) * 1e-12;
    if (powerAt(m) >= target) return b;
  }
  return null;
}

/**
 * Run the power simulation: prepare (history, the design's n₁ and post length) → place (S designs,
 * design s from stream s) → test each at δ = 0 → the curve over the grid of δ → assemble.
 * The designs and the runs are replications, run through src/inference/resample.ts.
 */
export async function simulatePower(panel: Panel, o: PowerOptions): Promise<PowerResult> {
  const setup = prepareSimulation(panel, o);
  const designs = placeDesigns(setup, o);
  const runs = progressOver(o, setup.evaluation);
  const nulls = await eachInTurnAsync(designs.length, (s) => setup.runner.run(designPanel(panel, designs[s]!, 0, o), designs[s]!.seed), runs.phase());
  const curve = await powerCurve(panel, setup, designs, nulls, o, runs);
  return assemblePower(panel, setup, designs, nulls, curve, o);
}

/** What the stages share: the history, the simulated design (n₁, post length), the method's runner. */
interface SimulationSetup {
  h: History;
  nTreated: number;
  post: number;
  /** Fewest pre-periods a design may leave. */
  minPre: number;
  runner: MethodRunner;
  evaluation: 'shift' | 'rerun';
  /** −1 for a decrease, +1 for an increase. */
  sign: number;
  warnings: { code: string; message: string }[];
}

/** prepare: the history window, n₁ and the post length (capped to fit the history), checked against the pool; the runner. */
function prepareSimulation(panel: Panel, o: PowerOptions): SimulationSetup {
  const h = history(panel, o.start);
  const warnings: { code: string; message: string }[] = [];
  const nTreated = o.nTreated ?? h.treated.length;
  if (nTreated < 1) throw new UsageError('NEEDS_N_TREATED', 'no unit is treated in the panel: give the number of areas the programme would cover with --n-treated <n>', { flag: '--n-treated' });
  const defaultPost = h.treated.length > 0 ? panel.periods.length - h.T0 : undefined;
  let post = o.post ?? defaultPost;
  if (post === undefined) throw new UsageError('NEEDS_POST', 'no unit is treated in the panel: give the post-period length with --post <periods>', { flag: '--post' });
  const minPre = 3;
  if (o.post === undefined && h.T0 - post < minPre + (o.placebo === 'time' ? 0 : 0)) {
    const capped = Math.max(1, Math.floor(h.T0 / 3));
    warnings.push({ code: 'POST_CAPPED', message: `the panel's post-period (${post} periods) is too long to place inside the ${h.T0}-period history; simulated with ${capped} post-periods (give --post to choose)` });
    post = capped;
  }
  if (h.T0 - post < minPre) throw new UsageError('HISTORY_TOO_SHORT', `${h.T0} periods before the start leave fewer than ${minPre} pre-periods for a ${post}-period post window; shorten --post`, { history: h.T0, post });
  if (o.placebo === 'space' && h.pool.length < nTreated + 2) {
    throw new InputError('TOO_FEW_PLACEBO_AREAS', `${panel.file}: ${h.pool.length} never-treated areas cannot hold ${nTreated} pseudo-treated areas and at least 2 controls; use --placebo time or fewer --n-treated`, { pool: h.pool.length, nTreated });
  }
  if (o.placebo === 'time' && (h.treated.length < nTreated || h.treated.length === 0)) {
    throw new UsageError('TIME_PLACEBO_NEEDS_TREATED', `--placebo time moves the start of the panel's ${h.treated.length} treated area(s); --n-treated ${nTreated} is more than that (use --placebo space)`, { nTreated });
  }
  const runner = methodRunner(o.method, { level: 1 - o.alpha, reps: o.reps, errors: o.errors, seasonality: o.seasonality });
  const evaluation: 'shift' | 'rerun' = runner.shiftEquivariant && o.effectType === 'additive' ? 'shift' : 'rerun';
  return { h, nTreated, post, minPre, runner, evaluation, sign: o.direction === 'decrease' ? -1 : 1, warnings };
}

/** place: S simulated designs, design s drawn from stream s of the seed; a warning when designs repeat. */
function placeDesigns(setup: SimulationSetup, o: PowerOptions): SimDesign[] {
  const { h, nTreated, post, minPre, warnings } = setup;
  const designs = replicates(o.sims, new Rng(o.seed), (r) => drawDesign(h, { nTreated, post, placebo: o.placebo }, r, minPre)).results;
  const distinct = distinctDesigns(designs);
  if (distinct < o.sims) warnings.push({ code: 'REPEATED_DESIGNS', message: `only ${distinct} distinct placebo designs among the ${o.sims} simulations (${o.placebo === 'time' ? 'placebo in time has one design per start date' : 'a small pool of areas'}): the Monte Carlo SEs assume independent draws and understate the uncertainty` });
  return designs;
}

function distinctDesigns(designs: readonly SimDesign[]): number {
  return new Set(designs.map((d) => `${d.start}:${[...d.treated].sort((a, b) => a - b).join(',')}`)).size;
}

/**
 * Progress over every run of the simulation (S null runs, then S per δ ≠ 0 under 'rerun'):
 * `phase()` gives the options of the next block of S runs, which report (done, total) overall.
 */
function progressOver(o: PowerOptions, evaluation: 'shift' | 'rerun'): { phase: () => ResampleOptions | undefined } {
  const total = evaluation === 'shift' ? o.sims : o.sims * (1 + (o.effects?.filter((e) => e !== 0).length ?? 8));
  let offset = 0;
  return {
    phase: () => {
      if (!o.progress) return undefined;
      const from = offset;
      offset += o.sims;
      return { progress: (p) => o.progress!(from + p.done, total) };
    },
  };
}

/** test: power(δ) = rejections / S over the grid (δ = 0 and the given or automatic effects), by shift or rerun. */
async function powerCurve(panel: Panel, setup: SimulationSetup, designs: readonly SimDesign[], nulls: readonly RunOutcome[], o: PowerOptions, runs: ReturnType<typeof progressOver>): Promise<CurvePoint[]> {
  const S = o.sims;
  const sizeRej = nulls.filter((r) => rejects(r, o.alpha)).length;
  const grid = [...new Set([0, ...(o.effects ?? autoGrid([...nulls], o.alpha, o.power))])].sort((a, b) => a - b);
  const curve: CurvePoint[] = [];
  for (const m of grid) {
    let rej = 0;
    if (m === 0) rej = sizeRej;
    else if (setup.evaluation === 'shift') rej = nulls.filter((r) => shiftRejects(r, m, setup.sign, o.alpha)).length;
    else {
      const at = await eachInTurnAsync(designs.length, (s) => setup.runner.run(designPanel(panel, designs[s]!, m, o), designs[s]!.seed), runs.phase());
      rej = at.filter((r) => rejects(r, o.alpha)).length;
    }
    const p = rej / S;
    curve.push({ effect: m, percentOfMean: null, power: p, mcSe: binomialSe(p, S), rejections: rej });
  }
  return curve;
}

/** The MDE at target κ and its MC interval from the MDEs at κ ± 1.96·SE(κ), SE(κ) = √(κ(1−κ)/S). */
function mdeWithInterval(setup: SimulationSetup, nulls: readonly RunOutcome[], curve: readonly CurvePoint[], o: PowerOptions): { mde: number | null; lo: number | null; hi: number | null } {
  const pseSe = binomialSe(o.power, o.sims);
  const mdeAt = (k: number): number | null => (setup.evaluation === 'shift' ? shiftMde([...nulls], setup.sign, o.alpha, k) : crossing(curve, k));
  return { mde: mdeAt(o.power), lo: mdeAt(Math.max(0, o.power - 1.96 * pseSe)), hi: mdeAt(Math.min(1, o.power + 1.96 * pseSe)) };
}

/** Mean population per treated area (or per pool area when none is treated) in the last history period, or null. */
function populationPerArea(panel: Panel, h: History): number | null {
  if (!panel.population) return null;
  const T = panel.periods.length;
  const lastT = h.T0 - 1;
  const popUnits = h.treated.length > 0 ? h.treated : h.pool;
  let s = 0;
  for (const i of popUnits) s += panel.population[i * T + lastT]!;
  return s / popUnits.length;
}

/** assemble: size, curve (with % of the treated pre-period mean), MDE in outcome units and offences, design record. */
function assemblePower(panel: Panel, setup: SimulationSetup, designs: readonly SimDesign[], nulls: readonly RunOutcome[], curve: CurvePoint[], o: PowerOptions): PowerResult {
  const { h, nTreated, post, runner, evaluation, warnings } = setup;
  const S = o.sims;
  const treatedPreMean = h.treated.length > 0 ? mean(panel, h.treated, 0, h.T0) : mean(panel, h.pool, 0, h.T0);
  const { mde, lo, hi } = mdeWithInterval(setup, nulls, curve, o);
  const grid = curve.map((c) => c.effect);
  if (mde === null) warnings.push({ code: 'MDE_NOT_REACHED', message: `power stays below ${o.power} for every effect tried (largest ${grid[grid.length - 1]}): the design cannot detect effects of that size; give larger --effects` });
  const pct = (m: number) => (o.effectType === 'proportional' ? 100 * m : Number.isFinite(treatedPreMean) && treatedPreMean !== 0 ? (100 * m) / Math.abs(treatedPreMean) : null);
  for (const c of curve) c.percentOfMean = pct(c.effect);
  const units = (m: number) => (o.effectType === 'proportional' ? m * Math.abs(treatedPreMean) : m);
  const popPerArea = populationPerArea(panel, h);
  let offences: number | null = null;
  if (mde !== null) {
    if (o.outcomeScale === 'count') offences = units(mde) * nTreated * post;
    else if (o.outcomeScale === 'rate' && popPerArea !== null) offences = (units(mde) * popPerArea * nTreated * post) / o.ratePer;
  }
  const sizeRej = nulls.filter((r) => rejects(r, o.alpha)).length;
  return {
    runner,
    evaluation,
    design: {
      units: o.placebo === 'space' ? h.pool.length : h.pool.length + nTreated,
      controls: o.placebo === 'space' ? h.pool.length - nTreated : h.pool.length,
      nTreated,
      pre: o.placebo === 'space' ? h.T0 - post : Number.NaN,
      post,
      start: panel.periods[h.T0 - post]!,
      historyFirst: panel.periods[0]!,
      historyLast: panel.periods[h.T0 - 1]!,
      treatedPreMean,
      populationPerArea: popPerArea,
      distinctDesigns: distinctDesigns(designs),
    },
    size: { value: sizeRej / S, mcSe: binomialSe(sizeRej / S, S), rejections: sizeRej },
    curve,
    mde: {
      value: mde,
      mcSe: lo !== null && hi !== null ? (hi - lo) / (2 * 1.96) : null,
      mcInterval: lo !== null && hi !== null ? [lo, hi] : null,
      reached: mde !== null,
      percentOfMean: mde !== null ? pct(mde) : null,
      outcomeUnits: mde !== null ? units(mde) : null,
      offencesOverPost: offences,
    },
    nullEstimates: { att: nulls.map((r) => r.att), ci: nulls.map((r) => r.ci) },
    warnings,
  };
}
