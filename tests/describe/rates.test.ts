/**
 * `describe` on a rate column (issue 24's closing note: the fixture's violence_rate, a rate per
 * 100,000 a month, was summed over the 60 areas and shown as "60 (sum)"). A rate is averaged over
 * the areas, never summed: population-weighted with --population (Σ pop·rate / Σ pop each month,
 * the rate of the areas together), else the plain mean with a RATE_UNWEIGHTED warning. describe
 * knows a rate by its name (the rule micro's RATE_OUTCOME uses) or --rates; --aggregate sum of a rate
 * is refused; a summed column with non-integer values is warned about (NOT_A_COUNT).
 * References are computed here from the CSV text, without panel code; tolerance 1e-9 relative
 * (sums of 60 × 12 floats in another order).
 */
import { readFileSync } from 'node:fs';
import { describe as suite, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { FIXTURE, expectValidDocument } from '../helpers.js';

async function run(args: readonly string[], tty = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false, stdoutIsTTY: tty, columns: 120 });
  return { code, stdout, stderr };
}

/** Per month: Σ rate, Σ pop·rate, Σ pop and the number of areas, straight from the CSV. */
function monthly(column: string): Map<string, { sum: number; wsum: number; pop: number; n: number }> {
  const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const h = lines[0]!.split(',');
  const [ip, iv, ipop] = ['period', column, 'population'].map((c) => h.indexOf(c)) as [number, number, number];
  const m = new Map<string, { sum: number; wsum: number; pop: number; n: number }>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    const e = m.get(c[ip]!) ?? { sum: 0, wsum: 0, pop: 0, n: 0 };
    const v = Number(c[iv]);
    const p = Number(c[ipop]);
    e.sum += v;
    e.wsum += v * p;
    e.pop += p;
    e.n += 1;
    m.set(c[ip]!, e);
  }
  return m;
}

function windowOf(m: ReturnType<typeof monthly>, from: string, to: string, f: (e: { sum: number; wsum: number; pop: number; n: number }) => number): number {
  let s = 0;
  for (const [k, e] of m) if (k >= from && k <= to) s += f(e);
  return s;
}

const close = (a: number, b: number) => expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(1e-9);

suite('describe on a rate column', () => {
  const m = monthly('violence_rate');

  it('violence_rate with --population: the population-weighted mean of the areas each month, months added; said in the document and on screen', async () => {
    const r = await run(['describe', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--baseline', '2018/19']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectValidDocument(doc);
    const oc = doc.describe.outcomes[0];
    expect(oc.combine).toEqual({ kind: 'rate', basis: 'name', across: 'population-weighted mean', population: 'population' });
    expect(doc.options).toMatchObject({ aggregate: 'auto', rates: null, population: 'population' });
    const w = (e: { wsum: number; pop: number }) => e.wsum / e.pop;
    close(oc.rolling.current.value, windowOf(m, '2019-10', '2020-09', w));
    close(oc.rolling.baseline.value, windowOf(m, '2018-04', '2019-03', w));
    const apr = oc.series.find((s: { period: string }) => s.period === '2019-04');
    close(apr.value, w(m.get('2019-04')!));
    // a monthly rate per 100,000 is tens, not thousands: the 12-month window is about 12 × the monthly mean, not 60 × 12
    expect(oc.rolling.current.value).toBeLessThan(12 * 200);
    expect(doc.warnings.map((x: { code: string }) => x.code)).not.toContain('RATE_UNWEIGHTED');
    const t = await run(['describe', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--baseline', '2018/19'], true);
    expect(t.stdout).toMatch(/violence_rate\s+a rate \(by its name\): population-weighted mean of the areas \(population\),\s+never summed/);
    expect(t.stdout).not.toMatch(/\(sum\)/);
  });

  it('without --population: the plain mean of the areas, with a RATE_UNWEIGHTED warning', async () => {
    const r = await run(['describe', FIXTURE, '--outcome', 'violence_rate', '--baseline', '2018/19']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const oc = doc.describe.outcomes[0];
    expect(oc.combine).toEqual({ kind: 'rate', basis: 'name', across: 'mean', population: null });
    close(oc.rolling.current.value, windowOf(m, '2019-10', '2020-09', (e) => e.sum / e.n));
    expect(doc.warnings.map((x: { code: string }) => x.code)).toContain('RATE_UNWEIGHTED');
  });

  it('--aggregate sum of a rate is refused (exit 2), naming the fix', async () => {
    const r = await run(['describe', FIXTURE, '--outcome', 'violence_rate', '--baseline', '2018/19', '--aggregate', 'sum']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/violence_rate' is a rate .*--aggregate mean/);
  });

  it('a rate not named as one: summed with a NOT_A_COUNT warning, averaged with --rates', async () => {
    const s = monthly('stop_search');
    const summed = JSON.parse((await run(['describe', FIXTURE, '--outcome', 'offences,stop_search', '--baseline', '2018/19'])).stdout);
    expect(summed.warnings.filter((x: { code: string }) => x.code === 'NOT_A_COUNT').map((x: { message: string }) => x.message)).toEqual([
      "'stop_search' has non-integer values (e.g. 3.6814 for A01 in 2015-04) and is summed over the areas as a count; if it is a rate or a share, give --rates stop_search to average it instead",
    ]);
    expect(summed.describe.outcomes[1].combine).toEqual({ kind: 'count', basis: null, across: 'sum', population: null });
    const r = await run(['describe', FIXTURE, '--outcome', 'offences,stop_search', '--rates', 'stop_search', '--population', 'population', '--baseline', '2018/19']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const [off, ss] = doc.describe.outcomes;
    expect(off.combine.kind).toBe('count');
    expect(ss.combine).toEqual({ kind: 'rate', basis: '--rates', across: 'population-weighted mean', population: 'population' });
    close(ss.rolling.baseline.value, windowOf(s, '2018-04', '2019-03', (e) => e.wsum / e.pop));
    close(off.rolling.baseline.value, windowOf(monthly('offences'), '2018-04', '2019-03', (e) => e.sum));
    expect(doc.warnings.map((x: { code: string }) => x.code)).not.toContain('NOT_A_COUNT');
    expect((await run(['describe', FIXTURE, '--outcome', 'offences', '--rates', 'stop_search', '--baseline', '2018/19'])).code).toBe(2);
  });
});
