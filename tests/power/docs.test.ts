/** The numbers of docs/power.md's worked example, from the commands it shows. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, ROOT, runCli } from '../helpers.js';

const page = readFileSync(join(ROOT, 'docs', 'power.md'), 'utf8');
const has = (s: string) => expect(page, `docs/power.md should say ${s}`).toContain(s);

describe('docs/power.md worked example', () => {
  it('power --method twfe on the fixture', () => {
    const r = runCli(['power', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--method', 'twfe', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = r.json().power;
    has(`**MDE is ${p.mde.value.toFixed(2)} per 100,000 per month**`);
    has(`(Monte\nCarlo SE ${p.mde.mcSe.toFixed(2)})`);
    has(`**${p.mde.percentOfMean.toFixed(1)}% of the treated pre-period mean**`);
    has(`**about ${Math.round(p.mde.offencesOverPost).toLocaleString('en-GB')} offences**`);
    has(`rejected in ${(100 * p.size.value).toFixed(1)}% of the placebo designs`);
    has(`Burlig, Preonas & Woerman is **${p.analytic.bpw.mde.toFixed(2)}**`);
    has(`gives **${p.analytic.bloom.mde.toFixed(2)}**`);
    expect(p.sims).toBe(200);
    expect(p.design.post).toBe(18);
  }, 120_000);

  it('the null-result MDE of the stop-and-search DiD', () => {
    const d = runCli(['did', FIXTURE, '--outcome', 'stop_search', '--json']).json();
    has(`**MDE of ${d.estimate.mde.value.toFixed(3)}**`);
  }, 60_000);
});
