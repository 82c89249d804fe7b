import { Command } from 'commander';
import { RESULT_SCHEMA } from '../../core/schema.js';
import type { CliContext } from '../context.js';
import { emitData } from '../context.js';

export function schemaCommand(ctx: CliContext): Command {
  return new Command('schema').description('print the JSON Schema of the result document').action(() => {
    emitData(ctx, RESULT_SCHEMA, undefined, async (output) => {
      const { renderSections } = await import('../summary.js');
      const s = RESULT_SCHEMA as unknown as { title?: string; properties?: Record<string, { type?: unknown; description?: string }>; required?: string[] };
      const rows = Object.entries(s.properties ?? {}).map(([k, v]): [string, string] => [k, `${Array.isArray(v.type) ? v.type.join('|') : String(v.type ?? 'object')}${(s.required ?? []).includes(k) ? ', required' : ''}${v.description ? ` — ${v.description}` : ''}`]);
      return renderSections('vru-eval schema: the result document (top-level fields)', [{ rows }, { lines: ['the full JSON Schema: vru-eval schema --json'] }], output);
    });
  });
}
