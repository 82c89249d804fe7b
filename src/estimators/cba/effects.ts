/**
 * Where an outcome's "offences avoided" comes from: a vru-eval result document, an effect per
 * 100,000 times a population, or a count given directly.
 *
 * Sign convention. Every vru-eval effect is observed − counterfactual, so a reduction in offences
 * is a NEGATIVE effect. Offences avoided is its negation: positive when offences fell. A
 * confidence interval [lo, hi] of the effect becomes [−hi, −lo] of offences avoided, so the lower
 * end of an offences-avoided interval is always the end with FEWER offences avoided.
 */
import { InputError, UsageError } from '../../core/errors.js';

/** Provenance of an outcome's offences avoided. */
export interface EffectSource {
  /** 'document': a vru-eval result file; 'effect-rate': effect per `rateBase` × population; 'count': given directly. */
  kind: 'document' | 'effect-rate' | 'count';
  /** Where the numbers were given: command-line flags, a spec file, or a result document. */
  via: 'flags' | 'spec' | 'document';
  /** Result document (basename) for kind 'document'. */
  file?: string;
  /** Which field of the document was read: 'counts.offencesAvoided' or 'estimate.cumulative'. */
  field?: string;
  /** Method and command of the document, when read from one. */
  method?: string | null;
  /** The effect (observed − counterfactual) and its CI, in rate units, when converted from a rate. */
  effect?: number;
  effectCi?: [number, number] | null;
  /** Population the rate was multiplied by, and the rate base (100,000 = per 100,000). */
  population?: number;
  rateBase?: number;
}

/** Offences avoided (positive = fewer offences) with its interval and provenance. */
export interface OffencesAvoided {
  offencesAvoided: number;
  /** [fewer, more] offences avoided, or null when the source has no interval. */
  ci: [number, number] | null;
  /** Confidence level of `ci` (e.g. 0.95) when known. */
  level: number | null;
  source: EffectSource;
  /** Suggested outcome name (the document's outcome column), if any. */
  name: string | null;
}

/** Throws the error class that matches where a bad value came from: flags → exit 2, files → exit 3. */
export function failFor(via: EffectSource['via']): (code: string, message: string, details?: Record<string, unknown>) => never {
  return (code, message, details = {}) => {
    throw via === 'flags' ? new UsageError(code, message, details) : new InputError(code, message, details);
  };
}

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function asInterval(x: unknown): [number, number] | null | undefined {
  if (x === null) return null;
  if (Array.isArray(x) && x.length === 2 && finite(x[0]) && finite(x[1])) return [x[0], x[1]];
  return undefined;
}

/**
 * Offences avoided from an effect per `rateBase` people (e.g. a cumulative effect per 100,000):
 * avoided = −effect × population / rateBase, CI [−hi, −lo] × population / rateBase.
 */
export function offencesFromRate(effect: number, ci: [number, number] | null, population: number, rateBase: number): { offencesAvoided: number; ci: [number, number] | null } {
  const k = population / rateBase;
  return { offencesAvoided: -effect * k, ci: ci ? [-ci[1] * k, -ci[0] * k] : null };
}

export interface DocumentReadOptions {
  /** File name, for messages and provenance. */
  file: string;
  /** Treated population for the `estimate.cumulative` fallback (overrides `counts.population`). */
  population?: number;
  /** Rate base of the document's outcome (100,000 for rates per 100,000). */
  rateBase: number;
}

/**
 * Read offences avoided from a parsed vru-eval result document.
 *
 * 1. `counts.offencesAvoided` — either `{ value, ci }` or a number with `counts.ci` — taken as is
 *    (already offences avoided, positive = fewer offences). If the document also has
 *    `estimate.cumulative.value`, the two must have opposite signs (or one is 0), else the
 *    document uses another sign convention and is rejected (COUNTS_SIGN).
 * 2. Otherwise `estimate.cumulative` { value, ci } (the effect summed over post periods, per
 *    `rateBase` people) × population / rateBase, negated. Population: `opts.population`, else
 *    `counts.population` in the document; neither is an error naming `--population`.
 * The interval level is `estimate.level`.
 * @throws InputError NOT_A_RESULT / NO_CUMULATIVE / COUNTS_SIGN / BAD_COUNTS; UsageError MISSING_POPULATION
 */
