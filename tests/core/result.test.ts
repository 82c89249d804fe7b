import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeDocument, serialiseDocument, type Analysis } from '../../src/core/result.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../../src/sim/dgp.js';
import { FIXTURE, expectValidDocument } from '../helpers.js';

const analysis = (): Analysis => ({
  method: 'demo',
  options: { seed: 1 },
  estimate: { att: Number.NaN, se: 1, ci: [0, Number.POSITIVE_INFINITY], level: 0.95, pValue: null, inference: 'none', cumulative: null },
  path: [],
  units: [],
  diagnostics: [],
  warnings: [],
  zeta: 1,
  alpha: -0,
});

describe('makeDocument', () => {
  it('turns non-finite numbers into null with a NON_FINITE warning, and fixes the key order', () => {
    const doc = makeDocument('demo', { name: 'vru-eval', version: '0.0.0' }, null, analysis());
    expect(doc.estimate!.att).toBeNull();
    expect(doc.estimate!.ci).toEqual([0, null]);
    expect(doc.warnings[0]!.code).toBe('NON_FINITE');
    expect(doc.warnings[0]!.message).toContain('estimate.att');
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'command', 'method', 'input', 'options', 'estimate', 'path', 'units', 'diagnostics', 'warnings', 'alpha', 'zeta']);
    expect(Object.is(doc.alpha, 0)).toBe(true);
  });

  it('serialises numbers at full precision', () => {
    const a = analysis();
    a.estimate!.att = 0.1 + 0.2;
    const text = serialiseDocument(makeDocument('demo', { name: 'vru-eval', version: '0.0.0' }, null, a));
    expect(JSON.parse(text).estimate.att).toBe(0.30000000000000004);
  });

  it('a well-formed document validates against the schema', () => {
    const a = analysis();
    a.estimate!.att = 1;
    a.estimate!.ci = [0, 2];
    expectValidDocument(makeDocument('demo', { name: 'vru-eval', version: '0.0.0' }, null, a));
  });
});

describe('the shipped fixture', () => {
  it('is exactly what the project generator makes (npm run fixtures)', () => {
    const { records, truth } = simulatePanel(POLICE_FIXTURE_SPEC, 2019);
    expect(readFileSync(FIXTURE, 'utf8')).toBe(recordsToCsv(records));
    const saved = JSON.parse(readFileSync(FIXTURE.replace('.csv', '.truth.json'), 'utf8'));
    expect(saved.att).toBe(truth.att);
    expect(saved.treatedUnits).toEqual(truth.treatedUnits);
  });
});
