/**
 * Predictor specifications: parsing, windows with steps, sums, shares, missing cells,
 * and the nested-V search options. Hand-computed values on a tiny panel.
 */
import { describe, expect, it } from 'vitest';
import { readPanelText } from '../../src/core/panel.js';
import { parsePredictors, predictorColumns, predictorMatrix, splitPredictorList } from '../../src/estimators/synth/predictors.js';
import { dataset, expectClose, hasShared, runCli } from '../helpers.js';

// Two units × 4 years; x has a missing cell for B in 2002.
const csv = `unit,period,y,treated,x,a,b
A,2000,1,0,10,1,3
A,2001,2,0,20,1,3
A,2002,3,1,30,2,2
A,2003,4,1,40,2,2
B,2000,5,0,1,4,0
B,2001,6,0,2,4,0
B,2002,7,0,,4,0
B,2003,8,0,4,4,0
`;
const panel = readPanelText(csv, { outcome: 'y', covariates: ['x', 'a', 'b'] });

describe('predictor specifications', () => {
  it('splits lists on commas outside parentheses and finds the columns', () => {
    expect(splitPredictorList('x@2000:2001, share(a|b)@2000,y@2001')).toEqual(['x@2000:2001', 'share(a|b)@2000', 'y@2001']);
    expect(predictorColumns(['x@2000', 'share(a|b+y)@2000', 'a+x@2001'])).toEqual(['x', 'a', 'b', 'y']);
  });

  it('window means skip missing cells; steps pick every k-th period; sums add window means', () => {
    const specs = parsePredictors(panel, ['x@2000:2003', 'x@2000:2003:2', 'y@2001', 'a+b@2000:2001']);
    const X = predictorMatrix(panel, specs, [0, 1]);
    // A: mean(10,20,30,40)=25; B: mean(1,2,4)=7/3 (2002 missing).
    expectClose(X[0], 25, { rtol: 1e-15 }, 'A x mean');
    expectClose(X[1], 7 / 3, { rtol: 1e-15 }, 'B x mean without the missing cell');
    // Step 2: 2000 and 2002 → A (10+30)/2 = 20; B only 2000 observed → 1.
    expect([X[2], X[3]]).toEqual([20, 1]);
    expect([X[4], X[5]]).toEqual([2, 6]);
    expect([X[6], X[7]]).toEqual([4, 4]);
    expect(specs.map((s) => s.label)).toEqual(['x@2000:2003', 'x@2000:2003:2', 'y@2001', 'a+b@2000:2001']);
  });

  it('share() gives 100 × member mean / total of member means, one predictor per member', () => {
    const specs = parsePredictors(panel, ['share(a|b)@2000:2003']);
    expect(specs).toHaveLength(2);
    const X = predictorMatrix(panel, specs, [0, 1]);
    // A: a mean 1.5, b mean 2.5 → 37.5%, 62.5%; B: a 4, b 0 → 100%, 0%.
    expect(Array.from(X)).toEqual([37.5, 100, 62.5, 0]);
  });

  it('a predictor with no observed cell for a unit is an InputError naming unit and predictor', () => {
    const specs = parsePredictors(panel, ['x@2002']);
    expect(() => predictorMatrix(panel, specs, [0, 1])).toThrowError(/'B'.*2002|x@2002.*'B'/);
  });

  it('bad syntax is a UsageError', () => {
    expect(() => parsePredictors(panel, ['x'])).toThrowError(/variable@period/);
    expect(() => parsePredictors(panel, ['x@2003:2000'])).toThrowError(/ends before/);
    expect(() => parsePredictors(panel, ['x@2000:2003:0'])).toThrowError(/positive integer/);
    expect(() => parsePredictors(panel, ['share(a)@2000'])).toThrowError(/two members/);
  });
});

describe.skipIf(!hasShared)('nested-V search on Prop 99', () => {
  it('multistart never ends with a higher pre-period MSPE than the equal start (it includes that start)', () => {
    const preds = 'lnincome@1980:1988,retprice@1980:1988,age15to24@1980:1988,beer@1984:1988,cigsale@1975,cigsale@1980,cigsale@1988';
    const run = (how: string) => {
      const r = runCli(['scm', dataset('prop99'), '--method', 'synth', '--outcome', 'cigsale', '--predictors', preds, '--v-search', how, '--placebo', 'none']);
      expect(r.code, r.stderr).toBe(0);
      return r.json().units[0];
    };
    const eq = run('equal-start');
    const ms = run('multistart');
    console.log(`Prop 99 nested-V loss: equal-start ${eq.solver.vSearch.loss}, multistart ${ms.solver.vSearch.loss} (start ${ms.solver.vSearch.start}); multistart weights ${JSON.stringify(Object.fromEntries(Object.entries(ms.weights).filter(([, w]) => (w as number) > 0.001)))}`);
    expect(ms.solver.vSearch.loss).toBeLessThanOrEqual(eq.solver.vSearch.loss);
    // The V search minimises exactly the pre-period MSPE reported for the fit (window = all pre periods).
    expectClose(eq.preRmspe ** 2, eq.solver.vSearch.loss, { rtol: 1e-10 }, 'pre-MSPE = V-search loss');
  });
});
