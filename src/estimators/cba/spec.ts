/**
 * The cba spec file: several outcomes and the programme costs in one JSON document.
 *
 * {
 *   "outcomes": [ {
 *       "name": "violence without injury",
 *       -- one effect source:
 *       "offencesAvoided": 27585, "ci": [lo, hi]            (offences avoided, positive = fewer offences)
 *     | "from": "vwoi.json", "population"?: P, "rateBase"?: 100000   (a vru-eval result, path relative to the spec)
 *     | "effectPer100k": -80.37, "ci": [lo, hi], "population": P    (effect and its CI per 100,000; negative = reduction)
 *       "level"?: 0.95,
 *       "multiplier"?: 1.5,                                   (default 1)
 *       "unitCost"?: 6480, "priceYear"?: "2019/20", "unitCostSource"?: "…"
 *     | "costTable"?: "heeks2018", "outcomeType": "violence-without-injury",
 *       "uprate"?: 1.0927,                                    (default 1)
 *       "benefitShares"?: { "2019": 0.5, "2020": 0.5 }
 *   } ],
 *   "costs": 121952973 | { "2019": 60000000, "2020": 61952973 } | [ { "year": 2019, "amount": … } ],
 *   "discountRate"?: 0.035,
 *   "benefitShares"?: { … }                                   (default timing for every outcome)
 * }
 *
 * Keys starting with "$" (e.g. "$comment") are ignored; any other unknown key is an error, so a
 * typo such as "multipler" cannot silently fall back to a default.
 */
import { InputError } from '../../core/errors.js';
import type { YearAmount, YearShare } from './discount.js';
import type { CbaOutcomeInput, UnitCostSpec } from './costBenefit.js';
import { offencesFromDocument, offencesFromRate, type OffencesAvoided } from './effects.js';

export interface ParsedSpec {
  outcomes: CbaOutcomeInput[];
  costs: number | YearAmount[] | null;
  discountRate: number | null;
}

export interface SpecContext {
  /** Spec file name, for messages. */
  file: string;
  /** Read and parse a result document named by an outcome's "from" (path relative to the spec). */
  readResult: (from: string) => { doc: unknown; file: string };
  /** Level of intervals given in the spec without "level". */
  level: number;
  /** Default cost table for "outcomeType" without "costTable". */
  costTable: string;
}

const OUTCOME_KEYS = new Set([
  'name', 'offencesAvoided', 'ci', 'from', 'population', 'rateBase', 'effectPer100k', 'level', 'multiplier',
  'unitCost', 'priceYear', 'unitCostSource', 'costTable', 'outcomeType', 'uprate', 'benefitShares',
]);
const TOP_KEYS = new Set(['outcomes', 'costs', 'discountRate', 'benefitShares']);

function bad(ctx: SpecContext, where: string, message: string): never {
  throw new InputError('BAD_SPEC', `${ctx.file}: ${where}: ${message}`, { file: ctx.file, where });
}

function checkKeys(ctx: SpecContext, o: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(o)) {
    if (k.startsWith('$')) continue;
    if (!allowed.has(k)) bad(ctx, where, `unknown key "${k}" (allowed: ${[...allowed].join(', ')})`);
  }
}

