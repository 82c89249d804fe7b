/**
 * An independent reader of real police.uk archives and ONS lookups, for the tests: csv-parse
 * on whole files (zip entries through yauzl's own streams), the ONS CSVs read as downloaded.
 * Nothing here uses the product's scanner, its ONS geography or its code tables.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import yauzl from 'yauzl';
import { expect } from 'vitest';
import type { Manifest } from '../../src/policeuk/manifest.js';
import { SHARED } from '../helpers.js';

export const REAL = join(SHARED, 'policeuk-real');
export const ONS_DIR = join(REAL, 'ons');
export const EXACT_LOOKUP = join(ONS_DIR, 'LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales.csv');

export interface ArchiveFile {
  name: string;
  force: string;
  month: string;
  kind: string;
  text: string;
}

/** Every police.uk CSV of a folder or zip, as text. */
export async function readArchive(path: string): Promise<ArchiveFile[]> {
  const out: ArchiveFile[] = [];
  const add = (name: string, text: string) => {
    const m = /(\d{4}-\d{2})-(.+)-(street|stop-and-search|outcomes)\.csv$/.exec(name);
    if (m) out.push({ name, month: m[1]!, force: m[2]!, kind: m[3]!, text });
  };
  if (statSync(path).isDirectory()) {
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else add(n, readFileSync(p, 'utf8'));
      }
    };
    walk(path);
  } else {
    const zf = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e || !z ? rej(e) : res(z))));
    await new Promise<void>((res, rej) => {
      zf.on('entry', (e: yauzl.Entry) => {
        zf.openReadStream(e, (err, s) => {
          if (err || !s) return rej(err);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => parts.push(c));
          s.on('end', () => {
            add(e.fileName, Buffer.concat(parts).toString('utf8'));
            zf.readEntry();
          });
        });
      });
      zf.on('end', () => res());
      zf.readEntry();
    });
  }
  return out;
}

export type Row = Record<string, string>;
export const rowsOf = (text: string): Row[] => parse(text, { columns: true, bom: true, skip_empty_lines: true, relax_quotes: false }) as Row[];

/** LSOA (2011 or 2021) → { csp, pfaName } from the ONS CSVs as downloaded. */
export function onsTables(): { csp: Map<string, string>; pfaName: Map<string, string>; lad: Map<string, string> } {
  const lsoaLad = rowsOf(readFileSync(join(ONS_DIR, 'LSOA11_WD19_LAD19_EW_LU.csv'), 'utf8'));
  const ladRows = rowsOf(readFileSync(join(ONS_DIR, 'LAD19_CSP19_PFA19_EW_LU.csv'), 'utf8'));
  const exact = rowsOf(readFileSync(EXACT_LOOKUP, 'utf8'));
  const csp = new Map<string, string>();
  const lad = new Map<string, string>();
  const pfaName = new Map<string, string>();
  const cspName = new Map(ladRows.map((r) => [r.CSP19CD!, r.CSP19NM!]));
  const byLad = new Map<string, Row[]>();
  for (const x of ladRows) byLad.set(x.LAD19CD!, [...(byLad.get(x.LAD19CD!) ?? []), x]);
  for (const r of lsoaLad) {
    const cands = byLad.get(r.LAD19CD!)!;
    // LADs with several CSPs (East Suffolk, BCP): the CSP named like the LSOA, else the one no LSOA is named like
    let c = cands.length === 1 ? cands[0]! : cands.find((x) => x.CSP19NM === r.LSOA11NM!.replace(/ \d{3}[A-Z]$/, ''));
    if (!c) c = cands.find((x) => !lsoaLad.some((y) => y.LAD19CD === r.LAD19CD && y.LSOA11NM!.startsWith(x.CSP19NM! + ' ')));
    csp.set(r.LSOA11CD!, c!.CSP19CD!);
    lad.set(r.LSOA11CD!, r.LAD19CD!);
    pfaName.set(r.LSOA11CD!, c!.PFA19NM!);
  }
  void cspName;
  for (const r of exact) {
    const a = r.F_LSOA11CD!;
    if (!csp.has(r.LSOA21CD!)) {
      csp.set(r.LSOA21CD!, csp.get(a)!);
      lad.set(r.LSOA21CD!, lad.get(a)!);
      pfaName.set(r.LSOA21CD!, pfaName.get(a)!);
    }
  }
  return { csp, pfaName, lad };
}

