/**
 * Commander side of the option tables (src/core/optionTable.ts): add a table's flags to a
 * command, and tell which options were given on the command line.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { attributeName, deprecationWarning, longFlag, type OptionTable } from '../core/optionTable.js';

/** A hidden deprecated flag registered by addOptions: its attribute, the key it stands for, the two flags. */
interface RegisteredAlias {
  attr: string;
  key: string;
  oldFlag: string;
  newFlag: string;
}
const ALIASES = new WeakMap<Command, RegisteredAlias[]>();
/** Options added from tables, by key: one entry object shared by several tables (scm's SCM_REPS) is added once. */
const ADDED = new WeakMap<Command, Map<string, unknown>>();

/** Add every option of `table` to `cmd`, in table order (that is the --help order). */
export function addOptions(cmd: Command, table: OptionTable): Command {
  for (const [key, o] of Object.entries(table)) {
    if (attributeName(o.flag) !== key) throw new Error(`option table key '${key}' must be the attribute name of ${o.flag} ('${attributeName(o.flag)}')`);
    const added = ADDED.get(cmd) ?? new Map<string, unknown>();
    ADDED.set(cmd, added);
    if (added.get(key) === o) continue; // the same shared entry from another table of this command
    added.set(key, o);
    const opt = new Option(o.flag, o.help);
    if (o.choices) opt.choices(o.choices);
    else if (o.parse) opt.argParser(o.parse);
    if (o.default !== undefined) opt.default(o.default);
    if (o.required) opt.makeOptionMandatory();
    cmd.addOption(opt);
    for (const a of o.aliases ?? []) {
      // the old name: hidden from --help, same parser; resolveAliases moves its value to `key` before the action
      const attr = attributeName(a.flag);
      const old = new Option(a.flag, `deprecated: ${longFlag(o.flag)}`).hideHelp();
      if (o.choices) old.choices(o.choices);
      else if (o.parse) old.argParser(o.parse);
      cmd.addOption(old);
      const list = ALIASES.get(cmd) ?? [];
      list.push({ attr, key, oldFlag: longFlag(a.flag), newFlag: longFlag(o.flag) });
      ALIASES.set(cmd, list);
    }
  }
  return cmd;
}

/**
 * Move the values of deprecated flags given on the command line to their new keys (as if the new
 * flag had been given) and return one DEPRECATED_OPTION warning per old name used. Giving both
 * the old and the new name is a usage error. Called before the action (preAction hook, main.ts).
 */
export function resolveAliases(command: Command): { code: string; message: string }[] {
  const warnings: { code: string; message: string }[] = [];
  for (const a of ALIASES.get(command) ?? []) {
    const src = command.getOptionValueSource(a.attr);
    if (src !== 'cli' && src !== 'env') continue;
    const newSrc = command.getOptionValueSource(a.key);
    if (newSrc === 'cli' || newSrc === 'env') throw new UsageError('CONFLICTING_OPTIONS', `${a.oldFlag} is the old name of ${a.newFlag}; give only ${a.newFlag}`, { flag: a.oldFlag, newFlag: a.newFlag });
    const value = command.getOptionValue(a.attr);
    command.setOptionValueWithSource(a.key, value, src);
    command.setOptionValueWithSource(a.attr, undefined, 'default');
    warnings.push(deprecationWarning(a.oldFlag, a.newFlag));
  }
  return warnings;
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
