/**
 * A plan data source built from public files by `vru-eval panel` (today: police.uk), as a step
 * of the plan:
 *
 *   data:
 *     hotspots:
 *       panel:
 *         source: police-uk
 *         paths: [archive.zip]            # archive zips / folders, relative to the plan
 *         options: { hotspots: "20%", by: violence_and_sexual_offences, before: "2019-04", … }
 *       options: { population: population }   # the analyses' panel options, as for a CSV source
 *
 * The build options are the panel command's own (src/policeuk/options.ts), validated by the same
 * table as its flags (unknown keys → exit 2 with the key path and the nearest valid key). The
 * step runs the real command, writing results/data/<name>.csv and <name>.manifest.json; analyses
 * that name the source read that CSV, and `run --check` compares it byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { optionArgs, optionsSchema, planValues, PlanError, unknownKey, type JsonSchema } from '../core/optionTable.js';
import { POLICEUK_OPTIONS } from '../policeuk/options.js';

/** Sources `vru-eval panel` can build in a plan. */
export const BUILD_SOURCES = ['police-uk'] as const;
export type BuildSource = (typeof BUILD_SOURCES)[number];

/** Options of the panel command that name files: resolved relative to the plan. */
const FILE_OPTIONS = ['lookup', 'areas', 'lsoaCrosswalk', 'population', 'treatedFile'] as const;

export interface PanelBuild {
  source: BuildSource;
  /** Absolute archive paths. */
  paths: string[];
  /** As written in the plan. */
  givenPaths: string[];
  /** Every option of POLICEUK_OPTIONS (plan value or default; file options made absolute). */
  values: Record<string, unknown>;
  /** Keys the plan gives. */
  given: Set<string>;
  /** Absolute path → as written in the plan, for the manifest's command lines. */
  shown: Map<string, string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validate `data.<name>.panel`.
 * @param path key path, e.g. 'data.hotspots.panel'
 * @param dir the plan's directory (paths are relative to it)
 * @throws PlanError (exit 2) naming the key path
 */
export function parsePanelBuild(raw: unknown, path: string, dir: string): PanelBuild {
  if (!isObj(raw)) throw new PlanError('PLAN_BAD_TYPE', path, `must be a mapping { source: police-uk, paths: [...], options: {...} } (got ${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)})`);
  const keys = ['source', 'paths', 'options'];
  for (const k of Object.keys(raw)) if (!keys.includes(k)) throw unknownKey(path, k, keys);
  const source = raw.source;
  if (!(BUILD_SOURCES as readonly unknown[]).includes(source)) throw new PlanError('PLAN_BAD_VALUE', `${path}.source`, `must be one of ${BUILD_SOURCES.join(', ')} (got ${JSON.stringify(source)})`);
  const paths = raw.paths;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((x) => typeof x === 'string' && x !== '')) throw new PlanError('PLAN_BAD_TYPE', `${path}.paths`, 'must be a non-empty list of police.uk archive zips or folders (relative to the plan)');
  const options = raw.options === undefined ? {} : raw.options;
  if (!isObj(options)) throw new PlanError('PLAN_BAD_TYPE', `${path}.options`, 'must be a mapping of the panel command\'s options (vru-eval panel --help; --treated-where → treatedWhere)');
  const pv = planValues([POLICEUK_OPTIONS], options, `${path}.options`);
  const shown = new Map<string, string>();
  const abs = (p: string): string => {
    const a = resolve(dir, p);
    shown.set(a, p);
    return a;
  };
  for (const k of FILE_OPTIONS) if (typeof pv.values[k] === 'string') pv.values[k] = abs(pv.values[k] as string);
  return { source: source as BuildSource, paths: (paths as string[]).map(abs), givenPaths: paths as string[], values: pv.values, given: pv.given, shown };
}

/** The command line that builds the panel into `csv` with its manifest at `manifest`. */
export function buildArgs(b: PanelBuild, csv: string, manifest: string): string[] {
  return ['panel', b.source, ...b.paths, ...optionArgs([POLICEUK_OPTIONS], b.values, b.given), '--out', csv, '--manifest', manifest];
}

/** Where a built source's files go in the results directory. */
export function builtFiles(out: string, name: string): { csv: string; manifest: string; rel: { csv: string; manifest: string } } {
  const rel = { csv: `data/${name}.csv`, manifest: `data/${name}.manifest.json` };
  return { csv: join(out, rel.csv), manifest: join(out, rel.manifest), rel };
}

/**
 * Make the paths in a built panel's manifest relative to the plan's directory (the plan passes
 * absolute paths to the command): the manifest then reads as if `vru-eval panel` had been typed
 * in the plan's directory with the plan's paths, and committed results do not depend on where
 * they were computed. Every string that starts with `<dir>/` loses that prefix; nothing else changes.
 */
export function relativiseManifest(file: string, dir: string): void {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.startsWith(prefix) ? v.slice(prefix.length) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  writeFileAtomic(file, JSON.stringify(walk(JSON.parse(readFileSync(file, 'utf8'))), null, 2) + '\n');
}

/** JSON Schema of a built data source, given the schema of the analyses' panel options. */
export function builtDataSchema(analysisOptions: JsonSchema): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['panel'],
    properties: {
      panel: {
        type: 'object',
        additionalProperties: false,
        required: ['source', 'paths'],
        description: 'build the panel with `vru-eval panel <source> <paths...>` as a step of the plan, into results/data/<name>.csv (with <name>.manifest.json); analyses naming this source read it',
        properties: {
          source: { enum: [...BUILD_SOURCES] },
          paths: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'police.uk archive zips or folders, relative to the plan file' },
          options: optionsSchema([POLICEUK_OPTIONS]),
        },
      },
      options: analysisOptions,
    },
  };
}
