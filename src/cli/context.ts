/** What every command needs from the CLI layer: I/O, the tool version, and document output. */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { makeDocument, serialiseDocument, type Analysis, type InputInfo, type ResultDocument } from '../core/result.js';
import { writeFileAtomic, type CliIO } from './io.js';

export interface CliContext {
  io: CliIO;
  tool: { name: string; version: string };
  /** Documents written by the running command (emitDocument appends; `--plot` draws the last). */
  emitted?: ResultDocument[];
}

/**
 * Wrap the analysis in the envelope and write it to `out` (atomically) or stdout. Returns the document.
 * With `--plot <file>` (every command using addOutputOptions) the default chart of this document is
 * rendered after the command's action returns and written atomically (see {@link installOutputHooks}).
 */
export function emitDocument(ctx: CliContext, command: string, input: InputInfo | null, analysis: Analysis, out: string | undefined): ResultDocument {
  const doc = makeDocument(command, ctx.tool, input, analysis);
  const text = serialiseDocument(doc);
  if (out !== undefined && out !== '-') writeFileAtomic(out, text);
  else ctx.io.stdout(text);
  (ctx.emitted ??= []).push(doc);
  return doc;
}

/**
 * `--plot <file>` for every estimating command. Before the action: check the file name
 * (.svg/.png) so a typo fails before any estimation. After the action: render the default
 * chart of the document emitDocument wrote, in memory, then write it atomically (never a
 * partial file). If drawing fails the command exits with that error; the document already
 * written is complete and is kept.
 */
export function installOutputHooks(program: Command, ctx: CliContext): void {
  program.hook('preAction', async (_program, action) => {
    ctx.emitted = [];
    const plot = action.opts().plot as unknown;
    if (typeof plot === 'string') {
      const { chartFormat } = await import('./chartFile.js');
      chartFormat(plot, '--plot');
    }
  });
  program.hook('postAction', async (_program, action) => {
    const plot = action.opts().plot as unknown;
    if (typeof plot !== 'string') return;
    const doc = ctx.emitted?.[ctx.emitted.length - 1];
    if (!doc) throw new UsageError('NOTHING_TO_PLOT', `--plot ${plot}: ${action.name()} wrote no result document to draw`, { flag: '--plot' });
    const { writeChartFile } = await import('./chartFile.js');
    await writeChartFile(doc, plot, {}, '--plot');
  });
}
