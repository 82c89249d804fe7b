/**
 * Answers that need no command module and no commander: `vru-eval --version` (and `-V`).
 * bin/vru-eval.ts asks here before loading the CLI, so the version prints after loading two
 * small files rather than the whole program (start-up, issue 14).
 */
import { toolInfo } from './version.js';

/** Handle argv if it is a fast path; returns whether it was. */
export function fastPath(argv: readonly string[], stdout: (s: string) => void): boolean {
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    stdout(toolInfo().version + '\n');
    return true;
  }
  return false;
}
