/**
 * Issue 15 (reader part) through the real binary: a number that overflows a double and a
 * file in another delimiter are input errors (exit 3) in every command that reads a panel,
 * naming the file and, for a cell, its line, unit, period and column; no output file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

/** 4 control units and 1 treated from 2019-04, 6 months. */
function panel(sep = ',', cell: (u: string, p: string, y: number) => string = (_u, _p, y) => String(y)): string {
  const periods = ['2019-01', '2019-02', '2019-03', '2019-04', '2019-05', '2019-06'];
  const lines = [['unit', 'period', 'y', 'treated'].join(sep)];
  ['A', 'B', 'C', 'D', 'T'].forEach((u, i) => periods.forEach((p, t) => lines.push([u, p, cell(u, p, 10 + i + t * 0.5 + ((i * t) % 3)), u === 'T' && t >= 3 ? 1 : 0].join(sep))));
  return lines.join('\n') + '\n';
}

const COMMANDS: [string, string[]][] = [
  ['inspect', ['inspect']],
  ['scm synth', ['scm', '--method', 'synth']],
  ['scm gsynth', ['scm', '--method', 'gsynth', '--inference', 'none']],
  ['did twfe', ['did']],
  ['did cs', ['did', '--method', 'cs']],
  ['its', ['its']],
];

function run(cmd: string[], text: string) {
  const dir = tempDir();
  const file = join(dir, 'panel.csv');
  writeFileSync(file, text);
  const out = join(dir, 'out.json');
  const [name, ...rest] = cmd;
  const r = runCli([name!, file, ...rest, '--outcome', 'y', '--out', out]);
  return { r, out };
}

describe('through the binary', () => {
  for (const [label, cmd] of COMMANDS) {
    it(`${label}: 1e309 is NUMBER_OVERFLOW with line, unit, period and column (exit 3, no output)`, () => {
      const { r, out } = run(cmd, panel(',', (u, p, y) => (u === 'B' && p === '2019-02' ? '1e309' : String(y))));
      expect(r.code, r.stderr).toBe(3);
      const e = r.error();
      expect(e.code).toBe('NUMBER_OVERFLOW');
      expect(e.message).toContain("panel.csv line 9, unit 'B', period 2019-02: column 'y' holds '1e309'");
      expect(existsSync(out)).toBe(false);
    });
    it(`${label}: a semicolon-delimited file is WRONG_DELIMITER, not a missing column (exit 3)`, () => {
      const { r, out } = run(cmd, panel(';', (_u, _p, y) => String(y).replace('.', ',')));
      expect(r.code, r.stderr).toBe(3);
      const e = r.error();
      expect(e.code).toBe('WRONG_DELIMITER');
      expect(e.message).toContain('panel.csv looks semicolon-delimited');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a tab-delimited file is named as such (its, which used to say "no series")', () => {
    const { r } = run(['its', '--interruption', '2019-04'], panel('\t'));
    expect(r.code).toBe(3);
    expect(r.error().message).toContain('looks tab-delimited');
  });

  it('NaN is a missing cell: inspect counts it as missing', () => {
    const { r, out } = run(['inspect'], panel(',', (u, p, y) => (u === 'A' && p === '2019-03' ? 'NaN' : String(y))));
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(out, 'utf8'));
    expect(summary.missingCells).toEqual({ count: 1, first: [{ unit: 'A', period: '2019-03' }] });
  });
});
