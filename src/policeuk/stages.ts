/**
 * The types that the stages of `buildPoliceUkPanel` (build.ts, flags.ts, units.ts, extras.ts,
 * assemble.ts) pass to each other, kept apart from build.ts so that no stage imports the module
 * that calls it (the import graph has no circles: tests/arch/layers.test.ts).
 */
import type { ArchiveEntry, ArchiveInput } from './sources.js';
import type { ManifestFile } from './manifest.js';
import type { Counts, FileTally, newReadContext } from './read.js';
import type { Lookup } from './lookupTypes.js';
import type { readAreasCsv, readCrosswalk, readPopulation, readTreatedFile } from './tables.js';
import type { readGeoAreas } from './geo.js';
import type { onsGeography } from './ons.js';
import type { Manifest } from './manifest.js';

export interface PoliceUkOptions {
  inputs: string[];
  /** 'lsoa' (default), 'force', a column of --lookup (e.g. LAD19CD), or LAD19CD / CSP19CD / PFA19CD of the shipped ONS geography. */
  level?: string;
  lookup?: string;
  lookupLsoa?: string;
  /** Custom areas: a CSV (LSOA → area) or a GeoJSON file of polygons. */
  areas?: string;
  areasLsoa?: string;
  areaColumn?: string;
  areaId?: string;
  /** A crosswalk CSV, or 'ons' for the shipped ONS LSOA 2011 → 2021 lookup. */
  lsoaCrosswalk?: string;
  crosswalkFrom?: string;
  crosswalkTo?: string;
  /** Crime type names (police.uk's) to write as columns; default all 14. */
  crimeTypes?: string[];
  stopSearch?: boolean;
  population?: string;
  /** Population column of --population (e.g. 'All Ages'). */
  populationColumn?: string;
  /** Year of the estimates in a --population file with no year column. */
  populationYear?: number;
  treatedAreas?: string[];
  treatedFile?: string;
  /** COLUMN=v1,v2 (a --lookup column, or 'force' for the home force). */
  treatedWhere?: string;
  start?: string;
  /** '10%' or a count. */
  hotspots?: string;
  hotspotsBy?: string;
  hotspotsBefore?: string;
  /** Rank hotspots over all areas ('all', the default) or within each area's home force. */
  hotspotsWithin?: 'all' | 'force';
  from?: string;
  to?: string;
  /** Fraction in [0, 1]. */
  maxUnlocated?: number;
  includeForces?: string[];
  dropIncomplete?: boolean;
  /** Areas whose home force has no file in the archive: 'drop' (default) or 'keep' (every cell empty, with a warning). */
  otherForceAreas?: 'drop' | 'keep';
}

export interface PoliceUkResult {
  /** The panel's CSV text in pieces (header first), generated on demand: write them in turn. */
  chunks: () => Generator<string>;
  /** The panel as one CSV string (for small panels and tests; the CLI writes `chunks`). */
  readonly csv: string;
  manifest: Manifest;
  columns: string[];
  units: number;
  periods: number;
}

export type Warning = { code: string; message: string };
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Stage 2: the side files, read before any archive file. */
export interface Side {
  ons: ReturnType<typeof onsGeography>;
  lookup: Lookup | null;
  levelCol: number;
  whereCol: number;
  crosswalk: ReturnType<typeof readCrosswalk> | null;
  areasCsv: ReturnType<typeof readAreasCsv> | null;
  geo: ReturnType<typeof readGeoAreas> | null;
  population: ReturnType<typeof readPopulation> | null;
  treatedFile: ReturnType<typeof readTreatedFile> | null;
}

/** Stage 3: the files to read. */
export interface Selection {
  inputs: ArchiveInput[];
  use: ArchiveEntry[];
  excludedFiles: ManifestFile[];
  outsideWindow: string[];
  ignored: string[];
  first: number;
  last: number;
  M: number;
  forces: string[];
  forceIdx: Map<string, number>;
  F: number;
}

/** Stage 4: what the files hold. */
export interface ReadResult {
  counts: Counts;
  ctx: ReturnType<typeof newReadContext>;
  fileRows: ManifestFile[];
  tallyByFM: Map<string, FileTally>;
  /** Per force × month: 1 when the force's street (stop-and-search) file is there and holds a located record. */
  hasStreet: Uint8Array;
  hasSS: Uint8Array;
  /** Files read that hold no located record of their kind (their force-month is missing for that kind). */
  emptyFiles: { file: string; kind: string; force: string; month: string; records: number }[];
  /** Base area → its --lookup row. */
  lookupUsed: Map<string, readonly string[]>;
  membersOf: (code: string) => string[];
  /** LSOA codes absent from --lookup placed through the ONS 2011 → 2021 lookup (codes of the other vintage). */
  viaCrosswalk: string[];
}
