/**
 * Discounting to present value (HM Treasury Green Book: PV = Σ_t x_t / (1 + r)^t, t years after
 * the base year; the standard social time preference rate is r = 3.5% for the first 30 years).
 */
import { ksum } from '../../core/linalg.js';

/** HM Treasury Green Book (2022) standard discount rate for years 0–30. */
export const GREEN_BOOK_RATE = 0.035;

/** An amount falling in a year (calendar or financial year start, e.g. 2019 for 2019/20, or 0, 1, 2 …). */
export interface YearAmount {
  year: number;
  amount: number;
}

/** A share of an outcome's benefit falling in a year; shares sum to 1. */
export interface YearShare {
  year: number;
  share: number;
}

/** Discount factor 1 / (1 + r)^(year − baseYear). */
export function discountFactor(rate: number, year: number, baseYear: number): number {
  return 1 / Math.pow(1 + rate, year - baseYear);
}

/** Present value of dated amounts at `rate`, discounted to `baseYear` (Kahan-summed). */
export function presentValue(flows: readonly YearAmount[], rate: number, baseYear: number): number {
  return ksum(flows.map((f) => f.amount * discountFactor(rate, f.year, baseYear)));
}

/** Σ_y share_y / (1 + r)^(y − base): what one pound of benefit spread by `shares` is worth today. */
export function shareFactor(shares: readonly YearShare[], rate: number, baseYear: number): number {
  return ksum(shares.map((s) => s.share * discountFactor(rate, s.year, baseYear)));
}
