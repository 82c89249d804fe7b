/**
 * The library through the package name (issue 23): `import … from 'vru-eval'` resolves by the
 * package's self-reference (package.json exports → dist), as a user's project would. Checks
 *  - the example of docs/library.md runs and prints exactly the output shown there;
 *  - analyse() gives, for every method, the document the CLI writes, byte for byte;
 *  - every estimator and analysis is exported with its option tables.
 * Needs a build (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers.js';

/** Run ES module code in the repository root (where 'vru-eval' resolves to this package). */
function runModule(code: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const doc = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');

describe('docs/library.md example', () => {
  it('runs through the package name and prints the output shown', () => {
    const code = /```js\n([\s\S]*?)```/.exec(doc)![1]!;
    const shown = /```text\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(code).toContain("from 'vru-eval'");
    const r = runModule(code);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(shown);
  }, 120_000);
});

/** analyse() options and the CLI line that must give the same document. */
const SAME: { method: string; options: Record<string, unknown>; cli: string[]; file?: string }[] = [
  { method: 'gsynth', options: { outcome: 'violence_rate', population: 'population', factors: 2, reps: 30 }, cli: ['scm', '--method', 'gsynth', '--outcome', 'violence_rate', '--population', 'population', '--factors', '2', '--reps', '30'] },
  { method: 'synth', options: { outcome: 'violence_rate', placebo: 'none', inference: 'none', treatedUnits: ['A07'], start: '2019-04' }, cli: ['scm', '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'none', '--inference', 'none', '--treated-units', 'A07', '--start', '2019-04'] },
  { method: 'sdid', options: { outcome: 'violence_rate', inference: 'bootstrap', reps: 20, excludeUnits: ['A01'] }, cli: ['scm', '--method', 'sdid', '--outcome', 'violence_rate', '--inference', 'bootstrap', '--reps', '20', '--exclude-units', 'A01'] },
  { method: 'ascm', options: { outcome: 'violence_rate', inference: 'none' }, cli: ['scm', '--method', 'ascm', '--outcome', 'violence_rate', '--inference', 'none'] },
  { method: 'micro', options: { outcome: 'offences,stop_search', reps: 99 }, cli: ['scm', '--method', 'micro', '--outcome', 'offences,stop_search', '--reps', '99'] },
  { method: 'its', options: { outcome: 'violence_rate', interruption: ['2019-04'], errors: 'ar:1' }, cli: ['its', '--outcome', 'violence_rate', '--interruption', '2019-04', '--errors', 'ar:1'] },
  { method: 'twfe', options: { outcome: 'violence_rate', weights: 'population', eventWindow: '-6:6', seed: 5 }, cli: ['did', '--outcome', 'violence_rate', '--weights', 'population', '--event-window', '-6:6', '--seed', '5'] },
  { method: 'cs', options: { outcome: 'violence_rate', reps: 49, bootstrapWeights: 'mammen' }, cli: ['did', '--method', 'cs', '--outcome', 'violence_rate', '--reps', '49', '--bootstrap-weights', 'mammen'] },
];

describe('analyse() gives the CLI document byte for byte', () => {
  const file = 'fixtures/police_monthly.csv';
  it.each(SAME)('$method', ({ method, options, cli }) => {
    const code = `import { analyse, analysisDocument, serialiseDocument } from 'vru-eval';
const r = await analyse(${JSON.stringify(file)}, ${JSON.stringify({ method, ...options })});
process.stdout.write(serialiseDocument(analysisDocument(r)));`;
    const lib = runModule(code);
    expect(lib.stderr).toBe('');
    const [command, ...rest] = cli;
    const c = runCli([command!, file, ...rest]);
    expect(c.code).toBe(0);
    expect(lib.stdout).toBe(c.stdout);
  }, 120_000);

  it('a built Panel gives the same document as its file, and a mapping that disagrees with it is refused', () => {
    const code = `import { analyse, analysisDocument, serialiseDocument, readPanel } from 'vru-eval';
const panel = readPanel(${JSON.stringify(file)}, { outcome: 'violence_rate' });
const a = serialiseDocument(analysisDocument(await analyse(panel, { method: 'twfe' })));
const b = serialiseDocument(analysisDocument(await analyse(${JSON.stringify(file)}, { method: 'twfe', outcome: 'violence_rate' })));
let err = null;
try { await analyse(panel, { method: 'twfe', outcome: 'offences' }); } catch (e) { err = e.code; }
let err2 = null;
try { await analyse(panel, { method: 'twfe', weights: 'population' }); } catch (e) { err2 = e.code; }
process.stdout.write(JSON.stringify({ same: a === b, err, err2 }));`;
    const r = runModule(code);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ same: true, err: 'PANEL_ALREADY_BUILT', err2: 'NEEDS_FILE' });
  }, 60_000);

  it('options are checked as the flags are (typed errors, nothing printed)', () => {
    const code = `import { analyse } from 'vru-eval';
const codes = [];
for (const o of [{ method: 'sdid', outcome: 'violence_rate', inference: 'conformal' }, { method: 'gsynth', outcome: 'violence_rate', level: 1.2 }, { method: 'twfe', outcome: 'violence_rate', population: 'population' }, { method: 'nope' }]) {
  try { await analyse('fixtures/police_monthly.csv', o); codes.push(null); } catch (e) { codes.push(e.code + ':' + e.exitCode); }
}
process.stdout.write(JSON.stringify(codes));`;
    const r = runModule(code);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['BAD_INFERENCE:2', 'BAD_NUMBER:2', 'POPULATION_NOT_USED:2', 'UNKNOWN_METHOD:2']);
  }, 60_000);
});

describe('exports through the package name', () => {
  it('every estimator, analysis and option table', () => {
    const names = [
      'analyse', 'analysisDocument', 'analyseGsynth', 'analyseSynth', 'analyseSdid', 'analyseAscm', 'analyseMicro', 'analyseIts', 'analyseTwfe', 'analyseCs',
      'gsynth', 'synth', 'sdid', 'ascm', 'micro', 'microDataFromPanel', 'estimateIts', 'estimateTwfe', 'estimateCs', 'costBenefit', 'buildPoliceUkPanel', 'describePanels',
      'readPanel', 'makeDocument', 'serialiseDocument',
      'PANEL_OPTIONS', 'SCM_OPTIONS', 'GSYNTH_OPTIONS', 'SYNTH_OPTIONS', 'SDID_OPTIONS', 'ASCM_OPTIONS', 'MICRO_OPTIONS', 'ITS_OPTIONS', 'TWFE_OPTIONS', 'CS_OPTIONS', 'CBA_OPTIONS',
    ];
    const r = runModule(`import * as api from 'vru-eval'; process.stdout.write(JSON.stringify(${JSON.stringify(names)}.filter((n) => api[n] === undefined)));`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
