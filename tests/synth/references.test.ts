/**
 * Published classic synthetic-control results, reproduced through the CLI.
 *
 * Prop 99: Abadie, Diamond & Hainmueller (2010, JASA 105:493), Table 2 weights
 * (Utah .334, Nevada .234, Montana .199, Colorado .164, Connecticut .069) and the
 * placebo-in-space rank p-value 1/39 (§3.3: California has the largest post/pre
 * RMSPE ratio of the 39 states). Predictors as in ADH 2010 (dataset README).
 *
 * Basque: Abadie & Gardeazabal (2003) via the Synth package's example (Abadie,
 * Diamond & Hainmueller 2011, JSS 42(13)): Cataluña .851, Madrid .149.
 *
 * Tolerance: 0.05 on each weight above .05, as the issue states — nested-V optimisers
 * find slightly different V in a nearly flat loss, which moves small weights.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { dataset, expectClose, expectValidDocument, hasShared, runCli } from '../helpers.js';

const PROP99_PREDICTORS = 'lnincome@1980:1988,retprice@1980:1988,age15to24@1980:1988,beer@1984:1988,cigsale@1975,cigsale@1980,cigsale@1988';
const BASQUE_PREDICTORS = [
  'invest@1964:1969',
  'share(school.illit|school.prim|school.med|school.high+school.post.high)@1964:1969',
  'gdpcap@1960:1969',
  'sec.agriculture@1961:1969:2',
  'sec.energy@1961:1969:2',
  'sec.industry@1961:1969:2',
  'sec.construction@1961:1969:2',
  'sec.services.venta@1961:1969:2',
  'sec.services.nonventa@1961:1969:2',
  'popdens@1969',
].join(',');

describe.skipIf(!hasShared)('Prop 99 (ADH 2010)', () => {
  let doc: any;
  beforeAll(() => {
    const r = runCli(['scm', dataset('prop99'), '--method', 'synth', '--outcome', 'cigsale', '--predictors', PROP99_PREDICTORS]);
    expect(r.code, r.stderr).toBe(0);
    doc = r.json();
  });

  it('gives a valid document', () => expectValidDocument(doc));

  it('weights close to ADH Table 2', () => {
    const w = doc.units[0].weights as Record<string, number>;
    const published: Record<string, number> = { Utah: 0.334, Nevada: 0.234, Montana: 0.199, Colorado: 0.164, Connecticut: 0.069 };
    const got = Object.fromEntries(Object.entries(w).filter(([, x]) => x > 0.001).sort((a, b) => b[1] - a[1]));
    console.log('Prop 99 weights (ours):', JSON.stringify(got), 'published:', JSON.stringify(published), 'pre-RMSPE', doc.units[0].preRmspe);
    for (const [state, ref] of Object.entries(published)) expectClose(w[state], ref, { atol: 0.05 }, `weight of ${state}`);
    let sum = 0;
    for (const x of Object.values(w)) sum += x;
    expectClose(sum, 1, { atol: 1e-12 }, 'sum of weights');
  });

  it('California placebo-in-space p-value is 1/39 (largest RMSPE ratio of 39 states)', () => {
    expect(doc.units[0].pValue).toBe(1 / 39);
    expect(doc.estimate.pValue).toBe(1 / 39);
    expect(doc.estimate.inference).toBe('placebo-space');
    expect(doc.placebos.units).toHaveLength(38);
    console.log('Prop 99 ATT 1989–2000 with ADH predictors:', doc.estimate.att);
    const bal = doc.diagnostics.find((d: any) => d.code === 'BALANCE');
    expect(bal.table.length).toBe(7);
  });

  it('placebo filter k = 2 (ADH Fig. 6 style) still gives rank 1 among the remaining placebos', () => {
    const r = runCli(['scm', dataset('prop99'), '--method', 'synth', '--outcome', 'cigsale', '--predictors', PROP99_PREDICTORS, '--v', 'regression', '--placebo-filter', '2']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json();
    const included = d.placebos.units.filter((u: any) => u.included).length;
    expect(included).toBeLessThan(38);
    expect(d.units[0].pValue).toBe(1 / (1 + included));
  });
});

describe.skipIf(!hasShared)('Prop 99 outcome-only (Arkhangelsky et al. 2021, Table 1, SC column: −19.6)', () => {
  it('average effect 1989–2000 within 0.2 of −19.6', () => {
    // synthdid's sc_estimate adds a tiny ridge penalty (ζ = 1e-6·σ) to the same simplex least squares;
    // 0.2 packs covers that and the rounding of the published −19.6.
    const r = runCli(['scm', dataset('prop99'), '--method', 'synth', '--outcome', 'cigsale', '--placebo', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    console.log('Prop 99 outcome-only ATT:', doc.estimate.att);
    expectClose(doc.estimate.att, -19.6, { atol: 0.2 }, 'outcome-only SC ATT');
    expect(doc.diagnostics.find((d: any) => d.code === 'SOLVER_KKT').passed).toBe(true);
  });
});

describe.skipIf(!hasShared)('Basque Country (Abadie & Gardeazabal 2003, Synth example)', () => {
  it('weights Cataluña ≈ .851, Madrid ≈ .149', () => {
    const r = runCli(['scm', dataset('basque'), '--method', 'synth', '--outcome', 'gdpcap', '--exclude-units', 'Spain (Espana)', '--predictors', BASQUE_PREDICTORS, '--optimisation-window', '1960:1969', '--placebo', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    const w = doc.units[0].weights as Record<string, number>;
    console.log('Basque weights (ours): Cataluna', w['Cataluna'], 'Madrid', w['Madrid (Comunidad De)']);
    expectClose(w['Cataluna'], 0.851, { atol: 0.05 }, 'Cataluña');
    expectClose(w['Madrid (Comunidad De)'], 0.149, { atol: 0.05 }, 'Madrid');
    expect(Object.keys(w)).not.toContain('Spain (Espana)');
  });
});
