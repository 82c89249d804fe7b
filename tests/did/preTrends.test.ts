/**
 * Issue 21: `did` twfe (pre-trend ✓ p = 0.57) and `did --method cs` (✗ p < 0.0001) on the same
 * fixture: each document says what its test tests, and a failed test is a warning with what to do.
 */
import { describe, expect, it } from 'vitest';
import { FIXTURE, runCli } from '../helpers.js';

describe('did pre-trend tests say what they test', () => {
  const twfe = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--event-window', '-12:12']).json();
  const cs = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--method', 'cs', '--reps', '99']).json();
  const pre = (d: any) => d.diagnostics.find((x: any) => x.code === 'PRE_TRENDS');
  it('twfe passes (p = 0.57), says it tests pooled event-study levels, and names cs as the other test', () => {
    expect(pre(twfe).passed).toBe(true);
    expect(pre(twfe).value).toBeCloseTo(0.5708, 3);
    expect(pre(twfe).message).toContain('pooled event-study coefficients');
    expect(pre(twfe).message).toContain('--method cs');
    expect(twfe.warnings.map((w: any) => w.code)).not.toContain('PRE_TRENDS_REJECTED');
  });
  it('cs fails, says it tests every cohort\'s ATT(g,t) period by period, and warns with what to do', () => {
    expect(pre(cs).passed).toBe(false);
    expect(pre(cs).value).toBeLessThan(1e-4);
    expect(pre(cs).message).toContain('one-period change');
    const w = cs.warnings.find((x: any) => x.code === 'PRE_TRENDS_REJECTED');
    expect(w.message).toContain('p < 0.0001');
    expect(w.message).toContain('scm --method sdid');
  });
});
