/**
 * Preparation of the cost-benefit analysis (`vru-eval cba`, and the library): which source of
 * effects (result documents, numbers, or a spec file), offences avoided from each, unit costs per
 * outcome, programme costs and their timing, then costBenefit (src/estimators/cba). Everything the
 * `cba` command used to do between parsing flags and printing the document, so the CLI only
 * parses, and a library caller gets the same document:
 *
 *     const r = analyseCba({ offencesAvoided: [1000], ci: [[500, 1500]], name: ['x'], unitCost: [100], costs: 50000 });
 *
 * Stages: effect source → outcomes (offences avoided × multiplier × unit cost, per outcome) →
 * costs and timing → costBenefit → warnings.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import type { Values } from '../core/optionTable.js';
import type { Analysis, FilesInput, Warning } from '../core/result.js';
import { CBA_OPTIONS, parseMoney } from '../estimators/cba/options.js';
import { costBenefit, type CbaInput, type CbaOutcomeInput, type UnitCostSpec } from '../estimators/cba/costBenefit.js';
import type { YearAmount, YearShare } from '../estimators/cba/discount.js';
import { offencesFromDocument, offencesFromRate, type OffencesAvoided } from '../estimators/cba/effects.js';
import { parseSpec, parseYear } from '../estimators/cba/spec.js';
import { deprecatedKeyWarnings, seedLevel, withDefaults } from './source.js';

type CbaValues = Values<typeof CBA_OPTIONS>;

/** The typed values of cba's option table (camelCase of the flags), seed and level. */
export type CbaAnalyseOptions = Partial<CbaValues> & {
  seed?: number | undefined;
  level?: number | undefined;
  /** Recorded in options.format (presentation only); default 'json'. */
  format?: string | undefined;
  /** Keys the caller set explicitly (the CLI: flags given on the command line); default: every key with a value. */
  given?: ReadonlySet<string> | undefined;
};

/** The document pieces of a cba run: its input block (the files read, with sha256) and the analysis. */
export interface CbaAnalysed {
  command: 'cba';
  input: FilesInput | null;
  analysis: Analysis;
}

const EFFECT_SOURCES = ['from', 'spec', 'offencesAvoided', 'effectPer100k'] as const;
type EffectSourceKind = (typeof EFFECT_SOURCES)[number];
const PER_OUTCOME_FLAGS = ['name', 'multiplier', 'outcomeType', 'unitCost', 'priceYear', 'uprate', 'ci', 'populationTotal'] as const;
const kebab = (k: string): string => '--' + k.replace(/[A-Z0-9]+/g, (c) => '-' + c.toLowerCase());

/** What the run shares between its stages: the options, the explicitly given keys and the files read. */
interface CbaRun {
  v: CbaValues;
  level: number;
  given: ReadonlySet<string>;
  files: FilesInput['files'];
}

/** The outcomes to monetise and what a spec file adds (its costs and discount rate). */
interface CbaOutcomes {
  outcomes: CbaOutcomeInput[];
  specCosts: number | YearAmount[] | null;
  specRate: number | null;
  warnings: Warning[];
}

/**
 * Cost-benefit analysis: offences avoided → costs avoided → benefit-cost ratio, from result
 * documents (`from`), numbers (`offencesAvoided`, `effectPer100k`) or a spec file (`spec`).
 * @throws UsageError (bad or conflicting options), InputError (unreadable or invalid files)
 */
export function analyseCba(o: CbaAnalyseOptions): CbaAnalysed {
  const v = withDefaults(CBA_OPTIONS, o);
  const { seed, level } = seedLevel(o);
  const run: CbaRun = { v, level, given: o.given ?? givenKeys(o), files: [] };
  const kind = effectSource(run);
  const oc = kind === 'spec' ? specOutcomes(run) : flagOutcomes(run, kind);
  const { costs, costsVia, discountRate } = costsAndTiming(v, oc);
  const analysis = costBenefit(
    { outcomes: oc.outcomes, costs, costsVia, discountRate, level },
    {
      seed,
      level,
      source: kind === 'spec' ? 'spec' : kind === 'from' ? 'documents' : 'flags',
      costTable: v.costTable,
      rateBase: v.ratePer,
      // --format is presentation only (shared flag, output.ts); recorded as before so documents do not change
      format: o.format ?? 'json',
      round: v.round,
    },
  );
  analysis.warnings.push(...oc.warnings, ...deprecatedKeyWarnings(o, [CBA_OPTIONS]));
  return { command: 'cba', input: run.files.length > 0 ? { files: run.files } : null, analysis };
}

