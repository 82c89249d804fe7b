/**
 * The README's numbers are what the commands print today, with the current defaults: each check
 * runs the command the README shows (in process, same parsing as the binary), rounds the document's
 * numbers as the README does, and finds the sentence in README.md. A change of defaults or of an
 * estimator that moves a quoted number fails here until the README is regenerated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { FIXTURE, ROOT } from './helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');

async function doc(args: string[]): Promise<any> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), stderrIsTTY: false });
  expect(code, err).toBe(0);
  return JSON.parse(out);
}

/** Fixed decimals with a true minus sign, as the README writes numbers. */
const f = (x: number, d = 2): string => x.toFixed(d).replace(/^-/, '\u2212');
const int = (x: number): string => Math.round(x).toLocaleString('en-GB');
const coef = (d: any, term: string) => d.coefficients.find((c: any) => c.term === term);

function expectInReadme(s: string): void {
  expect(README.includes(s), `README.md should say: ${s}`).toBe(true);
}

describe('README numbers match the commands', () => {
  it('worked example and scm --method gsynth (defaults)', async () => {
    const d = await doc(['scm', FIXTURE, '--outcome', 'violence_rate', '--population', 'population']);
    const e = d.estimate;
    expectInReadme(`average effect of ${f(e.att)} (95% CI ${f(e.ci[0])} to ${f(e.ci[1])}) and ${int(d.counts.offencesAvoided)} offences avoided (95% CI ${int(d.counts.ci[0])} to ${int(d.counts.ci[1])})`);
    expectInReadme(`chooses r = ${d.options.factors} by cross-validation`);
    expectInReadme(`\`estimate.att\` ${f(e.att)}, SE ${f(e.se)}, 95% CI [${f(e.ci[0])}, ${f(e.ci[1])}]`);
    expectInReadme(`cumulative effect ${f(e.cumulative.value, 1)} per 100,000 over the 18 post months`);
    expectInReadme(`\`counts.offencesAvoided\` ${int(d.counts.offencesAvoided)} (CI ${int(d.counts.ci[0])} … ${int(d.counts.ci[1])})`);
  });

  it('scm --method synth --inference conformal', async () => {
    const d = await doc(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--inference', 'conformal']);
    const e = d.estimate;
    expectInReadme(`gives ${f(e.att)} (${f(e.ci[0])} to ${f(e.ci[1])})`);
    expectInReadme(`gives \`estimate.att\` ${f(e.att)} with conformal 95% CI [${f(e.ci[0])}, ${f(e.ci[1])}], the cumulative effect ${f(e.cumulative.value, 1)} over 18 months with CI [${f(e.cumulative.ci[0], 1)}, ${f(e.cumulative.ci[1], 1)}]`);
  });

  it('its: the Home Office specification with the default --arma-method reml', async () => {
    const d = await doc(['its', FIXTURE, '--outcome', 'violence_rate', '--interruption', '2019-04', '--interruption', '2019-09', '--dummy', '2020-04:2020-05', '--seasonality', 'month', '--errors', 'arma:1,1']);
    expect(d.options.armaMethod ?? d.details?.arma?.method ?? 'reml').toBe('reml');
    const l1 = coef(d, 'level:2019-04');
    expectInReadme(`\`level:2019-04\` ${f(l1.estimate)} (95% CI ${f(l1.ci[0])} to ${f(l1.ci[1])}), \`slope:2019-04\` ${f(coef(d, 'slope:2019-04').estimate)}, \`level:2019-09\` ${f(coef(d, 'level:2019-09').estimate)}`);
    expectInReadme(`\`slope:2019-09\` ${f(coef(d, 'slope:2019-09').estimate)}, \`dummy:2020-04:2020-05\` ${f(coef(d, 'dummy:2020-04:2020-05').estimate)}, \`ar:1\` ${f(coef(d, 'ar:1').estimate)} (SE ${f(coef(d, 'ar:1').se)}), \`ma:1\` ${f(coef(d, 'ma:1').estimate)} (SE ${f(coef(d, 'ma:1').se)})`);
    const e = d.estimate;
    expectInReadme(`average post-period effect of ${f(e.att)} per 100,000 per month (95% CI ${f(e.ci[0])} to ${f(e.ci[1])}; cumulative ${f(e.cumulative.value, 1)}, CI ${f(e.cumulative.ci[0], 1)} to ${f(e.cumulative.ci[1], 1)})`);
    const ml = await doc(['its', FIXTURE, '--outcome', 'violence_rate', '--interruption', '2019-04', '--interruption', '2019-09', '--dummy', '2020-04:2020-05', '--seasonality', 'month', '--errors', 'arma:1,1', '--arma-method', 'ml']);
    expectInReadme(`\`--arma-method ml\` gives \`ar:1\` ${f(coef(ml, 'ar:1').estimate)} (SE ${f(coef(ml, 'ar:1').se)}) and an average effect of ${f(ml.estimate.att)} (95% CI ${f(ml.estimate.ci[0])} to ${f(ml.estimate.ci[1])})`);
  });

  it('did --method twfe with the wild bootstrap, and --method cs', async () => {
    const d = await doc(['did', FIXTURE, '--outcome', 'violence_rate', '--event-window', '-12:12', '--wild-bootstrap', '999']);
    const e = d.estimate;
    expectInReadme(`the first gives \`estimate.att\` ${f(e.att)} (CR1 SE ${f(e.se)} with 60 area clusters; wild bootstrap p = ${f(e.pValue, 3)}, 95% CI by test inversion ${f(e.ci[0])} … ${f(e.ci[1])})`);
    const first = d.eventPath[0];
    const zero = d.eventPath.find((r: any) => r.eventTime === 0);
    expectInReadme(`event-time coefficients from +${f(first.effect)} (binned e ≤ −12) through 0 at the reference −1 to ${f(zero.effect)} at e = 0`);
    const pre = d.diagnostics.find((x: any) => x.code === 'PRE_TRENDS');
    expectInReadme(`\`PRE_TRENDS\` p = ${f(pre.value)}`);
    const c = await doc(['did', FIXTURE, '--outcome', 'violence_rate', '--method', 'cs']);
    expectInReadme(`simple aggregate ${f(c.aggregations.simple.att)} (SE ${f(c.aggregations.simple.se)})`);
  });
});
