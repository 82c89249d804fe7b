/**
 * Issue 11, national scale: every LSOA in England and Wales (35,000 areas × 66 months,
 * 2.31 million rows, 3,500 treated from 2019-04) and a 3,000-area panel (300 treated),
 * made by the project's generator (bench/nationalPanel.ts) in a temp directory.
 *
 * Prints (one JSON line each): the panel read alone, in process, in rows per second
 * (median of 3; target ≤ 2 s for 2.31 M rows, data.table::fread ≈ 1.8 s recorded), and
 * whole-process `vru-eval did` TWFE / event study at both sizes with peak RSS, each with
 * R fixest 0.14.2's recorded whole-process figure as the target (issue 11's table, measured
 * on a busy machine: scale by a same-run calibration, e.g. the base commit's time for the
 * same case against its recorded figure). Then `inspect`, `did --method cs` and `its` on
 * the 35,000-area panel; `scm --method gsynth` with 1,000 bootstraps only with
 * VRU_BENCH_GSYNTH=1 (minutes). Run just this file: `npm run bench -- national`.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPanel } from '../src/core/panel.js';
import { benchCli, benchDir, type BenchLine } from './measure.js';
import { writeNationalPanel } from './nationalPanel.js';

// Generation and the in-process read run in child processes of their own: on Linux a child's
// peak RSS (getrusage maxrss) starts from the parent's RSS at fork, so a parent that had held the
// generated records would inflate every measured CLI process (seen: 161–177 MiB for a 92 MiB run).
const self = fileURLToPath(import.meta.url);
const mode = process.argv[2];
if (mode === 'generate') {
  const rows = writeNationalPanel(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), 1);
  process.stdout.write(String(rows));
} else if (mode === 'read') {
  readOnce(process.argv[3]!, Number(process.argv[4]));
} else {
  main();
}

function child(args: string[]): string {
  const r = spawnSync(process.execPath, [self, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`national bench: ${args[0]} failed (exit ${r.status})`);
  return r.stdout;
}

/** The panel read alone, in this process: read, validate, build the typed panel (median of 3). */
function readOnce(file: string, rows: number): void {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    const panel = readPanel(file, { outcome: 'violence_rate' });
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
    const cu = process.cpuUsage(c);
    cpus.push((cu.user + cu.system) / 1e6);
    if (panel.rows !== rows) throw new Error('row count');
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const read: BenchLine = {
    name: `panel read 35,000×66 CSV (${rows.toLocaleString('en-GB')} rows, in process): ${Math.round(rows / times[1]!).toLocaleString('en-GB')} rows/s`,
    seconds: times[1]!,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: cpus[1]!,
    target: '≤ 2 s (fread ≈ 1.8 s recorded)',
    rowsPerSecond: rows / times[1]!,
  };
  console.log(JSON.stringify(read));
}

function main(): void {
  const dir = benchDir();
  const t0 = process.hrtime.bigint();
  const p35 = join(dir, 'p35000.csv');
  const p3 = join(dir, 'p3000.csv');
  try {
    const rows35 = Number(child(['generate', p35, '35000', '3500']));
    child(['generate', p3, '3000', '300']);
    process.stderr.write(`national bench: panels generated in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s\n`);
    process.stdout.write(child(['read', p35, String(rows35)]));
    const did = (f: string) => ['did', f, '--outcome', 'violence_rate'];
    const es = (f: string) => [...did(f), '--event-window', '-12:12'];
    const cases: [string, string[], string, number][] = [
      ['did twfe 3,000×66, CR1 by area', did(p3), 'fixest 2.85 s, 106 MB (recorded, busy machine)', 3],
      ['did twfe event study -12:12, 3,000×66', es(p3), 'fixest 6.59 s, 225 MB (recorded, busy machine)', 3],
      ['did twfe 35,000×66, CR1 by area', did(p35), 'fixest 11.1 s, 404 MB (recorded, busy machine)', 1],
      ['did twfe event study -12:12, 35,000×66', es(p35), 'fixest 42.0 s, 1,653 MB (recorded, busy machine)', 1],
      ['inspect 35,000×66', ['inspect', p35, '--outcome', 'violence_rate'], 'reading + summary', 1],
      ['did cs 35,000×66, never-treated, 999 multiplier draws', [...did(p35), '--method', 'cs'], 'no target', 1],
      ['its 35,000×66, treated-area mean series', ['its', p35, '--outcome', 'violence_rate'], 'no target', 1],
    ];
    if (process.env.VRU_BENCH_GSYNTH === '1') cases.push(['scm gsynth 35,000×66, r = 2, 1,000 bootstraps', ['scm', p35, '--method', 'gsynth', '--outcome', 'violence_rate', '--factors', '2', '--boots', '1000'], 'no target', 1]);
    for (const [name, args, target, repeats] of cases) console.log(JSON.stringify(benchCli(name, args, { repeats, target })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
