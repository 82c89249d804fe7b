/**
 * Byte identity (issue 23: "nothing changes for users"): the fast entries of the corpus in
 * scripts/identityCorpus.ts reproduce the sha256 recorded at the base commit before the refactor
 * (tests/fixtures/identityCorpus.json). The whole corpus (43 command lines, a few minutes) runs with
 * `npm run corpus`, or here with VRU_SLOW=1. After an INTENTIONAL change of output, re-record with
 * `npm run corpus -- --write` (or `--write --only <name>`) and say why in the commit.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../scripts/identityCorpus.js';
import { ROOT } from '../helpers.js';

const recorded = (JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'identityCorpus.json'), 'utf8')) as { hashes: Record<string, string> }).hashes;

describe('byte-identity corpus', () => {
  it('records a hash for every entry, covering every method', () => {
    for (const e of CORPUS) expect(recorded[e.name], e.name).toMatch(/^[0-9a-f]{64}$/);
    const scmMethods = new Set(CORPUS.filter((e) => e.args[0] === 'scm').map((e) => e.args[e.args.indexOf('--method') + 1]));
    expect([...scmMethods].sort()).toEqual(['ascm', 'gsynth', 'micro', 'sdid', 'synth']);
    for (const c of ['its', 'did', 'cba', 'describe', 'robustness', 'run', 'power']) expect(CORPUS.some((e) => e.args[0] === c), c).toBe(true);
  });

  it(
    process.env.VRU_SLOW ? 'every entry gives the recorded bytes' : 'the fast entries give the recorded bytes',
    () => {
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'identityCorpus.js'), ...(process.env.VRU_SLOW ? [] : ['--fast'])], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stdout).toMatch(/identical: \d+ entries/);
      expect(r.status, r.stdout).toBe(0);
    },
    1_800_000,
  );
});
