/**
 * Cost-benefit of a crime-reduction programme, as in the Home Office VRU evaluation (year ending
 * March 2021) following Heeks et al. (2018):
 *
 *   adjusted offences avoided  A_k = m_k · N_k                (N_k recorded offences avoided, m_k under-reporting multiplier)
 *   unit cost                  c_k = c⁰_k · u_k               (c⁰_k in its price year, u_k uprating factor)
 *   benefit                    B_k = A_k · c_k
 *   benefits, costs            B = Σ_k B_k · δ_k,  C = Σ_y C_y / (1 + r)^(y − y₀)   (δ_k = discounted share factor, 1 without years)
 *   net benefit                B − C;   benefit-cost ratio  B / C
 *
 * and the same at the two ends of every outcome's interval of offences avoided: `low` evaluates
 * every outcome at the end with FEWER offences avoided, `high` at the end with MORE, so
 * bcr.low ≤ bcr.estimate ≤ bcr.high. Adding bounds across outcomes is what the report did; it is a
 * range, not a confidence interval of the ratio (it treats the outcomes' errors as moving together).
 *
 * Everything is kept at full precision; rounding is for display only (see format.ts).
 */
import { ksum } from '../../core/linalg.js';
import type { Analysis, Diagnostic, Warning } from '../../core/result.js';
import { costTableEntry } from './costTables.js';
import { GREEN_BOOK_RATE, presentValue, shareFactor, type YearAmount, type YearShare } from './discount.js';
import { failFor, type EffectSource, type OffencesAvoided } from './effects.js';
import { formatMoney } from './format.js';

/** How an outcome's unit cost is set: from a built-in table, or given (overriding any table). */
export type UnitCostSpec =
  | { kind: 'table'; table: string; outcomeType: string }
  | { kind: 'given'; value: number; priceYear: string | null; source: string | null; outcomeType: string | null };

export interface CbaOutcomeInput extends OffencesAvoided {
  name: string;
  /** Under-reporting multiplier m_k (> 0; 1 = count only recorded offences). */
  multiplier: number;
  unitCost: UnitCostSpec;
  /** Uprating factor u_k from the unit cost's price year to the appraisal's (> 0; 1 = none). */
  uprate: number;
  /** When the benefit falls, for discounting (shares sum to 1); null = all in the base year. */
  benefitShares: YearShare[] | null;
}

export interface CbaInput {
  outcomes: CbaOutcomeInput[];
  /** Programme costs: one total (£), or amounts by year. */
  costs: number | YearAmount[];
  /** Where the costs were given (for the exit code of a bad value). */
  costsVia: 'flags' | 'spec';
  /** Discount rate r; null → HM Treasury Green Book 3.5% when any year is given. */
  discountRate: number | null;
  /** Level of intervals given without a document. */
  level: number;
}

export type { CbaPoint, CbaOutcome, CbaTotals, CbaBcr } from './types.js';
import type { CbaOutcome, CbaTotals, CbaBcr, CbaPoint } from './types.js';

function isInt(x: number): boolean {
  return Number.isInteger(x);
}

