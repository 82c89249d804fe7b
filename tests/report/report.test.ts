/**
 * The HTML report: one self-contained page (no scripts, no external references, a CSP that
 * forbids fetching), every analysis in words and numbers, charts inline with unique ids,
 * diagnostics, warnings, options and seed; deterministic bytes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/html.js';
import { applicableKinds } from '../../src/plot/kinds.js';
import { checkResultDocument } from '../../src/plot/document.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'results');
const NAMES = ['synth', 'gsynth', 'its', 'did', 'cs', 'cba'];
const inputs = NAMES.map((n) => ({ doc: checkResultDocument(JSON.parse(readFileSync(join(FIX, `${n}.json`), 'utf8'))), file: `${n}.json` }));
const text = (html: string) => html.replace(/<svg[\s\S]*?<\/svg>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

describe('HTML report', async () => {
  const html = await buildReport(inputs, { marks: [{ period: '2020-04', label: 'lockdown' }] });
  const words = text(html);

  it('is one self-contained page: no scripts, no external resources, fetching forbidden by CSP', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en-GB">')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(\s*['"]?https?:/i);
    // the only absolute URLs are the SVG/XLink namespace names, which are never fetched
    const urls = new Set([...html.matchAll(/https?:\/\/[^\s"')<]+/g)].map((m) => m[0]));
    expect([...urls].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  });

  it('has one section per document with the question, data, estimate, charts, diagnostics, warnings and options', () => {
    expect(html.match(/<section id="analysis-\d+"/g)).toHaveLength(6);
    for (const h of ['The question', 'The data', 'The estimate', 'Charts', 'Diagnostics', 'Warnings', 'Options and reproducibility']) expect(html.match(new RegExp(`<h3>${h}</h3>`, 'g'))).toHaveLength(6);
    const charts = inputs.reduce((s, i) => s + applicableKinds(i.doc).length, 0);
    // every kind of every analysis, plus the brief's one figure on page 1
    expect(html.match(/<svg /g)).toHaveLength(charts + 1);
    expect(html.match(/<figure id="brief-figure"/g)).toHaveLength(1);
    expect(words).toContain('How did violence rate in the 3 treated areas from 2019-04 compare with a synthetic control');
    expect(words).toContain('Did the level or the trend of violence rate change at 2019-04 and 2019-09, beyond what the pre-intervention trend predicts?');
    expect(words).toContain('Rows 3,960 Units 60 Periods 66 monthly (2015-04 to 2020-09)');
    expect(words).toContain('Seed 20190401');
  });

  it('states each estimate in words and numbers', () => {
    const gs = inputs[1]!.doc;
    const cbaDoc = inputs[5]!.doc as unknown as { input: { files: { sha256: string }[] } };
    const c = gs.counts as { offencesAvoided: number; ci: [number, number] };
    const n = (x: number) => Math.round(x).toLocaleString('en-GB');
    expect(words).toContain(`an estimated ${n(c.offencesAvoided)} offences avoided (95% CI ${n(c.ci[0])} to ${n(c.ci[1])})`);
    const att = gs.estimate!.att!;
    expect(words).toContain(`an average effect of −${Math.abs(att).toFixed(2)} (95% CI −${Math.abs(gs.estimate!.ci![0]).toFixed(2)} to −${Math.abs(gs.estimate!.ci![1]).toFixed(2)}; p < 0.001; inference: bootstrap-parametric)`);
    expect(words).toContain('Level change at 2019-04: −2.50 (95% CI −4.46 to −0.54), p = 0.012.');
    expect(words).toContain('Pre-trend test (joint test that all pre-period event-time effects are zero): p = 0.430, no evidence against parallel pre-trends.');
    expect(words).toContain('Benefit-cost ratio 3.16, ranging from 0.40 (at the CI bound with fewer offences avoided) to 11.07 (at the bound with more)');
    expect(words).toContain('violence without injury: an estimated 27,585 offences avoided');
    // unitCost and input.files are objects in the cba command's output
    expect(words).toContain('after the under-reporting multiplier 1.50, at £6,480 each: benefits of £268,125,706');
    expect(words).toContain(`Inputs home-office-vru-2022.json (spec), SHA-256 ${cbaDoc.input.files[0]!.sha256.slice(0, 12)}…`);
    expect(words).toMatch(/Aggregations of ATT\(g,t\) Aggregation ATT SE 95% CI p-value What it averages simple −\d\.\d\d/);
  });

  it('lists diagnostics (with their tables), warnings and every option', () => {
    for (const code of ['PRE_RMSPE', 'FACTORS_CV', 'DURBIN_WATSON', 'PRE_TRENDS']) expect(html).toContain(`<code>${code}</code>`);
    expect(html).toContain('<summary>table (6 rows)</summary>');
    expect(html).toContain('<th scope="row"><code>placeboFilter</code></th><td>5</td>');
  });

  it('gives every element id once, so inline charts do not share clip paths', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
  });

  it('is the same bytes every time', async () => {
    expect(await buildReport(inputs, { marks: [{ period: '2020-04', label: 'lockdown' }] })).toBe(html);
  });
});

describe('vru-eval report', () => {
  it('writes the page atomically to --out', () => {
    const dir = tempDir();
    const out = join(dir, 'report.html');
    const r = runCli(['report', join(FIX, 'its.json'), join(FIX, 'cba.json'), '--out', out, '--title', 'Serious Violence Fund']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('<title>Serious Violence Fund</title>');
    expect(page.match(/<section id="analysis-/g)).toHaveLength(2);
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it.each([
    [['--out', 'report.pdf'], 2, 'BAD_REPORT_FILE'],
    [['--mark', 'soon'], 2, 'BAD_MARK'],
  ])('bad flags %j → exit %i %s', (flags, code, err) => {
    const dir = tempDir();
    const r = runCli(['report', join(FIX, 'cba.json'), ...(flags as string[])], { cwd: dir });
    expect(r.code).toBe(code);
    expect(r.error().code).toBe(err);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing result file is an input error and writes nothing', () => {
    const dir = tempDir();
    const r = runCli(['report', join(FIX, 'cba.json'), join(dir, 'nope.json'), '--out', join(dir, 'r.html')]);
    expect(r.code).toBe(3);
    expect(r.error().code).toBe('RESULT_UNREADABLE');
    expect(readdirSync(dir)).toEqual([]);
  });
});
