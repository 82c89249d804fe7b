/**
 * `vru-eval cba`: offences avoided → costs avoided → benefit-cost ratio, from vru-eval result
 * documents (--from), from numbers on the command line, or from a spec file (--spec).
 * Reads no panel. Options are declared in src/estimators/cba/options.ts; the arithmetic is in
 * src/estimators/cba.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { readOptions } from '../../core/optionTable.js';
import { CBA_OPTIONS, parseMoney } from '../../estimators/cba/options.js';
import { InputError, UsageError } from '../../core/errors.js';
import type { FilesInput } from '../../core/result.js';
import { costBenefit, type CbaInput, type CbaOutcomeInput, type UnitCostSpec } from '../../estimators/cba/costBenefit.js';
import type { YearAmount, YearShare } from '../../estimators/cba/discount.js';
import { offencesFromDocument, offencesFromRate, type OffencesAvoided } from '../../estimators/cba/effects.js';
import { parseSpec, parseYear } from '../../estimators/cba/spec.js';
import type { CliContext } from '../context.js';
import { emitDocument } from '../context.js';
import { addOptions, givenOptions } from '../optionFlags.js';
import { addOutputOptions, commonFrom } from '../options.js';

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

const PER_OUTCOME_FLAGS = ['name', 'multiplier', 'outcomeType', 'unitCost', 'priceYear', 'uprate', 'ci', 'populationTotal'] as const;
const kebab = (k: string): string => '--' + k.replace(/[A-Z0-9]+/g, (c) => '-' + c.toLowerCase());

export function cbaCommand(ctx: CliContext): Command {
  const cmd = new Command('cba')
    .description('cost-benefit: offences avoided × under-reporting multiplier × unit cost of crime (Heeks et al. 2018 table or given), against programme costs (optionally discounted); benefit-cost ratio with its range over the effects\' confidence intervals');
  addOptions(cmd, CBA_OPTIONS);
  addOutputOptions(cmd);
  return cmd.action((o: Record<string, unknown>, command: Command) => {
    const common = commonFrom(o);
    const v = readOptions(CBA_OPTIONS, o);
    const given = givenOptions(command);
    const fromCli = (k: string): boolean => given.has(k);
    const files: FilesInput['files'] = [];
    const kinds = (['from', 'spec', 'offencesAvoided', 'effectPer100k'] as const).filter((k) => v[k] !== undefined);
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
    if (kind !== 'from' && fromCli('ratePer')) {
      throw new UsageError('OPTION_ONLY_WITH_FROM', `--rate-per applies to --from documents; ${kind === 'spec' ? 'put "rateBase" in the spec outcome' : '--effect-per-100k is always per 100,000'}`, { flag: '--rate-per' });
    }

    const extraWarnings: { code: string; message: string }[] = [];
    let outcomes: CbaOutcomeInput[];
    let specCosts: number | YearAmount[] | null = null;
    let specRate: number | null = null;
    if (kind === 'spec') {
      for (const k of PER_OUTCOME_FLAGS) {
        if (v[k] !== undefined) throw new UsageError('OPTION_NOT_WITH_SPEC', `${kebab(k)} sets one outcome; with --spec put it in the spec's outcome instead`, { flag: kebab(k) });
      }
      const specPath = v.spec!;
      const spec = readJson(specPath, 'spec', files);
      const parsed = parseSpec(spec, {
        file: basename(specPath),
        level: common.level,
        costTable: v.costTable,
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
      const n = (v[kind] ?? []).length;
      const populations = perOutcome('--population-total', v.populationTotal, n);
      const cis = perOutcome('--ci', v.ci, n, false);
      if (kind === 'from') {
        if (v.ci !== undefined) throw new UsageError('OPTION_NOT_WITH_FROM', '--ci is read from the result document with --from; do not give it', { flag: '--ci' });
        effects = v.from!.map((path, i) => {
          const doc = readJson(path, 'result', files);
          const pop = populations[i];
          const e = offencesFromDocument(doc, { file: basename(path), rateBase: v.ratePer, ...(pop !== undefined ? { population: pop } : {}) });
          if (pop !== undefined && e.source.field === 'counts.offencesAvoided') {
            extraWarnings.push({ code: 'POPULATION_UNUSED', message: `${basename(path)} already gives counts.offencesAvoided, so --population ${pop} was not used` });
          }
          if (e.level !== null && fromCli('level') && e.level !== common.level) {
            throw new UsageError('LEVEL_MISMATCH', `--level ${common.level} differs from the level ${e.level} of the intervals in ${path}; cba does not recompute intervals, so drop --level or re-run the estimate at that level`, { file: path });
          }
          return e;
        });
      } else if (kind === 'offencesAvoided') {
        if (v.populationTotal !== undefined) throw new UsageError('OPTION_NOT_WITH_COUNTS', '--population-total converts rates; --offences-avoided is already a count', { flag: '--population-total' });
        effects = v.offencesAvoided!.map((x, i) => ({ offencesAvoided: x, ci: cis[i] ?? null, level: common.level, name: null, source: { kind: 'count', via: 'flags' } }));
      } else {
        effects = v.effectPer100k!.map((x, i) => {
          const pop = populations[i];
          if (pop === undefined) throw new UsageError('MISSING_POPULATION', '--effect-per-100k needs --population-total <n> (the treated population the rate applies to)', { flag: '--population-total' });
          const ci = cis[i] ?? null;
          if (ci && (x < ci[0] || x > ci[1])) {
            throw new UsageError('CI_EXCLUDES_ESTIMATE', `--ci ${ci[0]},${ci[1]} does not contain the effect ${x} per 100,000; give the effect's own interval (same sign and units)`, { effect: x, ci });
          }
          const r = offencesFromRate(x, ci, pop, 100000);
          return { ...r, level: common.level, name: null, source: { kind: 'effect-rate', via: 'flags', effect: x, effectCi: ci, population: pop, rateBase: 100000 } };
        });
      }
      const names = perOutcome('--name', v.name, n, n === 1);
      const multipliers = perOutcome('--multiplier', v.multiplier, n);
      const types = perOutcome('--outcome-type', v.outcomeType, n);
      const unitCosts = perOutcome('--unit-cost', v.unitCost, n);
      const priceYears = perOutcome('--price-year', v.priceYear, n);
      const uprates = perOutcome('--uprate', v.uprate, n);
      if (v.priceYear !== undefined && v.unitCost === undefined) throw new UsageError('OPTION_NEEDS_UNIT_COST', '--price-year describes --unit-cost; a cost table has its own price year', { flag: '--price-year' });
      outcomes = effects.map((e, i) => {
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
    }

    // Costs, timing and discounting: flags, or the spec (not both).
    if (v.costs !== undefined && v.costsByYear !== undefined) throw new UsageError('CONFLICT', 'give --costs or --costs-by-year, not both', {});
    let costs: number | YearAmount[] | null = specCosts;
    let costsVia: CbaInput['costsVia'] = 'spec';
    if (v.costs !== undefined || v.costsByYear !== undefined) {
      if (specCosts !== null) throw new UsageError('CONFLICT', 'the spec already gives "costs"; drop --costs/--costs-by-year or remove them from the spec', {});
      costs = v.costs !== undefined ? v.costs : yearPairs('--costs-by-year', '£', v.costsByYear!).map((p) => ({ year: p.year, amount: p.value }));
      costsVia = 'flags';
    }
    if (costs === null) throw new UsageError('MISSING_COSTS', 'give the programme costs: --costs <£> or --costs-by-year 2019:£,2020:£ (or "costs" in the spec)', {});
    if (v.discountRate !== undefined && specRate !== null) throw new UsageError('CONFLICT', 'the spec already gives "discountRate"; drop --discount-rate or remove it from the spec', {});
    const discountRate = v.discountRate ?? specRate;
    if (v.benefitShares !== undefined) {
      const shares: YearShare[] = yearPairs('--benefit-shares', 'share', v.benefitShares).map((p) => ({ year: p.year, share: p.value }));
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
        costTable: v.costTable,
        rateBase: v.ratePer,
        // --format is presentation only (shared flag, output.ts); recorded as before so documents do not change
        format: (o.format as string | undefined) ?? 'json',
        round: v.round,
      },
    );
    analysis.warnings.push(...extraWarnings);
    const input: FilesInput | null = files.length > 0 ? { files } : null;
    // The table (formatCbaTable) is the summary of a cba document on a terminal or with --format table.
    emitDocument(ctx, 'cba', input, analysis, common.out);
  });
}
