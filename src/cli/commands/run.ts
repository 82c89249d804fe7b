/**
 * `vru-eval run plan.yaml --out results/` runs an analysis plan end to end (src/plan);
 * `--check results/` recomputes it and compares every number with the committed results.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError, VruError } from '../../core/errors.js';
import { defineOptions, num, readOptions, str } from '../../core/optionTable.js';
import { checkResults } from '../../plan/check.js';
import { runPlan, selectSteps, type RunOptions } from '../../plan/run.js';
import { readPlan, type Plan } from '../../plan/spec.js';
import { emitData, outputOf, type CliContext } from '../context.js';
import { execFor } from '../exec.js';
import { addOptions } from '../optionFlags.js';

/** Exit status of `run --check` when a number drifted beyond its tolerance. */
export const EXIT_DRIFT = 5;

const RUN_OPTIONS = defineOptions({
  out: str({ flag: '--out <dir>', help: 'results directory: one document per step, charts, report.html, manifest.json', plan: false }),
  check: str({ flag: '--check <dir>', help: 'recompute and compare every number with the committed results in <dir> (tolerances from the plan); exit 5 on drift', plan: false }),
  only: str({ flag: '--only <step>', help: 'run only this step and the steps it needs', plan: false }),
  threads: num({ flag: '--threads <n>', aliases: [{ flag: '--jobs <n>' }], help: 'steps at a time (1 = serial, in this process; results are identical); default min(4, cores)', integer: true, min: 1, max: 64, plan: false }),
});

export function runCommand(ctx: CliContext): Command {
  const cmd = new Command('run')
    .description('run an analysis plan (YAML or JSON; see vru-eval schema --plan): data, analyses, cost-benefit, robustness, comparisons, charts and report, in dependency order, independent steps in parallel; --check re-runs it and compares with committed results')
    .argument('<plan>', 'plan file (.yaml, .yml or .json)');
  addOptions(cmd, RUN_OPTIONS);
  return cmd.action(async (file: string, o: Record<string, unknown>) => {
    const v = readOptions(RUN_OPTIONS, o);
    if ((v.out === undefined) === (v.check === undefined)) throw new UsageError('RUN_NEEDS_OUT_OR_CHECK', 'give --out <dir> to write the results, or --check <dir> to compare with committed results (one of them)', {});
    const plan = readPlan(file);
    for (const w of plan.warnings) ctx.io.stderr(`${w.code}: ${w.message}\n`);
    const jobs = v.threads ?? Math.max(1, Math.min(4, availableParallelism()));
    const log = outputOf(ctx).progress ? (s: string) => ctx.io.stderr(s + '\n') : undefined;
    const exec = execFor(jobs);
    const base = { jobs, only: v.only ?? null, exec, tool: ctx.tool, ...(log ? { log } : {}) };
    try {
      await runOrCheck(ctx, plan, v, base);
    } finally {
      await exec.close();
    }
  });
}

async function runOrCheck(ctx: CliContext, plan: Plan, v: { out?: string | undefined; check?: string | undefined; only?: string | undefined }, base: Omit<RunOptions, 'out'>): Promise<void> {
  {
    if (v.out !== undefined) {
      const manifest = await runPlan(plan, { ...base, out: resolve(v.out) });
      const summary = { status: manifest.status, out: v.out, steps: manifest.steps.map((s) => ({ name: s.name, status: s.status, outputs: s.outputs, wallMs: s.wallMs })) };
      emitData(ctx, summary, undefined, async (output) => {
        const { renderRunSummary } = await import('../summary.js');
        return renderRunSummary(manifest, resolve(v.out!), v.out!, output);
      });
      return;
    }
    const committed = resolve(v.check!);
    const fresh = mkdtempSync(join(tmpdir(), 'vru-check-'));
    try {
      await runPlan(plan, { ...base, out: fresh });
      const selected = selectSteps(plan, v.only ?? null);
      const names = selected.filter((s) => s.section !== 'data' && s.section !== 'charts' && s.section !== 'report').map((s) => s.name);
      const panels = selected.filter((s) => s.section === 'data').map((s) => `data/${s.name}.csv`);
      const r = checkResults(committed, fresh, names, plan.tolerances, v.check, undefined, panels);
      // the readable diff on a terminal; the same lines and every difference as JSON for machines
      // (printed now: on drift the action fails, and queued summaries are not printed after a failure)
      if (outputOf(ctx).mode === 'summary') ctx.io.stdout(r.text);
      else emitData(ctx, { status: r.drifts.length === 0 ? 'match' : 'drift', compared: r.compared, diff: r.text.trimEnd().split('\n'), differences: r.drifts }, undefined, () => r.text);
      if (r.drifts.length > 0) {
        throw new VruError('RESULTS_DRIFT', `${r.drifts.length} number(s) or field(s) differ from the committed results in ${v.check} beyond the plan's tolerances (see the diff on stdout)`, EXIT_DRIFT, { differences: r.drifts.length, files: [...new Set(r.drifts.map((d) => d.file))] });
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }
}
