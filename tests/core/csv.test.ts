import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { parseCsvText } from '../../src/io/csv.js';
import { InputError } from '../../src/core/errors.js';

/** csv-parse is the independent oracle for our single-pass scanner. */
function oracle(text: string): string[][] {
  return parse(text, { bom: true, skip_empty_lines: true, trim: true }) as string[][];
}

describe('parseCsvText', () => {
  const cases: [string, string][] = [
    ['plain LF', 'unit,period,y\nA,2019-01,1.5\nB,2019-01,2\n'],
    ['CRLF and BOM', '\uFEFFunit,period,y\r\nA,2019-01,1.5\r\nB,2019-01,2\r\n'],
    ['quoted fields with commas, doubled quotes and newlines', 'unit,period,y\n"Area, North","2019-01","3"\n"Say ""hi""\nthere",2019-02,4\n'],
    ['no trailing newline, blank lines, spaces', 'unit, period ,y\n\n A ,2019-01, 1 \n\nB,2019-02,2'],
    ['empty cells', 'unit,period,y,x\nA,2019-01,,\nB,2019-01,2,\n'],
  ];
  for (const [name, text] of cases) {
    it(`agrees with csv-parse: ${name}`, () => {
      const t = parseCsvText(text, 'f.csv');
      const o = oracle(text);
      expect([t.header, ...t.rows]).toEqual(o);
    });
  }

  it('records the starting line of each row, counting embedded newlines and blank lines', () => {
    const t = parseCsvText('unit,period,y\n"a\nb",1,2\n\nc,1,3\n', 'f.csv');
    expect(t.lines).toEqual([2, 5]);
  });

  it.each([
    ['', 'EMPTY_FILE'],
    ['unit,period,y\n', 'EMPTY_FILE'],
    ['unit,period,y\nA,1\n', 'CSV_MALFORMED'],
    ['unit,period,y\n"A,1,2\n', 'CSV_MALFORMED'],
    ['unit,period,y\nA"x,1,2\n', 'CSV_MALFORMED'],
    ['unit,unit,y\nA,1,2\n', 'CSV_HEADER'],
    ['unit,,y\nA,1,2\n', 'CSV_HEADER'],
  ])('rejects %j with %s', (text, code) => {
    try {
      parseCsvText(text, 'bad.csv');
      expect.fail('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).code).toBe(code);
      expect((e as InputError).message).toContain('bad.csv');
    }
  });
});
