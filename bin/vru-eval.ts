#!/usr/bin/env node
import { fastPath } from '../src/cli/fast.js';

// Output into a closed pipe (`vru-eval scm --help | head`): the reader has all it wants, so stop
// quietly with the usual status instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// --version loads nothing else; every other invocation loads the CLI (src/cli/main.ts)
if (!fastPath(process.argv, (s) => process.stdout.write(s))) {
  const { main } = await import('../src/cli/main.js');
  process.exitCode = await main(process.argv);
}
