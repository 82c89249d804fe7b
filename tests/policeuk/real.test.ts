/**
 * panel police-uk on the real police.uk archives in ../shared/datasets/policeuk-real: every
 * panel cell at LSOA and CSP level against an independent count (csv-parse and the ONS CSVs
 * read directly, tests/policeuk/realOracle.ts), the accounting identity, empty cells, stop and
 * search, and no false alarm (vintage, BTP). Skipped where ../shared is absent (an error in CI).
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildPoliceUkPanel, type PoliceUkOptions } from '../../src/policeuk/build.js';
import { hasShared } from '../helpers.js';
import { REAL, checkIdentity, expectedPanel, onsTables, readArchive, rowsOf, slugOfPfa, type ArchiveFile } from './realOracle.js';

const TOOL = { name: 'vru-eval', version: 'test' };
const have = hasShared && existsSync(REAL);
const CITY = join(REAL, 'police-uk', 'city-of-london-2016-2017');
const TV = join(REAL, 'police-uk', 'thames-valley-2022-01', 'Jan 22.zip');
const BTP = join(REAL, 'police-uk', 'btp-2020-01');

/** The panel CSV (no quoted cells in these panels) as header + rows. */
function table(csv: string): { h: string[]; rows: string[][] } {
  const lines = csv.trimEnd().split('\n');
  return { h: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

describe.skipIf(!have)('real police.uk archives: every cell against an independent count', () => {
  const ons = have ? onsTables() : null;
  const cases: { name: string; inputs: string[]; extra?: Partial<PoliceUkOptions>; forces: string[] }[] = [
    { name: 'City of London 2016-01 … 2017-06 (folder, LF)', inputs: [CITY], forces: ['city-of-london'] },
    { name: 'Thames Valley 2022-01 (download zip, CRLF)', inputs: [TV], forces: ['thames-valley'] },
    { name: 'BTP 2020-01 with Thames Valley 2022-01 (--include-force btp)', inputs: [BTP, TV], extra: { includeForces: ['btp'] }, forces: ['btp', 'thames-valley'] },
  ];
  for (const c of cases) {
    for (const level of ['lsoa', 'CSP19CD'] as const) {
      it(`${c.name} at ${level}`, async () => {
        const files: ArchiveFile[] = (await Promise.all(c.inputs.map(readArchive))).flat();
        const areaOf = (code: string) => (level === 'lsoa' ? code : ons!.csp.get(code)!);
        const pfaOfArea = new Map<string, string>();
        for (const [code, p] of ons!.pfaName) pfaOfArea.set(areaOf(code), slugOfPfa(p));
        const exp = expectedPanel(files, areaOf, (a) => pfaOfArea.get(a)!, new Set(c.forces));
        const r = await buildPoliceUkPanel({ inputs: c.inputs, level, stopSearch: true, ...c.extra }, TOOL);
        const m = r.manifest;
        expect(m.records.used).toBe(exp.used);
        expect(m.records.unlocated).toBe(exp.unlocated);
        expect(m.records.duplicates).toBe(exp.duplicates);
        const { h, rows } = table(r.csv);
        const all = h.indexOf('all_crime');
        const asb = h.indexOf('anti_social_behaviour');
        // the panel holds exactly the areas with records whose own force is in the archive
        const own = [...exp.areas].filter((a) => c.forces.includes(pfaOfArea.get(a)!)).sort();
        expect([...new Set(rows.map((x) => x[0]!))]).toEqual(own);
        let checked = 0;
        for (const x of rows) {
          const want = exp.cellOf(x[0]!, x[1]!);
          if (want === null) expect(x[all]).toBe('');
          else expect(Number(x[all]) + Number(x[asb]), `${x[0]} ${x[1]}`).toBe(want);
          checked++;
        }
        expect(checked).toBe(own.length * r.periods);
        // every other force's area is named in the manifest, with its force, and left out
        const others = [...exp.areas].filter((a) => !c.forces.includes(pfaOfArea.get(a)!));
        for (const a of others) {
          const u = m.units.list!.find((x) => x.unit === a)!;
          expect(u, a).toBeDefined();
          expect(u.force).toBe(pfaOfArea.get(a));
          expect(u.kept).toBe(false);
          expect(u.dropped).toBe('other-force');
        }
        if (others.length > 0) expect(m.warnings.map((w) => w.code)).toContain('OTHER_FORCE_AREAS');
        for (const u of m.units.list!.filter((x) => x.kept)) expect(u.forceFrom).toBe('ons');
        checkIdentity(m, r.csv);
        // stop and search: the force-month count of searches where the force's file has a search, else empty
        const ss = h.indexOf('stop_search');
        const searches = new Map(files.filter((y) => y.kind === 'stop-and-search').map((y) => [`${y.force}|${y.month}`, rowsOf(y.text).length]));
        for (const x of rows) {
          const n = searches.get(`${pfaOfArea.get(x[0]!)}|${x[1]}`) ?? 0;
          expect(x[ss]).toBe(n > 0 ? String(n) : '');
        }
      });
    }
  }

  it('the City archive: facts of the shared README, no vintage false alarm, Camden-like areas never become units', async () => {
    const r = await buildPoliceUkPanel({ inputs: [CITY], level: 'LAD19CD' }, TOOL);
    const m = r.manifest;
    expect(m.records.records).toBe(10118);
    expect(m.records.unlocated).toBe(465);
    expect(m.units.list!.length).toBe(1 + m.otherForceAreas!.reduce((s, x) => s + x.areas, 0));
    expect(r.units).toBe(1);
    expect(table(r.csv).rows.every((x) => x[0] === 'E09000001')).toBe(true);
    const lsoa = await buildPoliceUkPanel({ inputs: [CITY] }, TOOL);
    expect(lsoa.units).toBe(6);
    expect(lsoa.manifest.units.list!.length).toBe(27);
    expect(lsoa.manifest.units.counting).toMatch(/LSOA code field/);
  });

  it('Thames Valley: 14,941 located records in 1,376 LSOAs, 749 unlocated, 1 duplicate (README facts)', async () => {
    const r = await buildPoliceUkPanel({ inputs: [TV] }, TOOL);
    expect(r.manifest.records).toMatchObject({ used: 14941, unlocated: 749, duplicates: 1 });
    expect(r.manifest.units.list!.length).toBe(1376);
  });

  it('BTP 2020-01: 5,559 located, 135 unlocated, no duplicates; alone it points to --include-force btp', async () => {
    const e = await buildPoliceUkPanel({ inputs: [BTP] }, TOOL).catch((x) => x);
    expect(e.code).toBe('NO_STREET_FILES');
    expect(e.message).toMatch(/--include-force btp/);
    const r = await buildPoliceUkPanel({ inputs: [BTP, TV], includeForces: ['btp'] }, TOOL);
    const btp = r.manifest.files.find((f) => f.force === 'btp')!;
    expect(btp).toMatchObject({ records: 5694, used: 5559, unlocated: 135, duplicates: 0 });
    // BTP's records in Thames Valley LSOAs in 2020-01 (no Thames Valley file that month) are in a named bucket
    expect(r.manifest.records.accounting!.inMissingForceMonths).toBeGreaterThan(0);
    expect(r.manifest.records.accounting!.inOtherForcesAreas).toBeGreaterThan(0);
  });
});
