import { Command } from 'commander';
import { RESULT_SCHEMA } from '../../core/schema.js';
import type { CliContext } from '../context.js';

export function schemaCommand(ctx: CliContext): Command {
  return new Command('schema')
    .description('print the JSON Schema of the result document (or, with --plan, of an analysis plan for vru-eval run)')
    .option('--plan', 'print the JSON Schema of an analysis plan instead (derived from every command\'s option table)')
    .action(async (o: { plan?: boolean }) => {
      if (o.plan) {
        const { planSchema } = await import('../../plan/spec.js');
        ctx.io.stdout(JSON.stringify(planSchema(), null, 2) + '\n');
        return;
      }
      ctx.io.stdout(JSON.stringify(RESULT_SCHEMA, null, 2) + '\n');
    });
}
