/**
 * `vru-eval describe` on the fixture, against counts computed here independently from the CSV
 * (plain sums over rows, no panel code): rolling 12 months, the baseline, financial and calendar
 * years, the year to date and the overlay.
 */
import { readFileSync } from 'node:fs';
import { describe as suite, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { FIXTURE, expectValidDocument, runCli } from '../helpers.js';

async function run(args: readonly string[], tty = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false, stdoutIsTTY: tty, columns: 100 });
  return { code, stdout, stderr };
}

/** offences summed over `units` for each month, straight from the CSV text. */
function monthlySums(units: string[] | null, column = 'offences'): Map<string, number> {
  const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const h = lines[0]!.split(',');
  const [iu, ip, iv] = ['unit', 'period', column].map((c) => h.indexOf(c)) as [number, number, number];
  const m = new Map<string, number>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    if (units && !units.includes(c[iu]!)) continue;
    m.set(c[ip]!, (m.get(c[ip]!) ?? 0) + Number(c[iv]));
  }
  return m;
}

/** Sum of the months from..to inclusive (YYYY-MM strings). */
function sumRange(m: Map<string, number>, from: string, to: string): number {
  let s = 0;
  let n = 0;
  for (const [k, v] of m) if (k >= from && k <= to) (s += v), n++;
  return s;
}

suite('vru-eval describe on the fixture', () => {
  const units = ['A07', 'A08', 'A11'];
  it('rolling 12 months to the last complete month against financial year 2018/19, and years on years', async () => {
    const r = await run(['describe', FIXTURE, '--outcome', 'offences', '--units', units.join(','), '--baseline', '2018/19']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectValidDocument(doc);
    const m = monthlySums(units);
    const d = doc.describe;
    expect(d.label).toBe('descriptive: no counterfactual');
    expect(d.lastCompleteMonth).toBe('2020-09');
    const oc = d.outcomes[0];
    expect(oc.rolling.current).toMatchObject({ from: '2019-10', to: '2020-09', value: sumRange(m, '2019-10', '2020-09') });
    expect(oc.rolling.baseline).toMatchObject({ from: '2018-04', to: '2019-03', value: sumRange(m, '2018-04', '2019-03') });
    const cur = sumRange(m, '2019-10', '2020-09');
    const base = sumRange(m, '2018-04', '2019-03');
    expect(oc.rolling.difference).toBe(cur - base);
    expect(oc.rolling.percentChange).toBeCloseTo(((cur - base) / base) * 100, 12);
    // financial years 2015/16 … 2019/20 complete; 2020/21 to date (Apr–Sep 2020) vs Apr–Sep 2019
    expect(oc.years.map((y: { year: string }) => y.year)).toEqual(['2015/16', '2016/17', '2017/18', '2018/19', '2019/20']);
    for (const y of oc.years) {
      const s = Number(y.year.slice(0, 4));
      expect(y.value).toBe(sumRange(m, `${s}-04`, `${s + 1}-03`));
      if (y.previous !== null) expect(y.difference).toBe(y.value - sumRange(m, `${s - 1}-04`, `${s}-03`));
    }
    expect(oc.yearToDate.year).toBe('2020/21');
    expect(oc.yearToDate.current.value).toBe(sumRange(m, '2020-04', '2020-09'));
    expect(oc.yearToDate.baseline.value).toBe(sumRange(m, '2019-04', '2019-09'));
    // overlay: the baseline year and the latest, April first
    expect(oc.overlay.years).toEqual(['2018/19', '2020/21']);
    expect(oc.overlay.months[0]).toEqual({ month: 'Apr', a: m.get('2018-04'), b: m.get('2020-04'), difference: m.get('2020-04')! - m.get('2018-04')! });
    expect(oc.overlay.months[11]).toMatchObject({ month: 'Mar', a: m.get('2019-03'), b: null });
  });

  it('a calendar baseline year means the same 12 months ending in that year; calendar years; every area by default', async () => {
    const r = await run(['describe', FIXTURE, '--outcome', 'offences', '--baseline', '2017', '--year', 'calendar', '--overlay', '2016,2019']);
    expect(r.code, r.stderr).toBe(0);
    const oc = JSON.parse(r.stdout).describe.outcomes[0];
    const m = monthlySums(null);
    expect(oc.rolling.baseline).toMatchObject({ from: '2016-10', to: '2017-09', value: sumRange(m, '2016-10', '2017-09') });
    expect(oc.years.map((y: { year: string }) => y.year)).toEqual(['2016', '2017', '2018', '2019']);
    expect(oc.years[3].value).toBe(sumRange(m, '2019-01', '2019-12'));
    expect(oc.yearToDate.current.value).toBe(sumRange(m, '2020-01', '2020-09'));
    expect(oc.overlay.months[0]).toMatchObject({ month: 'Jan', a: m.get('2016-01'), b: m.get('2019-01') });
  });

  it('every table on the terminal is labelled descriptive: no counterfactual', async () => {
    const r = await run(['describe', FIXTURE, '--outcome', 'offences', '--baseline', '2018/19'], true);
    expect(r.code).toBe(0);
    const headings = r.stdout.split('\n').filter((l) => /^offences: /.test(l));
    expect(headings.length).toBe(3);
    for (const h of headings) expect(h).toContain('(descriptive: no counterfactual)');
    expect(r.stdout).toContain('last complete month  2020-09');
  });

  it('bad baselines and non-monthly data are named errors', async () => {
    const a = await run(['describe', FIXTURE, '--outcome', 'offences', '--baseline', '2012/13']);
    expect(a.code).toBe(3);
    expect(JSON.parse(a.stderr).error.code).toBe('BASELINE_OUTSIDE_DATA');
    const b = await run(['describe', FIXTURE, '--outcome', 'offences', '--baseline', '18/19']);
    expect(b.code).toBe(2);
    const c = await run(['describe', FIXTURE, '--outcome', 'offences', '--baseline', '2018/19', '--units', 'ZZ9']);
    expect(c.code).toBe(3);
    expect(JSON.parse(c.stderr).error.code).toBe('UNKNOWN_UNIT');
  });

  it('the binary writes the same document', () => {
    const r = runCli(['describe', FIXTURE, '--outcome', 'offences', '--baseline', '2018/19']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().method).toBe('describe');
  });
});
