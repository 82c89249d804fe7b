/**
 * Null results carry their MDE: in the document (estimate.mde), the terminal summary and the report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nullResultMde } from '../../src/core/nullMde.js';
import type { Analysis } from '../../src/core/result.js';
import { FIXTURE, expectClose, expectValidDocument, runCli, tempDir } from '../helpers.js';

const analysis = (ci: [number, number] | null, se: number | null): Analysis => ({
  method: 'x', options: { seed: 1 }, estimate: { att: 1, se, ci, level: 0.95, pValue: 0.3, inference: 'test', cumulative: null },
  path: [{ period: '1', observed: 50, counterfactual: 50, effect: 0, ci: null, cumulative: null, cumulativeCi: null }, { period: '2', observed: 52, counterfactual: 50, effect: 2, ci: null, cumulative: 2, cumulativeCi: null }],
  units: [], diagnostics: [], warnings: [],
});

describe('the MDE of a null result', () => {
  it('(z_{0.975} + z_{0.8})·SE, SE from the estimate or the interval width', () => {
    const a = nullResultMde(analysis([-1, 3], 1))!;
    expectClose(a.value, 1.959964 + 0.841621, { atol: 1e-5 }, 'from se');
    expectClose(a.percentOfMean, (100 * a.value) / 50, { rtol: 1e-12 }, '% of the pre-period mean (path before the first post period)');
    const b = nullResultMde(analysis([-1, 3], null))!;
    expectClose(b.value, ((1.959964 + 0.841621) * 4) / (2 * 1.959964), { atol: 1e-5 }, 'from width');
    expect(nullResultMde(analysis([0.5, 3], 1))).toBeNull(); // interval excludes 0: not a null result
    expect(nullResultMde(analysis(null, 1))).toBeNull();
  });

  it('did on a placebo outcome: estimate.mde in the document, the summary and the report', () => {
    const r = runCli(['did', FIXTURE, '--outcome', 'stop_search', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.estimate.ci[0]).toBeLessThan(0);
    expect(d.estimate.ci[1]).toBeGreaterThan(0);
    expectClose(d.estimate.mde.value, (1.959964 + 0.841621) * d.estimate.se, { rtol: 1e-5 }, 'mde');
    const s = runCli(['did', FIXTURE, '--outcome', 'stop_search', '--format', 'table']);
    expect(s.stdout).toMatch(/not ruled out\s+effects smaller than 0\.224/);
    const dir = tempDir();
    const doc = join(dir, 'd.json');
    const html = join(dir, 'r.html');
    expect(runCli(['did', FIXTURE, '--outcome', 'stop_search', '--out', doc, '--json']).code).toBe(0);
    const rep = runCli(['report', doc, '--out', html, '--json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/could reliably detect \(80% power\) only effects of about 0\.22/);
    // a significant result carries none
    const sig = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--json']).json();
    expect(sig.estimate.mde).toBeUndefined();
  }, 60_000);
});
