/**
 * Degenerate data named in every command (issue 15): each case is an input error with its exit
 * code, or a warning in the document. Panels come from the project's generator
 * (src/sim/dgp.ts), edited to the degenerate case; commands run in-process through
 * `main(argv, io)` (the same code path as the binary), and a few through the real binary.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { POLICE_FIXTURE_SPEC, recordsToCsv, simulatePanel, type PanelSpec, type SimRecord } from '../../src/sim/dgp.js';
import { FIXTURE, expectValidDocument, runCli, tempDir } from '../helpers.js';

const SPEC: PanelSpec = { ...POLICE_FIXTURE_SPEC, units: 12, periods: 24, firstPeriod: '2018-01', treatedUnits: 4, treatStart: '2019-01', factors: 1, selection: 'random', unitPrefix: 'D' };
delete (SPEC as Partial<PanelSpec>).shock;
const base = simulatePanel(SPEC, 3);
const treatedSet = new Set(base.truth.treatedUnits);
const dir = tempDir();

function write(name: string, records: SimRecord[], edit?: (lines: string[]) => string[]): string {
  const file = join(dir, name);
  let lines = recordsToCsv(records).trimEnd().split('\n');
  if (edit) lines = edit(lines);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function run(args: string[]): Promise<{ code: number; doc: any; err: any }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), stderrIsTTY: false };
  const code = await main(['node', 'vru-eval', ...args], io);
  return { code, doc: code === 0 ? JSON.parse(out) : null, err: code !== 0 ? JSON.parse(err.trim()).error : null };
}

const COMMANDS: [string, string[]][] = [
  ['scm gsynth', ['scm', '--method', 'gsynth', '--reps', '20']],
  ['scm synth', ['scm', '--method', 'synth']],
  ['scm sdid', ['scm', '--method', 'sdid']],
  ['scm ascm', ['scm', '--method', 'ascm']],
  ['its gaussian', ['its']],
  ['its quasipoisson', ['its', '--family', 'quasipoisson']],
  ['did twfe', ['did', '--method', 'twfe']],
  ['did cs', ['did', '--method', 'cs', '--reps', '0']],
  ['inspect', ['inspect']],
];

describe('constant or all-zero outcome: one input error, exit 3, in every command', () => {
  const cases: [string, (r: SimRecord) => boolean, number][] = [
    ['all-zero everywhere', () => true, 0],
    ['constant among the treated units', (r) => treatedSet.has(r.unit), 5],
    ['all-zero among the comparison units', (r) => !treatedSet.has(r.unit), 0],
  ];
  for (const [what, pick, value] of cases) {
    const file = write(`const-${what.replace(/\W+/g, '-')}.csv`, base.records.map((r) => (pick(r) ? { ...r, outcome: value } : r)));
    for (const [name, args] of COMMANDS) {
      // ITS analyses the treated series only: a constant comparison group matters only with --control.
      const extra = name.startsWith('its') && what.includes('comparison') ? ['--control'] : [];
      it(`${what}: ${name} → CONSTANT_OUTCOME`, async () => {
        const [head, ...rest] = args;
        const r = await run([head!, file, ...rest, '--outcome', 'violence_rate', ...extra]);
        expect(r.code, JSON.stringify(r.err)).toBe(3);
        expect(r.err.code).toBe('CONSTANT_OUTCOME');
        expect(r.err.message).toContain("'violence_rate'");
        expect(r.err.details.column).toBe('violence_rate');
        expect(r.err.details.value).toBe(value);
      });
    }
  }

  it('through the binary: exit 3, one JSON line, no output file', () => {
    const file = write('zero-bin.csv', base.records.map((r) => ({ ...r, outcome: 0 })));
    const out = join(dir, 'never.json');
    const r = runCli(['did', file, '--method', 'cs', '--outcome', 'violence_rate', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.error().code).toBe('CONSTANT_OUTCOME');
    expect(r.error().message).toMatch(/all-zero/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('missing cells are never dropped silently', () => {
  // Two outcome cells emptied: one of a treated unit after its start, one of a control unit.
  const tUnit = base.truth.treatedUnits[0]!;
  const cUnit = base.records.find((r) => !treatedSet.has(r.unit))!.unit;
  const holes = new Set([`${tUnit},2019-06`, `${cUnit},2018-03`]);
  const file = write('holes.csv', base.records, (lines) => lines.map((l) => (holes.has(l.split(',').slice(0, 2).join(',')) ? l.replace(/^([^,]*,[^,]*,)[^,]*/, '$1NaN') : l)));
  for (const [name, args] of COMMANDS.filter(([n]) => n.startsWith('did') || n === 'scm gsynth')) {
    it(`${name}: MISSING_CELLS warning with the count and the unit–period pairs; input.cells`, async () => {
      const [head, ...rest] = args;
      const r = await run([head!, file, ...rest, '--outcome', 'violence_rate']);
      expect(r.code, JSON.stringify(r.err)).toBe(0);
      expectValidDocument(r.doc);
      const w = r.doc.warnings.find((x: { code: string }) => x.code === 'MISSING_CELLS');
      expect(w, JSON.stringify(r.doc.warnings)).toBeDefined();
      expect(w.message).toMatch(/^2 unit–period cell/);
      expect(w.message).toContain(`'${tUnit}' 2019-06`);
      expect(w.message).toContain(`'${cUnit}' 2018-03`);
      const cells = r.doc.input.cells;
      expect(cells.total).toBe(12 * 24);
      expect(cells.observed).toBe(12 * 24 - 2);
      expect(cells.missing).toBe(2);
      // cs drops the two incomplete units whole; twfe drops the two cells; gsynth uses every observed cell.
      expect(cells.used).toBe(name === 'did cs' ? 10 * 24 : 12 * 24 - 2);
    });
  }

  it('synth, sdid, ascm and its refuse a panel with missing cells in the units they use (exit 3, UNBALANCED_PANEL)', async () => {
    for (const args of [['scm', '--method', 'synth'], ['scm', '--method', 'sdid'], ['scm', '--method', 'ascm'], ['its']]) {
      const [head, ...rest] = args;
      const r = await run([head!, file, ...rest, '--outcome', 'violence_rate']);
      expect(r.code).toBe(3);
      expect(r.err.code).toBe('UNBALANCED_PANEL');
    }
  });

  it('gsynth: cells in --exclude-periods windows are not counted as used', async () => {
    const r = await run(['scm', FIXTURE, '--outcome', 'violence_rate', '--exclude-periods', '2020-04:2020-05', '--reps', '20']);
    expect(r.doc.input.cells).toEqual({ total: 3960, observed: 3960, used: 3960 - 2 * 60, missing: 0 });
  });

  it('sdid and ascm record input.cells on a complete panel (balanced-only: every cell used)', async () => {
    const full = write('full-scm.csv', base.records);
    for (const m of ['sdid', 'ascm']) {
      const r = await run(['scm', full, '--method', m, '--outcome', 'violence_rate', '--inference', 'none']);
      expect(r.code, JSON.stringify(r.err)).toBe(0);
      expectValidDocument(r.doc);
      expect(r.doc.input.cells, m).toEqual({ total: 288, observed: 288, used: 288, missing: 0 });
      expect(r.doc.warnings.map((w: { code: string }) => w.code), m).not.toContain('MISSING_CELLS');
    }
  });

  it('ascm: missing covariate cells are named (MISSING_CELLS) and counted; sdid refuses them (MISSING_COVARIATE)', async () => {
    // Two covariate (stop_search) cells emptied, outcome complete: one pre-treatment cell of a treated unit, one of a control.
    const xHoles = new Set([`${tUnit},2018-04`, `${cUnit},2018-07`]);
    const xfile = write('xholes.csv', base.records, (lines) => lines.map((l) => (xHoles.has(l.split(',').slice(0, 2).join(',')) ? l.replace(/,[^,]*$/, ',') : l)));
    const a = await run(['scm', xfile, '--method', 'ascm', '--outcome', 'violence_rate', '--covariates', 'stop_search', '--inference', 'none']);
    expect(a.code, JSON.stringify(a.err)).toBe(0);
    const w = a.doc.warnings.find((x: { code: string }) => x.code === 'MISSING_CELLS');
    expect(w, JSON.stringify(a.doc.warnings)).toBeDefined();
    expect(w.message).toMatch(/^2 unit–period cell\(s\) have a missing outcome or covariate/);
    expect(w.message).toContain(`'${tUnit}' 2018-04`);
    expect(w.message).toContain(`'${cUnit}' 2018-07`);
    expect(a.doc.input.cells).toEqual({ total: 288, observed: 288, used: 288, missing: 2 });
    const s = await run(['scm', xfile, '--method', 'sdid', '--outcome', 'violence_rate', '--covariates', 'stop_search', '--inference', 'none']);
    expect(s.code).toBe(3);
    expect(s.err.code).toBe('MISSING_COVARIATE');
  });

  it('a complete panel records its cells and gives no MISSING_CELLS warning', async () => {
    const r = await run(['did', write('full.csv', base.records), '--outcome', 'violence_rate']);
    expect(r.doc.input.cells).toEqual({ total: 288, observed: 288, used: 288, missing: 0 });
    expect(r.doc.warnings.map((w: { code: string }) => w.code)).not.toContain('MISSING_CELLS');
  });
});

