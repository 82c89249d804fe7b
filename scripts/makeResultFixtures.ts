/**
 * Writes small ILLUSTRATIVE result documents to tests/fixtures/results/ for the chart and
 * report tests: synth (with placebos), gsynth (eventPath, counts, staggered starts), its
 * (coefficients, fitted), did (twfe event study with PRE_TRENDS), cs (uniform bands, aggregations)
 * and cba (outcomes, totals, bcr).
 *
 * They are NOT estimates. Observed values are the treated means of fixtures/police_monthly.csv;
 * counterfactuals, intervals, weights, placebo gaps and coefficients are plausible numbers made
 * here from the generator's true effect (−4 per 100,000 per month) plus seeded noise, so that
 * every chart kind has realistic input before the estimators land. Each document says so in
 * its `source` field. They follow the output contracts of HELPER_BRIEF.md and validate against
 * the result schema (tests/plot/fixtures.test.ts).
 *
 * Run: npm run build && node dist/scripts/makeResultFixtures.js [outDir]
 * Deterministic: the same files every time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { panelDesign, readPanel } from '../src/core/panel.js';
import { makeDocument, serialiseDocument, inputInfo, type Analysis, type PathPoint } from '../src/core/result.js';
import { Rng, DEFAULT_SEED } from '../src/core/rng.js';
import { pValueNormal, qnorm } from '../src/core/stats.js';
import { main } from '../src/cli/main.js';

const OUT = process.argv[2] ?? join('tests', 'fixtures', 'results');
const TOOL = { name: 'vru-eval', version: '0.1.0' };
const SOURCE = 'Illustrative document for rendering tests, NOT an estimate: observed values are the treated means of fixtures/police_monthly.csv; everything else is made up by scripts/makeResultFixtures.ts from the generator’s true effect plus seeded noise.';
const TRUE_EFFECT = -4;
const LEVEL = 0.95;
const Z = qnorm(0.5 + LEVEL / 2);

const panel = readPanel(join('fixtures', 'police_monthly.csv'), { outcome: 'violence_rate', population: 'population' });
const design = panelDesign(panel);
const T = panel.periods.length;
const N = panel.units.length;
const start = design.firstStart; // index of 2019-04
const treated = design.treatedUnits;
const controls = design.controlUnits;
const y = (i: number, t: number): number => panel.y[i * T + t]!;
const rng = new Rng(DEFAULT_SEED);
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

/** Mean over a set of units in period t. */
const meanOver = (units: readonly number[], t: number): number => units.reduce((s, i) => s + y(i, t), 0) / units.length;

/** An AR(1) noise series, sd `s`, autocorrelation 0.6. */
function ar1(n: number, s: number): number[] {
  const out: number[] = [];
  let e = 0;
  for (let t = 0; t < n; t++) {
    e = 0.6 * e + s * Math.sqrt(1 - 0.36) * rng.normal();
    out.push(e);
  }
  return out;
}

/** A calendar path: observed = treated mean; counterfactual = observed − effect + fit noise; CI half-width grows with horizon. */
function calendarPath(units: readonly number[], starts: readonly number[], fitSd: number, ciBase: number | null): PathPoint[] {
  const noise = ar1(T, fitSd);
  const first = Math.min(...starts);
  const path: PathPoint[] = [];
  let cum = 0;
  let cumVar = 0;
  for (let t = 0; t < T; t++) {
    const observed = meanOver(units, t);
    const share = starts.filter((s) => t >= s).length / starts.length;
    const trueEffect = TRUE_EFFECT * share;
    const effect = round(trueEffect + noise[t]!);
    const counterfactual = round(observed - effect);
    const post = t >= first;
    const half = ciBase === null ? null : ciBase * (1 + (post ? 0.02 * (t - first) : 0));
    if (post) {
      cum += effect;
      cumVar += (half ?? 0) ** 2 / (Z * Z);
    }
    path.push({
      period: panel.periods[t]!,
      observed: round(observed),
      counterfactual,
      effect,
      ci: half === null ? null : [round(effect - half), round(effect + half)],
      cumulative: post ? round(cum) : null,
      cumulativeCi: post && half !== null ? [round(cum - Z * Math.sqrt(cumVar)), round(cum + Z * Math.sqrt(cumVar))] : null,
    });
  }
  return path;
}

