/**
 * The flags of `panel police-uk` checked and parsed before any file is opened
 * (stage 0 of {@link buildPoliceUkPanel}); every conflict is a UsageError naming the flags.
 */
import { UsageError } from '../core/errors.js';
import { CRIME_SLUGS, CRIME_TYPES, monthOrdinal } from './format.js';
import type { PoliceUkOptions } from './stages.js';

/** Columns of the shipped ONS geography usable as --level or --treated-where without --lookup. */
export const BUILT_IN_LEVELS = ['LAD19CD', 'CSP19CD', 'PFA19CD'] as const;

export interface Flags {
  level: string;
  geoMode: boolean;
  selectedTypes: number[];
  hotspotShare: number | null;
  hotspotCount: number | null;
  byColumn: string | undefined;
  treatedWhere: { column: string; values: Set<string> } | null;
  treatmentWays: number;
  include: Set<string>;
  fromOrd: number | null;
  toOrd: number | null;
  startOrd: number | null;
  beforeOrd: number | null;
  otherForceAreas: 'drop' | 'keep';
  /** The shipped ONS geography serves --level / --treated-where (no --lookup given). */
  builtInLookup: boolean;
}

function usage(code: string, msg: string, details: Record<string, unknown> = {}): never {
  throw new UsageError(code, msg, details);
}

function parseMonthFlag(flag: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  const o = monthOrdinal(v);
  if (o === null) usage('BAD_PERIOD', `${flag} '${v}' must be a month YYYY-MM, e.g. 2019-04`, { flag, value: v });
  return o;
}

export function checkFlags(o: PoliceUkOptions): Flags {
  if (o.inputs.length === 0) usage('MISSING_INPUT', 'give at least one police.uk archive folder or zip: vru-eval panel police-uk <path>... --out panel.csv');
  const level = o.level ?? 'lsoa';
  const geoMode = o.areas !== undefined && /\.(geo)?json$/i.test(o.areas);
  const builtIn = (c: string) => (BUILT_IN_LEVELS as readonly string[]).includes(c);
  if (o.areas !== undefined && level !== 'lsoa') usage('CONFLICTING_LEVEL', '--areas defines the output areas; leave --level out (or use --lookup with --level instead of --areas)');
  if (level !== 'lsoa' && level !== 'force' && o.lookup === undefined && !builtIn(level)) usage('MISSING_LOOKUP', `--level ${level} needs --lookup <file> holding an LSOA column and a '${level}' column (built in without --lookup: ${BUILT_IN_LEVELS.join(', ')}, lsoa, force)`);
  if (geoMode && o.lsoaCrosswalk !== undefined) usage('CONFLICTING_AREAS', '--lsoa-crosswalk applies to LSOA codes; drawn areas (--areas *.geojson) place records by their coordinates');
  if (geoMode && o.population !== undefined) usage('CONFLICTING_AREAS', '--population holds LSOA populations and cannot be joined to drawn areas (--areas *.geojson); use --areas areas.csv (LSOA → area) for rates');
  if ((o.populationColumn !== undefined || o.populationYear !== undefined) && o.population === undefined) usage('MISSING_POPULATION', '--population-column and --population-year go with --population <file>');
  const treatmentWays = [o.treatedAreas !== undefined, o.treatedFile !== undefined, o.treatedWhere !== undefined].filter(Boolean).length;
  if (treatmentWays > 1) usage('CONFLICTING_TREATMENT', 'give one of --treated-areas, --treated-file, --treated-where');
  if ((o.treatedAreas !== undefined || o.treatedWhere !== undefined) && o.start === undefined) usage('MISSING_START', '--treated-areas and --treated-where need --start <YYYY-MM>, the first treated month');
  if (o.start !== undefined && o.treatedAreas === undefined && o.treatedWhere === undefined) usage('MISSING_TREATED', '--start needs --treated-areas or --treated-where (--treated-file carries its own starts)');
  if (o.hotspots !== undefined && (o.hotspotsBy === undefined || o.hotspotsBefore === undefined)) usage('MISSING_HOTSPOT_FLAGS', '--hotspots needs --by <crime type column> and --before <YYYY-MM> (the pre-period that ranks the areas)');
  if (o.hotspots === undefined && o.hotspotsWithin !== undefined && o.hotspotsWithin !== 'all') usage('MISSING_HOTSPOTS', '--hotspots-within goes with --hotspots <share%|count>');
  if (o.hotspots === undefined && (o.hotspotsBy !== undefined || o.hotspotsBefore !== undefined)) usage('MISSING_HOTSPOTS', '--by and --before go with --hotspots <share%|count>');
  const fromOrd = parseMonthFlag('--from', o.from);
  const toOrd = parseMonthFlag('--to', o.to);
  if (fromOrd !== null && toOrd !== null && toOrd < fromOrd) usage('BAD_WINDOW', `--to ${o.to} is before --from ${o.from}`);
  const selectedTypes = crimeTypes(o.crimeTypes);
  const { share, count } = hotspotTarget(o.hotspots);
  const byColumn = o.hotspotsBy;
  if (byColumn !== undefined && byColumn !== 'all_crime' && !selectedTypes.some((k) => CRIME_SLUGS[k] === byColumn)) {
    usage('UNKNOWN_COLUMN', `--by ${byColumn} is not a column of this panel (choose all_crime or one of ${selectedTypes.map((k) => CRIME_SLUGS[k]).join(', ')})`);
  }
  const treatedWhere = parseWhere(o, geoMode, builtIn);
  const builtInLookup = o.lookup === undefined && (builtIn(level) || (treatedWhere !== null && builtIn(treatedWhere.column)));
  return {
    level, geoMode, selectedTypes, hotspotShare: share, hotspotCount: count, byColumn, treatedWhere, treatmentWays,
    include: new Set(o.includeForces ?? []), fromOrd, toOrd, startOrd: parseMonthFlag('--start', o.start), beforeOrd: parseMonthFlag('--before', o.hotspotsBefore),
    otherForceAreas: o.otherForceAreas ?? 'drop', builtInLookup,
  };
}

