/**
 * Property-based fuzz of the CLI contract (issue 15), with fast-check: a small seeded panel
 * from the project's generator is mutated (bad, missing, overflowing, constant and duplicated
 * cells; dropped rows and columns; treatment from the first period or switching off; other
 * delimiters; shuffled rows) and every panel-reading command is run in-process through
 * `main(argv, io)` with `--out`. Contract checked on every case:
 *  - the exit code is 0, 2, 3 or 4 (never 1, an internal bug);
 *  - on failure stderr holds exactly one line, a JSON `{ error: { code, message, details } }`,
 *    and no output file exists (atomic writes);
 *  - on success the output file is one JSON document with no NON_FINITE warning (no number
 *    became null because it was not finite) and, when the mutation made outcome cells missing
 *    in a command that drops or imputes them (did, gsynth), a MISSING_CELLS warning and
 *    `input.cells.missing` > 0: no silent drops; a balanced-only command (scm synth, sdid, ascm)
 *    succeeds only on a panel with every outcome cell observed (checked by reading the mutated
 *    file) and records `input.cells` = { total, observed: total, used: total, missing: 0 }.
 * Commands: scm gsynth and synth (and every other registered scm method, with its defaults), its
 * (Gaussian and quasi-Poisson), did twfe and cs, inspect.
 * CI: 400 cases (≈ 4 s) (seeded, so the same cases every run); VRU_SLOW=1: 3,000.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SCM_METHODS } from '../../src/cli/commands/scmRegistry.js';
import type { CliIO } from '../../src/cli/io.js';
import { readPanelText } from '../../src/core/panel.js';
import { recordsToCsv, simulatePanel, POLICE_FIXTURE_SPEC, type PanelSpec } from '../../src/sim/dgp.js';
import { tempDir } from '../helpers.js';

const SPEC: PanelSpec = { ...POLICE_FIXTURE_SPEC, units: 9, periods: 24, firstPeriod: '2018-01', treatedUnits: 3, treatStart: '2019-01', factors: 1, selection: 'random', unitPrefix: 'F' };
delete (SPEC as Partial<PanelSpec>).shock;
const BASE = recordsToCsv(simulatePanel(SPEC, 15).records).trimEnd().split('\n').map((l) => l.split(','));
const HEADER = BASE[0]!;
const COL = { unit: 0, period: 1, y: 2, treated: 3, offences: 4, population: 5 };

/**
 * Whether the reader rejects numbers that overflow to ±Infinity (the `national` branch adds
 * this to src/io/csv.ts + src/core/panel.ts). Until it does, the overflow mutation is left out,
 * so this test checks this branch's contract; after the merge it is included automatically.
 */
const overflowRejected = (() => {
  try {
    readPanelText('unit,period,y,treated\nA,1,1e309,0\nA,2,1,0\n', { outcome: 'y' });
    return false;
  } catch {
    return true;
  }
})();
const BAD_VALUES = ['', 'NaN', 'NA', 'abc', '1,000', '-5', '0', '1e5', ...(overflowRejected ? ['1e309', '-1e309'] : [])];
const MISSING_VALUES = new Set(['', 'NaN', 'NA']);

type Mutation =
  | { kind: 'cell'; row: number; col: number; value: number }
  | { kind: 'constant'; scope: 'all' | 'treated' | 'controls'; value: 0 | 5 }
  | { kind: 'dropRow'; row: number }
  | { kind: 'duplicateRow'; row: number }
  | { kind: 'dropColumn'; col: number }
  | { kind: 'treatFromStart'; unit: number }
  | { kind: 'switchOff'; unit: number }
  | { kind: 'allTreated' }
  | { kind: 'delimiter'; sep: ';' | '\t' }
  | { kind: 'shuffle'; seed: number };

