/**
 * `vru-eval scm`: synthetic control. One command, several methods (--method),
 * sharing the panel, output, donor-pool and inference flags defined here.
 */
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { readOptions } from '../../core/optionTable.js';
import { SCM_COMMAND_OPTIONS } from '../../analyse/scmMethods.js';
import type { CliContext } from '../context.js';
import { addOptions, givenOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions } from '../options.js';
import { methodOptionKeys } from './scmMethods.js';
import { SCM_METHODS } from './scmRegistry.js';

export { DEFAULT_SCM_METHOD } from '../../estimators/scmOptions.js';

/** Methods that turn the effect into offences avoided and so read --outcome-scale (src/cli/outcomeScale.ts). */
const COUNTING_METHODS: readonly string[] = ['gsynth'];

/** The options of `scm` itself: defined in the library (src/analyse/scmMethods.ts), re-exported for existing imports. */
export { SCM_COMMAND_OPTIONS };

export function scmCommand(ctx: CliContext): Command {
  const names = SCM_METHODS.map((m) => m.name);
  const cmd = new Command('scm')
    .description(`synthetic control: ${SCM_METHODS.map((m) => `${m.name} (${m.description})`).join('; ')}`)
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, SCM_COMMAND_OPTIONS);
  for (const m of SCM_METHODS) {
    if (m.options) addOptions(cmd, m.options);
    else m.addOptions?.(cmd);
  }
  return cmd.action(async (file: string, o: Record<string, unknown>, command: Command) => {
    const { method: name } = readOptions(SCM_COMMAND_OPTIONS, o);
    const method = SCM_METHODS.find((m) => m.name === name);
    if (!method) throw new UsageError('UNKNOWN_METHOD', `--method ${String(name)} is not available (choose ${names.join(', ')})`);
    const given = givenOptions(command);
    // --outcome-scale decides how offences avoided are counted: only methods that count offences take it (issue 14)
    if (given.has('outcomeScale') && !COUNTING_METHODS.includes(method.name)) {
      throw new UsageError('OPTION_NOT_FOR_METHOD', `--outcome-scale applies to methods that report offences avoided (${COUNTING_METHODS.join(', ')}), not --method ${method.name}`, { flag: '--outcome-scale', method: method.name });
    }
    for (const other of SCM_METHODS) {
      if (other === method) continue;
      for (const key of methodOptionKeys(other)) {
        if (methodOptionKeys(method).includes(key)) continue;
        if (given.has(key)) {
          const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
          throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} applies to --method ${other.name}, not --method ${method.name}`, { flag, method: method.name });
        }
      }
    }
    await method.run(ctx, file, o);
  });
}
