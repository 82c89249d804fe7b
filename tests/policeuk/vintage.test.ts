/**
 * LSOA vintage on a generated archive of real ONS codes (Kent LSOAs) that switches from 2011
 * to 2021 codes in 2023-01, with splits (one 2011 code → several 2021 codes) and a merge
 * (several 2011 codes → one 2021 code) taken from the ONS exact lookup: detected at LSOA level,
 * resolved by the crosswalk (shipped, or the ONS file as downloaded), and no obstacle at CSP
 * level. Also: a real archive with many zero months is never flagged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPoliceUkPanel } from '../../src/policeuk/build.js';
import { STREET_HEADER } from '../../src/policeuk/format.js';
import { Rng } from '../../src/core/rng.js';
import { hasShared, tempDir } from '../helpers.js';
import { EXACT_LOOKUP, REAL, onsTables, rowsOf } from './realOracle.js';
import { existsSync, readFileSync } from 'node:fs';

const TOOL = { name: 'vru-eval', version: 'test' };
const have = hasShared && existsSync(REAL);
const MONTHS = ['2022-10', '2022-11', '2022-12', '2023-01', '2023-02', '2023-03'];
const SWITCH = 3;

describe.skipIf(!have)('a real 2011 → 2021 LSOA switch inside the window', () => {
  const exact = have ? rowsOf(readFileSync(EXACT_LOOKUP, 'utf8')) : [];
  const ons = have ? onsTables() : null;
  const kent = exact.filter((r) => ons!.pfaName.get(r.F_LSOA11CD!) === 'Kent');
  const byOld = new Map<string, string[]>();
  const byNew = new Map<string, string[]>();
  for (const r of kent) {
    byOld.set(r.F_LSOA11CD!, [...(byOld.get(r.F_LSOA11CD!) ?? []), r.LSOA21CD!]);
    byNew.set(r.LSOA21CD!, [...(byNew.get(r.LSOA21CD!) ?? []), r.F_LSOA11CD!]);
  }
  const unchanged = kent.filter((r) => r.CHGIND === 'U').slice(0, 6).map((r) => r.F_LSOA11CD!);
  const splits = kent.filter((r) => r.CHGIND === 'S' && byOld.get(r.F_LSOA11CD!)!.length >= 2 && byOld.get(r.F_LSOA11CD!)!.every((n) => byNew.get(n)!.length === 1)).map((r) => r.F_LSOA11CD!);
  const splitOld = [...new Set(splits)].slice(0, 2);
  const merges = kent.filter((r) => r.CHGIND === 'M' && byNew.get(r.LSOA21CD!)!.length >= 2 && byNew.get(r.LSOA21CD!)!.every((o) => byOld.get(o)!.length === 1)).map((r) => r.LSOA21CD!);
  const mergeNew = [...new Set(merges)].slice(0, 1);
  /** Groups: [old codes, new codes]. */
  const groups: [string[], string[]][] = [...unchanged.map((c) => [[c], [c]] as [string[], string[]]), ...splitOld.map((o) => [[o], byOld.get(o)!] as [string[], string[]]), ...mergeNew.map((n) => [byNew.get(n)!, [n]] as [string[], string[]])];

  function writeArchive(): { dir: string; truth: Map<string, number> } {
    const dir = tempDir();
    const rng = new Rng(20);
    const truth = new Map<string, number>(); // code|month → records
    MONTHS.forEach((month, m) => {
      mkdirSync(join(dir, 'archive', month), { recursive: true });
      const lines = [STREET_HEADER];
      let id = 0;
      for (const [olds, news] of groups) {
        for (const code of m < SWITCH ? olds : news) {
          const n = 3 + rng.int(8);
          truth.set(`${code}|${month}`, n);
          for (let k = 0; k < n; k++) lines.push(`${(++id).toString(16).padStart(64, 'a')},${month},Kent Police,Kent Police,0.5,51.2,On or near X,${code},Kent ${code},${k % 2 ? 'Burglary' : 'Violence and sexual offences'},Under investigation,`);
        }
      }
      writeFileSync(join(dir, 'archive', month, `${month}-kent-street.csv`), lines.join('\r\n') + '\r\n');
    });
    return { dir: join(dir, 'archive'), truth };
  }

  it('picks real splits and a real merge from the ONS lookup', () => {
    expect(splitOld.length).toBe(2);
    expect(mergeNew.length).toBe(1);
  });

  it('is detected at LSOA level, naming codes of both vintages and the way out', async () => {
    const { dir } = writeArchive();
    const e = await buildPoliceUkPanel({ inputs: [dir] }, TOOL).catch((x) => x);
    expect(e.code).toBe('LSOA_VINTAGE_CHANGE');
    expect(e.message).toContain(`${splitOld[0]} last seen 2022-12`);
    expect(e.message).toContain(`${mergeNew[0]} first seen 2023-01`);
    expect(e.message).toMatch(/--lsoa-crosswalk ons/);
    expect(e.details.counts).toEqual({ old: 2 + byNew.get(mergeNew[0]!)!.length, new: splitOld.reduce((s, o) => s + byOld.get(o)!.length, 0) + 1 });
  });

  it('is resolved by the crosswalk: each split and merge is one area, every cell the sum of its codes', async () => {
    const { dir, truth } = writeArchive();
    const r = await buildPoliceUkPanel({ inputs: [dir], lsoaCrosswalk: 'ons' }, TOOL);
    const rows = r.csv.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(r.units).toBe(groups.length);
    let checked = 0;
    for (const [olds, news] of groups) {
      const unit = [...news].sort()[0]!;
      for (const [m, month] of MONTHS.entries()) {
        const want = (m < SWITCH ? olds : news).reduce((s, c) => s + truth.get(`${c}|${month}`)!, 0);
        const row = rows.find((x) => x[0] === unit && x[1] === month)!;
        expect(Number(row[2]) + Number(row[16]), `${unit} ${month}`).toBe(want); // anti_social_behaviour is 0 here
        checked++;
      }
    }
    expect(checked).toBe(groups.length * MONTHS.length);
    // the ONS file as downloaded (BOM, F_LSOA11CD) gives the same panel
    const f = await buildPoliceUkPanel({ inputs: [dir], lsoaCrosswalk: EXACT_LOOKUP, crosswalkFrom: 'F_LSOA11CD' }, TOOL);
    expect(f.csv).toBe(r.csv);
    const auto = await buildPoliceUkPanel({ inputs: [dir], lsoaCrosswalk: EXACT_LOOKUP }, TOOL);
    expect(auto.manifest.crosswalk!.from).toBe('F_LSOA11CD');
    expect(auto.csv).toBe(r.csv);
  });

  it('a lookup of 2011 codes (the ONS LSOA11 → LAD19 file as downloaded) places the 2021 codes through the ONS crosswalk, with a warning', async () => {
    const { dir, truth } = writeArchive();
    const r = await buildPoliceUkPanel({ inputs: [dir], level: 'LAD19CD', lookup: join(REAL, 'ons', 'LSOA11_WD19_LAD19_EW_LU.csv') }, TOOL);
    const b = await buildPoliceUkPanel({ inputs: [dir], level: 'LAD19CD' }, TOOL);
    expect(r.csv).toBe(b.csv);
    const w = r.manifest.warnings.find((x) => x.code === 'LOOKUP_VIA_CROSSWALK')!;
    expect(w.message).toMatch(new RegExp(`^${splitOld.reduce((s, o) => s + byOld.get(o)!.length, 0) + 1} LSOA code`));
    const total = [...truth.values()].reduce((s, n) => s + n, 0);
    expect(r.manifest.records.accounting!.inPanel).toBe(total);
  });

  it('does not block a CSP or force panel (codes are mapped before any vintage check)', async () => {
    const { dir, truth } = writeArchive();
    for (const level of ['CSP19CD', 'force']) {
      const r = await buildPoliceUkPanel({ inputs: [dir], level }, TOOL);
      const rows = r.csv.trimEnd().split('\n').slice(1).map((l) => l.split(','));
      for (const month of MONTHS) {
        const want = [...truth].filter(([k]) => k.endsWith(`|${month}`)).reduce((s, [, n]) => s + n, 0);
        const got = rows.filter((x) => x[1] === month).reduce((s, x) => s + Number(x[16]), 0);
        expect(got, `${level} ${month}`).toBe(want);
      }
    }
  });
});
