/**
 * Charts from REAL result documents, through the binary: every estimating command's
 * `--plot` on the fixture, and per-unit small multiples from the units[].path that
 * both synthetic-control methods write.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE, expectValidDocument, runCli, tempDir } from '../helpers.js';
import { itemsOf, markGroups, roleTexts } from './svg.js';

const panelArgs = [FIXTURE, '--outcome', 'violence_rate'];

describe('--plot and plot --kind units on real documents', () => {
  const cases: [string, string[], string][] = [
    ['scm gsynth', ['scm', ...panelArgs, '--factors', '2', '--inference', 'none'], 'Month'],
    ['scm synth', ['scm', ...panelArgs, '--method', 'synth', '--placebo', 'none', '--inference', 'none'], 'Month'],
    ['its', ['its', ...panelArgs, '--interruption', '2019-04', '--dummy', '2020-04:2020-05', '--errors', 'ols'], 'Month'],
    ['did', ['did', ...panelArgs, '--event-window', '-6:6'], 'Months since treatment start (0 = first treated month)'],
  ];
  for (const [name, args, xTitle] of cases) {
    it(`${name}: --plot writes the default chart beside a valid document`, () => {
      const dir = tempDir();
      const out = join(dir, 'r.json');
      const svgFile = join(dir, 'r.svg');
      const r = runCli([...args, '--out', out, '--plot', svgFile]);
      expect(r.code, r.stderr).toBe(0);
      expectValidDocument(JSON.parse(readFileSync(out, 'utf8')));
      expect(existsSync(svgFile)).toBe(true);
      const svg = readFileSync(svgFile, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(roleTexts(svg, 'axis-title')).toContain(xTitle);
    });
  }

  it.each([
    ['gsynth', ['--factors', '2', '--inference', 'none']],
    ['synth', ['--method', 'synth', '--placebo', 'none', '--inference', 'none']],
  ])('%s: units[].path gives one small multiple per treated unit (12), observed and counterfactual lines', (_m, extra) => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    expect(runCli(['scm', ...panelArgs, ...extra, '--out', out]).code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.units).toHaveLength(12);
    for (const u of doc.units) {
      expect(u.path).toHaveLength(66);
      for (const p of u.path) expect(p.effect).toBeCloseTo(p.observed - p.counterfactual, 9);
    }
    // The programme path is the mean of the unit paths.
    doc.path.forEach((p: { observed: number; counterfactual: number }, t: number) => {
      const mo = doc.units.reduce((s: number, u: { path: { observed: number }[] }) => s + u.path[t]!.observed, 0) / 12;
      const mc = doc.units.reduce((s: number, u: { path: { counterfactual: number }[] }) => s + u.path[t]!.counterfactual, 0) / 12;
      expect(p.observed).toBeCloseTo(mo, 9);
      expect(p.counterfactual).toBeCloseTo(mc, 9);
    });
    const svgFile = join(dir, 'u.svg');
    const p = runCli(['plot', out, '--kind', 'units', '--out', svgFile]);
    expect(p.code, p.stderr).toBe(0);
    const svg = readFileSync(svgFile, 'utf8');
    expect(itemsOf(svg, 'line')).toHaveLength(24);
    expect(markGroups(svg).filter((g) => g.type === 'rule')).toHaveLength(12);
    for (const u of doc.units) expect(svg).toContain(`>${u.unit}</text>`);
  });
});
