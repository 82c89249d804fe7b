/**
 * ITS on a real police.uk panel too short to test its error model: City of London LSOAs, police.uk
 * 2016-01 … 2017-06 (../shared/datasets/policeuk-real), two LSOAs "treated" from 2017-01, i.e. 12
 * pre-months and no programme at all. The default ITS used to report a "significant" effect with no
 * warning; it now carries ERROR_MODEL_UNTESTED. The figure that warning quotes (placebo designs
 * from this panel reject 28% of true nulls at 5%) is recomputed here with `power --method its`
 * (200 designs, within 2 MC SE).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, expectValidDocument, hasShared, runCli, tempDir } from '../helpers.js';

const CITY = join(SHARED, 'policeuk-real', 'police-uk', 'city-of-london-2016-2017');
const have = hasShared && existsSync(CITY);

describe.skipIf(!have)('its on a real 18-month police.uk panel (reference data in ../shared)', () => {
  it('warns ERROR_MODEL_UNTESTED, and power shows the size it quotes', () => {
    const panel = join(tempDir(), 'city.csv');
    const b = runCli(['panel', 'police-uk', CITY, '--out', panel]);
    expect(b.code, b.stderr).toBe(0);
    const design = [panel, '--outcome', 'all_crime', '--treated-units', 'E01032739,E01032740', '--start', '2017-01', '--json'];
    const r = runCli(['its', ...design]);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    const w = d.warnings.find((x: { code: string }) => x.code === 'ERROR_MODEL_UNTESTED');
    expect(w?.message).toContain('12 pre-interruption periods');
    expect(w.message).toContain('rejected 28% of true nulls');
    const p = runCli(['power', ...design, '--method', 'its', '--sims', '200']);
    expect(p.code, p.stderr).toBe(0);
    const pw = p.json().power;
    expect(pw.design.pre).toBe(6);
    expect(Math.abs(pw.size.value - 0.28)).toBeLessThanOrEqual(2 * Math.sqrt((0.28 * 0.72) / 200));
  }, 120_000);
});
