/**
 * The panel's options against the generator's truth: aggregation (lookup, LSOA lists,
 * drawn areas with holes), population and rates, stop and search, treatment, hotspots
 * (with ties), --max-unlocated, and LSOA vintage changes with and without a crosswalk.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPoliceUkPanel } from '../../src/policeuk/build.js';
import { CRIME_SLUGS, N_TYPES, STREET_HEADER } from '../../src/policeuk/format.js';
import { SMALL_POLICEUK_SPEC, lookupCsv, pfaCode, populationCsv } from '../../src/sim/policeuk.js';
import { runCli, tempDir } from '../helpers.js';
import { generate, parsePanel, type Generated } from './helpers.js';
import { checkIdentity } from './realOracle.js';

const TOOL = { name: 'vru-eval', version: 'test' };
let g: Generated;
let lookup: string;
beforeAll(async () => {
  g = await generate(SMALL_POLICEUK_SPEC, 1, false);
  lookup = join(g.dir, 'lookup.csv');
  writeFileSync(lookup, lookupCsv(g.truth));
});

const M = () => g.truth.months.length;
const missingSet = () => new Set(g.truth.missingForceMonths.map((x) => `${x.force}|${x.month}`));
/** Truth count of one LSOA index, month, type. */
const cnt = (i: number, m: number, k: number) => g.truth.counts[(i * M() + m) * N_TYPES + k]!;
const allCrime = (i: number, m: number) => {
  let s = 0;
  for (let k = 1; k < N_TYPES; k++) s += cnt(i, m, k);
  return s;
};

