/**
 * Issue 21: sdid and ascm use --population (offences avoided, as gsynth) instead of ignoring it.
 * Reference: the fixture's known effect (−4 per 100,000 in every treated post cell, truth file)
 * times the treated population-periods, counted in the test from the CSV text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectValidDocument, FIXTURE, runCli } from '../helpers.js';

/** Σ population / 100,000 over the treated post-treatment rows, read independently of the product. */
function treatedExposure(): number {
  const [head, ...rows] = readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const h = head!.split(',');
  const [ti, pi] = [h.indexOf('treated'), h.indexOf('population')];
  let e = 0;
  for (const r of rows) { const c = r.split(','); if (c[ti] === '1') e += Number(c[pi]) / 1e5; }
  return e;
}

describe.each(['sdid', 'ascm'])('scm --method %s --population', (method) => {
  const E = treatedExposure();
  it('reports offences avoided = −ATT × treated population-periods, interval scaled alike, covering the true count', () => {
    const r = runCli(['scm', FIXTURE, '--method', method, '--outcome', 'violence_rate', '--population', 'population', ...(method === 'sdid' ? ['--reps', '50'] : ['--inference', 'jackknife+'])]);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    expect(doc.counts.exposure).toBeCloseTo(E, 6);
    expect(doc.counts.cells).toBe(216);
    expect(doc.counts.offencesAvoided).toBeCloseTo(-doc.estimate.att * E, 6);
    const [lo, hi] = doc.counts.ci;
    expect(lo).toBeCloseTo(-doc.estimate.ci[1] * E, 6);
    expect(hi).toBeCloseTo(-doc.estimate.ci[0] * E, 6);
    expect(lo).toBeLessThanOrEqual(doc.counts.offencesAvoided);
    expect(hi).toBeGreaterThanOrEqual(doc.counts.offencesAvoided);
    // the fixture's truth: 4 per 100,000 avoided in every treated post cell (6,895 offences)
    expect(lo).toBeLessThan(4 * E);
    expect(hi).toBeGreaterThan(4 * E);
    expect(doc.options).toMatchObject({ population: 'population', ratePer: 100000, outcomeScale: 'rate' });
  });
  it('--rate-per and --outcome-scale are read, not refused; a count outcome needs no population', () => {
    const r = runCli(['scm', FIXTURE, '--method', method, '--outcome', 'violence_rate', '--population', 'population', '--rate-per', '1000', '--inference', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expect(d.options.ratePer).toBe(1000);
    expect(d.counts.offencesAvoided).toBeCloseTo(-d.estimate.att * E * 100, 4);
    const c = runCli(['scm', FIXTURE, '--method', method, '--outcome', 'offences', '--outcome-scale', 'count', '--inference', 'none']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.json().counts.offencesAvoided).toBeCloseTo(-c.json().estimate.att * 216, 6);
    const u = runCli(['scm', FIXTURE, '--method', method, '--outcome', 'offences', '--population', 'population', '--inference', 'none']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('OUTCOME_SCALE_UNCLEAR');
  });
});
