/** `--mark PERIOD[:LABEL]` event markers. */
import { UsageError } from '../core/errors.js';
import { labelFrequency } from '../core/periods.js';
import type { EventMark } from './specs.js';

/**
 * Parse `2020-04:lockdown` (the shell has already removed quotes around the label) into
 * { period, label }. Without a label the period is the label.
 * @throws UsageError BAD_MARK
 */
export function parseMark(value: string): EventMark {
  const k = value.indexOf(':');
  const period = (k < 0 ? value : value.slice(0, k)).trim();
  const label = (k < 0 ? '' : value.slice(k + 1)).trim().replace(/^["']|["']$/g, '');
  if (period === '' || labelFrequency(period) === null) {
    throw new UsageError('BAD_MARK', `--mark '${value}' must be PERIOD[:LABEL] with a period like 2020-04, 2020-Q2, 2020 or an integer, e.g. --mark 2020-04:lockdown`, { flag: '--mark', value });
  }
  return { period, label: label === '' ? period : label };
}
