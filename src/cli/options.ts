/**
 * The shared flags, defined once: panel mapping, output, seed and level.
 * Commands add these with `addPanelOptions` / `addOutputOptions` and read them
 * back with `panelOptionsFrom` / `commonFrom`.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { PanelOptions } from '../core/panel.js';
import { DEFAULT_SEED } from '../core/rng.js';

/** Split a comma-separated list flag, trimming blanks. */
export function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

/** Repeatable string flag. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parse a number flag, or throw a usage error naming the flag. */
export function numberArg(flag: string, opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean } = {}) {
  return (value: string): number => {
    const v = Number(value);
    const ok =
      value.trim() !== '' &&
      Number.isFinite(v) &&
      (!opts.integer || Number.isInteger(v)) &&
      (opts.min === undefined || (opts.exclusiveMin ? v > opts.min : v >= opts.min)) &&
      (opts.max === undefined || v <= opts.max);
    if (!ok) {
      const range = [opts.min !== undefined ? `${opts.exclusiveMin ? '>' : '≥'} ${opts.min}` : '', opts.max !== undefined ? `≤ ${opts.max}` : ''].filter(Boolean).join(' and ');
      throw new UsageError('BAD_NUMBER', `${flag} '${value}' must be ${opts.integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`, { flag, value });
    }
    return v;
  };
}

export function addPanelOptions(cmd: Command): Command {
  return cmd
    .option('--unit <col>', 'unit id column', 'unit')
    .option('--time <col>', 'period column (YYYY-MM, YYYY-Qn, YYYY or integer)', 'period')
    .requiredOption('--outcome <col>', 'outcome column')
    .option('--treated <col>', "0/1 treatment column (default 'treated')")
    .option('--treated-units <a,b,...>', 'treated units (instead of a treatment column); needs --start', list)
    .option('--start <period>', 'first treated period for --treated-units, e.g. 2019-04')
    .option('--covariates <a,b,...>', 'time-varying covariate columns', list)
    .option('--population <col>', 'population column (for rates and counts)');
}

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--out <file>', 'write the JSON document here (atomically) instead of stdout')
    .option('--plot <file>', 'also draw the default chart of the result (.svg or .png, written atomically after the document); see vru-eval plot')
    .option('--seed <n>', 'seed of the random generator (recorded in the output)', numberArg('--seed', { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }), DEFAULT_SEED)
    .addOption(new Option('--level <p>', 'confidence level of every interval').argParser(numberArg('--level', { min: 0, max: 1, exclusiveMin: true })).default(0.95));
}

export interface CommonOptions {
  out: string | undefined;
  seed: number;
  level: number;
}

export function commonFrom(o: Record<string, unknown>): CommonOptions {
  const level = o.level as number;
  if (level >= 1) throw new UsageError('BAD_NUMBER', `--level ${level} must be below 1, e.g. 0.95`, { flag: '--level' });
  return { out: o.out as string | undefined, seed: o.seed as number, level };
}

export function panelOptionsFrom(o: Record<string, unknown>): PanelOptions {
  const p: PanelOptions = { outcome: o.outcome as string };
  if (o.unit !== undefined) p.unit = o.unit as string;
  if (o.time !== undefined) p.time = o.time as string;
  if (o.treated !== undefined) p.treated = o.treated as string;
  if (o.treatedUnits !== undefined) p.treatedUnits = o.treatedUnits as string[];
  if (o.start !== undefined) p.start = o.start as string;
  if (o.covariates !== undefined) p.covariates = o.covariates as string[];
  if (o.population !== undefined) p.population = o.population as string;
  return p;
}

/** Output formats of `--format` (every command; see output.ts). */
export const OUTPUT_FORMATS = ['table', 'json', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * How results are shown, on every command (added by buildProgram to each command): the
 * readable summary on a terminal, the JSON document when piped. Never recorded in a document
 * (presentation only: the document is the same whichever is chosen).
 */
export function addPresentationOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print the JSON document on stdout even on a terminal (the default when stdout is not a terminal)')
    .addOption(new Option('--format <format>', 'stdout: a readable summary (table, markdown) or the JSON document (json); default: table on a terminal, json otherwise').choices(OUTPUT_FORMATS))
    .option('--quiet', 'no summary and no progress on a terminal; the JSON document still goes to stdout when there is no --out');
}
