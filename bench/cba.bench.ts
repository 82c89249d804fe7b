/**
 * Cost-benefit: the Home Office reproduction spec, and a 1,000-outcome spec with costs and
 * benefit timing over 10 years (discounted), through the real CLI. cba reads no panel, so there is
 * no dgp panel here; its inputs are the numbers a result document or spec carries.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEEKS_2018 } from '../src/estimators/cba/costTables.js';
import { Rng } from '../src/core/rng.js';
import { benchCli, benchDir } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const reproduction = join(here, '..', '..', 'examples', 'home-office-vru-2022.json');
console.log(JSON.stringify(benchCli('cba Home Office reproduction spec (2 outcomes)', ['cba', '--spec', reproduction], { target: '< 1 s' })));

const rng = new Rng(7);
const types = HEEKS_2018.entries.map((e) => e.outcomeType);
const years = Array.from({ length: 10 }, (_, k) => 2019 + k);
const shares = Object.fromEntries(years.map((y) => [String(y), 0.1]));
const outcomes = Array.from({ length: 1000 }, (_, k) => {
  const n = 100 + 1000 * rng.uniform();
  return { name: `outcome ${k}`, offencesAvoided: n, ci: [n * 0.5, n * 1.5], multiplier: 1 + rng.uniform(), outcomeType: types[k % types.length], uprate: 1.0927, benefitShares: shares };
});
const dir = benchDir();
const spec = join(dir, 'big.json');
writeFileSync(spec, JSON.stringify({ outcomes, costs: Object.fromEntries(years.map((y) => [String(y), 1e7])) }));
console.log(JSON.stringify(benchCli('cba 1,000 outcomes × 10 years, discounted', ['cba', '--spec', spec], { target: '< 1 s' })));
