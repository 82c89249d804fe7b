/** Every subcommand, in help order. Add a command by adding its factory here. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { plotCommand } from './plot.js';
import { reportCommand } from './report.js';
import { inspectCommand } from './inspect.js';
import { itsCommand } from './its.js';
import { schemaCommand } from './schema.js';
import { scmCommand } from './scm.js';
import { cbaCommand } from './cba.js';
import { didCommand } from './did.js';
import { panelCommand } from './panel.js';
import { runCommand } from './run.js';
import { robustnessCommand } from './robustness.js';
import { compareCommand } from './compare.js';

export const COMMANDS: readonly ((ctx: CliContext) => Command)[] = [
  scmCommand,
  itsCommand,
  didCommand,
  cbaCommand,
  inspectCommand,
  panelCommand,
  schemaCommand,
  plotCommand,
  reportCommand,
  runCommand,
  robustnessCommand,
  compareCommand,
];
