/**
 * Resampling written once (issue 23): placebo/permutation draws, the bootstrap and the jackknife.
 * A method supplies only "fit on these units" (a function of the replication's random stream or of
 * the group left out); this module owns the seeding, the order of the results, failed draws and
 * progress, so every method resamples the same way:
 *
 *  - Seeding: replication b draws only from `rng.stream(b)` (src/core/rng.ts), a generator fixed by
 *    (seed, b) alone, so a replication's result does not depend on which others ran before it or on
 *    which thread ran it. Results are kept in replication order.
 *  - Failed draws (a resample without a treated or a control unit): `replicates` counts them;
 *    `replicatesUntil` redraws with the next stream until B succeed, up to a cap.
 *  - Progress: an optional {phase, done, total} callback, as the CLI draws it (src/cli/progress.ts).
 *  - Standard errors from replicates: `bootstrapSe` (RMS deviation about the replicates' mean) and
 *    `jackknifeSe` (√(n−1) × the same: ((n−1)/n) Σ(τ̂₍ⱼ₎ − τ̄)²).
 *
 * Threads: replications expensive enough for worker threads go through src/inference/pool.ts
 * (`replicateRows`, `mapIndices`), the same mechanism across threads: the method exports a kernel
 * "replications [from, to) → their rows", seeded by stream b, collected by index (gsynth's bootstraps, micro's placebo sets).
 */
import type { Rng } from '../core/rng.js';

/** Progress after each replication or chunk; `etaSeconds` (threaded runs, src/inference/pool.ts) estimates the time left. */
export type ResampleProgress = (p: { phase: string; done: number; total: number; etaSeconds?: number | null }) => void;

export interface ResampleOptions {
  /** Phase name reported to `progress`, e.g. 'placebo'. */
  phase?: string;
  progress?: ResampleProgress | undefined;
}

export interface Replicates<R> {
  /** Successful replications, in replication order. */
  results: R[];
  /** Draws that gave no result (null). */
  failed: number;
  /** Draws made (results + failed). */
  attempts: number;
}

function report(o: ResampleOptions | undefined, done: number, total: number): void {
  o?.progress?.({ phase: o.phase ?? 'replications', done, total });
}

/**
 * B replications b = 0 … B−1, each fitted from its own stream `rng.stream(b)`; a null result is a failed draw.
 * (Placebo / permutation inference: each draw relabels units.)
 */
export function replicates<R>(B: number, rng: Rng, draw: (r: Rng, b: number) => R | null, o?: ResampleOptions): Replicates<R> {
  const results: R[] = [];
  let failed = 0;
  for (let b = 0; b < B; b++) {
    const x = draw(rng.stream(b), b);
    if (x === null) failed++;
    else results.push(x);
    report(o, b + 1, B);
  }
  return { results, failed, attempts: B };
}

/**
 * Draws b = 0, 1, 2, … (stream b each) until B succeed; a failed draw is redrawn with the next stream.
 * `tooMany()` is thrown once more than `maxAttempts` draws were needed (nearly every resample degenerate).
 */
export function replicatesUntil<R>(B: number, rng: Rng, draw: (r: Rng, b: number) => R | null, maxAttempts: number, tooMany: () => Error, o?: ResampleOptions): Replicates<R> {
  const results: R[] = [];
  let attempts = 0;
  while (results.length < B) {
    const x = draw(rng.stream(attempts), attempts);
    attempts++;
    if (x !== null) {
      results.push(x);
      report(o, results.length, B);
    }
    if (attempts > maxAttempts) throw tooMany();
  }
  return { results, failed: attempts - results.length, attempts };
}

/** Leave each of `nGroups` groups out in turn: `fit(g)` without group g (null: undefined without it). */
export function leaveOneOut<R>(nGroups: number, fit: (g: number) => R | null, o?: ResampleOptions): Replicates<R> {
  const results: R[] = [];
  let failed = 0;
  for (let g = 0; g < nGroups; g++) {
    const x = fit(g);
    if (x === null) failed++;
    else results.push(x);
    report(o, g + 1, nGroups);
  }
  return { results, failed, attempts: nGroups };
}

/**
 * Each of n placebo fits in turn (placebo in space: unit k as pseudo-treated; placebo in time: a
 * fake start for unit k): `fit(k)` for k = 0 … n−1, results in that order. No randomness.
 */
