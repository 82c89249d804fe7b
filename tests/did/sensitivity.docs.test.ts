/**
 * docs/sensitivity.md: the worked mpdta example's numbers are what the CLI computes, and both
 * commands' documents validate against the schema. Also the CLI surface: flags recorded in
 * options, refused combinations (exit 2), and the pretrends command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataset, expectValidDocument, FIXTURE, hasShared, ROOT, runCli } from '../helpers.js';

const DOC = readFileSync(join(ROOT, 'docs', 'sensitivity.md'), 'utf8');
const MPDTA = dataset('mpdta');

/** x as written in the docs: fixed decimals, true minus sign. */
const fx = (x: number, d: number) => (x < 0 ? '−' : '') + Math.abs(x).toFixed(d);
const sig = (x: number, d: number) => (x < 0 ? '−' : '') + Number(Math.abs(x).toPrecision(d)).toString();

function expectInDoc(text: string, what: string): void {
  if (!DOC.includes(text)) expect.fail(`docs/sensitivity.md should show ${what} as '${text}'`);
}

describe.skipIf(!hasShared)('docs/sensitivity.md worked example (mpdta)', () => {
  it('TWFE: Bacon shares, pre-trend tests, first-period sensitivity', () => {
    const r = runCli(['did', MPDTA, '--outcome', 'lemp', '--event-window', '-4:3', '--bacon', '--honest', '--pretrends', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.options).toMatchObject({ honest: true, bacon: true, pretrends: true, honestTarget: 'first', placeboHoldout: null });
    expectInDoc(`**TWFE coefficient** ${fx(d.estimate.att, 4)}`, 'the TWFE coefficient');
    const [never, early, forb] = d.bacon.byType;
    expectInDoc(`${(100 * never.weight).toFixed(1)}% of the weight is on\n  treated-vs-never-treated comparisons (their weighted estimate ${fx(never.estimate, 4)})`, 'the treated-vs-never share');
    expectInDoc(`${(100 * early.weight).toFixed(1)}% on earlier-vs-later`, 'the earlier-vs-later share');
    expectInDoc(`**${(100 * forb.weight).toFixed(1)}% on "forbidden" comparisons**`, 'the forbidden share');
    expectInDoc(`(their weighted estimate +${fx(forb.estimate, 4)})`, 'the forbidden estimate');
    expect(Math.abs(d.bacon.weightedSum - d.estimate.att)).toBeLessThan(1e-10);
    const p = d.pretrends;
    expectInDoc(`(p = ${p.wald.pValue.toFixed(3)}, Hotelling F form with 500 clusters)`, 'the Wald p-value');
    expectInDoc(`within ±${fx(p.equivalence.bound, 4)} (0.36 × the residual SD, ${fx(p.residualSd, 4)})`, 'the TOST bound');
    expectInDoc(`(p = ${p.equivalence.pValue.toFixed(3)})`, 'the TOST p-value');
    expectInDoc(`cannot rule out a trend of ${fx(p.trend.notRuledOut, 4)} per year`, 'the trend not ruled out');
    expectInDoc(`linear trend of ${fx(p.power.slope80, 4)} per year only 80%`, 'Roth γ80');
    const s = d.sensitivity;
    expectInDoc(`${fx(s.estimate, 4)} (95% CI ${fx(s.ci[0], 4)} to ${fx(s.ci[1], 4)})`, 'the first-period effect');
    expect(s.relativeMagnitudes.breakdown).toBeNull();
  });

  it('CS: dynamic average, breakdown M̄ and M, robust intervals', () => {
    const r = runCli(['did', MPDTA, '--outcome', 'lemp', '--method', 'cs', '--base-period', 'universal', '--honest', '--honest-target', 'average', '--pretrends', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    const s = d.sensitivity;
    // did package, aggte(type = "dynamic") on mpdta: overall ATT −0.0772, SE 0.0200.
    expect(Math.abs(s.estimate - -0.0772)).toBeLessThan(5e-5);
    expectInDoc(`is ${fx(s.estimate, 4)} (SE ${fx(s.se, 4)}, 95% CI ${fx(s.ci[0], 4)} to ${fx(s.ci[1], 4)})`, 'the CS dynamic average');
    const rm = s.relativeMagnitudes;
    expect(rm.method).toBe('arp-hybrid');
    expect(d.options).toMatchObject({ honestRmMethod: 'hybrid', seed: 20190401 });
    expect(rm).toMatchObject({ seed: 20190401, lfDraws: 1000, lfStream: 22, gridPoints: 100 });
    expectInDoc(`**M̄ = ${sig(rm.breakdown, 3)}** times`, 'breakdown M̄ (hybrid)');
    expectInDoc(`found by bisection to ${Number(rm.breakdownTolerance.toPrecision(1))}`, 'the breakdown tolerance');
    expectInDoc(`M̄ = ${sig(rm.breakdown, 3)} against`, 'breakdown M̄ in "what changed"');
    const q = rm.rows.find((x: { mbar: number }) => x.mbar === 0.25);
    expectInDoc(`at M̄ = 0.25 the robust set is ${fx(q.lower, 4)} to ${fx(q.upper, 4)}`, 'the M̄ = 0.25 hybrid set');
    // The hybrid set lies inside the projection set here (measured in general in honest.arp.test.ts).
    const p = runCli(['did', MPDTA, '--outcome', 'lemp', '--method', 'cs', '--base-period', 'universal', '--honest', '--honest-target', 'average', '--honest-rm-method', 'projection', '--reps', '0', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const dp = p.json();
    expectValidDocument(dp);
    expect(dp.options.honestRmMethod).toBe('projection');
    const rp = dp.sensitivity.relativeMagnitudes;
    expect(rp.method).toBe('sidak-projection');
    expectInDoc(`the\n  breakdown is only M̄ = ${sig(rp.breakdown, 3)} and`, 'breakdown M̄ (projection)');
    expectInDoc(`${sig(rp.breakdown, 3)}. \`sensitivity`, 'projection breakdown in "what changed"');
    const qp = rp.rows.find((x: { mbar: number }) => x.mbar === 0.25);
    expectInDoc(`the set at M̄ = 0.25 is ${fx(qp.lower, 4)} to ${fx(qp.upper, 4)}`, 'the M̄ = 0.25 projection set');
    expect(q.lower).toBeGreaterThanOrEqual(qp.lower);
    expect(q.upper).toBeLessThanOrEqual(qp.upper);
    // HonestDiD's "Conditional" method through the CLI: recorded, schema-valid, no LF draws.
    const c = runCli(['did', MPDTA, '--outcome', 'lemp', '--method', 'cs', '--base-period', 'universal', '--honest', '--honest-target', 'average', '--honest-rm-method', 'conditional', '--mbar', '0,0.25', '--reps', '0', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const dc = c.json();
    expectValidDocument(dc);
    expect(dc.options.honestRmMethod).toBe('conditional');
    expect(dc.sensitivity.relativeMagnitudes).toMatchObject({ method: 'arp-conditional', kappa: 0, lfDraws: 0 });
    expect(dc.sensitivity.relativeMagnitudes.rows[0].pieces.every((x: { lfCritical: unknown }) => x.lfCritical === null)).toBe(true);
    expect(dc.diagnostics.find((x: { code: string }) => x.code === 'HONEST_BREAKDOWN').message).toContain('conditional test alone');
    const m0 = s.smoothness.rows[0];
    expectInDoc(`(M = 0) the interval is ${fx(m0.lower, 4)} to ${fx(m0.upper, 4)}`, 'the M = 0 FLCI');
    expectInDoc(`more than M = ${sig(s.smoothness.breakdown, 3)} per year`, 'breakdown M');
  });
});

describe('CLI surface', () => {
  it('refuses refinements without their switch and combinations that cannot work (exit 2)', () => {
    const f = FIXTURE;
    const base = ['did', f, '--outcome', 'violence_rate'];
    const cases: [string[], string][] = [
      [['--mbar', '0,1'], 'OPTION_NEEDS_HONEST'],
      [['--honest-rm-method', 'projection'], 'OPTION_NEEDS_HONEST'],
      [['--equivalence-bound', '1'], 'OPTION_NEEDS_PRETRENDS'],
      [['--honest'], 'NEEDS_EVENT_WINDOW'],
      [['--method', 'cs', '--pretrends'], 'NEEDS_UNIVERSAL_BASE'],
      [['--method', 'cs', '--bacon'], 'BACON_TWFE_ONLY'],
      [['--honest', '--event-window', '-6:6', '--mbar', '1,x'], 'BAD_GRID'],
    ];
    for (const [extra, code] of cases) {
      const r = runCli([...base, ...extra]);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.error().code).toBe(code);
    }
  });

  it('without the new flags the did document has no new keys', () => {
    const r = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--event-window', '-6:6', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expect(d.eventCovariance).toBeUndefined();
    expect('honest' in d.options).toBe(false);
  });

  it('did --placebo-holdout and vru-eval pretrends (twfe) agree and validate; options recorded', () => {
    const a = runCli(['did', FIXTURE, '--outcome', 'violence_rate', '--placebo-holdout', '6', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const da = a.json();
    expectValidDocument(da);
    expect(da.options.placeboHoldout).toBe(6);
    const b = runCli(['pretrends', FIXTURE, '--outcome', 'violence_rate', '--method', 'twfe', '--placebo-holdout', '6', '--json']);
    expect(b.code, b.stderr).toBe(0);
    const db = b.json();
    expectValidDocument(db);
    expect(db.options).toMatchObject({ method: 'twfe', placeboHoldout: 6 });
    expect(db.pretrends.placebo.att).toBeCloseTo(da.pretrends.placebo.att, 12);
    expect(db.pretrends.placebo.heldOut).toHaveLength(6);
    expect(db.diagnostics[0].message).toMatch(/placebo hold-out: pretending the programme started 6 month\(s\) early/);
  });

  it('pretrends --method synth: the placebo document validates, and the three chart kinds render', async () => {
    const { renderChart } = await import('../../src/plot/render.js');
    const r = runCli(['pretrends', FIXTURE, '--outcome', 'violence_rate', '--method', 'synth', '--placebo-holdout', '6', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    expectValidDocument(d);
    expect(d.estimate).toBeNull();
    const pl = d.pretrends.placebo;
    expect(pl.method).toBe('synth');
    expect(pl.path.filter((x: { heldOut: boolean }) => x.heldOut)).toHaveLength(6);
    // Pass/fail agrees with the interval (passed ⇔ it covers 0), or without one with the p-value.
    if (pl.ci) expect(pl.passed).toBe(pl.ci[0] <= 0 && pl.ci[1] >= 0);
    else expect(pl.passed).toBe(pl.pValue >= 0.05);
    expect(pl.equivalence.equivalent === null).toBe(pl.ci === null);
    const svg = (await renderChart(d, { kind: 'placebofit' })).svg;
    expect(svg.startsWith('<svg')).toBe(true);
    if (hasShared) {
      const tw = runCli(['did', MPDTA, '--outcome', 'lemp', '--event-window', '-4:3', '--bacon', '--honest', '--json']).json();
      for (const kind of ['sensitivity', 'bacon'] as const) {
        const out = await renderChart(tw, { kind });
        expect(out.warnings, kind).toEqual([]);
        expect(out.svg).toContain('<title id="vru-title">');
      }
    }
  });

  it('pretrends refuses a hold-out that leaves fewer than 2 fitting periods (mpdta: one pre-period)', () => {
    if (!hasShared) return;
    const r = runCli(['pretrends', MPDTA, '--outcome', 'lemp', '--method', 'twfe', '--placebo-holdout', '1']);
    expect(r.code).toBe(2);
    expect(r.error().code).toBe('PLACEBO_TOO_FEW_PERIODS');
  });
});
