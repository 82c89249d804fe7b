/**
 * `--plot <file>` on estimating commands: added once in addOutputOptions, drawn by the
 * program's postAction hook from the document emitDocument wrote. Exercised in-process with
 * a stand-in command built exactly as estimating commands are (addOutputOptions + emitDocument),
 * re-emitting a fixture result, because the estimators land on other branches.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { emitDocument, type CliContext } from '../../src/cli/context.js';
import { addOutputOptions } from '../../src/cli/options.js';
import { VruError } from '../../src/core/errors.js';
import { ROOT, expectValidDocument, runCli, tempDir } from '../helpers.js';
import { ariaLabels } from './svg.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'results');

/** A program with every real command plus `fake`, which re-emits a result document like an estimator would. */
async function program() {
  const out: string[] = [];
  const ctx: CliContext = { io: { stdout: (s) => out.push(s), stderr: () => undefined, stderrIsTTY: false }, tool: { name: 'vru-eval', version: '0.1.0' } };
  const prog = await buildProgram(ctx);
  const fake = new Command('fake').argument('<result>').exitOverride();
  addOutputOptions(fake);
  fake.action((file: string, o: Record<string, unknown>) => {
    const { schemaVersion: _s, tool: _t, command: _c, input, ...analysis } = JSON.parse(readFileSync(file, 'utf8'));
    emitDocument(ctx, 'fake', input, analysis, o.out as string | undefined);
  });
  prog.addCommand(fake);
  return { run: (args: string[]) => prog.parseAsync(['node', 'vru-eval', 'fake', ...args]), stdout: out };
}

describe('--plot on estimating commands', () => {
  it('is a shared output flag (scm has it)', () => {
    expect(runCli(['scm', '--help']).stdout).toMatch(/--plot <file>/);
  });

  it('writes the document, then the default chart of that document', async () => {
    const dir = tempDir();
    const p = await program();
    await p.run([join(FIX, 'synth.json'), '--out', join(dir, 'r.json'), '--plot', join(dir, 'r.svg')]);
    const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expectValidDocument(doc);
    const svg = readFileSync(join(dir, 'r.svg'), 'utf8');
    expect(svg).toContain('<title id="vru-title">Violence rate: treated vs synthetic control</title>');
    expect(ariaLabels(svg)).toContain('Intervention starts 2019-04');
    expect(readdirSync(dir).sort()).toEqual(['r.json', 'r.svg']);
  });

  it('draws the method’s default kind, as PNG when asked, with the document on stdout', async () => {
    const dir = tempDir();
    const p = await program();
    await p.run([join(FIX, 'did.json'), '--plot', join(dir, 'event.png')]);
    expect(JSON.parse(p.stdout.join('')).method).toBe('twfe');
    expect([...readFileSync(join(dir, 'event.png')).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  });

  it('a bad --plot name fails before the command runs: no document, no chart', async () => {
    const dir = tempDir();
    const p = await program();
    const err = await p.run([join(FIX, 'synth.json'), '--out', join(dir, 'r.json'), '--plot', join(dir, 'r.pdf')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VruError);
    expect((err as VruError).code).toBe('BAD_PLOT_FILE');
    expect((err as VruError).exitCode).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when there is nothing to draw the error says so; the complete document stays, no partial chart', async () => {
    const dir = tempDir();
    const empty = join(dir, 'empty.json');
    const doc = JSON.parse(readFileSync(join(FIX, 'did.json'), 'utf8'));
    doc.path = [];
    doc.eventPath = [];
    (await import('node:fs')).writeFileSync(empty, JSON.stringify(doc));
    const p = await program();
    const err = await p.run([empty, '--out', join(dir, 'r.json'), '--plot', join(dir, 'r.svg')]).catch((e: unknown) => e);
    expect((err as VruError).code).toBe('NOTHING_TO_PLOT');
    expectValidDocument(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')));
    expect(existsSync(join(dir, 'r.svg'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['empty.json', 'r.json']);
  });
});
