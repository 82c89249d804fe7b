/**
 * Charts and report, end to end through the CLI: the default chart of a result as SVG and as
 * PNG, the gap chart of a synth result with 260 placebo lines (a 300-area donor pool), and the
 * HTML report of five fixture results (18 charts). No target in the issue; for scale, the
 * lead's target for a whole estimating command is a few seconds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCli, benchDir } from './measure.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fix = (n: string) => join(root, 'tests', 'fixtures', 'results', `${n}.json`);
const dir = benchDir();

// a synth result with 260 placebos: the fixture's placebo gaps recycled under new names
const synth = JSON.parse(readFileSync(fix('synth'), 'utf8'));
const base = synth.placebos.units as { unit: string; gaps: number[] }[];
synth.placebos.units = Array.from({ length: 260 }, (_, k) => ({ ...base[k % base.length]!, unit: `P${String(k).padStart(3, '0')}`, included: true }));
const big = join(dir, 'synth260.json');
writeFileSync(big, JSON.stringify(synth));

const out = (f: string) => join(dir, f);
const lines = [
  benchCli('plot gsynth result → SVG (default chart)', ['plot', fix('gsynth'), '--out', out('g.svg')]),
  benchCli('plot gsynth result → PNG (default chart, 2×)', ['plot', fix('gsynth'), '--out', out('g.png')]),
  benchCli('plot synth gap with 260 placebo lines → SVG', ['plot', big, '--kind', 'gap', '--out', out('gap.svg')]),
  benchCli('report of 5 results (18 inline charts) → HTML', ['report', ...['synth', 'gsynth', 'its', 'did', 'cba'].map(fix), '--out', out('r.html')]),
];
for (const l of lines) console.log(JSON.stringify(l));
