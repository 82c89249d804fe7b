/**
 * `vru-eval run`: plans end to end through the binary. The committed example results must be
 * reproduced by `--check` (the CI gate); a changed option or input row must fail it with a readable
 * diff; every class of plan error exits 2 naming the key path; a failing step keeps the completed
 * steps' files and marks the manifest incomplete; serial and parallel runs give identical bytes.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectValidDocument, FIXTURE, ROOT, runCli, tempDir } from '../helpers.js';

const PLAN = join(ROOT, 'examples', 'home-office', 'plan.yaml');
const RESULTS = join(ROOT, 'examples', 'home-office', 'results');

/** The example plan with its data path made absolute and `edit` applied, written to a temp dir. */
function examplePlan(edit: (text: string) => string = (t) => t, data = FIXTURE): string {
  const dir = tempDir();
  const text = edit(readFileSync(PLAN, 'utf8').replace('../../fixtures/police_monthly.csv', data));
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, text);
  return file;
}

function planFile(text: string): string {
  const file = join(tempDir(), 'plan.yaml');
  writeFileSync(file, text);
  return file;
}

describe('vru-eval run --check on the committed example (CI gate)', () => {
  it('recomputes every step of examples/home-office/plan.yaml and matches the committed results', () => {
    const r = runCli(['run', PLAN, '--check', RESULTS, '--threads', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json().status).toBe('match');
    expect(r.json().diff[0]).toMatch(/^check: 9 result document\(s\) match the committed results/);
  }, 240_000);

  it('the committed results are complete documents and a complete manifest', () => {
    const m = JSON.parse(readFileSync(join(RESULTS, 'manifest.json'), 'utf8'));
    expect(m.status).toBe('complete');
    expect(m.plan.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.inputs).toEqual([{ data: 'police', file: '../../fixtures/police_monthly.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(m.tool.name).toBe('vru-eval');
    for (const s of m.steps) {
      expect(s.status).toBe('complete');
      expect(typeof s.wallMs).toBe('number');
      for (const f of s.outputs) expect(existsSync(join(RESULTS, f)), f).toBe(true);
    }
    const gs = m.steps.find((s: { name: string }) => s.name === 'gsynth_violence');
    expect(gs.seed).toBe(20190401);
    expect(gs.args).toEqual(['scm', '../../fixtures/police_monthly.csv', '--unit', 'unit', '--time', 'period', '--outcome', 'violence_rate', '--treated', 'treated', '--population', 'population', '--seed', '20190401', '--method', 'gsynth', '--factors', '2', '--reps', '100', '--out', 'gsynth_violence.json']);
    for (const f of readdirSync(RESULTS).filter((x) => x.endsWith('.json') && x !== 'manifest.json')) expectValidDocument(JSON.parse(readFileSync(join(RESULTS, f), 'utf8')));
    expect(readFileSync(join(RESULTS, 'report.html'), 'utf8')).toContain('<!DOCTYPE html>');
  });

  it('a plan step gives the same bytes as the same command typed by hand', () => {
    const dir = tempDir();
    const out = join(dir, 'twfe.json');
    const r = runCli(['did', FIXTURE, '--unit', 'unit', '--time', 'period', '--outcome', 'violence_rate', '--treated', 'treated', '--seed', '20190401', '--method', 'twfe', '--event-window', '-12:12', '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(RESULTS, 'twfe.json'), 'utf8'));
  });

  it('fails with a readable diff when an option changes (--only runs the step and what it needs)', () => {
    const plan = examplePlan((t) => t.replace('eventWindow: "-12:12"', 'eventWindow: "-6:6"'));
    const r = runCli(['run', plan, '--check', RESULTS, '--only', 'twfe', '--threads', '1']);
    expect(r.code).toBe(5);
    expect(r.error().code).toBe('RESULTS_DRIFT');
    const diff = r.json().diff.join('\n');
    expect(diff).toMatch(/^check: drift in 1 of 1 result document\(s\)/);
    expect(diff).toContain('twfe.json:');
    expect(diff).toMatch(/options\.eventWindow: committed -12:12, now -6:6/);
    expect(r.json().differences).toContainEqual({ file: 'twfe.json', path: 'options.eventWindow', committed: '-12:12', now: '-6:6', kind: 'structure', tolerance: null });
    // --format table (a terminal): the same diff as text, printed although the command then fails
    const t = runCli(['run', plan, '--check', RESULTS, '--only', 'twfe', '--threads', '1', '--format', 'table']);
    expect(t.code).toBe(5);
    expect(t.stdout).toMatch(/^check: drift in 1 of 1 result document\(s\)\ntwfe\.json: \d+ differences\n  options\.eventWindow: committed -12:12, now -6:6\n/);
  }, 60_000);

  it('fails when one input row changes, naming the changed numbers and the tolerance', () => {
    const dir = tempDir();
    const data = join(dir, 'police_monthly.csv');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    const k = lines.findIndex((l) => l.startsWith('A07,2019-06,'));
    const cells = lines[k]!.split(',');
    cells[2] = String(Number(cells[2]) + 1);
    lines[k] = cells.join(',');
    writeFileSync(data, lines.join('\n'));
    const r = runCli(['run', examplePlan(undefined, data), '--check', RESULTS, '--only', 'twfe', '--threads', '1']);
    expect(r.code).toBe(5);
    const diff = r.json().diff.join('\n');
    expect(diff).toMatch(/input\.sha256: committed [0-9a-f]{64}, now [0-9a-f]{64}/);
    expect(diff).toMatch(/estimate\.att: committed -4\.67\d+, now -4\.6\d+ \(Δ [-0-9.e]+, relative [0-9.e-]+; tolerance 0 for point estimates\)/);
    expect(diff).toMatch(/estimate\.se: .*tolerance 0\.000001 for SEs, intervals and p-values/);
  }, 60_000);
});

describe('plan errors exit 2 and name the key path', () => {
  const base = (analyses: string, rest = ''): string => `version: 1\ndata:\n  police:\n    file: ${FIXTURE}\nanalyses:\n${analyses}\n${rest}`;
  const twfe = '  twfe:\n    command: did\n    data: police\n    options: { outcome: violence_rate }';
  const cases: [string, string, string, RegExp][] = [
    ['unknown top-level key', base(twfe, 'analysis: {}'), 'PLAN_UNKNOWN_KEY', /^plan: analysis: unknown key 'analysis'; did you mean 'analyses'\?/],
    ['unknown option', base('  vwoi:\n    command: scm\n    data: police\n    options: { outcome: violence_rate, factor: 2 }'), 'PLAN_UNKNOWN_KEY', /analyses\.vwoi\.options\.factor: unknown option 'factor'; did you mean 'factors'\?/],
    ['wrong type', base('  g:\n    command: scm\n    data: police\n    options: { outcome: violence_rate, reps: "many" }'), 'PLAN_BAD_TYPE', /analyses\.g\.options\.reps: must be an integer \(got a string\)/],
    ['out of range', base('  g:\n    command: scm\n    data: police\n    options: { outcome: violence_rate, reps: 0 }'), 'PLAN_BAD_VALUE', /analyses\.g\.options\.reps: --reps '0' must be an integer ≥ 1/],
    ['missing required option', base('  g:\n    command: scm\n    data: police\n    options: { reps: 10 }'), 'PLAN_MISSING_KEY', /analyses\.g\.options\.outcome: is required/],
    ['option of another method', base('  g:\n    command: scm\n    data: police\n    options: { outcome: violence_rate, method: gsynth, loo: true }'), 'PLAN_OPTION_NOT_FOR_METHOD', /analyses\.g\.options\.loo: 'loo' is an option of scm method synth, not of method gsynth/],
    ['unknown command', base('  g:\n    command: scn\n    data: police'), 'PLAN_UNKNOWN_COMMAND', /analyses\.g\.command: there is no estimating command 'scn'; did you mean 'scm'\?/],
    ['missing data reference', base('  g:\n    command: did\n    data: polic\n    options: { outcome: violence_rate }'), 'PLAN_MISSING_REFERENCE', /analyses\.g\.data: there is no data source 'polic'; did you mean 'police'\?/],
    ['missing analysis reference', base(twfe, 'cba:\n  c:\n    from: [twfee]\n    options: { costs: 1 }'), 'PLAN_MISSING_REFERENCE', /cba\.c\.from\[0\]: there is no analysis 'twfee'; did you mean 'twfe'\?/],
    ['cycle', base(twfe + '\n  its:\n    command: its\n    data: police\n    options: { outcome: violence_rate }', 'compare:\n  a: { analyses: [twfe, b] }\n  b: { analyses: [its, a] }'), 'PLAN_CYCLE', /compare\.a: steps depend on each other in a cycle: a → b → a/],
    ['robustness check the method lacks', base(twfe, 'robustness:\n  r: { analysis: twfe, excludeWindow: "2020-04:2020-06" }'), 'PLAN_CHECK_NOT_AVAILABLE', /robustness\.r\.excludeWindow: excluding a window needs/],
    ['unknown robustness check', base(twfe, 'robustness:\n  r: { analysis: twfe, inTimePlacebo: ["2018-01"] }'), 'PLAN_UNKNOWN_KEY', /robustness\.r\.inTimePlacebo: unknown robustness check 'inTimePlacebo'; did you mean 'inTimePlacebos'\?/],
    ['bad value inside a compact spec', base('  i:\n    command: its\n    data: police\n    options: { outcome: violence_rate, seasonality: weekly }'), 'PLAN_BAD_VALUE', /analyses\.i\.options\.seasonality: /],
    ['duplicate step name', base(twfe, 'cba:\n  twfe:\n    from: [twfe]'), 'PLAN_DUPLICATE_NAME', /cba\.twfe: the name 'twfe' is already used by analyses\.twfe/],
    ['not YAML', 'analyses: [unclosed', 'PLAN_SYNTAX', /is not valid YAML\/JSON/],
  ];
  for (const [what, text, code, message] of cases) {
    it(what, () => {
      const r = runCli(['run', planFile(text), '--out', tempDir()]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.error().code).toBe(code);
      expect(r.error().message).toMatch(message);
    });
  }

  it('JSON plans are accepted', () => {
    const r = runCli(['run', planFile(JSON.stringify({ data: { p: { file: FIXTURE } }, analyses: { t: { command: 'did', data: 'p', options: { outcome: 'violence_rate', vcov: 'hc1' } } } })), '--out', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a failing step', () => {
  it('fails the run naming the step, keeps the completed steps and marks the manifest incomplete', () => {
    const out = tempDir();
    const text = `data:\n  police:\n    file: ${FIXTURE}\nanalyses:\n  ok:\n    command: did\n    data: police\n    options: { outcome: violence_rate, vcov: hc1 }\n  broken:\n    command: did\n    data: police\n    options: { outcome: no_such_column }\ncompare:\n  both: { analyses: [ok, broken] }\n`;
    const r = runCli(['run', planFile(text), '--out', out, '--threads', '1']);
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('PLAN_STEP_FAILED');
    expect(e.message).toMatch(/^step analyses\.broken failed \(MISSING_COLUMN\): .*no_such_column/);
    expect(e.message).toContain('(ok) are kept');
    expect(existsSync(join(out, 'ok.json'))).toBe(true);
    expect(existsSync(join(out, 'broken.json'))).toBe(false);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.status).toBe('incomplete');
    expect(m.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['ok:complete', 'broken:failed', 'both:not run']);
  });
});

describe('parallel and serial runs', () => {
  it('write byte-identical files (everything but the manifest, which holds wall times and --jobs)', () => {
    const text = [
      'seed: 7',
      'data:',
      `  police: { file: ${FIXTURE} }`,
      'analyses:',
      '  twfe: { command: did, data: police, options: { outcome: violence_rate, vcov: hc1 } }',
      '  cs: { command: did, data: police, options: { outcome: violence_rate, method: cs, boots: 50 } }',
      '  its: { command: its, data: police, options: { outcome: violence_rate, interruption: ["2019-04"], seasonality: month } }',
      'cba:',
      '  cost: { from: [its], options: { population: [3000000], outcomeType: [violence-without-injury], costs: 1000000 } }',
      'robustness:',
      '  r: { analysis: its, inTimePlacebos: ["2018-01"], starts: ["2019-09"], excludeWindow: "2020-04:2020-06" }',
      'compare:',
      '  m: { analyses: [twfe, cs, its] }',
      'charts:',
      '  e: { of: cs, kind: event }',
      'report: { title: small }',
    ].join('\n');
    const plan = planFile(text);
    const a = tempDir();
    const b = tempDir();
    expect(runCli(['run', plan, '--out', a, '--threads', '1']).code).toBe(0);
    const rb = runCli(['run', plan, '--out', b, '--threads', '2']);
    expect(rb.code, rb.stderr).toBe(0);
    const files = readdirSync(a).sort();
    expect(readdirSync(b).sort()).toEqual(files);
    expect(files).toEqual(['cost.json', 'cs.json', 'e.svg', 'its.json', 'm.json', 'm.svg', 'manifest.json', 'r.json', 'r.svg', 'report.html', 'twfe.json']);
    for (const f of files) if (f !== 'manifest.json') expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    const seeds = JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8')).steps.map((s: { seed: number | null }) => s.seed);
    expect(seeds).toEqual([7, 7, 7, 7, 7, null, null, null]);
  }, 120_000);
});

describe('vru-eval schema --plan', () => {
  it('is a JSON Schema that accepts the example plan and rejects a misspelt option', () => {
    const r = runCli(['schema', '--plan']);
    expect(r.code).toBe(0);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(r.json());
    const plan = parseYaml(readFileSync(PLAN, 'utf8'));
    expect(validate(plan), ajv.errorsText(validate.errors)).toBe(true);
    plan.analyses.gsynth_violence.options.factor = 2;
    expect(validate(plan)).toBe(false);
  });
});
