import { test } from 'vitest';
import { readPanel, panelDesign } from '../../src/core/panel.js';
import { summariseFit } from '../../src/estimators/synth/fit.js';
test('p99 adh loss', () => {
  const p = readPanel('/work/shared/datasets/prop99/data.csv', { outcome: 'cigsale', covariates: ['lnincome','retprice','age15to24','beer'] });
  const d = panelDesign(p);
  const ca = d.treatedUnits[0]!;
  const adh: Record<string, number> = { Utah: .334, Nevada: .234, Montana: .199, Colorado: .164, Connecticut: .069 };
  const donors = Int32Array.from(d.controlUnits);
  const w = Float64Array.from(d.controlUnits, (j) => adh[p.units[j]!] ?? 0);
  const s = summariseFit(p, ca, donors, w, 19);
  console.log('ADH pre MSPE', s.preRmspe ** 2, s.preRmspe);
});