/** police.uk's force slug of an ONS police force area name ('Metropolitan Police' → metropolitan). */
export const slugOfPfa = (name: string) => name.replace(/^(.*), (.*)$/, '$2 $1').toLowerCase().replace(/ police$/, '').replace(/&/g, 'and').replace(/[^a-z]+/g, '-');

/**
 * Independent expected panel: counts of located, de-duplicated records per (area, month), only
 * for areas whose own force (ONS PFA) has a street file with a located record that month.
 * Returns the expected all_crime + anti-social behaviour per area-month, the areas of other
 * forces, and the records used.
 */
export function expectedPanel(files: ArchiveFile[], areaOf: (lsoa: string) => string, forceOfArea: (area: string) => string, forces: Set<string>) {
  const counts = new Map<string, number>(); // area|month → records
  const present = new Set<string>(); // force|month with a located record
  let used = 0;
  let unlocated = 0;
  let duplicates = 0;
  let records = 0;
  for (const f of files.filter((x) => x.kind === 'street' && forces.has(x.force))) {
    const seen = new Set<string>();
    const lines = f.text.replace(/\r\n/g, '\n').split('\n').slice(1).filter((l) => l !== '');
    const rows = rowsOf(f.text);
    rows.forEach((r, i) => {
      records++;
      if (r['Crime ID'] !== '') {
        if (seen.has(lines[i]!)) {
          duplicates++;
          return;
        }
        seen.add(lines[i]!);
      }
      const code = r['LSOA code']!;
      if (code === '') {
        unlocated++;
        return;
      }
      used++;
      present.add(`${f.force}|${f.month}`);
      const key = `${areaOf(code)}|${f.month}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
  }
  const cellOf = (area: string, month: string): number | null => (present.has(`${forceOfArea(area)}|${month}`) ? (counts.get(`${area}|${month}`) ?? 0) : null);
  const areas = new Set([...counts.keys()].map((k) => k.split('|')[0]!));
  return { counts, present, used, unlocated, duplicates, records, cellOf, areas };
}

/** The panel CSV (no quoted cells in these panels) as header + rows. */
function table(csv: string): { h: string[]; rows: string[][] } {
  const lines = csv.trimEnd().split('\n');
  return { h: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

/** The accounting identity of a manifest, and its agreement with the panel's cells. */
export function checkIdentity(m: Manifest, csv: string): void {
  const r = m.records;
  expect(r.records).toBe(r.duplicates + r.unlocated + r.outsideAreas + r.used);
  const a = r.accounting!;
  expect(a.used).toBe(r.used);
  expect(a.inPanel + a.inMissingForceMonths + a.inOtherForcesAreas + a.inDroppedAreas.maxUnlocated + a.inDroppedAreas.incomplete + a.inDroppedAreas.hotspots).toBe(a.used);
  const { h, rows } = table(csv);
  const all = h.indexOf('all_crime');
  const asb = h.indexOf('anti_social_behaviour');
  if (asb >= 0) expect(rows.reduce((s, x) => s + Number(x[all] || 0) + Number(x[asb] || 0), 0)).toBe(a.inPanel);
  expect(rows.filter((x) => x[all] === '').length).toBe(m.panel.emptyCells);
  const ss = h.indexOf('stop_search');
  if (ss >= 0) expect(rows.filter((x) => x[ss] === '').length).toBe(m.panel.emptyStopSearchCells);
}

