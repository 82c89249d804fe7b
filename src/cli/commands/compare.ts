/**
 * `vru-eval compare a.json b.json …`: several methods' answers to one question in one table on a
 * common scale, disagreements beyond the intervals flagged (src/plan/compare.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { OUTPUT_OPTIONS } from '../../core/commonOptions.js';
import { UsageError } from '../../core/errors.js';
import { defineOptions, readOptions, str, strList } from '../../core/optionTable.js';
import { readResultDocument } from '../../plot/document.js';
import { compareAnalysis } from '../../plan/compare.js';
import { emitDocument, type CliContext } from '../context.js';
import { addOptions } from '../optionFlags.js';
import { noteTable } from '../planSummary.js';

const COMPARE_OPTIONS = defineOptions({
  out: OUTPUT_OPTIONS.out,
  plot: OUTPUT_OPTIONS.plot,
  label: strList({ flag: '--label <name>', help: 'row label, once per document in order (default: the file name)', split: 'repeat' }),
  title: str({ flag: '--title <text>', help: 'title of the comparison' }),
});

export function compareCommand(ctx: CliContext): Command {
  const cmd = new Command('compare')
    .description('compare the estimates of several result documents (e.g. gsynth, synth, its, twfe) on one scale, average effect per treated area-period, flagging pairs whose intervals do not overlap; --plot draws the forest plot')
    .argument('<result.json...>', 'result documents written by scm, its or did');
  addOptions(cmd, COMPARE_OPTIONS);
  return cmd.action((files: string[], o: Record<string, unknown>) => {
    const v = readOptions(COMPARE_OPTIONS, o);
    const labels = v.label ?? [];
    if (labels.length > 0 && labels.length !== files.length) throw new UsageError('FLAG_COUNT', `--label is given ${labels.length} times for ${files.length} documents; give it once per document, in order`, { flag: '--label' });
    const inputs = files.map((f, i) => ({ doc: readResultDocument(f), label: labels[i] ?? basename(f, '.json'), file: basename(f) }));
    const input = { files: files.map((f) => ({ file: basename(f), sha256: createHash('sha256').update(readFileSync(f)).digest('hex'), role: 'compared' })) };
    const analysis = compareAnalysis(inputs, v.title ?? null);
    noteTable(ctx, emitDocument(ctx, 'compare', input, analysis, v.out));
  });
}