describe('aggregation', () => {
  it('--lookup --level LAD19CD: sums of the LSOAs, empty where the force has no file', async () => {
    const r = await buildPoliceUkPanel({ inputs: [g.folder], lookup, level: 'LAD19CD' }, TOOL);
    const { rows } = parsePanel(r.csv);
    const t = g.truth;
    const lads = [...new Set(t.lsoaLad)].sort();
    expect(r.units).toBe(lads.length);
    const miss = missingSet();
    for (const row of rows) {
      const m = t.months.indexOf(row.period!);
      const members = t.lsoas.map((_, i) => i).filter((i) => t.lsoaLad[i] === row.unit);
      if (miss.has(`${t.lsoaForce[members[0]!]}|${row.period}`)) {
        expect(row.all_crime).toBe('');
        continue;
      }
      expect(Number(row.all_crime)).toBe(members.reduce((s, i) => s + allCrime(i, m), 0));
      expect(Number(row.robbery)).toBe(members.reduce((s, i) => s + cnt(i, m, CRIME_SLUGS.indexOf('robbery')), 0));
    }
  });

  it('--level force: one unit per territorial force', async () => {
    const r = await buildPoliceUkPanel({ inputs: [g.folder], level: 'force', crimeTypes: ['Violence and sexual offences'] }, TOOL);
    expect(r.units).toBe(6);
    expect(r.columns).toEqual(['unit', 'period', 'violence_and_sexual_offences', 'all_crime', 'treated']);
  });

  it('--areas areas.csv: many LSOAs to one area; LSOAs outside every area are counted as dropped', async () => {
    const t = g.truth;
    const f = join(g.dir, 'areas.csv');
    const chosen = [0, 1, 2, 5, 9, 40, 41];
    writeFileSync(f, 'LSOA11CD,area\n' + chosen.map((i) => `${t.lsoas[i]},${i < 40 ? 'Estate A' : 'Estate B'}`).join('\n') + '\n');
    const r = await buildPoliceUkPanel({ inputs: [g.folder], areas: f }, TOOL);
    const { rows } = parsePanel(r.csv);
    expect(r.units).toBe(2);
    const estateA = rows.filter((x) => x.unit === 'Estate A');
    expect(estateA.length).toBe(g.truth.months.length);
    for (const row of estateA) {
      const m = t.months.indexOf(row.period!);
      expect(Number(row.all_crime)).toBe([0, 1, 2, 5, 9].reduce((s, i) => s + allCrime(i, m), 0));
    }
    expect(r.manifest.records.outsideAreas).toBeGreaterThan(0);
    expect(r.manifest.records.records).toBe(r.manifest.records.used + r.manifest.records.duplicates + r.manifest.records.unlocated + r.manifest.records.outsideAreas);
  });

  it('--areas areas.geojson: records placed by coordinates (Polygon with a hole, MultiPolygon), stop and search per area', async () => {
    const t = g.truth;
    // Kent's LSOAs 0..39 lie on a 10-wide grid of 0.01° squares. "ring": the 3×3 block of LSOAs
    // 0,1,2,10,11,12,20,21,22 without the middle (11) as a hole; "pair": LSOAs 5 and 7 as a MultiPolygon.
    const sq = (i: number) => t.squares[i]!;
    const ring = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    const a = sq(0);
    const c = sq(22);
    const h = sq(11);
    const fc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'ring' }, geometry: { type: 'Polygon', coordinates: [ring(a[0], a[1], c[2], c[3]), ring(h[0], h[1], h[2], h[3])] } },
        { type: 'Feature', properties: { name: 'pair' }, geometry: { type: 'MultiPolygon', coordinates: [[ring(...sq(5))], [ring(...sq(7))]] } },
        { type: 'Feature', properties: { name: 'sea' }, geometry: { type: 'Polygon', coordinates: [ring(10, 60, 11, 61)] } },
      ],
    };
    const f = join(g.dir, 'areas.geojson');
    writeFileSync(f, JSON.stringify(fc));
    const r = await buildPoliceUkPanel({ inputs: [g.folder], areas: f, stopSearch: true }, TOOL);
    const { rows } = parsePanel(r.csv);
    expect(r.units).toBe(2);
    const members: Record<string, number[]> = { ring: [0, 1, 2, 10, 12, 20, 21, 22], pair: [5, 7] };
    for (const row of rows) {
      const m = t.months.indexOf(row.period!);
      const ids = members[row.unit!]!;
      expect(Number(row.all_crime), `${row.unit} ${row.period}`).toBe(ids.reduce((s, i) => s + allCrime(i, m), 0));
      expect(Number(row.anti_social_behaviour)).toBe(ids.reduce((s, i) => s + cnt(i, m, 0), 0));
      expect(Number(row.stop_search)).toBe(ids.reduce((s, i) => s + t.stopSearchByLsoa[i * M() + m]!, 0));
    }
    // an area with no record at all is left out with a word
    expect(r.manifest.warnings.find((w) => w.code === 'AREAS_WITHOUT_RECORDS')?.message).toMatch(/sea/);
    // every record with no coordinates is counted as unlocated
    expect(r.manifest.records.unlocated).toBe(t.unlocated.reduce((s, x) => s + x, 0));
  });
});

describe('population, rates and stop and search', () => {
  it('a month gets its calendar year’s mid-year estimate; later years carried forward with a warning', async () => {
    const t = g.truth;
    const { csv, pop } = populationCsv(t, [2018, 2019]);
    const f = join(g.dir, 'pop.csv');
    writeFileSync(f, csv);
    const r = await buildPoliceUkPanel({ inputs: [g.folder], population: f, lookup, level: 'LAD19CD', stopSearch: true }, TOOL);
    expect(r.manifest.warnings.map((w) => w.code)).toContain('POPULATION_CARRIED_FORWARD');
    expect(r.manifest.population!.yearUsed).toEqual({ '2018': 2018, '2019': 2019, '2020': 2019 });
    const { rows } = parsePanel(r.csv);
    const row = rows.find((x) => x.unit === t.lsoaLad[0] && x.period === '2020-02')!;
    const members = t.lsoas.map((_, i) => i).filter((i) => t.lsoaLad[i] === row.unit);
    const p = members.reduce((s, i) => s + pop.get(t.lsoas[i]!)!.get(2019)!, 0);
    expect(Number(row.population)).toBe(p);
    expect(Number(row.robbery_rate)).toBe((Number(row.robbery) / p) * 1e5);
    expect(Number(row.all_crime_rate)).toBe((Number(row.all_crime) / p) * 1e5);
    const row18 = rows.find((x) => x.unit === t.lsoaLad[0] && x.period === '2018-12')!;
    expect(Number(row18.population)).toBe(members.reduce((s, i) => s + pop.get(t.lsoas[i]!)!.get(2018)!, 0));
    // stop and search at force level: the force-month count
    const m = t.months.indexOf('2020-02');
    expect(Number(row.stop_search)).toBe(t.stopSearch[t.forces.indexOf(t.lsoaForce[0]!) * M() + m]);
  });
});

