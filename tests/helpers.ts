/**
 * Shared test helpers: relative-tolerance comparison, the real binary, schema
 * validation and the validation datasets in ../shared/datasets.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { RESULT_SCHEMA } from '../src/core/schema.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'dist', 'bin', 'vru-eval.js');
export const FIXTURE = join(ROOT, 'fixtures', 'police_monthly.csv');
export const SHARED = resolve(ROOT, '..', 'shared', 'datasets');

/**
 * Path of a validation dataset in ../shared/datasets/<name>/data.csv.
 * In CI (CI=true) a missing dataset is an error; elsewhere tests using it are skipped.
 */
export function dataset(name: string): string {
  return join(SHARED, name, 'data.csv');
}
export const hasShared = existsSync(SHARED);
if (!hasShared && process.env.CI) throw new Error(`../shared/datasets not found at ${SHARED}: CI must have it beside the checkout`);

/**
 * |actual − expected| ≤ atol + rtol·|expected|, with a message that states both tolerances.
 */
export function expectClose(actual: number | null | undefined, expected: number, tol: { rtol?: number; atol?: number }, what = 'value'): void {
  const rtol = tol.rtol ?? 0;
  const atol = tol.atol ?? 0;
  if (typeof actual !== 'number' || !Number.isFinite(actual)) {
    expect.fail(`${what}: expected a finite number near ${expected}, got ${String(actual)}`);
    return;
  }
  const bound = atol + rtol * Math.abs(expected);
  const diff = Math.abs(actual - expected);
  if (!(diff <= bound)) expect.fail(`${what}: ${actual} differs from ${expected} by ${diff} > ${bound} (rtol ${rtol}, atol ${atol})`);
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any;
  error: () => { code: string; message: string; details: Record<string, unknown> };
}

/** Spawn the built binary (npm test builds first). */
export function runCli(args: readonly string[], opts: { input?: string; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input ?? '', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout),
    error: () => (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: { code: string; message: string; details: Record<string, unknown> } }).error,
  };
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(RESULT_SCHEMA);

/** Assert a document matches the published JSON Schema. */
export function expectValidDocument(doc: unknown): void {
  const ok = validate(doc);
  if (!ok) expect.fail(`document does not match the schema: ${ajv.errorsText(validate.errors)}`);
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vru-eval-test-'));
}
