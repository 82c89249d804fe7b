/**
 * The byte-level row scanner against csv-parse (an independent RFC 4180 parser): the same
 * fields and line numbers for every way of cutting the bytes into chunks (rows, quoted
 * commas, doubled quotes, a quoted line break and CRLF line ends cut at every offset),
 * and the duplicate-hash set.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RowHashSet, RowScanner } from '../../src/policeuk/scan.js';

class Collect extends RowScanner {
  rowsOut: { line: number; fields: string[]; h: string }[] = [];
  constructor() {
    super('t.csv', 'a,b,c', 3);
  }
  protected row(buf: Buffer): void {
    this.hashRow(buf);
    this.rowsOut.push({ line: this.line, fields: [0, 1, 2].map((k) => this.field(buf, k)), h: `${this.h1}:${this.h2}` });
  }
}

const TEXT = ['a,b,c', 'x,"On or near ""High"" Street, Town",3', ',,', 'é,"two\nlines",5', 'p,q,r', 'x,"On or near ""High"" Street, Town",3'].join('\r\n') + '\r\n';

describe('RowScanner', () => {
  it('gives csv-parse’s fields for every chunking of the bytes, with the right line numbers', () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    const want = (parse(TEXT, { relax_column_count: false }) as string[][]).slice(1);
    for (let size = 1; size <= bytes.length; size++) {
      const s = new Collect();
      for (let k = 0; k < bytes.length; k += size) s.push(Buffer.from(bytes.subarray(k, k + size)));
      s.end();
      expect(s.rowsOut.map((r) => r.fields), `chunk size ${size}`).toEqual(want);
      expect(s.rowsOut.map((r) => r.line)).toEqual([2, 3, 4, 6, 7]);
      // identical rows hash alike; different rows do not
      expect(s.rowsOut[0]!.h).toBe(s.rowsOut[4]!.h);
      expect(new Set(s.rowsOut.map((r) => r.h)).size).toBe(4);
    }
  });

  it('a last row without a line end is read; a ragged row is an error naming its line', () => {
    const s = new Collect();
    s.push(Buffer.from('a,b,c\n1,2,3\n4,5,6'));
    s.end();
    expect(s.rowsOut.map((r) => r.fields)).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    const t = new Collect();
    expect(() => t.push(Buffer.from('a,b,c\n1,2,3\n4,5\n'))).toThrow(/t\.csv line 3: 2 field\(s\) where police\.uk files have 3/);
  });
});

describe('RowHashSet', () => {
  it('finds every repeat among 200,000 pairs, across growth', () => {
    const s = new RowHashSet(16);
    let fresh = 0;
    for (let k = 0; k < 100_000; k++) if (s.add(k * 2654435761, k ^ 0x5bd1e995)) fresh++;
    expect(fresh).toBe(100_000);
    let repeats = 0;
    for (let k = 0; k < 100_000; k++) if (!s.add(k * 2654435761, k ^ 0x5bd1e995)) repeats++;
    expect(repeats).toBe(100_000);
    s.clear();
    expect(s.add(0, 0x5bd1e995)).toBe(true);
  });
});
