/**
 * Layers point down (issue 23): the import graph of src/ (scripts/importGraph.ts, TypeScript
 * compiler API) has no circle through static imports (values or types), and no layer imports one
 * above it (LAYER_RULES: core ↛ estimators, plan ↛ cli, estimators ↛ analyse/cli, …).
 * The only circle left is through a dynamic import: the CLI runs plan steps by calling its own
 * `main` (src/cli/exec.ts → `await import('./main.js')`), loaded when a plan runs, not at start.
 */
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, layerViolations, type ImportEdge } from '../../scripts/importGraph.js';
import { ROOT } from '../helpers.js';

const { edges } = importGraph(ROOT);
const show = (c: string[]) => [...c, c[0]].join(' → ');

describe('import graph of src/', () => {
  it('finds the imports it should (the graph is not empty; type-only and dynamic edges are told apart)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.some((e) => e.from === 'src/cli/exec.ts' && e.to === 'src/cli/main.ts' && e.dynamic)).toBe(true);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
  });

  it('has no circle through static imports (values or types)', () => {
    const cycles = findCycles(edges.filter((e) => !e.dynamic));
    expect(cycles.map(show)).toEqual([]);
  });

  it('has only the one circle through the dynamic import of the CLI by its plan runner', () => {
    const cycles = findCycles(edges);
    for (const c of cycles) expect(c).toContain('src/cli/main.ts');
    expect(cycles.every((c) => c.every((f) => f.startsWith('src/cli/')))).toBe(true);
  });

  it('layers point down: plan ↛ cli, core ↛ estimators, estimators ↛ analyse/cli, analyse ↛ cli', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('the checks can fail: a circle and a violation are found when added', () => {
    const extra: ImportEdge[] = [
      { from: 'src/core/result.ts', to: 'src/estimators/gsynth/index.ts', typeOnly: true, dynamic: false },
      { from: 'src/plan/run.ts', to: 'src/cli/main.ts', typeOnly: false, dynamic: true },
    ];
    expect(layerViolations([...edges, ...extra])).toHaveLength(2);
    const cyc: ImportEdge[] = [
      { from: 'src/a.ts', to: 'src/b.ts', typeOnly: false, dynamic: false },
      { from: 'src/b.ts', to: 'src/a.ts', typeOnly: true, dynamic: false },
    ];
    expect(findCycles(cyc).map(show)).toEqual(['src/a.ts → src/b.ts → src/a.ts']);
  });
});
