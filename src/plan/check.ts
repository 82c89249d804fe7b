/**
 * `vru-eval run plan.yaml --check results/`: compare freshly computed result documents with the
 * committed ones, number by number, under the plan's per-quantity tolerances:
 *   - point quantities (estimates, coefficients, weights, counts, options …): relative tolerance
 *     `tolerances.point` (default 0: exact);
 *   - resampling quantities (standard errors, intervals, p-values, bands: any value under a key
 *     such as se, ci, *Ci, pValue, band, lower, upper, critical): `tolerances.resampling`
 *     (default 1e-6 relative).
 * Strings, booleans and nulls must match exactly. The tool version (`tool`) is not compared;
 * charts, the report and the manifest (wall times) are regenerated but not compared.
 * Panels built by data steps (results/data/<name>.csv) must match byte for byte; their
 * manifests (which record the tool version and the archive paths) are not compared.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tolerances } from './spec.js';

const RESAMPLING = /^(se|sd|ses|ci|cis|pValue|pValues|p|lower|upper|band|bands|uniformBand|critical|criticalValue|boot|boots?Se)$|Ci$|Se$|PValue$|Band$/;

export interface Drift {
  file: string;
  path: string;
  committed: unknown;
  now: unknown;
  kind: 'point' | 'resampling' | 'structure';
  tolerance: number | null;
}

function isResampling(path: readonly string[]): boolean {
  return path.some((k) => RESAMPLING.test(k));
}

function fmtPath(path: readonly string[]): string {
  return path.reduce((s, k) => (/^\d+$/.test(k) ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
}

/** Differences between two parsed documents beyond the tolerances. */
export function diffDocuments(committed: unknown, now: unknown, tol: Tolerances, file: string): Drift[] {
  const out: Drift[] = [];
  const walk = (a: unknown, b: unknown, path: string[]): void => {
    if (path.length === 1 && path[0] === 'tool') return;
    if (typeof a === 'number' && typeof b === 'number') {
      const resampling = isResampling(path);
      const rtol = resampling ? tol.resampling : tol.point;
      if (a !== b && !(Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)))) out.push({ file, path: fmtPath(path), committed: a, now: b, kind: resampling ? 'resampling' : 'point', tolerance: rtol });
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        out.push({ file, path: fmtPath(path), committed: `${a.length} items`, now: `${b.length} items`, kind: 'structure', tolerance: null });
        return;
      }
      a.forEach((x, i) => walk(x, b[i], [...path, String(i)]));
      return;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      for (const k of ka) {
        if (!(k in b)) out.push({ file, path: fmtPath([...path, k]), committed: (a as Record<string, unknown>)[k], now: '(missing)', kind: 'structure', tolerance: null });
        else walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k]);
      }
      for (const k of kb) if (!(k in a)) out.push({ file, path: fmtPath([...path, k]), committed: '(missing)', now: (b as Record<string, unknown>)[k], kind: 'structure', tolerance: null });
      return;
    }
    if (a !== b) out.push({ file, path: fmtPath(path), committed: a, now: b, kind: 'structure', tolerance: null });
  };
  walk(committed, now, []);
  return out;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '…' : s;
}

/** One readable line per drift. */
export function driftLine(d: Drift): string {
  if (d.kind === 'structure') return `  ${d.path || '(document)'}: committed ${show(d.committed)}, now ${show(d.now)}`;
  const a = d.committed as number;
  const b = d.now as number;
  const rel = a === 0 ? Infinity : Math.abs(b - a) / Math.abs(a);
  return `  ${d.path}: committed ${a}, now ${b} (Δ ${b - a}, relative ${rel === Infinity ? '∞' : rel.toPrecision(3)}; tolerance ${d.tolerance} for ${d.kind === 'point' ? 'point estimates' : 'SEs, intervals and p-values'})`;
}

export interface CheckResult {
  compared: string[];
  drifts: Drift[];
  /** Readable report, one line per difference (at most `perFile` per file). */
  text: string;
}

