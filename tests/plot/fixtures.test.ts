/**
 * The illustrative result documents the chart tests draw from follow the published schema
 * and the output contracts, and are exactly what scripts/makeResultFixtures.ts writes
 * (so nobody hand-edits them).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, expectValidDocument, tempDir } from '../helpers.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'results');
const NAMES = ['synth', 'gsynth', 'its', 'did', 'cs', 'cba'];
const read = (dir: string, n: string) => JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8'));

describe('fixture result documents', () => {
  it.each(NAMES)('%s validates against the result schema and says whether it is illustrative', (n) => {
    const doc = read(FIX, n);
    expectValidDocument(doc);
    // cba.json is a real document (the command run on examples/home-office-vru-2022.json); the others are illustrative.
    if (n === 'cba') expect(doc.bcr.estimate).toBeCloseTo(3.16, 2);
    else expect(doc.source).toMatch(/NOT an estimate/);
  });

  it('follow the output contracts', () => {
    const synth = read(FIX, 'synth');
    expect(synth.method).toBe('synth');
    expect(synth.placebos.type).toBe('space');
    for (const u of synth.placebos.units) expect(u.gaps).toHaveLength(synth.path.length);
    for (const u of synth.units) expect(Object.keys(u)).toEqual(expect.arrayContaining(['unit', 'att', 'preRmspe', 'postRmspe', 'rmspeRatio', 'pValue', 'weights', 'start']));
    const gs = read(FIX, 'gsynth');
    expect(gs.units.every((u: { weights: unknown; ci: unknown }) => u.weights === null && Array.isArray(u.ci))).toBe(true);
    expect(Object.keys(gs.eventPath[0])).toEqual(['eventTime', 'effect', 'se', 'ci', 'n']);
    expect(typeof gs.counts.offencesAvoided).toBe('number');
    expect(synth.path.every((p: { ci: unknown; placeboBand: unknown }) => p.ci === null && Array.isArray(p.placeboBand))).toBe(true);
    const its = read(FIX, 'its');
    expect(its.options.interruptions).toEqual(['2019-04', '2019-09']);
    expect(its.path.filter((p: { counterfactualCi: unknown }) => Array.isArray(p.counterfactualCi)).length).toBeGreaterThan(10);
    expect(its.path.every((p: { fitted?: unknown }) => 'fitted' in p)).toBe(true);
    expect(its.coefficients.map((c: { term: string }) => c.term)).toEqual(expect.arrayContaining(['level:2019-04', 'slope:2019-04', 'level:2019-09', 'dummy:2020-04:2020-05']));
    const did = read(FIX, 'did');
    const ref = did.eventPath.find((r: { eventTime: number }) => r.eventTime === -1);
    expect(ref).toEqual({ eventTime: -1, effect: 0, se: null, ci: null, n: 12, reference: true });
    expect(did.diagnostics.find((d: { code: string }) => d.code === 'PRE_TRENDS').value).toBe(0.43);
    const cba = read(FIX, 'cba');
    expect(Object.keys(cba.totals)).toEqual(expect.arrayContaining(['benefits', 'costs', 'netBenefit']));
    expect(Object.keys(cba.bcr)).toEqual(['estimate', 'low', 'high']);
  });

  it('are what the generator script writes (byte for byte)', () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'makeResultFixtures.js'), dir], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(NAMES.map((n) => `${n}.json`).sort());
    for (const n of NAMES) expect(readFileSync(join(dir, `${n}.json`), 'utf8'), n).toBe(readFileSync(join(FIX, `${n}.json`), 'utf8'));
  });
});