function validateOutcome(o: CbaOutcomeInput): void {
  const fail = failFor(o.source.via);
  const where = `outcome '${o.name}'`;
  if (!Number.isFinite(o.offencesAvoided)) fail('BAD_EFFECT', `${where}: offences avoided must be a finite number, got ${o.offencesAvoided}`, { outcome: o.name });
  if (o.ci) {
    const [lo, hi] = o.ci;
    if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo > hi) fail('BAD_CI', `${where}: interval [${lo}, ${hi}] must be two finite numbers, lower first`, { outcome: o.name, ci: o.ci });
    if (o.offencesAvoided < lo || o.offencesAvoided > hi) {
      fail('CI_EXCLUDES_ESTIMATE', `${where}: the interval [${lo}, ${hi}] of offences avoided does not contain the estimate ${o.offencesAvoided}; check the sign (an effect's CI must be given in the same units and sign as the effect)`, {
        outcome: o.name,
        estimate: o.offencesAvoided,
        ci: o.ci,
      });
    }
  }
  if (!(Number.isFinite(o.multiplier) && o.multiplier > 0)) fail('BAD_MULTIPLIER', `${where}: multiplier ${o.multiplier} must be a positive number (1 = recorded offences only)`, { outcome: o.name });
  if (!(Number.isFinite(o.uprate) && o.uprate > 0)) fail('BAD_UPRATE', `${where}: uprating factor ${o.uprate} must be a positive number (1 = no uprating)`, { outcome: o.name });
  if (o.unitCost.kind === 'given' && !(Number.isFinite(o.unitCost.value) && o.unitCost.value > 0)) {
    fail('BAD_UNIT_COST', `${where}: unit cost ${o.unitCost.value} must be a positive amount of £ per offence`, { outcome: o.name });
  }
  if (o.benefitShares) {
    if (o.benefitShares.length === 0) fail('BAD_SHARES', `${where}: benefit shares are empty`, { outcome: o.name });
    for (const s of o.benefitShares) {
      if (!isInt(s.year) || !(Number.isFinite(s.share) && s.share >= 0)) fail('BAD_SHARES', `${where}: benefit share ${s.year}:${s.share} needs an integer year and a share ≥ 0`, { outcome: o.name });
    }
    const total = ksum(o.benefitShares.map((s) => s.share));
    if (Math.abs(total - 1) > 1e-9) fail('BAD_SHARES', `${where}: benefit shares sum to ${total}, not 1`, { outcome: o.name });
    if (new Set(o.benefitShares.map((s) => s.year)).size !== o.benefitShares.length) fail('BAD_SHARES', `${where}: a year appears twice in the benefit shares`, { outcome: o.name });
  }
}

function validateCosts(input: CbaInput): void {
  const fail = failFor(input.costsVia);
  const flows = typeof input.costs === 'number' ? [{ year: 0, amount: input.costs }] : input.costs;
  if (flows.length === 0) fail('BAD_COSTS', 'programme costs are empty; give --costs <£> or --costs-by-year', {});
  for (const f of flows) {
    if (!Number.isFinite(f.amount)) fail('BAD_COSTS', `programme cost ${f.amount} must be a finite amount of £`, { year: f.year });
    if (f.amount < 0) fail('NEGATIVE_COSTS', `programme cost ${f.amount}${typeof input.costs === 'number' ? '' : ` in year ${f.year}`} is negative; costs are amounts spent (≥ 0), savings belong in the benefits`, { year: f.year, amount: f.amount });
    if (!isInt(f.year)) fail('BAD_COSTS', `cost year ${f.year} must be an integer (e.g. 2019 for 2019/20, or 0, 1, 2 …)`, { year: f.year });
  }
  if (new Set(flows.map((f) => f.year)).size !== flows.length) fail('BAD_COSTS', 'a year appears twice in the programme costs', {});
  if (!(ksum(flows.map((f) => f.amount)) > 0)) fail('ZERO_COSTS', 'programme costs total £0, so the benefit-cost ratio is undefined; give the programme costs', {});
  if (input.discountRate !== null && !(Number.isFinite(input.discountRate) && input.discountRate >= 0 && input.discountRate < 1)) {
    fail('BAD_DISCOUNT_RATE', `discount rate ${input.discountRate} must be in [0, 1), e.g. 0.035`, {});
  }
}

function resolveUnitCost(o: CbaOutcomeInput): CbaOutcome['unitCost'] {
  const u = o.unitCost;
  if (u.kind === 'table') {
    const e = costTableEntry(u.table, u.outcomeType);
    return { value: e.unitCost * o.uprate, base: e.unitCost, priceYear: e.priceYear, uprate: o.uprate, table: u.table, outcomeType: u.outcomeType, source: e.source };
  }
  return { value: u.value * o.uprate, base: u.value, priceYear: u.priceYear, uprate: o.uprate, table: null, outcomeType: u.outcomeType, source: u.source };
}

function point(n: number, multiplier: number, unitCost: number, factor: number): CbaPoint {
  const adjusted = n * multiplier;
  const benefit = adjusted * unitCost;
  return { offencesAvoided: n, adjustedOffencesAvoided: adjusted, benefit, presentValue: benefit * factor };
}

function money(x: number): string {
  return formatMoney(x, 0);
}

