/**
 * Issue 2 §2/§5: every class of bad input, run through the real binary on the main
 * job (`scm`), exits 3 with a JSON error naming the problem, and writes no output file.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';

const header = 'unit,period,y,treated\n';
/** A small valid panel: 4 control units and 1 treated from 2019-04, 6 months. */
function rows(mutate: (unit: string, period: string, y: number, d: number) => string | null = (u, p, y, d) => `${u},${p},${y},${d}`): string {
  const out: string[] = [];
  const periods = ['2019-01', '2019-02', '2019-03', '2019-04', '2019-05', '2019-06'];
  ['A', 'B', 'C', 'D', 'T'].forEach((u, i) =>
    periods.forEach((p, t) => {
      const d = u === 'T' && t >= 3 ? 1 : 0;
      const line = mutate(u, p, 10 + i + t * 0.5 + (i * t) % 3, d);
      if (line !== null) out.push(line);
    }),
  );
  return header + out.join('\n') + '\n';
}

const cases: { name: string; text: string; code: string; mentions: string[] }[] = [
  { name: 'a missing column', text: rows().replace('treated', 'treatment'), code: 'MISSING_COLUMN', mentions: ["'treated'"] },
  { name: 'a non-numeric cell', text: rows((u, p, y, d) => `${u},${p},${u === 'B' && p === '2019-02' ? 'yes' : y},${d}`), code: 'NON_NUMERIC', mentions: ["'B'", '2019-02', "'yes'", 'line'] },
  { name: 'a duplicate unit-period row', text: rows() + 'C,2019-05,1,0\n', code: 'DUPLICATE_ROW', mentions: ["'C'", '2019-05', 'lines'] },
  { name: 'a missing period for a donor (balanced panel needed)', text: rows((u, p, y, d) => (u === 'C' && p === '2019-02' ? null : `${u},${p},${y},${d}`)), code: 'UNBALANCED_PANEL', mentions: ["'C'", '2019-02'] },
  { name: 'a treated flag other than 0/1', text: rows((u, p, y, d) => `${u},${p},${y},${u === 'A' && p === '2019-03' ? 'yes' : d}`), code: 'BAD_TREATED_FLAG', mentions: ["'A'", '2019-03', '0 or 1'] },
  { name: 'treatment that switches off', text: rows((u, p, y, d) => `${u},${p},${y},${u === 'T' && p === '2019-06' ? 0 : d}`), code: 'TREATMENT_SWITCHES_OFF', mentions: ["'T'", '2019-06'] },
  { name: 'a treated unit with fewer than 2 pre-periods', text: rows((u, p, y, d) => `${u},${p},${y},${u === 'T' && p >= '2019-02' ? 1 : d}`), code: 'TOO_FEW_PRE_PERIODS', mentions: ["'T'"] },
  { name: 'no control units', text: rows((u, p, y) => `${u},${p},${y},${p >= '2019-04' ? 1 : 0}`), code: 'NO_CONTROL_UNITS', mentions: ['never-treated'] },
  { name: 'an empty file', text: '', code: 'EMPTY_FILE', mentions: ['empty'] },
];

describe('bad inputs through `vru-eval scm --method synth --out`', () => {
  for (const c of cases) {
    it(`${c.name}: exit 3, ${c.code}, names the problem, no output file`, () => {
      const dir = tempDir();
      const file = join(dir, 'panel.csv');
      writeFileSync(file, c.text);
      const out = join(dir, 'result.json');
      const r = runCli(['scm', file, '--method', 'synth', '--outcome', 'y', '--out', out]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout).toBe('');
      const e = r.error();
      expect(e.code).toBe(c.code);
      expect(e.message).toContain('panel.csv');
      for (const m of c.mentions) expect(e.message).toContain(m);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual(['panel.csv']); // no temporary file left behind either
    });
  }

  it('the valid panel runs (so the cases above fail for their own reason)', () => {
    const dir = tempDir();
    const file = join(dir, 'panel.csv');
    writeFileSync(file, rows());
    const r = runCli(['scm', file, '--method', 'synth', '--outcome', 'y', '--placebo', 'none', '--inference', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().units[0].unit).toBe('T');
  });
});
