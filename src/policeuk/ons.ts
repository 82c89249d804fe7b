/**
 * The ONS geography shipped with the package (data/ons/geography.tsv.gz, built from the
 * ONS files by scripts/buildOnsGeography.ts; see data/ons/README.md for source, version
 * and licence): for every LSOA code of England and Wales, 2011 or 2021, its vintage (from
 * the exact ONS LSOA 2011 → 2021 lookup and its CHGIND: U unchanged, S split, M merged,
 * X irregular), and the local authority (LAD19), community safety partnership (CSP19)
 * and police force area (PFA19) it lies in, hence its home police force.
 *
 * A 2021 code takes the geography of its 2011 parent (the smallest parent code when several
 * 2011 LSOAs merged into it; for three irregular 2021 codes, E01035581, E01035582 and E01035637,
 * the parents lie in different LADs of one force). Loaded once per process, lazily (about 20 ms).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Crosswalk, Lookup } from './lookupTypes.js';

/** police.uk force slug of each police force area (ONS PFA19CD). */
export const PFA_FORCE: Readonly<Record<string, string>> = {
  E23000001: 'metropolitan', E23000002: 'cumbria', E23000003: 'lancashire', E23000004: 'merseyside', E23000005: 'greater-manchester',
  E23000006: 'cheshire', E23000007: 'northumbria', E23000008: 'durham', E23000009: 'north-yorkshire', E23000010: 'west-yorkshire',
  E23000011: 'south-yorkshire', E23000012: 'humberside', E23000013: 'cleveland', E23000014: 'west-midlands', E23000015: 'staffordshire',
  E23000016: 'west-mercia', E23000017: 'warwickshire', E23000018: 'derbyshire', E23000019: 'nottinghamshire', E23000020: 'lincolnshire',
  E23000021: 'leicestershire', E23000022: 'northamptonshire', E23000023: 'cambridgeshire', E23000024: 'norfolk', E23000025: 'suffolk',
  E23000026: 'bedfordshire', E23000027: 'hertfordshire', E23000028: 'essex', E23000029: 'thames-valley', E23000030: 'hampshire',
  E23000031: 'surrey', E23000032: 'kent', E23000033: 'sussex', E23000034: 'city-of-london', E23000035: 'devon-and-cornwall',
  E23000036: 'avon-and-somerset', E23000037: 'gloucestershire', E23000038: 'wiltshire', E23000039: 'dorset',
  W15000001: 'north-wales', W15000002: 'gwent', W15000003: 'south-wales', W15000004: 'dyfed-powys',
};

export const ONS_GEOGRAPHY_FILE = 'data/ons/geography.tsv.gz';
/** How the shipped geography is cited in manifests. */
export const ONS_GEOGRAPHY_SOURCE = {
  file: ONS_GEOGRAPHY_FILE,
  built: 'scripts/buildOnsGeography.ts',
  from: [
    'ONS LSOA (2011) to LSOA (2021) to Local Authority District (2022) Lookup for England and Wales (exact, CHGIND)',
    'ONS LSOA (2011) to Ward (2019) to LAD (2019) Lookup in England and Wales (December 2019)',
    'ONS LAD (2019) to Community Safety Partnership to Police Force Area (December 2019) Lookup in England and Wales',
  ],
  version: 'LSOA 2011/2021 boundaries; LAD, CSP and PFA as at December 2019',
  licence: 'Open Government Licence v3.0 (Office for National Statistics, ONS Open Geography portal; contains OS data © Crown copyright and database right)',
} as const;

export interface OnsGeography {
  sha256: string;
  /** '2011' (a 2011 code replaced in 2021), '2021' (a new 2021 code), 'both' (unchanged), or null (not an LSOA of England and Wales). */
  vintage(code: string): '2011' | '2021' | 'both' | null;
  /** LAD19CD, CSP19CD, PFA19CD of a 2011 or 2021 LSOA code, or undefined. */
  geo(code: string): readonly [string, string, string] | undefined;
  /** police.uk slug of the code's home force, or null. */
  force(code: string): string | null;
  /** Name of a LAD, CSP or PFA code. */
  name(code: string): string | undefined;
  /** The lookup as a --lookup table: columns LSOA, LAD19CD, CSP19CD, PFA19CD, force (built on first use). */
  readonly lookup: Lookup;
  /** The exact 2011 → 2021 lookup as a crosswalk (groups of codes that are one place). */
  crosswalk(): Crosswalk;
  pairs: [string, string][];
}

