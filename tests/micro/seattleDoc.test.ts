/**
 * docs/micro-seattle.md: every number in its Seattle tables comes from these runs (issue 21,
 * "the Seattle comparison with both permutation tests and both variances"). Seattle DMI
 * (../shared/datasets/seattledmi), 39 treated blocks, 9,603 controls, quarters 1–12 matched each
 * (the size-based default), nine census covariates, linear distance (the default, microsynth's).
 *
 * Fast: the point estimates and the linearisation rows, and the benchmark results (defaults on
 * the fixture and a 30 × 66 panel). VRU_SLOW=1: the permutation rows (199 placebo sets each: the
 * log ratio over the controls, the default; studentised; microsynth's z over all areas with
 * p = #{|z_b| ≥ |z|}/B).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPanel } from '../../src/core/panel.js';
import { microColumns, microFromPanel, type MicroRequest } from '../../src/estimators/micro/prepare.js';
import { ROOT, dataset, hasShared, tempDir } from '../helpers.js';
import { microPanelCsv, simulateMicroPanel } from '../../src/sim/microDgp.js';

const DOC = readFileSync(join(ROOT, 'docs', 'micro-seattle.md'), 'utf8');
const OUT = ['i_felony', 'i_misdemea', 'i_drugs', 'any_crime'];
const NAMES = ['felonies', 'misdemeanours', 'drugs', 'any crime'];
const COV = ['TotalPop', 'BLACK', 'HISPANIC', 'Males_1521', 'HOUSEHOLDS', 'FAMILYHOUS', 'FEMALE_HOU', 'RENTER_HOU', 'VACANT_HOU'];
const REQ: MicroRequest = { outcomes: OUT, matchCovariates: COV, seed: 1, level: 0.95, weightRange: false, inference: ['linearisation'] };

type Blk = { pValue: number | null; percentChangeCi: [number, number] | null };
type Eff = { treatedTotal: number; syntheticTotal: number; percentChange: number; permutation?: Blk; linearisation?: Blk };

const minus = (s: string) => s.replace(/-/g, '\u2212');
const f = (x: number, d: number) => minus(x.toFixed(d));
const ci = (b: Blk) => (b.percentChangeCi ? `${f(b.percentChangeCi[0], 1)} … ${f(b.percentChangeCi[1], 1)}` : 'none');
const pv = (p: number | null) => (p === null ? 'none' : p === 0 ? '0.000' : p < 0.001 ? minus(p.toExponential(1)) : p.toFixed(3));
const check = (rows: string[]) => {
  const missing = rows.filter((r) => !DOC.includes(r));
  expect(missing, `docs/micro-seattle.md should have the rows:\n${rows.join('\n')}`).toEqual([]);
};

async function run(extra: Partial<MicroRequest>): Promise<Eff[]> {
  const req = { ...REQ, ...extra };
  const a = await microFromPanel(readPanel(dataset('seattledmi'), microColumns(req, { outcome: OUT[0]! })), req);
  return a.effects as Eff[];
}

describe('docs/micro-seattle.md benchmark results (the defaults on the fixture and a 30 × 66 panel)', () => {
  it('matching periods, placebo sets and results as the page says', async () => {
    const small = simulateMicroPanel({ areas: 30, periods: 66, firstPeriod: '2015-04', treated: 5, start: 54, effect: -0.2, outcomes: 1, base: 150, sigmaU: 0.3, selection: 'random' }, 30);
    const file30 = join(tempDir(), 'micro30x66.csv');
    writeFileSync(file30, microPanelCsv(small, 54));
    const cases: [string, string, string][] = [[join(ROOT, 'fixtures', 'police_monthly.csv'), 'offences', '`fixtures/police_monthly.csv`'], [file30, 'crime1', 'generated 30 × 66']];
    for (const [file, outcome, label] of cases) {
      const req: MicroRequest = { outcomes: [outcome], seed: 20190401, level: 0.95 };
      const a = await microFromPanel(readPanel(file, microColumns(req, { outcome })), req);
      const e = a.estimate as unknown as { percentChange: number; percentChangeCi: [number, number]; pValue: number };
      const mp = a.options.matchPeriods as string;
      const cell = `\`${mp}\`, ${(a.options.perms as number).toLocaleString('en-GB')} placebo sets`;
      const res = `${f(e.percentChange, 2)}%, CI ${f(e.percentChangeCi[0], 2)} … ${f(e.percentChangeCi[1], 2)}%, p = ${Number(e.pValue.toFixed(3))}`;
      const line = DOC.split('\n').find((l) => l.startsWith(`| ${label}`));
      expect(line, label).toBeDefined();
      expect(line).toContain(cell);
      expect(line).toContain(res);
    }
  }, 300_000);
});

describe.skipIf(!hasShared)('docs/micro-seattle.md numbers', () => {
  it('point estimates and linearisation intervals', async () => {
    const e = await run({});
    check(e.map((r, k) => `| ${NAMES[k]} | ${r.treatedTotal} | ${r.syntheticTotal.toFixed(2)} | ${f(r.percentChange, 2)} | ${ci(r.linearisation!)} | ${pv(r.linearisation!.pValue)} |`));
  }, 300_000);

  it.skipIf(!process.env.VRU_SLOW)('three permutation statistics (199 placebo sets each)', async () => {
    const lr = await run({ inference: ['permutation'], perms: 199 });
    const st = await run({ inference: ['permutation'], perms: 199, permStat: 'studentised' });
    const ms = await run({ inference: ['permutation'], perms: 199, permStat: 'z', permPool: 'all' });
    check(lr.map((r, k) => `| ${NAMES[k]} | ${f(r.percentChange, 2)} | ${ci(r.permutation!)} | ${pv(r.permutation!.pValue)} | ${ci(st[k]!.permutation!)} | ${pv(st[k]!.permutation!.pValue)} | ${ci(ms[k]!.permutation!)} | ${pv(ms[k]!.permutation!.pValue)} |`));
  }, 3_600_000);
});
