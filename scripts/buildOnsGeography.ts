/**
 * Builds data/ons/geography.tsv.gz, the ONS geography shipped with the package, from the
 * ONS files as downloaded (in ../shared/datasets/policeuk-real/ons, or the folder given):
 *
 *   LSOA_(2011)_to_LSOA_(2021)_..._Lookup_for_England_and_Wales.csv   (exact, with CHGIND)
 *   LSOA11_WD19_LAD19_EW_LU.csv                                         (LSOA 2011 → LAD 2019)
 *   LAD19_CSP19_PFA19_EW_LU.csv                                         (LAD → CSP → PFA, Dec 2019)
 *
 * One row per (LSOA11CD, LSOA21CD) pair of the exact lookup:
 *   LSOA11CD  LSOA21CD  CHGIND  LAD19CD  CSP19CD  PFA19CD
 * where LAD/CSP/PFA are those of the 2011 LSOA. A LAD that maps to several CSPs (East
 * Suffolk E07000244 → Suffolk Coastal, Waveney; BCP E06000058 → Bournemouth, Poole, Dorset)
 * is resolved per LSOA by the LSOA's 2011 name ("Waveney 003A" → Waveney; a name matching
 * no CSP, "Christchurch 001A", goes to the one CSP of the LAD no LSOA name matches: Dorset).
 * A names section gives the name of every LAD, CSP and PFA code.
 *
 * Usage: npm run build && node dist/scripts/buildOnsGeography.js [ons-folder] [out-file]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';

const dir = resolve(process.argv[2] ?? join(process.cwd(), '..', 'shared', 'datasets', 'policeuk-real', 'ons'));
const out = resolve(process.argv[3] ?? join(process.cwd(), 'data', 'ons', 'geography.tsv.gz'));
const EXACT = 'LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales.csv';
const LSOA_LAD = 'LSOA11_WD19_LAD19_EW_LU.csv';
const LAD_PFA = 'LAD19_CSP19_PFA19_EW_LU.csv';

function table(name: string): { rows: Record<string, string>[]; sha256: string } {
  const bytes = readFileSync(join(dir, name));
  const rows = parse(bytes, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  return { rows, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const exact = table(EXACT);
const lsoaLad = table(LSOA_LAD);
const ladPfa = table(LAD_PFA);
const names = new Map<string, string>();
const ladOf = new Map<string, { lad: string; name: string }>();
for (const r of lsoaLad.rows) {
  ladOf.set(r.LSOA11CD!, { lad: r.LAD19CD!, name: r.LSOA11NM! });
  names.set(r.LAD19CD!, r.LAD19NM!);
}
const cspsOfLad = new Map<string, { csp: string; name: string; pfa: string }[]>();
for (const r of ladPfa.rows) {
  const list = cspsOfLad.get(r.LAD19CD!) ?? [];
  list.push({ csp: r.CSP19CD!, name: r.CSP19NM!, pfa: r.PFA19CD! });
  cspsOfLad.set(r.LAD19CD!, list);
  names.set(r.LAD19CD!, r.LAD19NM!);
  names.set(r.CSP19CD!, r.CSP19NM!);
  names.set(r.PFA19CD!, r.PFA19NM!);
}
const prefix = (lsoaName: string) => lsoaName.replace(/ \d{3}[A-Z]$/, '');
/** The CSP of a 2011 LSOA (see the header comment for LADs with several CSPs). */
function cspOf(lsoa11: string): { lad: string; csp: string; pfa: string } {
  const l = ladOf.get(lsoa11);
  if (!l) throw new Error(`${lsoa11} is in ${EXACT} but not in ${LSOA_LAD}`);
  const list = cspsOfLad.get(l.lad);
  if (!list) throw new Error(`LAD ${l.lad} (of ${lsoa11}) is not in ${LAD_PFA}`);
  if (list.length === 1) return { lad: l.lad, ...list[0]! };
  const byName = list.find((c) => c.name === prefix(l.name));
  if (byName) return { lad: l.lad, ...byName };
  const lsoaPrefixes = new Set([...ladOf.values()].filter((x) => x.lad === l.lad).map((x) => prefix(x.name)));
  const rest = list.filter((c) => !lsoaPrefixes.has(c.name));
  if (rest.length !== 1) throw new Error(`cannot place ${lsoa11} (${l.name}) in one CSP of ${l.lad}`);
  return { lad: l.lad, ...rest[0]! };
}

const lines: string[] = [];
let multi = 0;
for (const r of exact.rows) {
  const a = r.F_LSOA11CD ?? r.LSOA11CD!;
  const g = cspOf(a);
  if (cspsOfLad.get(g.lad)!.length > 1) multi++;
  lines.push([a, r.LSOA21CD!, r.CHGIND!, g.lad, g.csp, g.pfa].join('\t'));
}
lines.sort();
const text = [
  '# vru-eval ONS geography: LSOA 2011 -> LSOA 2021 (exact, CHGIND) -> LAD19 -> CSP19 -> PFA19, England and Wales',
  `# built by scripts/buildOnsGeography.ts from ${EXACT} (sha256 ${exact.sha256}), ${LSOA_LAD} (sha256 ${lsoaLad.sha256}), ${LAD_PFA} (sha256 ${ladPfa.sha256})`,
  '# Source: Office for National Statistics, ONS Open Geography portal. Contains public sector information licensed under the Open Government Licence v3.0. Contains OS data (c) Crown copyright and database right.',
  `# rows: ${lines.length}; LSOAs of LADs with several CSPs placed by LSOA name: ${multi}`,
  '[names]',
  ...[...names].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([c, n]) => `${c}\t${n}`),
  '[lsoa]',
  ...lines,
  '',
].join('\n');
writeFileSync(out, gzipSync(Buffer.from(text, 'utf8'), { level: 9 }));
process.stdout.write(`${out}: ${lines.length} rows, ${multi} placed by name, ${names.size} names\n`);