/** Average of post-period effects. */
function postMean(path: PathPoint[], first: number): number {
  const xs = path.slice(first).map((p) => p.effect ?? 0);
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sparse simplex weights over a few donors. */
function sparseWeights(k: number): Record<string, number> {
  const picks = rng.shuffle(controls).slice(0, k);
  const raw = picks.map(() => 0.2 + rng.uniform());
  const total = raw.reduce((s, x) => s + x, 0);
  const w: Record<string, number> = {};
  picks
    .map((i, j) => [panel.units[i]!, round(raw[j]! / total, 6)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .forEach(([u, v]) => (w[u] = v));
  return w;
}

function write(name: string, input: ReturnType<typeof inputInfo> | { files: unknown[] } | null, command: string, analysis: Analysis): void {
  const doc = makeDocument(command, TOOL, input as never, { ...analysis, source: SOURCE });
  writeFileSync(join(OUT, `${name}.json`), serialiseDocument(doc));
  process.stdout.write(`wrote ${join(OUT, name)}.json\n`);
}

mkdirSync(OUT, { recursive: true });

// ---------- synth: three treated areas, placebo-space inference, placebos block, per-unit paths ----------
{
  const units3 = treated.slice(0, 3);
  const path = calendarPath(units3, units3.map(() => start), 1.2, 3.1);
  // placebo-space inference gives no per-period CI; the path carries the placebo band instead (as the synth estimator does)
  const att = postMean(path, start);
  const unitRows = units3.map((i) => {
    const noise = ar1(T, 1.6);
    const upath = panel.periods.map((period, t) => {
      const eff = round((t >= start ? TRUE_EFFECT : 0) + noise[t]!);
      return { period, observed: round(y(i, t)), counterfactual: round(y(i, t) - eff), effect: eff };
    });
    const pre = upath.slice(0, start).map((p) => p.effect);
    const postE = upath.slice(start).map((p) => p.effect);
    const rmspe = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    return {
      unit: panel.units[i]!,
      att: round(postE.reduce((s, x) => s + x, 0) / postE.length),
      preRmspe: round(rmspe(pre)),
      postRmspe: round(rmspe(postE)),
      rmspeRatio: round(rmspe(postE) / rmspe(pre)),
      pValue: round(1 / (controls.length + 1), 6),
      weights: sparseWeights(4 + rng.int(3)),
      start: panel.periods[start]!,
      path: upath,
    };
  });
  const placeboUnits = controls.map((i) => {
    const g = ar1(T, 1.5 + rng.uniform() * 1.5);
    const pre = Math.sqrt(g.slice(0, start).reduce((s, x) => s + x * x, 0) / start);
    const postR = Math.sqrt(g.slice(start).reduce((s, x) => s + x * x, 0) / (T - start));
    return { unit: panel.units[i]!, preRmspe: round(pre), postRmspe: round(postR), ratio: round(postR / pre), included: pre <= 5 * 1.5, gaps: g.map((x) => round(x)) };
  });
  write('synth', inputInfo(panel), 'scm', {
    method: 'synth',
    options: { method: 'synth', placebo: 'space', placeboFilter: 5, inference: 'placebo-space', v: 'equal', seed: DEFAULT_SEED, level: LEVEL },
    estimate: { att: round(att), se: null, ci: null, level: LEVEL, pValue: round(1 / (controls.length + 1), 6), inference: 'placebo-space', cumulative: { value: path[T - 1]!.cumulative ?? null, ci: null } },
    path: path.map((p, t) => {
      const g = placeboUnits.filter((u) => u.included).map((u) => u.gaps[t]!).sort((a, b) => a - b);
      const q = (f: number) => g[Math.min(g.length - 1, Math.max(0, Math.round(f * (g.length - 1))))]!;
      return { ...p, ci: null, cumulativeCi: null, placeboBand: [q(0.025), q(0.975)] };
    }),
    units: unitRows,
    diagnostics: [
      { code: 'PRE_RMSPE', passed: null, value: round(Math.sqrt(path.slice(0, start).reduce((s, p) => s + (p.effect ?? 0) ** 2, 0) / start)), message: 'Root mean squared prediction error of the average synthetic control over the pre-period.' },
      { code: 'NONZERO_WEIGHTS', passed: null, value: 5, message: 'Median number of donors with weight above 0.001.' },
    ],
    warnings: [],
    placebos: { type: 'space', filter: 5, units: placeboUnits },
  });
}

// ---------- gsynth: all twelve treated, staggered (four start in 2019-09), bootstrap CIs, eventPath, counts ----------
{
  const late = new Set(treated.slice(8));
  const starts = treated.map((i) => (late.has(i) ? start + 5 : start));
  const path = calendarPath(treated, starts, 0.5, 1.4);
  const att = postMean(path, start);
  const se = 0.55;
  const eventPath = [];
  for (let e = -24; e <= 17; e++) {
    const n = starts.filter((s) => s + e >= 0 && s + e < T).length;
    const eff = round((e >= 0 ? TRUE_EFFECT : 0) + 0.6 * rng.normal());
    const s = round(0.7 + 0.02 * Math.abs(e), 4);
    eventPath.push({ eventTime: e, effect: eff, se: s, ci: [round(eff - Z * s), round(eff + Z * s)] as [number, number], n });
  }
  const popTreated = treated.reduce((s, i) => s + (panel.population?.[i * T + start] ?? 0), 0);
  const cumFinal = path[T - 1]!.cumulative!;
  const cumCi = path[T - 1]!.cumulativeCi!;
  const avoided = (v: number) => round((-v * popTreated) / 100000, 2);
  write('gsynth', inputInfo(panel), 'scm', {
    method: 'gsynth',
    options: { method: 'gsynth', force: 'two-way', factors: 2, factorsMax: 5, inference: 'parametric', boots: 1000, ratePer: 100000, population: 'population', seed: DEFAULT_SEED, level: LEVEL },
    estimate: { att: round(att), se, ci: [round(att - Z * se), round(att + Z * se)], level: LEVEL, pValue: 0.0001, inference: 'bootstrap-parametric', cumulative: { value: cumFinal, ci: cumCi } },
    path,
    units: treated.map((i, k) => {
      const a = round(TRUE_EFFECT + 1.5 * rng.normal());
      return { unit: panel.units[i]!, att: a, se: 1.9, ci: [round(a - Z * 1.9), round(a + Z * 1.9)], preRmspe: round(1 + rng.uniform()), weights: null, start: panel.periods[starts[k]!]! };
    }),
    diagnostics: [
      { code: 'FACTORS_CV', passed: null, value: 2, message: 'Number of factors chosen by leave-one-period-out cross-validation.', table: [0, 1, 2, 3, 4, 5].map((r) => ({ r, mspe: round(9 / (1 + r) + 0.4 * Math.max(0, r - 2) + 1.6) })) },
    ],
    warnings: [],
    eventPath,
    // Offences avoided over the post window: −(cumulative average effect) × treated population / 100,000.
    counts: { offencesAvoided: avoided(cumFinal), ci: [avoided(cumCi[1]), avoided(cumCi[0])], ratePer: 100000, population: 'population' },
  });
}

// ---------- its: funded areas' total as a mean series; two interruptions and a lockdown dummy ----------
{
  const i2 = start + 5;
  const lock = panel.periods.indexOf('2020-04');
  const path: PathPoint[] = [];
  const b0 = meanOver(treated, 0);
  const slope = (meanOver(treated, start - 1) - b0) / (start - 1);
  let cum = 0;
  let cumVar = 0;
  for (let t = 0; t < T; t++) {
    const observed = meanOver(treated, t);
    const base = b0 + slope * t;
    const interv = (t >= start ? -2.5 - 0.05 * (t - start) : 0) + (t >= i2 ? -1.2 - 0.03 * (t - i2) : 0) + (t === lock || t === lock + 1 ? -6 : 0);
    const shock = t === lock || t === lock + 1 ? -6 : 0;
    const counterfactual = round(base + shock);
    const fitted = round(base + interv);
    const post = t >= start;
    const effect = post ? round(observed - counterfactual) : null;
    const half = post ? 1.8 + 0.04 * (t - start) : null;
    if (post && effect !== null) {
      cum += effect;
      cumVar += (half! / Z) ** 2;
    }
    path.push({
      period: panel.periods[t]!,
      observed: round(observed),
      counterfactual,
      effect,
      ci: effect !== null && half !== null ? [round(effect - half), round(effect + half)] : null,
      cumulative: post ? round(cum) : null,
      cumulativeCi: post ? [round(cum - Z * Math.sqrt(cumVar)), round(cum + Z * Math.sqrt(cumVar))] : null,
      fitted,
      counterfactualCi: half !== null ? [round(counterfactual - half), round(counterfactual + half)] : null,
    });
  }
  const coef = (term: string, estimate: number, se: number) => ({ term, estimate, se, ci: [round(estimate - Z * se), round(estimate + Z * se)] as [number, number], pValue: round(pValueNormal(estimate / se), 6) });
  const att = postMean(path, start);
  write('its', inputInfo(panel), 'its', {
    method: 'its',
    options: { units: treated.map((i) => panel.units[i]!), aggregate: 'mean', interruptions: ['2019-04', '2019-09'], dummies: ['2020-04:2020-05'], seasonality: 'none', family: 'gaussian', errors: 'arma:1,0', seed: DEFAULT_SEED, level: LEVEL },
    estimate: { att: round(att), se: 0.9, ci: [round(att - Z * 0.9), round(att + Z * 0.9)], level: LEVEL, pValue: 0.002, inference: 'arma-ml', cumulative: { value: path[T - 1]!.cumulative ?? null, ci: path[T - 1]!.cumulativeCi ?? null } },
    path,
    // the aggregated units, each with its own (funding) start; the interruptions are in options
    units: treated.map((i) => ({ unit: panel.units[i]!, att: null, preRmspe: null, weights: null, start: panel.periods[start]! })),
    diagnostics: [
      { code: 'DURBIN_WATSON', passed: true, value: 1.94, message: 'Durbin–Watson statistic of the standardised residuals (2 = no first-order autocorrelation).' },
      { code: 'LJUNG_BOX_12', passed: true, value: 0.41, message: 'Ljung–Box p-value at lag 12.' },
      { code: 'LJUNG_BOX_24', passed: true, value: 0.37, message: 'Ljung–Box p-value at lag 24.' },
    ],
    warnings: [],
    coefficients: [coef('intercept', round(b0), 1.1), coef('time', round(slope), 0.03), coef('level:2019-04', -2.5, 1.0), coef('slope:2019-04', -0.05, 0.04), coef('level:2019-09', -1.2, 1.0), coef('slope:2019-09', -0.03, 0.05), coef('dummy:2020-04:2020-05', -6, 1.4), coef('ar1', 0.42, 0.11)],
  });
}

// ---------- did: twfe event study −12..12, reference −1, pre-trend Wald test ----------
{
  const path = calendarPath(treated, treated.map(() => start), 0.7, 1.6);
  const att = postMean(path, start);
  const eventPath = [];
  for (let e = -12; e <= 12; e++) {
    if (e === -1) {
      eventPath.push({ eventTime: -1, effect: 0, se: null, ci: null, n: treated.length, reference: true });
      continue;
    }
    const eff = round((e >= 0 ? TRUE_EFFECT : 0) + 0.5 * rng.normal());
    const s = round(0.8 + 0.03 * Math.abs(e + 1), 4);
    eventPath.push({ eventTime: e, effect: eff, se: s, ci: [round(eff - Z * s), round(eff + Z * s)] as [number, number], n: treated.length });
  }
  write('did', inputInfo(panel), 'did', {
    method: 'twfe',
    options: { method: 'twfe', vcov: 'cluster', cluster: 'unit', eventWindow: '-12:12', seed: DEFAULT_SEED, level: LEVEL },
    estimate: { att: round(att), se: 0.6, ci: [round(att - Z * 0.6), round(att + Z * 0.6)], level: LEVEL, pValue: 0.00001, inference: 'cluster-robust-CR1', cumulative: { value: path[T - 1]!.cumulative ?? null, ci: path[T - 1]!.cumulativeCi ?? null } },
    path,
    units: [],
    diagnostics: [{ code: 'PRE_TRENDS', passed: true, value: 0.43, message: 'Joint Wald test that all 11 pre-period event-time coefficients are zero: F(11, 59) = 1.02, p = 0.43.' }],
    warnings: [],
    eventPath,
    coefficients: [{ term: 'treated', estimate: round(att), se: 0.6, ci: [round(att - Z * 0.6), round(att + Z * 0.6)], pValue: 0.00001 }],
  });
}

// ---------- cs: staggered DiD (Callaway & Sant'Anna) with uniform bands and aggregations ----------
{
  const path = calendarPath(treated, treated.map(() => start), 0.7, 1.7);
  const att = postMean(path, start);
  const eventPath = [];
  const attGt = [];
  for (let e = -12; e <= 17; e++) {
    const eff = round((e >= 0 ? TRUE_EFFECT : 0) + 0.6 * rng.normal());
    const s = round(0.9 + 0.02 * Math.abs(e), 4);
    const ci: [number, number] = [round(eff - Z * s), round(eff + Z * s)];
    const band: [number, number] = [round(eff - 3.1 * s), round(eff + 3.1 * s)];
    eventPath.push({ eventTime: e, effect: eff, se: s, ci, n: treated.length, band });
    if (e >= 0) attGt.push({ group: panel.periods[start]!, period: panel.periods[start + e]!, att: eff, se: s, ci, eventTime: e, post: true });
  }
  const agg = (a: number, s: number, description: string) => ({ att: round(a), se: s, ci: [round(a - Z * s), round(a + Z * s)], pValue: round(pValueNormal(a / s), 6), description });
  write('cs', inputInfo(panel), 'did', {
    method: 'cs',
    options: { method: 'cs', control: 'never', estimator: 'outcome-regression', boots: 999, seed: DEFAULT_SEED, level: LEVEL },
    estimate: { att: round(att), se: 0.8, ci: [round(att - Z * 0.8), round(att + Z * 0.8)], level: LEVEL, pValue: 0.00001, inference: 'influence-function', cumulative: null },
    path: path.map((p) => ({ ...p, cumulativeCi: null })),
    units: treated.map((i) => ({ unit: panel.units[i]!, att: round(TRUE_EFFECT + rng.normal()), preRmspe: null, weights: null, start: panel.periods[start]!, cohort: panel.periods[start]!, se: 1.1 })),
    diagnostics: [{ code: 'PRE_TRENDS', passed: false, value: 0.012, message: 'Wald test that all pre-treatment ATT(g,t) are zero: chi2(12) = 25.8, p = 0.012.' }],
    warnings: [],
    eventPath,
    attGt,
    aggregations: {
      simple: agg(att, 0.8, 'average of post-treatment ATT(g,t) weighted by cohort size'),
      dynamic: agg(att, 0.85, 'mean of θ(e) over event times e ≥ 0'),
      group: agg(att, 0.8, 'mean over cohorts of each cohort’s average post-treatment effect'),
      calendar: agg(att * 1.02, 0.82, 'mean over calendar periods of the average effect in that period'),
    },
  });
}

// ---------- cba: a REAL document, from `vru-eval cba --spec examples/home-office-vru-2022.json` ----------
{
  let out = '';
  const code = await main(['node', 'vru-eval', 'cba', '--spec', join('examples', 'home-office-vru-2022.json')], {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: false,
  });
  if (code !== 0) throw new Error(`cba exited ${code}`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'cba.json'), out);
}
void N;