describe('treatment and hotspots', () => {
  it('--treated-where force=… and the lookup column PFA19CD give the same treated LSOAs from --start', async () => {
    const t = g.truth;
    const a = await buildPoliceUkPanel({ inputs: [g.folder], treatedWhere: 'force=kent,south-wales', start: '2019-04' }, TOOL);
    const b = await buildPoliceUkPanel({ inputs: [g.folder], lookup, treatedWhere: `PFA19CD=${pfaCode(t, 'kent')},${pfaCode(t, 'south-wales')}`, start: '2019-04' }, TOOL);
    expect(b.csv).toBe(a.csv);
    const treated = new Set(a.manifest.treated.map((x) => x.unit));
    const want = t.lsoas.filter((_, i) => t.lsoaForce[i] === 'kent' || t.lsoaForce[i] === 'south-wales');
    expect([...treated].sort()).toEqual(want.sort());
    const { rows } = parsePanel(a.csv);
    for (const r of rows) expect(r.treated).toBe(treated.has(r.unit!) && r.period! >= '2019-04' ? '1' : '0');
  });

  it('--treated-file with per-area starts, and --treated-areas', async () => {
    const t = g.truth;
    const f = join(g.dir, 'treated.csv');
    writeFileSync(f, `area,start\n${t.lsoas[0]},2019-01\n${t.lsoas[50]},2019-06\n`);
    const a = await buildPoliceUkPanel({ inputs: [g.folder], treatedFile: f }, TOOL);
    expect(a.manifest.treated).toEqual([
      { unit: t.lsoas[0], start: '2019-01' },
      { unit: t.lsoas[50], start: '2019-06' },
    ]);
    const b = await buildPoliceUkPanel({ inputs: [g.folder], treatedAreas: ['E01600001'], start: '2019-04' }, TOOL);
    expect(b.manifest.treated).toEqual([{ unit: 'E01600001', start: '2019-04' }]);
    await expect(buildPoliceUkPanel({ inputs: [g.folder], treatedAreas: ['E09999999'], start: '2019-04' }, TOOL)).rejects.toThrow(/not an area of the panel/);
  });

  it('--hotspots: top share by pre-period mean; ties at the cut-off are all kept and reported', async () => {
    // a hand-made archive: one force, five LSOAs, violence in 2019-01 of 5, 3, 3, 1, 0
    const d = tempDir();
    const want: Record<string, number> = { E01600001: 5, E01600002: 3, E01600003: 3, E01600004: 1, E01600005: 0 };
    let id = 0;
    for (const month of ['2019-01', '2019-02']) {
      const rows: string[] = [];
      for (const [code, n] of Object.entries(want)) {
        for (let r = 0; r < n; r++) rows.push(`${(++id).toString(16).padStart(64, '0')},${month},Kent Police,Kent Police,0.1,51.1,On or near X,${code},Kent 001A,Violence and sexual offences,Under investigation,`);
        rows.push(`,${month},Kent Police,Kent Police,0.1,51.1,On or near X,${code},Kent 001A,Anti-social behaviour,,`);
      }
      mkdirSync(join(d, month));
      writeFileSync(join(d, month, `${month}-kent-street.csv`), STREET_HEADER + '\n' + rows.join('\n') + '\n');
    }
    const r = await buildPoliceUkPanel({ inputs: [d], hotspots: '40%', hotspotsBy: 'violence_and_sexual_offences', hotspotsBefore: '2019-02' }, TOOL);
    expect(r.manifest.hotspots).toMatchObject({ candidates: 5, target: 2, cutoff: 3, tiedAtCutoff: 2, kept: 3, extraFromTies: 1 });
    expect(r.manifest.warnings.map((w) => w.code)).toContain('HOTSPOT_TIES');
    expect([...new Set(parsePanel(r.csv).rows.map((x) => x.unit))]).toEqual(['E01600001', 'E01600002', 'E01600003']);
    const one = await buildPoliceUkPanel({ inputs: [d], hotspots: '1', hotspotsBy: 'all_crime', hotspotsBefore: '2019-02' }, TOOL);
    expect(one.units).toBe(1);
    expect(one.manifest.hotspots!.cutoff).toBe(5);
  });

  it('--hotspots-within force: the top share of every force, each force with its own cut-off', async () => {
    // Two forces: Kent LSOAs with 5, 3, 3, 1, 0 violent crimes a month, Sussex ones with 2, 1, 1, 0, 0.
    const d = tempDir();
    const areas: [string, string, number][] = [
      ['kent', 'E01600001', 5], ['kent', 'E01600002', 3], ['kent', 'E01600003', 3], ['kent', 'E01600004', 1], ['kent', 'E01600005', 0],
      ['sussex', 'E01600011', 2], ['sussex', 'E01600012', 1], ['sussex', 'E01600013', 1], ['sussex', 'E01600014', 0], ['sussex', 'E01600015', 0],
    ];
    const name = { kent: 'Kent Police', sussex: 'Sussex Police' } as const;
    let id = 0;
    for (const month of ['2019-01', '2019-02']) {
      mkdirSync(join(d, month));
      for (const force of ['kent', 'sussex'] as const) {
        const rows: string[] = [];
        for (const [f, code, n] of areas) {
          if (f !== force) continue;
          for (let r = 0; r < n; r++) rows.push(`${(++id).toString(16).padStart(64, '0')},${month},${name[force]},${name[force]},0.1,51.1,On or near X,${code},X 001A,Violence and sexual offences,Under investigation,`);
          rows.push(`,${month},${name[force]},${name[force]},0.1,51.1,On or near X,${code},X 001A,Anti-social behaviour,,`);
        }
        writeFileSync(join(d, month, `${month}-${force}-street.csv`), STREET_HEADER + '\n' + rows.join('\n') + '\n');
      }
    }
    const base = { inputs: [d], hotspots: '20%', hotspotsBy: 'violence_and_sexual_offences', hotspotsBefore: '2019-02' };
    const all = await buildPoliceUkPanel(base, TOOL);
    // Over all ten: the top 2 are Kent's 5 and a tie of Kent's 3s, so three Kent areas and no Sussex one.
    expect([...new Set(parsePanel(all.csv).rows.map((x) => x.unit))]).toEqual(['E01600001', 'E01600002', 'E01600003']);
    expect(all.manifest.hotspots).toMatchObject({ within: 'all', groups: null, cutoff: 3, kept: 3 });
    const per = await buildPoliceUkPanel({ ...base, hotspotsWithin: 'force' }, TOOL);
    expect([...new Set(parsePanel(per.csv).rows.map((x) => x.unit))]).toEqual(['E01600001', 'E01600011']);
    expect(per.manifest.hotspots).toMatchObject({ within: 'force', cutoff: null, target: 2, kept: 2, candidates: 10 });
    expect(per.manifest.hotspots!.groups).toEqual([
      { group: 'kent', candidates: 5, target: 1, cutoff: 5, tiedAtCutoff: 1, kept: 1 },
      { group: 'sussex', candidates: 5, target: 1, cutoff: 2, tiedAtCutoff: 1, kept: 1 },
    ]);
    await expect(buildPoliceUkPanel({ inputs: [d], hotspotsWithin: 'force' }, TOOL)).rejects.toMatchObject({ code: 'MISSING_HOTSPOTS' });
  });
});

