/**
 * What a commissioner reads (issue 24): the meaning of a result (core/meaning.ts) checked against
 * hand computation from the documents; every command's first screen on a pseudo-terminal
 * (util-linux `script -qec`) says the relative effect and the verdict words; the summaries of
 * inspect, panel and run are sentences with the numbers read and kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caveats, diagnosticVerdict, diagnosticVerdicts, headlineSentence, offencesChange, percent, relativeEffect } from '../../src/core/meaning.js';
import type { ResultDocument } from '../../src/core/result.js';
import { BIN, FIXTURE, ROOT, SHARED, hasShared, runCli, tempDir } from '../helpers.js';

const RESULTS = join(ROOT, 'tests', 'fixtures', 'results');
const load = (name: string): ResultDocument => JSON.parse(readFileSync(join(RESULTS, `${name}.json`), 'utf8')) as ResultDocument;

describe('the meaning of a result (core/meaning.ts)', () => {
  it('relative effect = att ÷ the mean counterfactual over the post periods, by hand from the gsynth fixture', () => {
    const doc = load('gsynth');
    const post = doc.path.filter((p) => p.cumulative !== null && p.cumulative !== undefined);
    expect(post).toHaveLength(18);
    const base = post.reduce((a, p) => a + (p.counterfactual as number), 0) / post.length;
    const rel = relativeEffect(doc)!;
    expect(rel.base).toBe('counterfactual');
    expect(rel.baseValue).toBeCloseTo(base, 12);
    expect(rel.value).toBeCloseTo((doc.estimate!.att as number) / base, 12);
    expect(rel.ci![0]).toBeCloseTo(doc.estimate!.ci![0] / base, 12);
    // the interval contains its own estimate
    expect(rel.ci![0]).toBeLessThanOrEqual(rel.value);
    expect(rel.value).toBeLessThanOrEqual(rel.ci![1]);
    expect(percent(rel.value)).toBe(`\u2212${Math.abs(100 * rel.value).toFixed(1)}%`);
  });

  it('without a counterfactual, the treated pre-period mean; without any level, nothing (never a number from nowhere)', () => {
    const doc = load('gsynth');
    const noCf = { ...doc, path: doc.path.map((p) => ({ ...p, counterfactual: null, effect: null })) } as unknown as ResultDocument;
    const pre = doc.path.filter((p) => p.cumulative === null || p.cumulative === undefined).map((p) => p.observed as number);
    const rel = relativeEffect(noCf)!;
    expect(rel.base).toBe('pre-period mean');
    expect(rel.baseValue).toBeCloseTo(pre.reduce((a, b) => a + b, 0) / pre.length, 12);
    expect(relativeEffect({ ...doc, path: [] } as ResultDocument)).toBeNull();
    // a negative level (e.g. a differenced outcome) has no meaningful percentage
    const neg = { ...doc, path: doc.path.map((p) => ({ ...p, counterfactual: -50, observed: -50 })) } as unknown as ResultDocument;
    expect(relativeEffect(neg)).toBeNull();
  });

  it('offences added, not "avoided −70", for an increase; the interval flips with the sign', () => {
    const doc = load('gsynth');
    expect(offencesChange(doc)).toEqual({ word: 'avoided', value: 6340.66, ci: [5676.85, 7004.48] });
    const up = { ...doc, counts: { offencesAvoided: -70.3, ci: [-120.5, -20.1] } } as unknown as ResultDocument;
    expect(offencesChange(up)).toEqual({ word: 'added', value: 70.3, ci: [20.1, 120.5] });
  });

  it('verdicts with thresholds: a pre-period misfit eight times the effect fails; Ljung–Box in plain words', () => {
    const doc = { ...load('gsynth'), estimate: { ...load('gsynth').estimate!, att: -23 } } as ResultDocument;
    const misfit = diagnosticVerdict({ code: 'PRE_FIT', passed: null, value: 190, message: 'rmse' }, doc);
    expect(misfit.verdict).toBe('fails');
    expect(misfit.text).toContain('8.26 × the size of the effect');
    expect(misfit.threshold).toContain('fails above');
    expect(diagnosticVerdict({ code: 'PRE_FIT', passed: null, value: 0.4 * 23, message: '' }, doc).verdict).toBe('good');
    expect(diagnosticVerdict({ code: 'PRE_FIT', passed: null, value: 0.8 * 23, message: '' }, doc).verdict).toBe('doubtful');
    const lb = diagnosticVerdict({ code: 'LJUNG_BOX_12', passed: false, value: 0.0011, message: 'Ljung–Box Q(12) = 30.882 on 11 df' }, doc);
    expect(lb.verdict).toBe('fails');
    expect(lb.text).not.toMatch(/Ljung|Q\(12\)/);
    expect(lb.text).toContain('intervals may be too narrow');
    expect(diagnosticVerdict({ code: 'PRE_TRENDS', passed: true, value: 0.07, message: '' }, doc).verdict).toBe('doubtful');
    // failures first, then caveats in plain words with the failed checks
    const its = load('its');
    const bad = { ...its, diagnostics: [...its.diagnostics, { code: 'LJUNG_BOX_24', passed: false, value: 0.002, message: 'x' }] } as ResultDocument;
    expect(diagnosticVerdicts(bad)[0]!.verdict).toBe('fails');
    expect(caveats(bad)[0]!.severity).toBe('fails');
  });

  it('the headline says the direction, the relative size and whether the interval excludes zero', () => {
    expect(headlineSentence(load('gsynth'))).toMatch(/^4\.\d% lower than without the programme \(the counterfactual\); the interval excludes zero \(no change\)\.$/);
    const its = load('its');
    expect(headlineSentence(its)).toContain('the interval includes no effect');
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.warn('tests/cli/meaning.test.ts: util-linux `script` not found, pseudo-terminal tests skipped');

/** The first screen of the real binary on a pseudo-terminal (progress lines removed). */
function pty(args: readonly string[]): { code: number; out: string } {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync('script', ['-qec', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
  // what the terminal finally shows on each line: the text after the last erase ("\r\x1b[K") of a progress line
  const out = r.stdout
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.split('\r\x1b[K').pop()!)
    .join('\n');
  return { code: r.status ?? -1, out };
}

describe.skipIf(!hasScript || !existsSync(BIN))('first screens on a pseudo-terminal: the relative effect and the verdict words', () => {
  const dir = tempDir();
  const verdict = /\n {2}(good|doubtful|fails): /;

  it('scm (synth): relative effect, verdicts, the next commands, no glyphs', () => {
    const t = pty(['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'synth']);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toMatch(/relative effect +−\d+\.\d% of the counterfactual/);
    expect(t.out).toMatch(/in short +\d+\.\d% lower than without the programme/);
    expect(t.out).toMatch(/\n {2}(good|doubtful|fails|note): /);
    expect(t.out).toContain('vru-eval robustness');
    expect(t.out).toContain('vru-eval power police_monthly.csv --outcome violence_rate --method synth');
    expect(t.out).not.toMatch(/[✓✗·]/);
  });

  it('scm (gsynth, the default): relative effect, offences avoided, verdicts with thresholds', () => {
    const t = pty(['scm', FIXTURE, '--outcome', 'violence_rate', '--population', 'population']);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toMatch(/relative effect +−\d+\.\d% of the counterfactual/);
    expect(t.out).toMatch(/offences avoided +[\d,]+ \(95% CI/);
    expect(t.out).toMatch(/good: fit before the programme: .*\n.*\[PRE_FIT; good up to 0\.5 × the effect/);
  });

  it('scm (sdid): relative effect and verdicts', () => {
    const t = pty(['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'sdid']);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toMatch(/relative effect +−\d+\.\d% of the counterfactual/);
    expect(t.out).toMatch(verdict);
  });

  it('scm (micro): relative effect, a null result states what it could not rule out, verdicts', () => {
    const t = pty(['scm', FIXTURE, '--outcome', 'offences', '--method', 'micro']);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toMatch(/relative effect +−\d+\.\d% of the counterfactual/);
    const flat = t.out.replace(/\s+/g, ' ');
    expect(flat).toMatch(/the interval includes no effect/);
    expect(flat).toMatch(/not ruled out effects smaller than [\d.,]+ \([\d.]+% of the pre-period mean\)/);
    expect(t.out).toMatch(/good: exact balance/);
  });

  it('compare, plot, report, describe and pretrends: what was done, in words', () => {
    const cmp = pty(['compare', join(RESULTS, 'gsynth.json'), join(RESULTS, 'synth.json')]);
    expect(cmp.code, cmp.out).toBe(0);
    expect(cmp.out).toMatch(/good: every pair of intervals overlaps/);
    const plot = pty(['plot', join(RESULTS, 'gsynth.json'), '--out', join(dir, 'g.svg')]);
    expect(plot.code, plot.out).toBe(0);
    expect(plot.out).toMatch(/drew the observed chart of .*gsynth\.json \(scm gsynth\)/);
    const rep = pty(['report', join(RESULTS, 'gsynth.json'), '--out', join(dir, 'r.html')]);
    expect(rep.code, rep.out).toBe(0);
    expect(rep.out).toMatch(/vru-eval report: 1 analysis in one page/);
    const des = pty(['describe', FIXTURE, '--outcome', 'offences', '--baseline', '2018']);
    expect(des.code, des.out).toBe(0);
    expect(des.out).toMatch(/descriptive: no counterfactual/);
    expect(des.out).toMatch(/change +[+−][\d,]+ \([+−]\d+\.\d%\)/);
    const pre = pty(['pretrends', FIXTURE, '--outcome', 'violence_rate', '--method', 'twfe', '--placebo-holdout', '6']);
    expect(pre.code, pre.out).toBe(0);
    expect(pre.out).toMatch(/(good|doubtful|fails): placebo hold-out/);
  });

  it('its: title without a repeated method, relative effect, Ljung–Box and Durbin–Watson as verdicts', () => {
    // --errors ols: the plain segmented regression, whose residual checks fail on the fixture (the default, auto, passes them)
    const t = pty(['its', FIXTURE, '--outcome', 'violence_rate', '--errors', 'ols', '--out', join(dir, 'its.json')]);
    expect(t.code, t.out).toBe(0);
    expect(t.out.trimStart().startsWith('vru-eval its: seed')).toBe(true);
    expect(t.out).not.toContain('its: its');
    expect(t.out).toMatch(/relative effect +−2\.\d% of the counterfactual/);
    expect(t.out).toMatch(/fails: leftover pattern in the month-to-month noise/);
    expect(t.out).toMatch(verdict);
    expect(t.out).toContain(`vru-eval report ${join(dir, 'its.json')} --out report.html`);
  });

  it('did: relative effect and the pre-trend verdict', () => {
    const t = pty(['did', FIXTURE, '--outcome', 'violence_rate', '--event-window=-12:12']);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toMatch(/relative effect +−\d+\.\d% of the counterfactual/);
    expect(t.out).toMatch(/good: trends before the programme: no evidence/);
  });

  it('robustness: the relative effect from the main analysis, verdicts on the checks', () => {
    const t = pty(['robustness', join(dir, 'its.json'), '--in-time-placebo', '2018-04', '--data', FIXTURE]);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toMatch(/relative effect +−2\.\d% of the counterfactual/);
    expect(t.out).toMatch(/good: 1 in-time placebo/);
  });

  it('cba: one title word, the ratio', () => {
    const t = pty(['cba', '--spec', join(ROOT, 'examples', 'home-office-vru-2022.json')]);
    expect(t.code, t.out).toBe(0);
    expect(t.out.trimStart().split('\n')[0]).not.toMatch(/cba cba|cba: cba/);
    expect(t.out).toContain('benefit-cost ratio');
  });

  it('--format markdown has no terminal glyphs and the same words', () => {
    const r = runCli(['its', FIXTURE, '--outcome', 'violence_rate', '--errors', 'ols', '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### vru-eval its: seed/);
    expect(r.stdout).toMatch(/\| relative effect \| −2\.\d% of the counterfactual/);
    expect(r.stdout).toMatch(/- fails: /);
    expect(r.stdout).not.toMatch(/[✓✗·]/);
  });

  it('inspect: sentences with what was read and kept, treated and control units', () => {
    const t = pty(['inspect', FIXTURE, '--outcome', 'violence_rate']);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toContain('Read police_monthly.csv: 3,960 rows, 60 units × 66 monthly periods (2015-04 to 2020-09)');
    expect(t.out).toContain('Kept every row');
    expect(t.out).toContain('12 treated units and 48 control units, all treated from 2019-04.');
    expect(t.out).not.toContain('input sha256');
  });

  it.skipIf(!hasShared)('panel police-uk: records read and used, treated and control areas', () => {
    const out = join(dir, 'col.csv');
    const t = pty(['panel', 'police-uk', join(SHARED, 'policeuk-real', 'police-uk', 'city-of-london-2016-2017'), '--out', out, '--treated-areas', 'E01000001,E01000002', '--start', '2017-01', '--from', '2016-05', '--to', '2017-02']);
    expect(t.code, t.out).toBe(0);
    const flat = t.out.replace(/\s+/g, ' ');
    expect(flat).toMatch(/Read 5,700 police\.uk records for 2016-05 to 2017-02 \(10 months\); used 5,484, left out 216: 0 duplicates, 216 without a location/);
    // the City's 6 LSOAs: the 16 Metropolitan LSOAs seen only through cross-border records are left out and named (issue 20)
    expect(flat).toContain('Areas (lsoa): 22 found, 6 kept. 2 treated areas (2 from 2017-01) and 4 control areas.');
    expect(flat).toContain('OTHER_FORCE_AREAS');
  });

  it('run: ends with the estimates (relative effect, worst check) and the benefit-cost ratio', () => {
    const out = join(dir, 'run');
    const t = pty(['run', join(ROOT, 'examples', 'home-office', 'plan.yaml'), '--out', out, '--only', 'cba_violence', '--threads', '1']);
    expect(t.code, t.out).toBe(0);
    const est = t.out.indexOf('estimates (average effect');
    expect(est).toBeGreaterThan(0);
    expect(t.out.slice(est)).toMatch(/gsynth_violence +scm gsynth +violence_rate \(per 100,000\) +−4\.00 \(−4\.\d\d to −3\.\d\d\) +−4\.\d% +6,814 avoided +(good|doubtful|fails) /);
    expect(t.out).toMatch(/cba_violence: benefit-cost ratio 0\.54 \(range 0\.42 to 0\.62\): the costs exceed the benefits/);
  });
});
