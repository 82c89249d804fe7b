/**
 * Issue 14, "no silent wrong answers": every case a newcomer hit is now an error (with its exit
 * code) or a correct answer, never a confident wrong one with exit 0.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { FIXTURE, ROOT, runCli, tempDir } from '../helpers.js';

async function run(args: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false });
  return { code, stdout, stderr, error: () => JSON.parse(stderr.trim().split('\n').pop()!).error as { code: string; message: string } };
}

/** True offences avoided on the fixture: Σ over treated unit-months of −effect × population / 100,000 (truth file). */
function fixtureTruth(): number {
  const truth = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'police_monthly.truth.json'), 'utf8')) as { treatedUnits: string[]; pathEffect: (number | null)[]; spec: { firstPeriod: string } };
  const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const h = lines[0]!.split(',');
  const [iu, ip, ipop] = ['unit', 'period', 'population'].map((c) => h.indexOf(c));
  const periods = [...new Set(lines.slice(1).map((l) => l.split(',')[ip!]!))].sort();
  let total = 0;
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    if (!truth.treatedUnits.includes(c[iu!]!)) continue;
    const e = truth.pathEffect[periods.indexOf(c[ip!]!)];
    if (e !== null && e !== undefined) total += (-e * Number(c[ipop!])) / 100000;
  }
  return total;
}

describe('no silent wrong answers', () => {
  it('did --population is rejected (it was accepted and ignored): exit 2', async () => {
    const r = await run(['did', FIXTURE, '--outcome', 'violence_rate', '--population', 'population']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('POPULATION_NOT_USED');
    expect(r.error().message).toContain('--weights population');
  });

  it('scm --method synth --population is rejected (synth makes no counts): exit 2', async () => {
    const r = await run(['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'synth', '--population', 'population']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('OPTION_NOT_FOR_METHOD');
  });

  it('scm with a count outcome and --population but no --outcome-scale is an error (was 68,255 offences for a truth of 6,895): exit 2', async () => {
    const r = await run(['scm', FIXTURE, '--outcome', 'offences', '--population', 'population']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('OUTCOME_SCALE_UNCLEAR');
    expect(r.error().message).toContain('--outcome-scale count');
    // a rate column with --population needs no declaration
    const rate = await run(['scm', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--reps', '50']);
    expect(rate.code, rate.stderr).toBe(0);
    expect(JSON.parse(rate.stdout).options.outcomeScale).toBe('rate');
    // count with population: contradictory
    const both = await run(['scm', FIXTURE, '--outcome', 'offences', '--population', 'population', '--outcome-scale', 'count']);
    expect(both.code).toBe(2);
    expect(both.error().code).toBe('POPULATION_WITH_COUNT');
  });

  it('scm --outcome offences --outcome-scale count: offences avoided is the summed effect, and its interval covers the truth (6,895)', async () => {
    const truth = fixtureTruth();
    expect(truth).toBeCloseTo(6895.43672, 4);
    const r = await run(['scm', FIXTURE, '--outcome', 'offences', '--outcome-scale', 'count', '--reps', '200']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.options.outcomeScale).toBe('count');
    expect(doc.counts.population).toBeNull();
    // offences avoided = −Σ effects over treated unit-periods = −cumulative × treated units (balanced, common start)
    expect(doc.counts.offencesAvoided).toBeCloseTo(-doc.estimate.cumulative.value * 12, 6);
    // the 95% interval covers the truth, and the point is within 15% of it (the fixture's noise on counts)
    expect(doc.counts.ci[0]).toBeLessThan(truth);
    expect(doc.counts.ci[1]).toBeGreaterThan(truth);
    expect(Math.abs(doc.counts.offencesAvoided - truth) / truth).toBeLessThan(0.15);
  });

  it('plot --kind its on a synthetic-control result is an error, not an ITS chart with an ITS caption: exit 2', async () => {
    for (const f of ['gsynth', 'synth', 'did']) {
      const r = await run(['plot', join(ROOT, 'tests', 'fixtures', 'results', `${f}.json`), '--kind', 'its']);
      expect(r.code).toBe(2);
      expect(r.error().code).toBe('KIND_NOT_APPLICABLE');
      expect(r.stdout).toBe('');
    }
    const ok = await run(['plot', join(ROOT, 'tests', 'fixtures', 'results', 'its.json'), '--kind', 'its']);
    expect(ok.code).toBe(0);
  });

  it('an unknown option is reported before a missing required one: exit 2', async () => {
    const r = await run(['its', FIXTURE, '--outcom', 'violence_rate']);
    expect(r.code).toBe(2);
    expect(r.error().message).toMatch(/^unknown option '--outcom'/);
  });

  it('its --control <csv> no longer swallows the file name: exit 2 naming both', async () => {
    const r = await run(['its', '--control', FIXTURE, '--outcome', 'violence_rate']);
    expect(r.code).toBe(2);
    expect(r.error().message).toContain(`'${FIXTURE}' was read as the value of --control`);
    const r2 = await run(['its', FIXTURE, '--outcome', 'violence_rate', '--control', 'other.csv']);
    expect(r2.code).toBe(2);
    expect(r2.error().code).toBe('CONTROL_TOOK_FILE');
    const ok = await run(['its', FIXTURE, '--outcome', 'violence_rate', '--control']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('an unwritable --out is found before the estimation, and the message names the user’s path: exit 2', async () => {
    const dir = tempDir();
    const missing = join(dir, 'no-such-dir', 'r.json');
    const t0 = Date.now();
    const r = await run(['scm', FIXTURE, '--outcome', 'violence_rate', '--out', missing]);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('OUTPUT_UNWRITABLE');
    expect(r.error().message).toContain(missing);
    expect(r.error().message).not.toMatch(/\.tmp/);
    expect(Date.now() - t0).toBeLessThan(1000); // before the 1,000 bootstrap replications
    // a directory given as --out, and --plot into a missing directory
    mkdirSync(join(dir, 'd'));
    const d = await run(['did', FIXTURE, '--outcome', 'violence_rate', '--out', join(dir, 'd')]);
    expect(d.code).toBe(2);
    expect(d.error().message).toContain('is a directory');
    const p = await run(['did', FIXTURE, '--outcome', 'violence_rate', '--plot', join(dir, 'nope', 'x.svg')]);
    expect(p.code).toBe(2);
    expect(p.error().message).toContain(join(dir, 'nope', 'x.svg'));
    expect(readdirSync(dir)).toEqual(['d']);
  });

  it('the binary agrees (exit codes through the real process)', () => {
    const r = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--population', 'population']);
    expect(r.code).toBe(2);
    expect(existsSync(FIXTURE)).toBe(true);
  });
});
