/**
 * Generated flag sections of the documentation (issue 23). Each page under docs/ (and README.md)
 * may hold blocks
 *
 *     <!-- flags: command:scm -->            … the flags every scm method shares
 *     <!-- flags: method:micro -->           … the flags of scm --method micro
 *     <!-- /flags -->
 *
 * whose content is generated from the option tables (src/core/optionTable.ts and each estimator's
 * options.ts), through the same commander commands that `--help` prints, so a renamed flag, a new
 * default or a new option shows up in the docs by running
 *
 *     npm run docs            (rewrites the blocks)
 *     npm run docs -- --check (exit 1 and the stale pages, changes nothing)
 *
 * and tests/docs/docs.test.ts fails while a block is stale. `command:<name>` lists the options that
 * `vru-eval <name> --help` shows (for scm and did: the flags every method shares); `method:<name>` what `--method <name> --help` adds
 * to it (the method's table, and shared flags only that method reads, such as scm's --outcome-scale),
 * or for its and cba the options of their table. Hidden options (deprecated aliases) are
 * left out, as in --help. The presentation flags every command takes (--json, --format, --quiet)
 * are documented once, in docs/commands/README.md.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, Option } from 'commander';
import { attributeName, type OptionTable } from '../src/core/optionTable.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import type { CliContext } from '../src/cli/context.js';
import { toolInfo } from '../src/cli/version.js';
import { SCM_METHODS } from '../src/cli/commands/scmRegistry.js';
import { CS_OPTIONS, TWFE_OPTIONS } from '../src/estimators/did/options.js';
import { ITS_OPTIONS } from '../src/estimators/its/options.js';
import { CBA_OPTIONS } from '../src/estimators/cba/options.js';
import { helpOptionsFor } from '../src/cli/commands/methodHelp.js';

/** A method documented on its own page: the command it belongs to and its option table. */
export interface DocMethod {
  command: string;
  table: OptionTable;
  /** The prefix of its help texts ('gsynth: bootstrap replications'), dropped on its own page. */
  prefix: string;
}

/** Every documented method (docs/methods/<name>.md). */
export function docMethods(): Record<string, DocMethod> {
  const out: Record<string, DocMethod> = {};
  for (const m of SCM_METHODS) if (m.options) out[m.name] = { command: 'scm', table: m.options, prefix: m.name };
  out.twfe = { command: 'did', table: TWFE_OPTIONS, prefix: 'twfe' };
  out.cs = { command: 'did', table: CS_OPTIONS, prefix: 'cs' };
  out.its = { command: 'its', table: ITS_OPTIONS, prefix: 'its' };
  out.cba = { command: 'cba', table: CBA_OPTIONS, prefix: 'cba' };
  return out;
}

const silentContext = (): CliContext => ({ io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false }, tool: toolInfo() });

/** The commander command `vru-eval <name>` (with its subcommand, for `panel`), as the CLI builds it. */
async function commandOf(name: string): Promise<Command> {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`docs: no command '${name}' (known: ${COMMANDS.map((c) => c.name).join(', ')})`);
  const cmd = (await entry.load())(silentContext());
  // `panel` is a group: its flags are those of its one subcommand (panel police-uk)
  return cmd.commands.length === 1 ? cmd.commands[0]! : cmd;
}

/** Markdown of a cell: code spans keep their text; pipes escaped for the table. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultText(o: Option): string {
  if (o.mandatory) return 'required';
  const d = o.defaultValue as unknown;
  if (d === undefined || d === false) return '';
  if (o.negate) return '';
  if (Array.isArray(d)) return d.length === 0 ? '' : `\`${cell(d.join(','))}\``;
  return `\`${cell(String(d))}\``;
}

function row(o: Option, prefix: string | null): string {
  let help = o.description;
  if (prefix && help.startsWith(`${prefix}: `)) help = help.slice(prefix.length + 2);
  if (o.argChoices) help += ` (one of ${o.argChoices.map((c) => `\`${c}\``).join(', ')})`;
  return `| \`${cell(o.flags)}\` | ${cell(help)} | ${defaultText(o)} |`;
}

/** The generated markdown of one block (without the markers). */
export async function flagSection(spec: string): Promise<string> {
  const methods = docMethods();
  const m = /^(command|method):([a-z0-9-]+)$/.exec(spec.trim());
  if (!m) throw new Error(`docs: bad flags block '${spec}' (use command:<name> or method:<name>)`);
  const [, kind, name] = m as unknown as [string, 'command' | 'method', string];
  let options: Option[];
  let prefix: string | null = null;
  if (kind === 'method') {
    const meth = methods[name];
    if (!meth) throw new Error(`docs: no method '${name}' (known: ${Object.keys(methods).join(', ')})`);
    const cmd = await commandOf(meth.command);
    const withMethod = helpOptionsFor(cmd, name);
    if (withMethod) {
      // what `--method <name> --help` adds to plain `--help` (its table, and shared flags only it reads)
      const plain = new Set(helpOptionsFor(cmd, null)!.map((o) => o.flags));
      options = withMethod.filter((o) => !plain.has(o.flags));
    } else {
      const keys = new Set(Object.keys(meth.table));
      options = cmd.options.filter((o) => keys.has(attributeName(o.flags)));
    }
    prefix = meth.prefix;
  } else {
    // what `vru-eval <name> --help` lists (for a command with methods: the flags every method shares)
    const cmd = await commandOf(name);
    const owned = new Set(Object.values(methods).filter((x) => x.command === name).flatMap((x) => Object.keys(x.table)));
    options = (helpOptionsFor(cmd, null) ?? cmd.options).filter((o) => o.long !== '--help' && !owned.has(attributeName(o.flags)));
  }
  options = options.filter((o) => !o.hidden);
  const head = `<!-- generated by \`npm run docs\` from the option tables: edit the tables, not this block -->\n\n| flag | meaning | default |\n| --- | --- | --- |`;
  return options.length === 0 ? `${head.split('\n')[0]}\n\n(no flags of its own)` : `${head}\n${options.map((o) => row(o, prefix)).join('\n')}`;
}

const BLOCK = /<!-- flags: ([^>]*?) -->\n([\s\S]*?)<!-- \/flags -->/g;

/** `text` with every flags block regenerated. */
export async function regenerate(text: string): Promise<string> {
  const specs = [...text.matchAll(BLOCK)].map((x) => x[1]!);
  const bodies = new Map<string, string>();
  for (const s of specs) if (!bodies.has(s)) bodies.set(s, await flagSection(s));
  return text.replace(BLOCK, (_all, spec: string) => `<!-- flags: ${spec} -->\n${bodies.get(spec)!}\n<!-- /flags -->`);
}

/** The flag blocks named in `text` (their specs). */
export function blockSpecs(text: string): string[] {
  return [...text.matchAll(BLOCK)].map((x) => x[1]!.trim());
}

/** README.md and every markdown file under docs/. */
export function docFiles(root: string): string[] {
  const out = [join(root, 'README.md')];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.md')) out.push(join(dir, e.name));
    }
  };
  walk(join(root, 'docs'));
  return out;
}

async function cli(argv: readonly string[]): Promise<number> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const check = argv.includes('--check');
  const stale: string[] = [];
  for (const file of docFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const next = await regenerate(text);
    if (next === text) continue;
    stale.push(relative(root, file));
    if (!check) writeFileSync(file, next);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`stale flag sections (run npm run docs): ${stale.join(', ')}\n`);
    return 1;
  }
  process.stdout.write(stale.length === 0 ? 'docs: flag sections up to date\n' : `docs: regenerated ${stale.join(', ')}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
