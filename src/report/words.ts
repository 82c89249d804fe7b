/**
 * The estimates of a result document in words, for the HTML report: the question, the
 * headline effect, cumulative effect and counts, ITS coefficients, the pre-trend test and
 * the cost-benefit totals. Plain strings; html.ts escapes them.
 */
import type { ResultDocument } from '../core/result.js';
import { cbaOutcomes, cbaTotals, coefficients, countsAvoided, diagnostic, documentFrequency, interventionPeriods, isNum, pathPoints } from '../plot/document.js';
import { fmtInt, fmtInterval, fmtLevel, fmtMoney, fmtNumber, humanise, pText } from '../plot/format.js';
import { defaultYLabel } from '../plot/specs.js';

export const METHOD_NAMES: Readonly<Record<string, string>> = {
  synth: 'Synthetic control (Abadie, Diamond & Hainmueller)',
  gsynth: 'Generalized synthetic control (Xu 2017, interactive fixed effects)',
  sdid: 'Synthetic difference-in-differences (Arkhangelsky et al. 2021)',
  ascm: 'Augmented synthetic control (Ben-Michael, Feller & Rothstein 2021)',
  its: 'Interrupted time series (segmented regression)',
  twfe: 'Two-way fixed effects / difference-in-differences',
  cs: 'Staggered difference-in-differences (Callaway & Sant’Anna 2021)',
  cba: 'Cost-benefit analysis',
};

export function methodName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}

export function periodNoun(doc: ResultDocument): string {
  const f = documentFrequency(doc);
  return f === 'monthly' ? 'month' : f === 'quarterly' ? 'quarter' : f === 'annual' ? 'year' : 'period';
}

function outcomeName(doc: ResultDocument): string {
  const o = (doc.input as { outcome?: unknown } | null)?.outcome;
  return typeof o === 'string' && o !== '' ? humanise(o) : 'the outcome';
}

