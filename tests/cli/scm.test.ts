/** The shared `scm` command: method dispatch and flags that belong to one method only. */
import { describe, expect, it } from 'vitest';
import { FIXTURE, expectValidDocument, runCli } from '../helpers.js';

describe('vru-eval scm', () => {
  it('defaults to generalized synthetic control and records the method and seed', () => {
    const r = runCli(['scm', FIXTURE, '--outcome', 'violence_rate', '--inference', 'none', '--factors', '2']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    expect(doc.command).toBe('scm');
    expect(doc.method).toBe('gsynth');
    expect(doc.options.seed).toBe(20190401);
  });

  it.each([
    [['--method', 'synth', '--factors', '2'], '--factors', 'gsynth'],
    [['--method', 'gsynth', '--predictors', 'violence_rate@2018-01'], '--predictors', 'synth'],
    [['--method', 'gsynth', '--placebo', 'time'], '--placebo', 'synth'],
  ])('rejects %j: %s applies to --method %s only (exit 2)', (args, flag, owner) => {
    const r = runCli(['scm', FIXTURE, '--outcome', 'violence_rate', ...args]);
    expect(r.code).toBe(2);
    const e = r.error();
    expect(e.code).toBe('OPTION_NOT_FOR_METHOD');
    expect(e.message).toContain(flag);
    expect(e.message).toContain(`--method ${owner}`);
  });

  it('rejects an unknown method and an inference kind the method does not have (exit 2)', () => {
    expect(runCli(['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'nosuchmethod']).code).toBe(2);
    const r = runCli(['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'synth', '--inference', 'parametric']);
    expect(r.code).toBe(2);
    expect(r.error().message).toContain('conformal');
  });
});