/** The first line where two texts differ (1-based), with both lines; null when equal. */
function firstDifferentLine(a: string, b: string): { line: number; committed: string; now: string } | null {
  if (a === b) return null;
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return { line: i + 1, committed: la[i] ?? '(end of file)', now: lb[i] ?? '(end of file)' };
  }
  return { line: la.length, committed: '(bytes differ)', now: '(bytes differ)' };
}

/** Byte-for-byte comparison of built panels (`data/<name>.csv`, relative to both directories). */
function checkPanels(committedDir: string, freshDir: string, panels: readonly string[]): { drifts: Drift[]; lines: string[] } {
  const drifts: Drift[] = [];
  const lines: string[] = [];
  for (const file of panels) {
    const c = join(committedDir, file);
    if (!existsSync(c)) {
      drifts.push({ file, path: '', committed: '(no committed file)', now: 'built', kind: 'structure', tolerance: null });
      lines.push(`${file}: not in the committed results (run without --check to write it, then commit it)`);
      continue;
    }
    const a = readFileSync(c);
    const b = readFileSync(join(freshDir, file));
    if (a.equals(b)) continue;
    const sha = (x: Buffer): string => createHash('sha256').update(x).digest('hex');
    const d = firstDifferentLine(a.toString('utf8'), b.toString('utf8'))!;
    drifts.push({ file, path: `line ${d.line}`, committed: d.committed, now: d.now, kind: 'structure', tolerance: null });
    lines.push(`${file}: the built panel differs (committed sha256 ${sha(a).slice(0, 12)}…, ${a.length} bytes; now ${sha(b).slice(0, 12)}…, ${b.length} bytes)`);
    lines.push(`  first difference at line ${d.line}: committed ${show(d.committed)}, now ${show(d.now)}`);
  }
  return { drifts, lines };
}

/**
 * Compare the documents `names` (`<name>.json`) of the committed directory with the fresh one.
 * `allNames` (the whole plan) says which committed files are expected; others are ignored.
 */
export function checkResults(committedDir: string, freshDir: string, names: readonly string[], tol: Tolerances, shownDir = committedDir, perFile = 12, panels: readonly string[] = []): CheckResult {
  const drifts: Drift[] = [];
  const lines: string[] = [];
  for (const n of names) {
    const file = `${n}.json`;
    const c = join(committedDir, file);
    const f = join(freshDir, file);
    if (!existsSync(c)) {
      drifts.push({ file, path: '', committed: '(no committed file)', now: 'computed', kind: 'structure', tolerance: null });
      lines.push(`${file}: not in the committed results (run without --check to write it, then commit it)`);
      continue;
    }
    const ds = diffDocuments(JSON.parse(readFileSync(c, 'utf8')), JSON.parse(readFileSync(f, 'utf8')), tol, file);
    drifts.push(...ds);
    if (ds.length === 0) continue;
    lines.push(`${file}: ${ds.length} difference${ds.length === 1 ? '' : 's'}`);
    for (const d of ds.slice(0, perFile)) lines.push(driftLine(d));
    if (ds.length > perFile) lines.push(`  … and ${ds.length - perFile} more`);
  }
  const p = checkPanels(committedDir, freshDir, panels);
  drifts.push(...p.drifts);
  lines.push(...p.lines);
  const built = panels.length ? ` and ${panels.length} built panel(s)` : '';
  const text = drifts.length === 0 ? `check: ${names.length} result document(s)${built} match the committed results in ${shownDir} within the plan's tolerances (point ${tol.point}, resampling ${tol.resampling})\n` : `check: drift in ${new Set(drifts.map((d) => d.file)).size} of ${panels.length ? `${names.length + panels.length} files (${names.length} result document(s)${built})` : `${names.length} result document(s)`}\n${lines.join('\n')}\n`;
  return { compared: [...names, ...panels], drifts, text };
}
