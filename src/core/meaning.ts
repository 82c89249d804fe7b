/**
 * What a result means, in plain words, from the document's shape alone (issue 24). One source
 * for the terminal summary (src/cli/summary.ts), the markdown summary and the report's brief
 * (src/report/brief.ts), so that they say the same thing:
 *
 *  - the relative effect: the average effect as a share of the counterfactual level over the
 *    post period (or, without a counterfactual, of the treated units' pre-period mean);
 *  - offences avoided or ADDED, with the right word for the sign;
 *  - a verdict per diagnostic (good / doubtful / fails) with the threshold that gave it;
 *  - the caveats that matter, most serious first, in plain words;
 *  - the next commands to run.
 *
 * Pure functions: no I/O, no CLI imports (plan and report use them too).
 */
import type { Diagnostic, ResultDocument, Warning } from './result.js';

export type Verdict = 'good' | 'doubtful' | 'fails' | 'info';

/** The average effect as a share of a base level. */
export interface RelativeEffect {
  /** att / base (a fraction: −0.05 is −5%). */
  value: number;
  /** The effect's interval divided by the same base (the base's own uncertainty is not included). */
  ci: [number, number] | null;
  /** What the base is. */
  base: 'counterfactual' | 'pre-period mean';
  /** The base level (mean over the post periods of the counterfactual, or the treated pre-period mean). */
  baseValue: number;
}

export interface DiagnosticVerdict {
  code: string;
  verdict: Verdict;
  /** Plain words: what was checked and what was found. */
  text: string;
  /** The rule that gives the verdict, e.g. "p < 0.05 fails". Empty for information only. */
  threshold: string;
}

export interface Caveat {
  severity: 'fails' | 'doubtful' | 'warning';
  text: string;
  /** The same without the threshold, for the one-page brief. */
  short: string;
  /** The diagnostic or warning code it comes from. */
  code: string;
}

const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The post-period points of the path (those with a cumulative effect), excluding left-out periods. */
function postPoints(doc: ResultDocument): Record<string, unknown>[] {
  return (doc.path ?? []).filter((p) => p.cumulative !== null && p.cumulative !== undefined && (p as { excluded?: unknown }).excluded !== true) as Record<string, unknown>[];
}

/** The pre-period points of the path (no cumulative effect) that have an observed value. */
function prePoints(doc: ResultDocument): Record<string, unknown>[] {
  return (doc.path ?? []).filter((p) => (p.cumulative === null || p.cumulative === undefined) && num((p as { observed?: unknown }).observed)) as Record<string, unknown>[];
}

/**
 * The relative effect: att ÷ the mean counterfactual over the post periods (counterfactual =
 * observed − effect where the path gives no counterfactual), or att ÷ the treated pre-period mean.
 * Null when there is no estimate or the base is not a positive level.
 */
export function relativeEffect(doc: ResultDocument, levelsFrom: ResultDocument = doc): RelativeEffect | null {
  const e = doc.estimate;
  if (!e || !num(e.att)) return null;
  // a robustness document has no path: its levels are those of the main analysis it re-ran
  if (levelsFrom === doc && (doc.path ?? []).length === 0) return null;
  doc = levelsFrom.path && levelsFrom.path.length > 0 ? { ...doc, path: levelsFrom.path } : doc;
  const post = postPoints(doc);
  const cf = post.map((p) => (num(p.counterfactual) ? p.counterfactual : num(p.observed) && num(p.effect) ? p.observed - p.effect : Number.NaN));
  let base: RelativeEffect['base'] = 'counterfactual';
  let level = cf.length > 0 && cf.every(num) ? cf.reduce((a, b) => a + b, 0) / cf.length : Number.NaN;
  if (!num(level)) {
    const pre = prePoints(doc).map((p) => p.observed as number);
    base = 'pre-period mean';
    level = pre.length > 0 ? pre.reduce((a, b) => a + b, 0) / pre.length : Number.NaN;
  }
  if (!num(level) || level <= 0) return null;
  const ci = Array.isArray(e.ci) && e.ci.length === 2 && num(e.ci[0]) && num(e.ci[1]) ? ([e.ci[0] / level, e.ci[1] / level] as [number, number]) : null;
  return { value: e.att / level, ci, base, baseValue: level };
}

