/**
 * `vru-eval cba`: offences avoided → costs avoided → benefit-cost ratio, from vru-eval result
 * documents (--from), from numbers on the command line, or from a spec file (--spec).
 * Reads no panel. Flags are parsed here; the arithmetic is in src/estimators/cba.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import type { FilesInput } from '../../core/result.js';
import { costBenefit, type CbaInput, type CbaOutcomeInput, type UnitCostSpec } from '../../estimators/cba/costBenefit.js';
import { COST_TABLE_NAMES } from '../../estimators/cba/costTables.js';
import type { YearAmount, YearShare } from '../../estimators/cba/discount.js';
import { offencesFromDocument, offencesFromRate, type OffencesAvoided } from '../../estimators/cba/effects.js';
import { parseSpec, parseYear } from '../../estimators/cba/spec.js';
import type { CliContext } from '../context.js';
import { emitDocument } from '../context.js';
import { addOutputOptions, commonFrom, numberArg, repeatable } from '../options.js';

/** A £ amount: digits with optional leading £ and comma thousands separators (£121,952,973); negatives are passed on for a clear error later. */
function parseMoney(flag: string, value: string): number {
  let v = value.trim().replace(/^(-?)£/, '$1');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(v)) v = v.replace(/,/g, '');
  const x = Number(v);
  if (v === '' || !Number.isFinite(x)) throw new UsageError('BAD_NUMBER', `${flag} '${value}' must be an amount of £, e.g. 121952973 or £121,952,973`, { flag, value });
  return x;
}

function moneyArg(flag: string) {
  return (value: string): number => parseMoney(flag, value);
}

function numbers(flag: string, opts: Parameters<typeof numberArg>[1] = {}) {
  const one = numberArg(flag, opts);
  return (value: string, previous: number[] = []): number[] => [...previous, one(value)];
}

function moneys(flag: string) {
  return (value: string, previous: number[] = []): number[] => [...previous, parseMoney(flag, value)];
}

