/**
 * The fixture numbers quoted in docs/intervals.md are what the commands print today (the Monte
 * Carlo figures there are checked by the range assertions of tests/its/drift.test.ts under VRU_SLOW=1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, ROOT, runCli } from '../helpers.js';

const DOC = readFileSync(join(ROOT, 'docs', 'intervals.md'), 'utf8');
const int = (x: number) => Math.round(x).toLocaleString('en-GB');

describe('docs/intervals.md numbers', () => {
  it.each(['sdid', 'ascm'])('%s offences avoided and interval on the fixture', (method) => {
    const d = runCli(['scm', FIXTURE, '--method', method, '--outcome', 'violence_rate', '--population', 'population']).json();
    const row = `| ${int(d.counts.offencesAvoided)} | ${int(d.counts.ci[0])} to ${int(d.counts.ci[1])} |`;
    expect(DOC, row).toContain(row);
  });
  it('did pre-trend p-values on the fixture', () => {
    const twfe = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--event-window', '-12:12']).json();
    const p = twfe.diagnostics.find((x: any) => x.code === 'PRE_TRENDS').value;
    expect(DOC).toContain(`On the fixture: p = ${p.toFixed(2)}, passes.`);
  });
  it('ITS Durbin–Watson on the fixture: OLS errors, and the default (auto)', () => {
    const ols = runCli(['its', FIXTURE, '--outcome', 'violence_rate', '--errors', 'ols']).json();
    const dwOls = ols.diagnostics.find((x: any) => x.code === 'DURBIN_WATSON').value;
    expect(DOC).toContain(`fails all three (Durbin–Watson ${dwOls.toFixed(2)})`);
    const auto = runCli(['its', FIXTURE, '--outcome', 'violence_rate']).json();
    expect(auto.options.errors).toBe('auto');
    expect(auto.options.errorsChosen).toBe('ar:2');
    const dw = auto.diagnostics.find((x: any) => x.code === 'DURBIN_WATSON').value;
    expect(DOC).toContain(`chooses AR(2) errors there and passes them (Durbin–Watson ${dw.toFixed(2)})`);
    expect(auto.warnings.map((w: any) => w.code)).not.toContain('RESIDUAL_AUTOCORRELATION');
  });
});
