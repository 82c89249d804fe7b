/**
 * Parquet and Arrow IPC panels (src/io/columnar.ts) give the same panel — every cell, the
 * digest, and the estimates — as the CSV of the same data. The panel is the project's
 * generator (src/sim/dgp.ts); the Parquet file is written with hyparquet-writer and the
 * Arrow file with apache-arrow, from the doubles the CSV holds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { VruError } from '../../src/core/errors.js';
import { readPanel, type Panel, type PanelOptions } from '../../src/core/panel.js';
import { Rng } from '../../src/core/rng.js';
import { estimateTwfe, TWFE_DEFAULTS } from '../../src/estimators/did/index.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../../src/sim/dgp.js';
import { runCli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vru-columnar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The generator's panel as CSV text, with two missing outcomes ('' and 'NaN'), and its columns as the CSV's doubles. */
function panelData() {
  const sim = simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 24, treatedUnits: 6, staggerStarts: ['2020-04'] }, 5);
  const csv = recordsToCsv(sim.records).split('\n');
  // Rows 1 and 2 (the first data rows): blank the outcome in two spellings of missing.
  const blank = (line: string, tok: string) => line.replace(/^([^,]*,[^,]*,)[^,]*/, `$1${tok}`);
  csv[1] = blank(csv[1]!, '');
  csv[2] = blank(csv[2]!, 'NaN');
  const text = csv.join('\n');
  const rows = csv.slice(1).filter((l) => l !== '').map((l) => l.split(','));
  const num = (j: number) => rows.map((r) => (r[j] === '' ? null : Number(r[j])));
  return {
    text,
    cols: {
      unit: rows.map((r) => r[0]!),
      period: rows.map((r) => r[1]!),
      violence_rate: num(2),
      treated: rows.map((r) => Number(r[3])),
      offences: rows.map((r) => Number(r[4])),
      population: rows.map((r) => Number(r[5])),
      stop_search: rows.map((r) => Number(r[6])),
    },
  };
}

const OPTS: PanelOptions = { outcome: 'violence_rate', covariates: ['stop_search'], population: 'population' };

function cells(p: Panel) {
  const { sha256, file, ...rest } = p;
  void file;
  return { sha256, ...rest, y: Array.from(p.y, String), present: Array.from(p.present), treated: Array.from(p.treated), cov: Array.from(p.covariates.stop_search ?? []), pop: Array.from(p.population ?? []) };
}

