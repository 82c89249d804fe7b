/**
 * Output routing (src/cli/output.ts): a readable summary when stdout is a terminal, the JSON
 * document exactly as before when it is not (or with --json / --format json), readable errors on a
 * terminal and the one-line JSON error otherwise, for every command.
 *
 * In process: main(argv, io) with the terminal flags injected through CliIO. Real binary: a
 * pseudo-terminal from util-linux `script -qec` (stdout and stderr both on the terminal), skipped
 * with a message where `script` is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readable } from '../../src/cli/summary.js';
import { BIN, FIXTURE, ROOT, runCli, tempDir } from '../helpers.js';

/** Drop progress lines (src/cli/progress.ts): "\r\x1b[K<label>…" while a step runs, erased after. */
function stripProgress(s: string): string {
  return s.replace(/\r\x1b\[K[^\r\n]*…/g, '').replace(/\r\x1b\[K[^\r\n]*: done in [\d.]+ s\n/g, '').replace(/\r\x1b\[K/g, '');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: readonly string[], tty: { out: boolean; err: boolean }): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stderrIsTTY: tty.err, stdoutIsTTY: tty.out, columns: 100 });
  return { code, stdout, stderr: stripProgress(stderr) };
}
const TTY = { out: true, err: true };
const PIPE = { out: false, err: false };

const RESULTS = join(ROOT, 'tests', 'fixtures', 'results');
const SPEC = join(ROOT, 'examples', 'home-office-vru-2022.json');

/** Every command: arguments of a quick successful run, what its summary must say, and a failing run. */
function cases(dir: string) {
  return [
    { name: 'scm', args: ['scm', FIXTURE, '--outcome', 'violence_rate', '--method', 'synth'], says: ['vru-eval scm: synth', 'estimate', 'cumulative', 'diagnostics'], bad: ['scm', join(dir, 'missing.csv'), '--outcome', 'x'], exit: 3 },
    { name: 'its', args: ['its', FIXTURE, '--outcome', 'violence_rate'], says: ['vru-eval its: seed', 'relative effect', 'estimate', 'CI', 'p ', 'post period'], bad: ['its', FIXTURE, '--outcome', 'no_such_column'], exit: 3 },
    { name: 'did', args: ['did', FIXTURE, '--outcome', 'violence_rate'], says: ['vru-eval did: twfe', 'estimate', 'CI'], bad: ['did', FIXTURE, '--outcome', 'violence_rate', '--method', 'nope'], exit: 2 },
    { name: 'cba', args: ['cba', '--spec', SPEC], says: ['vru-eval cba', 'benefit-cost ratio', '3.16', '£385,363,118'], bad: ['cba', '--costs', '1'], exit: 2 },
    { name: 'compare', args: ['compare', join(RESULTS, 'gsynth.json'), join(RESULTS, 'its.json')], says: ['vru-eval compare', 'INTERVALS_OVERLAP'], bad: ['compare', join(dir, 'none.json')], exit: 3 },
    { name: 'describe', args: ['describe', FIXTURE, '--outcome', 'offences', '--baseline', '2018/19'], says: ['vru-eval describe', 'descriptive: no counterfactual', 'last complete month'], bad: ['describe', FIXTURE, '--outcome', 'offences', '--baseline', '1999/00'], exit: 3 },
    { name: 'inspect', args: ['inspect', FIXTURE, '--outcome', 'offences'], says: ['vru-eval inspect: police_monthly.csv', '12 treated units and 48 control units', 'A07'], bad: ['inspect', FIXTURE, '--outcom', 'offences'], exit: 2 },
    { name: 'schema', args: ['schema'], says: ['vru-eval schema', 'estimate', 'diagnostics'], bad: ['schema', '--nope'], exit: 2 },
    { name: 'plot', args: ['plot', join(RESULTS, 'gsynth.json'), '--out', join(dir, 'g.svg')], says: ['vru-eval plot: drew the', `wrote ${join(dir, 'g.svg')}`], bad: ['plot', join(RESULTS, 'gsynth.json'), '--out', join(dir, 'g.gif')], exit: 2 },
    { name: 'report', args: ['report', join(RESULTS, 'gsynth.json'), '--out', join(dir, 'r.html')], says: ['vru-eval report: 1 analysis', `wrote ${join(dir, 'r.html')}`], bad: ['report', join(dir, 'none.json')], exit: 3 },
  ];
}

