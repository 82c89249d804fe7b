/**
 * The vru-eval command-line program. `main(argv)` parses, runs one command and
 * returns the exit code; it is the only place that maps errors to exit codes:
 *   0 ok · 1 internal bug · 2 usage · 3 input/data · 4 estimation failure.
 * Errors are printed as one JSON line on stderr: {"error":{"code","message","details"}}, or, when
 * stderr is a terminal and neither --json nor --format json is given, as a readable sentence with
 * the fix (output.ts). Every command gets --json/--format/--quiet (options.ts: addPresentationOptions).
 */
import { Command, CommanderError } from 'commander';
import { VruError, EXIT } from '../core/errors.js';
import { processIO, type CliIO } from './io.js';
import type { CliContext } from './context.js';
import { installOutputHooks } from './outputHooks.js';
import { addPresentationOptions } from './options.js';
import { errorsAsJson, readableError } from './output.js';
import { examplesText } from './examples.js';
import { toolInfo } from './version.js';
import { COMMANDS } from './commands/index.js';

/**
 * The command named by argv (the first argument that is not an option; `help <cmd>` names <cmd>),
 * or null for the program's own --help/--version.
 */
function invokedCommand(argv: readonly string[]): string | null {
  const args = argv.slice(2);
  const k = args.findIndex((a) => !a.startsWith('-'));
  if (k < 0) return null;
  return args[k] === 'help' ? (args[k + 1] ?? null) : args[k]!;
}

/**
 * The program with every command. `only` (a command name) loads just that command's module and
 * gives the others as stubs with their summary (enough for the overview and "unknown command"),
 * so that `--help`, `--version` and a small command do not load every estimator.
 */
export async function buildProgram(ctx: CliContext, only?: string | null): Promise<Command> {
  const factories = await Promise.all(COMMANDS.map((c) => (only === undefined || c.name === only ? c.load() : null)));
  const program = new Command('vru-eval')
    .description('Counterfactual impact evaluation for Violence Reduction Units: synthetic control, generalized synthetic control, interrupted time series, difference-in-differences and cost-benefit.')
    .version(ctx.tool.version)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: () => undefined });
  COMMANDS.forEach((entry, k) => {
    const make = factories[k];
    if (!make) {
      program.addCommand(new Command(entry.name).summary(entry.summary).description(entry.summary));
      return;
    }
    const cmd = make(ctx).summary(entry.summary);
    cmd.addHelpText('after', examplesText(entry.name));
    if (!cmd.options.some((o) => o.long === '--format' || o.long === '--json')) addPresentationOptions(cmd);
    deferMandatoryOptions(cmd);
    cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: () => undefined });
    program.addCommand(cmd);
  });
  program.addHelpText('after', examplesText(''));
  installOutputHooks(program, ctx);
  return program;
}

/**
 * Commander checks required options before unknown ones, so a typo such as `--outcom` was reported
 * as "--outcome not specified". Required options are checked instead in the preAction hook
 * (outputHooks.ts), which runs after the unknown-option and argument checks; same message and code.
 */
function deferMandatoryOptions(cmd: Command): void {
  for (const opt of cmd.options) {
    if (!opt.mandatory) continue;
    opt.mandatory = false;
    (opt as { deferredMandatory?: boolean }).deferredMandatory = true;
  }
}

function errorLine(code: string, message: string, details: unknown): string {
  return JSON.stringify({ error: { code, message, details } }) + '\n';
}

/** Run the CLI. `argv` as in process.argv (node, script, ...args). Returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const ctx: CliContext = { io, tool: toolInfo() };
  // --version: nothing else to load
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    io.stdout(ctx.tool.version + '\n');
    return EXIT.ok;
  }
  const program = await buildProgram(ctx, invokedCommand(argv));
  const commands = program.commands.map((c) => c.name());
  const asJson = errorsAsJson(argv, io);
  const report = (code: string, message: string, details: unknown, exit: number): number => {
    io.stderr(asJson ? errorLine(code, message, details) : readableError(code, message, exit, argv, commands));
    return exit;
  };
  try {
    if (argv.length <= 2) {
      io.stdout(program.helpInformation());
      return EXIT.usage;
    }
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      let message = e.message.replace(/^error: /, '');
      if (e.code === 'commander.missingArgument') {
        // an option with an optional value (e.g. its --control [units]) may have taken the file name
        const args = argv.slice(2);
        const k = args.findIndex((a, j) => j > 0 && /\.(csv|tsv|txt|json)$/i.test(a) && args[j - 1]!.startsWith('--'));
        if (k > 0) message += `: '${args[k]}' was read as the value of ${args[k - 1]}; put ${args[k - 1]} after the file name, or give the file first`;
      }
      return report('USAGE', `${message} (see vru-eval --help)`, { commander: e.code }, EXIT.usage);
    }
    if (e instanceof VruError) return report(e.code, e.message, e.details, e.exitCode);
    const err = e as Error;
    return report('INTERNAL', `internal error (a bug in vru-eval; please report it with the command you ran): ${err?.message ?? String(e)}`, { stack: err?.stack ?? null }, EXIT.internal);
  }
}
