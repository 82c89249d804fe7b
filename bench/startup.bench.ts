/**
 * Start-up (issue 14): `--version`, `--help` and `inspect` on the fixture, median wall time of 20
 * runs each (targets 150 ms, 150 ms, 300 ms), beside the median of a bare `node -e 0` measured in
 * the same run, so the figure can be read against the machine's load (the CLI's own cost is the
 * difference). Run alone: `npm run bench -- startup`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { BIN } from './measure.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(root, 'fixtures', 'police_monthly.csv');
const RUNS = Number(process.env.VRU_STARTUP_RUNS ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  return s;
}

const cases: { name: string; args: string[]; target: number }[] = [
  { name: 'node -e 0 (baseline: Node start-up alone)', args: ['-e', '0'], target: 0 },
  { name: 'vru-eval --version', args: [BIN, '--version'], target: 0.15 },
  { name: 'vru-eval --help', args: [BIN, '--help'], target: 0.15 },
  { name: 'vru-eval inspect fixture (3,960 rows)', args: [BIN, 'inspect', FIXTURE, '--outcome', 'violence_rate'], target: 0.3 },
];
const times = cases.map(() => [] as number[]);
// interleaved, so that a change of load affects every case alike
for (let k = 0; k < RUNS; k++) cases.forEach((c, i) => times[i]!.push(time(c.args)));
const base = median(times[0]!);
cases.forEach((c, i) => {
  const m = median(times[i]!);
  console.log(
    JSON.stringify({
      name: `startup: ${c.name}, median of ${RUNS}`,
      seconds: m,
      peakRssMiB: 0,
      ...(c.target ? { target: `< ${c.target * 1000} ms (${m < c.target ? 'met' : 'NOT met'}; ${Math.round((m - base) * 1000)} ms above bare node; load ${loadavg()[0]!.toFixed(2)})` } : {}),
    }),
  );
});