/** A fraction as a signed percentage for reading: −0.0512 → "−5.1%". */
export function percent(x: number): string {
  const a = Math.abs(x * 100);
  const s = a >= 10 ? a.toFixed(0) : a >= 1 ? a.toFixed(1) : a.toFixed(2);
  if (/^0(\.0+)?$/.test(s)) return '0%';
  return `${x < 0 ? '\u2212' : '+'}${s}%`;
}

/** The relative effect in one phrase: "−5.1% of the counterfactual (95% CI −6.0% to −4.2%)". */
export function relativePhrase(rel: RelativeEffect, level: number | null): string {
  const ci = rel.ci ? ` (${level !== null ? `${Math.round(level * 1000) / 10}% ` : ''}CI ${percent(rel.ci[0])} to ${percent(rel.ci[1])})` : '';
  return `${percent(rel.value)} of the ${rel.base === 'counterfactual' ? 'counterfactual (what the model predicts without the programme)' : "treated areas' pre-period mean"}${ci}`;
}

/** Offences avoided (a positive number, a reduction) or added (an increase), with the word that fits. */
export function offencesChange(doc: ResultDocument): { word: 'avoided' | 'added'; value: number; ci: [number, number] | null } | null {
  const c = doc.counts as Record<string, unknown> | null | undefined;
  if (!c || typeof c !== 'object' || !num(c.offencesAvoided)) return null;
  const ci = Array.isArray(c.ci) && c.ci.length === 2 && num(c.ci[0]) && num(c.ci[1]) ? (c.ci as [number, number]) : null;
  if (c.offencesAvoided >= 0) return { word: 'avoided', value: c.offencesAvoided, ci };
  return { word: 'added', value: -c.offencesAvoided, ci: ci ? [-ci[1], -ci[0]] : null };
}

const fmt = (x: number): string => {
  const a = Math.abs(x);
  const s = a >= 1000 ? Math.round(a).toLocaleString('en-GB') : a >= 10 ? a.toFixed(1) : a >= 1 ? a.toFixed(2) : a === 0 ? '0' : a.toPrecision(2);
  return (x < 0 ? '\u2212' : '') + s;
};
const fmtP = (p: number): string => (p < 0.001 ? '< 0.001' : `= ${p < 0.1 ? p.toPrecision(2) : p.toFixed(2)}`);

/** The verdict from a p-value: below 0.05 fails, 0.05 to 0.10 doubtful, else good. */
function byP(p: number): Verdict {
  return p < 0.05 ? 'fails' : p < 0.1 ? 'doubtful' : 'good';
}
const P_RULE = 'p < 0.05 fails, 0.05–0.10 doubtful';

