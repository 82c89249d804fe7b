/**
 * `vru-eval pretrends` with method flags (issue 22): the method's flags reach the method (validated
 * by its own option table), flags of other methods are usage errors (exit 2), every flag is
 * recorded in the document's options, and for gsynth, synth, sdid and ascm the joint held-out test
 * (Wald/F, TOST, "cannot rule out a trend of X per month", Roth power) is in the document, the
 * diagnostics and the terminal summary.
 */
import { describe, expect, it } from 'vitest';
import { expectValidDocument, FIXTURE, runCli } from '../helpers.js';

const BASE = ['pretrends', FIXTURE, '--outcome', 'violence_rate', '--placebo-holdout', '4'];

describe('pretrends passes method flags through', () => {
  it('gsynth --factors 2 --reps 200: used by the placebo run, recorded, joint test from 200 bootstrap paths', () => {
    const r = runCli([...BASE, '--method', 'gsynth', '--factors', '2', '--reps', '200', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.options.methodOptions).toEqual({ factors: 2, reps: 200 });
    expect(d.options.methodOptionsUsed).toMatchObject({ factors: 2, factorSelection: 'fixed', boots: 200, inference: 'parametric' });
    const p = d.pretrends;
    expect(p.scheme).toBe('bootstrap-parametric');
    expect(p.replicates).toBe(200);
    expect(p.periods).toEqual(p.placebo.heldOut);
    expect(p.wald.df).toBe(4);
    // G = min(replicates, controls) = 48 controls: F(4, 44)
    expect(p.hotellingG).toBe(48);
    expect(p.wald.form).toMatch(/F\(4, 44\)/);
    expect(p.coefficients.map((c: { estimate: number }) => c.estimate)).toEqual(p.placebo.path.filter((x: { heldOut: boolean }) => x.heldOut).map((x: { effect: number }) => x.effect));
    const diag = d.diagnostics.find((x: { code: string }) => x.code === 'PRETREND_EQUIVALENCE');
    expect(diag.message).toMatch(/the pre-period cannot rule out a trend of [\d.]+ per month/);
    expect(diag.message).toMatch(/would detect a linear trend of [\d.]+ per month 80% of the time \(Roth 2022\)/);
    // the summary shows the same words
    const t = runCli([...BASE, '--method', 'gsynth', '--factors', '2', '--reps', '200', '--format', 'table']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.replace(/\s+/g, ' ')).toContain('the pre-period cannot rule out a trend of');
  }, 120_000);

  it('the same run with --reps 100 differs: the flag reaches the method', () => {
    const a = runCli([...BASE, '--method', 'gsynth', '--factors', '2', '--reps', '100', '--json']).json();
    expect(a.pretrends.replicates).toBe(100);
    expect(a.options.methodOptionsUsed.boots).toBe(100);
  }, 120_000);

  it.each([
    [['--method', 'sdid', '--factors', '2'], /--factors is not an option of --method sdid/],
    [['--method', 'ascm', '--reps', '100'], /--reps is not an option of --method ascm/],
    [['--method', 'synth', '--ascm-lambda', '1'], /--ascm-lambda is not an option of --method synth/],
    [['--method', 'twfe', '--inference', 'jackknife'], /twfe and cs take their options on did/],
    [['--method', 'gsynth', '--reps', '1'], /≥ 2/],
    [['--method', 'sdid', '--inference', 'jackknife', '--reps', '50'], /--reps applies to --inference placebo or bootstrap/],
  ])('%j is a usage error (exit 2)', (args, message) => {
    const r = runCli([...BASE, ...(args as string[]), '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  }, 60_000);

  it('gsynth --inference none: the placebo test stands, the joint test says why it is missing', () => {
    const r = runCli([...BASE, '--method', 'gsynth', '--factors', '1', '--inference', 'none', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.pretrends.wald).toBeUndefined();
    expect(d.pretrends.joint.available).toBe(false);
    expect(d.warnings.map((w: { code: string }) => w.code)).toContain('PRETREND_JOINT_UNAVAILABLE');
    expect(d.options.methodOptions).toEqual({ factors: 1, inference: 'none' });
  }, 60_000);

  it.each([
    ['sdid', [], 'placebo', 48],
    ['ascm', ['--ascm-lambda', '1'], 'jackknife-units', 60],
  ])('%s: joint test from its own replications (%s)', (method, extra, scheme, G) => {
    const r = runCli([...BASE, '--method', method as string, ...(extra as string[]), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.pretrends.scheme).toBe(scheme);
    expect(d.pretrends.hotellingG).toBe(G);
    expect(d.pretrends.wald.pValue).toBeGreaterThanOrEqual(0);
    expect(d.pretrends.wald.pValue).toBeLessThanOrEqual(1);
    expect(d.pretrends.power.slope80).toBeGreaterThan(0);
    if (method === 'ascm') expect(d.options.methodOptionsUsed.lambda).toBe(1);
  }, 120_000);

  it('synth, one treated area: placebo-permutation joint test over the other areas; several treated: not given, and says why', () => {
    const one = runCli(['pretrends', FIXTURE, '--outcome', 'violence_rate', '--treated-units', 'A07', '--start', '2019-04', '--placebo-holdout', '4', '--method', 'synth', '--json']);
    expect(one.code, one.stderr).toBe(0);
    const d = one.json();
    expectValidDocument(d);
    expect(d.pretrends.scheme).toBe('placebo-space');
    expect(d.pretrends.replicates).toBe(59);
    expect(d.pretrends.wald.form).toMatch(/placebo permutation/);
    // p = (1 + #{W_j ≥ W})/(1 + J): a multiple of 1/60
    expect(Math.abs(d.pretrends.wald.pValue * 60 - Math.round(d.pretrends.wald.pValue * 60))).toBeLessThan(1e-9);
    expect(d.pretrends.power.description).toMatch(/placebo-permutation/);
    const many = runCli([...BASE, '--method', 'synth', '--json']);
    expect(many.code, many.stderr).toBe(0);
    const m = many.json();
    expect(m.pretrends.wald).toBeUndefined();
    expect(m.pretrends.joint.reason).toMatch(/one treated unit; with 12 treated units/);
    expect(m.warnings.map((w: { code: string }) => w.code)).toContain('PRETREND_JOINT_UNAVAILABLE');
  }, 120_000);
});
