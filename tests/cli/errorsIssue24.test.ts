/**
 * Errors without surprises (issue 24), one test per case: dates as people export them (ISO and
 * day-first UK read as months; daily, US and Excel-serial dates named with the fix), trailing
 * empty header columns and invisible characters named, the file name as typed, one line on a
 * terminal, --help into a closed pipe, plan content errors with their key path and exit 2/3, and
 * describe's baseline with a missing cell.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { BIN, FIXTURE, ROOT, runCli, tempDir } from '../helpers.js';

const dir = tempDir();
const rows = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
const header = rows[0]!.split(',');
const P = header.indexOf('period');

/** The fixture with each period rewritten by `f` (and optional extra text on every line). */
function variant(name: string, f: (period: string, k: number) => string, tail = ''): string {
  const out = [rows[0] + tail, ...rows.slice(1).map((r, k) => {
    const c = r.split(',');
    c[P] = f(c[P]!, k);
    return c.join(',') + tail;
  })];
  const file = join(dir, name);
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}

const its = (file: string, ...extra: string[]) => runCli(['its', file, '--outcome', 'violence_rate', ...extra]);

describe('dates as people have them', () => {
  it('ISO dates (2015-04-01) and day-first UK dates (01/04/2015) on one day of the month are read as months: same panel, same estimate', () => {
    const base = its(FIXTURE);
    expect(base.code).toBe(0);
    const b = base.json();
    for (const [name, f, format] of [
      ['iso.csv', (p: string) => `${p}-01`, 'iso-date'],
      ['uk.csv', (p: string) => `01/${p.slice(5)}/${p.slice(0, 4)}`, 'uk-date'],
      ['iso-time.csv', (p: string) => `${p}-01T00:00:00`, 'iso-date'],
    ] as const) {
      const r = its(variant(name, f));
      expect(r.code, r.stderr).toBe(0);
      const d = r.json();
      expect(d.input.sha256).toBe(b.input.sha256);
      expect(d.input.periodFormat).toEqual({ format, day: 'day 1' });
      expect(d.estimate).toEqual(b.estimate);
      expect(d.input.firstPeriod).toBe('2015-04');
    }
    // month-end dates (30/04/2015, 31/05/2015, …) too
    const end = (p: string) => {
      const y = Number(p.slice(0, 4));
      const m = Number(p.slice(5));
      return `${new Date(Date.UTC(y, m, 0)).getUTCDate()}/${p.slice(5)}/${y}`;
    };
    const r = its(variant('uk-end.csv', end));
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().input.periodFormat).toEqual({ format: 'uk-date', day: 'month end' });
  });

  it('daily dates name the format and the fix', () => {
    const r = its(variant('daily.csv', (p, k) => `${p}-${String(1 + (k % 28)).padStart(2, '0')}`));
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('DAILY_DATES');
    expect(e.message).toContain("column 'period'");
    expect(e.message).toContain('ISO dates on different days of the month');
    expect(e.message).toContain('one row whose period is written YYYY-MM (e.g. 2015-04)');
  });

  it('month-first (US) dates are named, not read as other months', () => {
    const r = its(variant('us.csv', (p) => `${p.slice(5)}/01/${p.slice(0, 4)}`));
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('US_DATES');
    expect(r.error().message).toContain('month-first (US) dates');
  });

  it('Excel serial dates are recognised and named with the date they stand for', () => {
    const serial = (p: string) => String((Date.UTC(Number(p.slice(0, 4)), Number(p.slice(5)) - 1, 1) - Date.UTC(1899, 11, 30)) / 86400000);
    const r = its(variant('excel.csv', serial));
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('EXCEL_SERIAL_DATES');
    expect(e.message).toContain('42095 = 2015-04-01');
    expect(e.message).not.toContain('add the missing periods');
  });

  it('another period format is named with its fix', () => {
    const r = its(variant('slash.csv', (p) => p.replace('-', '/')));
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('BAD_PERIOD');
    expect(r.error().message).toContain("year/month with '/'; write it as 2015-04");
  });
});

describe('cells and headers as spreadsheets export them', () => {
  it('trailing empty columns are named, with the fix', () => {
    const r = its(variant('trail.csv', (p) => p, ',,'));
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('CSV_HEADER');
    expect(e.message).toContain("ends its header row with 2 empty column names (columns 8 (H), 9 (I), after 'stop_search')");
    expect(e.details.trailing).toBe(true);
  });

  it('an invisible non-breaking space in a number is shown', () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('\nA01,2015-04,66.7327,', '\nA01,2015-04,66.7327\u00a0,');
    const file = join(dir, 'nbsp.csv');
    writeFileSync(file, text);
    const r = its(file);
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('NON_NUMERIC');
    expect(e.message).toContain("column 'violence_rate' holds '66.7327⟨NBSP⟩'");
    expect(e.message).toContain('invisible character');
    // the example in docs/reading-results.md is this error, as a terminal shows it (run from the file's folder)
    const doc = readFileSync(join(ROOT, 'docs', 'reading-results.md'), 'utf8');
    const shown = doc.split('\n').find((l) => l.startsWith('vru-eval its: nbsp.csv'));
    expect(shown).toBe(`vru-eval its: ${e.message.replace(file, 'nbsp.csv')} (input error NON_NUMERIC, exit code 3)`);
  });
});