describe('the same problem gets the same answer', () => {
  it('did twfe with no untreated unit: exit 3 NO_CONTROL_UNITS, like scm', async () => {
    const file = write('all-treated.csv', base.records.map((r) => ({ ...r, treated: r.period >= '2019-01' ? 1 : 0 })));
    for (const args of [['did', '--method', 'twfe'], ['scm', '--method', 'synth'], ['scm', '--method', 'gsynth']]) {
      const [head, ...rest] = args;
      const r = await run([head!, file, ...rest, '--outcome', 'violence_rate']);
      expect(r.code, `${args.join(' ')}: ${JSON.stringify(r.err)}`).toBe(3);
      expect(r.err.code).toBe('NO_CONTROL_UNITS');
    }
  });

  it('did twfe with a unit treated from the first period: ALWAYS_TREATED warning', async () => {
    const u = base.truth.treatedUnits[1]!;
    const r = await run(['did', write('always.csv', base.records.map((x) => (x.unit === u ? { ...x, treated: 1 } : x))), '--outcome', 'violence_rate']);
    expect(r.code).toBe(0);
    const w = r.doc.warnings.find((x: { code: string }) => x.code === 'ALWAYS_TREATED');
    expect(w.message).toContain(`'${u}'`);
  });

  it('did cs and twfe with a cohort that has one pre-period: SINGLE_PRE_PERIOD warning', async () => {
    const file = write('one-pre.csv', base.records.map((x) => (treatedSet.has(x.unit) ? { ...x, treated: x.period >= '2018-02' ? 1 : 0 } : x)));
    for (const method of ['cs', 'twfe']) {
      const r = await run(['did', file, '--method', method, '--outcome', 'violence_rate', ...(method === 'cs' ? ['--reps', '0'] : [])]);
      expect(r.code, JSON.stringify(r.err)).toBe(0);
      expect(r.doc.warnings.map((x: { code: string }) => x.code)).toContain('SINGLE_PRE_PERIOD');
    }
  });
});

