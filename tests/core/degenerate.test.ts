/**
 * src/core/degenerate.ts on hand-made panels: what counts as constant (range ≤ 1e-12 · max|y|),
 * which group is named, missing-cell lists and counts.
 */
import { describe, expect, it } from 'vitest';
import { cellCounts, formatCells, missingCellIndices, requireOutcomeVariation, requirePanelOutcomeVariation, treatmentGroups } from '../../src/core/degenerate.js';
import { VruError } from '../../src/core/errors.js';
import { readPanelText } from '../../src/core/panel.js';

/** 3 units × 4 periods; unit B treated from period 3. */
function panel(y: (number | string)[][]) {
  const lines = ['unit,period,y,treated'];
  ['A', 'B', 'C'].forEach((u, i) => y[i]!.forEach((v, t) => lines.push(`${u},${t + 1},${v},${u === 'B' && t >= 2 ? 1 : 0}`)));
  return readPanelText(lines.join('\n') + '\n', { outcome: 'y' }, 'p.csv');
}

function errorOf(f: () => void): VruError {
  try {
    f();
  } catch (e) {
    return e as VruError;
  }
  throw new Error('expected an error');
}

describe('requirePanelOutcomeVariation', () => {
  it('passes varying data and names the group that is constant', () => {
    expect(() => requirePanelOutcomeVariation(panel([[1, 2, 3, 4], [5, 6, 7, 8], [2, 2, 3, 1]]), 'm')).not.toThrow();
    const e = errorOf(() => requirePanelOutcomeVariation(panel([[1, 2, 3, 4], [7, 7, 7, 7], [2, 2, 3, 1]]), 'm'));
    expect(e.code).toBe('CONSTANT_OUTCOME');
    expect(e.exitCode).toBe(3);
    expect(e.details).toMatchObject({ column: 'y', group: 'the treated units', value: 7, cells: 4, units: 1 });
    expect(e.message).toContain("unit 'B'");
    const z = errorOf(() => requirePanelOutcomeVariation(panel([[0, 0, 0, 0], [1, 2, 3, 4], [0, 0, '', 0]]), 'm'));
    expect(z.details).toMatchObject({ group: 'the never-treated (comparison) units', value: 0, cells: 7 });
    expect(z.message).toMatch(/all-zero/);
  });

  it('treats a range within 1e-12 of the scale as constant, and 1e-9 as variation', () => {
    const big = 1e6;
    expect(() => requireOutcomeVariation(panel([[big, big * (1 + 1e-13), big, big], [1, 2, 3, 4], [1, 2, 3, 4]]), [{ name: 'A', units: [0] }], 'm')).toThrow(/constant/);
    expect(() => requireOutcomeVariation(panel([[big, big * (1 + 1e-9), big, big], [1, 2, 3, 4], [1, 2, 3, 4]]), [{ name: 'A', units: [0] }], 'm')).not.toThrow();
  });
});

describe('missing cells', () => {
  it('lists the missing cells in panel order, formats the first five and counts them', () => {
    const p = panel([[1, '', 3, 4], [5, 6, 'NaN', 8], [2, 2, 3, 'NA']]);
    const miss = missingCellIndices(p);
    expect(miss).toEqual([1, 6, 11]);
    expect(formatCells(p, miss)).toBe("'A' 2, 'B' 3, 'C' 4");
    expect(cellCounts(p, miss)).toEqual({ total: 12, observed: 9, used: 9, missing: 3 });
    expect(cellCounts(p, missingCellIndices(p, [0]), [0], 2)).toEqual({ total: 4, observed: 3, used: 2, missing: 1 });
    expect(treatmentGroups(p)).toEqual({ treated: [1], controls: [0, 2] });
  });
});
