/**
 * The byte-level panel reader (src/io/columns.ts, src/io/number.ts): numbers exactly as
 * Number(), the same cells and errors as the string parser (src/io/csv.ts, checked against
 * csv-parse in csv.test.ts) for any chunking, overflow and NaN policy, delimiter detection.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, VruError } from '../../src/core/errors.js';
import { panelFromTable, readPanel, readPanelText, type PanelOptions } from '../../src/core/panel.js';
import { columnsFromRows, parseCsvColumns, readCsvColumns, type ColumnRequest, type ColumnTable } from '../../src/io/columns.js';
import { parseCsvText } from '../../src/io/csv.js';
import { NumStatus, numberParse, parseNumberBytes, parseNumberString } from '../../src/io/number.js';
import { hypot2 } from '../../src/core/linalg.js';

const dir = mkdtempSync(join(tmpdir(), 'vru-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bytesParse(s: string): [number, number] {
  const b = Buffer.from(s, 'latin1');
  const v = parseNumberBytes(b, 0, b.length);
  return [v, numberParse.status];
}

describe('numbers from bytes', () => {
  const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
  /** Strings of the accepted grammar: sign, integer digits, fraction, exponent. */
  const numeric = fc
    .tuple(fc.constantFrom('', '+', '-'), digits(0, 22), fc.boolean(), digits(0, 22), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4))))
    .map(([sg, a, dot, b, ex]) => `${sg}${a}${dot ? '.' : ''}${dot ? b : ''}${ex ? ex[0] + ex[1] + ex[2] : ''}`);

  it('equals Number() bit for bit on 20,000 random strings of the grammar (fast path and fallback), with the same status as the reference', () => {
    fc.assert(
      fc.property(numeric, (s) => {
        const [v, st] = bytesParse(s);
        const ref = parseNumberString(s);
        const refSt = numberParse.status;
        expect(st).toBe(refSt);
        expect(Object.is(v, ref)).toBe(true);
        if (refSt === NumStatus.Ok) expect(Object.is(v, Number(s))).toBe(true);
      }),
      { numRuns: 20000, seed: 11 },
    );
  });

  it('round-trips 20,000 random doubles in every spelling JavaScript writes (String, toExponential, toFixed, toPrecision)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (x, k) => {
        for (const s of [String(x), x.toExponential(), x.toExponential(k), Math.abs(x) < 1e21 ? x.toFixed(k) : String(x), x.toPrecision(k + 1)]) {
          const [v, st] = bytesParse(s);
          // Rounding to fewer digits can pass the largest double (-1.5e308 → '-2e+308').
          expect(st).toBe(Number.isFinite(Number(s)) ? NumStatus.Ok : NumStatus.Overflow);
          expect(Object.is(v, Number(s))).toBe(true);
        }
      }),
      { numRuns: 20000, seed: 12 },
    );
  });

  it('agrees with the reference on arbitrary text (not numeric, missing tokens, signs alone)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.eE+-NnaAuUlL/ x,I'), maxLength: 8 }), (s) => {
        const [v, st] = bytesParse(s);
        const ref = parseNumberString(s);
        expect(st).toBe(numberParse.status);
        expect(Object.is(v, ref)).toBe(true);
      }),
      { numRuns: 20000, seed: 13 },
    );
  });

  it('classifies the edge cases', () => {
    const cases: [string, number, number][] = [
      ['', NumStatus.Missing, Number.NaN],
      ['NA', NumStatus.Missing, Number.NaN],
      ['NaN', NumStatus.Missing, Number.NaN],
      ['nan', NumStatus.Missing, Number.NaN],
      ['N/A', NumStatus.Missing, Number.NaN],
      ['null', NumStatus.Missing, Number.NaN],
      ['NULL', NumStatus.Missing, Number.NaN],
      ['1e309', NumStatus.Overflow, Number.POSITIVE_INFINITY],
      ['-1e309', NumStatus.Overflow, Number.NEGATIVE_INFINITY],
      ['2' + '0'.repeat(308), NumStatus.Overflow, Number.POSITIVE_INFINITY],
      ['1' + '0'.repeat(400) + 'e-100', NumStatus.Ok, 1e300],
      ['1.7976931348623157e308', NumStatus.Ok, Number.MAX_VALUE],
      ['1e-400', NumStatus.Ok, 0],
      ['-0', NumStatus.Ok, -0],
      ['0.1', NumStatus.Ok, 0.1],
      ['9007199254740993', NumStatus.Ok, 9007199254740992],
      ['Infinity', NumStatus.NotNumeric, Number.NaN],
      ['inf', NumStatus.NotNumeric, Number.NaN],
      ['0x10', NumStatus.NotNumeric, Number.NaN],
      ['1,5', NumStatus.NotNumeric, Number.NaN],
      ['.', NumStatus.NotNumeric, Number.NaN],
      ['1e', NumStatus.NotNumeric, Number.NaN],
      ['+', NumStatus.NotNumeric, Number.NaN],
    ];
    for (const [s, st, v] of cases) {
      const [got, gotSt] = bytesParse(s);
      expect(gotSt, s).toBe(st);
      expect(Object.is(got, v), s).toBe(true);
    }
  });

  it('the inline hypot in QR equals Math.hypot bit for bit (random pairs over the whole double range, and running norms)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        expect(Object.is(hypot2(a, b), Math.hypot(a, b))).toBe(true);
      }),
      { numRuns: 50000, seed: 14 },
    );
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (xs) => {
        let a = 0;
        let b = 0;
        for (const x of xs) {
          a = Math.hypot(a, x);
          b = hypot2(b, x);
        }
        expect(Object.is(a, b)).toBe(true);
      }),
      { numRuns: 2000, seed: 15 },
    );
  });
});

