/** What every command needs from the CLI layer: I/O, the tool version, and document output. */
import { makeDocument, serialiseDocument, type Analysis, type FilesInput, type InputInfo, type ResultDocument } from '../core/result.js';
import { writeFileAtomic, type CliIO } from './io.js';

export interface CliContext {
  io: CliIO;
  tool: { name: string; version: string };
  /** Documents written by the running command: emitDocument appends; `--plot` draws the last (see outputHooks.ts). */
  emitted?: ResultDocument[];
}

/** Wrap the analysis in the envelope and write it to `out` (atomically) or stdout. Returns the document. */
export function emitDocument(ctx: CliContext, command: string, input: InputInfo | FilesInput | null, analysis: Analysis, out: string | undefined): ResultDocument {
  const doc = makeDocument(command, ctx.tool, input, analysis);
  const text = serialiseDocument(doc);
  if (out !== undefined && out !== '-') writeFileAtomic(out, text);
  else ctx.io.stdout(text);
  // --plot <file> (installOutputHooks): the default chart of this document is drawn after the action returns
  (ctx.emitted ??= []).push(doc);
  return doc;
}
