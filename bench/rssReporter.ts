/**
 * Preloaded into benchmarked CLI runs (node --import): writes the process's peak RSS (KiB)
 * and then its CPU time (user + system, µs, all threads) to $VRU_BENCH_RSS at exit.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.VRU_BENCH_RSS;
if (out)
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`);
  });
