/**
 * Human-readable table of a cba analysis. Rounding happens here only: the JSON document keeps
 * full precision. Counts and £ are shown to `decimals` places (default 0), ratios to
 * max(2, decimals) places, with thousands separators. Deterministic (no locale lookup).
 */
import type { CbaBcr, CbaOutcome, CbaTotals } from './types.js';

/** Fixed-point with comma thousands separators; "−" for negatives; "—" for null. */
export function formatNumber(x: number | null, decimals: number): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const s = Math.abs(x).toFixed(decimals);
  const [int, frac] = s.split('.') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const neg = x < 0 && Number(s) !== 0;
  return `${neg ? '−' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

export function formatMoney(x: number | null, decimals: number): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const body = formatNumber(Math.abs(x), decimals);
  return `${x < 0 && Number(Math.abs(x).toFixed(decimals)) !== 0 ? '−' : ''}£${body}`;
}

export interface CbaTableInput {
  outcomes: CbaOutcome[];
  totals: CbaTotals;
  bcr: CbaBcr;
  warnings: { code: string; message: string }[];
}

/** Render the analysis as an aligned plain-text table (ends with a newline). */
export function formatCbaTable(a: CbaTableInput, decimals = 0): string {
  const d = decimals;
  const rd = Math.max(2, d);
  const rows: [string, string, string, string][] = [];
  const blank = (label: string): void => void rows.push([label, '', '', '']);
  const pv = a.totals.discounting.applied;
  for (const o of a.outcomes) {
    blank(o.name);
    rows.push(['  offences avoided', formatNumber(o.offencesAvoided, d), formatNumber(o.low?.offencesAvoided ?? null, d), formatNumber(o.high?.offencesAvoided ?? null, d)]);
    rows.push([`  × multiplier ${o.multiplier}`, formatNumber(o.adjustedOffencesAvoided, d), formatNumber(o.low?.adjustedOffencesAvoided ?? null, d), formatNumber(o.high?.adjustedOffencesAvoided ?? null, d)]);
    rows.push([`  × unit cost ${formatMoney(o.unitCost.value, d)}`, formatMoney(o.benefit, d), formatMoney(o.low?.benefit ?? null, d), formatMoney(o.high?.benefit ?? null, d)]);
    if (pv) rows.push([`  present value (× ${o.discountFactor.toFixed(4)})`, formatMoney(o.presentValue, d), formatMoney(o.low?.presentValue ?? null, d), formatMoney(o.high?.presentValue ?? null, d)]);
  }
  const t = a.totals;
  rows.push([pv ? 'benefits (present value)' : 'benefits', formatMoney(t.benefits, d), formatMoney(t.benefitsLow, d), formatMoney(t.benefitsHigh, d)]);
  rows.push([pv ? `programme costs (present value, ${(t.discounting.rate! * 100).toFixed(1)}% from ${t.discounting.baseYear})` : 'programme costs', formatMoney(t.costs, d), '', '']);
  rows.push(['net benefit', formatMoney(t.netBenefit, d), formatMoney(t.netBenefitLow, d), formatMoney(t.netBenefitHigh, d)]);
  rows.push(['benefit-cost ratio', formatNumber(a.bcr.estimate, rd), formatNumber(a.bcr.low, rd), formatNumber(a.bcr.high, rd)]);

  const header: [string, string, string, string] = ['', 'estimate', 'low (fewer avoided)', 'high (more avoided)'];
  const all = [header, ...rows];
  const w = [0, 1, 2, 3].map((k) => Math.max(...all.map((r) => [...r[k]!].length)));
  const pad = (s: string, n: number, right: boolean): string => {
    const len = [...s].length;
    return right ? ' '.repeat(n - len) + s : s + ' '.repeat(n - len);
  };
  const lines = all.map((r) => [pad(r[0], w[0]!, false), pad(r[1], w[1]!, true), pad(r[2], w[2]!, true), pad(r[3], w[3]!, true)].join('   ').trimEnd());
  lines.push('');
  lines.push('low / high: every outcome at the end of its interval with fewer / more offences avoided (a range, not a CI of the ratio).');
  for (const wng of a.warnings) lines.push(`warning ${wng.code}: ${wng.message}`);
  return lines.join('\n') + '\n';
}
