/** What every command needs from the CLI layer: I/O, the tool version, and document output. */
import { makeDocument, serialiseDocument, type Analysis, type FilesInput, type InputInfo, type ResultDocument } from '../core/result.js';
import { writeFileAtomic, type CliIO } from './io.js';
import { defaultOutput, type OutputSettings } from './output.js';

export interface CliContext {
  io: CliIO;
  tool: { name: string; version: string };
  /** Documents written by the running command: emitDocument appends; `--plot` draws the last (see outputHooks.ts). */
  emitted?: ResultDocument[];
  /** How results are shown (resolved from --json/--format/--quiet before the action; see output.ts). */
  output?: OutputSettings;
  /** Summary blocks to print after the action, in order (summary mode only). */
  pending?: (() => string | Promise<string>)[];
  /** Files written by the running command, for the "wrote <file>" lines. */
  wrote?: { file: string; what: string }[];
  /** DEPRECATED_OPTION warnings for old flag names used by the running command (optionFlags.ts: resolveAliases); emitDocument adds them to the document. */
  deprecations?: { code: string; message: string }[];
}

/** The output settings of the running command (defaults from the terminal when not yet resolved). */
export function outputOf(ctx: CliContext): OutputSettings {
  return (ctx.output ??= defaultOutput(ctx.io));
}

/** Write a file atomically and remember it for the "wrote <file>" line of the summary. */
export function writeOutputFile(ctx: CliContext, file: string, content: string | Uint8Array, what: string): void {
  writeFileAtomic(file, content);
  (ctx.wrote ??= []).push({ file, what });
}

/** Wrap the analysis in the envelope and write it to `out` (atomically) or stdout. Returns the document. */
export function emitDocument(ctx: CliContext, command: string, input: InputInfo | FilesInput | null, analysis: Analysis, out: string | undefined, summary: { main?: ResultDocument } = {}): ResultDocument {
  if (ctx.deprecations && ctx.deprecations.length > 0) analysis = { ...analysis, warnings: [...analysis.warnings, ...ctx.deprecations] };
  const doc = makeDocument(command, ctx.tool, input, analysis);
  const text = serialiseDocument(doc);
  const output = outputOf(ctx);
  if (out !== undefined && out !== '-') writeOutputFile(ctx, out, text, 'the JSON document');
  else if (output.mode === 'json') ctx.io.stdout(text);
  if (output.mode === 'summary') {
    (ctx.pending ??= []).push(async () => {
      const { renderDocumentSummary } = await import('./summary.js');
      return renderDocumentSummary(doc, output, { saved: out !== undefined && out !== '-', ...(out !== undefined && out !== '-' ? { file: out } : {}), ...summary });
    });
  }
  // --plot <file> (installOutputHooks): the default chart of this document is drawn after the action returns
  (ctx.emitted ??= []).push(doc);
  return doc;
}

/**
 * Output of a command whose result is not a result document (inspect, schema): `value` as JSON
 * to `out` or stdout like a document, or `summarise(style)` in summary mode.
 */
export function emitData(ctx: CliContext, value: unknown, out: string | undefined, summarise: (o: OutputSettings) => string | Promise<string>): void {
  const text = JSON.stringify(value, null, 2) + '\n';
  const output = outputOf(ctx);
  if (out !== undefined && out !== '-') writeOutputFile(ctx, out, text, 'the JSON summary');
  else if (output.mode === 'json') ctx.io.stdout(text);
  if (output.mode === 'summary') (ctx.pending ??= []).push(() => summarise(output));
}

/** Queue a short titled note for the summary (commands whose output is not a document). */
export function noteSummary(ctx: CliContext, title: string, lines: string[]): void {
  const output = outputOf(ctx);
  if (output.mode !== 'summary') return;
  (ctx.pending ??= []).push(async () => {
    const { renderSections } = await import('./summary.js');
    return renderSections(title, lines.length > 0 ? [{ lines }] : [], output);
  });
}

/**
 * Output of a command that produces a file format rather than JSON (plot: SVG/PNG; report: HTML).
 * With `out`: written atomically. Without: the bytes go to stdout in JSON mode (pipes, as before);
 * on a terminal the summary says what was made and how to save it instead of dumping markup.
 */
export function emitArtifact(ctx: CliContext, content: string | Uint8Array, out: string | undefined, what: string, title: string, lines: string[] = []): void {
  const output = outputOf(ctx);
  const saved = out !== undefined && out !== '-';
  if (saved) writeOutputFile(ctx, out, content, what);
  else if (output.mode === 'json') ctx.io.stdout(typeof content === 'string' ? content : Buffer.from(content).toString('latin1'));
  noteSummary(ctx, title, saved ? lines : [...lines, `not saved: give --out <file> to write the ${what}, or pipe the output (> file)`]);
}

/** Print the pending summaries and "wrote" lines (after the action; summary mode only). */
export async function flushSummary(ctx: CliContext): Promise<void> {
  const output = outputOf(ctx);
  if (output.mode !== 'summary') return;
  const parts: string[] = [];
  for (const p of ctx.pending ?? []) parts.push(await p());
  const { renderWrote } = await import('./summary.js');
  const wrote = renderWrote(ctx.wrote ?? [], output);
  if (wrote) parts.push(wrote);
  ctx.io.stdout(parts.join('\n'));
  ctx.pending = [];
  ctx.wrote = [];
}
