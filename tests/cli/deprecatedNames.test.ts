/**
 * Issue 23, "one name for one thing": replications are --reps and parallelism --threads in every
 * command, cba's population number is --population-total and its rate base --rate-per. The old
 * names still work for one release as hidden aliases: same estimates, plus a DEPRECATED_OPTION
 * warning in the document and on stderr. Giving both names is a usage error (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE, runCli, tempDir } from '../helpers.js';
import { GSYNTH_OPTIONS } from '../../src/estimators/gsynth/options.js';
import { CS_OPTIONS } from '../../src/estimators/did/options.js';
import { planValues } from '../../src/core/optionTable.js';

type Doc = { warnings: { code: string; message: string }[]; [k: string]: unknown };

/** The document without the deprecation warnings (what the new name gives). */
function withoutDeprecations(d: Doc): Doc {
  return { ...d, warnings: d.warnings.filter((w) => w.code !== 'DEPRECATED_OPTION') };
}

const GSYNTH = ['scm', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--method', 'gsynth', '--factors', '2'];

describe('deprecated option names (issue 23)', () => {
  it('gsynth --boots/--workers: same document as --reps/--threads apart from one DEPRECATED_OPTION warning each, also on stderr', () => {
    const now = runCli([...GSYNTH, '--reps', '40', '--threads', '2']);
    const old = runCli([...GSYNTH, '--boots', '40', '--workers', '2']);
    expect(now.code).toBe(0);
    expect(old.code).toBe(0);
    expect(now.stderr).not.toMatch(/DEPRECATED_OPTION/);
    const dep = (old.json() as Doc).warnings.filter((w) => w.code === 'DEPRECATED_OPTION');
    expect(dep.map((w) => w.message)).toEqual(['--boots is now --reps; the old name works for one release', '--workers is now --threads; the old name works for one release']);
    for (const w of dep) expect(old.stderr).toContain(`DEPRECATED_OPTION: ${w.message}`);
    expect(withoutDeprecations(old.json() as Doc)).toEqual(now.json());
    // the document keeps gsynth's key
    expect((now.json() as { options: { boots: number } }).options.boots).toBe(40);
  }, 60_000);

  it('the same replications under the new name give the same estimates as under each old one (micro --perms, synth --placebo-draws, did cs --boots)', () => {
    const cases: [string[], string, string][] = [
      [['scm', FIXTURE, '--outcome', 'offences', '--method', 'micro'], '--perms', '20'],
      [['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'synth', '--loo'], '--placebo-draws', '20'],
      [['did', FIXTURE, '--outcome', 'violence_rate', '--method', 'cs'], '--boots', '49'],
    ];
    for (const [args, oldFlag, n] of cases) {
      const now = runCli([...args, '--reps', n]);
      const old = runCli([...args, oldFlag, n]);
      expect(now.code, `${oldFlag}: ${now.stderr}`).toBe(0);
      expect(old.code).toBe(0);
      const nd = now.json() as Doc;
      const od = old.json() as Doc;
      expect(od.warnings.filter((w) => w.code === 'DEPRECATED_OPTION').map((w) => w.message)).toEqual([`${oldFlag} is now --reps; the old name works for one release`]);
      expect(withoutDeprecations(od)).toEqual(nd);
    }
  }, 120_000);

  it('cba --population/--rate-base are --population-total/--rate-per', () => {
    const dir = tempDir();
    const g = join(dir, 'g.json');
    expect(runCli([...GSYNTH, '--reps', '20', '--out', g]).code).toBe(0);
    // without counts, so that --population-total converts the rate
    const doc = JSON.parse(readFileSync(g, 'utf8'));
    delete doc.counts;
    writeFileSync(g, JSON.stringify(doc));
    const tail = ['--name', 'v', '--unit-cost', '2000', '--costs', '1000000'];
    const now = runCli(['cba', '--from', g, '--rate-per', '1000', '--population-total', '2500000', ...tail]);
    const old = runCli(['cba', '--from', g, '--rate-base', '1000', '--population', '2500000', ...tail]);
    expect(now.code, now.stderr).toBe(0);
    expect(old.code).toBe(0);
    expect((old.json() as Doc).warnings.filter((w) => w.code === 'DEPRECATED_OPTION').map((w) => w.message).sort()).toEqual([
      '--population is now --population-total; the old name works for one release',
      '--rate-base is now --rate-per; the old name works for one release',
    ]);
    expect(withoutDeprecations(old.json() as Doc)).toEqual(now.json());
    // the rate base is used: per 1,000 people gives 100 × the offences of per 100,000
    const per100k = runCli(['cba', '--from', g, '--population-total', '2500000', ...tail]).json() as { outcomes: { offencesAvoided: number }[] };
    const per1k = now.json() as { outcomes: { offencesAvoided: number }[] };
    expect(per1k.outcomes[0]!.offencesAvoided / per100k.outcomes[0]!.offencesAvoided).toBeCloseTo(100, 9);
  }, 60_000);

  it('giving the old and the new name is a usage error (exit 2)', () => {
    for (const args of [
      [...GSYNTH, '--reps', '20', '--boots', '30'],
      [...GSYNTH, '--workers', '1', '--threads', '2'],
      ['cba', '--effect-per-100k', '-4', '--population', '10', '--population-total', '10', '--name', 'v', '--unit-cost', '1', '--costs', '1'],
    ]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/CONFLICTING_OPTIONS/);
      expect(r.stdout + r.stderr).toMatch(/is the old name of/);
    }
  }, 60_000);

  it('old names are hidden from --help; the new names are shown', () => {
    const h = runCli(['scm', '--method', 'gsynth', '--help']).stdout;
    expect(h).toMatch(/--reps <n>/);
    expect(h).toMatch(/--threads <n>/);
    expect(h).not.toMatch(/--boots|--workers|--perms|--placebo-draws/);
    const c = runCli(['cba', '--help']).stdout;
    expect(c).toMatch(/--population-total <n>/);
    expect(c).not.toMatch(/--rate-base|--population <n>/);
  });

  it('plans accept the old keys with a DEPRECATED_OPTION warning, and reject old and new together', () => {
    const pv = planValues([GSYNTH_OPTIONS], { boots: 50, workers: 2 }, 'analyses.g.options');
    expect(pv.values.reps).toBe(50);
    expect(pv.values.threads).toBe(2);
    expect([...pv.given].sort()).toEqual(['reps', 'threads']);
    expect(pv.warnings).toEqual([
      { code: 'DEPRECATED_OPTION', message: 'analyses.g.options.boots is now analyses.g.options.reps; the old name works for one release' },
      { code: 'DEPRECATED_OPTION', message: 'analyses.g.options.workers is now analyses.g.options.threads; the old name works for one release' },
    ]);
    expect(planValues([CS_OPTIONS], { reps: 9 }, 'p').warnings).toEqual([]);
    expect(() => planValues([CS_OPTIONS], { reps: 9, boots: 9 }, 'p')).toThrow(/'boots' is the old name of 'reps'/);
  });

  it('vru-eval run: a plan with an old key warns on stderr and in the manifest, and gives the same documents', () => {
    const dir = tempDir();
    const plan = (key: string) => `data:\n  police: { file: ${FIXTURE}, options: { outcome: violence_rate } }\nanalyses:\n  g:\n    command: scm\n    data: police\n    options: { method: gsynth, factors: 2, ${key}: 30 }\n`;
    writeFileSync(join(dir, 'old.yaml'), plan('boots'));
    writeFileSync(join(dir, 'new.yaml'), plan('reps'));
    const old = runCli(['run', join(dir, 'old.yaml'), '--out', join(dir, 'old')]);
    const now = runCli(['run', join(dir, 'new.yaml'), '--out', join(dir, 'new')]);
    expect(old.code, old.stderr).toBe(0);
    expect(now.code, now.stderr).toBe(0);
    expect(old.stderr).toContain('DEPRECATED_OPTION: analyses.g.options.boots is now analyses.g.options.reps; the old name works for one release');
    expect(now.stderr).not.toContain('DEPRECATED_OPTION');
    expect(readFileSync(join(dir, 'old', 'g.json'), 'utf8')).toBe(readFileSync(join(dir, 'new', 'g.json'), 'utf8'));
    // and in the run's manifest, not only on stderr
    const manifest = (d: string) => JSON.parse(readFileSync(join(dir, d, 'manifest.json'), 'utf8'));
    expect(manifest('old').warnings).toEqual([{ code: 'DEPRECATED_OPTION', message: 'analyses.g.options.boots is now analyses.g.options.reps; the old name works for one release' }]);
    expect(manifest('new').warnings).toEqual([]);
  }, 60_000);
});
