/**
 * `vru-eval scm --method micro` through the real binary: the document, determinism for any
 * thread count, flags rejected under other methods, and bad input with typed exit codes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { microPanelCsv, simulateMicroPanel } from '../../src/sim/microDgp.js';
import { expectValidDocument, runCli, tempDir } from '../helpers.js';
import { SMALL } from './helpers.js';

let dir = '';
let file = '';
const base = () => ['scm', file, '--method', 'micro', '--outcome', 'crime1,crime2', '--match-covariates', 'pop,dep'];

beforeAll(() => {
  dir = tempDir();
  file = join(dir, 'micro.csv');
  const sim = simulateMicroPanel(SMALL, 21);
  writeFileSync(file, microPanelCsv(sim, SMALL.start));
});

describe('scm --method micro (binary)', () => {
  it('writes a valid document with effects, three kinds of inference, the omnibus test and the weight range', () => {
    const r = runCli([...base(), '--inference', 'permutation,jackknife,linearisation', '--reps', '40', '--jack-groups', '5']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.method).toBe('micro');
    expect(d.options).toMatchObject({ outcomes: ['crime1', 'crime2'], matchPeriods: 'each', perms: 40, jackGroups: 5, inference: ['permutation', 'jackknife', 'linearisation'], weightRange: true });
    expect(d.calibration.exact).toBe(true);
    expect(d.effects).toHaveLength(2);
    for (const o of d.effects) {
      expect(o.permutation.draws).toBe(40);
      expect(o.permutation.percentChangeCi[0]).toBeLessThan(o.percentChange);
      expect(o.permutation.percentChangeCi[1]).toBeGreaterThan(o.percentChange);
      expect(o.jackknife.groups).toBe(5);
      expect(o.linearisation.seLogRatio).toBeGreaterThan(0);
      expect(o.weightRange.status).toBe('optimal');
      expect(o.weightRange.syntheticMin).toBeLessThanOrEqual(o.syntheticTotal + 1e-6);
      expect(o.weightRange.syntheticMax).toBeGreaterThanOrEqual(o.syntheticTotal - 1e-6);
      expect(o.path).toHaveLength(16);
    }
    expect(d.omnibus.outcomes).toBe(2);
    expect(d.estimate.percentChange).toBe(d.effects[0].percentChange);
    expect(d.estimate.inference).toBe('permutation');
    expect(d.path[15].counterfactualTotal).toBeCloseTo(d.effects[0].path[15].synthetic, 9);
    expect(Object.keys(d.weights)).toHaveLength(SMALL.areas - SMALL.treated);
  });

  it('is byte-identical across runs and thread counts', () => {
    const a = runCli([...base(), '--reps', '30', '--threads', '1', '--no-weight-range']);
    const b = runCli([...base(), '--reps', '30', '--threads', '2', '--no-weight-range']);
    expect(a.code, a.stderr).toBe(0);
    // Byte-identical with nothing stripped: threads do not change the result, so (as gsynth's
    // --workers) they are not recorded in the document (issue 21).
    expect(b.stdout).toBe(a.stdout);
    expect(a.json().options.threads).toBeUndefined();
    const c = runCli([...base(), '--reps', '30', '--threads', '1', '--no-weight-range']);
    expect(c.stdout).toBe(a.stdout);
  });

  it('--calfun linear and --match-min: recorded, with the approximate balance table; overlap rejected', () => {
    const r = runCli(['scm', file, '--method', 'micro', '--outcome', 'crime1,crime2', '--match-outcomes', 'crime1', '--match-covariates', 'pop', '--match-min', 'crime2,dep', '--calfun', 'linear', '--inference', 'permutation,jackknife', '--reps', '20', '--jack-groups', '4', '--no-weight-range']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.options).toMatchObject({ calfun: 'linear', matchMin: ['crime2', 'dep'], matchOutcomes: ['crime1'], matchCovariates: ['pop'] });
    expect(d.calibration).toMatchObject({ method: 'linear', distance: 'linear', exact: true, constraints: 14, approximateConstraints: 13 });
    const mb = d.diagnostics.find((x: { code: string }) => x.code === 'MIN_BALANCE');
    expect(mb.table.map((x: { variable: string }) => x.variable)).toContain('dep');
    expect(d.placeboMinImbalance.median).toBeGreaterThanOrEqual(0);
    expect(d.path[d.path.length - 1].cumulativeCi).toEqual(d.estimate.cumulative.ci);
    const bad = runCli([...base(), '--match-min', 'pop']);
    expect(bad.code).toBe(2);
    expect(bad.error().code).toBe('MATCH_MIN_OVERLAP');
    const syn = runCli(['scm', file, '--method', 'synth', '--outcome', 'crime1', '--calfun', 'linear']);
    expect(syn.code).toBe(2);
    expect(syn.error().code).toBe('OPTION_NOT_FOR_METHOD');
  });

  it('--population adds rates per 100,000: equal to the counts\' percentage change when population is balanced', () => {
    const bal = runCli([...base(), '--population', 'pop', '--inference', 'none', '--no-weight-range']);
    expect(bal.code, bal.stderr).toBe(0);
    const d = bal.json();
    expectValidDocument(d);
    expect(d.options.population).toBe('pop');
    for (const e of d.effects) {
      expect(e.rate.syntheticPopulation).toBeCloseTo(e.rate.treatedPopulation, 4);
      expect(e.rate.percentChange).toBeCloseTo(e.percentChange, 8);
      // Rate = 100,000 × crimes / person-periods of the treated areas over the 4 post months.
      expect(e.rate.treated).toBeCloseTo((1e5 * e.treatedTotal) / e.rate.treatedPopulation, 10);
    }
    const unbal = runCli(['scm', file, '--method', 'micro', '--outcome', 'crime1', '--match-covariates', 'dep', '--population', 'pop', '--inference', 'none', '--no-weight-range']);
    expect(unbal.code, unbal.stderr).toBe(0);
    const u = unbal.json();
    const rates = u.diagnostics.find((x: { code: string }) => x.code === 'RATES');
    expect(rates.message).toMatch(/not balanced exactly/);
    const e = u.effects[0];
    expect(e.rate.percentChange).toBeCloseTo(100 * ((e.treatedTotal / e.rate.treatedPopulation) / (e.syntheticTotal / e.rate.syntheticPopulation) - 1), 8);
    expect(Math.abs(e.rate.percentChange - e.percentChange)).toBeGreaterThan(1e-3);
  });

  it('rejects its flags under another method and other methods’ flags under micro', () => {
    const r = runCli(['scm', file, '--method', 'synth', '--outcome', 'crime1', '--perm-stat', 'z']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('OPTION_NOT_FOR_METHOD');
    const g = runCli([...base(), '--cluster', 'x']);
    expect(g.code).toBe(2);
    expect(g.error().code).toBe('OPTION_NOT_FOR_METHOD');
    const c = runCli([...base(), '--covariates', 'pop']);
    expect(c.code).toBe(2);
    expect(c.error().message).toMatch(/--match-covariates/);
    const m = runCli([...base(), '--match-periods', 'every:x']);
    expect(m.code).toBe(2);
    const i = runCli([...base(), '--inference', 'bootstrap']);
    expect(i.code).toBe(2);
    expect(i.error().code).toBe('BAD_INFERENCE');
  });

  it('names bad input: no controls, time-varying covariate, infeasible balance (refused, exit 4)', () => {
    const lines = (s: string) => s.trim().split('\n');
    const rows = lines(require('node:fs').readFileSync(file, 'utf8') as string);
    // Everyone treated from the start period: no controls.
    const allTreated = join(dir, 'all.csv');
    const hdr = rows[0]!.split(',');
    const ti = hdr.indexOf('treated');
    const pi = hdr.indexOf('period');
    writeFileSync(allTreated, [rows[0], ...rows.slice(1).map((l) => { const c = l.split(','); c[ti] = c[pi]! >= '2019-01' ? '1' : '0'; return c.join(','); })].join('\n') + '\n');
    const n = runCli(['scm', allTreated, '--method', 'micro', '--outcome', 'crime1', '--inference', 'none', '--no-weight-range']);
    expect(n.code).toBe(3);
    expect(n.error().code).toBe('NO_CONTROLS');
    // A covariate that changes over time.
    const tv = join(dir, 'tv.csv');
    const di = hdr.indexOf('dep');
    writeFileSync(tv, [rows[0], ...rows.slice(1).map((l, k) => { const c = l.split(','); if (k === 5) c[di] = '999'; return c.join(','); })].join('\n') + '\n');
    const t = runCli(['scm', tv, '--method', 'micro', '--outcome', 'crime1', '--match-covariates', 'dep', '--inference', 'none']);
    expect(t.code).toBe(3);
    expect(t.error().code).toBe('TIME_VARYING_COVARIATE');
    expect(t.error().message).toMatch(/E00001/);
    // Treated areas far above every control: exact balance impossible → warning, fallback named, exit 0.
    const inf = join(dir, 'inf.csv');
    const ci = hdr.indexOf('crime1');
    const ui = hdr.indexOf('unit');
    const treatedUnits = new Set(rows.slice(1).filter((l) => l.split(',')[ti] === '1').map((l) => l.split(',')[ui]));
    writeFileSync(inf, [rows[0], ...rows.slice(1).map((l, k) => { const c = l.split(','); if (treatedUnits.has(c[ui]!)) c[ci] = String(500 + (k % 7)); return c.join(','); })].join('\n') + '\n');
    // Issue 21: refused (exit 4) naming the variables and the options that help, not a 265× counterfactual.
    const f = runCli(['scm', inf, '--method', 'micro', '--outcome', 'crime1', '--inference', 'linearisation', '--match-periods', 'each']);
    expect(f.code, f.stderr).toBe(4);
    expect(f.error().code).toBe('EXACT_BALANCE_INFEASIBLE');
    expect(f.error().message).toMatch(/--match-periods total/);
  });
});
