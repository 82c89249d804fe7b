/**
 * `--plot <file>` for every estimating command (the flag is defined once, in addOutputOptions).
 * Before the action: check the file name (.svg/.png), so a typo fails before any estimation.
 * After the action: render the default chart of the last document emitDocument wrote, in
 * memory, then write it atomically (never a partial file). If drawing fails the command exits
 * with that error; the document already written is complete and is kept.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { CliContext } from './context.js';

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