const nRows = BASE.length - 1;
const units = [...new Set(BASE.slice(1).map((r) => r[0]!))];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('cell' as const), row: fc.integer({ min: 1, max: nRows }), col: fc.constantFrom(COL.y, COL.y, COL.treated, COL.offences, COL.population, COL.period), value: fc.integer({ min: 0, max: BAD_VALUES.length - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('constant' as const), scope: fc.constantFrom('all' as const, 'treated' as const, 'controls' as const), value: fc.constantFrom(0 as const, 5 as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dropRow' as const), row: fc.integer({ min: 1, max: nRows }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicateRow' as const), row: fc.integer({ min: 1, max: nRows }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropColumn' as const), col: fc.integer({ min: 0, max: HEADER.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('treatFromStart' as const), unit: fc.integer({ min: 0, max: units.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('switchOff' as const), unit: fc.integer({ min: 0, max: units.length - 1 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'allTreated' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delimiter' as const), sep: fc.constantFrom(';' as const, '\t' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shuffle' as const), seed: fc.integer({ min: 1, max: 1e6 }) }) },
);

/** Apply mutations to a copy of the base table; returns the CSV text and whether an outcome cell became missing. */
function apply(muts: readonly Mutation[]): { text: string; outcomeMissing: boolean } {
  let rows = BASE.map((r) => [...r]);
  let sep = ',';
  let outcomeMissing = false;
  const treatedUnits = new Set(BASE.slice(1).filter((r) => r[COL.treated] === '1').map((r) => r[0]!));
  for (const m of muts) {
    switch (m.kind) {
      case 'cell': {
        const row = rows[Math.min(m.row, rows.length - 1)];
        if (row && m.col < row.length && rows.indexOf(row) > 0) {
          row[m.col] = BAD_VALUES[m.value]!;
          if (rows[0]![m.col] === HEADER[COL.y] && MISSING_VALUES.has(BAD_VALUES[m.value]!)) outcomeMissing = true;
        }
        break;
      }
      case 'constant': {
        const c = rows[0]!.indexOf(HEADER[COL.y]!);
        if (c < 0) break;
        for (const r of rows.slice(1)) {
          const isT = treatedUnits.has(r[0]!);
          if (m.scope === 'all' || (m.scope === 'treated') === isT) r[c] = String(m.value);
        }
        break;
      }
      case 'dropRow':
        if (m.row < rows.length) {
          rows.splice(m.row, 1);
          outcomeMissing = true;
        }
        break;
      case 'duplicateRow':
        if (m.row < rows.length) rows.splice(m.row, 0, [...rows[m.row]!]);
        break;
      case 'dropColumn':
        if (m.col < rows[0]!.length) rows = rows.map((r) => r.filter((_, k) => k !== m.col));
        break;
      case 'treatFromStart':
      case 'switchOff': {
        const c = rows[0]!.indexOf('treated');
        if (c < 0) break;
        const u = units[m.unit]!;
        const own = rows.slice(1).filter((r) => r[0] === u);
        own.forEach((r, k) => {
          if (m.kind === 'treatFromStart') r[c] = '1';
          else if (k === own.length - 1) r[c] = '0';
        });
        break;
      }
      case 'allTreated': {
        const c = rows[0]!.indexOf('treated');
        const p = rows[0]!.indexOf('period');
        if (c < 0 || p < 0) break;
        for (const r of rows.slice(1)) r[c] = r[p]! >= '2019-01' ? '1' : '0';
        break;
      }
      case 'delimiter':
        sep = m.sep;
        break;
      case 'shuffle': {
        let s = m.seed;
        const body = rows.slice(1);
        for (let k = body.length - 1; k > 0; k--) {
          s = (s * 1103515245 + 12345) % 2147483648;
          const j = s % (k + 1);
          [body[k], body[j]] = [body[j]!, body[k]!];
        }
        rows = [rows[0]!, ...body];
        break;
      }
    }
  }
  return { text: rows.map((r) => r.join(sep)).join('\n') + '\n', outcomeMissing };
}

/** The panel-reading commands, each small enough to run in well under a second. */
const COMMANDS: { name: string; args: string[]; dropsOrImputes: boolean; balanced?: boolean }[] = [
  { name: 'scm gsynth', args: ['scm', '--method', 'gsynth', '--outcome', 'violence_rate', '--reps', '10', '--factors-max', '1'], dropsOrImputes: true },
  { name: 'scm synth', args: ['scm', '--method', 'synth', '--outcome', 'violence_rate'], dropsOrImputes: false, balanced: true },
  // sdid and ascm (with their default inference) need a balanced panel: UNBALANCED_PANEL otherwise, as synth.
  { name: 'scm sdid', args: ['scm', '--method', 'sdid', '--outcome', 'violence_rate'], dropsOrImputes: false, balanced: true },
  { name: 'scm ascm', args: ['scm', '--method', 'ascm', '--outcome', 'violence_rate'], dropsOrImputes: false, balanced: true },
  { name: 'its gaussian', args: ['its', '--outcome', 'violence_rate'], dropsOrImputes: false },
  { name: 'its quasipoisson', args: ['its', '--outcome', 'offences', '--family', 'quasipoisson'], dropsOrImputes: false },
  { name: 'did twfe', args: ['did', '--method', 'twfe', '--outcome', 'violence_rate'], dropsOrImputes: true },
  { name: 'did cs', args: ['did', '--method', 'cs', '--outcome', 'violence_rate', '--reps', '0'], dropsOrImputes: true },
  { name: 'inspect', args: ['inspect', '--outcome', 'violence_rate'], dropsOrImputes: false },
  // Every other registered scm method with its defaults: the contract holds for all of them, and a
  // success with missing outcome cells must carry MISSING_CELLS and input.cells like gsynth.
  ...SCM_METHODS.filter((m) => !['gsynth', 'synth', 'sdid', 'ascm'].includes(m.name)).map((m) => ({ name: `scm ${m.name}`, args: ['scm', '--method', m.name, '--outcome', 'violence_rate'], dropsOrImputes: true })),
];

async function runInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: false };
  const code = await main(['node', 'vru-eval', ...args], io);
  return { code, stdout, stderr };
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasNonFinite);
  if (v && typeof v === 'object') return Object.values(v).some(hasNonFinite);
  return false;
}

