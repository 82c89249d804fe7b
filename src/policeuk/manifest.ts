/**
 * The manifest written beside a panel built from police.uk files: what was read
 * (every file with its sha256), what was counted and what was dropped and why,
 * force-months with no file, unlocated shares, hotspot cut-off, population years.
 * `vru-eval inspect` summarises it when it sits beside the panel.
 */
import { readFileSync, existsSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import type { FileTally } from './read.js';

export interface ManifestFile extends Partial<Omit<FileTally, 'records'>> {
  file: string;
  force: string;
  month: string;
  kind: string;
  sha256: string | null;
  bytes: number;
  records: number | null;
  /** Why the file was not read (null when read). */
  reason: string | null;
}

export interface Manifest {
  manifestVersion: 1;
  tool: { name: string; version: string };
  source: string;
  options: Record<string, unknown>;
  inputs: { path: string; type: string; sha256: string | null; files: number }[];
  files: ManifestFile[];
  excludedFiles: ManifestFile[];
  outsideWindow: string[];
  ignoredFiles: string[];
  window: { from: string; to: string; months: number };
  forces: string[];
  /** Force-months with no street-level file, or a file with no located record (reason). */
  missingForceMonths: { force: string; month: string; reason?: string }[];
  /** Files read that hold no located record of their kind. */
  emptyFiles?: { file: string; kind: string; force: string; month: string; records: number }[];
  missingStopSearchMonths: { force: string; month: string; reason?: string }[] | null;
  records: {
    records: number;
    duplicates: number;
    unlocated: number;
    outsideAreas: number;
    used: number;
    /** Where every record used went (the identity is checked on every build). */
    accounting?: { used: number; inPanel: number; inMissingForceMonths: number; inOtherForcesAreas: number; inDroppedAreas: { maxUnlocated: number; incomplete: number; hotspots: number }; identity: string };
    dedupe: string;
  };
  unlocated: { force: string; records: number; unlocated: number; share: number }[];
  droppedForces: { force: string; unlocatedShare: number; threshold: number; units: number }[];
  /** Areas whose home force has no file in the archive, by force. */
  otherForceAreas?: { force: string; areas: number; records: number; examples: string[] }[];
  crossBorder: { areas: number; records: number; first: { area: string; home: string; records: number; fromOtherForces: number }[] };
  crosswalk: { file: string; from: string; to: string; groupsOfSeveralCodes: number } | null;
  /** The ONS geography shipped with vru-eval (source, version, licence, sha256) and what it was used for. */
  geography?: { file: string; built: string; from: readonly string[]; version: string; licence: string; sha256: string; usedFor: string };
  units: {
    level: string;
    /** By police.uk's LSOA field or by polygon (--areas *.geojson). */
    counting?: string;
    found: number;
    kept: number;
    droppedIncomplete: string[];
    homeForce: string;
    /** Every area found: its home force, where that came from, its records and the share filed by its own force, kept or why dropped. */
    list?: { unit: string; force: string | null; forceFrom: 'ons' | 'records'; records: number; fromOwnForce: number; shareFromOwnForce: number | null; kept: boolean; dropped: string | null }[];
  };
  hotspots: {
    by: string;
    before: string;
    rankedBy: string;
    requested: string;
    /** What the share was taken of. */
    shareOf?: string;
    candidates: number;
    unranked: number;
    /** Areas with no observed pre-period month, by force. */
    unrankedByForce?: { force: string; areas: number; examples: string[]; wholeForce: boolean }[];
    target: number;
    /** The cut-off (mean monthly count); null when ranked within forces (see `groups`). */
    cutoff: number | null;
    tiedAtCutoff: number;
    kept: number;
    extraFromTies: number;
    /** 'all', or 'force': ranked within each area's home force. */
    within: 'all' | 'force';
    /** Per home force with --hotspots-within force: candidates, target, cut-off, ties and areas kept. */
    groups: { group: string; candidates: number; target: number; cutoff: number; tiedAtCutoff: number; kept: number }[] | null;
  } | null;
  treated: { unit: string; start: string }[];
  population: { file: string; yearsInFile: number[]; rule: string; yearUsed: Record<string, number>; layout?: { lsoaColumn: string; layout: string; columns: { column: string; year: number }[] } } | null;
  /** emptyCells: area-months with empty crime counts; emptyStopSearchCells: area-months with an empty stop_search (null without --stop-search). */
  panel: { columns: string[]; rows: number; emptyCells: number; emptyStopSearchCells?: number | null };
  warnings: { code: string; message: string }[];
}

/** The manifest's path beside a panel: panel.csv → panel.manifest.json. */
export function manifestPathFor(panelPath: string): string {
  return panelPath.replace(/\.csv$/i, '') + '.manifest.json';
}

/** A short summary of a manifest for `inspect`. */
export function summariseManifest(file: string): Record<string, unknown> {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new InputError('BAD_MANIFEST', `${file} cannot be read as a panel manifest (${(e as Error).message})`, { file });
  }
  if (m?.manifestVersion !== 1 || !Array.isArray(m.files)) throw new InputError('BAD_MANIFEST', `${file} is not a vru-eval panel manifest`, { file });
  const dropped = { duplicates: m.records.duplicates, unlocated: m.records.unlocated, outsideAreas: m.records.outsideAreas };
  return {
    file,
    source: m.source,
    window: m.window,
    forces: m.forces.length,
    filesRead: m.files.length,
    filesExcluded: m.excludedFiles.length,
    records: m.records.records,
    used: m.records.used,
    dropped,
    missingForceMonths: { count: m.missingForceMonths.length, first: m.missingForceMonths.slice(0, 10) },
    maxUnlocatedShare: m.unlocated.reduce((a, x) => Math.max(a, x.share), 0),
    droppedForces: m.droppedForces.map((d) => d.force),
    units: m.units,
    hotspots: m.hotspots ? { by: m.hotspots.by, before: m.hotspots.before, cutoff: m.hotspots.cutoff, kept: m.hotspots.kept, tiedAtCutoff: m.hotspots.tiedAtCutoff } : null,
    population: m.population ? m.population.yearUsed : null,
    warnings: m.warnings.map((w) => w.code),
  };
}

/** The manifest to summarise for a panel: the one given, else the one beside it, else null. */
export function findManifest(panelPath: string, given: string | undefined): string | null {
  if (given !== undefined) return given;
  if (panelPath === '-') return null;
  const p = manifestPathFor(panelPath);
  return existsSync(p) ? p : null;
}
