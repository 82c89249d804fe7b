/**
 * Power as a plan step (issue 22): the plan's `power` section runs `vru-eval power` (the document
 * is byte-identical to the command typed by hand, `--check` compares it), options are validated at
 * validation time (replications per method, also for analyses), docs/commands/run.md shows the
 * example plan's step as it is, and `schema --plan` lists deprecated keys marked deprecated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FIXTURE, ROOT, runCli, tempDir } from '../helpers.js';
import { validatePlan } from '../../src/plan/spec.js';

const PLAN = join(ROOT, 'examples', 'home-office', 'plan.yaml');
const RUN_MD_RAW = readFileSync(join(ROOT, 'docs', 'commands', 'run.md'), 'utf8');
const RUN_MD = RUN_MD_RAW.replace(/\s+/g, ' ');

function planFile(text: string): string {
  const file = join(tempDir(), 'plan.yaml');
  writeFileSync(file, text);
  return file;
}

const base = (power: string, analyses = '  a: { command: did, data: police, options: { method: twfe, outcome: violence_rate } }') =>
  `version: 1\nseed: 7\ndata:\n  police:\n    file: ${FIXTURE}\nanalyses:\n${analyses}\npower:\n${power}\n`;

describe('power in a plan', () => {
  it('runs vru-eval power: the document equals the command typed by hand; --check passes; the manifest records its command line', () => {
    const plan = planFile(base('  mde: { data: police, options: { method: twfe, outcome: violence_rate, sims: 10, effects: ["0", "2", "4"] } }'));
    const out = join(tempDir(), 'results');
    const r = runCli(['run', plan, '--out', out, '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const doc = readFileSync(join(out, 'mde.json'), 'utf8');
    expect(JSON.parse(doc).command).toBe('power');
    const hand = runCli(['power', FIXTURE, '--outcome', 'violence_rate', '--method', 'twfe', '--sims', '10', '--effects', '0,2,4', '--seed', '7', '--json']);
    expect(hand.code, hand.stderr).toBe(0);
    expect(JSON.parse(doc)).toEqual({ ...hand.json(), input: JSON.parse(doc).input });
    expect(JSON.parse(doc).power).toEqual(hand.json().power);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const step = m.steps.find((s: { name: string }) => s.name === 'mde');
    expect(step.args.slice(0, 1)).toEqual(['power']);
    expect(step.args).toContain('--sims');
    expect(step.outputs).toEqual(['mde.json']);
    const c = runCli(['run', plan, '--check', out, '--threads', '1']);
    expect(c.code, c.stderr).toBe(0);
  }, 180_000);

  it.each([
    ['reps with a method that does not resample', base('  p: { data: police, options: { method: twfe, outcome: violence_rate, reps: 50 } }'), 'power.p.options.reps', /reps sets the bootstrap/],
    ['too few simulations', base('  p: { data: police, options: { method: gsynth, outcome: violence_rate, sims: 5 } }'), 'power.p.options.sims', /≥ 10/],
    ['covariates', base('  p: { data: police, options: { method: twfe, outcome: violence_rate, covariates: [stop_search] } }'), 'power.p.options.covariates', /outcome alone/],
    ['an unknown data source', base('  p: { data: nope, options: { method: twfe, outcome: violence_rate } }'), 'power.p.data', /no data source 'nope'/],
    ['sdid reps 1 in analyses', base('  p: { data: police, options: { method: twfe, outcome: violence_rate } }', '  a: { command: scm, data: police, options: { method: sdid, outcome: violence_rate, reps: 1 } }'), 'analyses.a.options.reps', /sdid's placebo needs reps ≥ 2 \(got 1\)/],
    ['sdid reps with the jackknife', base('  p: { data: police, options: { method: twfe, outcome: violence_rate } }', '  a: { command: scm, data: police, options: { method: sdid, outcome: violence_rate, inference: jackknife, reps: 50 } }'), 'analyses.a.options.reps', /not jackknife/],
    ['gsynth reps 1 in analyses', base('  p: { data: police, options: { method: twfe, outcome: violence_rate } }', '  a: { command: scm, data: police, options: { method: gsynth, outcome: violence_rate, reps: 1 } }'), 'analyses.a.options.reps', /gsynth's bootstrap needs reps ≥ 2/],
  ])('%s is a plan error at validation time (exit 2, key named)', (_what, text, path, message) => {
    expect(() => validatePlan(parseYaml(text), '/tmp/plan.yaml', 'x')).toThrow(message);
    const r = runCli(['run', planFile(text), '--out', join(tempDir(), 'r')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path);
  }, 60_000);

  it('the same replications are accepted where the method takes them', () => {
    const ok = base('  p: { data: police, options: { method: gsynth, outcome: violence_rate, reps: 20 } }', '  a: { command: scm, data: police, options: { method: sdid, outcome: violence_rate, inference: bootstrap, reps: 2 } }');
    const plan = validatePlan(parseYaml(ok), '/tmp/plan.yaml', 'x');
    expect(plan.steps.map((s) => `${s.section}.${s.name}`)).toEqual(['analyses.a', 'power.p']);
  });

  it("docs/commands/run.md shows the example plan's power step and its validation message as they are", () => {
    const example = parseYaml(readFileSync(PLAN, 'utf8'));
    const block = /```yaml\n([\s\S]*?)```/.exec(RUN_MD_RAW)![1]!;
    const shown = parseYaml(block);
    expect(shown.power).toEqual(example.power);
    const step = example.power.mde_gsynth_violence.options;
    expect(RUN_MD).toContain(`gsynth with ${step.sims} placebo designs and ${step.reps} bootstrap draws each`);
    const text = base('  p: { data: police, options: { method: twfe, outcome: violence_rate } }', '  a: { command: scm, data: police, options: { method: sdid, outcome: violence_rate, reps: 1 } }');
    let msg = '';
    try {
      validatePlan(parseYaml(text), '/tmp/plan.yaml', 'x');
    } catch (e) {
      msg = (e as Error).message.replace(/^plan: /, '');
    }
    expect(RUN_MD).toContain(`(\`${msg}\`)`);
  });

  it('schema --plan: a power section validates; deprecated keys are listed, marked deprecated, and old plans still validate', () => {
    const r = runCli(['schema', '--plan']);
    expect(r.code).toBe(0);
    const schema = r.json();
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const example = parseYaml(readFileSync(PLAN, 'utf8'));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const scm = schema.properties.analyses.additionalProperties.oneOf.find((o: { properties: { command: { const: string } } }) => o.properties.command.const === 'scm');
    for (const old of ['boots', 'perms', 'placeboDraws', 'workers']) {
      expect(scm.properties.options.properties[old]?.deprecated, old).toBe(true);
      expect(scm.properties.options.properties[old].description).toMatch(/^deprecated: use (reps|threads)/);
    }
    expect(scm.properties.options.properties.reps.deprecated).toBeUndefined();
    example.analyses.gsynth_violence.options.boots = example.analyses.gsynth_violence.options.reps;
    delete example.analyses.gsynth_violence.options.reps;
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    example.power.mde_gsynth_violence.options.nSims = 3;
    expect(validate(example)).toBe(false);
  });
});
