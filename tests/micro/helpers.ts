/** Shared set-up for the micro-area synthetic control tests: generated panels in MicroData form. */
import type { MicroData, MicroOptions } from '../../src/estimators/micro/index.js';
import { simulateMicroPanel, type MicroPanelSpec } from '../../src/sim/microDgp.js';

export const SMALL: MicroPanelSpec = { areas: 600, periods: 16, firstPeriod: '2018-01', treated: 25, start: 12, effect: -0.25, outcomes: 2, base: 6, sigmaU: 0.3, selection: 'random' };

export function simData(spec: MicroPanelSpec, seed: number): { data: MicroData; truth: ReturnType<typeof simulateMicroPanel>['truth'] } {
  const s = simulateMicroPanel(spec, seed);
  const y: Record<string, Float64Array> = {};
  s.outcomeNames.forEach((o, k) => (y[o] = s.y[k]!));
  return { data: { units: s.units, periods: s.periods, outcomes: s.outcomeNames, y, covariates: { pop: s.pop, dep: s.dep }, treated: s.treated, start: spec.start }, truth: s.truth };
}

export const BASE: MicroOptions = { matchPeriods: { kind: 'each' }, inference: [], perms: 0, weightRange: false, seed: 1, level: 0.95, tol: 1e-10, maxIter: 500, threads: 1, distance: 'raking' };

/** Reorder / relabel units: a new MicroData with units permuted by `perm` (new i ← old perm[i]) and renamed by `rename`. */
export function permuteUnits(d: MicroData, perm: number[], rename: (u: string) => string = (u) => u): MicroData {
  const T = d.periods.length;
  const take = (m: Float64Array, width: number) => {
    const out = new Float64Array(m.length);
    perm.forEach((old, i) => out.set(m.subarray(old * width, (old + 1) * width), i * width));
    return out;
  };
  const y: Record<string, Float64Array> = {};
  for (const [k, m] of Object.entries(d.y)) y[k] = take(m, T);
  const cov: Record<string, Float64Array> = {};
  for (const [k, m] of Object.entries(d.covariates)) cov[k] = take(m, 1);
  return { ...d, units: perm.map((old) => rename(d.units[old]!)), y, covariates: cov, treated: Uint8Array.from(perm.map((old) => d.treated[old]!)) };
}
