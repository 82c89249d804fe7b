/**
 * Byte-identity corpus (issue 23): a fixed set of command lines covering every method and every
 * inference option, run through the built binary (dist/bin/vru-eval.js) from the repository root
 * with relative paths, each output's sha256 recorded in tests/fixtures/identityCorpus.json.
 * A refactor that claims "nothing changes for users" must reproduce every hash.
 *
 *   npm run corpus                       # recompute every entry, compare with the recorded hashes
 *   npm run corpus -- --fast             # only the entries marked fast (what CI runs: tests/arch/identityCorpus.test.ts)
 *   npm run corpus -- --write            # record the hashes (ONLY for an intentional change of output; say why in the commit)
 *   npm run corpus -- --only gsynth      # entries whose name contains 'gsynth'
 *
 * What is hashed: stdout (the JSON document; stdout is a pipe so the CLI prints JSON), or for
 * entries writing a directory (`run`, `robustness`) every file in it, sorted by name. The exit
 * code is part of the hash, so an error case that starts succeeding (or the reverse) is caught.
 * `{tmp}` in an argument is a scratch directory shared by the entries of one run, so an entry can
 * read what an earlier one wrote (cba --from a gsynth result).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusEntry {
  name: string;
  args: string[];
  /** Part of the fast subset run in CI. */
  fast?: boolean;
  /** Hash the files of this directory (under {tmp}) instead of stdout. */
  dir?: string;
}

const F = 'fixtures/police_monthly.csv';
const D = (name: string): string => `../shared/datasets/${name}/data.csv`;
const FIX = [F, '--outcome', 'violence_rate'];