describe('CSV ≡ Parquet ≡ Arrow IPC', () => {
  const { text, cols } = panelData();
  const csvFile = join(dir, 'panel.csv');
  writeFileSync(csvFile, text);
  const pqFile = join(dir, 'panel.parquet');
  parquetWriteFile({
    filename: pqFile,
    columnData: [
      { name: 'unit', data: cols.unit, type: 'STRING' },
      { name: 'period', data: cols.period, type: 'STRING' },
      // NaN in a float column is missing, like a null (README, "Missing values").
      { name: 'violence_rate', data: cols.violence_rate.map((v, r) => (r === 1 ? Number.NaN : v)), type: 'DOUBLE' },
      { name: 'treated', data: cols.treated, type: 'INT32' },
      { name: 'offences', data: cols.offences, type: 'INT32' },
      { name: 'population', data: cols.population.map(BigInt), type: 'INT64' },
      { name: 'stop_search', data: cols.stop_search, type: 'DOUBLE' },
    ],
  });
  const arrowFile = join(dir, 'panel.arrow');
  writeFileSync(
    arrowFile,
    tableToIPC(
      tableFromArrays({
        unit: cols.unit,
        period: cols.period,
        violence_rate: Float64Array.from(cols.violence_rate, (v) => (v === null ? Number.NaN : v)),
        treated: Int32Array.from(cols.treated),
        population: Float64Array.from(cols.population),
        stop_search: Float64Array.from(cols.stop_search),
      }),
      'file',
    ),
  );

  it('reads the same panel: every cell, units, periods and the digest', () => {
    const a = readPanel(csvFile, OPTS);
    const b = readPanel(pqFile, OPTS);
    const c = readPanel(arrowFile, OPTS);
    expect(Number.isNaN(a.y[0]!) && Number.isNaN(a.y[1]!)).toBe(true);
    expect(cells(b)).toEqual(cells(a));
    expect(cells(c)).toEqual(cells(a));
    expect(b.file).toBe('panel.parquet');
  });

  it('gives the same TWFE estimate (event study included)', () => {
    const opts = { vcov: 'cluster' as const, cluster: null, clusterName: 'unit', weights: null, weightsName: null, eventWindow: [-6, 6] as [number, number], wildBootstrap: 0, wildWeights: 'rademacher' as const, level: 0.95, seed: 1, maxIter: TWFE_DEFAULTS.maxIter, tol: TWFE_DEFAULTS.tol };
    const est = (f: string) => JSON.stringify(estimateTwfe(readPanel(f, OPTS), opts, new Rng(1)));
    expect(est(pqFile)).toBe(est(csvFile));
    expect(est(arrowFile)).toBe(est(csvFile));
  });

  it('integer unit codes and years in Parquet read as the CSV of the same digits', () => {
    const csv = 'unit,period,y,treated\n7,2019,1.5,0\n7,2020,2.5,1\n12,2019,3,0\n12,2020,4,0\n';
    const f1 = join(dir, 'ints.csv');
    writeFileSync(f1, csv);
    const f2 = join(dir, 'ints.parquet');
    parquetWriteFile({
      filename: f2,
      columnData: [
        { name: 'unit', data: [7, 7, 12, 12], type: 'INT32' },
        { name: 'period', data: [2019, 2020, 2019, 2020], type: 'INT32' },
        { name: 'y', data: [1.5, 2.5, 3, 4], type: 'DOUBLE' },
        { name: 'treated', data: [false, true, false, false], type: 'BOOLEAN' },
      ],
    });
    expect(cells(readPanel(f2, { outcome: 'y' }))).toEqual(cells(readPanel(f1, { outcome: 'y' })));
  });

  it('rejects an infinite cell, naming the data row, unit, period and column', () => {
    const f = join(dir, 'inf.parquet');
    parquetWriteFile({
      filename: f,
      columnData: [
        { name: 'unit', data: ['A', 'A', 'B', 'B'], type: 'STRING' },
        { name: 'period', data: ['2019-01', '2019-02', '2019-01', '2019-02'], type: 'STRING' },
        { name: 'y', data: [1, 2, Number.POSITIVE_INFINITY, 4], type: 'DOUBLE' },
        { name: 'treated', data: [0, 1, 0, 0], type: 'INT32' },
      ],
    });
    try {
      readPanel(f, { outcome: 'y' });
      expect.fail('should throw');
    } catch (e) {
      expect((e as VruError).code).toBe('NUMBER_OVERFLOW');
      expect((e as VruError).message).toBe("inf.parquet row 3, unit 'B', period 2019-01: column 'y' holds 'Infinity', which is beyond the largest number a double can hold (about ±1.8e308); fix the cell or leave it empty for a missing value".replace('inf.parquet', f));
    }
  });

  it('reports a file that is not Parquet, and a missing column with the columns it has', () => {
    const f = join(dir, 'bad.parquet');
    writeFileSync(f, 'unit,period\n');
    expect(() => readPanel(f, OPTS)).toThrow(/cannot read .*bad\.parquet: not a readable Parquet file/);
    try {
      readPanel(pqFile, { outcome: 'nope' });
      expect.fail('should throw');
    } catch (e) {
      expect((e as VruError).code).toBe('MISSING_COLUMN');
      expect((e as VruError).message).toContain('columns are: unit, period, violence_rate, treated, offences, population, stop_search');
    }
  });

  /** The document a command prints for the Parquet file equals the one for the CSV (input file name aside). */
  const sameAsCsv = (command: string[], args: string[]) => {
    const a = runCli([...command, csvFile, ...args]);
    const b = runCli([...command, pqFile, ...args]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ja = a.json();
    const jb = b.json();
    expect(jb.input.file).toBe('panel.parquet');
    jb.input.file = ja.input.file;
    expect(jb).toEqual(ja);
  };

  it('the binary: did on the Parquet file prints the document it prints for the CSV (input file name aside)', () => {
    sameAsCsv(['did'], ['--outcome', 'violence_rate', '--event-window', '-6:6']);
  });

  it('the binary: sdid (which reads clusters from the same file) and describe (every column as text) too', () => {
    sameAsCsv(['scm'], ['--method', 'sdid', '--outcome', 'offences', '--inference', 'jackknife', '--cluster', 'unit']);
    sameAsCsv(['describe'], ['--outcome', 'offences', '--baseline', '2018/19']);
  });
});
