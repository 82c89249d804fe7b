/** Cost-benefit analysis (`vru-eval cba`): offences avoided → costs avoided → benefit-cost ratio. */
export { costBenefit, type CbaInput, type CbaOutcomeInput, type CbaOutcome, type CbaPoint, type CbaTotals, type CbaBcr, type UnitCostSpec } from './costBenefit.js';
export { COST_TABLES, COST_TABLE_NAMES, HEEKS_2018, costTableEntry, type CostTable, type UnitCostEntry } from './costTables.js';
export { GREEN_BOOK_RATE, discountFactor, presentValue, shareFactor, type YearAmount, type YearShare } from './discount.js';
export { offencesFromDocument, offencesFromRate, type EffectSource, type OffencesAvoided, type DocumentReadOptions } from './effects.js';
export { parseSpec, type ParsedSpec, type SpecContext } from './spec.js';
export { formatCbaTable, formatMoney, formatNumber } from './format.js';