export const CORPUS: readonly CorpusEntry[] = [
  // generalized synthetic control: each inference, EM, count scale, threads
  { name: 'gsynth-parametric', args: ['scm', ...FIX, '--method', 'gsynth', '--population', 'population', '--factors', '2', '--reps', '60'], fast: true },
  { name: 'gsynth-parametric-threads2', args: ['scm', ...FIX, '--method', 'gsynth', '--population', 'population', '--factors', '2', '--reps', '60', '--threads', '2'] },
  { name: 'gsynth-nonparametric-cv', args: ['scm', ...FIX, '--method', 'gsynth', '--inference', 'nonparametric', '--reps', '40', '--seed', '7'] },
  { name: 'gsynth-jackknife', args: ['scm', ...FIX, '--method', 'gsynth', '--inference', 'jackknife', '--factors', '1'], fast: true },
  { name: 'gsynth-none-em-exclude', args: ['scm', ...FIX, '--method', 'gsynth', '--inference', 'none', '--factors', '2', '--em', '--exclude-periods', '2020-04:2020-06'] },
  { name: 'gsynth-count-scale', args: ['scm', F, '--outcome', 'offences', '--method', 'gsynth', '--factors', '2', '--reps', '30', '--outcome-scale', 'count'] },
  { name: 'gsynth-simdata', args: ['scm', D('gsynth_simdata'), '--outcome', 'Y', '--covariates', 'X1,X2', '--method', 'gsynth', '--force', 'two-way', '--factors', 'auto', '--reps', '30'] },
  // classic synthetic control
  { name: 'synth-prop99-placebo', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'synth', '--predictors', 'lnincome@1980:1988,retprice@1980:1988,cigsale@1975,cigsale@1980,cigsale@1988'], fast: true },
  { name: 'synth-prop99-conformal', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'synth', '--inference', 'conformal', '--placebo', 'none'] },
  { name: 'synth-fixture-time-placebo', args: ['scm', ...FIX, '--method', 'synth', '--treated-units', 'A07', '--start', '2019-04', '--placebo', 'time', '--placebo-start', '2018-04'] },
  { name: 'synth-fixture-draws-loo', args: ['scm', ...FIX, '--method', 'synth', '--reps', '20', '--loo', '--seed', '3'] },
  { name: 'synth-none', args: ['scm', ...FIX, '--method', 'synth', '--placebo', 'none', '--inference', 'none'] },
  { name: 'synth-prop99-fast', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'synth', '--placebo', 'none', '--inference', 'none'], fast: true },
  // synthetic difference-in-differences
  { name: 'sdid-placebo', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'sdid', '--reps', '50'], fast: true },
  { name: 'sdid-bootstrap', args: ['scm', ...FIX, '--method', 'sdid', '--inference', 'bootstrap', '--reps', '40'] },
  { name: 'sdid-jackknife', args: ['scm', ...FIX, '--method', 'sdid', '--inference', 'jackknife'], fast: true },
  { name: 'sdid-sc-none', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'sdid', '--sdid-estimator', 'sc', '--inference', 'none'] },
  { name: 'sdid-did-placebo', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'sdid', '--sdid-estimator', 'did', '--reps', '30'] },
  // augmented synthetic control
  { name: 'ascm-conformal', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'ascm'], fast: true },
  { name: 'ascm-jackknife+', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'ascm', '--inference', 'jackknife+'] },
  { name: 'ascm-none-nomodel', args: ['scm', D('prop99'), '--outcome', 'cigsale', '--method', 'ascm', '--inference', 'none', '--ascm-model', 'none'] },
  // micro synthetic control
  { name: 'micro-permutation', args: ['scm', F, '--outcome', 'offences', '--method', 'micro', '--reps', '20'] },
  { name: 'micro-all-inference', args: ['scm', F, '--outcome', 'offences,stop_search', '--method', 'micro', '--inference', 'permutation,jackknife,linearisation', '--reps', '10', '--threads', '2'] },
  { name: 'micro-none', args: ['scm', F, '--outcome', 'offences', '--method', 'micro', '--inference', 'none', '--match-periods', 'total'] },
  // interrupted time series
  { name: 'its-fixture-ar1', args: ['its', ...FIX, '--interruption', '2019-04', '--dummy', '2020-04:2020-05', '--seasonality', 'month', '--errors', 'ar:1'], fast: true },
  { name: 'its-sicily-poisson', args: ['its', D('sicily'), '--outcome', 'aces', '--family', 'poisson', '--offset', 'stdpop', '--no-slope'] },
  { name: 'its-fixture-control', args: ['its', ...FIX, '--series', 'A07', '--control', '--errors', 'newey-west:3'] },
  // difference-in-differences
  { name: 'did-twfe-event', args: ['did', ...FIX, '--event-window', '-12:12'], fast: true },
  { name: 'did-twfe-wild', args: ['did', D('mpdta'), '--outcome', 'lemp', '--event-window', '-4:3', '--wild-bootstrap', '199', '--seed', '7'] },
  { name: 'did-twfe-weights-cov', args: ['did', ...FIX, '--event-window', '-12:12', '--weights', 'population', '--covariates', 'stop_search', '--vcov', 'hc1'] },
  { name: 'did-cs-boot', args: ['did', D('mpdta'), '--outcome', 'lemp', '--method', 'cs', '--reps', '199', '--seed', '3'], fast: true },
  { name: 'did-cs-notyet-gaussian', args: ['did', D('mpdta'), '--outcome', 'lemp', '--method', 'cs', '--control', 'notyet', '--reps', '99', '--bootstrap-weights', 'gaussian'] },
  { name: 'did-cs-universal-noboot', args: ['did', D('mpdta'), '--outcome', 'lemp', '--method', 'cs', '--base-period', 'universal', '--reps', '0', '--covariates', 'lpop'] },
  // cost-benefit (from a gsynth result written above, from numbers, from a spec)
  { name: 'cba-gsynth-out', args: ['scm', ...FIX, '--method', 'gsynth', '--population', 'population', '--factors', '2', '--reps', '30', '--out', '{tmp}/gsynth.json'], fast: true },
  { name: 'cba-from', args: ['cba', '--from', '{tmp}/gsynth.json', '--name', 'violence', '--outcome-type', 'violence-without-injury', '--multiplier', '1.5', '--uprate', '1.0927', '--costs', '121952973'], fast: true },
  { name: 'cba-numbers', args: ['cba', '--offences-avoided', '1000', '--ci', '500,1500', '--name', 'x', '--unit-cost', '100', '--costs-by-year', '2019/20:50000,2020/21:51750', '--benefit-shares', '2019:0.25,2020:0.75'] },
  { name: 'cba-rate', args: ['cba', '--effect-per-100k', '-4', '--population-total', '2500000', '--name', 'v', '--unit-cost', '2000', '--costs', '1000000'] },
  { name: 'cba-from-rate-base', args: ['cba', '--from', '{tmp}/gsynth.json', '--rate-per', '1000', '--population-total', '2500000', '--name', 'v', '--unit-cost', '2000', '--costs', '1000000'] },
  { name: 'cba-spec', args: ['cba', '--spec', 'examples/home-office-vru-2022.json'], fast: true },
  // describe, robustness, a whole plan
  // power: shift evaluation (gsynth), rerun evaluation with a proportional effect (sdid), placebo in time (twfe)
  { name: 'power-gsynth-shift', args: ['power', ...FIX, '--population', 'population', '--method', 'gsynth', '--sims', '12', '--reps', '20', '--outcome-scale', 'rate'] },
  { name: 'power-sdid-rerun-proportional', args: ['power', F, '--outcome', 'offences', '--method', 'sdid', '--sims', '10', '--effect-type', 'proportional', '--effects', '0.1,0.3', '--seed', '5'] },
  { name: 'power-twfe-time', args: ['power', ...FIX, '--method', 'twfe', '--placebo', 'time', '--sims', '15', '--post', '6'], fast: true },
  { name: 'describe', args: ['describe', F, '--outcome', 'offences', '--baseline', '2018/19'], fast: true },
  { name: 'robustness-loo', args: ['robustness', '{tmp}/gsynth.json', '--data', F, '--loo-donors', '2', '--in-time-placebo', '2018-04', '--threads', '1'] },
  { name: 'run-plan', args: ['run', 'examples/home-office/plan.yaml', '--out', '{tmp}/plan', '--threads', '1'], dir: 'plan' },
  // usage and input errors keep their codes and messages
  { name: 'error-bad-inference', args: ['scm', ...FIX, '--method', 'sdid', '--inference', 'conformal', '--json'], fast: true },
  { name: 'error-missing-column', args: ['did', F, '--outcome', 'nope', '--json'], fast: true },
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'dist', 'bin', 'vru-eval.js');
export const HASHES_FILE = join(ROOT, 'tests', 'fixtures', 'identityCorpus.json');

