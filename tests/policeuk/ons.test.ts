/**
 * The ONS geography shipped with the package (data/ons/geography.tsv.gz): rebuilt byte for
 * byte by the committed script from the ONS files in ../shared; every LSOA's LAD, CSP and force
 * equal to an independent join of the ONS CSVs (East Suffolk and BCP included); vintages from
 * CHGIND; in the npm package; loads fast.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONS_GEOGRAPHY_FILE, onsGeography } from '../../src/policeuk/ons.js';
import { ROOT, hasShared, tempDir } from '../helpers.js';
import { EXACT_LOOKUP, ONS_DIR, REAL, onsTables, rowsOf, slugOfPfa } from './realOracle.js';

const have = hasShared && existsSync(REAL);

describe('the shipped ONS geography', () => {
  it('is in the npm package and loads in well under a second', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.files).toContain('data/ons');
    expect(existsSync(join(ROOT, 'data', 'ons', 'README.md'))).toBe(true);
    const t0 = performance.now();
    const g = onsGeography();
    const ms = performance.now() - t0;
    expect(g.force('E01000001')).toBe('city-of-london');
    // about 0.1 s on a quiet machine; the bound leaves room for a loaded CI runner
    expect(ms).toBeLessThan(3000);
  });

  it.skipIf(!have)('is rebuilt byte for byte by scripts/buildOnsGeography.ts from the ONS files', () => {
    const script = join(ROOT, 'dist', 'scripts', 'buildOnsGeography.js');
    const out = join(tempDir(), 'g.tsv.gz');
    const r = spawnSync(process.execPath, [script, ONS_DIR, out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out).equals(readFileSync(join(ROOT, ONS_GEOGRAPHY_FILE)))).toBe(true);
  });

  it.skipIf(!have)('gives every LSOA (2011 and 2021) the LAD, CSP and force of an independent join of the ONS CSVs', () => {
    const g = onsGeography();
    const t = onsTables();
    let n = 0;
    // a 2021 code made of 2011 LSOAs of different LADs (three irregular ones) may take any parent's
    const exact = rowsOf(readFileSync(EXACT_LOOKUP, 'utf8'));
    const parents = new Map<string, string[]>();
    for (const r of exact) parents.set(r.LSOA21CD!, [...(parents.get(r.LSOA21CD!) ?? []), r.F_LSOA11CD!]);
    let ambiguous = 0;
    for (const [code, csp] of t.csp) {
      const x = g.geo(code)!;
      expect(x, code).toBeDefined();
      const ps = (parents.get(code) ?? [code]).filter((p) => t.lad.has(p));
      const lads = new Set(ps.map((p) => t.lad.get(p)));
      if (lads.size > 1) {
        ambiguous++;
        expect(ps.map((p) => t.csp.get(p))).toContain(x[1]);
        continue;
      }
      expect(x[0], code).toBe(t.lad.get(code));
      expect(x[1], code).toBe(csp);
      expect(g.force(code)).toBe(slugOfPfa(t.pfaName.get(code)!));
      n++;
    }
    expect(n).toBeGreaterThan(35_000);
    expect(ambiguous).toBe(3);
    // East Suffolk (Suffolk Coastal, Waveney) and BCP (Bournemouth, Poole, Dorset for Christchurch)
    const lsoaLad = rowsOf(readFileSync(join(ONS_DIR, 'LSOA11_WD19_LAD19_EW_LU.csv'), 'utf8'));
    const cspName = (c: string) => g.name(c);
    const byPrefix = new Map<string, Set<string>>();
    for (const r of lsoaLad.filter((x) => x.LAD19CD === 'E07000244' || x.LAD19CD === 'E06000058')) {
      const p = r.LSOA11NM!.replace(/ \d{3}[A-Z]$/, '');
      byPrefix.set(p, (byPrefix.get(p) ?? new Set()).add(cspName(g.geo(r.LSOA11CD!)![1])!));
    }
    expect(Object.fromEntries([...byPrefix].map(([k, v]) => [k, [...v]]))).toEqual({ Bournemouth: ['Bournemouth'], Christchurch: ['Dorset'], Poole: ['Poole'], 'Suffolk Coastal': ['Suffolk Coastal'], Waveney: ['Waveney'] });
  });

  it.skipIf(!have)('tells 2011 from 2021 codes by CHGIND', () => {
    const g = onsGeography();
    const exact = rowsOf(readFileSync(EXACT_LOOKUP, 'utf8'));
    const news = new Set(exact.map((r) => r.LSOA21CD!));
    const olds = new Set(exact.map((r) => r.F_LSOA11CD!));
    for (const r of exact) {
      if (r.CHGIND === 'U') expect(g.vintage(r.F_LSOA11CD!)).toBe('both');
      else {
        if (!news.has(r.F_LSOA11CD!)) expect(g.vintage(r.F_LSOA11CD!), r.F_LSOA11CD).toBe('2011');
        if (!olds.has(r.LSOA21CD!)) expect(g.vintage(r.LSOA21CD!), r.LSOA21CD).toBe('2021');
      }
    }
    expect(g.vintage('E01600001')).toBeNull();
  });
});
