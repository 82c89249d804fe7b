/**
 * Result types of the cost-benefit analysis, apart from costBenefit.ts so that format.ts (which
 * prints them) and costBenefit.ts (which formats money) do not import each other.
 */
import type { YearAmount, YearShare } from './discount.js';
import type { EffectSource } from './effects.js';

/** One outcome evaluated at one end of its interval (or at the estimate). */
export interface CbaPoint {
  offencesAvoided: number;
  adjustedOffencesAvoided: number;
  /** A_k · c_k, undiscounted (£). */
  benefit: number;
  /** benefit · δ_k: the present value counted in the totals (equals `benefit` without discounting). */
  presentValue: number;
}

export interface CbaOutcome extends CbaPoint {
  name: string;
  source: EffectSource;
  ci: [number, number] | null;
  level: number | null;
  /** Whether the interval of offences avoided excludes zero (null without an interval). */
  significant: boolean | null;
  multiplier: number;
  unitCost: {
    /** c_k = base · uprate, the £ per offence used. */
    value: number;
    base: number;
    priceYear: string | null;
    uprate: number;
    table: string | null;
    outcomeType: string | null;
    source: string | null;
  };
  /** δ_k: present value of £1 of this outcome's benefit (1 without discounting). */
  discountFactor: number;
  benefitShares: YearShare[] | null;
  /** At the end of the interval with fewer offences avoided (null without an interval). */
  low: CbaPoint | null;
  /** At the end of the interval with more offences avoided. */
  high: CbaPoint | null;
}

export interface CbaTotals {
  /** Σ present values of benefits (£). */
  benefits: number;
  benefitsLow: number | null;
  benefitsHigh: number | null;
  /** Present value of programme costs (£). */
  costs: number;
  costsUndiscounted: number;
  costsByYear: YearAmount[] | null;
  netBenefit: number;
  netBenefitLow: number | null;
  netBenefitHigh: number | null;
  discounting: { applied: boolean; rate: number | null; baseYear: number | null };
}

export interface CbaBcr {
  estimate: number;
  /** Ratio with every outcome at the end of its interval with fewer offences avoided. */
  low: number | null;
  /** Ratio with every outcome at the end of its interval with more offences avoided. */
  high: number | null;
}
