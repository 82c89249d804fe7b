/**
 * panel police-uk on real files as people have them: a spreadsheet re-save (every field
 * quoted), a damaged byte in a code, a header-only file, unlocated stop and search under drawn
 * areas, a force with no pre-period month under --hotspots, the ONS and GLA population layouts,
 * and the estimators run end to end on panels built from the real archives.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPoliceUkPanel } from '../../src/policeuk/build.js';
import { STREET_HEADER } from '../../src/policeuk/format.js';
import { hasShared, runCli, tempDir } from '../helpers.js';
import { REAL, checkIdentity, rowsOf } from './realOracle.js';

const TOOL = { name: 'vru-eval', version: 'test' };
const have = hasShared && existsSync(REAL);
const CITY = join(REAL, 'police-uk', 'city-of-london-2016-2017');
const TV = join(REAL, 'police-uk', 'thames-valley-2022-01', 'Jan 22.zip');
const WARDS = join(REAL, 'geojson', 'ward_E09000001.geojson');
const GLA = join(REAL, 'ons', 'gla-lsoa-atlas-lsoa-data_clean.csv');

/** A copy of three City months (street files only). */
function cityCopy(): string {
  const d = tempDir();
  for (const m of ['2016-01', '2016-02', '2016-03']) {
    mkdirSync(join(d, m));
    copyFileSync(join(CITY, m, `${m}-city-of-london-street.csv`), join(d, m, `${m}-city-of-london-street.csv`));
  }
  return d;
}

describe.skipIf(!have)('real files as people have them', () => {
  it('a spreadsheet re-save with every field quoted gives the same panel', async () => {
    const d = cityCopy();
    const a = await buildPoliceUkPanel({ inputs: [d] }, TOOL);
    const f = join(d, '2016-02', '2016-02-city-of-london-street.csv');
    const rows = readFileSync(f, 'utf8').trimEnd().split('\n').map((l) => l.split(','));
    // police.uk's files hold no quoted field in these months, so splitting on commas is exact
    writeFileSync(f, rows.map((r) => r.map((c) => `"${c}"`).join(',')).join('\r\n') + '\r\n');
    const b = await buildPoliceUkPanel({ inputs: [d] }, TOOL);
    expect(b.csv).toBe(a.csv);
    expect(b.manifest.records).toEqual(a.manifest.records);
  });

  it('an invalid UTF-8 byte after an LSOA code is exit 3 naming the file and line', () => {
    const d = cityCopy();
    const f = join(d, '2016-03', '2016-03-city-of-london-street.csv');
    const buf = readFileSync(f);
    const text = buf.toString('latin1');
    const at = text.indexOf('E01000001', text.indexOf('\n', text.indexOf('\n') + 1)); // on line 3 or later
    const line = text.slice(0, at).split('\n').length;
    const bad = Buffer.concat([buf.subarray(0, at + 9), Buffer.from([0xff]), buf.subarray(at + 9)]);
    writeFileSync(f, bad);
    const r = runCli(['panel', 'police-uk', d, '--out', join(d, 'p.csv')]);
    expect(r.code).toBe(3);
    const e = r.error();
    expect(e.code).toBe('INVALID_UTF8');
    expect(e.message).toContain(`2016-03-city-of-london-street.csv line ${line}`);
    expect(existsSync(join(d, 'p.csv'))).toBe(false);
  });

  it('a header-only street file makes its force-month missing, not zero; panel and manifest agree on empty cells', async () => {
    const d = cityCopy();
    writeFileSync(join(d, '2016-02', '2016-02-city-of-london-street.csv'), STREET_HEADER + '\n');
    const r = await buildPoliceUkPanel({ inputs: [d] }, TOOL);
    expect(r.manifest.missingForceMonths).toEqual([{ force: 'city-of-london', month: '2016-02', reason: 'file with no located record' }]);
    expect(r.manifest.emptyFiles!.map((x) => x.month)).toEqual(['2016-02']);
    const rows = r.csv.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.filter((x) => x[1] === '2016-02').every((x) => x[16] === '')).toBe(true);
    expect(r.manifest.panel.emptyCells).toBe(r.units);
    checkIdentity(r.manifest, r.csv);
  });

  it('drawn areas (City wards): counting by polygon is recorded; searches without coordinates give empty stop_search, not 0', async () => {
    const r = await buildPoliceUkPanel({ inputs: [CITY], areas: WARDS, areaId: 'WD25CD', stopSearch: true }, TOOL);
    const m = r.manifest;
    expect(m.units.counting).toMatch(/by polygon/);
    expect(m.missingStopSearchMonths!.length).toBe(18);
    expect(m.missingStopSearchMonths!.filter((x) => x.reason === 'no file').map((x) => x.month)).toEqual(['2017-04', '2017-05', '2017-06']);
    expect(m.panel.emptyStopSearchCells).toBe(r.units * 18);
    expect(m.warnings.map((w) => w.code)).toContain('STOP_SEARCH_UNLOCATED');
    checkIdentity(m, r.csv);
    const lsoa = await buildPoliceUkPanel({ inputs: [CITY] }, TOOL);
    expect(lsoa.manifest.units.counting).toMatch(/LSOA code field/);
  });

  it('hotspots: a force with no pre-period month is exit 3, unless ranked within forces (then named)', async () => {
    const d = tempDir();
    // City 2016-01 … 2016-03; Thames Valley only 2022-01: before 2016-03, Thames Valley has no month
    for (const m of ['2016-01', '2016-02', '2016-03']) cpSync(join(CITY, m), join(d, 'city', m), { recursive: true });
    const base = { inputs: [join(d, 'city'), TV], hotspots: '10%', hotspotsBy: 'all_crime', hotspotsBefore: '2016-03' };
    const e = await buildPoliceUkPanel(base, TOOL).catch((x) => x);
    expect(e.code).toBe('HOTSPOTS_FORCE_UNRANKED');
    expect(e.message).toMatch(/thames-valley \(1376 areas\)/);
    expect(e.message).toMatch(/--hotspots-within force/);
    const r = await buildPoliceUkPanel({ ...base, hotspotsWithin: 'force' }, TOOL);
    const h = r.manifest.hotspots!;
    expect(h.unrankedByForce).toEqual([expect.objectContaining({ force: 'thames-valley', areas: 1376, wholeForce: true })]);
    expect(h.shareOf).toMatch(/city-of-london: 6/);
    expect(r.manifest.warnings.find((w) => w.code === 'HOTSPOTS_UNRANKED')!.message).toMatch(/thames-valley 1376 \(the whole force\)/);
    checkIdentity(r.manifest, r.csv);
    expect(r.manifest.records.accounting!.inDroppedAreas.hotspots).toBeGreaterThan(0);
  });
});

