/**
 * Functions in src/ longer than a screen (issue 23: each stage of an estimator fits on a screen,
 * as a guide nothing over ~80 lines), found with the TypeScript compiler API: function
 * declarations, methods, and arrow/function expressions assigned to a name, measured from the
 * first to the last line of the declaration (body included, doc comment excluded).
 *
 *   npm run longfns                     # list, longest first
 *   node dist/scripts/longFunctions.js 120   # another threshold
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

import { tsFiles } from './importGraph.js';

export interface LongFunction {
  file: string;
  name: string;
  line: number;
  lines: number;
}


function nameOf(node: ts.Node): string | null {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const p = node.parent;
    if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText();
    return null;
  }
  return null;
}

/** Named functions of at least `min` lines in every .ts file under `dir`. */
export function longFunctions(root: string, dir = 'src', min = 81): LongFunction[] {
  const out: LongFunction[] = [];
  for (const file of tsFiles(join(root, dir))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      const name = nameOf(node);
      if (name !== null) {
        const a = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const b = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        if (b - a + 1 >= min) out.push({ file: relative(root, file).split('\\').join('/'), name, line: a + 1, lines: b - a + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out.sort((x, y) => y.lines - x.lines || x.file.localeCompare(y.file));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const min = Number(process.argv[2] ?? 81);
  const list = longFunctions(root, 'src', min);
  for (const f of list) process.stdout.write(`${String(f.lines).padStart(4)}  ${f.name}  ${f.file}:${f.line}\n`);
  process.stdout.write(`${list.length} functions of ${min} lines or more\n`);
}
