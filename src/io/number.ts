/**
 * Numbers from bytes, without a string per cell.
 *
 * The accepted grammar is the panel's (core/panel.ts): `[+-]? (d+ [.] d* | . d+) ([eE] [+-]? d+)?`,
 * and the missing-value tokens '', NA, NaN, nan, N/A, null, NULL (docs/panels.md, "Missing values").
 *
 * Correct rounding: the value must be exactly JavaScript's Number(text). The fast path
 * (Clinger 1990) is used only where one IEEE operation on exact operands gives it: a
 * decimal mantissa m of at most 15 significant digits (so m < 2^53 is exact) and a power
 * of ten 10^k with |k| ≤ 22 (exact as a double), value = m·10^k or m / 10^−k, each
 * correctly rounded by IEEE 754. Anything else (more digits, larger exponents) falls back
 * to Number() on the field's text, so the result is always Number()'s.
 */

/** Result codes besides a finite value. */
export const NumStatus = {
  Ok: 0,
  Missing: 1,
  NotNumeric: 2,
  /** Syntactically a number but beyond ±1.7976931348623157e308 (Number() gives ±Infinity). */
  Overflow: 3,
} as const;
export type NumStatus = (typeof NumStatus)[keyof typeof NumStatus];

const POW10 = new Float64Array(23);
POW10[0] = 1;
for (let k = 1; k <= 22; k++) POW10[k] = POW10[k - 1]! * 10;

/** Scratch out-parameter of {@link parseNumberBytes}: the status of the last parse. */
export const numberParse = { status: NumStatus.Ok as NumStatus };

const C_0 = 48;
const C_9 = 57;
const C_PLUS = 43;
const C_MINUS = 45;
const C_DOT = 46;
const C_E = 101;
const C_EU = 69;

function isMissingToken(b: Uint8Array, s: number, e: number): boolean {
  const len = e - s;
  if (len === 2) return b[s] === 78 && b[s + 1] === 65; // NA
  if (len === 3) {
    const c0 = b[s]!, c1 = b[s + 1]!, c2 = b[s + 2]!;
    if (c0 === 78 && c1 === 97 && c2 === 78) return true; // NaN
    if (c0 === 110 && c1 === 97 && c2 === 110) return true; // nan
    if (c0 === 78 && c1 === 47 && c2 === 65) return true; // N/A
    return false;
  }
  if (len === 4) {
    const c0 = b[s]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!;
    if (c0 === 110 && c1 === 117 && c2 === 108 && c3 === 108) return true; // null
    if (c0 === 78 && c1 === 85 && c2 === 76 && c3 === 76) return true; // NULL
  }
  return false;
}

/**
 * Parse bytes b[s, e) as a panel number. Returns the value (NaN for a missing token) and
 * sets `numberParse.status` (Ok, Missing, NotNumeric or Overflow; the value is NaN for
 * NotNumeric and ±Infinity for Overflow).
 */
export function parseNumberBytes(b: Uint8Array, s: number, e: number): number {
  if (s === e) {
    numberParse.status = NumStatus.Missing;
    return Number.NaN;
  }
  let p = s;
  let c = b[p]!;
  let neg = false;
  if (c === C_PLUS || c === C_MINUS) {
    neg = c === C_MINUS;
    p++;
    if (p === e) return notNumeric();
    c = b[p]!;
  } else if (c === 78 || c === 110) {
    if (isMissingToken(b, s, e)) {
      numberParse.status = NumStatus.Missing;
      return Number.NaN;
    }
    return notNumeric();
  }
  let m = 0; // significant digits so far (exact while sig ≤ 15)
  let sig = 0; // significant digits seen (from the first non-zero digit)
  let scale = 0; // power of ten to apply to m
  let intDigits = 0;
  let fracDigits = 0;
  // Integer part.
  while (p < e) {
    c = b[p]!;
    if (c < C_0 || c > C_9) break;
    intDigits++;
    if (sig > 0 || c !== C_0) {
      if (sig < 15) m = m * 10 + (c - C_0);
      else scale++; // digit beyond the 15th: value not provably exact (slow path below)
      sig++;
    }
    p++;
  }
  if (p < e && b[p] === C_DOT) {
    p++;
    while (p < e) {
      c = b[p]!;
      if (c < C_0 || c > C_9) break;
      fracDigits++;
      if (sig > 0 || c !== C_0) {
        if (sig < 15) {
          m = m * 10 + (c - C_0);
          scale--;
        }
        sig++;
      } else scale--; // leading zero after the point
      p++;
    }
  }
  if (intDigits === 0 && fracDigits === 0) return notNumeric();
  let exp = 0;
  if (p < e && (b[p] === C_E || b[p] === C_EU)) {
    exp = exponentTo(b, p + 1, e);
    if (Number.isNaN(exp)) return notNumeric();
  } else if (p !== e) return notNumeric();
  numberParse.status = NumStatus.Ok;
  if (sig === 0) return neg ? -0 : 0;
  const k = scale + exp;
  if (sig <= 15 && k >= -22 && k <= 22) {
    const v = k >= 0 ? m * POW10[k]! : m / POW10[-k]!;
    return neg ? -v : v;
  }
  return roundedByNumber(b, s, e);
}

/** The exponent `[+-]? d+` in b[p, e), running to e exactly (magnitude capped near 10^6: beyond any double); NaN when malformed. */
function exponentTo(b: Uint8Array, p: number, e: number): number {
  let eneg = false;
  if (p < e && (b[p] === C_PLUS || b[p] === C_MINUS)) {
    eneg = b[p] === C_MINUS;
    p++;
  }
  let exp = 0;
  let expDigits = 0;
  while (p < e) {
    const c = b[p]!;
    if (c < C_0 || c > C_9) break;
    if (exp < 100000) exp = exp * 10 + (c - C_0);
    expDigits++;
    p++;
  }
  if (expDigits === 0 || p !== e) return Number.NaN;
  return eneg ? -exp : exp;
}

/** Not provably exact: let Number() round it (the text is ASCII, validated by the caller); ±Infinity is Overflow. */
function roundedByNumber(b: Uint8Array, s: number, e: number): number {
  let text = '';
  for (let q = s; q < e; q++) text += String.fromCharCode(b[q]!);
  const v = Number(text);
  if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) numberParse.status = NumStatus.Overflow;
  return v;
}

function notNumeric(): number {
  numberParse.status = NumStatus.NotNumeric;
  return Number.NaN;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING = new Set(['', 'NA', 'NaN', 'nan', 'N/A', 'null', 'NULL']);

/** The same as {@link parseNumberBytes} on a string (the reference implementation: a regex and Number()). */
export function parseNumberString(s: string): number {
  if (MISSING.has(s)) {
    numberParse.status = NumStatus.Missing;
    return Number.NaN;
  }
  if (NUMERIC.test(s)) {
    const v = Number(s);
    numberParse.status = Number.isFinite(v) ? NumStatus.Ok : NumStatus.Overflow;
    return v;
  }
  numberParse.status = NumStatus.NotNumeric;
  return Number.NaN;
}
