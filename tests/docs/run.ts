/**
 * Helpers of the documentation tests: run a command in process (same parsing as the binary) and
 * find a sentence in a documentation page, whitespace-insensitively.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ROOT } from '../helpers.js';

/** The JSON document of `vru-eval <args>` (exit 0 expected). */
export async function doc(args: string[]): Promise<any> {
  let out = '';
  let err = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), stderrIsTTY: false });
  expect(code, err).toBe(0);
  return JSON.parse(out);
}

/** A page's text with runs of whitespace as one space (so line breaks do not matter). */
export function page(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8').replace(/\s+/g, ' ');
}

/** Assert that `file` says `s` (up to line breaks). */
export function expectIn(file: string, s: string): void {
  expect(page(file).includes(s.replace(/\s+/g, ' ')), `${file} should say: ${s}`).toBe(true);
}

/** Fixed decimals with a true minus sign, as the docs write numbers. */
export const f = (x: number, d = 2): string => x.toFixed(d).replace(/^-/, '\u2212');
/** A whole number with thousands separators. */
export const int = (x: number): string => Math.round(x).toLocaleString('en-GB');
/** Decimals without the leading zero (weights: .333). */
export const w3 = (x: number): string => x.toFixed(3).replace(/^0/, '');
export const coef = (d: any, term: string): any => d.coefficients.find((c: any) => c.term === term);
