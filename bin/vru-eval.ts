#!/usr/bin/env node
import { fastPath } from '../src/cli/fast.js';

// --version loads nothing else; every other invocation loads the CLI (src/cli/main.ts)
if (!fastPath(process.argv, (s) => process.stdout.write(s))) {
  const { main } = await import('../src/cli/main.js');
  process.exitCode = await main(process.argv);
}
