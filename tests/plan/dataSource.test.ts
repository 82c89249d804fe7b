/**
 * Plan data sources built from police.uk files (`data.<name>.panel`), through the binary, on a
 * tiny archive made by the project's generator (src/sim/policeuk.ts: 3 forces × 12 LSOAs × 12
 * months, Kent treated from 2019-04, generated in ~0.2 s):
 *   - the build is a step of the plan: results/data/<name>.csv and <name>.manifest.json, hashed in
 *     results/manifest.json, byte-identical to `vru-eval panel police-uk` typed by hand in the plan's
 *     directory; the analysis reads the built CSV and equals its recorded command typed by hand;
 *   - `--check` passes on the results, and fails (exit 5) with the panel's first differing line
 *     when one archive row changes;
 *   - a bad panel option is a plan error (exit 2) with its key path and the nearest valid key.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { writePoliceUkArchive, type PoliceUkSpec, type PoliceUkTruth } from '../../src/sim/policeuk.js';
import { expectValidDocument, runCli, tempDir } from '../helpers.js';

const TINY: PoliceUkSpec = {
  firstMonth: '2018-10',
  months: 12,
  forces: [
    { slug: 'kent', name: 'Kent Police', lsoas: 12, lads: 2 },
    { slug: 'essex', name: 'Essex Police', lsoas: 12, lads: 2 },
    { slug: 'surrey', name: 'Surrey Police', lsoas: 12, lads: 2 },
  ],
  meanRecords: 12,
  logSd: 0.45,
  treatedForces: ['kent'],
  effectStart: '2019-04',
  effect: -0.3,
  missing: [],
  borderLsoas: 1,
  crossBorderShare: 0.2,
  duplicatesPerFile: 1,
  btpPerMonth: 0,
  stopSearchPerMonth: 0,
  stopSearchNoCoordShare: 0,
  quotedLocationShare: 0.1,
};

const BUILD = '{ hotspots: "50%", by: violence_and_sexual_offences, before: "2019-04", treatedWhere: "force=kent", start: "2019-04" }';
const planText = (build = BUILD): string => `version: 1
seed: 7
data:
  hot:
    panel:
      source: police-uk
      paths: [archive]
      options: ${build}
analyses:
  twfe:
    command: did
    data: hot
    options: { method: twfe, outcome: violence_and_sexual_offences }
`;

let dir: string;
let truth: PoliceUkTruth;
let plan: string;
let results: string;
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

beforeAll(async () => {
  dir = tempDir();
  truth = await writePoliceUkArchive(dir, TINY, 3, { zip: false });
  plan = join(dir, 'plan.yaml');
  writeFileSync(plan, planText());
  results = join(dir, 'results');
  const r = runCli(['run', plan, '--out', results, '--threads', '1']);
  expect(r.code, r.stderr).toBe(0);
});

/** A copy of the plan and archive in a new directory (to change a row without touching the original). */
function copyProject(): string {
  const d = tempDir();
  cpSync(join(dir, 'archive'), join(d, 'archive'), { recursive: true });
  writeFileSync(join(d, 'plan.yaml'), planText());
  return d;
}

