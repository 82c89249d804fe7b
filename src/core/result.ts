/**
 * The one output document every estimating command writes.
 *
 * Estimators return an {@link Analysis} (pure data, no I/O); the CLI wraps it with
 * {@link makeDocument}, which fixes the key order, turns non-finite numbers into
 * null (with a warning) and adds `schemaVersion`, `tool`, `command` and `input`.
 * The JSON Schema for the document is in schema.ts (`vru-eval schema`).
 */
import type { Panel } from './panel.js';
import { nullResultMde } from './nullMde.js';

export const SCHEMA_VERSION = '1.0';

/** A two-sided interval [lower, upper], or null where it does not apply. */
export type Interval = [number, number] | null;

export interface CumulativeEffect {
  /** Sum of the per-period average effects over the post window (the effect "to date"). */
  value: number | null;
  ci: Interval;
}

export interface EstimateBlock {
  /** Average effect per treated unit-period over the post window. */
  att: number | null;
  se: number | null;
  ci: Interval;
  /** Confidence level of every interval in the document, e.g. 0.95. */
  level: number;
  pValue: number | null;
  /** How `se`, `ci` and `pValue` were obtained, e.g. 'placebo-space', 'conformal', 'bootstrap-parametric'. */
  inference: string;
  cumulative: CumulativeEffect | null;
  /** Extra, method-specific fields (e.g. counts of offences avoided). */
  [extra: string]: unknown;
}

export interface PathPoint {
  period: string;
  /** Mean outcome of the treated units contributing in this period (null if none observed). */
  observed: number | null;
  counterfactual: number | null;
  effect: number | null;
  ci: Interval;
  /** Running sum of `effect` over post periods up to this one (null before treatment). */
  cumulative: number | null;
  cumulativeCi: Interval;
  [extra: string]: unknown;
}

/** One period of a single unit's series: what `units[].path` holds (per-unit small multiples). */
export interface UnitPathPoint {
  period: string;
  observed: number | null;
  counterfactual: number | null;
  effect: number | null;
}

/**
 * A unit's observed series against its counterfactual, period by period (length T).
 * `counterfactual[t]` NaN (e.g. an excluded period) gives nulls for that period.
 */
export function unitPath(periods: readonly string[], observed: ArrayLike<number>, counterfactual: ArrayLike<number>): UnitPathPoint[] {
  const out: UnitPathPoint[] = [];
  for (let t = 0; t < periods.length; t++) {
    const o = observed[t]!;
    const c = counterfactual[t]!;
    const ok = Number.isFinite(o) && Number.isFinite(c);
    out.push({ period: periods[t]!, observed: Number.isFinite(o) ? o : null, counterfactual: Number.isFinite(c) ? c : null, effect: ok ? o - c : null });
  }
  return out;
}

export interface UnitResult {
  unit: string;
  att: number | null;
  preRmspe: number | null;
  /** Donor weights (synthetic control) or null for methods without weights. */
  weights: Record<string, number> | null;
  [extra: string]: unknown;
}

export interface Diagnostic {
  code: string;
  /** Whether the check passed; null when it is informational. */
  passed: boolean | null;
  value: number | string | null;
  message: string;
  /** Optional table (rows of plain objects), e.g. predictor balance or the CV table. */
  table?: Record<string, unknown>[];
}

export interface Warning {
  code: string;
  message: string;
}

/** What an estimator returns: everything in the document except the envelope. */
export interface Analysis {
  method: string;
  /** Every resolved option, defaults made explicit, including `seed`. */
  options: Record<string, unknown>;
  estimate: EstimateBlock | null;
  path: PathPoint[];
  units: UnitResult[];
  diagnostics: Diagnostic[];
  warnings: Warning[];
  /** Method-specific blocks: eventPath, coefficients, attGt, aggregations, counts, outcomes, totals, bcr, details … */
  [extra: string]: unknown;
}

export interface InputInfo {
  file: string;
  /** SHA-256 of the panel's canonical content (row order does not change it). */
  sha256: string;
  rows: number;
  units: number;
  periods: number;
  frequency: string;
  [extra: string]: unknown;
}

/** The `input` block of a command that reads files other than a panel (e.g. cba's result documents and spec). */
export interface FilesInput {
  files: { file: string; sha256: string; role: string }[];
}

export interface ResultDocument extends Analysis {
  schemaVersion: string;
  tool: { name: string; version: string };
  command: string;
  input: InputInfo | FilesInput | null;
}

/** The `input` block for a panel. */
export function inputInfo(panel: Panel): InputInfo {
  return {
    file: panel.file,
    sha256: panel.sha256,
    rows: panel.rows,
    units: panel.units.length,
    periods: panel.periods.length,
    frequency: panel.frequency,
    firstPeriod: panel.periods[0] ?? null,
    lastPeriod: panel.periods[panel.periods.length - 1] ?? null,
    outcome: panel.outcome,
    ...(panel.dateReading ? { periodFormat: { ...panel.dateReading } } : {}),
  };
}

const CORE_KEYS = ['method', 'options', 'estimate', 'path', 'units', 'diagnostics', 'warnings'] as const;

/**
 * Wrap an analysis in the output envelope with a fixed key order. Non-finite
 * numbers anywhere become null, and one NON_FINITE warning lists where.
 */
export function makeDocument(command: string, tool: { name: string; version: string }, input: InputInfo | FilesInput | null, analysis: Analysis): ResultDocument {
  const where: string[] = [];
  const clean = (v: unknown, path: string): unknown => {
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return Object.is(v, -0) ? 0 : v;
      where.push(path);
      return null;
    }
    if (v === undefined) return null;
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x, k) => clean(x, `${path}[${k}]`));
    if (Array.isArray(v)) return v.map((x, k) => clean(x, `${path}[${k}]`));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      out[k] = clean(x, `${path}.${k}`);
    }
    return out;
  };
  const doc: Record<string, unknown> = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: tool.name, version: tool.version },
    command,
    method: analysis.method,
    input: clean(input, 'input'),
  };
  // a null result carries the MDE of its design (src/power/nullMde.ts): "effects smaller than X could not be ruled out"
  const mde = analysis.estimate && analysis.estimate.mde === undefined ? nullResultMde(analysis) : null;
  if (mde) analysis = { ...analysis, estimate: { ...analysis.estimate!, mde } };
  for (const k of CORE_KEYS) if (k !== 'method') doc[k] = clean(analysis[k], k);
  const extras = Object.keys(analysis)
    .filter((k) => !(CORE_KEYS as readonly string[]).includes(k) && analysis[k] !== undefined)
    .sort();
  for (const k of extras) doc[k] = clean(analysis[k], k);
  if (where.length > 0) {
    (doc.warnings as Warning[]).push({
      code: 'NON_FINITE',
      message: `${where.length} non-finite number(s) written as null: ${where.slice(0, 5).join(', ')}${where.length > 5 ? ', …' : ''}`,
    });
  }
  return doc as ResultDocument;
}

/** Serialise a document: full precision (shortest round-trip form), 2-space indent, trailing newline. */
export function serialiseDocument(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
