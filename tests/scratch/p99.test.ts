import { test } from 'vitest';
import { readPanel, panelDesign } from '../../src/core/panel.js';
import { parsePredictors } from '../../src/estimators/synth/predictors.js';
import { fitWithPredictors } from '../../src/estimators/synth/fit.js';
test('p99', () => {
  const p = readPanel('/work/shared/datasets/prop99/data.csv', { outcome: 'cigsale', covariates: ['lnincome','retprice','age15to24','beer'] });
  const d = panelDesign(p);
  const specs = parsePredictors(p, ['lnincome@1980:1988','retprice@1980:1988','age15to24@1980:1988','beer@1984:1988','cigsale@1975','cigsale@1980','cigsale@1988']);
  const t0 = Date.now();
  const f = fitWithPredictors(p, d.treatedUnits[0]!, d.controlUnits, d.startIndex[d.treatedUnits[0]!]!, { specs, vMethod: 'nested', optWindow: null });
  console.log(Date.now() - t0, 'ms', f.vSearch, Array.from(f.v!));
  const ws = Array.from(f.w).map((w, a) => [p.units[f.donors[a]!], w] as const).filter((x) => x[1] > 1e-4).sort((a, b) => b[1] - a[1]);
  console.log(ws, f.preRmspe, f.solver);
});
