/**
 * What a robustness suite runs around one analysis (plan section `robustness:`, or the flags of
 * `vru-eval robustness`). Every check is a re-run of the same analysis with one thing changed:
 *
 *   inTimePlacebos: [2017-04, 2018-04]   fake start dates inside the pre-period; the data are cut
 *                                        before the real start, so the true effect is zero
 *   leaveOneOut: { donors: 5, treated: true }   drop each of the 5 most influential donors (largest
 *                                        synthetic-control weight, else highest pre-period correlation
 *                                        with the treated average; 'all' for every donor), and each
 *                                        treated unit
 *   donorPools: { no_neighbours: { exclude: [A01, A02] }, other_forces: { sameAs: force } }
 *                                        drop the listed donors, or every donor sharing the value of a
 *                                        column with a treated unit (e.g. the same police force)
 *   starts: [2019-09]                    alternative start dates
 *   excludeWindow: 2020-04:2020-06       leave a shock window out (gsynth: --exclude-periods; its: a dummy)
 *   placeboOutcomes: [stop_search]       outcomes the programme should not move
 *   covariates: [stop_search]            adjusted vs unadjusted on the same reduced sample (units with
 *                                        a missing covariate dropped from both)
 */
import { PlanError, unknownKey, type JsonSchema } from '../core/optionTable.js';

export interface DonorPool {
  name: string;
  exclude: string[];
  sameAs: string | null;
}

export interface RobustnessSpec {
  inTimePlacebos: string[];
  leaveOneOut: { donors: number | 'all'; treated: boolean };
  donorPools: DonorPool[];
  starts: string[];
  excludeWindows: string[];
  placeboOutcomes: string[];
  covariates: string[];
  /** Re-run the analysis unchanged first (\`vru-eval robustness\` checks that the recorded options reproduce it). */
  rerun?: boolean;
}

export const ROBUSTNESS_KEYS = ['analysis', 'inTimePlacebos', 'leaveOneOut', 'donorPools', 'starts', 'excludeWindow', 'placeboOutcomes', 'covariates'] as const;

const names = { type: 'array', items: { type: 'string' } };
export const ROBUSTNESS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['analysis'],
  properties: {
    analysis: { type: 'string', description: 'the analysis the checks re-run' },
    inTimePlacebos: { ...names, description: 'fake start dates within the pre-period (data cut before the real start)' },
    leaveOneOut: {
      type: 'object',
      additionalProperties: false,
      properties: {
        donors: { anyOf: [{ type: 'integer', minimum: 0 }, { const: 'all' }], default: 0, description: 'drop each of this many most influential donors in turn' },
        treated: { type: 'boolean', default: false, description: 'drop each treated unit in turn' },
      },
    },
    donorPools: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: false, properties: { exclude: names, sameAs: { type: 'string', description: 'drop donors sharing this column\'s value with a treated unit' } } },
    },
    starts: { ...names, description: 'alternative start dates' },
    excludeWindow: { anyOf: [{ type: 'string' }, names], description: 'from:to shock window(s) left out of the fit' },
    placeboOutcomes: { ...names, description: 'outcome columns the programme should not move' },
    covariates: { ...names, description: 'adjusted vs unadjusted on the same reduced sample' },
  },
};

export function emptyRobustness(): RobustnessSpec {
  return { inTimePlacebos: [], leaveOneOut: { donors: 0, treated: false }, donorPools: [], starts: [], excludeWindows: [], placeboOutcomes: [], covariates: [] };
}

function strs(v: unknown, path: string): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) throw new PlanError('PLAN_BAD_TYPE', path, 'must be a list of strings');
  return v as string[];
}

/** What the target analysis supports, to reject checks it cannot run. */
export interface RobustnessTarget {
  command: string;
  method: string;
}