export function offencesFromDocument(doc: unknown, opts: DocumentReadOptions): OffencesAvoided {
  const f = opts.file;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || typeof (doc as Record<string, unknown>).schemaVersion !== 'string') {
    throw new InputError('NOT_A_RESULT', `${f} is not a vru-eval result document (no schemaVersion); pass the JSON written by vru-eval scm/its/did --out`, { file: f });
  }
  const d = doc as Record<string, unknown>;
  if (d.command === 'cba') throw new InputError('NOT_A_RESULT', `${f} is a cba document; --from takes the result of an estimating command (scm, its, did)`, { file: f });
  const estimate = (d.estimate ?? null) as Record<string, unknown> | null;
  const level = estimate && finite(estimate.level) ? estimate.level : null;
  const cumulative = (estimate?.cumulative ?? null) as Record<string, unknown> | null;
  const cumValue = cumulative && finite(cumulative.value) ? cumulative.value : null;
  const method = typeof d.method === 'string' ? d.method : null;
  const input = (d.input ?? null) as Record<string, unknown> | null;
  const name = input && typeof input.outcome === 'string' ? input.outcome : null;
  const counts = (d.counts ?? null) as Record<string, unknown> | null;

  if (counts && counts.offencesAvoided !== undefined && counts.offencesAvoided !== null) {
    const oa = counts.offencesAvoided;
    let value: number | undefined;
    let ci: [number, number] | null | undefined;
    if (finite(oa)) {
      value = oa;
      ci = counts.ci === undefined ? null : asInterval(counts.ci);
    } else if (oa && typeof oa === 'object' && finite((oa as Record<string, unknown>).value)) {
      value = (oa as Record<string, number>).value;
      const c = (oa as Record<string, unknown>).ci;
      ci = c === undefined ? null : asInterval(c);
    }
    if (value === undefined || ci === undefined) {
      throw new InputError('BAD_COUNTS', `${f}: counts.offencesAvoided must be { "value": number, "ci": [lo, hi] | null } (or a number with counts.ci)`, { file: f });
    }
    if (cumValue !== null && value !== 0 && cumValue !== 0 && Math.sign(value) === Math.sign(cumValue)) {
      throw new InputError(
        'COUNTS_SIGN',
        `${f}: counts.offencesAvoided (${value}) has the same sign as the cumulative effect (${cumValue}); offences avoided must be the negated effect (a reduction is a negative effect and a positive number of offences avoided)`,
        { file: f, offencesAvoided: value, cumulative: cumValue },
      );
    }
    return { offencesAvoided: value, ci, level, name, source: { kind: 'document', via: 'document', file: f, field: 'counts.offencesAvoided', method } };
  }

  if (cumValue === null) {
    throw new InputError('NO_CUMULATIVE', `${f} has neither counts.offencesAvoided nor a numeric estimate.cumulative.value, so there is no cumulative effect to monetise`, { file: f });
  }
  const cumCi = asInterval(cumulative!.ci ?? null) ?? null;
  const population = opts.population ?? (counts && finite(counts.population) ? counts.population : undefined);
  if (population === undefined) {
    throw new UsageError(
      'MISSING_POPULATION',
      `${f} gives the cumulative effect as a rate (no counts block); pass --population-total <treated population> (and --rate-per if the rate is not per 100,000) to convert it to offences`,
      { file: f },
    );
  }
  if (!(population > 0)) throw new InputError('BAD_POPULATION', `${f}: population ${population} must be positive`, { file: f });
  const r = offencesFromRate(cumValue, cumCi, population, opts.rateBase);
  return {
    offencesAvoided: r.offencesAvoided,
    ci: r.ci,
    level,
    name,
    source: { kind: 'document', via: 'document', file: f, field: 'estimate.cumulative', method, effect: cumValue, effectCi: cumCi, population, rateBase: opts.rateBase },
  };
}
