/**
 * `--help` of `vru-eval scm`, one method at a time (issue 23): `scm --help` lists the shared flags and
 * the methods, each with the command that shows its own flags; `scm --method micro --help` shows the
 * shared flags and micro's only. The flags themselves stay generated from the option tables: this
 * only chooses which of the command's options to show, by the method tables' keys.
 */
import { Help, type Command, type Option } from 'commander';
import { attributeName } from '../../core/optionTable.js';
import { methodOptionKeys, type ScmMethod } from './scmMethods.js';

/**
 * The method a help request names. Commander stops reading options at `--help` (everything after it
 * is left unparsed), so `scm --help --method micro` is read from the raw arguments of the program;
 * `scm --method micro --help` is also in the parsed value.
 */
export function helpMethod(cmd: Command, methods: readonly ScmMethod[]): ScmMethod | null {
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

/** Keys of options that only some methods take (shown only in those methods' help). */
function methodOnlyKeys(methods: readonly ScmMethod[], perMethodShared: Readonly<Record<string, readonly string[]>>): Set<string> {
  const keys = new Set<string>(Object.keys(perMethodShared));
  for (const m of methods) for (const k of methodOptionKeys(m)) keys.add(k);
  return keys;
}

/**
 * Make `cmd`'s help show one method's flags.
 * @param perMethodShared options of the command itself that only some methods use (e.g. `outcomeScale` → ['gsynth'])
 */
export function configureScmHelp(cmd: Command, methods: readonly ScmMethod[], perMethodShared: Readonly<Record<string, readonly string[]>> = {}): Command {
  const onlySome = methodOnlyKeys(methods, perMethodShared);
  const base = new Help();
  cmd.configureHelp({
    visibleOptions: (c: Command): Option[] => {
      const m = helpMethod(c, methods);
      const own = new Set(m ? methodOptionKeys(m) : []);
      return base.visibleOptions(c).filter((o) => {
        if (!o.long) return true;
        const key = attributeName(o.flags);
        if (!onlySome.has(key)) return true;
        if (m === null) return false;
        return own.has(key) || (perMethodShared[key]?.includes(m.name) ?? false);
      });
    },
    commandDescription: (c: Command): string => {
      const m = helpMethod(c, methods);
      return m ? `scm --method ${m.name}: ${m.description}` : base.commandDescription(c);
    },
  });
  cmd.addHelpText('after', ({ command }) => {
    const m = helpMethod(command, methods);
    if (m) return `\nOnly the flags of --method ${m.name} and those shared by every method are shown (vru-eval scm --help lists the methods).\nDocumentation: docs/methods/${m.name}.md`;
    const width = Math.max(...methods.map((x) => x.name.length));
    return [
      '',
      'Methods (each has its own flags; the list above is the flags every method shares):',
      ...methods.map((x) => `  ${x.name.padEnd(width)}  vru-eval scm --method ${x.name} --help`),
      'Documentation: docs/commands/scm.md and docs/methods/<method>.md',
    ].join('\n');
  });
  return cmd;
}
