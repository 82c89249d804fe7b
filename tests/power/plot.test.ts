/** `--kind power`: the power curve of a power document (default chart), refused for other documents. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartSpec } from '../../src/plot/specs.js';
import { defaultKind, whyNot } from '../../src/plot/kinds.js';
import { FIXTURE, runCli, tempDir } from '../helpers.js';

describe('power chart', () => {
  it('draws the curve with ±2 MC SE bars, the target and the MDE; default for power documents only', () => {
    const dir = tempDir();
    const doc = join(dir, 'p.json');
    expect(runCli(['power', FIXTURE, '--outcome', 'violence_rate', '--method', 'twfe', '--sims', '40', '--out', doc, '--json']).code).toBe(0);
    const d = JSON.parse(readFileSync(doc, 'utf8'));
    expect(defaultKind(d)).toBe('power');
    const spec = chartSpec(d, 'power') as { data: { values: { effect: number; power: number; lo: number; hi: number }[] }; layer: { mark: { type: string; color?: string }; encoding: Record<string, unknown>; data?: { values: { mde: number }[] } }[] };
    expect(spec.data.values.map((v) => v.power)).toEqual(d.power.curve.map((c: { power: number }) => c.power));
    spec.data.values.forEach((v, k) => {
      const c = d.power.curve[k];
      expect(v.lo).toBeCloseTo(Math.max(0, c.power - 2 * c.mcSe), 12);
      expect(v.hi).toBeCloseTo(Math.min(1, c.power + 2 * c.mcSe), 12);
    });
    expect(spec.layer[0]!.encoding.y).toEqual({ datum: 0.8 });
    expect(spec.layer[3]!.data!.values[0]!.mde).toBe(d.power.mde.value);
    const svg = join(dir, 'p.svg');
    expect(runCli(['plot', doc, '--out', svg, '--json']).code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toContain('Power curve');
    const did = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--json']).json();
    expect(whyNot(did, 'power')).toMatch(/not a vru-eval power document/);
  }, 60_000);
});
