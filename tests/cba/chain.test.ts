/**
 * Chaining through the binary: `vru-eval scm <fixture> --population population --out vwoi.json`
 * then `vru-eval cba --from vwoi.json …`.
 *
 * What this expects of the scm document (the contract cba reads, see README "vru-eval cba"):
 *   - it validates against the schema;
 *   - `counts.offencesAvoided` = { value, ci: [lo, hi] } (or a number with `counts.ci`): offences
 *     avoided, POSITIVE when offences fell, i.e. −(effect) in counts, lo < hi;
 *   - `estimate.cumulative.value` has the opposite sign (cba rejects same-sign documents);
 *   - `estimate.level` is the level of the interval.
 * The fixture's true effect is −4 per 100,000 per month in 12 areas for 18 months, i.e.
 * Σ over treated unit-months of 4 × population / 100,000 = 6,895.4 offences avoided.
 *
 * Until an scm method is registered (it is built on other branches), `vru-eval scm` exits with
 * UNKNOWN_METHOD and the real chain is skipped; any other failure fails the test. The `--from`
 * path itself is tested on schema-valid documents in inputs.test.ts and below.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDocument } from '../../src/core/result.js';
import { FIXTURE, ROOT, expectClose, expectValidDocument, runCli, tempDir } from '../helpers.js';

/** True offences avoided on the fixture, from its truth file and population column. */
function fixtureTruth(): number {
  const truth = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'police_monthly.truth.json'), 'utf8')) as { treatedUnits: string[]; pathEffect: (number | null)[] };
  const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const [iu, ip, ipop] = ['unit', 'period', 'population'].map((c) => header.indexOf(c)) as [number, number, number];
  const rows = lines.slice(1).map((l) => l.split(','));
  const periods = [...new Set(rows.map((r) => r[ip]!))].sort();
  const treated = new Set(truth.treatedUnits);
  let s = 0;
  for (const r of rows) {
    const e = truth.pathEffect[periods.indexOf(r[ip]!)];
    if (treated.has(r[iu]!) && e !== null && e !== undefined) s += (-e * Number(r[ipop])) / 1e5;
  }
  return s;
}

const CBA_ARGS = ['--multiplier', '1.5', '--cost-table', 'heeks2018', '--outcome-type', 'violence-without-injury', '--costs', '1000000'];

describe('scm → cba chain', () => {
  it('the fixture truth is 6,895 offences avoided', () => {
    expectClose(fixtureTruth(), 6895.43672, { rtol: 1e-9 }, 'true offences avoided');
  });

  it('runs end to end through the binary when vru-eval scm produces a document', (ctx) => {
    const dir = tempDir();
    const vwoi = join(dir, 'vwoi.json');
    const scm = runCli(['scm', FIXTURE, '--outcome', 'violence_rate', '--population', 'population', '--out', vwoi]);
    if (scm.code !== 0 && scm.error().code === 'UNKNOWN_METHOD') {
      ctx.skip('no scm method is registered on this branch yet (gsynth/synth are merged later)');
      return;
    }
    expect(scm.code, scm.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(vwoi, 'utf8'));
    expectValidDocument(doc);
    expect(doc.counts?.offencesAvoided, 'the scm document must carry counts.offencesAvoided when --population is given').toBeDefined();

    const cba = runCli(['cba', '--from', vwoi, ...CBA_ARGS]);
    expect(cba.code, cba.stderr).toBe(0);
    const out = cba.json();
    expectValidDocument(out);
    const oa = doc.counts.offencesAvoided;
    const value = typeof oa === 'number' ? oa : oa.value;
    const ci = typeof oa === 'number' ? doc.counts.ci : oa.ci;
    const o = out.outcomes[0];
    expect(o.source.field).toBe('counts.offencesAvoided');
    expect(o.offencesAvoided).toBe(value);
    expect(o.ci).toEqual(ci);
    expectClose(o.benefit, value * 1.5 * 5930, { rtol: 1e-15 }, 'benefit = offences avoided × 1.5 × £5,930');
    // A chain sanity check, not the estimator's accuracy test (that belongs to scm's own tests):
    // the estimate is a reduction near the truth. 25%: the fixture's noise moves the cumulative
    // count by a few per cent; a sign or scale error (×100,000, ×18) is far outside it.
    expectClose(o.offencesAvoided, fixtureTruth(), { rtol: 0.25 }, 'offences avoided vs the fixture truth');
    expect(out.input.files[0]).toMatchObject({ file: 'vwoi.json', role: 'result' });
  });

  it('cba --from works through the binary on a schema-valid, full-precision gsynth-style document', () => {
    // Stand-in for the scm output until the chain above runs: the shape and sign of the contract.
    const truth = fixtureTruth();
    const doc = makeDocument(
      'scm',
      { name: 'vru-eval', version: '0.1.0' },
      { file: 'police_monthly.csv', sha256: 'b'.repeat(64), rows: 3960, units: 60, periods: 66, frequency: 'monthly', outcome: 'violence_rate' },
      {
        method: 'gsynth',
        options: { seed: 20190401 },
        estimate: { att: -4.0123456789, se: 0.3, ci: [-4.6, -3.4], level: 0.95, pValue: 0.001, inference: 'bootstrap-parametric', cumulative: { value: -72.22222222, ci: [-82.8, -61.2] } },
        path: [],
        units: [],
        diagnostics: [],
        warnings: [],
        counts: { offencesAvoided: truth, ci: [truth * 0.85, truth * 1.15] },
      },
    );
    expectValidDocument(doc);
    const dir = tempDir();
    const f = join(dir, 'vwoi.json');
    writeFileSync(f, JSON.stringify(doc, null, 2) + '\n');
    const r = runCli(['cba', '--from', f, ...CBA_ARGS, '--format', 'table', '--out', join(dir, 'cba.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('6,895');
    const out = JSON.parse(readFileSync(join(dir, 'cba.json'), 'utf8'));
    expectValidDocument(out);
    expect(out.outcomes[0].offencesAvoided).toBe(truth);
    expect(out.outcomes[0].name).toBe('violence_rate');
    expectClose(out.bcr.estimate, (truth * 1.5 * 5930) / 1e6, { rtol: 1e-15 }, 'ratio');
  });
});
