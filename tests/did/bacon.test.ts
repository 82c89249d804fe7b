/**
 * Goodman-Bacon (2021) decomposition (src/estimators/did/bacon.ts).
 *  - Identity: Σ s_j β̂_j equals the TWFE coefficient of estimateTwfe (alternating projections,
 *    a separate code path) to 1e-10, on mpdta and on generated staggered panels (with
 *    always-treated units and dynamic, heterogeneous effects so that the comparisons disagree).
 *  - Each 2×2 estimate equals TWFE run by estimateTwfe on its own two-group, windowed subpanel.
 *  - Weights are positive and sum to 1.
 */
import { describe, expect, it } from 'vitest';
import { readPanel, readPanelText, type Panel } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { baconDecomposition } from '../../src/estimators/did/bacon.js';
import { estimateTwfe, TWFE_DEFAULTS, type TwfeOptions } from '../../src/estimators/did/index.js';
import { dataset, expectClose, hasShared } from '../helpers.js';

const opts: TwfeOptions = {
  vcov: 'iid', cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: null,
  wildBootstrap: 0, wildWeights: 'rademacher', level: 0.95, seed: 1, maxIter: TWFE_DEFAULTS.maxIter, tol: 1e-14,
};
const twfe = (p: Panel) => (estimateTwfe(p, opts, new Rng(1)).estimate!.att as number);

/** Staggered panel: cohorts (start index, −1 never, 0 always), effect growing with exposure, cohort-specific. */
function staggered(seed: number, N: number, T: number, starts: number[]): string {
  const rng = new Rng(seed);
  const lines = ['unit,period,y,treated'];
  for (let i = 0; i < N; i++) {
    const g = starts[i % starts.length]!;
    const a = rng.normal();
    for (let t = 0; t < T; t++) {
      const d = g >= 0 && t >= g ? 1 : 0;
      const eff = d ? (1 + 0.1 * g) * (1 + 0.5 * (t - g)) : 0;
      lines.push(`u${i},${2000 + t},${a + 0.3 * t + eff + rng.normal()},${d}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The rows of `csv` for the units whose start is in `starts` and periods in [t0, t1). */
function subpanel(csv: string, keep: (unit: string, t: number) => boolean): Panel {
  const [head, ...rows] = csv.trim().split('\n');
  const kept = rows.filter((r) => {
    const [u, p] = r.split(',');
    return keep(u!, Number(p) - 2000);
  });
  return readPanelText([head, ...kept].join('\n') + '\n', { outcome: 'y' }, 'sub.csv');
}

describe('Goodman-Bacon decomposition', () => {
  it.skipIf(!hasShared)('mpdta: weighted sum of 2×2 estimates = TWFE coefficient to 1e-10; forbidden share reported', () => {
    const panel = readPanel(dataset('mpdta'), { outcome: 'lemp' });
    const b = baconDecomposition(panel);
    const tw = twfe(panel);
    expect(Math.abs(b.weightedSum - tw)).toBeLessThan(1e-10);
    expect(Math.abs(b.twfe - tw)).toBeLessThan(1e-10);
    expectClose(b.comparisons.reduce((s, c) => s + c.weight, 0), 1, { atol: 1e-12 }, 'Σ weights');
    // 3 cohorts + never: 3 treated-vs-never, 3 earlier-vs-later, 3 later-vs-earlier.
    expect(b.byType.map((t) => t.comparisons)).toEqual([3, 3, 3]);
    expect(b.forbiddenShare).toBeGreaterThan(0);
    expect(b.forbiddenShare).toBeLessThan(1);
  });

  for (const [seed, starts] of [[1, [-1, 2, 4, 7]], [2, [0, 3, 5, -1, 5]], [3, [2, 6]]] as const) {
    it(`generated panel ${seed} (starts ${starts.join(',')}): identity to 1e-10, each 2×2 equals TWFE on its subpanel`, () => {
      const T = 10;
      const csv = staggered(seed, 60, T, [...starts]);
      const panel = readPanelText(csv, { outcome: 'y' }, 'gen.csv');
      const b = baconDecomposition(panel);
      expect(Math.abs(b.weightedSum - twfe(panel))).toBeLessThan(1e-10);
      expectClose(b.comparisons.reduce((s, c) => s + c.weight, 0), 1, { atol: 1e-12 }, 'Σ weights');
      for (const c of b.comparisons) expect(c.weight).toBeGreaterThan(0);
      const startOf = (u: string) => starts[Number(u.slice(1)) % starts.length]!;
      for (const c of b.comparisons) {
        const tk = Number(c.treated) - 2000;
        const tc = c.control === 'never' ? -1 : Number(c.control) - 2000;
        let sub: Panel;
        if (c.type === 'treated-vs-never') sub = subpanel(csv, (u) => startOf(u) === tk || startOf(u) === -1);
        else if (c.type === 'earlier-vs-later') sub = subpanel(csv, (u, t) => (startOf(u) === tk || startOf(u) === tc) && t < tc);
        else sub = subpanel(csv, (u, t) => (startOf(u) === tk || startOf(u) === tc) && t >= tc);
        // In the later-vs-earlier window the earlier group is treated throughout: its D is constant,
        // absorbed by the unit effects, so TWFE there compares the later group's change with it.
        if (c.type === 'later-vs-earlier') {
          // Re-express the earlier group as untreated controls (their D is absorbed anyway).
          const text = csv.trim().split('\n');
          const rows = text.slice(1).filter((r) => {
            const [u, p] = r.split(',');
            const t = Number(p) - 2000;
            return (startOf(u!) === tk || startOf(u!) === tc) && t >= tc;
          }).map((r) => {
            const parts = r.split(',');
            if (startOf(parts[0]!) === tc) parts[3] = '0';
            return parts.join(',');
          });
          sub = readPanelText([text[0], ...rows].join('\n') + '\n', { outcome: 'y' }, 'sub.csv');
        }
        expectClose(c.estimate, twfe(sub), { atol: 1e-10 }, `${c.type} ${c.treated} vs ${c.control}`);
      }
    });
  }

  it('refuses unbalanced panels, non-absorbing treatment and covariates', () => {
    const csv = staggered(4, 12, 6, [-1, 2, 4]);
    const lines = csv.trim().split('\n');
    const unbalanced = readPanelText([lines[0], ...lines.slice(1).filter((_, k) => k !== 5)].join('\n') + '\n', { outcome: 'y' }, 'ub.csv');
    expect(() => baconDecomposition(unbalanced)).toThrow(/balanced panel/);
    const flip = lines.map((r, k) => (k === 10 ? r.replace(/,1$/, ',0') : r)); // unit u1 (start 2002), period 2003 switched off
    // Non-absorbing treatment is refused already by the panel reader (bacon.ts checks again).
    expect(() => readPanelText(flip.join('\n') + '\n', { outcome: 'y' }, 'flip.csv')).toThrow(/absorbing/);
    const withCov = readPanelText(['unit,period,y,treated,x', ...lines.slice(1).map((r) => r + ',1')].join('\n') + '\n', { outcome: 'y', covariates: ['x'] }, 'cov.csv');
    expect(() => baconDecomposition(withCov)).toThrow(/covariates/);
  });
});

