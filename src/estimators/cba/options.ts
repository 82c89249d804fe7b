/**
 * The options of `vru-eval cba`, declared once (see src/core/optionTable.ts), with the parsers of
 * £ amounts and intervals they use.
 */
import { UsageError } from '../../core/errors.js';
import { choice, custom, defineOptions, num, numList, str, strList } from '../../core/optionTable.js';
import { COST_TABLE_NAMES } from './costTables.js';


/** A £ amount: digits with optional leading £ and comma thousands separators (£121,952,973); negatives are passed on for a clear error later. */
export function parseMoney(flag: string, value: string): number {
  let v = value.trim().replace(/^(-?)£/, '$1');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(v)) v = v.replace(/,/g, '');
  const x = Number(v);
  if (v === '' || !Number.isFinite(x)) throw new UsageError('BAD_NUMBER', `${flag} '${value}' must be an amount of £, e.g. 121952973 or £121,952,973`, { flag, value });
  return x;
}

/** "lo,hi" → [lo, hi], accumulated over repeated flags. */
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

export const CBA_OPTIONS = defineOptions({
  from: strList({ flag: '--from <result.json>', help: 'a vru-eval result document, one per outcome (repeatable); reads counts.offencesAvoided, else estimate.cumulative × --population-total / --rate-per', split: 'repeat' }),
  spec: str({ flag: '--spec <spec.json>', help: 'several outcomes and the costs in one JSON file (see docs/methods/cba.md)' }),
  offencesAvoided: numList({ flag: '--offences-avoided <n>', help: 'offences avoided, positive = fewer offences (repeatable, one per outcome)' }),
  effectPer100k: numList({ flag: '--effect-per-100k <x>', help: 'cumulative effect per 100,000 (observed − counterfactual; negative = reduction), with --population-total (repeatable)' }),
  ci: custom<[number, number][]>({
    flag: '--ci <lo,hi>',
    help: 'interval of --offences-avoided (offences) or of --effect-per-100k (per 100,000), at --level (repeatable)',
    parse: intervals('--ci'),
    schema: { type: 'array', items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } },
    toArgs: (v) => v.map((p) => [p.join(',')]),
  }),
  populationTotal: numList({ flag: '--population-total <n>', aliases: [{ flag: '--population <n>' }], help: 'population the rate applies to (for --effect-per-100k; for --from documents without counts)', min: 0, exclusiveMin: true }),
  ratePer: num({ flag: '--rate-per <n>', aliases: [{ flag: '--rate-base <n>' }], help: "people per rate unit of a --from document's outcome (100000 = per 100,000; 1000000 = per million)", min: 0, exclusiveMin: true, default: 100000 }),
  name: strList({ flag: '--name <label>', help: "outcome name (repeatable, one per outcome; default: the document's outcome column)", split: 'repeat' }),
  multiplier: numList({ flag: '--multiplier <m>', help: 'under-reporting multiplier (repeatable; default 1 = recorded offences only)' }),
  costTable: choice(COST_TABLE_NAMES as readonly string[], { flag: '--cost-table <name>', help: 'built-in table of unit costs of crime', default: 'heeks2018' }),
  outcomeType: strList({ flag: '--outcome-type <type>', help: 'offence type in the cost table, e.g. violence-without-injury (repeatable)', split: 'repeat' }),
  unitCost: numList({ flag: '--unit-cost <£>', help: '£ per offence, overriding the cost table (repeatable)', one: (v) => parseMoney('--unit-cost', v) }),
  priceYear: strList({ flag: '--price-year <label>', help: 'price year of --unit-cost, e.g. 2019/20 (repeatable; recorded only)', split: 'repeat' }),
  uprate: numList({ flag: '--uprate <factor>', help: 'uprating factor applied to the unit cost, e.g. 1.0927 from 2015/16 prices (repeatable; default 1)' }),
  costs: custom<number>({ flag: '--costs <£>', help: 'programme costs, one total', parse: (v) => parseMoney('--costs', v), schema: { type: 'number' }, toArgs: (v) => [[String(v)]] }),
  costsByYear: str({ flag: '--costs-by-year <year:£,...>', help: 'programme costs by year, e.g. 2019:60000000,2020:61952973 (discounted)' }),
  discountRate: num({ flag: '--discount-rate <r>', help: 'annual discount rate for dated flows (default 0.035, HM Treasury Green Book, when years are given)' }),
  benefitShares: str({ flag: '--benefit-shares <year:share,...>', help: 'when the benefits fall, e.g. 2019:0.4,2020:0.6 (shares sum to 1; every outcome)' }),
  round: num({ flag: '--round <d>', help: 'decimals for counts and £ in --format table (ratios get max(2, d)); JSON is never rounded', integer: true, min: 0, max: 10, default: 0, plan: false }),
});