/**
 * Monetise offences avoided and compare with programme costs.
 * Stages: validate → discounting (dated flows, base year, rate) → each outcome's benefit at its
 * estimate and interval ends (offences × multiplier × unit cost × discount factor) → totals and the
 * benefit-cost ratio with its range → the analysis.
 * @param input outcomes (offences avoided with interval, multiplier, unit cost, uprating, timing), costs, discount rate
 * @param options resolved options to record in the document (the CLI adds its flags; `seed` is required by the schema)
 * @returns an Analysis with `outcomes`, `totals` and `bcr` (estimate, path and units do not apply)
 * @throws UsageError (values from flags) or InputError (values from files): CI_EXCLUDES_ESTIMATE, NEGATIVE_COSTS,
 *   ZERO_COSTS, BAD_MULTIPLIER, BAD_UNIT_COST, BAD_UPRATE, BAD_SHARES, BAD_DISCOUNT_RATE; UNKNOWN_OUTCOME_TYPE.
 */
export function costBenefit(input: CbaInput, options: Record<string, unknown> & { seed: number }): Analysis {
  validateInput(input);
  const warnings: Warning[] = [];
  const d = discounting(input, warnings);
  const outcomes = input.outcomes.map((o) => monetise(o, d, warnings));
  const { totals, bcr } = totalsAndRatio(outcomes, d, warnings);
  const diagnostics: Diagnostic[] = [
    {
      code: 'BCR_RANGE',
      passed: null,
      value: bcr.low === null ? null : `${bcr.low} – ${bcr.high}`,
      message:
        'bcr.low puts every outcome at the end of its interval with fewer offences avoided, bcr.high at the end with more; adding interval ends across outcomes (as the Home Office report did) gives a range, not a confidence interval of the ratio',
    },
  ];
  return {
    method: 'cba',
    options: { ...options, discountRate: d.rate, baseYear: d.baseYear },
    estimate: null,
    path: [],
    units: [],
    diagnostics,
    warnings,
    outcomes,
    totals,
    bcr,
  };
}

/** Outcomes present and valid, costs valid, names distinct. */
function validateInput(input: CbaInput): void {
  if (input.outcomes.length === 0) throw failFor(input.costsVia === 'flags' ? 'flags' : 'spec')('NO_OUTCOMES', 'no outcomes to monetise: give --from, --offences-avoided, --effect-per-100k or a spec with outcomes', {});
  for (const o of input.outcomes) validateOutcome(o);
  validateCosts(input);
  const names = input.outcomes.map((o) => o.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) failFor(input.outcomes[0]!.source.via === 'flags' ? 'flags' : 'spec')('DUPLICATE_OUTCOME', `two outcomes are named '${dup}'; give each a distinct --name`, { name: dup });
}

/** How flows are discounted: applied when any flow is dated, from the earliest year, at the given rate or the Green Book's. */
interface Discounting {
  costFlows: YearAmount[] | null;
  dated: boolean;
  baseYear: number | null;
  rate: number | null;
  /** Programme costs undiscounted and at present value. */
  costsUndiscounted: number;
  costs: number;
}

/** Discounting applies when any flow is dated; warns when only one side is dated or a rate is given for undated flows. */
function discounting(input: CbaInput, warnings: Warning[]): Discounting {
  const costFlows: YearAmount[] | null = typeof input.costs === 'number' ? null : [...input.costs].sort((a, b) => a.year - b.year);
  const anyShares = input.outcomes.some((o) => o.benefitShares !== null);
  const dated = costFlows !== null || anyShares;
  const years = [...(costFlows ?? []).map((f) => f.year), ...input.outcomes.flatMap((o) => (o.benefitShares ?? []).map((s) => s.year))];
  const baseYear = dated ? Math.min(...years) : null;
  const rate = dated ? (input.discountRate ?? GREEN_BOOK_RATE) : null;
  if (!dated && input.discountRate !== null) {
    warnings.push({ code: 'DISCOUNT_UNUSED', message: `discount rate ${input.discountRate} was given but no flow has a year (use --costs-by-year and --benefit-shares), so nothing was discounted` });
  }
  if (costFlows !== null && rate !== null && rate > 0 && input.outcomes.some((o) => o.benefitShares === null)) {
    const which = input.outcomes.filter((o) => o.benefitShares === null).map((o) => o.name);
    warnings.push({
      code: 'BENEFITS_UNDISCOUNTED',
      message: `costs are discounted by year but the benefits of ${which.join(', ')} have no timing, so they are counted in the base year ${baseYear} undiscounted, which overstates the ratio; give --benefit-shares`,
    });
  }
  if (costFlows === null && anyShares) {
    warnings.push({ code: 'COSTS_UNDATED', message: `benefits are discounted but the programme costs have no years, so they are counted in the base year ${baseYear} undiscounted; give --costs-by-year` });
  }
  const costsUndiscounted = costFlows ? ksum(costFlows.map((f) => f.amount)) : (input.costs as number);
  const costs = costFlows && rate !== null && baseYear !== null ? presentValue(costFlows, rate, baseYear) : costsUndiscounted;
  return { costFlows, dated, baseYear, rate, costsUndiscounted, costs };
}

