/**
 * The worked examples of docs/ (moved there from the README, issue 23) are what the commands print
 * today, with the current defaults: each check runs the command the page shows (in process, same
 * parsing as the binary), rounds the document's numbers as the page does, and finds the sentence in
 * the page. A change of defaults or of an estimator that moves a quoted number fails here until the
 * page is updated.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
import { FIXTURE, ROOT, tempDir } from '../helpers.js';
import { coef, doc, expectIn, f, int } from './run.js';

const GSYNTH = 'docs/methods/gsynth.md';
const SYNTH = 'docs/methods/synth.md';
const ITS = 'docs/methods/its.md';
const TWFE = 'docs/methods/twfe.md';
const CS = 'docs/methods/cs.md';
const WORKED = 'docs/worked-example.md';

describe('docs/ worked examples match the commands', () => {
  it('scm --method gsynth (defaults): gsynth page, the worked example and the terminal summary on the commands page', async () => {
    // one run: the document to a file, the terminal summary (--format table) to stdout
    const file = join(tempDir(), 'vwoi.json');
    let out = '';
    const code = await main(['node', 'vru-eval', 'scm', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--out', file, '--format', 'table'], { stdout: (x) => void (out += x), stderr: () => undefined, stderrIsTTY: false });
    expect(code).toBe(0);
    const d = JSON.parse(readFileSync(file, 'utf8'));
    const live = out.replace(/\s+/g, ' ');
    const text = readFileSync(join(ROOT, 'docs', 'commands', 'README.md'), 'utf8');
    const start = text.indexOf('vru-eval scm: gsynth, seed');
    const shown = text
      .slice(start, text.indexOf('```', start))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.split('…')[0]!.trim().replace(/^wrote vwoi\.json/, `wrote ${file}`));
    expect(shown.length).toBeGreaterThan(10);
    for (const l of shown) expect(live.includes(l.replace(/\s+/g, ' ')), `docs/commands/README.md summary line not in the output: ${l}\n${out}`).toBe(true);
    const e = d.estimate;
    expectIn(WORKED, `average effect of ${f(e.att)} (95% CI ${f(e.ci[0])} to ${f(e.ci[1])}) and ${int(d.counts.offencesAvoided)} offences avoided (95% CI ${int(d.counts.ci[0])} to ${int(d.counts.ci[1])})`);
    expectIn(GSYNTH, `chooses r = ${d.options.factors} by cross-validation`);
    expectIn(GSYNTH, `\`estimate.att\` ${f(e.att)}, SE ${f(e.se)}, 95% CI [${f(e.ci[0])}, ${f(e.ci[1])}]`);
    expectIn(GSYNTH, `cumulative effect ${f(e.cumulative.value, 1)} per 100,000 over the 18 post months`);
    expectIn(GSYNTH, `\`counts.offencesAvoided\` ${int(d.counts.offencesAvoided)} (CI ${int(d.counts.ci[0])} … ${int(d.counts.ci[1])})`);
  });

  it('scm --method synth --inference conformal: synth page and the worked example', async () => {
    const d = await doc(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--inference', 'conformal']);
    const e = d.estimate;
    expectIn(WORKED, `gives ${f(e.att)} (${f(e.ci[0])} to ${f(e.ci[1])})`);
    expectIn(SYNTH, `gives \`estimate.att\` ${f(e.att)} with conformal 95% CI [${f(e.ci[0])}, ${f(e.ci[1])}], the cumulative effect ${f(e.cumulative.value, 1)} over 18 months with CI [${f(e.cumulative.ci[0], 1)}, ${f(e.cumulative.ci[1], 1)}]`);
  });

  it('its: the Home Office specification with the default --arma-method reml', async () => {
    const args = ['its', FIXTURE, '--outcome', 'violence_rate', '--interruption', '2019-04', '--interruption', '2019-09', '--dummy', '2020-04:2020-05', '--seasonality', 'month', '--errors', 'arma:1,1'];
    const d = await doc(args);
    expect(d.options.armaMethod ?? d.details?.arma?.method ?? 'reml').toBe('reml');
    const l1 = coef(d, 'level:2019-04');
    expectIn(ITS, `\`level:2019-04\` ${f(l1.estimate)} (95% CI ${f(l1.ci[0])} to ${f(l1.ci[1])}), \`slope:2019-04\` ${f(coef(d, 'slope:2019-04').estimate)}, \`level:2019-09\` ${f(coef(d, 'level:2019-09').estimate)}`);
    expectIn(ITS, `\`slope:2019-09\` ${f(coef(d, 'slope:2019-09').estimate)}, \`dummy:2020-04:2020-05\` ${f(coef(d, 'dummy:2020-04:2020-05').estimate)}, \`ar:1\` ${f(coef(d, 'ar:1').estimate)} (SE ${f(coef(d, 'ar:1').se)}), \`ma:1\` ${f(coef(d, 'ma:1').estimate)} (SE ${f(coef(d, 'ma:1').se)})`);
    const e = d.estimate;
    expectIn(ITS, `average post-period effect of ${f(e.att)} per 100,000 per month (95% CI ${f(e.ci[0])} to ${f(e.ci[1])}; cumulative ${f(e.cumulative.value, 1)}, CI ${f(e.cumulative.ci[0], 1)} to ${f(e.cumulative.ci[1], 1)})`);
    const ml = await doc([...args, '--arma-method', 'ml']);
    expectIn(ITS, `\`--arma-method ml\` gives \`ar:1\` ${f(coef(ml, 'ar:1').estimate)} (SE ${f(coef(ml, 'ar:1').se)}) and an average effect of ${f(ml.estimate.att)} (95% CI ${f(ml.estimate.ci[0])} to ${f(ml.estimate.ci[1])})`);
  });

  it('did --method twfe with the wild bootstrap (twfe page)', async () => {
    const d = await doc(['did', FIXTURE, '--outcome', 'violence_rate', '--event-window', '-12:12', '--wild-bootstrap', '999']);
    const e = d.estimate;
    expectIn(TWFE, `this gives \`estimate.att\` ${f(e.att)} (CR1 SE ${f(e.se)} with 60 area clusters; wild bootstrap p = ${f(e.pValue, 3)}, 95% CI by test inversion ${f(e.ci[0])} … ${f(e.ci[1])})`);
    const first = d.eventPath[0];
    const zero = d.eventPath.find((r: any) => r.eventTime === 0);
    expectIn(TWFE, `event-time coefficients from +${f(first.effect)} (binned e ≤ −12) through 0 at the reference −1 to ${f(zero.effect)} at e = 0`);
    const pre = d.diagnostics.find((x: any) => x.code === 'PRE_TRENDS');
    expectIn(TWFE, `\`PRE_TRENDS\` p = ${f(pre.value)}`);
  });

  it('did --method cs (cs page)', async () => {
    const c = await doc(['did', FIXTURE, '--outcome', 'violence_rate', '--method', 'cs']);
    expectIn(CS, `simple aggregate ${f(c.aggregations.simple.att)} (SE ${f(c.aggregations.simple.se)})`);
    const pre = c.diagnostics.find((x: any) => x.code === 'PRE_TRENDS');
    expect(pre.value, 'the cs page says PRE_TRENDS rejects (p ≈ 0)').toBeLessThan(0.005);
    expectIn(CS, '`PRE_TRENDS` rejects (p ≈ 0)');
  });

  it('cba: the Home Office table on the cba page is what --format table prints', async () => {
    let out = '';
    const code = await main(['node', 'vru-eval', 'cba', '--spec', join(ROOT, 'examples', 'home-office-vru-2022.json'), '--format', 'table'], { stdout: (x) => void (out += x), stderr: () => undefined, stderrIsTTY: false });
    expect(code).toBe(0);
    const text = readFileSync(join(ROOT, 'docs', 'methods', 'cba.md'), 'utf8');
    const start = text.indexOf('```\n                              estimate');
    expect(start, 'docs/methods/cba.md: the table block').toBeGreaterThan(0);
    const block = text.slice(start + 4, text.indexOf('\n```', start + 4));
    expect(block.split('\n').length).toBeGreaterThan(10);
    expect(out.includes(block), `docs/methods/cba.md table differs from the command's:\n${out}`).toBe(true);
  });

  it('robustness: the numbers on the robustness page are those of the committed plan results', () => {
    // examples/home-office/results/ is what `vru-eval run examples/home-office/plan.yaml` writes (its --check test keeps it current)
    const r = JSON.parse(readFileSync(join(ROOT, 'examples', 'home-office', 'results', 'robust_violence.json'), 'utf8'));
    const v = (re: RegExp) => r.variants.filter((x: any) => re.test(x.label));
    const placebos = v(/^fake start/);
    const loo = v(/^without (donor|treated) /);
    const [lo, hi] = r.estimate.ci as [number, number];
    expect(placebos.every((x: any) => x.coversZero)).toBe(true);
    expect(loo.every((x: any) => x.att >= lo && x.att <= hi)).toBe(true);
    const largest = Math.max(...loo.map((x: any) => Math.abs(x.difference)));
    const excl = v(/^2020-04:2020-06 left out/)[0];
    const placeboOutcome = v(/^outcome stop_search/)[0];
    expect(placeboOutcome.coversZero).toBe(true);
    const later = v(/^start 2019-09/)[0];
    expect(later.att < lo || later.att > hi).toBe(true);
    expectIn('docs/commands/robustness.md', `in-time placebos ${f(placebos[0].att)} and ${f(placebos[1].att)} per 100,000 (true effect 0), both intervals covering zero; all ${loo.length} leave-one-out estimates in the main interval (${f(lo)}, ${f(hi)}), largest change ${f(largest)}; leaving 2020-04:2020-06 out moves the estimate by ${f(Math.abs(excl.difference), 3)} (SE ${f(r.estimate.se)}); the placebo outcome stop_search gets ${f(placeboOutcome.att)} with an interval covering zero; the later start 2019-09 gives ${f(later.att)}, outside the interval`);
  });

});
