/**
 * Predictor specifications for classic synthetic control (the rows of X₁, X₀ in
 * Abadie, Diamond & Hainmueller 2010): a variable (the outcome or a covariate)
 * averaged over chosen periods.
 *
 * Syntax of one predictor (a list is comma-separated):
 *   var@P              value at period P (e.g. cigsale@1988)
 *   var@A:B            mean over periods A…B inclusive (e.g. lnincome@1980:1988)
 *   var@A:B:k          mean over every k-th period from A to B (e.g. sec.industry@1961:1969:2)
 *   a+b@A:B            sum of the window means of a and b
 *   share(a|b|c+d)@A:B one predictor per member: 100 × member mean / Σ member means
 *                      (the Synth Basque example's schooling shares)
 * Means are over the cells observed in the window (missing cells skipped); a unit
 * with no observed cell for a predictor is an error naming unit and predictor.
 */
import { InputError, UsageError } from '../../core/errors.js';
import { periodIndexOf, type Panel } from '../../core/panel.js';

/** One variable term: a sum of columns averaged over a set of period indices. */
interface Term {
  variables: string[];
}

export interface PredictorSpec {
  /** Label used in the balance table, e.g. 'lnincome@1980:1988'. */
  label: string;
  /** The source text this predictor came from. */
  source: string;
  /** Period indices averaged over. */
  periods: number[];
  /** Variables summed (each averaged over `periods` first). */
  term: Term;
  /** When part of a share group: the group's members (each a Term) and this one's position. */
  share: { members: Term[]; position: number } | null;
}

/** Split a predictor list on commas that are not inside parentheses. */
export function splitPredictorList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

function parseWindow(panel: Panel, text: string, source: string): number[] {
  const flag = `--predictors '${source}'`;
  const parts = text.split(':').map((s) => s.trim());
  if (parts.length === 1) return [periodIndexOf(panel, parts[0]!, flag)];
  if (parts.length === 2 || parts.length === 3) {
    const a = periodIndexOf(panel, parts[0]!, flag);
    const b = periodIndexOf(panel, parts[1]!, flag);
    const k = parts.length === 3 ? Number(parts[2]) : 1;
    if (!Number.isInteger(k) || k < 1) throw new UsageError('BAD_PREDICTOR', `${flag}: the step '${parts[2]}' must be a positive integer (e.g. 1961:1969:2)`, { predictor: source });
    if (b < a) throw new UsageError('BAD_PREDICTOR', `${flag}: window ${parts[0]}:${parts[1]} ends before it starts`, { predictor: source });
    const out: number[] = [];
    for (let t = a; t <= b; t += k) out.push(t);
    return out;
  }
  throw new UsageError('BAD_PREDICTOR', `${flag}: the period part '${text}' must be P, A:B or A:B:step`, { predictor: source });
}

function parseTerm(text: string, source: string): Term {
  const variables = text.split('+').map((s) => s.trim());
  if (variables.some((v) => v === '')) throw new UsageError('BAD_PREDICTOR', `--predictors '${source}': empty variable name in '${text}'`, { predictor: source });
  return { variables };
}

/** Parse predictor strings against a panel (periods are resolved to indices). @throws UsageError BAD_PREDICTOR */
export function parsePredictors(panel: Panel, items: readonly string[]): PredictorSpec[] {
  const out: PredictorSpec[] = [];
  for (const raw of items) {
    const source = raw.trim();
    const at = source.lastIndexOf('@');
    if (at <= 0 || at === source.length - 1) {
      throw new UsageError('BAD_PREDICTOR', `--predictors '${source}' must be variable@period or variable@from:to (e.g. lnincome@1980:1988)`, { predictor: source });
    }
    const lhs = source.slice(0, at).trim();
    const periods = parseWindow(panel, source.slice(at + 1), source);
    const win = source.slice(at + 1).trim();
    const m = /^share\((.*)\)$/.exec(lhs);
    if (m) {
      const members = m[1]!.split('|').map((s) => parseTerm(s, source));
      if (members.length < 2) throw new UsageError('BAD_PREDICTOR', `--predictors '${source}': share(...) needs at least two members separated by '|'`, { predictor: source });
      members.forEach((term, position) => out.push({ label: `share(${term.variables.join('+')})@${win}`, source, periods, term, share: { members, position } }));
    } else {
      out.push({ label: `${lhs}@${win}`, source, periods, term: parseTerm(lhs, source), share: null });
    }
  }
  return out;
}

/** Every column a list of predictor strings refers to (to load them as covariates). */
export function predictorColumns(items: readonly string[]): string[] {
  const cols = new Set<string>();
  for (const raw of items) {
    const at = raw.lastIndexOf('@');
    let lhs = (at > 0 ? raw.slice(0, at) : raw).trim();
    const m = /^share\((.*)\)$/.exec(lhs);
    if (m) lhs = m[1]!.replace(/\|/g, '+');
    for (const v of lhs.split('+')) if (v.trim() !== '') cols.add(v.trim());
  }
  return [...cols];
}

function series(panel: Panel, variable: string): Float64Array {
  if (variable === panel.outcome) return panel.y;
  const s = panel.covariates[variable];
  if (!s) throw new InputError('UNKNOWN_PREDICTOR', `predictor variable '${variable}' is neither the outcome ('${panel.outcome}') nor a column in ${panel.file}`, { variable });
  return s;
}

function termMean(panel: Panel, term: Term, unit: number, periods: readonly number[], label: string): number {
  const T = panel.periods.length;
  let total = 0;
  for (const v of term.variables) {
    const s = series(panel, v);
    let sum = 0;
    let n = 0;
    for (const t of periods) {
      const x = s[unit * T + t]!;
      if (!Number.isNaN(x)) { sum += x; n++; }
    }
    if (n === 0) {
      const from = panel.periods[periods[0]!]!;
      const to = panel.periods[periods[periods.length - 1]!]!;
      throw new InputError('PREDICTOR_MISSING', `predictor ${label}: '${v}' is missing for unit '${panel.units[unit]}' in every period of ${from}${from === to ? '' : `…${to}`}; choose a window where it is observed or drop the predictor`, { unit: panel.units[unit], predictor: label, variable: v });
    }
    total += sum / n;
  }
  return total;
}

/**
 * Predictor matrix for the listed units: k×n row-major (predictor p, unit j at p·n + j),
 * unstandardised.
 */
export function predictorMatrix(panel: Panel, specs: readonly PredictorSpec[], units: readonly number[]): Float64Array {
  const k = specs.length;
  const n = units.length;
  const X = new Float64Array(k * n);
  for (let p = 0; p < k; p++) {
    const sp = specs[p]!;
    for (let j = 0; j < n; j++) {
      const u = units[j]!;
      if (sp.share) {
        let tot = 0;
        let mine = 0;
        sp.share.members.forEach((m, q) => {
          const v = termMean(panel, m, u, sp.periods, sp.label);
          tot += v;
          if (q === sp.share!.position) mine = v;
        });
        if (!(tot !== 0)) throw new InputError('PREDICTOR_MISSING', `predictor ${sp.label}: the share group sums to 0 for unit '${panel.units[u]}'`, { unit: panel.units[u], predictor: sp.label });
        X[p * n + j] = (100 * mine) / tot;
      } else X[p * n + j] = termMean(panel, sp.term, u, sp.periods, sp.label);
    }
  }
  return X;
}