function num(ctx: SpecContext, v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(ctx, where, `must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function optNum(ctx: SpecContext, v: unknown, where: string): number | undefined {
  return v === undefined ? undefined : num(ctx, v, where);
}

function optStr(ctx: SpecContext, v: unknown, where: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') bad(ctx, where, `must be a string`);
  return v;
}

function interval(ctx: SpecContext, v: unknown, where: string): [number, number] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length !== 2) bad(ctx, where, 'must be [lower, upper]');
  return [num(ctx, v[0], `${where}[0]`), num(ctx, v[1], `${where}[1]`)];
}

/** "2019" → 2019, "2019/20" → 2019 (a financial year by its first calendar year), "0" → 0; else null. */
export function parseYear(k: string): number | null {
  const m = /^(-?\d+)(?:\/\d{2})?$/.exec(k.trim());
  return m ? Number(m[1]) : null;
}

function yearKey(ctx: SpecContext, k: string, where: string): number {
  const y = parseYear(k);
  if (y === null) bad(ctx, where, `year "${k}" must be an integer such as 2019, a financial year such as 2019/20, or 0, 1, 2`);
  return y;
}

/** { "2019": 0.4, "2020": 0.6 } → [{year, share}] sorted by year. */
export function parseShares(ctx: SpecContext, v: unknown, where: string): YearShare[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) bad(ctx, where, 'must be an object { "year": share, … }');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, s]) => ({ year: yearKey(ctx, k, where), share: num(ctx, s, `${where}.${k}`) }))
    .sort((a, b) => a.year - b.year);
}

function parseCosts(ctx: SpecContext, v: unknown): number | YearAmount[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return num(ctx, v, 'costs');
  if (Array.isArray(v)) {
    return v
      .map((r, i) => {
        if (!r || typeof r !== 'object') bad(ctx, `costs[${i}]`, 'must be { "year": y, "amount": £ }');
        const o = r as Record<string, unknown>;
        return { year: num(ctx, o.year, `costs[${i}].year`), amount: num(ctx, o.amount, `costs[${i}].amount`) };
      })
      .sort((a, b) => a.year - b.year);
  }
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, a]) => ({ year: yearKey(ctx, k, 'costs'), amount: num(ctx, a, `costs.${k}`) }))
      .sort((a, b) => a.year - b.year);
  }
  return bad(ctx, 'costs', 'must be a number (£), an object { "year": £ } or an array of { year, amount }');
}

function parseOutcome(ctx: SpecContext, raw: unknown, i: number, defaultShares: YearShare[] | null): CbaOutcomeInput {
  const where = `outcomes[${i}]`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad(ctx, where, 'must be an object');
  const o = raw as Record<string, unknown>;
  checkKeys(ctx, o, OUTCOME_KEYS, where);
  const sources = ['offencesAvoided', 'from', 'effectPer100k'].filter((k) => o[k] !== undefined);
  if (sources.length !== 1) bad(ctx, where, `give exactly one of "offencesAvoided", "from", "effectPer100k" (got ${sources.length === 0 ? 'none' : sources.join(', ')})`);
  if (o.rateBase !== undefined && o.from === undefined) bad(ctx, `${where}.rateBase`, 'applies to "from" documents only ("effectPer100k" is per 100,000)');
  if (o.population !== undefined && o.offencesAvoided !== undefined) bad(ctx, `${where}.population`, 'converts rates; "offencesAvoided" is already a count');
  const level = optNum(ctx, o.level, `${where}.level`);
  let eff: OffencesAvoided;
  if (o.offencesAvoided !== undefined) {
    eff = { offencesAvoided: num(ctx, o.offencesAvoided, `${where}.offencesAvoided`), ci: interval(ctx, o.ci, `${where}.ci`), level: level ?? ctx.level, name: null, source: { kind: 'count', via: 'spec' } };
  } else if (o.effectPer100k !== undefined) {
    const effect = num(ctx, o.effectPer100k, `${where}.effectPer100k`);
    const population = num(ctx, o.population, `${where}.population`);
    if (!(population > 0)) bad(ctx, `${where}.population`, 'must be positive');
    const ci = interval(ctx, o.ci, `${where}.ci`);
    if (ci && (effect < ci[0] || effect > ci[1])) {
      throw new InputError('CI_EXCLUDES_ESTIMATE', `${ctx.file}: ${where}: the interval [${ci[0]}, ${ci[1]}] does not contain the effect ${effect} per 100,000`, { file: ctx.file, where });
    }
    const r = offencesFromRate(effect, ci, population, 100000);
    eff = { ...r, level: level ?? ctx.level, name: null, source: { kind: 'effect-rate', via: 'spec', effect, effectCi: ci, population, rateBase: 100000 } };
  } else {
    if (typeof o.from !== 'string') bad(ctx, `${where}.from`, 'must be a file name');
    if (o.ci !== undefined) bad(ctx, `${where}.ci`, 'is read from the result document; do not give it with "from"');
    const { doc, file } = ctx.readResult(o.from);
    const population = optNum(ctx, o.population, `${where}.population`);
    eff = offencesFromDocument(doc, { file, rateBase: optNum(ctx, o.rateBase, `${where}.rateBase`) ?? 100000, ...(population !== undefined ? { population } : {}) });
    if (level !== undefined && eff.level !== null && level !== eff.level) bad(ctx, `${where}.level`, `${level} differs from the document's level ${eff.level}`);
  }
  const name = optStr(ctx, o.name, `${where}.name`) ?? eff.name;
  if (name === null) bad(ctx, `${where}.name`, 'is required');
  let unitCost: UnitCostSpec;
  const outcomeType = optStr(ctx, o.outcomeType, `${where}.outcomeType`);
  if (o.unitCost !== undefined) {
    unitCost = { kind: 'given', value: num(ctx, o.unitCost, `${where}.unitCost`), priceYear: optStr(ctx, o.priceYear, `${where}.priceYear`), source: optStr(ctx, o.unitCostSource, `${where}.unitCostSource`), outcomeType };
  } else if (outcomeType !== null) {
    if (o.priceYear !== undefined || o.unitCostSource !== undefined) bad(ctx, where, '"priceYear"/"unitCostSource" describe a given "unitCost"; a cost table has its own');
    unitCost = { kind: 'table', table: optStr(ctx, o.costTable, `${where}.costTable`) ?? ctx.costTable, outcomeType };
  } else {
    return bad(ctx, where, 'give "unitCost" (£ per offence) or "outcomeType" (with "costTable", default heeks2018)');
  }
  return {
    ...eff,
    name,
    multiplier: optNum(ctx, o.multiplier, `${where}.multiplier`) ?? 1,
    unitCost,
    uprate: optNum(ctx, o.uprate, `${where}.uprate`) ?? 1,
    benefitShares: parseShares(ctx, o.benefitShares, `${where}.benefitShares`) ?? defaultShares,
  };
}

/**
 * Parse a spec (already JSON-parsed). Result documents named by "from" are read through
 * `ctx.readResult`, so this stays free of file I/O.
 * @throws InputError BAD_SPEC naming the key, plus the reader's errors
 */
export function parseSpec(spec: unknown, ctx: SpecContext): ParsedSpec {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) bad(ctx, 'top level', 'must be an object with "outcomes"');
  const s = spec as Record<string, unknown>;
  checkKeys(ctx, s, TOP_KEYS, 'top level');
  if (!Array.isArray(s.outcomes) || s.outcomes.length === 0) bad(ctx, 'outcomes', 'must be a non-empty array');
  const shares = parseShares(ctx, s.benefitShares, 'benefitShares');
  return {
    outcomes: s.outcomes.map((o, i) => parseOutcome(ctx, o, i, shares)),
    costs: parseCosts(ctx, s.costs),
    discountRate: optNum(ctx, s.discountRate, 'discountRate') ?? null,
  };
}
