/**
 * Discounting (HM Treasury Green Book: PV = Σ x_t / (1 + r)^t, r = 3.5% by default). Reference
 * values are computed by hand in each test.
 */
import { describe, expect, it } from 'vitest';
import { discountFactor, presentValue, shareFactor } from '../../src/estimators/cba/index.js';
import { expectClose, expectValidDocument, runCli } from '../helpers.js';
import { runMain } from './inProcess.js';

describe('cba discounting', () => {
  it('library: discount factors and present values', () => {
    expect(discountFactor(0.035, 2019, 2019)).toBe(1);
    expectClose(discountFactor(0.035, 2021, 2019), 1 / 1.071225, { rtol: 1e-14 }, '1/1.035²');
    expectClose(presentValue([{ year: 0, amount: 100 }, { year: 1, amount: 103.5 }], 0.035, 0), 200, { rtol: 1e-14 }, 'PV');
    expectClose(shareFactor([{ year: 2019, share: 0.5 }, { year: 2020, share: 0.5 }], 0.035, 2019), 0.5 + 0.5 / 1.035, { rtol: 1e-14 }, 'share factor');
  });

  it('costs by year and benefit shares at the Green Book 3.5% default', async () => {
    const r = runCli(['cba', '--offences-avoided', '1000', '--ci', '500,1500', '--name', 'x', '--unit-cost', '100', '--costs-by-year', '2019/20:50000,2020/21:51750', '--benefit-shares', '2019:0.25,2020:0.75']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expectValidDocument(doc);
    expect(doc.options.discountRate).toBe(0.035);
    expect(doc.totals.discounting).toEqual({ applied: true, rate: 0.035, baseYear: 2019 });
    // Costs: 50,000 + 51,750 / 1.035 = 100,000. Benefits: 100,000 × (0.25 + 0.75 / 1.035).
    expectClose(doc.totals.costs, 100000, { rtol: 1e-14 }, 'PV of costs');
    expect(doc.totals.costsUndiscounted).toBe(101750);
    const f = 0.25 + 0.75 / 1.035;
    expectClose(doc.outcomes[0].discountFactor, f, { rtol: 1e-14 }, 'benefit factor');
    expect(doc.outcomes[0].benefit).toBe(100000);
    expectClose(doc.totals.benefits, 100000 * f, { rtol: 1e-14 }, 'PV of benefits');
    expectClose(doc.bcr.estimate, f, { rtol: 1e-14 }, 'ratio');
    expectClose(doc.bcr.low, 0.5 * f, { rtol: 1e-14 }, 'ratio at the lower end');
    expect(doc.warnings).toEqual([]);
    const t = await runMain(['cba', '--offences-avoided', '1000', '--ci', '500,1500', '--name', 'x', '--unit-cost', '100', '--costs-by-year', '2019:50000,2020:51750', '--benefit-shares', '2019:0.25,2020:0.75', '--format', 'table']);
    expect(t.stdout).toContain('present value');
  });

  it('--discount-rate 0 adds flows up; undated benefits beside dated costs are warned about', async () => {
    const doc = (await runMain(['cba', '--offences-avoided', '10', '--name', 'x', '--unit-cost', '100', '--costs-by-year', '2019:300,2020:200', '--discount-rate', '0'])).json();
    expect(doc.totals.costs).toBe(500);
    expect(doc.bcr.estimate).toBe(2);
    // At a zero rate timing does not matter, so undated benefits are not warned about; at 3.5% they are.
    expect(doc.warnings.map((w: { code: string }) => w.code)).toEqual(['NO_CI']);
    const undated = (await runMain(['cba', '--offences-avoided', '10', '--name', 'x', '--unit-cost', '100', '--costs-by-year', '2019:300,2020:200'])).json();
    expectClose(undated.totals.costs, 300 + 200 / 1.035, { rtol: 1e-14 }, 'PV of costs');
    expect(undated.totals.benefits).toBe(1000);
    expect(undated.warnings.map((w: { code: string }) => w.code)).toEqual(['BENEFITS_UNDISCOUNTED', 'NO_CI']);
    const noYears = (await runMain(['cba', '--offences-avoided', '10', '--name', 'x', '--unit-cost', '100', '--costs', '500', '--discount-rate', '0.035'])).json();
    expect(noYears.totals.discounting.applied).toBe(false);
    expect(noYears.warnings.map((w: { code: string }) => w.code)).toContain('DISCOUNT_UNUSED');
  });
});