describe.skipIf(!have)('population files as published', () => {
  it('the GLA LSOA atlas (wide, a year per column, a Latin-1 £ in a header) is read as downloaded', async () => {
    const r = await buildPoliceUkPanel({ inputs: [CITY], population: GLA }, TOOL);
    const p = r.manifest.population!;
    expect(p.layout).toMatchObject({ lsoaColumn: 'Lower Super Output Area', layout: 'wide-by-year' });
    expect(p.yearsInFile).toContain(2013);
    const atlas = rowsOf(readFileSync(GLA, 'latin1'));
    const col = 'Mid-year Population Estimates;All Ages;2013';
    const pop = new Map(atlas.map((x) => [x['Lower Super Output Area']!, Number(x[col]!.replace(/,/g, ''))]));
    const rows = r.csv.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    const h = r.columns;
    const years = p.layout!.columns.map((c) => c.year);
    for (const x of rows) {
      const y = Math.min(Number(x[1]!.slice(0, 4)), Math.max(...years));
      const want = y === 2013 ? pop.get(x[0]!)! : undefined;
      if (want !== undefined) expect(Number(x[h.indexOf('population')]), x[0]).toBe(want);
      expect(Number(x[h.indexOf('population')])).toBeGreaterThan(0);
    }
    const one = await buildPoliceUkPanel({ inputs: [CITY], population: GLA, populationColumn: col }, TOOL);
    expect(one.manifest.population!.layout!.columns).toEqual([{ column: col, year: 2013 }]);
    expect(one.manifest.warnings.map((w) => w.code)).toContain('POPULATION_CARRIED_FORWARD');
  });

  it('an ONS small-area estimates sheet (no year column) needs --population-year; errors name the columns found', async () => {
    const d = tempDir();
    const f = join(d, 'sape.csv');
    const lsoas = ['E01000001', 'E01000002', 'E01000003', 'E01000005', 'E01032739', 'E01032740'];
    writeFileSync(f, 'LSOA Code,LSOA Name,LA Code (2018 boundaries),LA name (2018 boundaries),All Ages,0,1,2\n' + lsoas.map((c, k) => `${c},City of London 00${k}A,E09000001,City of London,"1,${500 + k}",10,11,12`).join('\n') + '\n');
    const e = await buildPoliceUkPanel({ inputs: [CITY], population: f }, TOOL).catch((x) => x);
    expect(e.code).toBe('MISSING_COLUMN');
    expect(e.message).toMatch(/--population-year/);
    expect(e.message).toMatch(/its columns are: LSOA Code, LSOA Name, .*All Ages/);
    expect(e.message).not.toMatch(/name it with \(rename/);
    const r = await buildPoliceUkPanel({ inputs: [CITY], population: f, populationYear: 2016 }, TOOL);
    expect(r.manifest.population!.layout).toMatchObject({ lsoaColumn: 'LSOA Code', layout: 'one-year', columns: [{ column: 'All Ages', year: 2016 }] });
    const first = r.csv.split('\n')[1]!.split(',');
    expect(first[0]).toBe('E01000001');
    expect(Number(first[r.columns.indexOf('population')])).toBe(1500);
    const bad = await buildPoliceUkPanel({ inputs: [CITY], population: f, populationYear: 2016, populationColumn: 'Total' }, TOOL).catch((x) => x);
    expect(bad.message).toMatch(/no column 'Total' \(--population-column\); its columns are: LSOA Code/);
    const cli = runCli(['panel', 'police-uk', CITY, '--out', join(d, 'p.csv'), '--population', f, '--population-year', '2016', '--population-column', 'All Ages', '--other-force-areas', 'keep']);
    expect(cli.code, cli.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(d, 'p.manifest.json'), 'utf8'));
    expect(m.options).toMatchObject({ populationYear: 2016, populationColumn: 'All Ages', otherForceAreas: 'keep' });
  });
});