describe('dropping with a word', () => {
  it('--max-unlocated 5% drops the force with 9% unlocated records, with a warning', async () => {
    const r = await buildPoliceUkPanel({ inputs: [g.folder], maxUnlocated: 0.05 }, TOOL);
    checkIdentity(r.manifest, r.csv);
    expect(r.manifest.records.accounting!.inDroppedAreas.maxUnlocated).toBeGreaterThan(0);
    expect(r.manifest.droppedForces.map((x) => x.force)).toEqual(['sussex']);
    expect(r.manifest.droppedForces[0]!.units).toBe(36);
    expect(r.units).toBe(g.truth.lsoas.length - 36);
    expect(r.manifest.warnings.map((w) => w.code)).toContain('FORCE_DROPPED_UNLOCATED');
  });

  it('--drop-incomplete drops the areas of the force with missing months', async () => {
    const r = await buildPoliceUkPanel({ inputs: [g.folder], dropIncomplete: true }, TOOL);
    expect(r.manifest.units.droppedIncomplete.length).toBe(40);
    expect(r.manifest.panel.emptyCells).toBe(0);
    checkIdentity(r.manifest, r.csv);
    // the dropped force's records: its missing months in their bucket, the rest as dropped areas
    expect(r.manifest.records.accounting!.inDroppedAreas.incomplete).toBeGreaterThan(0);
    expect(r.manifest.records.accounting!.inMissingForceMonths).toBeGreaterThan(0);
  });

  it('--from/--to narrow the window; files outside are listed', async () => {
    const r = await buildPoliceUkPanel({ inputs: [g.folder], from: '2019-01', to: '2019-06' }, TOOL);
    expect(r.periods).toBe(6);
    expect(r.manifest.outsideWindow.length).toBeGreaterThan(0);
  });
});