let cached: OnsGeography | null = null;

function dataPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/policeuk (tests) or dist/src/policeuk (the package)
  for (const up of ['../..', '../../..']) {
    const p = join(here, up, ONS_GEOGRAPHY_FILE);
    if (existsSync(p)) return p;
  }
  throw new Error(`the ONS geography shipped with vru-eval (${ONS_GEOGRAPHY_FILE}) is missing from the installation; reinstall the package`);
}

export function onsGeography(): OnsGeography {
  if (cached) return cached;
  const gz = readFileSync(dataPath());
  const text = gunzipSync(gz).toString('utf8');
  const names = new Map<string, string>();
  /** code → [LAD, CSP, PFA, vintage bits (1: a 2011 code, 2: a 2021 code)] */
  const geo = new Map<string, [string, string, string, number]>();
  const pairs: [string, string][] = [];
  let section = '';
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line === '' || line.charCodeAt(0) === 35 /* # */) continue;
    if (line.charCodeAt(0) === 91 /* [ */) {
      section = line;
      continue;
    }
    const c = line.split('\t');
    if (section === '[names]') {
      names.set(c[0]!, c[1]!);
      continue;
    }
    const a = c[0]!;
    const b = c[1]!;
    pairs.push([a, b]);
    const ga = geo.get(a);
    if (ga) ga[3] |= 1;
    else geo.set(a, [c[3]!, c[4]!, c[5]!, 1]);
  }
  // 2021 codes: the geography of their smallest 2011 parent (pairs are sorted by 2011 code)
  for (const [a, b] of pairs) {
    const gb = geo.get(b);
    if (gb) gb[3] |= 2;
    else {
      const ga = geo.get(a)!;
      geo.set(b, [ga[0], ga[1], ga[2], 2]);
    }
  }
  let lookup: Lookup | null = null;
  let cw: Crosswalk | null = null;
  const file = `${ONS_GEOGRAPHY_FILE} (built in)`;
  cached = {
    sha256: createHash('sha256').update(gz).digest('hex'),
    vintage: (code) => {
      const v = geo.get(code)?.[3];
      return v === undefined ? null : v === 3 ? 'both' : v === 1 ? '2011' : '2021';
    },
    geo: (code) => {
      const g = geo.get(code);
      return g ? ([g[0], g[1], g[2]] as const) : undefined;
    },
    force: (code) => {
      const g = geo.get(code);
      return g ? (PFA_FORCE[g[2]] ?? null) : null;
    },
    name: (code) => names.get(code),
    get lookup(): Lookup {
      if (!lookup) {
        const rows = new Map<string, readonly string[]>();
        for (const [code, g] of geo) rows.set(code, [code, g[0], g[1], g[2], PFA_FORCE[g[2]] ?? '']);
        lookup = { file, lsoaColumn: 'LSOA', header: ['LSOA', 'LAD19CD', 'CSP19CD', 'PFA19CD', 'force'], rows };
      }
      return lookup;
    },
    crosswalk: () => (cw ??= crosswalkFromPairs(file, 'LSOA11CD', 'LSOA21CD', pairs)),
    pairs,
  };
  return cached;
}

/**
 * Old → new pairs joined into connected groups (a split old LSOA with its new parts, a
 * merge of old LSOAs with the new one, chains of both); every code of a group is counted
 * under one representative, the group's smallest new code.
 */
export function crosswalkFromPairs(file: string, from: string, to: string, pairs: readonly (readonly [string, string])[]): Crosswalk {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (parent.get(y) !== r) {
      const n = parent.get(y)!;
      parent.set(y, r);
      y = n;
    }
    return r;
  };
  const newCodes = new Set<string>();
  for (const [a, b] of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    newCodes.add(b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const groups = new Map<string, string[]>();
  for (const c of parent.keys()) {
    const r = find(c);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(c);
  }
  const rep = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const codes of groups.values()) {
    codes.sort();
    const r = codes.filter((c) => newCodes.has(c))[0]!;
    members.set(r, codes);
    for (const c of codes) rep.set(c, r);
  }
  return { file, from, to, rep, members };
}
