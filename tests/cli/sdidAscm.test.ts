/**
 * `scm --method sdid` and `scm --method ascm` (and synth's uniqueness flags) through the real
 * binary: published numbers, schema, determinism, flag validation (exit 2), bad data (exit 3,
 * no output file), charts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, dataset, expectClose, expectValidDocument, hasShared, runCli, tempDir } from '../helpers.js';

const dir = tempDir();

describe.skipIf(!hasShared)('scm --method sdid on published data', () => {
  it('Prop 99: −15.60 with a placebo SE, schema-valid, byte-identical for the same seed', () => {
    const args = ['scm', dataset('prop99'), '--method', 'sdid', '--outcome', 'cigsale', '--reps', '50', '--seed', '7'];
    const a = runCli(args);
    expect(a.code, a.stderr).toBe(0);
    const d = a.json();
    expectValidDocument(d);
    expect(d.method).toBe('sdid');
    expectClose(d.estimate.att, -15.6038, { atol: 1e-4 }, 'SDID');
    expect(d.estimate.inference).toBe('placebo');
    expect(d.estimate.se).toBeGreaterThan(4);
    expect(d.options.reps).toBe(50);
    expect(d.timeWeights[0].start).toBe('1989');
    expect(runCli(args).stdout).toBe(a.stdout);
    const sc = runCli(['scm', dataset('prop99'), '--method', 'sdid', '--sdid-estimator', 'sc', '--outcome', 'cigsale', '--inference', 'none']).json();
    expectClose(sc.estimate.att, -19.6197, { atol: 1e-4 }, 'SC');
  });

  it('quota: clustered bootstrap by area; placebo with --cluster is refused', () => {
    const r = runCli(['scm', dataset('quota'), '--method', 'sdid', '--outcome', 'womparl', '--inference', 'bootstrap', '--cluster', 'area', '--reps', '20']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectClose(d.estimate.att, 8.0341, { atol: 1e-4 }, 'ATT');
    expect(d.estimate.inference).toBe('bootstrap-cluster');
    expect(d.options.cluster).toBe('area');
    expect(Number.isFinite(d.estimate.se)).toBe(true);
    const bad = runCli(['scm', dataset('quota'), '--method', 'sdid', '--outcome', 'womparl', '--cluster', 'area']);
    expect(bad.code).toBe(2);
    expect(bad.error().code).toBe('CLUSTER_NOT_USED');
  });

  it('ascm on Kansas: SC and ridge, intervals; --ascm-lambda with --ascm-model none is refused', () => {
    const r = runCli(['scm', dataset('kansas'), '--method', 'ascm', '--outcome', 'lngdpcapita', '--inference', 'jackknife+']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expectClose(d.estimate.att, -0.040063, { atol: 1e-5 }, 'ridge ASCM');
    expect(d.estimate.ci).toHaveLength(2);
    const fixed = runCli(['scm', dataset('kansas'), '--method', 'ascm', '--outcome', 'lngdpcapita', '--inference', 'none', '--ascm-lambda', '0.0787']).json();
    expectClose(fixed.estimate.att, -0.04006, { atol: 1e-5 }, 'fixed λ');
    const bad = runCli(['scm', dataset('kansas'), '--method', 'ascm', '--outcome', 'lngdpcapita', '--ascm-model', 'none', '--ascm-lambda', '1']);
    expect(bad.code).toBe(2);
  });
});

describe('scm sdid / ascm / synth uniqueness on the fixture', () => {
  it('sdid with several treated units: jackknife; the plot kinds draw', () => {
    const out = join(dir, 'sdid.json');
    const r = runCli(['scm', FIXTURE, '--method', 'sdid', '--outcome', 'violence_rate', '--inference', 'jackknife', '--out', out, '--plot', join(dir, 'sdid.svg')]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(readFileSync(out, 'utf8'));
    expectValidDocument(d);
    expect(d.estimate.inference).toBe('jackknife');
    expect(d.eventPath.length).toBeGreaterThan(10);
    const p = runCli(['plot', out, '--kind', 'timeweights', '--out', join(dir, 'tw.svg')]);
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(join(dir, 'tw.svg'), 'utf8')).toContain('<svg');
  });

  it('method-only flags are rejected under another method (exit 2)', () => {
    for (const args of [['--method', 'ascm', '--reps', '10'], ['--method', 'sdid', '--threads', '2'], ['--method', 'sdid', '--uniqueness-tol', '0.05'], ['--method', 'ascm', '--cluster', 'x'], ['--method', 'sdid', '--ascm-demean']]) {
      const r = runCli(['scm', FIXTURE, '--outcome', 'violence_rate', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.error().code).toBe('OPTION_NOT_FOR_METHOD');
    }
    const inf = runCli(['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'ascm', '--inference', 'placebo']);
    expect(inf.code).toBe(2);
    expect(inf.error().code).toBe('BAD_INFERENCE');
  });

  it('one treated unit: bootstrap and jackknife are refused; missing cells exit 3 with no output file', () => {
    const text = readFileSync(FIXTURE, 'utf8').trim().split('\n');
    const header = text[0]!.split(',');
    const ti = header.indexOf('treated');
    const ui = header.indexOf('unit');
    const firstTreated = text.slice(1).find((l) => l.split(',')[ti] === '1')!.split(',')[ui];
    const one = [text[0], ...text.slice(1).filter((l) => { const c = l.split(','); return c[ti] === '0' || c[ui] === firstTreated; }).filter((l) => { const c = l.split(','); return c[ui] === firstTreated || !text.slice(1).some((m) => m.split(',')[ui] === c[ui] && m.split(',')[ti] === '1'); })].join('\n') + '\n';
    const f = join(dir, 'one.csv');
    writeFileSync(f, one);
    for (const inf of ['bootstrap', 'jackknife']) {
      const r = runCli(['scm', f, '--method', 'sdid', '--outcome', 'violence_rate', '--inference', inf]);
      expect(r.code, inf).toBe(2);
    }
    expect(runCli(['scm', f, '--method', 'sdid', '--outcome', 'violence_rate', '--reps', '20']).code).toBe(0);
    const holes = join(dir, 'holes.csv');
    writeFileSync(holes, [text[0], ...text.slice(1, 40), ...text.slice(41)].join('\n') + '\n');
    const out = join(dir, 'never.json');
    for (const m of ['sdid', 'ascm']) {
      const r = runCli(['scm', holes, '--method', m, '--outcome', 'violence_rate', '--out', out]);
      expect(r.code, m).toBe(3);
      expect(r.error().code).toBe('UNBALANCED_PANEL');
      expect(existsSync(out)).toBe(false);
    }
  });

  it('synth: --uniqueness-tol off leaves the range out; a value is recorded', () => {
    const off = runCli(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'none', '--inference', 'none', '--uniqueness-tol', 'off']).json();
    expect(off.estimate.attRange).toBeUndefined();
    expect(off.options.uniquenessTol).toBeNull();
    const on = runCli(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'none', '--inference', 'none', '--uniqueness-tol', '0.05']).json();
    expect(on.options.uniquenessTol).toBe(0.05);
    expect(on.estimate.attRange[0]).toBeLessThanOrEqual(on.estimate.att);
    expect(on.estimate.attRange[1]).toBeGreaterThanOrEqual(on.estimate.att);
    expect(on.diagnostics.map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(['WEIGHTS_UNIQUE', 'EFFECTIVE_DONORS']));
    expect(runCli(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--uniqueness-tol', '-1']).code).toBe(2);
  });
});