function list(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** The question the analysis answers, in one sentence. */
export function question(doc: ResultDocument): string {
  const outcome = outcomeName(doc);
  const starts = interventionPeriods(doc);
  const n = (doc.units ?? []).length;
  const who = n > 1 ? `the ${n} treated areas` : n === 1 ? doc.units[0]!.unit : 'the treated areas';
  const when = starts.length ? ` from ${list(starts)}` : '';
  switch (doc.method) {
    case 'cba':
      return 'Do the monetised benefits of the offences avoided exceed what the programme cost, and how sure can we be?';
    case 'its':
      return `Did the level or the trend of ${outcome} change at ${starts.length ? list(starts) : 'the intervention'}, beyond what the pre-intervention ${(doc.options as { seasonality?: unknown })?.seasonality && (doc.options as { seasonality?: unknown }).seasonality !== 'none' ? 'trend and seasonality predict' : 'trend predicts'}?`;
    case 'synth':
    case 'gsynth':
    case 'sdid':
    case 'ascm':
      return `How did ${outcome} in ${who}${when} compare with a synthetic control built from untreated areas, i.e. with what would have happened without the programme?`;
    case 'twfe':
    case 'cs':
      return `How did ${outcome} change in ${who}${when} relative to untreated areas, assuming they would otherwise have followed parallel trends?`;
    default:
      return `What was the effect on ${outcome} in ${who}${when}?`;
  }
}

/** Headline sentences for the estimate block (empty for cba). */
export function estimateSentences(doc: ResultDocument): string[] {
  const e = doc.estimate;
  const out: string[] = [];
  if (!e) return out;
  const level = fmtLevel(e.level);
  const unit = defaultYLabel(doc);
  const per = periodNoun(doc);
  const post = pathPoints(doc).filter((p) => isNum(p.cumulative)).length;
  const n = (doc.units ?? []).length;
  if (isNum(e.att)) {
    const dir = e.att < 0 ? 'lower' : e.att > 0 ? 'higher' : 'no different';
    const ci = e.ci ? `${level} CI ${fmtInterval(e.ci)}` : 'no interval';
    const p = isNum(e.pValue) ? `; ${pText(e.pValue)}` : '';
    out.push(
      `On average over the post-intervention period, ${unit} was ${fmtNumber(Math.abs(e.att))} ${dir} than the counterfactual per ${n > 1 ? 'treated area and ' : ''}${per}: an average effect of ${fmtNumber(e.att)} (${ci}${p}; inference: ${e.inference}).`,
    );
    if (e.ci && e.ci[0] <= 0 && e.ci[1] >= 0) out.push('The interval includes zero, so the data are also consistent with no effect.');
    const mde = e.mde as { value?: unknown; percentOfMean?: unknown } | undefined;
    if (mde && typeof mde.value === 'number') out.push(`This design could reliably detect (80% power) only effects of about ${fmtNumber(mde.value)} or more${typeof mde.percentOfMean === 'number' ? ` (${fmtNumber(mde.percentOfMean)}% of the pre-period mean)` : ''}: no effect smaller than that could be ruled out (an approximate minimum detectable effect; vru-eval power simulates it on the panel).`);
    const range = e.attRange as unknown;
    if (Array.isArray(range) && range.length === 2 && range.every(isNum)) out.push(`Other donor weightings that fit the pre-period almost as well (within ${fmtNumber(100 * Number((doc.options as { uniquenessTol?: unknown }).uniquenessTol ?? 0.01))}% of the best) give average effects from ${fmtNumber(range[0])} to ${fmtNumber(range[1])}.`);
    else if (e.ci) out.push(`The interval excludes zero at the ${level} level.`);
  }
  if (e.cumulative && isNum(e.cumulative.value)) {
    out.push(`Summed over the ${post > 0 ? `${post} post-intervention ${per}s` : 'post-intervention period'}, the cumulative effect is ${fmtNumber(e.cumulative.value)}${e.cumulative.ci ? ` (${level} CI ${fmtInterval(e.cumulative.ci)})` : ''}${n > 1 ? ' per treated area (average)' : ''}.`);
  }
  const counts = countsAvoided(doc);
  if (counts) {
    const word = counts.value >= 0 ? 'avoided' : 'added';
    out.push(`In counts, that is an estimated ${fmtInt(Math.abs(counts.value))} offences ${word}${counts.ci ? ` (${level} CI ${fmtInt(counts.ci[0])} to ${fmtInt(counts.ci[1])})` : ''} across the treated areas.`);
  }
  return out;
}

/** ITS / DiD coefficients in words: level and slope changes, shock dummies. */
export function coefficientSentences(doc: ResultDocument): string[] {
  const level = fmtLevel(doc.estimate?.level);
  const per = periodNoun(doc);
  const out: string[] = [];
  for (const c of coefficients(doc)) {
    let what: string | null = null;
    let m: RegExpExecArray | null;
    if ((m = /^level:(.+)$/.exec(c.term))) what = `Level change at ${m[1]}`;
    else if ((m = /^slope:(.+)$/.exec(c.term))) what = `Change in trend per ${per} from ${m[1]}`;
    else if ((m = /^dummy:(.+):(.+)$/.exec(c.term))) what = `Shock window ${m[1]} to ${m[2]}`;
    if (!what) continue;
    const rr = c.rateRatio !== null ? `; rate ratio ${fmtNumber(c.rateRatio, 3)}${c.rateRatioCi ? ` (${level} CI ${fmtInterval(c.rateRatioCi, 3)})` : ''}` : '';
    out.push(`${what}: ${fmtNumber(c.estimate)}${c.ci ? ` (${level} CI ${fmtInterval(c.ci)})` : ''}${c.pValue !== null ? `, ${pText(c.pValue)}` : ''}${rr}.`);
  }
  return out;
}

/** The pre-trend test in words, if the result has one. */
export function preTrendSentence(doc: ResultDocument): string | null {
  const d = diagnostic(doc, 'PRE_TRENDS');
  if (!d) return null;
  const p = typeof d.value === 'number' ? pText(d.value) : `p = ${String(d.value)}`;
  const verdict = d.passed === true ? 'no evidence against parallel pre-trends' : d.passed === false ? 'evidence against parallel pre-trends: interpret the estimate with care' : 'see the message';
  return `Pre-trend test (joint test that all pre-period event-time effects are zero): ${p}, ${verdict}. ${d.message}`;
}

/** Cost-benefit headline. */
export function cbaSentences(doc: ResultDocument): string[] {
  const t = cbaTotals(doc);
  const out: string[] = [];
  const outs = cbaOutcomes(doc);
  for (const o of outs) {
    const adj = o.adjustedOffencesAvoided !== null ? `, ${fmtInt(o.adjustedOffencesAvoided)} after the under-reporting multiplier ${fmtNumber(o.multiplier)}` : '';
    out.push(`${o.name}: an estimated ${fmtInt(o.offencesAvoided)} offences avoided${o.ci ? ` (CI ${fmtInt(o.ci[0])} to ${fmtInt(o.ci[1])})` : ''}${adj}, at ${fmtMoney(o.unitCost)} each: benefits of ${fmtMoney(o.benefit)}${o.benefitRange ? ` (${fmtMoney(o.benefitRange[0])} to ${fmtMoney(o.benefitRange[1])})` : ''}.`);
  }
  if (t.benefits !== null && t.costs !== null) {
    out.push(`Total benefits of ${fmtMoney(t.benefits)} against programme costs of ${fmtMoney(t.costs)}${t.netBenefit !== null ? `: a net benefit of ${fmtMoney(t.netBenefit)}` : ''}.`);
  }
  if (t.bcr !== null) {
    out.push(
      `Benefit-cost ratio ${fmtNumber(t.bcr, 2)}${t.bcrLow !== null && t.bcrHigh !== null ? `, ranging from ${fmtNumber(t.bcrLow, 2)} (at the CI bound with fewer offences avoided) to ${fmtNumber(t.bcrHigh, 2)} (at the bound with more)` : ''}: every £1 spent returned an estimated £${fmtNumber(t.bcr, 2)} in avoided costs of crime.`,
    );
  }
  return out;
}
