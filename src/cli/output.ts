/**
 * Output routing, shared by every command: what goes to stdout, decided once per run.
 *
 *   stdout a terminal, no --json/--format  → a readable summary (summary.ts) + "wrote <file>" lines
 *   stdout not a terminal, or --json       → the JSON document, exactly as before (nothing with --out)
 *   --format table | markdown              → the summary in that style, terminal or not
 *   --format json                          → same as --json
 *   --quiet                                → no summary, no "wrote" lines, no progress; the JSON
 *                                            document still goes to stdout when there is no --out
 *
 * The document written to --out never depends on any of this (byte-identical either way).
 * Errors: a readable sentence on a terminal (stderr a TTY and no --json/--format json), else the
 * one-line JSON error as before.
 */
import { UsageError } from '../core/errors.js';
import type { CliIO } from './io.js';
import type { OutputFormat } from './options.js';

export interface OutputSettings {
  /** 'summary': readable text on stdout; 'json': the machine output (JSON document, SVG, HTML) as before. */
  mode: 'summary' | 'json';
  style: 'table' | 'markdown';
  quiet: boolean;
  /** Progress lines on stderr allowed (stderr a terminal and not --quiet). */
  progress: boolean;
  /** Terminal width for wrapping. */
  columns: number;
}

/** Default settings before the command's flags are known (e.g. in-process callers). */
export function defaultOutput(io: CliIO): OutputSettings {
  return { mode: io.stdoutIsTTY ? 'summary' : 'json', style: 'table', quiet: false, progress: io.stderrIsTTY, columns: io.columns ?? 100 };
}

/**
 * Resolve the output settings from a command's parsed flags (--json, --format, --quiet).
 * @throws UsageError CONFLICTING_FORMAT for --json with --format table|markdown, or --quiet with them
 */
export function resolveOutput(o: Record<string, unknown>, io: CliIO): OutputSettings {
  const format = o.format as OutputFormat | undefined;
  const json = o.json === true;
  const quiet = o.quiet === true;
  if (json && format !== undefined && format !== 'json') {
    throw new UsageError('CONFLICTING_FORMAT', `--json and --format ${format} ask for different outputs; give one of them`, { flag: '--format' });
  }
  if (quiet && (format === 'table' || format === 'markdown')) {
    throw new UsageError('CONFLICTING_FORMAT', `--quiet prints no summary, so it cannot go with --format ${format}; drop one of them`, { flag: '--quiet' });
  }
  const columns = io.columns ?? 100;
  const progress = io.stderrIsTTY && !quiet;
  if (json || format === 'json' || quiet) return { mode: 'json', style: 'table', quiet, progress, columns };
  if (format === 'table' || format === 'markdown') return { mode: 'summary', style: format, quiet, progress, columns };
  return { mode: io.stdoutIsTTY ? 'summary' : 'json', style: 'table', quiet, progress, columns };
}

/**
 * Whether an error is printed as JSON: from the raw arguments, since the error may come from
 * parsing them (--json or --format json anywhere, or stderr not a terminal).
 */
export function errorsAsJson(argv: readonly string[], io: CliIO): boolean {
  if (!io.stderrIsTTY) return true;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--json' || a === '--format=json') return true;
    if (a === '--format' && argv[k + 1] === 'json') return true;
  }
  return false;
}

const KIND: Record<string, string> = {
  USAGE: 'usage error',
};

/** The command named in argv (first word that is a known command), for the hint. */
function commandOf(argv: readonly string[], commands: readonly string[]): string | null {
  for (const a of argv.slice(2)) if (commands.includes(a)) return a;
  return null;
}

/**
 * An error as people read it, on one line: "vru-eval scm: <message> (input error CODE, exit code 3)".
 * The message is the library's own sentence, which names the file as typed, the column or key and
 * the fix; nothing is capitalised (a message may start with the user's file name, "notreated.csv")
 * and no generic advice is added. Usage errors point to the command's --help; internal errors ask
 * for a bug report. `exit` is the exit code (2 usage, 3 input, 4 estimation, 1 internal).
 */
export function readableError(code: string, message: string, exit: number, argv: readonly string[], commands: readonly string[]): string {
  const cmd = commandOf(argv, commands);
  let text = message.trim().replace(/\s*\(see vru-eval --help\)$/, '').replace(/\n\(Did you mean/g, ' (did you mean').replace(/\s*\n\s*/g, ' ');
  if (!/[.!?)]$/.test(text)) text += '.';
  const kind = KIND[code] ?? (exit === 2 ? 'usage error' : exit === 3 ? 'input error' : exit === 4 ? 'estimation failed' : 'internal error');
  const extra = exit === 2 ? `; see vru-eval ${cmd ? cmd + ' ' : ''}--help` : exit === 1 ? '; a bug in vru-eval, please report it with the command you ran' : '';
  return `vru-eval${cmd ? ' ' + cmd : ''}: ${text} (${kind}${code === 'USAGE' ? '' : ' ' + code}, exit code ${exit}${extra})\n`;
}