/** For a library caller: the option keys given a value (an old key counts as its new one). */
function givenKeys(o: CbaAnalyseOptions): Set<string> {
  const given = new Set<string>();
  const r = o as Readonly<Record<string, unknown>>;
  for (const [key, opt] of Object.entries(CBA_OPTIONS)) {
    if (r[key] !== undefined || (opt.aliases ?? []).some((a) => r[a.key ?? kebabToCamel(a.flag)] !== undefined)) given.add(key);
  }
  if (o.level !== undefined) given.add('level');
  return given;
}

const kebabToCamel = (flag: string): string => flag.replace(/^--/, '').replace(/ .*$/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The one kind of effect source given (a spec file may mix kinds inside). */
function effectSource({ v, given }: CbaRun): EffectSourceKind {
  const kinds = EFFECT_SOURCES.filter((k) => v[k] !== undefined);
  if (kinds.length !== 1) {
    throw new UsageError(
      'NO_EFFECT_SOURCE',
      kinds.length === 0
        ? 'give the effects to monetise: --from <result.json>, --offences-avoided <n> --ci lo,hi, --effect-per-100k <x> --population-total <n>, or --spec <spec.json>'
        : `${kinds.map(kebab).join(' and ')} cannot be combined; use one kind of source (a --spec file can mix them)`,
      { given: kinds },
    );
  }
  const kind = kinds[0]!;
  if (kind !== 'from' && given.has('ratePer')) {
    throw new UsageError('OPTION_ONLY_WITH_FROM', `--rate-per applies to --from documents; ${kind === 'spec' ? 'put "rateBase" in the spec outcome' : '--effect-per-100k is always per 100,000'}`, { flag: '--rate-per' });
  }
  return kind;
}

/** The outcomes, costs and discount rate of a spec file (per-outcome flags are refused: the spec sets them). */
function specOutcomes(run: CbaRun): CbaOutcomes {
  const { v, level, files } = run;
  for (const k of PER_OUTCOME_FLAGS) {
    if (v[k] !== undefined) throw new UsageError('OPTION_NOT_WITH_SPEC', `${kebab(k)} sets one outcome; with --spec put it in the spec's outcome instead`, { flag: kebab(k) });
  }
  const specPath = v.spec!;
  const spec = readJson(specPath, 'spec', files);
  const parsed = parseSpec(spec, {
    file: basename(specPath),
    level,
    costTable: v.costTable,
    readResult: (from) => {
      const p = resolve(dirname(specPath), from);
      return { doc: readJson(p, 'result', files), file: basename(p) };
    },
  });
  return { outcomes: parsed.outcomes, specCosts: parsed.costs, specRate: parsed.discountRate, warnings: [] };
}

/** The outcomes given by flags: offences avoided from documents or numbers, then each one's name, multiplier and unit cost. */
function flagOutcomes(run: CbaRun, kind: Exclude<EffectSourceKind, 'spec'>): CbaOutcomes {
  const { v } = run;
  const n = (v[kind] ?? []).length;
  const warnings: Warning[] = [];
  const given: PerOutcomeEffects = { populations: perOutcome('--population-total', v.populationTotal, n), cis: perOutcome('--ci', v.ci, n, false) };
  const effects = kind === 'from' ? effectsFromDocuments(run, given, warnings) : kind === 'offencesAvoided' ? effectsFromCounts(run, given) : effectsFromRates(run, given);
  const names = perOutcome('--name', v.name, n, n === 1);
  const multipliers = perOutcome('--multiplier', v.multiplier, n);
  const types = perOutcome('--outcome-type', v.outcomeType, n);
  const unitCosts = perOutcome('--unit-cost', v.unitCost, n);
  const priceYears = perOutcome('--price-year', v.priceYear, n);
  const uprates = perOutcome('--uprate', v.uprate, n);
  if (v.priceYear !== undefined && v.unitCost === undefined) throw new UsageError('OPTION_NEEDS_UNIT_COST', '--price-year describes --unit-cost; a cost table has its own price year', { flag: '--price-year' });
  const outcomes = effects.map((e, i) => {
    const name = names[i] ?? e.name ?? (kind === 'from' ? basename(v.from![i]!, '.json') : null);
    if (name === null) throw new UsageError('MISSING_NAME', `outcome ${i + 1} needs a name: give --name${n > 1 ? ' once per outcome' : ''}`, { outcome: i + 1 });
    const uc = unitCosts[i];
    const type = types[i];
    let unitCost: UnitCostSpec;
    if (uc !== undefined) unitCost = { kind: 'given', value: uc, priceYear: priceYears[i] ?? null, source: 'given with --unit-cost', outcomeType: type ?? null };
    else if (type !== undefined) unitCost = { kind: 'table', table: v.costTable, outcomeType: type };
    else throw new UsageError('MISSING_UNIT_COST', `outcome '${name}' needs a unit cost: --outcome-type <type> (from --cost-table ${v.costTable}) or --unit-cost <£>`, { outcome: name });
    return { ...e, name, multiplier: multipliers[i] ?? 1, unitCost, uprate: uprates[i] ?? 1, benefitShares: null };
  });
  return { outcomes, specCosts: null, specRate: null, warnings };
}

/** --population-total and --ci per outcome (checked for their count before anything else). */
interface PerOutcomeEffects {
  populations: (number | undefined)[];
  cis: ([number, number] | undefined)[];
}

/** Offences avoided from result documents (counts.offencesAvoided, else the cumulative effect × population / rate base). */
function effectsFromDocuments(run: CbaRun, { populations }: PerOutcomeEffects, warnings: Warning[]): OffencesAvoided[] {
  const { v, level, given, files } = run;
  if (v.ci !== undefined) throw new UsageError('OPTION_NOT_WITH_FROM', '--ci is read from the result document with --from; do not give it', { flag: '--ci' });
  return v.from!.map((path, i) => {
    const doc = readJson(path, 'result', files);
    const pop = populations[i];
    const e = offencesFromDocument(doc, { file: basename(path), rateBase: v.ratePer, ...(pop !== undefined ? { population: pop } : {}) });
    if (pop !== undefined && e.source.field === 'counts.offencesAvoided') {
      warnings.push({ code: 'POPULATION_UNUSED', message: `${basename(path)} already gives counts.offencesAvoided, so --population-total ${pop} was not used` });
    }
    if (e.level !== null && given.has('level') && e.level !== level) {
      throw new UsageError('LEVEL_MISMATCH', `--level ${level} differs from the level ${e.level} of the intervals in ${path}; cba does not recompute intervals, so drop --level or re-run the estimate at that level`, { file: path });
    }
    return e;
  });
}

/** Offences avoided given as counts, with their intervals. */
function effectsFromCounts({ v, level }: CbaRun, { cis }: PerOutcomeEffects): OffencesAvoided[] {
  if (v.populationTotal !== undefined) throw new UsageError('OPTION_NOT_WITH_COUNTS', '--population-total converts rates; --offences-avoided is already a count', { flag: '--population-total' });
  return v.offencesAvoided!.map((x, i) => ({ offencesAvoided: x, ci: cis[i] ?? null, level, name: null, source: { kind: 'count', via: 'flags' } }));
}

/** Offences avoided from effects per 100,000 and the population they apply to. */
function effectsFromRates({ v, level }: CbaRun, { populations, cis }: PerOutcomeEffects): OffencesAvoided[] {
  return v.effectPer100k!.map((x, i) => {
    const pop = populations[i];
    if (pop === undefined) throw new UsageError('MISSING_POPULATION', '--effect-per-100k needs --population-total <n> (the treated population the rate applies to)', { flag: '--population-total' });
    const ci = cis[i] ?? null;
    if (ci && (x < ci[0] || x > ci[1])) {
      throw new UsageError('CI_EXCLUDES_ESTIMATE', `--ci ${ci[0]},${ci[1]} does not contain the effect ${x} per 100,000; give the effect's own interval (same sign and units)`, { effect: x, ci });
    }
    const r = offencesFromRate(x, ci, pop, 100000);
    return { ...r, level, name: null, source: { kind: 'effect-rate', via: 'flags', effect: x, effectCi: ci, population: pop, rateBase: 100000 } };
  });
}

/** Programme costs (one total or by year), discount rate and benefit timing: from the options or the spec, not both. */
function costsAndTiming(v: CbaValues, oc: CbaOutcomes): { costs: number | YearAmount[]; costsVia: CbaInput['costsVia']; discountRate: number | null } {
  if (v.costs !== undefined && v.costsByYear !== undefined) throw new UsageError('CONFLICT', 'give --costs or --costs-by-year, not both', {});
  let costs: number | YearAmount[] | null = oc.specCosts;
  let costsVia: CbaInput['costsVia'] = 'spec';
  if (v.costs !== undefined || v.costsByYear !== undefined) {
    if (oc.specCosts !== null) throw new UsageError('CONFLICT', 'the spec already gives "costs"; drop --costs/--costs-by-year or remove them from the spec', {});
    costs = v.costs !== undefined ? v.costs : yearPairs('--costs-by-year', '£', v.costsByYear!).map((p) => ({ year: p.year, amount: p.value }));
    costsVia = 'flags';
  }
  if (costs === null) throw new UsageError('MISSING_COSTS', 'give the programme costs: --costs <£> or --costs-by-year 2019:£,2020:£ (or "costs" in the spec)', {});
  if (v.discountRate !== undefined && oc.specRate !== null) throw new UsageError('CONFLICT', 'the spec already gives "discountRate"; drop --discount-rate or remove it from the spec', {});
  const discountRate = v.discountRate ?? oc.specRate;
  if (v.benefitShares !== undefined) {
    const shares: YearShare[] = yearPairs('--benefit-shares', 'share', v.benefitShares).map((p) => ({ year: p.year, share: p.value }));
    for (const o of oc.outcomes) {
      if (o.benefitShares !== null) throw new UsageError('CONFLICT', `the spec already times the benefits of '${o.name}'; drop --benefit-shares`, {});
      o.benefitShares = shares.map((s) => ({ ...s }));
    }
  }
  return { costs, costsVia, discountRate };
}

/** "2019:60000000,2020:61952973" (or 2019/20:…) → [{year, value}] in the order given. */
function yearPairs(flag: string, what: string, value: string): { year: number; value: number }[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item) => {
      const k = item.lastIndexOf(':');
      const year = k > 0 ? parseYear(item.slice(0, k)) : null;
      const x = k > 0 ? (what === '£' ? parseMoney(flag, item.slice(k + 1)) : Number(item.slice(k + 1))) : NaN;
      if (year === null || !Number.isFinite(x)) {
        throw new UsageError('BAD_YEAR_LIST', `${flag}: '${item}' must be year:${what} (e.g. 2019:0.5 or 2019/20:0.5), comma-separated`, { flag, value });
      }
      return { year, value: x };
    });
}

/** A JSON file's content, its name and sha256 added to `files` (the document's input block). */
function readJson(path: string, role: string, files: FilesInput['files']): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError('FILE_NOT_FOUND', `cannot read ${role} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
  files.push({ file: basename(path), sha256: createHash('sha256').update(bytes).digest('hex'), role });
  try {
    return JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError('BAD_JSON', `${path} is not valid JSON: ${(e as Error).message}`, { file: path });
  }
}

/** A per-outcome flag: given once (applies to every outcome) or once per outcome, in order. */
function perOutcome<T>(flag: string, values: T[] | undefined, n: number, broadcast = true): (T | undefined)[] {
  if (!values || values.length === 0) return Array.from({ length: n }, () => undefined);
  if (values.length === n) return values;
  if (values.length === 1 && broadcast) return Array.from({ length: n }, () => values[0]);
  throw new UsageError(
    'FLAG_COUNT',
    `${flag} is given ${values.length} times for ${n} outcome(s); give it ${broadcast ? 'once (for every outcome) or ' : ''}once per outcome, in the order of the outcomes`,
    { flag, given: values.length, outcomes: n },
  );
}
