/**
 * Method comparison: the same question answered by several estimators, on one scale.
 * The common scale is the average effect per treated area-period (estimate.att: every
 * estimating command reports it in the outcome's units). An ITS on a *sum* of units is divided by
 * the number of units to get there, and said so. Cumulative counts (offences avoided) are shown
 * where the document has them (a population was given). Two methods disagree when their
 * intervals do not overlap; the table flags each such pair.
 */
import { UsageError } from '../core/errors.js';
import type { Analysis, ResultDocument, Warning } from '../core/result.js';

export interface CompareRow {
  label: string;
  file: string;
  method: string;
  outcome: string | null;
  /** Average effect per treated area-period (outcome units). */
  att: number | null;
  se: number | null;
  ci: [number, number] | null;
  level: number | null;
  inference: string | null;
  /** Effect summed over the post periods (outcome units), where the document gives it. */
  cumulative: number | null;
  cumulativeCi: [number, number] | null;
  /** Offences avoided (counts) where the population is known. */
  offencesAvoided: number | null;
  offencesAvoidedCi: [number, number] | null;
  /** How the estimate was put on the common scale. */
  scale: string;
  /** Labels of the rows whose interval does not overlap this one's. */
  disagreesWith: string[];
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const pair = (x: unknown): [number, number] | null => (Array.isArray(x) && x.length === 2 && typeof x[0] === 'number' && typeof x[1] === 'number' ? [x[0], x[1]] : null);

function outcomeOf(doc: ResultDocument): string | null {
  const o = (doc.input as { outcome?: unknown } | null)?.outcome;
  return typeof o === 'string' ? o : null;
}

/** One row of the comparison from a result document. */
export function compareRow(doc: ResultDocument, label: string, file: string): CompareRow {
  const e = doc.estimate;
  if (doc.method === 'cba' || doc.method === 'compare' || !e) throw new UsageError('NOT_AN_ESTIMATE', `${file}: a ${doc.method} document has no effect estimate to compare; give documents written by scm, its or did (or robustness)`, { file });
  let scale = 'average effect per treated area-period';
  let f = 1;
  const o = doc.options ?? {};
  if (doc.method === 'its' && o.aggregate === 'sum' && Array.isArray(o.units) && o.units.length > 1) {
    f = 1 / o.units.length;
    scale = `its on the sum of ${o.units.length} units, divided by ${o.units.length}`;
  }
  const scaleCi = (c: [number, number] | null): [number, number] | null => (c ? [c[0] * f, c[1] * f] : null);
  const counts = (doc as { counts?: Record<string, unknown> }).counts;
  const att = num(e.att);
  return {
    label,
    file,
    method: doc.method,
    outcome: outcomeOf(doc),
    att: att === null ? null : att * f,
    se: num(e.se) === null ? null : num(e.se)! * f,
    ci: scaleCi(pair(e.ci)),
    level: num(e.level),
    inference: typeof e.inference === 'string' ? e.inference : null,
    cumulative: num(e.cumulative?.value) === null ? null : num(e.cumulative?.value)! * f,
    cumulativeCi: scaleCi(pair(e.cumulative?.ci)),
    offencesAvoided: num(counts?.offencesAvoided),
    offencesAvoidedCi: pair(counts?.ci),
    scale,
    disagreesWith: [],
  };
}

/** The comparison analysis (document body) of labelled documents. */
export function compareAnalysis(inputs: readonly { doc: ResultDocument; label: string; file: string }[], title: string | null): Analysis {
  if (inputs.length < 2) throw new UsageError('TOO_FEW_DOCUMENTS', 'compare needs at least two result documents', {});
  const rows = inputs.map((x) => compareRow(x.doc, x.label, x.file));
  const warnings: Warning[] = [];
  const outcomes = [...new Set(rows.map((r) => r.outcome))];
  if (outcomes.length > 1) warnings.push({ code: 'DIFFERENT_OUTCOMES', message: `the documents estimate effects on different outcomes (${outcomes.join(', ')}); their estimates are not on one scale` });
  const levels = [...new Set(rows.map((r) => r.level).filter((l) => l !== null))];
  if (levels.length > 1) warnings.push({ code: 'DIFFERENT_LEVELS', message: `the intervals have different confidence levels (${levels.join(', ')}); overlap is judged as given` });
  const pairs: { a: string; b: string; gap: number }[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      if (!a.ci || !b.ci) continue;
      const gap = Math.max(a.ci[0], b.ci[0]) - Math.min(a.ci[1], b.ci[1]);
      if (gap > 0) {
        a.disagreesWith.push(b.label);
        b.disagreesWith.push(a.label);
        pairs.push({ a: a.label, b: b.label, gap });
      }
    }
  }
  for (const r of rows) if (!r.ci) warnings.push({ code: 'NO_INTERVAL', message: `${r.label} has no interval, so agreement with it is not judged` });
  return {
    method: 'compare',
    options: { title, documents: rows.map((r) => r.file), labels: rows.map((r) => r.label), scale: 'average effect per treated area-period', seed: null },
    estimate: null,
    path: [],
    units: [],
    diagnostics: [
      {
        code: 'INTERVALS_OVERLAP',
        passed: pairs.length === 0,
        value: pairs.length,
        message: pairs.length === 0 ? 'every pair of intervals overlaps' : `${pairs.length} pair(s) of methods disagree beyond their intervals: ${pairs.map((p) => `${p.a} vs ${p.b} (gap ${p.gap})`).join('; ')}`,
      },
    ],
    warnings,
    comparison: rows,
  };
}