/** Validate a `robustness:` entry. @throws PlanError naming the key path */
export function parseRobustnessSpec(r: Record<string, unknown>, path: string, target: { command: { name: string }; values: Record<string, unknown> }): RobustnessSpec {
  for (const k of Object.keys(r)) if (!(ROBUSTNESS_KEYS as readonly string[]).includes(k)) throw unknownKey(path, k, ROBUSTNESS_KEYS, 'robustness check');
  const spec = emptyRobustness();
  spec.inTimePlacebos = strs(r.inTimePlacebos, `${path}.inTimePlacebos`);
  spec.starts = strs(r.starts, `${path}.starts`);
  spec.excludeWindows = strs(r.excludeWindow, `${path}.excludeWindow`);
  spec.placeboOutcomes = strs(r.placeboOutcomes, `${path}.placeboOutcomes`);
  spec.covariates = strs(r.covariates, `${path}.covariates`);
  if (r.leaveOneOut !== undefined) {
    const l = r.leaveOneOut;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) throw new PlanError('PLAN_BAD_TYPE', `${path}.leaveOneOut`, 'must be a mapping { donors: n|all, treated: true|false }');
    const lo = l as Record<string, unknown>;
    for (const k of Object.keys(lo)) if (k !== 'donors' && k !== 'treated') throw unknownKey(`${path}.leaveOneOut`, k, ['donors', 'treated']);
    if (lo.donors !== undefined) {
      if (lo.donors !== 'all' && !(typeof lo.donors === 'number' && Number.isInteger(lo.donors) && lo.donors >= 0)) throw new PlanError('PLAN_BAD_TYPE', `${path}.leaveOneOut.donors`, "must be a number of donors ≥ 0 or 'all'");
      spec.leaveOneOut.donors = lo.donors as number | 'all';
    }
    if (lo.treated !== undefined) {
      if (typeof lo.treated !== 'boolean') throw new PlanError('PLAN_BAD_TYPE', `${path}.leaveOneOut.treated`, 'must be true or false');
      spec.leaveOneOut.treated = lo.treated;
    }
  }
  if (r.donorPools !== undefined) {
    if (typeof r.donorPools !== 'object' || r.donorPools === null || Array.isArray(r.donorPools)) throw new PlanError('PLAN_BAD_TYPE', `${path}.donorPools`, 'must be a mapping of pool names to { exclude: [units] } or { sameAs: column }');
    for (const [name, v] of Object.entries(r.donorPools as Record<string, unknown>)) {
      const p = `${path}.donorPools.${name}`;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PlanError('PLAN_BAD_TYPE', p, 'must be { exclude: [units] } or { sameAs: column }');
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) if (k !== 'exclude' && k !== 'sameAs') throw unknownKey(p, k, ['exclude', 'sameAs']);
      const exclude = strs(o.exclude, `${p}.exclude`);
      const sameAs = o.sameAs === undefined ? null : strs(o.sameAs, `${p}.sameAs`)[0] ?? null;
      if (exclude.length === 0 && sameAs === null) throw new PlanError('PLAN_MISSING_KEY', p, 'give exclude: [units] or sameAs: column');
      spec.donorPools.push({ name, exclude, sameAs });
    }
  }
  const cmd = target.command.name;
  const method = String(target.values.method ?? (cmd === 'scm' ? 'gsynth' : cmd === 'did' ? 'twfe' : cmd));
  for (const w of spec.excludeWindows) {
    if (!/^[^:]+:[^:]+$/.test(w)) throw new PlanError('PLAN_BAD_VALUE', `${path}.excludeWindow`, `'${w}' must be from:to, e.g. 2020-04:2020-06`);
  }
  if (spec.excludeWindows.length > 0 && !(method === 'gsynth' || cmd === 'its')) {
    throw new PlanError('PLAN_CHECK_NOT_AVAILABLE', `${path}.excludeWindow`, `excluding a window needs scm --method gsynth (--exclude-periods) or its (a dummy); the analysis is ${cmd} --method ${method}`);
  }
  if (spec.covariates.length > 0 && !(method === 'gsynth' || method === 'cs')) {
    throw new PlanError('PLAN_CHECK_NOT_AVAILABLE', `${path}.covariates`, `covariate adjustment needs scm --method gsynth or did --method cs; the analysis is ${cmd} --method ${method}`);
  }
  return spec;
}