/** The verdict of one diagnostic, in plain words, with its threshold. */
export function diagnosticVerdict(d: Diagnostic, doc: ResultDocument): DiagnosticVerdict {
  const v = d.value;
  const att = doc.estimate && num(doc.estimate.att) ? doc.estimate.att : null;
  const passed: Verdict = d.passed === true ? 'good' : d.passed === false ? 'fails' : 'info';
  switch (true) {
    case (d.code === 'PRE_FIT' || d.code === 'PRE_RMSPE') && num(v) && att !== null && att !== 0: {
      const ratio = (v as number) / Math.abs(att!);
      const verdict: Verdict = ratio <= 0.5 ? 'good' : ratio <= 1 ? 'doubtful' : 'fails';
      const what = verdict === 'fails' ? ': the model misses the treated areas before the programme by more than the effect it reports, so the effect cannot be told apart from misfit' : '';
      return { code: d.code, verdict, text: `fit before the programme: a typical miss of ${fmt(v as number)}, ${ratio.toFixed(ratio < 10 ? 2 : 0)} × the size of the effect (${fmt(att!)})${what}`, threshold: 'good up to 0.5 × the effect, doubtful up to 1 ×, fails above' };
    }
    case d.code === 'PRE_TRENDS' && num(v): {
      const verdict = byP(v as number);
      return { code: d.code, verdict, text: verdict === 'good' ? `trends before the programme: no evidence that treated and control areas were already diverging (p ${fmtP(v as number)})` : `trends before the programme: treated and control areas were ${verdict === 'fails' ? 'already diverging' : 'possibly diverging'} before it started (p ${fmtP(v as number)}), so the comparison may be biased`, threshold: P_RULE };
    }
    case /^LJUNG_BOX/.test(d.code) && num(v): {
      const verdict = byP(v as number);
      const lag = /\d+$/.exec(d.code)?.[0];
      return { code: d.code, verdict, text: verdict === 'good' ? `leftover pattern in the month-to-month noise${lag ? ` (over ${lag} lags)` : ''}: none found (p ${fmtP(v as number)})` : `leftover pattern in the month-to-month noise${lag ? ` (over ${lag} lags)` : ''}: the model does not capture it (p ${fmtP(v as number)}), so its intervals may be too narrow`, threshold: P_RULE };
    }
    case d.code === 'DURBIN_WATSON' && num(v): {
      const dev = Math.abs((v as number) - 2);
      const verdict: Verdict = dev <= 0.5 ? 'good' : dev <= 1 ? 'doubtful' : 'fails';
      return { code: d.code, verdict, text: `correlation between one month's error and the next: Durbin–Watson ${fmt(v as number)} (2 means none)`, threshold: 'good within 1.5–2.5, doubtful within 1–3, fails outside' };
    }
    case /CONVERGENCE$|^CONVERGED$|^NOT_CONVERGED$/.test(d.code):
      return { code: d.code, verdict: passed === 'info' ? 'info' : passed, text: passed === 'fails' ? 'the fitting did not converge: the numbers may not be the estimator’s answer' : 'the fitting converged', threshold: passed === 'info' ? '' : 'converged or not' };
    case /^REPLICAT/.test(d.code):
      return { code: d.code, verdict: passed, text: `resampling: ${typeof v === 'number' ? v.toLocaleString('en-GB') : String(v)} replications used`, threshold: passed === 'info' ? '' : 'all replications usable' };
    case d.code === 'NEGATIVE_WEIGHTS':
      return { code: d.code, verdict: passed, text: passed === 'fails' ? 'some treated area-months get a negative weight in the two-way fixed-effects average, which can flip its sign under staggered timing' : 'no treated area-month gets a negative weight in the two-way fixed-effects average', threshold: 'any negative weight fails' };
    default: {
      const msg = d.message.replace(/-?\d+\.\d{5,}/g, (m) => fmt(Number(m)));
      return { code: d.code, verdict: passed, text: `${msg.charAt(0).toLowerCase()}${msg.slice(1)}`.replace(/\.$/, ''), threshold: passed === 'info' ? '' : "the estimator's own check" };
    }
  }
}

/** Every diagnostic with its verdict, failures first, then doubtful, good, information. */
export function diagnosticVerdicts(doc: ResultDocument): DiagnosticVerdict[] {
  const rank: Record<Verdict, number> = { fails: 0, doubtful: 1, good: 2, info: 3 };
  return (doc.diagnostics ?? []).map((d) => diagnosticVerdict(d, doc)).sort((a, b) => rank[a.verdict] - rank[b.verdict]);
}

/** Warning codes that change what the headline means: shown first. */
const SERIOUS = /NOT_CONVERGED|POOR_PRE_FIT|NO_CI|NO_INTERVAL|UNBOUNDED|NON_FINITE|ZERO_|OUTSIDE_CONVEX_HULL|TOO_FEW|ONE_TREATED|MISSING_CELLS|TWFE_STAGGERED|NOT_SIGNIFICANT|NEGATIVE_BENEFIT|FAILED/;

