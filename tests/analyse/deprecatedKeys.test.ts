/**
 * Issue 23, "one name for one thing", for library callers: an old option key (gsynth's `boots`,
 * micro's `perms`, `workers`, cs's `boots`, cba's `population`/`rateBase` …) passed to analyse(),
 * to an exported analyseX function or to analyseCba is read as the new key AND reported in the
 * document as a DEPRECATED_OPTION warning, as the CLI reports an old flag. The warning is added once,
 * at the analyse layer: the CLI resolves its old flags before calling that layer, so a CLI run with
 * an old flag still carries exactly one warning per old name.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analyse.js';
import { analyseCba } from '../../src/analyse/cba.js';
import { analyseCs } from '../../src/analyse/did.js';
import { FIXTURE, runCli } from '../helpers.js';

type W = { code: string; message: string };
const deprecations = (ws: readonly W[]): string[] => ws.filter((w) => w.code === 'DEPRECATED_OPTION').map((w) => w.message);
const without = (ws: readonly W[]): W[] => ws.filter((w) => w.code !== 'DEPRECATED_OPTION');

const GS = { outcome: 'violence_rate', population: 'population', factors: 1 } as const;

describe('old option keys in the library (issue 23)', () => {
  it('analyse gsynth with boots/workers: the reps/threads document plus one warning per old key, at the end', async () => {
    const now = await analyse(FIXTURE, { method: 'gsynth', ...GS, reps: 20, threads: 1 });
    const old = await analyse(FIXTURE, { method: 'gsynth', ...GS, boots: 20, workers: 1 } as never);
    expect(deprecations(now.analysis.warnings)).toEqual([]);
    expect(deprecations(old.analysis.warnings)).toEqual([
      'options.boots is now options.reps; the old name works for one release',
      'options.workers is now options.threads; the old name works for one release',
    ]);
    const n = old.analysis.warnings.length;
    expect(old.analysis.warnings.slice(n - 2).every((w) => w.code === 'DEPRECATED_OPTION')).toBe(true);
    expect({ ...old.analysis, warnings: without(old.analysis.warnings) }).toEqual(now.analysis);
    expect(old.analysis.options.boots).toBe(20);
  }, 60_000);

  it('micro perms, and cs boots through the exported analyseCs', async () => {
    const m = await analyse(FIXTURE, { method: 'micro', outcome: 'offences', perms: 10, inference: ['permutation'] } as never);
    expect(deprecations(m.analysis.warnings)).toEqual(['options.perms is now options.reps; the old name works for one release']);
    const cs = analyseCs(FIXTURE, { outcome: 'violence_rate', boots: 19 } as never);
    expect(deprecations(cs.analysis.warnings)).toEqual(['options.boots is now options.reps; the old name works for one release']);
    const csNew = analyseCs(FIXTURE, { outcome: 'violence_rate', reps: 19 });
    expect({ ...cs.analysis, warnings: without(cs.analysis.warnings) }).toEqual(csNew.analysis);
  }, 120_000);

  it('giving the old and the new key is a usage error', async () => {
    await expect(analyse(FIXTURE, { method: 'gsynth', ...GS, boots: 20, reps: 20 } as never)).rejects.toMatchObject({ code: 'CONFLICTING_OPTIONS' });
  });

  it('cba population/rateBase: population-total/rate-per plus the warnings', () => {
    const base = { effectPer100k: [-4], name: ['v'], unitCost: [2000], costs: 1_000_000 };
    const now = analyseCba({ ...base, populationTotal: [2_500_000] });
    const old = analyseCba({ ...base, population: [2_500_000] } as never);
    expect(deprecations(old.analysis.warnings)).toEqual(['options.population is now options.populationTotal; the old name works for one release']);
    expect({ ...old.analysis, warnings: without(old.analysis.warnings) }).toEqual(now.analysis);
    // rateBase counts as a given rate-per: refused without --from, as --rate-per is
    expect(() => analyseCba({ ...base, populationTotal: [2_500_000], rateBase: 1000 } as never)).toThrow(/--rate-per applies to --from documents/);
  });

  it('the CLI with an old flag: exactly one warning per old name (not one from the CLI and one from the library)', () => {
    const r = runCli(['scm', FIXTURE, '--method', 'gsynth', '--outcome', 'violence_rate', '--factors', '1', '--boots', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(deprecations((r.json() as { warnings: W[] }).warnings)).toEqual(['--boots is now --reps; the old name works for one release']);
  }, 60_000);
});
