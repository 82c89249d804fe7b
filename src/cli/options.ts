/**
 * The shared flags, defined once (tables in src/core/commonOptions.ts; mechanism in
 * src/core/optionTable.ts): panel mapping, output, seed and level.
 * Commands add these with `addPanelOptions` / `addOutputOptions` and read them
 * back with `panelOptionsFrom` / `commonFrom`.
 */
import { Option, type Command } from 'commander';
import { OUTPUT_OPTIONS, PANEL_OPTIONS } from '../core/commonOptions.js';
import { UsageError } from '../core/errors.js';
import { readOptions } from '../core/optionTable.js';
import type { PanelOptions } from '../core/panel.js';
import { panelOptionsOf } from '../analyse/source.js';
import { addOptions } from './optionFlags.js';

export { list, numberArg, repeatable } from '../core/optionTable.js';

export function addPanelOptions(cmd: Command): Command {
  return addOptions(cmd, PANEL_OPTIONS);
}

export function addOutputOptions(cmd: Command): Command {
  return addOptions(cmd, OUTPUT_OPTIONS);
}

export interface CommonOptions {
  out: string | undefined;
  seed: number;
  level: number;
}

export function commonFrom(o: Record<string, unknown>): CommonOptions {
  const { out, seed, level } = readOptions(OUTPUT_OPTIONS, o);
  if (level >= 1) throw new UsageError('BAD_NUMBER', `--level ${level} must be below 1, e.g. 0.95`, { flag: '--level' });
  return { out, seed, level };
}

/** The panel mapping of the parsed flags: the library's {@link panelOptionsOf} (one definition for the CLI and analyse()). */
export function panelOptionsFrom(o: Record<string, unknown>): PanelOptions {
  return panelOptionsOf(readOptions(PANEL_OPTIONS, o));
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

/**
 * The typed option values of a panel command for analyse() (src/analyse.ts): the panel mapping,
 * seed and level (checked as commonFrom does) and the values of `tables`. The one cast of commander's
 * option bag into the library's option types.
 */
export function analyseOptionsFrom<T>(o: Record<string, unknown>, tables: readonly import('../core/optionTable.js').OptionTable[]): T {
  const { seed, level } = commonFrom(o);
  const out: Record<string, unknown> = { ...readOptions(PANEL_OPTIONS, o), seed, level };
  for (const t of tables) Object.assign(out, readOptions(t, o));
  return out as T;
}
