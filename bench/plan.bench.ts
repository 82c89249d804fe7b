/**
 * The example plan (examples/home-office/plan.yaml: 5 analyses, cba, a 23-variant robustness
 * suite, a comparison, 4 charts and the HTML report) end to end, serial (--jobs 1, one thread)
 * and parallel (--jobs 2, a pool of two worker threads). The results are byte-identical; the
 * ratio parallel/serial is measured in one run (quote it with the load average).
 * Run alone: npm run build && node dist/bench/run.js plan
 */
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCli, benchDir } from './measure.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const plan = join(root, 'examples', 'home-office', 'plan.yaml');
const out = benchDir();
const repeats = Number(process.env.VRU_BENCH_REPEATS ?? 1);
const serial = benchCli('run examples/home-office/plan.yaml --jobs 1 (serial, in process)', ['run', plan, '--out', join(out, 'serial'), '--jobs', '1'], { repeats });
console.log(JSON.stringify(serial));
const parallel = benchCli('run examples/home-office/plan.yaml --jobs 2 (2 worker threads)', ['run', plan, '--out', join(out, 'parallel'), '--jobs', '2'], { repeats });
console.log(JSON.stringify({ ...parallel, parallelOverSerial: parallel.seconds / serial.seconds }));
const check = benchCli('run examples/home-office/plan.yaml --check (the CI gate, --jobs 2)', ['run', plan, '--check', join(root, 'examples', 'home-office', 'results'), '--jobs', '2'], { repeats });
console.log(JSON.stringify(check));
console.log(`plan: parallel / serial wall time = ${(parallel.seconds / serial.seconds).toFixed(2)}`);
