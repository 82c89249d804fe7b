import { Command } from 'commander';
import { RESULT_SCHEMA } from '../../core/schema.js';
import type { CliContext } from '../context.js';

export function schemaCommand(ctx: CliContext): Command {
  return new Command('schema').description('print the JSON Schema of the result document').action(() => {
    ctx.io.stdout(JSON.stringify(RESULT_SCHEMA, null, 2) + '\n');
  });
}
