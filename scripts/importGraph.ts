/**
 * The import graph of src/ (issue 23: "layers point down"), from the TypeScript compiler's parse of
 * each file: static imports and re-exports (marked type-only when `import type` / `export type`,
 * or when every named binding is `type X`) and dynamic `import()`.
 *
 *   node dist/scripts/importGraph.js            # layer edges and any cycle
 *
 * tests/arch/layers.test.ts asserts: no cycle through value imports, and the layer rules of LAYER_RULES.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface ImportEdge {
  from: string;
  to: string;
  /** Erased at run time (`import type`, `export type`, or only `type` bindings). */
  typeOnly: boolean;
  /** `await import(...)`: loaded when called, not when the module loads. */
  dynamic: boolean;
}

/** Every .ts source file below `dir` (no .d.ts), in a stable order. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every relative import of every .ts file under `srcDir`, as paths relative to `root` ('src/cli/main.ts'). */
export function importGraph(root: string, srcDir = 'src'): { files: string[]; edges: ImportEdge[] } {
  const files = tsFiles(join(root, srcDir));
  const rel = (p: string) => relative(root, p).split('\\').join('/');
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    const add = (spec: string, typeOnly: boolean, dynamic: boolean) => {
      if (!spec.startsWith('.')) return;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      edges.push({ from: rel(file), to: rel(target), typeOnly, dynamic });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const c = node.importClause;
        const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : null;
        const typeOnly = c !== undefined && (c.isTypeOnly || (c.name === undefined && named !== null && named.length > 0 && named.every((e) => e.isTypeOnly)));
        add(node.moduleSpecifier.text, typeOnly, false);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : null;
        add(node.moduleSpecifier.text, node.isTypeOnly || (named !== null && named.length > 0 && named.every((e) => e.isTypeOnly)), false);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        add(node.arguments[0].text, false, true);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        add(node.argument.literal.text, true, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { files: files.map(rel), edges };
}

/** Elementary cycles found by depth-first search over `edges` (each reported once, from its smallest file). */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) (next.get(e.from) ?? next.set(e.from, []).get(e.from)!).push(e.to);
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const dfs = (u: string): void => {
    state.set(u, 1);
    stack.push(u);
    for (const v of next.get(u) ?? []) {
      if (state.get(v) === 1) {
        const cyc = stack.slice(stack.indexOf(v));
        const k = cyc.indexOf([...cyc].sort()[0]!);
        const norm = [...cyc.slice(k), ...cyc.slice(0, k)];
        cycles.set(norm.join(' → '), norm);
      } else if (state.get(v) === undefined) dfs(v);
    }
    stack.pop();
    state.set(u, 2);
  };
  for (const u of [...next.keys()].sort()) if (state.get(u) === undefined) dfs(u);
  return [...cycles.values()];
}

/** Layer of a file: its first folder under src/ (or the file name for src/index.ts, src/analyse.ts). */
export function layerOf(file: string): string {
  const parts = file.replace(/^src\//, '').split('/');
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

/**
 * Layers may only import downwards. `forbidden[layer]` lists layers it must not import at all
 * (values, types or dynamic): core is the bottom; estimators know nothing of the app; the app layers
 * (analyse, plan) never reach into the CLI, which is the top.
 */
export const LAYER_RULES: Readonly<Record<string, readonly string[]>> = {
  core: ['estimators', 'analyse', 'plan', 'cli', 'plot', 'report', 'policeuk', 'describe', 'sim', 'index'],
  io: ['estimators', 'analyse', 'plan', 'cli', 'plot', 'report', 'policeuk', 'describe', 'sim', 'index'],
  estimators: ['analyse', 'plan', 'cli', 'plot', 'report', 'index'],
  analyse: ['plan', 'cli', 'plot', 'report', 'index'],
  plot: ['analyse', 'plan', 'cli', 'index'],
  report: ['analyse', 'plan', 'cli', 'index'],
  policeuk: ['analyse', 'plan', 'cli', 'index'],
  describe: ['analyse', 'plan', 'cli', 'index'],
  plan: ['cli', 'index'],
};

export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (LAYER_RULES[a]?.includes(b)) out.push(`${e.from} → ${e.to}${e.typeOnly ? ' (type)' : ''}${e.dynamic ? ' (dynamic)' : ''}`);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { edges } = importGraph(root);
  const runtime = edges.filter((e) => !e.typeOnly && !e.dynamic);
  const layers = new Map<string, number>();
  for (const e of edges) {
    const k = `${layerOf(e.from)} → ${layerOf(e.to)}`;
    if (layerOf(e.from) !== layerOf(e.to)) layers.set(k, (layers.get(k) ?? 0) + 1);
  }
  process.stdout.write('layer edges (imports):\n' + [...layers].sort().map(([k, n]) => `  ${k} (${n})`).join('\n') + '\n');
  const cycles = findCycles(runtime);
  process.stdout.write(`cycles through value imports: ${cycles.length}\n` + cycles.map((c) => '  ' + [...c, c[0]].join(' → ')).join('\n') + '\n');
  const typeCycles = findCycles(edges.filter((e) => !e.dynamic));
  process.stdout.write(`cycles including type-only imports: ${typeCycles.length}\n` + typeCycles.map((c) => '  ' + [...c, c[0]].join(' → ')).join('\n') + '\n');
  const v = layerViolations(edges);
  process.stdout.write(`layer violations: ${v.length}\n` + v.map((x) => '  ' + x).join('\n') + '\n');
}
