import { describe, expect, it } from 'vitest';
import { readPanelText, panelDesign, requireBalanced, applyDonorPool, type PanelOptions } from '../../src/core/panel.js';
import { VruError } from '../../src/core/errors.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../../src/sim/dgp.js';
import { Rng } from '../../src/core/rng.js';

const opts: PanelOptions = { outcome: 'y' };

function code(f: () => unknown): { code: string; exit: number; message: string; details: Record<string, unknown> } {
  try {
    f();
  } catch (e) {
    if (e instanceof VruError) return { code: e.code, exit: e.exitCode, message: e.message, details: e.details as Record<string, unknown> };
    throw e;
  }
  throw new Error('expected an error');
}

const good = 'unit,period,y,treated\nB,2019-02,4,1\nA,2019-01,1,0\nA,2019-02,2,0\nB,2019-01,3,0\nA,2019-03,5,0\nB,2019-03,6,1\nB,2018-12,1,0\nA,2018-12,1,0\n';

describe('readPanel', () => {
  it('sorts units and periods and fills row-major arrays', () => {
    const p = readPanelText(good, opts, 'g.csv');
    expect(p.units).toEqual(['A', 'B']);
    expect(p.periods).toEqual(['2018-12', '2019-01', '2019-02', '2019-03']);
    expect(p.frequency).toBe('monthly');
    expect(Array.from(p.y)).toEqual([1, 1, 2, 5, 1, 3, 4, 6]);
    expect(Array.from(p.treated)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    const d = panelDesign(p);
    expect(d.treatedUnits).toEqual([1]);
    expect(d.controlUnits).toEqual([0]);
    expect(d.startIndex[1]).toBe(2);
  });

  it('gives the same digest for shuffled rows, CRLF, BOM and quoting', () => {
    const base = readPanelText(good, opts, 'g.csv');
    const lines = good.trim().split('\n');
    const shuffled = [lines[0]!, ...new Rng(3).shuffle(lines.slice(1))];
    const variant = '\uFEFF' + shuffled.map((l) => l.split(',').map((c) => `"${c}"`).join(',')).join('\r\n') + '\r\n';
    const p2 = readPanelText(variant, opts, 'g.csv');
    expect(p2.sha256).toBe(base.sha256);
    expect(Array.from(p2.y)).toEqual(Array.from(base.y));
    const changed = readPanelText(good.replace('A,2019-01,1,0', 'A,2019-01,1.0000001,0'), opts, 'g.csv');
    expect(changed.sha256).not.toBe(base.sha256);
  });

  it('detects quarterly, annual with a step (elections every 4 years) and integer periods', () => {
    const q = readPanelText('unit,period,y,treated\nA,2019-Q4,1,0\nA,2020-Q1,2,0\nB,2019-Q4,1,0\nB,2020-Q1,2,1\n', opts);
    expect(q.frequency).toBe('quarterly');
    expect(q.periods).toEqual(['2019-Q4', '2020-Q1']);
    const a = readPanelText('unit,period,y,treated\nA,1996,1,0\nA,2000,2,0\nA,2004,3,0\nB,1996,1,0\nB,2000,2,1\nB,2004,3,1\n', opts);
    expect(a.frequency).toBe('annual');
    expect(a.step).toBe(4);
    expect(a.periods).toEqual(['1996', '2000', '2004']);
    const i = readPanelText('unit,period,y,treated\n10,9,1,0\n10,10,2,0\n2,9,1,0\n2,10,2,1\n', opts);
    expect(i.frequency).toBe('integer');
    expect(i.units).toEqual(['2', '10']); // numeric ids sort numerically
  });

  it('builds treatment from --treated-units and --start', () => {
    const text = good.replace(/,treated/, '').replace(/,[01]\n/g, '\n');
    const p = readPanelText(text, { outcome: 'y', treatedUnits: ['B'], start: '2019-02' });
    expect(Array.from(p.treated)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(code(() => readPanelText(text, { outcome: 'y', treatedUnits: ['Z'], start: '2019-02' })).code).toBe('UNKNOWN_UNIT');
    expect(code(() => readPanelText(text, { outcome: 'y', treatedUnits: ['B'] })).exit).toBe(2);
    expect(code(() => readPanelText(text, { outcome: 'y', treatedUnits: ['B'], start: '2030-01' })).code).toBe('START_OUT_OF_RANGE');
  });

  it('carries covariates and population', () => {
    const p = readPanelText('unit,period,y,treated,x,pop\nA,1,1,0,0.5,100\nA,2,2,0,,100\nB,1,1,0,1.5,200\nB,2,2,1,2,200\n', { outcome: 'y', covariates: ['x'], population: 'pop' });
    expect(Array.from(p.covariates.x!)).toEqual([0.5, Number.NaN, 1.5, 2]);
    expect(Array.from(p.population!)).toEqual([100, 100, 200, 200]);
  });

  // Each rejected input: error code, exit code, and a message naming the file, row, unit and period.
  const bad: [string, string, PanelOptions, string, number, string[]][] = [
    ['missing column', 'unit,period,yy,treated\nA,1,1,0\n', opts, 'MISSING_COLUMN', 3, ["'y'", 'columns are']],
    ['non-numeric cell', 'unit,period,y,treated\nA,1,1,0\nA,2,yes,0\nB,1,1,0\nB,2,1,1\n', opts, 'NON_NUMERIC', 3, ['line 3', "'A'", 'period 2', "'yes'"]],
    ['thousands separator', 'unit,period,y,treated\nA,1,"1,234",0\n', opts, 'NON_NUMERIC', 3, ['thousands separators']],
    ['duplicate unit-period', 'unit,period,y,treated\nA,1,1,0\nA,1,2,0\n', opts, 'DUPLICATE_ROW', 3, ['lines 2 and 3', "'A'"]],
    ['treated flag 2', 'unit,period,y,treated\nA,1,1,0\nA,2,1,2\n', opts, 'BAD_TREATED_FLAG', 3, ['line 3', 'must be 0 or 1']],
    ['treatment switches off', 'unit,period,y,treated\nA,1,1,0\nA,2,1,1\nA,3,1,0\n', opts, 'TREATMENT_SWITCHES_OFF', 3, ["'A'", 'line 4', 'absorbing']],
    ['period gap', 'unit,period,y,treated\nA,2019-01,1,0\nA,2019-03,1,0\n', opts, 'PERIOD_GAP', 3, ['2019-02']],
    ['mixed period formats', 'unit,period,y,treated\nA,2019-01,1,0\nA,2019-Q1,1,0\n', opts, 'MIXED_PERIODS', 3, ['2019-Q1']],
    ['bad period', 'unit,period,y,treated\nA,Jan 2019,1,0\n', opts, 'BAD_PERIOD', 3, ['Jan 2019']],
    ['empty file', '', opts, 'EMPTY_FILE', 3, ['empty']],
  ];
  for (const [name, text, o, c, exit, parts] of bad) {
    it(`rejects ${name}`, () => {
      const e = code(() => readPanelText(text, o, 'bad.csv'));
      expect(e.code).toBe(c);
      expect(e.exit).toBe(exit);
      expect(e.message).toContain('bad.csv');
      for (const part of parts) expect(e.message).toContain(part);
    });
  }
});

describe('panelDesign and balance', () => {
  it('rejects treated units with fewer than 2 pre-periods, no controls and no treated units', () => {
    const p1 = readPanelText('unit,period,y,treated\nA,1,1,0\nA,2,1,0\nA,3,1,0\nB,1,1,0\nB,2,1,1\nB,3,1,1\n', opts, 'd.csv');
    const e1 = code(() => panelDesign(p1));
    expect(e1.code).toBe('TOO_FEW_PRE_PERIODS');
    expect(e1.message).toContain("'B'");
    const p2 = readPanelText('unit,period,y,treated\nA,1,1,0\nA,2,1,0\nA,3,1,1\nB,1,1,0\nB,2,1,0\nB,3,1,1\n', opts, 'd.csv');
    expect(code(() => panelDesign(p2)).code).toBe('NO_CONTROL_UNITS');
    const p3 = readPanelText('unit,period,y,treated\nA,1,1,0\nB,1,1,0\n', opts, 'd.csv');
    expect(code(() => panelDesign(p3)).code).toBe('NO_TREATED_UNITS');
  });

  it('reports missing cells where a balanced panel is needed', () => {
    const p = readPanelText('unit,period,y,treated\nA,1,1,0\nA,2,,0\nA,3,1,0\nB,1,1,0\nB,3,1,1\n', opts, 'u.csv');
    const e = code(() => requireBalanced(p, 'classic synthetic control'));
    expect(e.code).toBe('UNBALANCED_PANEL');
    expect(e.message).toContain("'A' 2");
    expect(e.message).toContain("'B' 2");
    expect(e.details.count).toBe(2);
  });

  it('restricts the donor pool', () => {
    const { records } = simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 8, treatedUnits: 2 }, 5);
    const p = readPanelText(recordsToCsv(records), { outcome: 'violence_rate' });
    const d = panelDesign(p);
    const c0 = p.units[d.controlUnits[0]!]!;
    const q = applyDonorPool(p, { excludeUnits: [c0] });
    expect(q.units).not.toContain(c0);
    expect(q.units.length).toBe(7);
    const r = applyDonorPool(p, { donors: [c0] });
    expect(r.units.length).toBe(3);
    expect(code(() => applyDonorPool(p, { donors: [p.units[d.treatedUnits[0]!]!] })).code).toBe('DONOR_IS_TREATED');
  });
});