const REQ: ColumnRequest[] = [
  { name: 'unit', kind: 'key' },
  { name: 'period', kind: 'key' },
  { name: 'y', kind: 'number' },
  { name: 'x', kind: 'number' },
  { name: 'x', kind: 'key' },
];

/** Plain data of a table, for comparison. */
function plain(t: ColumnTable) {
  const keys = Object.fromEntries([...t.keys].map(([k, c]) => [k, Array.from(c.codes, (x) => c.values[x])]));
  const numbers = Object.fromEntries([...t.numbers].map(([k, c]) => [k, { v: Array.from(c.values, (x) => (Object.is(x, -0) ? '-0' : String(x))), s: Array.from(c.status), bad: c.firstBad, np: c.firstNonPositive, nb: c.firstNotBinary }]));
  return { header: t.header, n: t.nRows, lines: Array.from(t.lines), keys, numbers };
}

function outcome(f: () => unknown): { code: string; message: string } | { ok: unknown } {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof VruError) return { code: e.code, message: e.message };
    throw e;
  }
}

describe('the byte reader reads what the string parser reads', () => {
  const cell = fc.oneof(
    fc.constantFrom('', ' ', 'A', 'B 1', '1', '-2.5', '1e3', 'NaN', 'x', ' 7 ', '1e309', 'Ÿnys Môn', '0'),
    fc.string({ unit: fc.constantFrom(...'ab1,"\n \r;'), maxLength: 5 }),
  );
  const quote = (s: string, q: boolean) => (q || /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const csv = fc
    .tuple(
      fc.array(fc.array(fc.tuple(cell, fc.boolean()), { minLength: 4, maxLength: 4 }), { minLength: 0, maxLength: 12 }),
      fc.constantFrom('\n', '\r\n', '\r'),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 0, max: 11 }),
    )
    .map(([rows, eol, bom, trailing, blankAt]) => {
      const lines = ['unit,period,y,x', ...rows.map((r) => r.map(([s, q]) => quote(s, q)).join(','))];
      if (blankAt < lines.length && blankAt > 0) lines.splice(blankAt, 0, '');
      return (bom ? '\uFEFF' : '') + lines.join(eol) + (trailing ? eol : '');
    });

  it('same cells, lines and errors as parseCsvText on 1,500 random files, read whole and in chunks of 16–64 bytes', () => {
    let k = 0;
    fc.assert(
      fc.property(csv, fc.integer({ min: 16, max: 64 }), (text, chunk) => {
        const ref = outcome(() => plain(columnsFromRows(parseCsvText(text, 'f.csv'), REQ)));
        const whole = outcome(() => plain(parseCsvColumns(text, REQ, 'f.csv')));
        const file = join(dir, `r${k++}.csv`);
        writeFileSync(file, text);
        const chunked = outcome(() => plain(readCsvColumns(file, REQ, { chunkBytes: chunk })));
        expect(whole).toEqual(ref);
        if ('code' in ref) {
          expect((chunked as { code: string }).code).toBe(ref.code);
          expect((chunked as { message: string }).message.replace(file, 'f.csv')).toBe(ref.message);
        } else expect(chunked).toEqual(ref);
      }),
      { numRuns: 1500, seed: 21 },
    );
  });

  it('a record longer than the chunk grows the buffer', () => {
    const long = 'z'.repeat(5000);
    const text = `unit,period,y,x\n"${long}\n${long}",2019-01,1,2\nB,2019-01,3,4\n`;
    const file = join(dir, 'long.csv');
    writeFileSync(file, text);
    const t = readCsvColumns(file, REQ, { chunkBytes: 16 });
    expect(t.keys.get('unit')!.values).toEqual([`${long}\n${long}`, 'B']);
    expect(Array.from(t.lines)).toEqual([2, 4]);
  });
});

