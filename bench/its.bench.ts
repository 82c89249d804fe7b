/**
 * Interrupted time series end to end (the issue sets no target; these are reported):
 * the report-shaped analysis on a fixture-sized panel and on 3,000 areas, a quasi-Poisson
 * count model with an offset, and one long series with AR(2) errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ITS_AR1_SPEC, POLICE_FIXTURE_SPEC, itsSeriesToCsv, recordsToCsv, simulateItsSeries, simulatePanel } from '../src/sim/dgp.js';
import { benchCli, benchDir } from './measure.js';

const dir = benchDir();
const small = join(dir, 'p60.csv');
writeFileSync(small, recordsToCsv(simulatePanel(POLICE_FIXTURE_SPEC, 1).records));
const large = join(dir, 'p3000.csv');
writeFileSync(large, recordsToCsv(simulatePanel({ ...POLICE_FIXTURE_SPEC, units: 3000, treatedUnits: 300 }, 1).records));
const longSpec = { ...ITS_AR1_SPEC, periods: 1200, interruption: 900, firstPeriod: '1920-01' };
const long = join(dir, 'long.csv');
writeFileSync(long, itsSeriesToCsv(longSpec, simulateItsSeries(longSpec, 1)));

const report = ['--outcome', 'violence_rate', '--interruption', '2019-04', '--interruption', '2019-09', '--dummy', '2020-04:2020-05', '--seasonality', 'month', '--errors', 'arma:1,1'];
console.log(JSON.stringify(benchCli('its 60 areas × 66 months: 2 interruptions, dummy, months, ARMA(1,1)', ['its', small, ...report])));
console.log(JSON.stringify(benchCli('its 3000 areas × 66 months (198,000 rows): same model', ['its', large, ...report])));
console.log(JSON.stringify(benchCli('its 3000 areas: quasi-Poisson sum of offences, offset, fourier:2', ['its', large, '--outcome', 'offences', '--aggregate', 'sum', '--family', 'quasipoisson', '--offset', 'population', '--seasonality', 'fourier:2', '--dummy', '2020-04:2020-05'])));
console.log(JSON.stringify(benchCli('its 3000 areas: controlled ITS vs 2700 untreated, AR(1)', ['its', large, '--outcome', 'violence_rate', '--control', '--seasonality', 'month', '--errors', 'ar:1'])));
console.log(JSON.stringify(benchCli('its one series × 1200 months, AR(2) errors, fourier:3', ['its', long, '--outcome', 'y', '--seasonality', 'fourier:3', '--errors', 'ar:2'])));
