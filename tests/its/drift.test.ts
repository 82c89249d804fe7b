/**
 * Issue 21: ITS intervals on series whose common trend wanders (a random-walk factor, as crime
 * series share), beside the stationary design.
 *
 * DGP (src/sim/itsDrift.ts, ITS_DRIFT_SPEC): 4 treated + 16 comparison areas, 144 months,
 * interruption at month 72, step −5 (no slope change), AR(1) area errors ρ = 0.5, σ = 1, and a
 * common random-walk factor with step SD 0.5 ('rw') or none ('stationary'). The model is the
 * default segmented regression (level and slope change) with --errors ar:1; the target is the
 * ATT (mean post-period effect = −5).
 *
 * Why ITS alone under-covers under 'rw': it extrapolates the pre-period trend of the treated
 * mean, which the random walk pulls away from by σ_f√h after h months; AR(1) errors cannot
 * represent that (the SE is unstable; the SD of the estimate was 3.3 against 0.40 without the
 * factor). The fix offered by the COUNTERFACTUAL_MAY_DRIFT warning, a controlled ITS on the
 * treated − comparison difference (--control --control-model difference), removes the shared
 * factor exactly, and its interval covers.
 *
 * `--errors auto` (selectErrors.ts) chooses ARIMA(0,1,1) errors when the pre-period looks like a
 * random walk, whose interval allows for the drift, and a stationary ARMA otherwise; it must cover
 * 93–97% in both designs.
 *
 * MC SE of a coverage p̂ over n runs: √(0.95·0.05/n). Fast (CI): 80 runs per design (MC SE 2.4
 * points) and 50 for auto (MC SE 3.1), bounds 0.95 − 3.3 MC SE; slow (VRU_SLOW=1): 1,000 runs
 * (MC SE 0.7 points), 93–97%, and each figure of the table in docs/methods/its.md reproduced.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { readPanelText } from '../../src/core/panel.js';
import { estimateIts } from '../../src/estimators/its/index.js';
import { ITS_DRIFT_SPEC, simulateDriftPanel } from '../../src/sim/itsDrift.js';

type Design = 'rw' | 'stationary';
/** 'its': --errors ar:1; 'difference': ar:1 on treated − comparison; otherwise the --errors spec itself. */
type Model = 'its' | 'difference' | 'auto' | 'arima:0,1,1' | 'local-level';

const DOC = readFileSync(join(ROOT, 'docs', 'methods', 'its.md'), 'utf8');
const DESIGN_LABEL: Record<Design, string> = { stationary: 'no common factor', rw: 'random-walk factor' };
const MODEL_LABEL: Record<Model, string> = { its: '`--errors ar:1`', difference: '`--errors ar:1 --control --control-model difference`', auto: '`--errors auto`', 'arima:0,1,1': '`--errors arima:0,1,1`', 'local-level': '`--errors local-level`' };
/** The coverage (%) docs/methods/its.md reports for a design and model. */
function docCoverage(design: Design, model: Model): number {
  const row = DOC.split('\n').find((l) => l.startsWith(`| ${DESIGN_LABEL[design]} | ${MODEL_LABEL[model]} |`));
  expect(row, `docs/methods/its.md row for ${design} / ${model}`).toBeTruthy();
  return Number(row!.split('|')[3]!.trim().replace('%', ''));
}

function run(design: Design, model: Model, reps: number, firstSeed: number) {
  const spec = { ...ITS_DRIFT_SPEC, factorSd: design === 'rw' ? 0.5 : 0 };
  let covered = 0;
  let drift = 0;
  const chosen: Record<string, number> = {};
  const est: number[] = [];
  for (let m = 0; m < reps; m++) {
    const panel = readPanelText(simulateDriftPanel(spec, firstSeed + m), { outcome: 'y' });
    const errors = model === 'its' || model === 'difference' ? 'ar:1' : model;
    const a = estimateIts(panel, { errors, ...(model === 'difference' ? { control: [], controlModel: 'difference' as const } : {}) });
    const c = String(a.options.errorsChosen ?? errors);
    chosen[c] = (chosen[c] ?? 0) + 1;
    const e = a.estimate!;
    est.push(e.att!);
    if (e.ci![0] <= spec.level && spec.level <= e.ci![1]) covered++;
    if (a.warnings.some((w) => w.code === 'COUNTERFACTUAL_MAY_DRIFT')) drift++;
  }
  const mean = est.reduce((s, v) => s + v, 0) / reps;
  const sd = Math.sqrt(est.reduce((s, v) => s + (v - mean) ** 2, 0) / (reps - 1));
  const r = { design, model, reps, coverage: covered / reps, mcSe: Math.sqrt((0.95 * 0.05) / reps), driftWarned: drift / reps, bias: mean - spec.level, sd, chosen };
  console.log(`ITS ${MODEL_LABEL[model]}, ${design} common factor: ATT coverage ${(100 * r.coverage).toFixed(1)}% (${reps} runs, MC SE ${(100 * r.mcSe).toFixed(1)} points), bias ${r.bias.toFixed(3)}, SD ${sd.toFixed(3)}, COUNTERFACTUAL_MAY_DRIFT in ${(100 * r.driftWarned).toFixed(0)}%, chosen ${JSON.stringify(chosen)}`);
  return r;
}

