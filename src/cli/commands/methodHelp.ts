/**
 * `--help` of a command with methods, one method at a time (issue 23): `scm --help` lists the shared
 * flags and the methods, each with the command that shows its own flags; `scm --method micro --help`
 * shows the shared flags and micro's only (likewise `did --method cs --help`). The flags themselves
 * stay generated from the option tables: this only chooses which of the command's options to show,
 * by the method tables' keys.
 */
import { Help, type Command, type Option } from 'commander';
import { attributeName, type OptionTable } from '../../core/optionTable.js';

/** A method as help needs it: its --method value, a one-line description and its own option table. */
export interface HelpMethod {
  name: string;
  description: string;
  options?: OptionTable | undefined;
  /** Attribute names of its own flags when it has no table (plain-commander methods). */
  ownOptions?: readonly string[] | undefined;
}

const ownKeys = (m: HelpMethod): readonly string[] => (m.options ? Object.keys(m.options) : (m.ownOptions ?? []));

/**
 * The method a help request names. Commander stops reading options at `--help` (everything after it
 * is left unparsed), so `scm --help --method micro` is read from the raw arguments of the program;
 * `scm --method micro --help` is also in the parsed value.
 */
export function helpMethod<M extends HelpMethod>(cmd: Command, methods: readonly M[]): M | null {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: unknown }).rawArgs;
  const args = Array.isArray(raw) ? (raw as unknown[]).map(String) : [];
  let name: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--method') name = args[i + 1] ?? null;
    else if (a.startsWith('--method=')) name = a.slice('--method='.length);
  }
  if (name === null && cmd.getOptionValueSource('method') === 'cli') name = String(cmd.opts().method);
  return methods.find((m) => m.name === name) ?? null;
}

/**
 * Make `cmd`'s help show one method's flags.
 * @param perMethodShared options of the command itself that only some methods use (e.g. `outcomeScale` → ['gsynth'])
 */
/** Commands configured here → the options their help shows for a method (or for none). */
const SHOWN = new WeakMap<Command, (method: string | null) => Option[]>();

/**
 * The options `<command> --method <method> --help` shows (`method` null: plain `--help`), or null
 * when the command has no per-method help. Used by the docs generator (scripts/docs.ts), so the
 * generated flag tables are exactly what help shows.
 */
export function helpOptionsFor(cmd: Command, method: string | null): Option[] | null {
  return SHOWN.get(cmd)?.(method) ?? null;
}

/**
 * Make `cmd`'s help show one method's flags.
 * @param perMethodShared options of the command itself that only some methods use (e.g. `outcomeScale` → ['gsynth'])
 */
export function configureMethodHelp(cmd: Command, methods: readonly HelpMethod[], perMethodShared: Readonly<Record<string, readonly string[]>> = {}): Command {
  const onlySome = new Set<string>([...Object.keys(perMethodShared), ...methods.flatMap((m) => ownKeys(m))]);
  const base = new Help();
  const name = cmd.name();
  const shown = (c: Command, m: HelpMethod | null): Option[] => {
    const own = new Set(m ? ownKeys(m) : []);
    return base.visibleOptions(c).filter((o) => {
      if (!o.long) return true;
      const key = attributeName(o.flags);
      if (!onlySome.has(key)) return true;
      if (m === null) return false;
      return own.has(key) || (perMethodShared[key]?.includes(m.name) ?? false);
    });
  };
  SHOWN.set(cmd, (method) => shown(cmd, method === null ? null : (methods.find((m) => m.name === method) ?? null)));
  cmd.configureHelp({
    visibleOptions: (c: Command): Option[] => shown(c, helpMethod(c, methods)),
    commandDescription: (c: Command): string => {
      const m = helpMethod(c, methods);
      return m ? `${name} --method ${m.name}: ${m.description}` : base.commandDescription(c);
    },
  });
  cmd.addHelpText('after', ({ command }) => {
    const m = helpMethod(command, methods);
    if (m) return `\nOnly the flags of --method ${m.name} and those shared by every method are shown (vru-eval ${name} --help lists the methods).\nDocumentation: docs/methods/${m.name}.md`;
    const width = Math.max(...methods.map((x) => x.name.length));
    return [
      '',
      'Methods (each has its own flags; the list above is the flags every method shares):',
      ...methods.map((x) => `  ${x.name.padEnd(width)}  vru-eval ${name} --method ${x.name} --help`),
      `Documentation: docs/commands/${name}.md and docs/methods/<method>.md`,
    ].join('\n');
  });
  return cmd;
}