describe('plan data source built by panel police-uk', () => {
  it('builds results/data/hot.csv as a step, hashes it in the manifest, and the analysis reads it', () => {
    const m = JSON.parse(readFileSync(join(results, 'manifest.json'), 'utf8'));
    expect(m.status).toBe('complete');
    expect(m.inputs).toEqual([{ data: 'hot', file: 'data/hot.csv', sha256: sha(join(results, 'data', 'hot.csv')), manifest: { file: 'data/hot.manifest.json', sha256: sha(join(results, 'data', 'hot.manifest.json')) } }]);
    expect(m.steps.map((s: { name: string; section: string }) => `${s.section}.${s.name}`)).toEqual(['data.hot', 'analyses.twfe']);
    const build = m.steps[0];
    expect(build.outputs).toEqual(['data/hot.csv', 'data/hot.manifest.json']);
    expect(build.args).toEqual(['panel', 'police-uk', 'archive', '--treated-where', 'force=kent', '--start', '2019-04', '--hotspots', '50%', '--by', 'violence_and_sexual_offences', '--before', '2019-04', '--out', 'data/hot.csv', '--manifest', 'data/hot.manifest.json']);
    expect(m.steps[1].args).toEqual(['did', 'data/hot.csv', '--outcome', 'violence_and_sexual_offences', '--seed', '7', '--method', 'twfe', '--out', 'twfe.json']);

    // the panel: the top half of the 36 LSOAs by pre-2019-04 violence (ties kept), 12 months each;
    // treated = exactly the kept LSOAs of Kent (the generator's treated force), from 2019-04
    const csv = readFileSync(join(results, 'data', 'hot.csv'), 'utf8').trimEnd().split('\n');
    const header = csv[0]!.split(',');
    const rows = csv.slice(1).map((l) => l.split(','));
    const units = [...new Set(rows.map((r) => r[0]!))];
    expect(units.length).toBeGreaterThanOrEqual(18);
    expect(units.length).toBeLessThan(36);
    expect(rows.length).toBe(units.length * 12);
    const ti = header.indexOf('treated');
    for (const r of rows) {
      const kent = truth.lsoaForce[truth.lsoas.indexOf(r[0]!)] === 'kent';
      expect(r[ti], `${r[0]} ${r[1]}`).toBe(kent && r[1]! >= '2019-04' ? '1' : '0');
    }

    const doc = JSON.parse(readFileSync(join(results, 'twfe.json'), 'utf8'));
    expectValidDocument(doc);
    expect(doc.input.file).toBe('hot.csv');
    expect(doc.input.rows).toBe(rows.length);
    expect(doc.input.units).toBe(units.length);
  });

  it('the built files equal the recorded commands typed by hand (panel in the plan directory, did in results/)', () => {
    const d = tempDir();
    const args = JSON.parse(readFileSync(join(results, 'manifest.json'), 'utf8')).steps[0].args as string[];
    const byHand = args.map((a) => (a.startsWith('data/') ? join(d, a.slice(5)) : a));
    expect(runCli(byHand, { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(d, 'hot.csv'), 'utf8')).toBe(readFileSync(join(results, 'data', 'hot.csv'), 'utf8'));
    // the manifest too: the plan makes its paths relative to the plan directory, as typed there
    expect(readFileSync(join(d, 'hot.manifest.json'), 'utf8')).toBe(readFileSync(join(results, 'data', 'hot.manifest.json'), 'utf8'));
    const did = JSON.parse(readFileSync(join(results, 'manifest.json'), 'utf8')).steps[1].args as string[];
    const out = join(d, 'twfe.json');
    expect(runCli([...did.slice(0, -1), out], { cwd: results }).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(results, 'twfe.json'), 'utf8'));
  });

  it('--check recomputes the build and passes on unchanged inputs', () => {
    const r = runCli(['run', plan, '--check', results, '--threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().status).toBe('match');
    expect(r.json().compared).toEqual(['twfe', 'data/hot.csv']);
    expect(r.json().diff[0]).toMatch(/^check: 1 result document\(s\) and 1 built panel\(s\) match/);
  });

  it('--check fails (exit 5) naming the panel line when one archive row changes', () => {
    const d = copyProject();
    // recode one violence record of a treated-force file as a burglary
    const f = join(d, 'archive', '2018-12', '2018-12-kent-street.csv');
    const lines = readFileSync(f, 'utf8').split('\n');
    const k = lines.findIndex((l) => l.includes(',Violence and sexual offences,'));
    expect(k).toBeGreaterThan(0);
    lines[k] = lines[k]!.replace(',Violence and sexual offences,', ',Burglary,');
    writeFileSync(f, lines.join('\n'));
    const r = runCli(['run', join(d, 'plan.yaml'), '--check', results, '--only', 'hot', '--threads', '1']);
    expect(r.code).toBe(5);
    expect(r.error().code).toBe('RESULTS_DRIFT');
    const diff = r.json().diff.join('\n');
    expect(diff).toMatch(/^check: drift in 1 of 1 files \(0 result document\(s\) and 1 built panel\(s\)\)/);
    expect(diff).toMatch(/data\/hot\.csv: the built panel differs \(committed sha256 [0-9a-f]{12}…/);
    expect(diff).toMatch(/first difference at line \d+: committed E0\d+,2018-12,/);
    expect(r.json().differences).toEqual([expect.objectContaining({ file: 'data/hot.csv', kind: 'structure' })]);
  });

  it('a bad panel option is a plan error (exit 2) with its key path and the nearest valid key', () => {
    const bad = (build: string) => {
      const d = copyProject();
      writeFileSync(join(d, 'plan.yaml'), planText(build));
      const r = runCli(['run', join(d, 'plan.yaml'), '--out', join(d, 'out')]);
      expect(r.code).toBe(2);
      return r.error();
    };
    const e = bad('{ hotspot: "50%", by: violence_and_sexual_offences, before: "2019-04" }');
    expect(e.code).toBe('PLAN_UNKNOWN_KEY');
    expect(e.details.path).toBe('data.hot.panel.options.hotspot');
    expect(e.details.suggestion).toBe('hotspots');
    expect(e.message).toContain("did you mean 'hotspots'?");
    // plan-only validation through the same table: --out is the plan's to decide; values by the flag's parser
    expect(bad('{ out: x.csv }').details.path).toBe('data.hot.panel.options.out');
    const share = bad('{ maxUnlocated: 1.5 }');
    expect(share.code).toBe('PLAN_BAD_VALUE');
    expect(share.details.path).toBe('data.hot.panel.options.maxUnlocated');
    expect(share.message).toContain('must be a share');
    expect(bad('{ dropIncomplete: "yes" }').code).toBe('PLAN_BAD_TYPE');
  });

  it('a built source is validated as a whole: source, paths, file and panel together', () => {
    const err = (data: string) => {
      const f = join(tempDir(), 'plan.yaml');
      writeFileSync(f, `data:\n  hot:\n${data}\nanalyses:\n  twfe: { command: did, data: hot, options: { method: twfe, outcome: all_crime } }\n`);
      const r = runCli(['run', f, '--out', join(tempDir(), 'o')]);
      expect(r.code).toBe(2);
      return r.error().details.path;
    };
    expect(err('    panel: { source: police-uk, paths: [a], option: {} }')).toBe('data.hot.panel.option');
    expect(err('    panel: { source: police.uk, paths: [a] }')).toBe('data.hot.panel.source');
    expect(err('    panel: { source: police-uk, paths: [] }')).toBe('data.hot.panel.paths');
    expect(err('    file: a.csv\n    panel: { source: police-uk, paths: [a] }')).toBe('data.hot.file');
    expect(err('    options: { unit: lsoa }')).toBe('data.hot.file');
  });

  it('vru-eval schema --plan accepts the plan and rejects an unknown panel option', () => {
    const r = runCli(['schema', '--plan', '--json']);
    expect(r.code).toBe(0);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(r.json());
    expect(validate(parseYaml(planText())), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parseYaml(planText('{ hotspot: "50%" }')))).toBe(false);
  });
});