describe('ITS coverage when the common trend is a random walk (issue 21)', () => {
  const FAST = 80;
  const lo = 0.95 - 3.3 * Math.sqrt((0.95 * 0.05) / FAST);
  it('stationary design: AR(1) ITS covers, and the drift warning is rare', () => {
    const r = run('stationary', 'its', FAST, 9000);
    expect(r.coverage).toBeGreaterThanOrEqual(lo);
    expect(r.driftWarned).toBeLessThanOrEqual(0.2);
  }, 300_000);
  it('random-walk factor: ITS alone under-covers and says so (COUNTERFACTUAL_MAY_DRIFT in most runs)', () => {
    const r = run('rw', 'its', FAST, 9000);
    expect(r.coverage).toBeLessThan(0.9);
    expect(r.driftWarned).toBeGreaterThanOrEqual(0.6);
  }, 300_000);
  it('random-walk factor: the warning\'s fix (--control --control-model difference) covers', () => {
    const r = run('rw', 'difference', FAST, 9000);
    expect(r.coverage).toBeGreaterThanOrEqual(lo);
    expect(r.coverage).toBeLessThanOrEqual(1);
    expect(Math.abs(r.bias)).toBeLessThan(0.15);
  }, 300_000);

  // --errors auto (issue 21): the model it picks must cover in both designs. Fast: 50 runs each (MC SE 3.1 points).
  const AUTO = 50;
  const loAuto = 0.95 - 3.3 * Math.sqrt((0.95 * 0.05) / AUTO);
  it('--errors auto covers under a random-walk factor (it picks ARIMA(0,1,1)) and on the stationary design (it picks a stationary ARMA)', () => {
    const rw = run('rw', 'auto', AUTO, 9000);
    const st = run('stationary', 'auto', AUTO, 9000);
    expect(rw.coverage).toBeGreaterThanOrEqual(loAuto);
    expect(st.coverage).toBeGreaterThanOrEqual(loAuto);
    expect((rw.chosen['arima:0,1,1'] ?? 0) / AUTO).toBeGreaterThanOrEqual(0.8);
    expect((st.chosen['arima:0,1,1'] ?? 0) / AUTO).toBeLessThanOrEqual(0.2);
    // The documented 1,000-run figures for auto are in the 93–97% target and agree with these runs.
    for (const [d, r] of [['rw', rw], ['stationary', st]] as const) {
      const doc = docCoverage(d, 'auto') / 100;
      expect(doc).toBeGreaterThanOrEqual(0.93);
      expect(doc).toBeLessThanOrEqual(0.97);
      expect(Math.abs(doc - r.coverage)).toBeLessThanOrEqual(3.3 * Math.sqrt((0.95 * 0.05) / AUTO));
    }
  }, 300_000);

  it.skipIf(!process.env.VRU_SLOW)('slow (1,000 runs each): 93–97% for the models auto picks, and every row of the table in docs/methods/its.md', () => {
    const rows: [Design, Model][] = [['stationary', 'its'], ['rw', 'its'], ['rw', 'difference'], ['stationary', 'auto'], ['rw', 'auto'], ['stationary', 'arima:0,1,1'], ['rw', 'arima:0,1,1'], ['rw', 'local-level']];
    for (const [d, m] of rows) {
      const r = run(d, m, 1000, 1);
      expect(docCoverage(d, m), `${d} / ${m}`).toBeCloseTo(100 * r.coverage, 1);
      if (m === 'auto' || m === 'difference' || (d === 'stationary' && m === 'its')) {
        expect(r.coverage).toBeGreaterThanOrEqual(0.93);
        expect(r.coverage).toBeLessThanOrEqual(0.97);
      }
      if (d === 'rw' && m === 'its') expect(r.coverage).toBeLessThan(0.9);
    }
  }, 7_200_000);
});
