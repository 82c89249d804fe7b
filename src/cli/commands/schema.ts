import { Command } from 'commander';
import { RESULT_SCHEMA } from '../../core/schema.js';
import type { CliContext } from '../context.js';
import { emitData } from '../context.js';

export function schemaCommand(ctx: CliContext): Command {
  return new Command('schema')
    .description('print the JSON Schema of the result document (or, with --plan, of an analysis plan for vru-eval run)')
    .option('--plan', "print the JSON Schema of an analysis plan instead (derived from every command's option table)")
    .action(async (o: { plan?: boolean }) => {
      const schema = o.plan ? (await import('../../plan/spec.js')).planSchema() : RESULT_SCHEMA;
      const what = o.plan ? 'an analysis plan (vru-eval run)' : 'the result document';
      emitData(ctx, schema, undefined, async (output) => {
        const { renderSections } = await import('../summary.js');
        const s = schema as unknown as { title?: string; properties?: Record<string, { type?: unknown; description?: string }>; required?: string[] };
        const rows = Object.entries(s.properties ?? {}).map(([k, v]): [string, string] => [k, `${Array.isArray(v.type) ? v.type.join('|') : String(v.type ?? 'object')}${(s.required ?? []).includes(k) ? ', required' : ''}${v.description ? ` — ${firstSentence(v.description)}` : ''}`]);
        return renderSections(`vru-eval schema: ${what} (top-level fields)`, [{ rows }, { lines: [`the full JSON Schema: vru-eval schema${o.plan ? ' --plan' : ''} --json`] }], output);
      });
    });
}

/** The first sentence of a schema description, outside parentheses (the terminal summary fits a screen; --json has it all). */
function firstSentence(d: string): string {
  let depth = 0;
  for (let k = 0; k < d.length; k++) {
    const c = d[k]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (c === '.' || c === ';') && (k + 1 === d.length || /\s/.test(d[k + 1]!))) return d.slice(0, k) + '.';
  }
  return d;
}