describe('output routing in process (CliIO terminal flags)', () => {
  const dir = tempDir();
  for (const c of cases(dir)) {
    it(`${c.name}: summary on a terminal, the same JSON as before when piped or with --json, readable and JSON errors`, async () => {
      const piped = await run(c.args, PIPE);
      expect(piped.code, piped.stderr).toBe(0);
      const term = await run(c.args, TTY);
      expect(term.code, term.stderr).toBe(0);
      for (const s of c.says) expect(term.stdout).toContain(s);
      expect(term.stdout.trimStart().startsWith('{')).toBe(false);
      expect(term.stdout.split('\n').length).toBeLessThan(60);
      // the headline numbers of the document, rounded for reading
      const doc = c.args.includes('--out') ? null : (JSON.parse(piped.stdout) as { estimate?: { att: number; ci: [number, number] | null } | null });
      if (doc?.estimate) {
        expect(term.stdout).toContain(readable(doc.estimate.att));
        if (doc.estimate.ci) expect(term.stdout).toContain(`CI ${readable(doc.estimate.ci[0])} to ${readable(doc.estimate.ci[1])}`);
      }
      const hasOut = c.args.includes('--out');
      if (!hasOut) {
        // piped: the JSON document (parses); --json on a terminal: byte-identical to piped
        expect(() => JSON.parse(piped.stdout)).not.toThrow();
        const json = await run([...c.args, '--json'], TTY);
        expect(json.stdout).toBe(piped.stdout);
        const fmt = await run([...c.args, '--format', 'json'], TTY);
        expect(fmt.stdout).toBe(piped.stdout);
      } else {
        expect(piped.stdout).toBe('');
      }
      // markdown on demand, also when piped
      const md = await run([...c.args, '--format', 'markdown'], PIPE);
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/^### vru-eval /);
      // errors
      const e1 = await run(c.bad, TTY);
      expect(e1.code).toBe(c.exit);
      expect(e1.stderr.startsWith(`vru-eval ${c.name}: `)).toBe(true);
      expect(e1.stderr).toContain(`exit code ${c.exit}`);
      expect(() => JSON.parse(e1.stderr)).toThrow();
      const e2 = await run(c.bad, PIPE);
      expect(e2.code).toBe(c.exit);
      const line = JSON.parse(e2.stderr.trim()) as { error: { code: string; message: string } };
      expect(typeof line.error.code).toBe('string');
      const e3 = await run([...c.bad, '--json'], TTY);
      expect(e3.code).toBe(c.exit);
      expect(JSON.parse(e3.stderr.trim()).error.code).toBe(line.error.code);
    });
  }

  it('--quiet prints nothing but the document when it has nowhere else to go; conflicting formats are usage errors', async () => {
    const q = await run(['schema', '--quiet'], TTY);
    expect(JSON.parse(q.stdout).title).toBe('vru-eval result document');
    const dir2 = tempDir();
    const q2 = await run(['cba', '--spec', SPEC, '--quiet', '--out', join(dir2, 'c.json')], TTY);
    expect(q2.code).toBe(0);
    expect(q2.stdout).toBe('');
    expect(existsSync(join(dir2, 'c.json'))).toBe(true);
    const c1 = await run(['schema', '--json', '--format', 'table'], PIPE);
    expect(c1.code).toBe(2);
    expect(JSON.parse(c1.stderr).error.code).toBe('CONFLICTING_FORMAT');
    const c2 = await run(['schema', '--quiet', '--format', 'markdown'], PIPE);
    expect(c2.code).toBe(2);
  });

  it('the document written with --out is byte-identical on a terminal and in a pipe, and the summary says where it went', async () => {
    const d = tempDir();
    const a = await run(['cba', '--spec', SPEC, '--out', join(d, 'a.json')], TTY);
    const b = await run(['cba', '--spec', SPEC, '--out', join(d, 'b.json')], PIPE);
    expect(a.code + b.code).toBe(0);
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe(readFileSync(join(d, 'b.json'), 'utf8'));
    expect(a.stdout).toContain(`wrote ${join(d, 'a.json')} (the JSON document)`);
    expect(b.stdout).toBe('');
  });

  it('an unknown option is reported before a missing required one', async () => {
    const r = await run(['scm', FIXTURE, '--outcom', 'violence_rate'], PIPE);
    expect(r.code).toBe(2);
    const e = JSON.parse(r.stderr).error;
    expect(e.message).toContain("unknown option '--outcom'");
    expect(e.message).toContain('--outcome');
    const m = await run(['scm', FIXTURE], PIPE);
    expect(m.code).toBe(2);
    expect(JSON.parse(m.stderr).error.message).toContain("required option '--outcome <col>' not specified");
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.warn('tests/cli/terminal.test.ts: util-linux `script` not found, pseudo-terminal tests skipped');

/** Run the real binary with stdout and stderr on a pseudo-terminal. */
function runPty(args: readonly string[]): Run {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync('script', ['-qec', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
  return { code: r.status ?? -1, stdout: stripProgress(r.stdout.replace(/\r\n/g, '\n')), stderr: r.stderr };
}

describe.skipIf(!hasScript || !existsSync(BIN))('the binary on a pseudo-terminal (script -qec)', () => {
  const dir = tempDir();
  for (const c of cases(dir)) {
    it(`${c.name}: summary and readable error on a terminal; JSON when piped`, () => {
      const t = runPty(c.args);
      expect(t.code, t.stdout).toBe(0);
      for (const s of c.says) expect(t.stdout).toContain(s);
      const e = runPty(c.bad);
      expect(e.code).toBe(c.exit);
      expect(e.stdout).toContain(`vru-eval ${c.name}: `);
      expect(e.stdout).not.toContain('{"error"');
      if (!c.args.includes('--out')) {
        const j = runPty([...c.args, '--json']);
        expect(j.code).toBe(0);
        const piped = runCli(c.args);
        expect(j.stdout).toBe(piped.stdout);
      }
      const pe = runCli(c.bad);
      expect(pe.code).toBe(c.exit);
      expect(pe.error().code).toMatch(/^[A-Z_]+$/);
    });
  }
});
