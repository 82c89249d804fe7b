/**
 * Typed errors. Library code throws only these; the CLI layer (src/cli/main.ts)
 * maps `exitCode` to the process exit status and prints `{ error: { code, message, details } }`.
 *
 * Exit codes (a documented interface):
 *   0 success, 1 internal bug, 2 usage, 3 input/data, 4 estimation failure.
 */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export class VruError extends Error {
  /** Machine-readable code, e.g. `DUPLICATE_ROW`. Stable across versions. */
  readonly code: string;
  /** Process exit status the CLI uses for this error. */
  readonly exitCode: number;
  /** Structured context: file, row, unit, period, column, hint … */
  readonly details: ErrorDetails;

  constructor(code: string, message: string, exitCode: number, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** Bad flags or option combinations (exit 2). */
export class UsageError extends VruError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 2, details);
  }
}

/** The data cannot be used as given: missing columns, bad cells, unbalanced panel … (exit 3). */
export class InputError extends VruError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 3, details);
  }
}

/** The estimator cannot produce an answer: rank deficiency, too few periods, non-convergence under --strict (exit 4). */
export class EstimationError extends VruError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, 4, details);
  }
}

export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, estimation: 4 } as const;
