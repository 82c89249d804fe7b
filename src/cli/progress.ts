/**
 * Progress on stderr, only when stderr is a terminal and not --quiet (ctx.output.progress).
 *
 * `step(ctx, label, fn)`: "label…" while fn runs, then the elapsed time; a step that took under a
 * second is erased, so quick runs leave nothing behind. `counter(ctx, label)`: a callback for
 * estimators that report {done, total} (bootstraps, cross-validation), redrawn at most every 200 ms.
 * Estimators that run synchronously cannot be interrupted to draw, so they get a step line.
 */
import type { CliContext } from './context.js';
import { outputOf } from './context.js';

const CLEAR = '\r\x1b[K';

/** Run `fn` under a progress line. */
export function step<T>(ctx: CliContext, label: string, fn: () => T): T {
  if (!outputOf(ctx).progress) return fn();
  const t0 = Date.now();
  ctx.io.stderr(`${CLEAR}${label}…`);
  const done = (ok: boolean) => {
    const s = (Date.now() - t0) / 1000;
    ctx.io.stderr(ok && s >= 1 ? `${CLEAR}${label}: done in ${s.toFixed(1)} s\n` : CLEAR);
  };
  try {
    const r = fn();
    if (r instanceof Promise) {
      return r.then(
        (v) => (done(true), v),
        (e) => {
          done(false);
          throw e;
        },
      ) as T;
    }
    done(true);
    return r;
  } catch (e) {
    done(false);
    throw e;
  }
}

/** A {done, total} callback drawing "label phase: done/total", or undefined when progress is off. */
export function counter(ctx: CliContext, label: string): ((p: { phase?: string; done: number; total: number }) => void) | undefined {
  if (!outputOf(ctx).progress) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (p.done < p.total && now - last < 200) return;
    last = now;
    ctx.io.stderr(`${CLEAR}${label}${p.phase ? ` ${p.phase}` : ''}: ${p.done}/${p.total}${p.done === p.total ? '\n' : ''}`);
  };
}

/** The library's progress hooks (src/analyse/source.ts) drawn on this terminal. */
export function cliHooks(ctx: CliContext): { step: <T>(label: string, fn: () => T) => T; progress: (label: string) => ReturnType<typeof counter> } {
  return { step: (label, fn) => step(ctx, label, fn), progress: (label) => counter(ctx, label) };
}