describe('classic synthetic control outside the convex hull', () => {
  // The four treated areas are lifted 60 above every area: outside the donors' range everywhere.
  const lifted = base.records.map((r) => (treatedSet.has(r.unit) ? { ...r, outcome: r.outcome + 60 } : r));
  const file = write('hull.csv', lifted);

  it('says plainly not to use the estimate and names the methods that correct it', async () => {
    const r = await run(['scm', file, '--method', 'synth', '--outcome', 'violence_rate']);
    expect(r.code).toBe(0);
    expectValidDocument(r.doc);
    expect(r.doc.estimate.usable).toBe(false);
    expect(r.doc.estimate.useInstead).toEqual(['gsynth', 'ascm', 'sdid']);
    expect(r.doc.warnings[0].code).toBe('HULL_ESTIMATE_UNUSABLE');
    const w = r.doc.warnings.find((x: { code: string }) => x.code === 'HULL_ESTIMATE_UNUSABLE');
    expect(w.message).toMatch(/^Do not use this estimate/);
    expect(w.message).toContain('--method gsynth');
    const d = r.doc.diagnostics.find((x: { code: string }) => x.code === 'CONVEX_HULL');
    expect(d.passed).toBe(false);
    expect(d.value).toBe(4);
    // Placebo inference has no interval, and the document says why.
    expect(r.doc.estimate.ci).toBeNull();
    expect(r.doc.estimate.ciNote).toMatch(/--inference conformal/);
  });

  it('is quiet when the treated areas are inside the hull (the fixture)', async () => {
    const r = await run(['scm', FIXTURE, '--method', 'synth', '--outcome', 'violence_rate', '--placebo', 'none']);
    expect(r.doc.estimate.usable).toBe(true);
    expect(r.doc.warnings.map((x: { code: string }) => x.code)).not.toContain('HULL_ESTIMATE_UNUSABLE');
    expect(r.doc.diagnostics.find((x: { code: string }) => x.code === 'CONVEX_HULL').passed).toBe(true);
  });
});

describe('TWFE small-sample K as fixest 0.14.2 counts it', () => {
  it('66 monthly periods clustered by area: K = 1 slope + 66 = 67 (the intercept the nested area effects absorb is counted)', async () => {
    const r = await run(['did', FIXTURE, '--method', 'twfe', '--outcome', 'violence_rate']);
    expect(r.doc.input.periods).toBe(66);
    expect(r.doc.details.K).toBe(67);
    const n = r.doc.details.observations as number;
    const G = 60;
    expect(n).toBe(3960);
    expect(r.doc.details.smallSampleFactor).toBeCloseTo((G / (G - 1)) * ((n - 1) / (n - 67)), 14);
    // iid / hc1 count every effect: 1 + 60 + 66 − 1.
    const h = await run(['did', FIXTURE, '--method', 'twfe', '--outcome', 'violence_rate', '--vcov', 'hc1']);
    expect(h.doc.details.K).toBe(126);
  });
});

it('leaves the temporary directory readable (sanity)', () => {
  expect(readFileSync(join(dir, 'holes.csv'), 'utf8')).toContain('NaN');
});
