/**
 * Impossible inputs fail with a clear message, the documented exit code (2 for flags, 3 for
 * files) and no output file; the cost table refuses unknown outcome types by listing the valid ones.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEEKS_2018, costTableEntry } from '../../src/estimators/cba/index.js';
import { runCli, tempDir } from '../helpers.js';
import { runMain } from './inProcess.js';

/** Most cases run `main` in process (same exit-code mapping); `binary: true` spawns the real binary. */
async function expectFail(args: string[], exit: number, code: string, text?: RegExp, binary = false): Promise<void> {
  const dir = tempDir();
  const out = join(dir, 'out.json');
  const r = binary ? runCli([...args, '--out', out]) : await runMain([...args, '--out', out]);
  expect(r.code, r.stderr).toBe(exit);
  const e = r.error();
  expect(e.code).toBe(code);
  if (text) expect(e.message).toMatch(text);
  expect(r.stdout).toBe('');
  expect(existsSync(out)).toBe(false);
}

function spec(obj: unknown): string {
  const f = join(tempDir(), 'spec.json');
  writeFileSync(f, JSON.stringify(obj));
  return f;
}

const ONE = ['--offences-avoided', '100', '--ci', '50,150', '--name', 'x', '--unit-cost', '1000'];

describe('cba bad inputs', () => {
  it('negative costs: exit 2 from flags, exit 3 from a spec', async () => {
    await expectFail(['cba', ...ONE, '--costs', '-5'], 2, 'NEGATIVE_COSTS', /negative/, true);
    await expectFail(['cba', ...ONE, '--costs-by-year', '2019:100,2020:-1'], 2, 'NEGATIVE_COSTS', /2020/);
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 1, unitCost: 1 }], costs: -1 })], 3, 'NEGATIVE_COSTS');
  });

  it('zero or missing costs', async () => {
    await expectFail(['cba', ...ONE, '--costs', '0'], 2, 'ZERO_COSTS');
    await expectFail(['cba', ...ONE], 2, 'MISSING_COSTS');
  });

  it('an interval that does not contain the estimate', async () => {
    await expectFail(['cba', '--offences-avoided', '100', '--ci', '200,300', '--name', 'x', '--unit-cost', '1', '--costs', '1'], 2, 'CI_EXCLUDES_ESTIMATE', /does not contain/);
    // The classic slip: an effect's interval given with the wrong sign.
    await expectFail(['cba', '--effect-per-100k', '-80', '--ci', '10,281', '--population-total', '1000', '--name', 'x', '--unit-cost', '1', '--costs', '1'], 2, 'CI_EXCLUDES_ESTIMATE');
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 5, ci: [6, 9], unitCost: 1 }], costs: 1 })], 3, 'CI_EXCLUDES_ESTIMATE', undefined, true);
    await expectFail(['cba', '--offences-avoided', '100', '--ci', '150,50', '--name', 'x', '--unit-cost', '1', '--costs', '1'], 2, 'BAD_CI');
  });

  it('unknown outcome type lists the valid ones; homicide says why it is absent', async () => {
    await expectFail(['cba', '--offences-avoided', '1', '--name', 'x', '--outcome-type', 'knife-crime', '--costs', '1'], 2, 'UNKNOWN_OUTCOME_TYPE', /violence-without-injury/, true);
    await expectFail(['cba', '--offences-avoided', '1', '--name', 'x', '--outcome-type', 'homicide', '--costs', '1'], 2, 'UNKNOWN_OUTCOME_TYPE', /--unit-cost/);
    await expectFail(['cba', '--offences-avoided', '1', '--name', 'x', '--cost-table', 'nope', '--outcome-type', 'rape', '--costs', '1'], 2, 'USAGE');
  });

  it('bad multipliers, unit costs, uprating, discount rates, shares', async () => {
    await expectFail(['cba', ...ONE, '--multiplier', '0', '--costs', '1'], 2, 'BAD_MULTIPLIER');
    await expectFail(['cba', '--offences-avoided', '1', '--name', 'x', '--unit-cost', '-3', '--costs', '1'], 2, 'BAD_UNIT_COST');
    await expectFail(['cba', ...ONE, '--uprate', '-1', '--costs', '1'], 2, 'BAD_UPRATE');
    await expectFail(['cba', ...ONE, '--costs-by-year', '2019:1', '--discount-rate', '1.5'], 2, 'BAD_DISCOUNT_RATE');
    await expectFail(['cba', ...ONE, '--costs-by-year', '2019:1', '--benefit-shares', '2019:0.5,2020:0.6'], 2, 'BAD_SHARES', /sum to/);
    await expectFail(['cba', ...ONE, '--costs-by-year', '2019-1'], 2, 'BAD_YEAR_LIST');
  });

  it('sources: none, mixed, per-outcome flag counts, names, --ci with --from', async () => {
    await expectFail(['cba', '--costs', '1'], 2, 'NO_EFFECT_SOURCE');
    await expectFail(['cba', '--offences-avoided', '1', '--effect-per-100k', '1', '--population-total', '5', '--unit-cost', '1', '--costs', '1'], 2, 'NO_EFFECT_SOURCE', /cannot be combined/);
    await expectFail(['cba', '--offences-avoided', '1', '--offences-avoided', '2', '--name', 'a', '--name', 'b', '--multiplier', '1', '--multiplier', '2', '--multiplier', '3', '--unit-cost', '1', '--costs', '1'], 2, 'FLAG_COUNT');
    await expectFail(['cba', '--offences-avoided', '1', '--offences-avoided', '2', '--unit-cost', '1', '--costs', '1'], 2, 'MISSING_NAME');
    await expectFail(['cba', '--offences-avoided', '1', '--unit-cost', '1', '--name', 'x', '--costs', '1', '--population-total', '5'], 2, 'OPTION_NOT_WITH_COUNTS');
    await expectFail(['cba', '--offences-avoided', '1', '--name', 'x', '--costs', '1'], 2, 'MISSING_UNIT_COST');
    await expectFail(['cba', '--effect-per-100k', '-1', '--name', 'x', '--unit-cost', '1', '--costs', '1'], 2, 'MISSING_POPULATION');
    await expectFail(['cba', '--effect-per-100k', '-1', '--population-total', '10', '--rate-per', '1000000', '--name', 'x', '--unit-cost', '1', '--costs', '1'], 2, 'OPTION_ONLY_WITH_FROM');
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 1, unitCost: 1 }], costs: 1 }), '--multiplier', '2'], 2, 'OPTION_NOT_WITH_SPEC');
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 1, unitCost: 1 }], costs: 1 }), '--costs', '2'], 2, 'CONFLICT');
  });

  it('spec errors name the key (typos do not fall back to defaults)', async () => {
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 1, unitCost: 1, multipler: 2 }], costs: 1 })], 3, 'BAD_SPEC', /multipler/);
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 1 }], costs: 1 })], 3, 'BAD_SPEC', /unitCost/);
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 1, from: 'a.json', unitCost: 1 }], costs: 1 })], 3, 'BAD_SPEC', /exactly one/);
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', from: 'missing.json', unitCost: 1 }], costs: 1 })], 3, 'FILE_NOT_FOUND');
    await expectFail(['cba', '--spec', spec({ outcomes: [] })], 3, 'BAD_SPEC');
    await expectFail(['cba', '--spec', spec({ outcomes: [{ name: 'x', offencesAvoided: 1, population: 5, unitCost: 1 }], costs: 1 })], 3, 'BAD_SPEC', /population/);
    const f = join(tempDir(), 'broken.json');
    writeFileSync(f, '{ "outcomes": [');
    await expectFail(['cba', '--spec', f], 3, 'BAD_JSON');
  });

  it('result documents: not a result, no cumulative effect, counts with the wrong sign, missing population', async () => {
    const dir = tempDir();
    const w = (name: string, doc: unknown): string => {
      const f = join(dir, name);
      writeFileSync(f, JSON.stringify(doc));
      return f;
    };
    const base = { schemaVersion: '1.0', command: 'scm', method: 'gsynth', input: null };
    const est = (value: number | null) => ({ att: -1, se: 1, ci: [-2, 0], level: 0.95, pValue: 0.5, inference: 'x', cumulative: value === null ? null : { value, ci: [value - 10, value + 5] } });
    const tail = ['--unit-cost', '1', '--costs', '1'];
    await expectFail(['cba', '--from', w('x.json', { hello: 1 }), ...tail], 3, 'NOT_A_RESULT');
    await expectFail(['cba', '--from', w('c.json', { ...base, command: 'cba' }), ...tail], 3, 'NOT_A_RESULT');
    await expectFail(['cba', '--from', w('n.json', { ...base, estimate: est(null) }), ...tail], 3, 'NO_CUMULATIVE');
    // Offences avoided must be the negated effect: a positive count beside a positive (increase) cumulative effect is another convention.
    await expectFail(['cba', '--from', w('s.json', { ...base, estimate: est(50), counts: { offencesAvoided: 500, ci: [100, 900] } }), ...tail], 3, 'COUNTS_SIGN');
    await expectFail(['cba', '--from', w('p.json', { ...base, estimate: est(-50) }), ...tail], 2, 'MISSING_POPULATION', /--population/);
    await expectFail(['cba', '--from', w('l.json', { ...base, estimate: est(-50) }), '--population-total', '100', '--level', '0.9', ...tail], 2, 'LEVEL_MISMATCH');
  });
});

describe('heeks2018 cost table', () => {
  it('holds the figures confirmed for the issue, each with its source and price year', () => {
    const expected: Record<string, number> = {
      'violence-with-injury': 14050,
      'violence-without-injury': 5930,
      rape: 39360,
      robbery: 11320,
      'other-sexual-offences': 6520,
      'theft-of-vehicle': 10290,
      arson: 8420,
      'other-criminal-damage': 1350,
      'theft-from-vehicle': 870,
    };
    expect(Object.fromEntries(HEEKS_2018.entries.map((e) => [e.outcomeType, e.unitCost]))).toEqual(expected);
    for (const e of HEEKS_2018.entries) {
      expect(e.priceYear).toBe('2015/16');
      expect(e.source).toMatch(/Heeks.*2018.*Research Report 99/);
      expect(costTableEntry('heeks2018', e.outcomeType)).toBe(e);
    }
    expect(() => costTableEntry('heeks2018', 'homicide')).toThrow(/could not be verified/);
  });
});
