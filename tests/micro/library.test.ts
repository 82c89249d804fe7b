/**
 * Library first (issue 23): `microFromPanel(panel, request)`, imported through the package name,
 * does every preparation step the CLI does (columns to read, --match-min series vs covariates,
 * size-based defaults, the linear distance, rate warnings), so its analysis equals the CLI's
 * document (estimate, effects, options apart from the CLI-only donor-pool fields, warnings).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDocument, microColumns, microFromPanel, readPanel, type MicroRequest } from 'vru-eval';
import { microPanelCsv, simulateMicroPanel } from '../../src/sim/microDgp.js';
import { runCli, tempDir } from '../helpers.js';

describe('micro through the library API', () => {
  it('microFromPanel gives the CLI document (defaults, --match-min series and covariates, two inferences)', async () => {
    const spec = { areas: 300, periods: 14, firstPeriod: '2019-01', treated: 10, start: 10, effect: -0.2, outcomes: 2, base: 6, sigmaU: 0.3, selection: 'random' as const };
    const file = join(tempDir(), 'lib.csv');
    writeFileSync(file, microPanelCsv(simulateMicroPanel(spec, 5), spec.start));
    const cli = runCli(['scm', file, '--method', 'micro', '--outcome', 'crime1', '--match-covariates', 'pop', '--match-min', 'crime2,dep', '--inference', 'permutation,linearisation', '--reps', '39', '--seed', '7', '--no-weight-range']);
    expect(cli.code, cli.stderr).toBe(0);
    const doc = cli.json();
    const req: MicroRequest = { outcomes: ['crime1'], matchCovariates: ['pop'], matchMin: ['crime2', 'dep'], inference: ['permutation', 'linearisation'], perms: 39, seed: 7, level: 0.95, weightRange: false };
    const a = await microFromPanel(readPanel(file, microColumns(req, { outcome: 'crime1' })), req);
    const { donors: _d, excludeUnits: _e, ...cliOptions } = doc.options;
    expect(JSON.parse(JSON.stringify(a.options))).toEqual(cliOptions);
    // the document layer adds what every command adds (e.g. estimate.mde when the interval covers zero)
    expect(JSON.parse(JSON.stringify(makeDocument('scm', doc.tool, doc.input, a).estimate))).toEqual(doc.estimate);
    expect(JSON.parse(JSON.stringify(a.effects))).toEqual(doc.effects);
    expect(a.warnings).toEqual(doc.warnings);
    // The size-based defaults were applied and said so.
    expect(a.options).toMatchObject({ calfun: 'linear', matchPeriods: 'each', matchPeriodsRequested: 'auto', permStat: 'log-ratio', permPool: 'controls' });
    expect(a.options.matchMin).toEqual(['crime2', 'dep']);
  }, 120_000);
});
