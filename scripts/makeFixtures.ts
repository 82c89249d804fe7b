/**
 * Regenerates the shipped fixture panels from the project's own seeded generator:
 *   fixtures/police_monthly.csv         (violence_rate per 100,000) 60 areas × 66 months (2015-04 … 2020-09),
 *                                       12 treated from 2019-04, true effect −4 per 100,000
 *   fixtures/police_monthly.truth.json  the generator's truth
 * Run with `npm run fixtures`. Deterministic: the same files every time.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel } from '../src/sim/dgp.js';

export const FIXTURE_SEED = 2019;

const dir = process.argv[2] ?? 'fixtures';
mkdirSync(dir, { recursive: true });
const { records, truth } = simulatePanel(POLICE_FIXTURE_SPEC, FIXTURE_SEED);
writeFileSync(join(dir, 'police_monthly.csv'), recordsToCsv(records));
writeFileSync(join(dir, 'police_monthly.truth.json'), JSON.stringify({ att: truth.att, treatedUnits: truth.treatedUnits, starts: truth.starts, pathEffect: truth.pathEffect, beta: truth.beta, factors: truth.factors, seed: truth.seed, spec: truth.spec }, null, 2) + '\n');
process.stdout.write(`wrote ${dir}/police_monthly.csv (${records.length} rows), true ATT ${truth.att}\n`);
