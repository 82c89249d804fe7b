/**
 * Built-in tables of unit costs of crime (£ per offence), each figure with its source.
 *
 * `heeks2018`: Heeks, M., Reed, S., Tafsiri, M. & Prince, S. (2018), *The economic and social
 * costs of crime*, second edition, Home Office Research Report 99, July 2018. Unit cost per
 * offence = costs in anticipation of crime + as a consequence of crime + in response to crime,
 * in 2015/16 prices, for crimes against individuals. These are costs per *offence*, recorded or
 * not, which is why an evaluation that counts police-recorded offences scales them up with an
 * under-reporting multiplier before monetising (as the Home Office VRU evaluation did).
 *
 * Homicide is deliberately absent: the report's figure is "about £3.2 million", but the exact
 * published figure could not be verified from a source available while writing this table, and a
 * figure that size must not be typed from memory. Pass `--unit-cost` (with `--price-year`) for
 * homicide; `costTableEntry` says so when asked for it.
 */
import { UsageError } from '../../core/errors.js';

export interface UnitCostEntry {
  /** Outcome type, kebab-case (the value of `--outcome-type`). */
  outcomeType: string;
  /** Heeks et al.'s own label for the offence group. */
  label: string;
  /** £ per offence in `priceYear` prices. */
  unitCost: number;
  priceYear: string;
  /** Where the figure comes from. */
  source: string;
}

export interface CostTable {
  name: string;
  citation: string;
  priceYear: string;
  entries: readonly UnitCostEntry[];
  /** Outcome types a user may reasonably ask for that the table leaves out on purpose, with the reason. */
  omitted: Readonly<Record<string, string>>;
}

const HEEKS = 'Heeks, Reed, Tafsiri & Prince (2018), The economic and social costs of crime, 2nd ed., Home Office Research Report 99: unit cost per offence, 2015/16 prices';
const CONFIRMED = 'figure confirmed for vru-eval issue 6';
const PRESS = 'also quoted in the South Wales Echo, 2 Aug 2019, "Revealed: the cost of crime", from the same Home Office report';
const VRU = 'also implied by the Home Office VRU evaluation, year ending March 2021 (published 1 Apr 2022), whose £6,480 is this figure uprated by ≈1.0927';

function entry(outcomeType: string, label: string, unitCost: number, extra: string): UnitCostEntry {
  return { outcomeType, label, unitCost, priceYear: '2015/16', source: `${HEEKS}; ${CONFIRMED}; ${extra}` };
}

export const HEEKS_2018: CostTable = {
  name: 'heeks2018',
  citation: HEEKS,
  priceYear: '2015/16',
  entries: [
    entry('violence-with-injury', 'Violence with injury', 14050, `${PRESS}; the VRU evaluation's £15,353 is this figure uprated by ≈1.0927`),
    entry('violence-without-injury', 'Violence without injury', 5930, VRU),
    entry('rape', 'Rape', 39360, PRESS),
    entry('other-sexual-offences', 'Other sexual offences', 6520, PRESS),
    entry('robbery', 'Robbery', 11320, PRESS),
    entry('theft-of-vehicle', 'Theft of vehicle', 10290, PRESS),
    entry('theft-from-vehicle', 'Theft from vehicle', 870, PRESS),
    entry('arson', 'Arson', 8420, PRESS),
    entry('other-criminal-damage', 'Criminal damage (other than arson)', 1350, PRESS),
  ],
  omitted: {
    homicide:
      'homicide is not in the built-in heeks2018 table: Heeks et al. (2018) give about £3.2 million per homicide, but the exact figure could not be verified from a citable source when the table was written; pass it yourself with --unit-cost <£> --price-year 2015/16',
  },
};

export const COST_TABLES: Readonly<Record<string, CostTable>> = { heeks2018: HEEKS_2018 };
export const COST_TABLE_NAMES = Object.keys(COST_TABLES) as readonly string[];

/**
 * Look up one outcome type in a named table.
 * @throws UsageError UNKNOWN_COST_TABLE / UNKNOWN_OUTCOME_TYPE (listing the valid values), or
 *   UNKNOWN_OUTCOME_TYPE with the reason when the type was left out on purpose (homicide).
 */
export function costTableEntry(table: string, outcomeType: string): UnitCostEntry {
  const t = COST_TABLES[table];
  if (!t) throw new UsageError('UNKNOWN_COST_TABLE', `unknown cost table '${table}'; available: ${COST_TABLE_NAMES.join(', ')}`, { table });
  const e = t.entries.find((x) => x.outcomeType === outcomeType);
  if (e) return e;
  const why = t.omitted[outcomeType];
  const valid = t.entries.map((x) => x.outcomeType).join(', ');
  throw new UsageError(
    'UNKNOWN_OUTCOME_TYPE',
    why ? `${why} (types in ${table}: ${valid})` : `unknown outcome type '${outcomeType}' for cost table ${table}; choose one of: ${valid}, or give --unit-cost`,
    { table, outcomeType, valid: t.entries.map((x) => x.outcomeType) },
  );
}
