/**
 * A closing line for `npm test`: how many tests were skipped and why, so a run without the
 * validation datasets (../shared/datasets) or without Chromium says so instead of passing quietly.
 * Reasons are read from each skipped test's file: reference validations read ../shared/datasets;
 * slow Monte Carlo tests run only with VRU_SLOW=1; browser tests need Chromium.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { SHARED } from './helpers.js';

type Reason = 'reference' | 'slow' | 'chromium' | 'other';

function reasonOf(file: string, fullName: string): Reason {
  const src = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (/slow|monte carlo|replications/i.test(fullName) && src.includes('VRU_SLOW') && !process.env.VRU_SLOW) return 'slow';
  if (/chromium/i.test(fullName) || (src.includes('CHROMIUM') && /chromium|A4|browser/i.test(fullName))) return 'chromium';
  if (/hasShared|shared\/datasets|dataset\(/.test(src) && !existsSync(SHARED)) return 'reference';
  if (/needs \.\.\/shared\/datasets/.test(fullName)) return 'reference';
  return 'other';
}

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts: Record<Reason, number> = { reference: 0, slow: 0, chromium: 0, other: 0 };
    for (const m of modules) for (const t of m.children.allTests()) if (t.result().state === 'skipped') counts[reasonOf(m.moduleId, t.fullName)]++;
    const total = counts.reference + counts.slow + counts.chromium + counts.other;
    const parts: string[] = [];
    parts.push(
      counts.reference > 0
        ? `${counts.reference} reference validation(s) skipped: ../shared/datasets not found at ${SHARED} (the published datasets they compare against)`
        : `reference validations: none skipped${existsSync(SHARED) ? ' (../shared/datasets found)' : ''}`,
    );
    if (counts.slow) parts.push(`${counts.slow} slow Monte Carlo test(s) skipped: run them with npm run test:slow (VRU_SLOW=1)`);
    if (counts.chromium) parts.push(`${counts.chromium} browser test(s) skipped: Chromium not installed (apt-get install chromium, or set CHROMIUM_PATH)`);
    if (counts.other) parts.push(`${counts.other} other test(s) skipped`);
    process.stdout.write(`\nSkipped: ${total} test(s). ${parts.join('; ')}.\n`);
  }
}
