/**
 * The one-definition-per-option mechanism (src/core/optionTable.ts): a table gives the commander
 * flags, typed values, the plan schema, plan validation with key paths, and the CLI arguments
 * that reproduce plan values (round trip through commander).
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { OUTPUT_OPTIONS, PANEL_OPTIONS } from '../../src/core/commonOptions.js';
import { UsageError } from '../../src/core/errors.js';
import { bool, choice, defineOptions, nearest, num, optionArgs, optionsSchema, planValues, readOptions, str, strList, PlanError } from '../../src/core/optionTable.js';
import { addOptions, givenOptions } from '../../src/cli/optionFlags.js';
import { GSYNTH_OPTIONS } from '../../src/estimators/gsynth/options.js';
import { SYNTH_OPTIONS } from '../../src/estimators/synth/options.js';
import { ITS_OPTIONS } from '../../src/estimators/its/options.js';
import { CS_OPTIONS, DID_OPTIONS, TWFE_OPTIONS } from '../../src/estimators/did/options.js';
import { CBA_OPTIONS } from '../../src/estimators/cba/options.js';

const T = defineOptions({
  boots: num({ flag: '--boots <n>', help: 'replications', integer: true, min: 2, max: 100, default: 10 }),
  force: choice(['a', 'b'] as const, { flag: '--force <f>', help: 'effects', default: 'a' }),
  em: bool({ flag: '--em', help: 'em', default: false }),
  slope: bool({ flag: '--no-slope', help: 'no slope', default: true }),
  donors: strList({ flag: '--donors <a,b>', help: 'donors' }),
  name: str({ flag: '--name <x>', help: 'a name' }),
});

function parse(table: typeof T, args: string[]) {
  const cmd = new Command('t').exitOverride();
  addOptions(cmd, table);
  let values: Record<string, unknown> = {};
  let given = new Set<string>();
  cmd.action((o: Record<string, unknown>, c: Command) => {
    values = o;
    given = givenOptions(c);
  });
  cmd.parse(args, { from: 'user' });
  return { values: readOptions(table, values), given };
}

describe('option tables', () => {
  it('give typed values with defaults and the set of options given on the command line', () => {
    const { values, given } = parse(T, ['--boots', '20', '--donors', 'x,y', '--donors', 'z', '--no-slope']);
    expect(values).toEqual({ boots: 20, force: 'a', em: false, slope: false, donors: ['x', 'y', 'z'], name: undefined });
    expect([...given].sort()).toEqual(['boots', 'donors', 'slope']);
  });

  it('reject a key that is not the attribute name of its flag', () => {
    expect(() => addOptions(new Command('x'), { boot: num({ flag: '--boots <n>', help: '' }) })).toThrow(/attribute name/);
  });

  it('validate plan values with the CLI parsers, naming the key path and the nearest key', () => {
    expect(planValues([T], { boots: 20, em: true }, 'analyses.a.options').values).toMatchObject({ boots: 20, em: true, force: 'a', slope: true });
    const err = (f: () => unknown): PlanError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return e as PlanError;
      }
      throw new Error('no error');
    };
    const unknown = err(() => planValues([T], { bots: 20 }, 'analyses.a.options'));
    expect(unknown.code).toBe('PLAN_UNKNOWN_KEY');
    expect(unknown.message).toContain('analyses.a.options.bots');
    expect(unknown.message).toContain("did you mean 'boots'");
    expect(err(() => planValues([T], { boots: '20' }, 'p')).code).toBe('PLAN_BAD_TYPE');
    const range = err(() => planValues([T], { boots: 1 }, 'p'));
    expect(range.code).toBe('PLAN_BAD_VALUE');
    expect(range.message).toMatch(/p\.boots: --boots '1' must be an integer ≥ 2/);
    expect(err(() => planValues([T], { force: 'c' }, 'p')).code).toBe('PLAN_BAD_VALUE');
    expect(err(() => planValues([T], { donors: ['a', 3] }, 'p')).message).toContain('item 2');
    expect(err(() => planValues([PANEL_OPTIONS], {}, 'p')).message).toContain('p.outcome');
  });

  it('render plan values as CLI arguments that commander parses back to the same values', () => {
    const plan = { boots: 30, force: 'b', em: true, slope: false, donors: ['x', 'y'], name: 'n' };
    const pv = planValues([T], plan, 'p');
    const args = optionArgs([T], pv.values, pv.given);
    expect(args).toEqual(['--boots', '30', '--force', 'b', '--em', '--no-slope', '--donors', 'x,y', '--name', 'n']);
    expect(parse(T, args).values).toEqual(plan);
  });

  it('round-trip every estimator table: each option type survives plan → arguments → commander', () => {
    const cases: [object, Record<string, unknown>][] = [
      [GSYNTH_OPTIONS, { factors: 2, factorsMax: 4, reps: 50, excludePeriods: ['2020-04:2020-06'], em: true, tol: 1e-6, force: 'unit' }],
      [GSYNTH_OPTIONS, { factors: 'auto' }],
      [SYNTH_OPTIONS, { predictors: ['share(a|b|c)@2016-01:2018-12', 'x@2017-01'], v: 'equal', loo: true, placeboFilter: 5 }],
      [ITS_OPTIONS, { interruption: ['2019-04', '2019-09'], slope: false, dummy: ['2020-04:2020-06'], seasonality: 'fourier:2', control: true }],
      [ITS_OPTIONS, { control: ['A01', 'A02'], errors: 'newey-west:3' }],
      [TWFE_OPTIONS, { eventWindow: '-6:6', wildBootstrap: 99 }],
      [CS_OPTIONS, { control: 'notyet', reps: 0 }],
      [CBA_OPTIONS, { offencesAvoided: [100, 200], ci: [[1, 2], [3, 4]], costs: 5e6, unitCost: [1000, 2000] }],
      [OUTPUT_OPTIONS, { seed: 7, level: 0.9 }],
    ];
    for (const [table, plan] of cases) {
      const t = table as typeof T;
      const pv = planValues([t], plan, 'p');
      const back = parse(t, optionArgs([t], pv.values, pv.given)).values as Record<string, unknown>;
      const expected = { ...plan };
      if (Array.isArray(plan.control)) expected.control = (plan.control as string[]).join(',');
      for (const k of Object.keys(plan)) expect(back[k], k).toEqual(expected[k]);
    }
  });

  it('check compact specs in plans as the command does (its --seasonality, did --event-window)', () => {
    expect(() => planValues([ITS_OPTIONS], { seasonality: 'weekly' }, 'a')).toThrow(/a\.seasonality/);
    expect(() => planValues([TWFE_OPTIONS], { eventWindow: '6' }, 'a')).toThrow(/a\.eventWindow/);
    expect(() => planValues([DID_OPTIONS], { method: 'sdid' }, 'a')).toThrow(/a\.method: must be one of/);
  });

  it('derive a JSON Schema with help, defaults, ranges and the required keys; CLI-only options stay out', () => {
    const s = optionsSchema([PANEL_OPTIONS, OUTPUT_OPTIONS, GSYNTH_OPTIONS]) as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(s.required).toEqual(['outcome']);
    expect(s.properties.reps).toMatchObject({ type: 'integer', minimum: 1, maximum: 1e6 });
    expect(String(s.properties.reps!.description)).toMatch(/gsynth bootstrap \(default 1000/);
    expect(s.properties.out).toBeUndefined();
    expect(s.properties.plot).toBeUndefined();
    expect(s.properties.force).toMatchObject({ enum: ['none', 'unit', 'time', 'two-way'], default: 'two-way' });
  });

  it('suggest the nearest key only when it is close', () => {
    expect(nearest('factor', ['factors', 'factorsMax', 'boots'])).toBe('factors');
    expect(nearest('zzzzzz', ['factors', 'boots'])).toBeNull();
  });
});