describe('errors on a terminal: one line, the file as typed', () => {
  async function term(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const code = await main(['node', 'vru-eval', ...args], { stdout: () => undefined, stderr: (s) => void (stderr += s), stderrIsTTY: true, stdoutIsTTY: true, columns: 100 });
    // progress lines ("\r\x1b[Kreading …") are erased on a terminal; what stays is the error
    return { code, stderr: stderr.replace(/\r\x1b\[K[^\r\n]*…/g, '').replace(/\r\x1b\[K/g, '') };
  }
  it('the user file name is not capitalised and there is no boilerplate second line', async () => {
    const file = join(dir, 'notreated.csv');
    writeFileSync(file, 'unit,period,violence_rate\nA,2019-01,1\n');
    const r = await term(['its', file, '--outcome', 'violence_rate']);
    expect(r.code).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(/Notreated|Fix the input named above/);
    expect(r.stderr).toMatch(/^vru-eval its: \/.*notreated\.csv has no treatment column .*\(input error NO_INTERRUPTION, exit code 3\)\n$/);
    const u = await term(['its', file, '--outcom', 'x']);
    expect(u.code).toBe(2);
    expect(u.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(u.stderr).toContain('see vru-eval its --help');
  });

  it('--help into a closed pipe exits quietly', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" scm --help | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^Usage: vru-eval scm/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('plan content errors: exit 2 or 3 with the key path, before any step runs', () => {
  const plan = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const analyses = 'analyses:\n  a1: { command: its, data: police, options: { outcome: violence_rate } }\n';
  const run = (file: string) => runCli(['run', file, '--out', join(dir, `${file.split('/').pop()}.out`), '--threads', '1']);

  it('a missing data file: exit 3 naming data.<name>.file, nothing written', () => {
    const f = plan('missing.yaml', `version: 1\ndata:\n  police: { file: nothere.csv }\n${analyses}`);
    const r = run(f);
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('FILE_NOT_FOUND');
    expect(r.error().message).toMatch(/^data\.police\.file: the data file 'nothere\.csv' does not exist/);
    expect(existsSync(join(dir, 'missing.yaml.out'))).toBe(false);
  });

  it('a NUL byte in a path: exit 2 at the key', () => {
    const f = plan('nul.yaml', `version: 1\ndata:\n  police: { file: "${FIXTURE}\\0x" }\n${analyses}`);
    const r = run(f);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('PLAN_BAD_VALUE');
    expect(r.error().details.path).toBe('data.police.file');
  });

  it('a YAML tag: exit 2 with its line, and no YAML warning on stderr', () => {
    const f = plan('tag.yaml', `version: 1\ndata:\n  police: { file: ${FIXTURE} }\nanalyses:\n  a1: { command: its, data: police, options: { outcome: violence_rate, level: !!float 0.9 } }\n`);
    const r = run(f);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.error().code).toBe('PLAN_YAML_TAG');
    expect(r.error().message).toMatch(/line 5, column \d+: the YAML tag !!float is not supported/);
  });

  it('a 300-character step name is refused up front, not after the step ran', () => {
    const f = plan('long.yaml', `version: 1\ndata:\n  police: { file: ${FIXTURE} }\nanalyses:\n  ${'a'.repeat(300)}: { command: its, data: police, options: { outcome: violence_rate } }\n`);
    const r = run(f);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('PLAN_BAD_NAME');
    expect(r.error().message).toContain('the step name has 300 characters');
    expect(existsSync(join(dir, 'long.yaml.out'))).toBe(false);
  });
});

describe('describe: a baseline with one missing cell', () => {
  it('names the cell and the fix instead of "not fully inside" a range that contains it', () => {
    const O = header.indexOf('offences');
    const text = rows.map((r, k) => {
      const c = r.split(',');
      if (k > 0 && c[0] === 'A03' && c[P] === '2018-06') c[O] = '';
      return c.join(',');
    });
    const file = join(dir, 'onemissing.csv');
    writeFileSync(file, text.join('\n') + '\n');
    const r = runCli(['describe', file, '--outcome', 'offences', '--baseline', '2018/19']);
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('BASELINE_MISSING_CELLS');
    expect(e.message).toContain('2018-04 – 2019-03 lies inside onemissing.csv');
    expect(e.message).toContain('(A03 2018-06)');
    expect(e.message).not.toContain('not fully inside');
  });
});
