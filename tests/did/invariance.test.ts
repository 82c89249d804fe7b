/**
 * Invariances (synthdid-style): adding unit constants c_i or period constants d_t to
 * the outcome leaves every DiD estimate unchanged (both TWFE and CS difference them
 * out exactly; tolerance rtol 1e-9 / atol 1e-12 covers floating-point rounding),
 * and shuffling the CSV rows gives byte-identical output.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { dataset, expectClose, hasShared, runCli } from '../helpers.js';

function transform(src: string, f: (unit: string, period: string, y: number) => number): string {
  const [head, ...rows] = readFileSync(src, 'utf8').trim().split('\n');
  const h = head!.split(',').map((s) => s.replace(/"/g, ''));
  const iu = h.indexOf('unit'), ip = h.indexOf('period'), iy = h.indexOf('lemp');
  return [h.join(','), ...rows.map((r) => {
    const c = r.split(',');
    c[iy] = String(f(c[iu]!, c[ip]!, Number(c[iy])));
    return c.join(',');
  })].join('\n') + '\n';
}

function numbers(doc: any): number[] {
  const out: number[] = [doc.estimate.att, doc.estimate.se];
  for (const c of doc.coefficients ?? []) out.push(c.estimate, c.se);
  for (const e of doc.eventPath ?? []) out.push(e.effect ?? 0, e.se ?? 0);
  for (const r of doc.attGt ?? []) out.push(r.att, r.se ?? 0);
  for (const k of ['simple', 'dynamic', 'group', 'calendar']) if (doc.aggregations) out.push(doc.aggregations[k].att, doc.aggregations[k].se);
  return out;
}

const CASES: [string, string[]][] = [
  ['twfe event study', ['--event-window', '-3:3']],
  ['cs never', ['--method', 'cs', '--reps', '0']],
  ['cs notyet', ['--method', 'cs', '--control', 'notyet', '--reps', '0']],
];

describe('DiD invariances on mpdta', () => {
  // The body reads the dataset while tests are collected, so guard it here rather than with skipIf.
  if (!hasShared) {
    it.skip('needs ../shared/datasets/mpdta (present in CI)', () => undefined);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vru-did-inv-'));
  const src = dataset('mpdta');
  const rng = new Rng(5);
  const unitC = new Map<string, number>();
  const periodC = new Map<string, number>();
  const shifted = join(dir, 'shifted.csv');
  writeFileSync(shifted, transform(src, (u, p, y) => {
    if (!unitC.has(u)) unitC.set(u, 100 * rng.normal());
    if (!periodC.has(p)) periodC.set(p, 50 * rng.normal());
    return y + unitC.get(u)! + periodC.get(p)!;
  }));
  const [head, ...rows] = readFileSync(src, 'utf8').trim().split('\n');
  const shuffledFile = join(dir, 'shuffled.csv');
  writeFileSync(shuffledFile, [head, ...new Rng(9).shuffle(rows)].join('\n') + '\n');

  for (const [name, extra] of CASES) {
    it(`${name}: unit and period constants leave estimates unchanged`, () => {
      const a = runCli(['did', src, '--outcome', 'lemp', ...extra]);
      const b = runCli(['did', shifted, '--outcome', 'lemp', ...extra]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const na = numbers(a.json());
      const nb = numbers(b.json());
      expect(nb.length).toBe(na.length);
      na.forEach((v, k) => expectClose(nb[k], v, { rtol: 1e-9, atol: 1e-12 }, `${name} number ${k}`));
    });

    it(`${name}: shuffled rows give identical output`, () => {
      const wild = extra.includes('cs') ? [] : ['--wild-bootstrap', '99'];
      const a = runCli(['did', src, '--outcome', 'lemp', ...extra, ...wild]);
      const b = runCli(['did', shuffledFile, '--outcome', 'lemp', ...extra, ...wild]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.stdout).toBe(a.stdout.replace(/"file": "data.csv"/, '"file": "shuffled.csv"'));
    });
  }

  it('cs with bootstrap bands: same seed → identical output, different seed → different bands only', () => {
    const a = runCli(['did', src, '--outcome', 'lemp', '--method', 'cs', '--reps', '199', '--seed', '3']);
    const b = runCli(['did', shuffledFile, '--outcome', 'lemp', '--method', 'cs', '--reps', '199', '--seed', '3']);
    expect(b.stdout).toBe(a.stdout.replace(/"file": "data.csv"/, '"file": "shuffled.csv"'));
    const c = runCli(['did', src, '--outcome', 'lemp', '--method', 'cs', '--reps', '199', '--seed', '4']).json();
    const ad = a.json();
    expect(c.aggregations.group.att).toBe(ad.aggregations.group.att);
    expect(c.aggregations.dynamic.criticalValue).not.toBe(ad.aggregations.dynamic.criticalValue);
  });
});
