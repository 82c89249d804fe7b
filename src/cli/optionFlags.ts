/**
 * Commander side of the option tables (src/core/optionTable.ts): add a table's flags to a
 * command, and tell which options were given on the command line.
 */
import { Option, type Command } from 'commander';
import { attributeName, type OptionTable } from '../core/optionTable.js';

/** Add every option of `table` to `cmd`, in table order (that is the --help order). */
export function addOptions(cmd: Command, table: OptionTable): Command {
  for (const [key, o] of Object.entries(table)) {
    if (attributeName(o.flag) !== key) throw new Error(`option table key '${key}' must be the attribute name of ${o.flag} ('${attributeName(o.flag)}')`);
    const opt = new Option(o.flag, o.help);
    if (o.choices) opt.choices(o.choices);
    else if (o.parse) opt.argParser(o.parse);
    if (o.default !== undefined) opt.default(o.default);
    if (o.required) opt.makeOptionMandatory();
    cmd.addOption(opt);
  }
  return cmd;
}

/** Keys whose value came from the command line (or the environment), not a default. */
export function givenOptions(command: Command): Set<string> {
  const given = new Set<string>();
  for (const [k] of Object.entries(command.opts())) {
    const src = command.getOptionValueSource(k);
    if (src === 'cli' || src === 'env') given.add(k);
  }
  return given;
}