describe.skipIf(!have)('estimators end to end on panels built from the real archives', () => {
  const d = have ? tempDir() : '';
  const panel = (name: string, args: string[]) => {
    const out = join(d, `${name}.csv`);
    const r = runCli(['panel', 'police-uk', ...args, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    return out;
  };
  /** exit 0, or a refusal with exit 3/4 and an error code and message (never a crash). */
  const ranOrRefused = (args: string[]) => {
    const r = runCli(args);
    if (r.code !== 0) {
      expect([3, 4], r.stderr).toContain(r.code);
      const e = r.error();
      expect(e.code).toMatch(/^[A-Z_]+$/);
      expect(e.message.length).toBeGreaterThan(20);
    } else expect(r.json().command).toBeDefined();
    return r;
  };

  it('City of London at LSOA level (18 months): gsynth, micro and its run', () => {
    const p = panel('city', [CITY, '--treated-areas', 'E01000001', '--start', '2017-01']);
    const g = ranOrRefused(['scm', p, '--outcome', 'all_crime']);
    expect(g.code, g.stderr).toBe(0);
    expect(ranOrRefused(['scm', p, '--outcome', 'all_crime', '--method', 'micro']).code).toBe(0);
    expect(ranOrRefused(['its', p, '--outcome', 'all_crime']).code).toBe(0);
  });

  it('Thames Valley with BTP at CSP level (window 2020-01 … 2022-01, most months empty): a run or a clear refusal', () => {
    const p = panel('tvbtp', [join(REAL, 'police-uk', 'btp-2020-01'), TV, '--include-force', 'btp', '--level', 'CSP19CD', '--treated-where', 'CSP19CD=' + firstCsp(d), '--start', '2022-01']);
    for (const args of [['scm', p, '--outcome', 'all_crime'], ['scm', p, '--outcome', 'all_crime', '--method', 'micro'], ['its', p, '--outcome', 'all_crime']]) ranOrRefused(args);
  });
});

/** A CSP of Thames Valley (from a panel built at CSP level). */
function firstCsp(d: string): string {
  const out = join(d, 'tv.csv');
  const r = runCli(['panel', 'police-uk', TV, '--level', 'CSP19CD', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out, 'utf8').split('\n')[1]!.split(',')[0]!;
}
void readdirSync;