/** "lo,hi" → [lo, hi]. */
function intervals(flag: string) {
  return (value: string, previous: [number, number][] = []): [number, number][] => {
    const parts = value.split(',').map((s) => s.trim());
    const xs = parts.map(Number);
    if (parts.length !== 2 || parts.some((s) => s === '') || !xs.every(Number.isFinite)) {
      throw new UsageError('BAD_CI', `${flag} '${value}' must be two numbers 'lower,upper', e.g. --ci 3492,96637`, { flag, value });
    }
    return [...previous, [xs[0]!, xs[1]!]];
  };
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

const PER_OUTCOME_FLAGS = ['name', 'multiplier', 'outcomeType', 'unitCost', 'priceYear', 'uprate', 'ci', 'population'] as const;
const kebab = (k: string): string => '--' + k.replace(/[A-Z0-9]+/g, (c) => '-' + c.toLowerCase());

export function cbaCommand(ctx: CliContext): Command {
  const cmd = new Command('cba')
    .description('cost-benefit: offences avoided × under-reporting multiplier × unit cost of crime (Heeks et al. 2018 table or given), against programme costs (optionally discounted); benefit-cost ratio with its range over the effects\' confidence intervals');
  cmd
    .option('--from <result.json>', 'a vru-eval result document, one per outcome (repeatable); reads counts.offencesAvoided, else estimate.cumulative × --population / --rate-base', repeatable)
    .option('--spec <spec.json>', 'several outcomes and the costs in one JSON file (see README)')
    .option('--offences-avoided <n>', 'offences avoided, positive = fewer offences (repeatable, one per outcome)', numbers('--offences-avoided'))
    .option('--effect-per-100k <x>', 'cumulative effect per 100,000 (observed − counterfactual; negative = reduction), with --population (repeatable)', numbers('--effect-per-100k'))
    .option('--ci <lo,hi>', 'interval of --offences-avoided (offences) or of --effect-per-100k (per 100,000), at --level (repeatable)', intervals('--ci'))
    .option('--population <n>', 'population the rate applies to (for --effect-per-100k; for --from documents without counts)', numbers('--population', { min: 0, exclusiveMin: true }))
    .option('--rate-base <n>', 'people per rate unit of a --from document\'s outcome (100000 = per 100,000; 1000000 = per million)', numberArg('--rate-base', { min: 0, exclusiveMin: true }), 100000)
    .option('--name <label>', 'outcome name (repeatable, one per outcome; default: the document\'s outcome column)', repeatable)
    .option('--multiplier <m>', 'under-reporting multiplier (repeatable; default 1 = recorded offences only)', numbers('--multiplier'))
    .addOption(new Option('--cost-table <name>', 'built-in table of unit costs of crime').choices(COST_TABLE_NAMES as string[]).default('heeks2018'))
    .option('--outcome-type <type>', 'offence type in the cost table, e.g. violence-without-injury (repeatable)', repeatable)
    .option('--unit-cost <£>', '£ per offence, overriding the cost table (repeatable)', moneys('--unit-cost'))
    .option('--price-year <label>', 'price year of --unit-cost, e.g. 2019/20 (repeatable; recorded only)', repeatable)
    .option('--uprate <factor>', 'uprating factor applied to the unit cost, e.g. 1.0927 from 2015/16 prices (repeatable; default 1)', numbers('--uprate'))
    .option('--costs <£>', 'programme costs, one total', moneyArg('--costs'))
    .option('--costs-by-year <year:£,...>', 'programme costs by year, e.g. 2019:60000000,2020:61952973 (discounted)')
    .option('--discount-rate <r>', 'annual discount rate for dated flows (default 0.035, HM Treasury Green Book, when years are given)', numberArg('--discount-rate'))
    .option('--benefit-shares <year:share,...>', 'when the benefits fall, e.g. 2019:0.4,2020:0.6 (shares sum to 1; every outcome)')
    .option('--round <d>', 'decimals for counts and £ in --format table (ratios get max(2, d)); JSON is never rounded', numberArg('--round', { integer: true, min: 0, max: 10 }), 0);
  addOutputOptions(cmd);
  return cmd.action((o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    const fromCli = (k: string): boolean => command.getOptionValueSource(k) === 'cli';
    const files: FilesInput['files'] = [];
    const kinds = (['from', 'spec', 'offencesAvoided', 'effectPer100k'] as const).filter((k) => o[k] !== undefined);
    if (kinds.length !== 1) {
      throw new UsageError(
        'NO_EFFECT_SOURCE',
        kinds.length === 0
          ? 'give the effects to monetise: --from <result.json>, --offences-avoided <n> --ci lo,hi, --effect-per-100k <x> --population <n>, or --spec <spec.json>'
          : `${kinds.map(kebab).join(' and ')} cannot be combined; use one kind of source (a --spec file can mix them)`,
        { given: kinds },
      );
    }
    const kind = kinds[0]!;
    if (kind !== 'from' && fromCli('rateBase')) {
      throw new UsageError('OPTION_ONLY_WITH_FROM', `--rate-base applies to --from documents; ${kind === 'spec' ? 'put "rateBase" in the spec outcome' : '--effect-per-100k is always per 100,000'}`, { flag: '--rate-base' });
    }

    const extraWarnings: { code: string; message: string }[] = [];
    let outcomes: CbaOutcomeInput[];
    let specCosts: number | YearAmount[] | null = null;
    let specRate: number | null = null;
    if (kind === 'spec') {
      for (const k of PER_OUTCOME_FLAGS) {
        if (o[k] !== undefined) throw new UsageError('OPTION_NOT_WITH_SPEC', `${kebab(k)} sets one outcome; with --spec put it in the spec's outcome instead`, { flag: kebab(k) });
      }
      const specPath = o.spec as string;
      const spec = readJson(specPath, 'spec', files);
      const parsed = parseSpec(spec, {
        file: basename(specPath),
        level: common.level,
        costTable: o.costTable as string,
        readResult: (from) => {
          const p = resolve(dirname(specPath), from);
          return { doc: readJson(p, 'result', files), file: basename(p) };
        },
      });
      outcomes = parsed.outcomes;
      specCosts = parsed.costs;
      specRate = parsed.discountRate;
    } else {
      let effects: OffencesAvoided[];
      const n = ((o[kind] as unknown[]) ?? []).length;
      const populations = perOutcome('--population', o.population as number[] | undefined, n);
      const cis = perOutcome('--ci', o.ci as [number, number][] | undefined, n, false);
      if (kind === 'from') {
        if (o.ci !== undefined) throw new UsageError('OPTION_NOT_WITH_FROM', '--ci is read from the result document with --from; do not give it', { flag: '--ci' });
        effects = (o.from as string[]).map((path, i) => {
          const doc = readJson(path, 'result', files);
          const pop = populations[i];
          const e = offencesFromDocument(doc, { file: basename(path), rateBase: o.rateBase as number, ...(pop !== undefined ? { population: pop } : {}) });
          if (pop !== undefined && e.source.field === 'counts.offencesAvoided') {
            extraWarnings.push({ code: 'POPULATION_UNUSED', message: `${basename(path)} already gives counts.offencesAvoided, so --population ${pop} was not used` });
          }
          if (e.level !== null && fromCli('level') && e.level !== common.level) {
            throw new UsageError('LEVEL_MISMATCH', `--level ${common.level} differs from the level ${e.level} of the intervals in ${path}; cba does not recompute intervals, so drop --level or re-run the estimate at that level`, { file: path });
          }
          return e;
        });
      } else if (kind === 'offencesAvoided') {
        if (o.population !== undefined) throw new UsageError('OPTION_NOT_WITH_COUNTS', '--population converts rates; --offences-avoided is already a count', { flag: '--population' });
        effects = (o.offencesAvoided as number[]).map((x, i) => ({ offencesAvoided: x, ci: cis[i] ?? null, level: common.level, name: null, source: { kind: 'count', via: 'flags' } }));
      } else {
        effects = (o.effectPer100k as number[]).map((x, i) => {
          const pop = populations[i];
          if (pop === undefined) throw new UsageError('MISSING_POPULATION', '--effect-per-100k needs --population <n> (the treated population the rate applies to)', { flag: '--population' });
          const ci = cis[i] ?? null;
          if (ci && (x < ci[0] || x > ci[1])) {
            throw new UsageError('CI_EXCLUDES_ESTIMATE', `--ci ${ci[0]},${ci[1]} does not contain the effect ${x} per 100,000; give the effect's own interval (same sign and units)`, { effect: x, ci });
          }
          const r = offencesFromRate(x, ci, pop, 100000);
          return { ...r, level: common.level, name: null, source: { kind: 'effect-rate', via: 'flags', effect: x, effectCi: ci, population: pop, rateBase: 100000 } };
        });
      }
      const names = perOutcome('--name', o.name as string[] | undefined, n, n === 1);
      const multipliers = perOutcome('--multiplier', o.multiplier as number[] | undefined, n);
      const types = perOutcome('--outcome-type', o.outcomeType as string[] | undefined, n);
      const unitCosts = perOutcome('--unit-cost', o.unitCost as number[] | undefined, n);
      const priceYears = perOutcome('--price-year', o.priceYear as string[] | undefined, n);
      const uprates = perOutcome('--uprate', o.uprate as number[] | undefined, n);
      if (o.priceYear !== undefined && o.unitCost === undefined) throw new UsageError('OPTION_NEEDS_UNIT_COST', '--price-year describes --unit-cost; a cost table has its own price year', { flag: '--price-year' });
      outcomes = effects.map((e, i) => {
        const name = names[i] ?? e.name ?? (kind === 'from' ? basename((o.from as string[])[i]!, '.json') : null);
        if (name === null) throw new UsageError('MISSING_NAME', `outcome ${i + 1} needs a name: give --name${n > 1 ? ' once per outcome' : ''}`, { outcome: i + 1 });
        const uc = unitCosts[i];
        const type = types[i];
        let unitCost: UnitCostSpec;
        if (uc !== undefined) unitCost = { kind: 'given', value: uc, priceYear: priceYears[i] ?? null, source: 'given with --unit-cost', outcomeType: type ?? null };
        else if (type !== undefined) unitCost = { kind: 'table', table: o.costTable as string, outcomeType: type };
        else throw new UsageError('MISSING_UNIT_COST', `outcome '${name}' needs a unit cost: --outcome-type <type> (from --cost-table ${String(o.costTable)}) or --unit-cost <£>`, { outcome: name });
        return { ...e, name, multiplier: multipliers[i] ?? 1, unitCost, uprate: uprates[i] ?? 1, benefitShares: null };
      });
    }

    // Costs, timing and discounting: flags, or the spec (not both).
    if (o.costs !== undefined && o.costsByYear !== undefined) throw new UsageError('CONFLICT', 'give --costs or --costs-by-year, not both', {});
    let costs: number | YearAmount[] | null = specCosts;
    let costsVia: CbaInput['costsVia'] = 'spec';
    if (o.costs !== undefined || o.costsByYear !== undefined) {
      if (specCosts !== null) throw new UsageError('CONFLICT', 'the spec already gives "costs"; drop --costs/--costs-by-year or remove them from the spec', {});
      costs = o.costs !== undefined ? (o.costs as number) : yearPairs('--costs-by-year', '£', o.costsByYear as string).map((p) => ({ year: p.year, amount: p.value }));
      costsVia = 'flags';
    }
    if (costs === null) throw new UsageError('MISSING_COSTS', 'give the programme costs: --costs <£> or --costs-by-year 2019:£,2020:£ (or "costs" in the spec)', {});
    if (o.discountRate !== undefined && specRate !== null) throw new UsageError('CONFLICT', 'the spec already gives "discountRate"; drop --discount-rate or remove it from the spec', {});
    const discountRate = (o.discountRate as number | undefined) ?? specRate;
    if (o.benefitShares !== undefined) {
      const shares: YearShare[] = yearPairs('--benefit-shares', 'share', o.benefitShares as string).map((p) => ({ year: p.year, share: p.value }));
      for (const oc of outcomes) {
        if (oc.benefitShares !== null) throw new UsageError('CONFLICT', `the spec already times the benefits of '${oc.name}'; drop --benefit-shares`, {});
        oc.benefitShares = shares.map((s) => ({ ...s }));
      }
    }

    const analysis = costBenefit(
      { outcomes, costs, costsVia, discountRate, level: common.level },
      {
        seed: common.seed,
        level: common.level,
        source: kind === 'spec' ? 'spec' : kind === 'from' ? 'documents' : 'flags',
        costTable: o.costTable,
        rateBase: o.rateBase,
        // --format is presentation only (shared flag, output.ts); recorded as before so documents do not change
        format: (o.format as string | undefined) ?? 'json',
        round: o.round,
      },
    );
    analysis.warnings.push(...extraWarnings);
    const input: FilesInput | null = files.length > 0 ? { files } : null;
    // The table (formatCbaTable) is the summary of a cba document on a terminal or with --format table.
    emitDocument(ctx, 'cba', input, analysis, common.out);
  });
}
