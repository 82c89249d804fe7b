/**
 * `vru-eval run`: execute a plan (spec.ts) in dependency order, independent steps concurrently
 * (up to `jobs`), and write one result document per analysis / cba / robustness / compare step,
 * the charts, one HTML report and `manifest.json` (plan hash, input hashes, tool version, seed,
 * arguments and wall time of every step). Each estimating step runs the real command through
 * `exec` (in this process, or a child process per step when running in parallel), so a plan step
 * and the same command typed by hand give the same bytes, and serial and parallel runs agree.
 *
 * Wall times are only in the manifest; every other file depends only on the plan and the inputs.
 * A failing step fails the run with the step named; the files of completed steps stay, and the
 * manifest says which steps completed and that the run is incomplete.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { VruError } from '../core/errors.js';
import { optionArgs } from '../core/optionTable.js';
import { makeDocument, serialiseDocument, type ResultDocument } from '../core/result.js';
import { DEFAULT_SEED } from '../core/rng.js';
import { writeFileAtomic } from '../io/atomic.js';
import { compareAnalysis } from './compare.js';
import { runRobustness, type Exec } from './robustness.js';
import { buildArgs, builtFiles, relativiseManifest } from './dataSource.js';
import type { AnalysisStep, DataSource, Plan, Step } from './spec.js';

export interface RunOptions {
  /** Results directory (created if needed). */
  out: string;
  /** Steps at a time (1 = serial). */
  jobs: number;
  /** Run only this step and the steps it needs. */
  only: string | null;
  exec: Exec;
  tool: { name: string; version: string };
  /** Progress lines (the CLI sends them to stderr on a terminal). */
  log?: (line: string) => void;
}

export interface StepRecord {
  name: string;
  section: string;
  status: 'complete' | 'failed' | 'not run';
  outputs: string[];
  seed: number | null;
  /** The command line of an estimating step (paths relative to the plan / results directory). */
  args: string[] | null;
  wallMs: number | null;
  error: string | null;
}

export interface Manifest {
  tool: { name: string; version: string };
  plan: { file: string; sha256: string };
  /**
   * Data read by the analyses: a CSV given in the plan (file relative to the plan), or a panel
   * built by a data step (file and manifest relative to the results directory).
   */
  inputs: { data: string; file: string; sha256: string; manifest?: { file: string; sha256: string } }[];
  status: 'complete' | 'incomplete';
  only: string | null;
  jobs: number;
  steps: StepRecord[];
  /** Warnings about the plan itself (DEPRECATED_OPTION for old option keys), also printed on stderr. */
  warnings: { code: string; message: string }[];
  wallMs: number;
}

/** The steps to run: all, or `only` and what it needs (transitively), in plan order. */
export function selectSteps(plan: Plan, only: string | null): Step[] {
  if (only === null) return plan.steps;
  const byName = new Map(plan.steps.map((s) => [s.name, s]));
  if (!byName.has(only)) {
    const names = plan.steps.map((s) => s.name);
    throw new VruError('PLAN_UNKNOWN_STEP', `--only ${only}: the plan has no step of that name (steps: ${names.join(', ')})`, 2, { step: only, valid: names });
  }
  const keep = new Set<string>();
  const visit = (n: string): void => {
    if (keep.has(n)) return;
    keep.add(n);
    for (const m of byName.get(n)!.needs) visit(m);
  };
  visit(only);
  return plan.steps.filter((s) => keep.has(s.name));
}

/** Limit concurrent work to `n` slots. */
function semaphore(n: number) {
  let free = n;
  const queue: (() => void)[] = [];
  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else free++;
  };
  return async <T>(f: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((r) => queue.push(r));
    try {
      return await f();
    } finally {
      release();
    }
  };
}

function errorOf(stderr: string): { code: string; message: string } {
  const last = stderr.trim().split('\n').pop() ?? '';
  try {
    const e = (JSON.parse(last) as { error: { code: string; message: string } }).error;
    return { code: e.code, message: e.message };
  } catch {
    return { code: 'STEP_FAILED', message: last || 'failed without a message' };
  }
}