export function eachInTurn<R>(n: number, fit: (k: number) => R, o?: ResampleOptions): R[] {
  const results: R[] = [];
  for (let k = 0; k < n; k++) {
    results.push(fit(k));
    report(o, k + 1, n);
  }
  return results;
}

/**
 * {@link eachInTurn} for fits that are asynchronous (a whole analysis per replication, as in power
 * simulations): each is awaited before the next starts, so results and progress come in order.
 */
export async function eachInTurnAsync<R>(n: number, fit: (k: number) => Promise<R>, o?: ResampleOptions): Promise<R[]> {
  const results: R[] = [];
  for (let k = 0; k < n; k++) {
    results.push(await fit(k));
    report(o, k + 1, n);
  }
  return results;
}

/**
 * D draws from ONE stream, in order: draw d continues `rng` where draw d − 1 stopped, so a draw
 * depends on every draw before it and this runner cannot be split over threads. Only synth's
 * programme-level placebo sets use it: their recorded documents were drawn this way, and moving
 * them to per-draw streams (`replicates`) would change every such document. Use `replicates` in
 * new code.
 */
export function sequentialDraws(D: number, rng: Rng, draw: (r: Rng, d: number) => void, o?: ResampleOptions): void {
  for (let d = 0; d < D; d++) {
    draw(rng, d);
    report(o, d + 1, D);
  }
}

/**
 * Resampling groups of `units`: with cluster labels (one per panel unit), the units of each cluster
 * in order of first appearance, clusters sorted by label; without, each unit alone.
 */
export function resamplingGroups(units: readonly number[], clusters: readonly string[] | null): number[][] {
  if (!clusters) return units.map((u) => [u]);
  const byName = new Map<string, number[]>();
  for (const u of units) {
    const g = clusters[u]!;
    let l = byName.get(g);
    if (!l) byName.set(g, (l = []));
    l.push(u);
  }
  return [...byName.keys()].sort().map((k) => byName.get(k)!);
}

/** A bootstrap sample: as many groups as there are, drawn with replacement, their units concatenated. */
export function bootstrapRows(groups: readonly (readonly number[])[], r: Rng): number[] {
  const rows: number[] = [];
  for (let q = 0; q < groups.length; q++) rows.push(...groups[r.int(groups.length)]!);
  return rows;
}

/** Root mean squared deviation about the mean, (1/n Σ (x − x̄)²)^½ (sums left to right, as every method had it). */
export function rmsDeviation(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

/**
 * B replications that accumulate into the caller's arrays (multiplier and wild bootstraps: no
 * re-fit, a reweighting of fixed scores): `draw(r, b)` with r = rng.stream(b), in order.
 */
export function eachReplicate(B: number, rng: Rng, draw: (r: Rng, b: number) => void, o?: ResampleOptions): void {
  for (let b = 0; b < B; b++) {
    draw(rng.stream(b), b);
    report(o, b + 1, B);
  }
}

/** Mammen's two-point weights: −(√5−1)/2 with probability (√5+1)/(2√5), else (√5+1)/2 (mean 0, variance 1, third moment 1). */
export const MAMMEN_LO = -(Math.sqrt(5) - 1) / 2;
export const MAMMEN_HI = (Math.sqrt(5) + 1) / 2;
export const MAMMEN_P_LO = (Math.sqrt(5) + 1) / (2 * Math.sqrt(5));
/** Webb's (2014) six-point weights ±√1.5, ±1, ±√0.5, each with probability 1/6. */
export const WEBB_POINTS: readonly number[] = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];

export type MultiplierKind = 'rademacher' | 'mammen' | 'gaussian' | 'webb';

/** Fill `v` with i.i.d. multiplier weights of the given kind (mean 0, variance 1) from `r`. */
export function multiplierWeights(r: Rng, v: Float64Array, kind: MultiplierKind, n: number = v.length): void {
  if (kind === 'rademacher') for (let i = 0; i < n; i++) v[i] = r.sign();
  else if (kind === 'mammen') for (let i = 0; i < n; i++) v[i] = r.uniform() < MAMMEN_P_LO ? MAMMEN_LO : MAMMEN_HI;
  else if (kind === 'webb') for (let i = 0; i < n; i++) v[i] = WEBB_POINTS[r.int(6)]!;
  else for (let i = 0; i < n; i++) v[i] = r.normal();
}