/** One outcome's benefit at its estimate and interval ends; warns when its interval includes zero or it is an increase. */
function monetise(o: CbaOutcomeInput, d: Discounting, warnings: Warning[]): CbaOutcome {
  const { rate, baseYear } = d;
  const unitCost = resolveUnitCost(o);
  const factor = o.benefitShares && rate !== null && baseYear !== null ? shareFactor(o.benefitShares, rate, baseYear) : 1;
  const est = point(o.offencesAvoided, o.multiplier, unitCost.value, factor);
  const significant = o.ci ? o.ci[0] > 0 || o.ci[1] < 0 : null;
  if (significant === false) {
    warnings.push({
      code: 'NOT_SIGNIFICANT',
      message: `outcome '${o.name}': the ${o.level !== null ? `${o.level * 100}% ` : ''}interval of offences avoided [${o.ci![0]}, ${o.ci![1]}] includes zero, yet its benefit (${money(est.presentValue)}) is counted in the totals; report the ratio with and without it`,
    });
  }
  if (o.offencesAvoided < 0) {
    warnings.push({ code: 'NEGATIVE_BENEFIT', message: `outcome '${o.name}': the estimate is an increase in offences (${-o.offencesAvoided} more), so its benefit is negative` });
  }
  return {
    name: o.name,
    source: o.source,
    ...est,
    ci: o.ci,
    level: o.level,
    significant,
    multiplier: o.multiplier,
    unitCost,
    discountFactor: factor,
    benefitShares: o.benefitShares,
    low: o.ci ? point(o.ci[0], o.multiplier, unitCost.value, factor) : null,
    high: o.ci ? point(o.ci[1], o.multiplier, unitCost.value, factor) : null,
  };
}

/** Benefits (compensated sums), net benefit and the ratio at the estimate and at the interval ends (a range, not an interval). */
function totalsAndRatio(outcomes: CbaOutcome[], d: Discounting, warnings: Warning[]): { totals: CbaTotals; bcr: CbaBcr } {
  const { costs } = d;
  const levels = [...new Set(outcomes.map((o) => o.level).filter((l): l is number => l !== null))];
  if (levels.length > 1) warnings.push({ code: 'LEVEL_MISMATCH', message: `the outcomes' intervals have different levels (${levels.join(', ')}), so bcr.low and bcr.high mix them` });
  const noCi = outcomes.filter((o) => o.ci === null).map((o) => o.name);
  if (noCi.length > 0) warnings.push({ code: 'NO_CI', message: `no interval for ${noCi.join(', ')}, so benefits and ratios at the interval ends are null` });
  const benefits = ksum(outcomes.map((o) => o.presentValue));
  const allCi = noCi.length === 0;
  const benefitsLow = allCi ? ksum(outcomes.map((o) => o.low!.presentValue)) : null;
  const benefitsHigh = allCi ? ksum(outcomes.map((o) => o.high!.presentValue)) : null;
  if (benefits < 0) warnings.push({ code: 'NEGATIVE_BENEFIT', message: `total benefits are negative (${money(benefits)}): the outcomes increased on balance` });
  const totals: CbaTotals = {
    benefits,
    benefitsLow,
    benefitsHigh,
    costs,
    costsUndiscounted: d.costsUndiscounted,
    costsByYear: d.costFlows,
    netBenefit: benefits - costs,
    netBenefitLow: benefitsLow === null ? null : benefitsLow - costs,
    netBenefitHigh: benefitsHigh === null ? null : benefitsHigh - costs,
    discounting: { applied: d.dated, rate: d.rate, baseYear: d.baseYear },
  };
  const bcr: CbaBcr = {
    estimate: benefits / costs,
    low: benefitsLow === null ? null : benefitsLow / costs,
    high: benefitsHigh === null ? null : benefitsHigh / costs,
  };
  return { totals, bcr };
}