function sha(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** A plan manifest without its wall-clock times (wallMs: the one field that differs run to run). */
function stableManifest(text: string): string {
  return text.replace(/"wallMs": \d+/g, '"wallMs": 0');
}

function hashDir(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...hashDir(p, `${prefix}${name}/`));
    else out.push(`${prefix}${name} ${sha(name === 'manifest.json' ? stableManifest(readFileSync(p, 'utf8')) : readFileSync(p))}`);
  }
  return out;
}

/** Run one entry; its hash covers the exit code, stdout (or the directory's files) and, on failure, stderr. */
export function runEntry(e: CorpusEntry, tmp: string): { hash: string; code: number; stderr: string } {
  const args = e.args.map((a) => a.replaceAll('{tmp}', tmp));
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const code = r.status ?? -1;
  const parts = [`exit ${code}`];
  if (e.dir !== undefined) {
    const d = join(tmp, e.dir);
    parts.push(...(existsSync(d) ? hashDir(d) : ['(no directory)']));
  } else parts.push(`stdout ${sha(r.stdout)}`);
  if (code !== 0) parts.push(`stderr ${sha(r.stderr.replaceAll(tmp, '{tmp}'))}`);
  return { hash: sha(parts.join('\n')), code, stderr: r.stderr };
}

export function runCorpus(filter: (e: CorpusEntry) => boolean, log: (s: string) => void = () => undefined): Record<string, string> {
  const tmp = mkdtempSync(join(tmpdir(), 'vru-corpus-'));
  const out: Record<string, string> = {};
  try {
    for (const e of CORPUS) {
      if (!filter(e)) continue;
      const t0 = Date.now();
      const r = runEntry(e, tmp);
      out[e.name] = r.hash;
      log(`${e.name.padEnd(30)} exit ${r.code} ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s ${r.hash.slice(0, 16)}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

function cli(argv: string[]): number {
  const fast = argv.includes('--fast');
  const write = argv.includes('--write');
  const k = argv.indexOf('--only');
  const only = k >= 0 ? argv[k + 1] : undefined;
  // entries depend on earlier ones through {tmp} (cba-from, robustness read cba-gsynth-out)
  const needed = (e: CorpusEntry): boolean => (only === undefined ? !fast || e.fast === true : e.name.includes(only)) || (e.name === 'cba-gsynth-out' && (only === undefined || only.startsWith('cba') || only.startsWith('robust')));
  const got = runCorpus(needed, (s) => process.stdout.write(s + '\n'));
  const recorded: Record<string, string> = existsSync(HASHES_FILE) ? (JSON.parse(readFileSync(HASHES_FILE, 'utf8')) as { hashes: Record<string, string> }).hashes : {};
  if (write) {
    const hashes = { ...recorded, ...got };
    const ordered = Object.fromEntries(CORPUS.filter((e) => hashes[e.name] !== undefined).map((e) => [e.name, hashes[e.name]!]));
    writeFileSync(HASHES_FILE, JSON.stringify({ note: 'sha256 per corpus entry (scripts/identityCorpus.ts); regenerate only for an intentional output change: npm run corpus -- --write', hashes: ordered }, null, 2) + '\n');
    process.stdout.write(`wrote ${Object.keys(got).length} hashes to ${HASHES_FILE}\n`);
    return 0;
  }
  let bad = 0;
  for (const [name, h] of Object.entries(got)) {
    if (recorded[name] !== h) {
      bad++;
      process.stdout.write(`DIFFERS: ${name} (recorded ${recorded[name]?.slice(0, 16) ?? 'none'}, now ${h.slice(0, 16)})\n`);
    }
  }
  process.stdout.write(bad === 0 ? `identical: ${Object.keys(got).length} entries\n` : `${bad} of ${Object.keys(got).length} entries differ\n`);
  return bad === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = cli(process.argv.slice(2));
