import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { FIXTURE, runCli, tempDir } from '../helpers.js';

describe('vru-eval (binary)', () => {
  it('prints the schema as JSON', () => {
    const r = runCli(['schema']);
    expect(r.code).toBe(0);
    expect(r.json().title).toBe('vru-eval result document');
  });

  it('prints its version and help with exit 0', () => {
    expect(runCli(['--version']).code).toBe(0);
    const h = runCli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('inspect');
  });

  it('inspect summarises the fixture', () => {
    const r = runCli(['inspect', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--covariates', 'stop_search']);
    expect(r.code).toBe(0);
    const s = r.json();
    expect(s.units).toBe(60);
    expect(s.periods).toEqual({ count: 66, first: '2015-04', last: '2020-09' });
    expect(s.frequency).toBe('monthly');
    expect(s.treatedUnits).toHaveLength(12);
    expect(s.treatedUnits[0]).toMatchObject({ start: '2019-04', prePeriods: 48, postPeriods: 18 });
    expect(s.controlUnits).toBe(48);
    expect(s.missingCells.count).toBe(0);
    expect(s.covariates[0].name).toBe('stop_search');
  });

  it('inspect reads standard input and gives identical output for shuffled rows', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const lines = text.trim().split('\n');
    const shuffled = [lines[0]!, ...new Rng(11).shuffle(lines.slice(1))].join('\r\n') + '\r\n';
    const a = runCli(['inspect', '-', '--outcome', 'violence_rate'], { input: text });
    const b = runCli(['inspect', '-', '--outcome', 'violence_rate'], { input: shuffled });
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('usage errors exit 2 with one JSON error line on stderr', () => {
    const r = runCli(['inspect', FIXTURE, '--outcome', 'violence_rate', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('USAGE');
    expect(r.stdout).toBe('');
    const m = runCli(['inspect', FIXTURE]);
    expect(m.code).toBe(2);
    expect(m.error().message).toContain('--outcome');
    expect(runCli(['no-such-command']).code).toBe(2);
  });

  it('input errors exit 3, name the problem and leave no output file', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'unit,period,violence_rate,treated\nA,2019-01,1,0\nA,2019-02,yes,0\n');
    const out = join(dir, 'summary.json');
    const r = runCli(['inspect', bad, '--outcome', 'violence_rate', '--out', out]);
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('NON_NUMERIC');
    expect(e.message).toContain('bad.csv line 3');
    expect(e.details).toMatchObject({ unit: 'A', period: '2019-02', value: 'yes' });
    expect(existsSync(out)).toBe(false);
    const missing = runCli(['inspect', join(dir, 'nope.csv'), '--outcome', 'y']);
    expect(missing.code).toBe(3);
    expect(missing.error().code).toBe('FILE_UNREADABLE');
  });

  it('--out writes the file atomically and nothing to stdout', () => {
    const dir = tempDir();
    const out = join(dir, 's.json');
    const r = runCli(['inspect', FIXTURE, '--outcome', 'violence_rate', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).units).toBe(60);
  });
});
