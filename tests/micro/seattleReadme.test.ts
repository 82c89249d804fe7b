/**
 * The README's Seattle comparison (issue 21) quotes docs/micro-seattle.md, whose numbers
 * tests/micro/seattleDoc.test.ts checks against live runs: every vru-eval interval and p-value in
 * the README's table must stand in the page's "any crime" rows, and microsynth's published figures
 * must be the ones the page quotes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOC = readFileSync(join(ROOT, 'docs', 'micro-seattle.md'), 'utf8');

describe('README Seattle comparison', () => {
  it('quotes the checked page', () => {
    const rows = README.split('\n').filter((l) => /^\| (linearisation|permutation)/.test(l));
    expect(rows).toHaveLength(3);
    const anyCrime = DOC.split('\n').filter((l) => l.startsWith('| any crime'));
    expect(anyCrime.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      const ours = r.split('|')[2]!.trim(); // e.g. "−26.5 … −13.2, p 1.4e−7"
      const [ci, p] = ours.split(', p ');
      expect(anyCrime.some((l) => l.includes(ci!) && l.includes(p!)), `${ours} in docs/micro-seattle.md`).toBe(true);
    }
    expect(DOC).toContain('−32.9');
    expect(DOC).toContain('−4.9');
    expect(DOC).toContain('0.029');
  });
});