describe('panel errors: same code and message from the byte reader as from the string rows', () => {
  const good = 'unit,period,y,treated,pop\nA,2019-01,1,0,100\nA,2019-02,2,1,100\nB,2019-01,3,0,100\nB,2019-02,4,0,100\n';
  const o: PanelOptions = { outcome: 'y', population: 'pop' };
  const cases: [string, string, PanelOptions?][] = [
    ['duplicate row', good + 'A,2019-01,5,0,100\n'],
    ['non-numeric outcome', good.replace('A,2019-02,2', 'A,2019-02,two')],
    ['thousands separator', good.replace('A,2019-02,2', 'A,2019-02,"1,234"')],
    ['overflowing outcome', good.replace('A,2019-02,2', 'A,2019-02,1e309')],
    ['overflowing population', good.replace('B,2019-02,4,0,100', 'B,2019-02,4,0,-1e400')],
    ['bad treatment flag', good.replace('B,2019-01,3,0', 'B,2019-01,3,2')],
    ['empty treatment flag', good.replace('B,2019-01,3,0', 'B,2019-01,3,')],
    ['treatment switching off', good.replace('A,2019-02,2,1', 'A,2019-02,2,0').replace('A,2019-01,1,0', 'A,2019-01,1,1')],
    ['zero population', good.replace('B,2019-02,4,0,100', 'B,2019-02,4,0,0.0')],
    ['empty unit', good + ',2019-03,1,0,100\n'],
    ['empty period', good + 'C,,1,0,100\n'],
    ['period gap', good + 'C,2019-04,1,0,100\n'],
    ['missing column', good, { outcome: 'z' }],
    ['ragged row', good + 'C,2019-01,1\n'],
    ['unknown treated unit', good, { outcome: 'y', treated: undefined as never, treatedUnits: ['Z'], start: '2019-02' }],
  ];
  for (const [name, text, opts] of cases) {
    it(name, () => {
      const options = opts ?? o;
      const viaBytes = outcome(() => readPanelText(text, options, 'bad.csv'));
      const viaRows = outcome(() => panelFromTable(parseCsvText(text, 'bad.csv'), options));
      expect('code' in viaBytes).toBe(true);
      expect(viaBytes).toEqual(viaRows);
      expect((viaBytes as { message: string }).message).toContain('bad.csv');
    });
  }

  it('rejects an overflowing number with the file, line, unit, period and column (as Infinity is rejected)', () => {
    const e = outcome(() => readPanelText(good.replace('B,2019-01,3', 'B,2019-01,1e309'), o, 'bad.csv')) as { code: string; message: string };
    expect(e.code).toBe('NUMBER_OVERFLOW');
    expect(e.message).toBe("bad.csv line 4, unit 'B', period 2019-01: column 'y' holds '1e309', which is beyond the largest number a double can hold (about ±1.8e308); fix the cell or leave it empty for a missing value");
    const inf = outcome(() => readPanelText(good.replace('B,2019-01,3', 'B,2019-01,Infinity'), o, 'bad.csv')) as { code: string; message: string };
    expect(inf.code).toBe('NON_NUMERIC');
    expect(inf.message).toContain('line 4');
  });

  it('reads NaN (and NA, null, N/A, empty) as a missing cell: the row is present, the outcome NaN', () => {
    for (const tok of ['NaN', 'nan', 'NA', 'null', 'NULL', 'N/A', '']) {
      const p = readPanelText(good.replace('B,2019-01,3', `B,2019-01,${tok}`), o, 'f.csv');
      expect(Number.isNaN(p.y[1 * 2 + 0]!)).toBe(true);
      expect(p.present[1 * 2 + 0]).toBe(1);
    }
  });

  it.each([
    ['semicolon', 'unit;period;y;treated\nA;2019-01;1,5;0\nA;2019-02;2,5;1\n'],
    ['tab', 'unit\tperiod\ty\ttreated\nA\t2019-01\t1.5\t0\n'],
    ['pipe', 'unit|period|y|treated\nA|2019-01|1.5|0\n'],
  ])('names a %s-delimited file instead of a missing column', (kind, text) => {
    const e = outcome(() => readPanelText(text, { outcome: 'y' }, 'eu.csv')) as { code: string; message: string };
    expect(e.code).toBe('WRONG_DELIMITER');
    expect(e.message).toContain(`eu.csv looks ${kind}-delimited`);
    expect(e.message).toContain('unit, period, y, treated');
    const viaRows = outcome(() => panelFromTable(parseCsvText(text, 'eu.csv'), { outcome: 'y' }));
    expect(viaRows).toEqual(e);
  });

  it('reads a file whose path is given, only the columns asked for', () => {
    const file = join(dir, 'good.csv');
    writeFileSync(file, good.replace('unit,period', 'note,unit,period').replaceAll('\nA,', '\nx,A,').replaceAll('\nB,', '\n"q""",B,'));
    const p = readPanel(file, o);
    expect(p.units).toEqual(['A', 'B']);
    expect(Array.from(p.y)).toEqual([1, 2, 3, 4]);
    const t = readCsvColumns(file, [{ name: 'unit', kind: 'key' }]);
    expect([...t.keys.keys()]).toEqual(['unit']);
    expect(t.numbers.size).toBe(0);
  });

  it('reports an unreadable file', () => {
    expect(() => readPanel(join(dir, 'none.csv'), o)).toThrow(InputError);
    expect(outcome(() => readPanel(dir, o))).toMatchObject({ code: 'FILE_UNREADABLE' });
  });
});