// LSOA vintages: tests/policeuk/vintage.test.ts (a generated archive with real ONS codes switching 2011 → 2021)

describe('through the binary', () => {
  it('flags reach the library and are recorded in the manifest; bad flags are exit 2', () => {
    const out = join(g.dir, 'b.csv');
    const r = runCli(['panel', 'police-uk', g.folder, '--out', out, '--manifest', join(g.dir, 'b.json'), '--max-unlocated', '5%', '--crime-types', 'Robbery,Possession of weapons', '--hotspots', '10%', '--by', 'robbery', '--before', '2019-04']);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json();
    expect(s.columns).toEqual(['unit', 'period', 'possession_of_weapons', 'robbery', 'all_crime', 'treated']);
    const pf = runCli(['panel', 'police-uk', g.folder, '--out', out, '--manifest', join(g.dir, 'c.json'), '--hotspots', '10%', '--by', 'robbery', '--before', '2019-04', '--hotspots-within', 'force']);
    expect(pf.code, pf.stderr).toBe(0);
    const mf = JSON.parse(readFileSync(join(g.dir, 'c.json'), 'utf8'));
    expect(mf.options.hotspotsWithin).toBe('force');
    expect(mf.hotspots.within).toBe('force');
    expect(mf.hotspots.groups.length).toBeGreaterThan(1);
    const bad = runCli(['panel', 'police-uk', g.folder, '--out', out, '--hotspots', '10%']);
    expect(bad.code).toBe(2);
    expect(bad.error().code).toBe('MISSING_HOTSPOT_FLAGS');
    const bad2 = runCli(['panel', 'police-uk', g.folder, '--out', out, '--max-unlocated', '150%']);
    expect(bad2.code).toBe(2);
    const bad3 = runCli(['panel', 'police-ukk', g.folder, '--out', out]);
    expect(bad3.code).toBe(2);
    expect(bad3.error().code).toBe('UNKNOWN_SOURCE');
    // the shared presentation flags: a readable summary on request
    const table = runCli(['panel', 'police-uk', g.folder, '--out', out, '--format', 'table']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/[\d,]+ without a location/);
    expect(table.stdout).toMatch(/wrote .*b\.csv \(the panel\)/);
  });
});