let missingChecked = 0;
/** Runs of a balanced-only method refused with UNBALANCED_PANEL (exit 3). */
let unbalancedRefused = 0;

async function fuzz(numRuns: number): Promise<Record<string, Record<number, number>>> {
  const dir = tempDir();
  const tally: Record<string, Record<number, number>> = {};
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 0, maxLength: 3 }), fc.integer({ min: 0, max: COMMANDS.length - 1 }), async (muts, ci) => {
        const cmd = COMMANDS[ci]!;
        const { text, outcomeMissing } = apply(muts);
        const file = join(dir, 'panel.csv');
        const out = join(dir, 'out.json');
        writeFileSync(file, text);
        rmSync(out, { force: true });
        const [head, ...rest] = cmd.args;
        const r = await runInProcess([head!, file, ...rest, '--out', out]);
        ((tally[cmd.name] ??= {})[r.code] = (tally[cmd.name]![r.code] ?? 0) + 1);
        const ctx = `${cmd.name} after ${JSON.stringify(muts)}: exit ${r.code}, stderr ${r.stderr.slice(0, 400)}`;
        expect([0, 2, 3, 4], ctx).toContain(r.code);
        if (r.code !== 0) {
          const lines = r.stderr.split('\n').filter((l) => l !== '');
          expect(lines.length, ctx).toBe(1);
          const err = JSON.parse(lines[0]!) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof err.error?.code, ctx).toBe('string');
          expect(typeof err.error?.message, ctx).toBe('string');
          if (cmd.balanced && err.error?.code === 'UNBALANCED_PANEL') {
            expect(r.code, ctx).toBe(3);
            unbalancedRefused++;
          }
          expect(existsSync(out), `${ctx}: output file left behind`).toBe(false);
          return;
        }
        expect(existsSync(out), ctx).toBe(true);
        const doc = JSON.parse(readFileSync(out, 'utf8')) as { warnings?: { code: string }[]; input?: { cells?: { total: number; observed: number; used: number; missing: number } } };
        expect(hasNonFinite(doc), ctx).toBe(false);
        if (cmd.name === 'inspect') return;
        const codes = (doc.warnings ?? []).map((w) => w.code);
        expect(codes, ctx).not.toContain('NON_FINITE');
        if (cmd.balanced) {
          // Balanced-only: success means the file had every outcome cell (the same reader, in-process).
          const panel = readPanelText(text, { outcome: 'violence_rate' });
          const total = panel.units.length * panel.periods.length;
          expect(panel.y.some((v) => Number.isNaN(v)), `${ctx}: a balanced-only method succeeded on a panel with missing outcome cells`).toBe(false);
          expect(doc.input?.cells, ctx).toEqual({ total, observed: total, used: total, missing: 0 });
          expect(codes, ctx).not.toContain('MISSING_CELLS');
          return;
        }
        if (outcomeMissing && cmd.dropsOrImputes) {
          missingChecked++;
          expect(codes, `${ctx}: outcome cells went missing but no MISSING_CELLS warning`).toContain('MISSING_CELLS');
          expect(doc.input?.cells?.missing ?? 0, ctx).toBeGreaterThan(0);
        }
      }),
      { numRuns, seed: 15, endOnFailure: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tally;
}

describe('CLI contract under fuzzed panels (fast-check)', () => {
  it('CI: 400 seeded cases', async () => {
    const tally = await fuzz(400);
    // The no-silent-drop check must actually have been exercised.
    expect(missingChecked).toBeGreaterThanOrEqual(5);
    expect(unbalancedRefused).toBeGreaterThanOrEqual(3);
    console.log(`${missingChecked} successful runs with missing outcome cells checked for MISSING_CELLS, ${unbalancedRefused} balanced-only runs refused with UNBALANCED_PANEL; fuzz exit codes by command (overflow mutation ${overflowRejected ? 'included' : 'left out until the reader rejects 1e309'}): ${JSON.stringify(tally)}`);
  }, 120_000);

  it.skipIf(!process.env.VRU_SLOW)('slow: 3,000 cases', async () => {
    const tally = await fuzz(3000);
    console.log(`fuzz (3,000) exit codes by command: ${JSON.stringify(tally)}`);
  }, 3_600_000);
});
