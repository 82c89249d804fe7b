/**
 * What a power document records of its runs (`options.runs`: the runner's `settings`) is what the
 * runs used: each recorded key equals the analysis document's own option, up to how the two
 * spell it. (The micro runner once recorded `calfun: raking` while its runs used the default,
 * linear.)
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analyse.js';
import { readPanel } from '../../src/core/panel.js';
import { POWER_METHODS, methodRunner } from '../../src/power/runner.js';
import { FIXTURE } from '../helpers.js';

/** The few places where the settings and the document spell the same value differently. */
function same(key: string, recorded: unknown, used: unknown): boolean {
  if (Array.isArray(used) && used.length === 1) return same(key, recorded, used[0]);
  if (key === 'factors' && recorded === 'auto') return typeof used === 'number';
  if (recorded === 'off') return used === null;
  if (key === 'estimator' && recorded === 'or') return used === 'outcome-regression';
  if (key === 'cluster' && typeof used === 'string') return used === recorded || used.startsWith(`${String(recorded)} (`);
  return JSON.stringify(recorded) === JSON.stringify(used);
}

describe('power runs record the settings they used', () => {
  const panel = readPanel(FIXTURE, { outcome: 'violence_rate' });
  for (const method of POWER_METHODS) {
    it(`${method}`, async () => {
      const r = methodRunner(method, { level: 0.95, reps: 20 });
      const { analysis } = await analyse(panel, r.options(1));
      const used = analysis.options as Record<string, unknown>;
      for (const [k, v] of Object.entries(r.settings)) {
        expect(k in used, `${method}: '${k}' is recorded but not an option of the analysis`).toBe(true);
        expect(same(k, v, used[k]), `${method}: ${k} recorded ${JSON.stringify(v)}, used ${JSON.stringify(used[k])}`).toBe(true);
      }
    }, 120_000);
  }
});
