/** Every subcommand, in help order. Add a command by adding its factory here. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { inspectCommand } from './inspect.js';
import { schemaCommand } from './schema.js';
import { scmCommand } from './scm.js';
import { plotCommand } from './plot.js';
import { reportCommand } from './report.js';

export const COMMANDS: readonly ((ctx: CliContext) => Command)[] = [
  scmCommand,
  plotCommand,
  reportCommand,
  inspectCommand,
  schemaCommand,
];
