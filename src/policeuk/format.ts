/**
 * The police.uk open-data archive format: file names, headers and crime types,
 * as published at data.police.uk (street-level crime and stop-and-search files;
 * one CSV per force per month, in folders YYYY-MM/).
 */

/** Header of every street-level crime file, byte for byte. */
export const STREET_HEADER = 'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context';
/** Header of every stop-and-search file, byte for byte. */
export const STOP_SEARCH_HEADER =
  'Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing';

export const STREET_FIELDS = 12;
export const STOP_SEARCH_FIELDS = 15;

/** police.uk's 14 crime types, in the order of the panel's columns. */
export const CRIME_TYPES = [
  'Anti-social behaviour',
  'Bicycle theft',
  'Burglary',
  'Criminal damage and arson',
  'Drugs',
  'Other crime',
  'Other theft',
  'Possession of weapons',
  'Public order',
  'Robbery',
  'Shoplifting',
  'Theft from the person',
  'Vehicle crime',
  'Violence and sexual offences',
] as const;
export type CrimeType = (typeof CRIME_TYPES)[number];
export const ASB_INDEX = 0;
export const N_TYPES = CRIME_TYPES.length;

/** Column name of a crime type: lower case, non-alphanumerics to '_' ('Violence and sexual offences' → 'violence_and_sexual_offences'). */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}
export const CRIME_SLUGS: readonly string[] = CRIME_TYPES.map(slug);

/**
 * Forces that are not territorial police forces of England and Wales: their records
 * sit in other forces' areas (British Transport Police on the railways). Left out
 * unless named by --include-force.
 */
export const NON_TERRITORIAL_FORCES: readonly string[] = ['btp'];

export type ArchiveFileKind = 'street' | 'stop-and-search' | 'outcomes';

/** `YYYY-MM-<force>-street.csv` etc. (the force slug may hold hyphens). */
export const ARCHIVE_FILE = /^(\d{4})-(\d{2})-(.+)-(street|stop-and-search|outcomes)\.csv$/;
export const MONTH_DIR = /^\d{4}-\d{2}$/;

/** Month ordinal (year·12 + month − 1) of 'YYYY-MM', or null. */
export function monthOrdinal(label: string): number | null {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (!m) return null;
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return null;
  return Number(m[1]) * 12 + mo - 1;
}

/** 'YYYY-MM' of a month ordinal. */
export function monthLabel(ord: number): string {
  const y = Math.floor(ord / 12);
  const m = ord - y * 12 + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}
