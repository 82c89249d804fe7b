/**
 * The methods of `vru-eval scm`. Each method adds its own flags to the shared
 * command and runs when selected with --method. Register a method by adding it here.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { synthMethod } from './scmSynth.js';
import { gsynthMethod } from './scmGsynth.js';
import { microMethod } from './scmMicro.js';

export interface ScmMethod {
  /** Value of --method. */
  name: string;
  /** One-line description for --help. */
  description: string;
  /** Add this method's own flags (never a flag another method or scm.ts already defines). */
  addOptions: (cmd: Command) => Command;
  /** Attribute names (commander camelCase) of the flags added by addOptions, to reject them under another method. */
  ownOptions: readonly string[];
  /** Run the method: read the panel, estimate, emit the document. `o` holds every parsed flag. */
  run: (ctx: CliContext, file: string, o: Record<string, unknown>) => void | Promise<void>;
}

export const SCM_METHODS: ScmMethod[] = [gsynthMethod, synthMethod, microMethod];