class StepFailure extends Error {
  constructor(
    readonly step: Step,
    readonly code: string,
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** What every stage of a run shares: the plan, the options, the step records and the paths. */
interface RunContext {
  plan: Plan;
  o: RunOptions;
  steps: Step[];
  records: Map<string, StepRecord>;
  /** `o.exec` behind the run's concurrency limit (for robustness variants, which share the slots). */
  exec: Exec;
  slot: <T>(f: () => Promise<T>) => Promise<T>;
  docPath: (name: string) => string;
  readDoc: (name: string) => ResultDocument;
  /** The CSV an analysis reads: the plan's file, or the panel a data step built in the results directory. */
  dataFile: (d: DataSource) => string;
}

/**
 * Run a plan: prepare the run → run the steps in dependency order (independent ones concurrently)
 * → write the manifest → fail with the first failed step named, or return the manifest.
 */
export async function runPlan(plan: Plan, o: RunOptions): Promise<Manifest> {
  const t0 = performance.now();
  const rc = prepareRun(plan, o);
  const failure = await runInOrder(rc);
  const manifest = buildManifest(rc, failure !== null, Math.round(performance.now() - t0));
  writeFileAtomic(join(o.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  if (failure) throw runFailure(failure, manifest, o.out);
  return manifest;
}

/** Stage 1: the results directory, the selected steps, their empty records and the shared helpers. */
function prepareRun(plan: Plan, o: RunOptions): RunContext {
  mkdirSync(o.out, { recursive: true });
  const steps = selectSteps(plan, o.only);
  const slot = semaphore(Math.max(1, o.jobs));
  const docPath = (name: string): string => join(o.out, `${name}.json`);
  return {
    plan,
    o,
    steps,
    records: new Map<string, StepRecord>(steps.map((s) => [s.name, { name: s.name, section: s.section, status: 'not run', outputs: [], seed: null, args: null, wallMs: null, error: null }])),
    exec: (args) => slot(() => o.exec(args)),
    slot,
    docPath,
    readDoc: (name) => JSON.parse(readFileSync(docPath(name), 'utf8')) as ResultDocument,
    dataFile: (d) => (d.build ? builtFiles(o.out, d.name).csv : d.file),
  };
}

/**
 * Stage 2: each step starts when the steps it needs have completed; the first failure stops the
 * steps that have not started. Any error of a step becomes a StepFailure with the step named: a
 * file-system error (a path in the plan that cannot be read or written) is an input error (exit 3),
 * never an internal one.
 */
async function runInOrder(rc: RunContext): Promise<StepFailure | null> {
  const started = new Map<string, Promise<void>>();
  let failure: StepFailure | null = null;
  const start = (s: Step): Promise<void> => {
    let p = started.get(s.name);
    if (p) return p;
    const needs = rc.steps.filter((x) => s.needs.includes(x.name));
    p = Promise.all(needs.map(start)).then(async () => {
      if (failure) throw failure;
      try {
        await runStep(rc, s);
      } catch (e) {
        const f = asStepFailure(s, e);
        rc.records.get(s.name)!.status = 'failed';
        rc.records.get(s.name)!.error = f.message;
        failure ??= f;
        throw f;
      }
    });
    started.set(s.name, p);
    return p;
  };
  await Promise.allSettled(rc.steps.map(start));
  return failure;
}

/** Any error of step `s` as a StepFailure: typed errors keep their code and exit; file-system errors are input errors. */
function asStepFailure(s: Step, e: unknown): StepFailure {
  if (e instanceof StepFailure) return e;
  if (e instanceof VruError) return new StepFailure(s, e.code, e.exitCode, e.message);
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^(E[A-Z]+|ERR_INVALID_ARG_VALUE)$/.test(code)) return new StepFailure(s, 'FILE_ERROR', 3, `a file of this step cannot be used (${code}): ${(e as Error).message}`);
  return new StepFailure(s, 'INTERNAL', 1, (e as Error)?.message ?? String(e));
}

/** Stage 3: the manifest: plan and input hashes, and each step's record. */
function buildManifest(rc: RunContext, failed: boolean, wallMs: number): Manifest {
  const { plan, o, steps, records } = rc;
  const hash = (file: string): string => (existsSync(file) ? sha256File(file) : 'missing');
  return {
    tool: o.tool,
    plan: { file: basename(plan.file), sha256: plan.sha256 },
    inputs: plan.data
      .filter((d) => (d.build ? records.get(d.name)?.status === 'complete' : steps.some((s) => (s.section === 'analyses' || s.section === 'power') && s.data === d)))
      .map((d) => {
        if (!d.build) return { data: d.name, file: d.given, sha256: hash(d.file) };
        const f = builtFiles(o.out, d.name);
        return { data: d.name, file: f.rel.csv, sha256: hash(f.csv), manifest: { file: f.rel.manifest, sha256: hash(f.manifest) } };
      }),
    status: failed ? 'incomplete' : 'complete',
    only: o.only,
    jobs: o.jobs,
    steps: steps.map((s) => records.get(s.name)!),
    warnings: plan.warnings,
    wallMs,
  };
}

/** Stage 4: the error of a failed run, naming the step, its cause and what was kept. */
function runFailure(f: StepFailure, manifest: Manifest, out: string): VruError {
  const done = manifest.steps.filter((r) => r.status === 'complete').map((r) => r.name);
  return new VruError(
    'PLAN_STEP_FAILED',
    `step ${f.step.section}.${f.step.name} failed (${f.code}): ${f.message}. ${done.length ? `The files of the completed steps (${done.join(', ')}) are kept; ` : ''}${join(out, 'manifest.json')} marks the run incomplete`,
    f.exitCode === 0 ? 1 : f.exitCode,
    { step: `${f.step.section}.${f.step.name}`, cause: f.code, completed: done },
  );
}

/** Run one step, timing it from when its slot is free, and record its outputs. */
async function runStep(rc: RunContext, s: Step): Promise<void> {
  const rec = rc.records.get(s.name)!;
  let t = performance.now();
  // Wall time: from when the step's work starts (its slot is free) to its end; for a robustness
  // suite, from when its analysis is done (its variants share the slots with other steps).
  const slot1 = <T>(f: () => Promise<T>): Promise<T> =>
    rc.slot(() => {
      t = performance.now();
      return f();
    });
  rc.o.log?.(`run: ${s.section}.${s.name} …`);
  await STEP_RUNNERS[s.section](rc, s as never, rec, slot1);
  rec.wallMs = Math.round(performance.now() - t);
  rec.status = 'complete';
  rc.o.log?.(`run: ${s.section}.${s.name} done (${rec.wallMs} ms)`);
}

type Slot = <T>(f: () => Promise<T>) => Promise<T>;
type StepOf<K extends Step['section']> = Extract<Step, { section: K }>;
type StepRunner<K extends Step['section']> = (rc: RunContext, s: StepOf<K>, rec: StepRecord, slot1: Slot) => Promise<void>;

/** The command line of a step as the manifest shows it (paths relative to the plan or the results directory). */
function shownArgs(rc: RunContext, args: string[], step: Step): string[] {
  return args.map((a) => {
    if ((step.section === 'analyses' || step.section === 'power') && a === step.data.file) return relative(rc.plan.dir, a) || a;
    if (step.section === 'data' && step.build.shown.has(a)) return step.build.shown.get(a)!;
    return a.startsWith(rc.o.out) ? relative(rc.o.out, a) : a;
  });
}

/** Run a command line through exec; a non-zero exit is a StepFailure with the command's own error. */
async function cli(rc: RunContext, step: Step, args: string[]): Promise<void> {
  const r = await rc.o.exec(args);
  if (r.code !== 0) {
    const e = errorOf(r.stderr);
    throw new StepFailure(step, e.code, r.code, e.message);
  }
}

async function writeDocAndForest(rc: RunContext, doc: ResultDocument, name: string): Promise<void> {
  writeFileAtomic(rc.docPath(name), serialiseDocument(doc));
  const { writeChartFile } = await import('../plot/chartFile.js');
  await writeChartFile(doc, join(rc.o.out, `${name}.svg`), { kind: 'compare' }, name);
}

/** One runner per plan section. */
const STEP_RUNNERS: { [K in Step['section']]: StepRunner<K> } = {
  data: async (rc, s, rec, slot1) => {
    const f = builtFiles(rc.o.out, s.name);
    mkdirSync(join(rc.o.out, 'data'), { recursive: true });
    const args = buildArgs(s.build, f.csv, f.manifest);
    rec.args = shownArgs(rc, args, s);
    await slot1(async () => {
      await cli(rc, s, args);
      relativiseManifest(f.manifest, rc.plan.dir);
    });
    rec.outputs = [f.rel.csv, f.rel.manifest];
  },
  analyses: async (rc, s, rec, slot1) => {
    const args = [s.command.name, rc.dataFile(s.data), ...optionArgs(s.tables, s.values, s.given), '--out', rc.docPath(s.name)];
    rec.args = shownArgs(rc, args, s);
    rec.seed = (s.values.seed as number | undefined) ?? DEFAULT_SEED;
    await slot1(() => cli(rc, s, args));
    rec.outputs = [`${s.name}.json`];
  },
  power: async (rc, s, rec, slot1) => {
    const args = ['power', rc.dataFile(s.data), ...optionArgs(s.tables, s.values, s.given), '--out', rc.docPath(s.name)];
    rec.args = shownArgs(rc, args, s);
    rec.seed = (s.values.seed as number | undefined) ?? DEFAULT_SEED;
    await slot1(() => cli(rc, s, args));
    rec.outputs = [`${s.name}.json`];
  },
  cba: async (rc, s, rec, slot1) => {
    const args = ['cba', ...s.from.flatMap((f) => ['--from', rc.docPath(f)]), ...optionArgs(s.tables, s.values, s.given), '--out', rc.docPath(s.name)];
    rec.args = shownArgs(rc, args, s);
    rec.seed = (s.values.seed as number | undefined) ?? DEFAULT_SEED;
    await slot1(() => cli(rc, s, args));
    rec.outputs = [`${s.name}.json`];
  },
  robustness: async (rc, s, rec) => {
    const a = rc.plan.steps.find((x) => x.name === s.analysis) as AnalysisStep;
    rec.seed = (a.values.seed as number | undefined) ?? DEFAULT_SEED;
    const scratch = mkdtempSync(join(tmpdir(), 'vru-robust-'));
    try {
      const docFile = rc.docPath(a.name);
      const analysis = await runRobustness(
        { command: a.command.name, file: rc.dataFile(a.data), tables: a.tables, values: a.values, given: a.given, doc: rc.readDoc(a.name), docFile, docSha256: sha256File(docFile) },
        s.spec,
        rc.exec,
        scratch,
      ).catch((e: unknown) => {
        if (e instanceof VruError) throw new StepFailure(s, e.code, e.exitCode, e.message);
        throw e;
      });
      const doc = makeDocument('robustness', rc.o.tool, { files: [{ file: basename(docFile), sha256: sha256File(docFile), role: 'main' }] }, analysis);
      await writeDocAndForest(rc, doc, s.name);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    rec.outputs = [`${s.name}.json`, `${s.name}.svg`];
  },
  compare: async (rc, s, rec, slot1) => {
    await slot1(async () => {
      const inputs = s.analyses.map((n) => ({ doc: rc.readDoc(n), label: n, file: `${n}.json` }));
      const files = s.analyses.map((n) => ({ file: `${n}.json`, sha256: sha256File(rc.docPath(n)), role: 'compared' }));
      const doc = makeDocument('compare', rc.o.tool, { files }, compareAnalysis(inputs, s.title));
      await writeDocAndForest(rc, doc, s.name);
    });
    rec.outputs = [`${s.name}.json`, `${s.name}.svg`];
  },
  charts: async (rc, s, rec, slot1) => {
    const file = join(rc.o.out, `${s.name}.${s.format}`);
    await slot1(async () => {
      const { writeChartFile } = await import('../plot/chartFile.js');
      const { parseMark } = await import('../plot/marks.js');
      const v = s.values;
      await writeChartFile(rc.readDoc(s.of), file, { kind: v.kind as never, marks: ((v.mark as string[] | undefined) ?? []).map(parseMark), yLabel: v.yLabel as string | undefined, title: v.title as string | undefined, width: v.width as number | undefined, height: v.height as number | undefined, scale: v.scale as number }, `charts.${s.name}`);
    });
    rec.outputs = [basename(file)];
  },
  report: async (rc, s, rec, slot1) => {
    await slot1(async () => {
      const { buildReport } = await import('../report/html.js');
      const { parseMark } = await import('../plot/marks.js');
      const inputs = s.include.map((n) => ({ doc: rc.readDoc(n), file: `${n}.json` }));
      const html = await buildReport(inputs, { title: s.title ?? undefined, marks: ((s.values.mark as string[] | undefined) ?? []).map(parseMark), yLabel: s.values.yLabel as string | undefined });
      writeFileAtomic(join(rc.o.out, 'report.html'), html);
    });
    rec.outputs = ['report.html'];
  },
};
