/**
 * `vru-eval plot` through the real binary: SVG / PNG / spec files, SVG on stdout, default
 * kinds, time-zone independence, and bad inputs (exit code, error code, no output file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, tempDir } from '../helpers.js';
import { ariaLabels } from './svg.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'results');
const fx = (n: string) => join(FIX, `${n}.json`);

describe('vru-eval plot', () => {
  it('writes an SVG, its Vega-Lite spec, and nothing on stdout', () => {
    const dir = tempDir();
    const out = join(dir, 'synth.svg');
    const spec = join(dir, 'synth.vl.json');
    const r = runCli(['plot', fx('synth'), '--out', out, '--spec', spec, '--mark', '2020-04:lockdown', '--title', 'Funded areas']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<title id="vru-title">Funded areas</title>');
    expect(ariaLabels(svg)).toEqual(expect.arrayContaining(['Intervention starts 2019-04', 'Event: lockdown 2020-04']));
    const vl = JSON.parse(readFileSync(spec, 'utf8'));
    expect(vl.$schema).toMatch(/vega-lite\/v6/);
    expect(vl.title.text).toBe('Funded areas');
    expect(readdirSync(dir).sort()).toEqual(['synth.svg', 'synth.vl.json']);
  });

  it('writes a PNG when --out ends in .png, at --scale × the SVG size', () => {
    const dir = tempDir();
    const out = join(dir, 'did.png');
    const r = runCli(['plot', fx('did'), '--out', out, '--scale', '1.5']);
    expect(r.code, r.stderr).toBe(0);
    const png = readFileSync(out);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = runCli(['plot', fx('did')]).stdout;
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(png.readUInt32BE(16)).toBe(Math.round(w * 1.5));
  });

  it('prints the SVG on stdout without --out; the default kind follows the method', () => {
    const did = runCli(['plot', fx('did')]);
    expect(did.code, did.stderr).toBe(0);
    expect(did.stdout).toContain('reference period -1, normalised to 0');
    const cba = runCli(['plot', fx('cba')]);
    expect(cba.stdout).toContain('Programme costs £121,952,973');
    const its = runCli(['plot', fx('its')]);
    expect(its.stdout).toContain('series: Fitted model');
  });

  it('gives the same bytes in any time zone and on every run', () => {
    const run = (tz: string) => spawnSync(process.execPath, [BIN, 'plot', fx('gsynth'), '--kind', 'cumulative'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: tz } }).stdout;
    const utc = run('UTC');
    expect(utc.length).toBeGreaterThan(1000);
    expect(run('Pacific/Auckland')).toBe(utc);
    expect(run('America/Los_Angeles')).toBe(utc);
  });

  it.each([
    [['--kind', 'pie'], 2, 'USAGE'],
    [['--kind', 'weights'], 2, 'KIND_NOT_APPLICABLE'],
    [['--mark', 'lockdown'], 2, 'BAD_MARK'],
    [['--mark', '2020:annual'], 2, 'BAD_PERIOD'],
    [['--width', '10'], 2, 'BAD_NUMBER'],
  ])('bad flags %j → exit %i %s, no chart file', (flags, code, err) => {
    const dir = tempDir();
    const out = join(dir, 'x.svg');
    const r = runCli(['plot', fx('gsynth'), '--out', out, ...(flags as string[])]);
    expect(r.code).toBe(code);
    expect(r.error().code).toBe(err);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects an output name that is not .svg or .png before reading anything', () => {
    const dir = tempDir();
    const r = runCli(['plot', join(dir, 'missing.json'), '--out', join(dir, 'x.pdf')]);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('BAD_PLOT_FILE');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['missing file', null, 'RESULT_UNREADABLE'],
    ['not JSON', 'scm,oops', 'RESULT_NOT_JSON'],
    ['not a result', '{"unit":"A01"}', 'NOT_A_RESULT'],
  ])('%s → exit 3 %s', (_what, content, err) => {
    const dir = tempDir();
    const file = join(dir, 'r.json');
    if (content !== null) writeFileSync(file, content);
    const out = join(dir, 'x.svg');
    const r = runCli(['plot', file, '--out', out]);
    expect(r.code).toBe(3);
    expect(r.error().code).toBe(err);
    expect(existsSync(out)).toBe(false);
  });
});
