/**
 * A method of `vru-eval scm`: adds its own flags to the shared command and runs when selected
 * with --method. The list is in scmRegistry.ts (kept apart so that method files importing this
 * type do not form an import circle with the list that imports them).
 */
import type { Command } from 'commander';
import type { OptionTable } from '../../core/optionTable.js';
import type { CliContext } from '../context.js';

export interface ScmMethod {
  /** Value of --method. */
  name: string;
  /** One-line description for --help. */
  description: string;
  /** This method's own options (src/core/optionTable.ts): flags, help, plan schema and validation derive from it. */
  options?: OptionTable;
  /** Plain-commander alternative to `options` (not usable in plans): add this method's own flags. */
  addOptions?: (cmd: Command) => Command;
  /** With `addOptions`: attribute names (commander camelCase) of its flags, to reject them under another method. */
  ownOptions?: readonly string[];
  /** Run the method: read the panel, estimate, emit the document. `o` holds every parsed flag (read it with readOptions). */
  run: (ctx: CliContext, file: string, o: Record<string, unknown>) => void | Promise<void>;
}

/** Attribute names of a method's own options. */
export function methodOptionKeys(m: ScmMethod): readonly string[] {
  return m.options ? Object.keys(m.options) : (m.ownOptions ?? []);
}
