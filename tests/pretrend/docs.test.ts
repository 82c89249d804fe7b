/** docs/commands/pretrends.md: the worked example's numbers are what the CLI computes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, ROOT, runCli } from '../helpers.js';

const DOC = readFileSync(join(ROOT, 'docs', 'commands', 'pretrends.md'), 'utf8').replace(/\s+/g, ' ');
const fx = (x: number, d: number) => (x < 0 ? '−' : '') + Math.abs(x).toFixed(d);

function expectInDoc(text: string, what: string): void {
  if (!DOC.includes(text)) expect.fail(`docs/commands/pretrends.md should show ${what} as '${text}'`);
}

describe('docs/commands/pretrends.md worked example (fixture, gsynth)', () => {
  it('placebo effect, joint test, equivalence, slope not ruled out and Roth γ80 as written', () => {
    const r = runCli(['pretrends', FIXTURE, '--outcome', 'violence_rate', '--method', 'gsynth', '--factors', '2', '--reps', '200', '--placebo-holdout', '6', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = r.json().pretrends;
    expectInDoc(`pseudo start is ${p.placebo.pseudoStart}`, 'the pseudo start');
    expectInDoc(`${p.periods[0]} to ${p.periods[5]}`, 'the held-out months');
    expectInDoc(`placebo effect is ${fx(p.placebo.att, 3)} (95% CI ${fx(p.placebo.ci[0], 3)} to ${fx(p.placebo.ci[1], 3)})`, 'the placebo effect');
    expectInDoc(`G = ${p.hotellingG} and F(${p.wald.df}, ${p.hotellingG - p.wald.df})`, 'the F form');
    expectInDoc(`W = ${p.wald.statistic.toFixed(2)}, p = ${p.wald.pValue.toFixed(3)}`, 'the Wald statistic');
    expectInDoc(`within ±${p.equivalence.bound.toFixed(2)}`, 'the bound');
    expectInDoc(`(p = ${p.equivalence.pValue.toFixed(3)})`, 'the TOST p-value');
    expectInDoc(`cannot rule out a trend of ${p.trend.notRuledOut.toFixed(3)} per month`, 'the slope not ruled out');
    expectInDoc(`linear trend of ${p.power.slope80.toFixed(3)} per month 80% of the time`, 'Roth γ80');
    expect(p.replicates).toBe(200);
  }, 120_000);
});
