/** Preloaded into benchmarked CLI runs (node --import): writes the process's peak RSS (KiB) to $VRU_BENCH_RSS at exit. */
import { writeFileSync } from 'node:fs';

const out = process.env.VRU_BENCH_RSS;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