/** The document's warnings, the ones that change what the headline means first (stable otherwise). */
export function warningsFirst(ws: readonly Warning[]): Warning[] {
  return [...ws].map((w, k) => ({ w, k, s: SERIOUS.test(w.code) ? 0 : 1 })).sort((a, b) => a.s - b.s || a.k - b.k).map((x) => x.w);
}

/** The caveats of a document in plain words: failed then doubtful checks, then warnings (serious first, one per code). */
export function caveats(doc: ResultDocument): Caveat[] {
  const out: Caveat[] = [];
  for (const v of diagnosticVerdicts(doc)) if (v.verdict === 'fails' || v.verdict === 'doubtful') out.push({ severity: v.verdict, code: v.code, text: `${v.text} (${v.verdict}; ${v.threshold})`, short: `${v.text} (${v.verdict})` });
  const seen = new Map<string, number>();
  for (const w of doc.warnings ?? []) seen.set(w.code, (seen.get(w.code) ?? 0) + 1);
  for (const w of warningsFirst(doc.warnings ?? [])) {
    const n = seen.get(w.code);
    if (n === undefined) continue;
    seen.delete(w.code);
    const text = `${w.message.replace(/-?\d+\.\d{5,}/g, (m) => fmt(Number(m)))}${n > 1 ? ` (and ${n - 1} more like it)` : ''}`;
    out.push({ severity: 'warning', code: w.code, text, short: text });
  }
  return out;
}

/** The headline in one sentence: direction, size, relative size and whether the interval rules out zero. */
export function headlineSentence(doc: ResultDocument, levelsFrom: ResultDocument = doc): string | null {
  const e = doc.estimate;
  if (!e || !num(e.att)) return null;
  const rel = relativeEffect(doc, levelsFrom);
  const dir = e.att < 0 ? 'lower' : e.att > 0 ? 'higher' : 'no different';
  const sure = Array.isArray(e.ci) && num(e.ci[0]) && num(e.ci[1]) ? (e.ci[0] > 0 || e.ci[1] < 0 ? 'the interval excludes zero (no change)' : 'the interval includes no effect, so the data are also consistent with no change') : 'there is no interval, so how sure this is is unknown';
  return `${rel ? `${percent(Math.abs(rel.value)).replace(/^[+\u2212]/, '')} ${dir} than ${rel.base === 'counterfactual' ? 'without the programme (the counterfactual)' : "the treated areas' pre-period mean"}` : `${dir} than the counterfactual`}; ${sure}.`;
}

/**
 * The next commands to run after this result (`file` is where the document was written, if it
 * was): robustness checks around it, the design's power on the same panel, the report.
 */
export function nextCommands(doc: ResultDocument, file: string | null): string[] {
  const f = file ?? 'result.json';
  const save = file === null ? ['add --out result.json to keep the document (or --json to print it), then:'] : [];
  const input = doc.input as { file?: unknown; outcome?: unknown; firstPeriod?: unknown } | null;
  const panel = typeof input?.file === 'string' ? input.file : '<panel.csv>';
  const outcome = typeof input?.outcome === 'string' ? ` --outcome ${input.outcome}` : '';
  const method = doc.method && doc.method !== doc.command ? ` --method ${doc.method}` : '';
  if (doc.command === 'scm' || doc.command === 'did' || doc.command === 'its') {
    const robust = doc.command === 'its' ? `vru-eval robustness ${f} --in-time-placebo <period>` : `vru-eval robustness ${f} --loo-treated --in-time-placebo <period>`;
    return [
      ...save,
      `${robust}  (does the estimate survive placebos and leaving areas out?)`,
      `vru-eval power ${panel}${outcome}${method}  (how large an effect could this design detect?)`,
      `vru-eval report ${f} --out report.html  (the one-page brief)`,
    ];
  }
  if (doc.command === 'cba') return [...save, `vru-eval report ${f} --out report.html  (the one-page brief with the benefit-cost ratio)`];
  if (doc.command === 'robustness' || doc.command === 'compare') return [...save, `vru-eval report ${f} --out report.html  (the one-page brief)`];
  return save;
}
