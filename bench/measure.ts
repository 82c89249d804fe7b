/**
 * Helpers for bench files: run the real CLI end to end as a child process and
 * report the median wall time and the peak resident memory of the CLI process
 * (measured inside it by rssReporter.js, worker threads included).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const BIN = join(here, '..', 'bin', 'vru-eval.js');
const REPORTER = pathToFileURL(join(here, 'rssReporter.js')).href;

export interface BenchLine {
  name: string;
  seconds: number;
  peakRssMiB: number;
  /** Median CPU time of the CLI process (user + system, all threads), seconds. */
  cpuSeconds?: number;
  target?: string;
  [k: string]: unknown;
}

/** A scratch directory for generated benchmark panels. */
export function benchDir(): string {
  return mkdtempSync(join(tmpdir(), 'vru-eval-bench-'));
}

/**
 * Run `vru-eval <args>` `repeats` times (output discarded); median wall time, max peak RSS.
 * `prefix` runs node under another command (e.g. ['taskset', '-c', '0'] for one core).
 */
export function benchCli(name: string, args: string[], opts: { repeats?: number; target?: string; prefix?: string[] } = {}): BenchLine {
  const repeats = opts.repeats ?? 3;
  const dir = benchDir();
  const rssFile = join(dir, 'rss');
  const times: number[] = [];
  const cpus: number[] = [];
  let peak = 0;
  try {
    for (let k = 0; k < repeats; k++) {
      const t = process.hrtime.bigint();
      const cmd = [...(opts.prefix ?? []), process.execPath, '--import', REPORTER, BIN, ...args];
      const r = spawnSync(cmd[0]!, cmd.slice(1), {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        env: { ...process.env, VRU_BENCH_RSS: rssFile },
      });
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (r.status !== 0) throw new Error(`bench ${name} failed (exit ${r.status}): ${r.stderr}`);
      times.push(s);
      const [rss, cpu] = readFileSync(rssFile, 'utf8').split(' ');
      peak = Math.max(peak, Number(rss) / 1024);
      if (cpu !== undefined) cpus.push(Number(cpu) / 1e6);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const line: BenchLine = { name, seconds: times[Math.floor(times.length / 2)]!, peakRssMiB: peak };
  if (cpus.length) line.cpuSeconds = cpus[Math.floor(cpus.length / 2)]!;
  if (opts.target) line.target = opts.target;
  return line;
}
