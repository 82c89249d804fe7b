/**
 * `vru-eval scm`: synthetic control. One command, several methods (--method),
 * sharing the panel, output, donor-pool and inference flags defined here.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { addOutputOptions, addPanelOptions, list } from '../options.js';
import { SCM_METHODS } from './scmMethods.js';
import { addOutcomeScaleOption } from '../outcomeScale.js';

export const DEFAULT_SCM_METHOD = 'gsynth';

export function scmCommand(ctx: CliContext): Command {
  const names = SCM_METHODS.map((m) => m.name);
  const cmd = new Command('scm')
    .description(`synthetic control: ${SCM_METHODS.map((m) => `${m.name} (${m.description})`).join('; ')}`)
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  cmd
    .addOption(new Option('--method <name>', 'synthetic-control method').choices(names).default(names.includes(DEFAULT_SCM_METHOD) ? DEFAULT_SCM_METHOD : names[0]))
    .option('--inference <kind>', 'inference method (allowed values depend on --method; see README)')
    .option('--donors <a,b,...>', 'use only these units as donors / controls', list)
    .option('--exclude-units <a,b,...>', 'drop these units from the donor pool (e.g. a national aggregate, or neighbours exposed to spillovers)', list);
  addOutcomeScaleOption(cmd);
  for (const m of SCM_METHODS) m.addOptions(cmd);
  return cmd.action(async (file: string, o: Record<string, unknown>, command: Command) => {
    const method = SCM_METHODS.find((m) => m.name === o.method);
    if (!method) throw new UsageError('UNKNOWN_METHOD', `--method ${String(o.method)} is not available (choose ${names.join(', ')})`);
    for (const other of SCM_METHODS) {
      if (other === method) continue;
      for (const key of other.ownOptions) {
        if (method.ownOptions.includes(key)) continue;
        if (command.getOptionValueSource(key) === 'cli') {
          const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
          throw new UsageError('OPTION_NOT_FOR_METHOD', `${flag} applies to --method ${other.name}, not --method ${method.name}`, { flag, method: method.name });
        }
      }
    }
    await method.run(ctx, file, o);
  });
}