function crimeTypes(names: string[] | undefined): number[] {
  if (!names || names.length === 0) return CRIME_TYPES.map((_, k) => k);
  const ks = names.map((name) => {
    const k = CRIME_TYPES.findIndex((t) => t.toLowerCase() === name.toLowerCase() || CRIME_SLUGS[CRIME_TYPES.indexOf(t)] === name);
    if (k < 0) usage('UNKNOWN_CRIME_TYPE', `--crime-types '${name}' is not a police.uk crime type (choose from: ${CRIME_TYPES.join(', ')})`, { value: name });
    return k;
  });
  return [...new Set(ks)].sort((a, b) => a - b);
}

function hotspotTarget(h: string | undefined): { share: number | null; count: number | null } {
  if (h === undefined) return { share: null, count: null };
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(h);
  if (m) {
    const share = Number(m[1]) / 100;
    if (!(share > 0 && share <= 1)) usage('BAD_NUMBER', `--hotspots ${h} must be a share in (0%, 100%]`);
    return { share, count: null };
  }
  if (/^\s*\d+\s*$/.test(h) && Number(h) > 0) return { share: null, count: Number(h) };
  return usage('BAD_NUMBER', `--hotspots '${h}' must be a share such as 10% or a count such as 200`);
}

function parseWhere(o: PoliceUkOptions, geoMode: boolean, builtIn: (c: string) => boolean): Flags['treatedWhere'] {
  if (o.treatedWhere === undefined) return null;
  const m = /^([^=]+)=(.+)$/.exec(o.treatedWhere);
  if (!m) usage('BAD_TREATED_WHERE', `--treated-where '${o.treatedWhere}' must be COLUMN=v1,v2,... (e.g. PFA19CD=E23000004,E23000005, or force=kent,essex)`);
  const tw = { column: m[1]!.trim(), values: new Set(m[2]!.split(',').map((s) => s.trim()).filter(Boolean)) };
  if (tw.column !== 'force' && o.lookup === undefined && !builtIn(tw.column)) usage('MISSING_LOOKUP', `--treated-where ${tw.column}=… needs --lookup holding that column (built in: ${BUILT_IN_LEVELS.join(', ')}; or use force=<slug>,… for the police.uk force)`);
  if (tw.column !== 'force' && geoMode) usage('CONFLICTING_AREAS', `--treated-where ${tw.column}=… needs LSOAs; drawn areas can be selected with force=<slug>,… or --treated-areas`);
  return tw;
}
