import { test } from 'vitest';
import { readPanel, panelDesign } from '../../src/core/panel.js';
import * as S from '../../src/estimators/synth/simplex.js';
import { parsePredictors } from '../../src/estimators/synth/predictors.js';
import { fitWithPredictors } from '../../src/estimators/synth/fit.js';
test('prof', () => {
  const orig = S.simplexQP;
  const p = readPanel('/work/shared/datasets/prop99/data.csv', { outcome: 'cigsale', covariates: ['lnincome','retprice','age15to24','beer'] });
  const d = panelDesign(p);
  const specs = parsePredictors(p, ['lnincome@1980:1988','retprice@1980:1988','age15to24@1980:1988','beer@1984:1988','cigsale@1975','cigsale@1980','cigsale@1988']);
  (globalThis as any).__qpstats = { n: 0, it: 0, nc: 0, maxit: 0 };
  const t0 = Date.now();
  fitWithPredictors(p, d.treatedUnits[0]!, d.controlUnits, 19, { specs, vMethod: 'nested', optWindow: null });
  console.log(Date.now() - t0, (globalThis as any).__qpstats);
});
