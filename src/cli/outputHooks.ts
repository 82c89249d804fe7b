/**
 * `--plot <file>` for every estimating command (the flag is defined once, in addOutputOptions).
 * Before the action: check the file name (.svg/.png), so a typo fails before any estimation.
 * After the action: render the default chart of the last document emitDocument wrote, in
 * memory, then write it atomically (never a partial file). If drawing fails the command exits
 * with that error; the document already written is complete and is kept.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { flushSummary } from './context.js';
import { resolveOutput } from './output.js';
import { checkWritable } from './io.js';
import { resolveAliases } from './optionFlags.js';

/** Flags that name a file the command writes. */
const OUTPUT_FLAGS = ['--out', '--plot'];

export function installOutputHooks(program: Command, ctx: CliContext): void {
  program.hook('preAction', async (_program, action) => {
    ctx.emitted = [];
    ctx.pending = [];
    ctx.wrote = [];
    // Required options, checked here so that an unknown option is reported first (main.ts).
    for (const opt of action.options) {
      if ((opt as { deferredMandatory?: boolean }).deferredMandatory && action.getOptionValue(opt.attributeName()) === undefined) {
        throw new CommanderError(1, 'commander.missingMandatoryOptionValue', `error: required option '${opt.flags}' not specified`);
      }
    }
    // deprecated flag names (issue 23): their values move to the new keys; one warning each, in the document and on stderr
    ctx.deprecations = resolveAliases(action);
    for (const w of ctx.deprecations) ctx.io.stderr(`${w.code}: ${w.message}\n`);
    ctx.output = resolveOutput(action.opts(), ctx.io);
    // every output file is checked before the work starts (an unwritable --out found after a long estimation wastes it)
    for (const opt of action.options) {
      const v = action.getOptionValue(opt.attributeName()) as unknown;
      // a file, not a results directory (run --out <dir>)
      if (typeof v === 'string' && opt.long && OUTPUT_FLAGS.includes(opt.long) && !/<dir>/.test(opt.flags)) checkWritable(v, opt.long);
    }
    const plot = action.opts().plot as unknown;
    if (typeof plot === 'string') {
      const { chartFormat } = await import('./chartFile.js');
      chartFormat(plot, '--plot');
    }
  });
  program.hook('postAction', async (_program, action) => {
    const plot = action.opts().plot as unknown;
    if (typeof plot === 'string') {
      const doc = ctx.emitted?.[ctx.emitted.length - 1];
      if (!doc) throw new UsageError('NOTHING_TO_PLOT', `--plot ${plot}: ${action.name()} wrote no result document to draw`, { flag: '--plot' });
      const { writeChartFile } = await import('./chartFile.js');
      const kind = await writeChartFile(doc, plot, {}, '--plot');
      (ctx.wrote ??= []).push({ file: plot, what: `${kind} chart` });
    }
    await flushSummary(ctx);
  });
}
