/**
 * docs/ (issue 23): every command and every method has its page, each page's flag sections are
 * what `npm run docs` generates from the option tables today (a renamed flag or a new default
 * fails here until the pages are regenerated), and every relative link in README.md and docs/
 * points to a file that exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockSpecs, docFiles, docMethods, flagSection, regenerate } from '../../scripts/docs.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { SCM_METHODS } from '../../src/cli/commands/scmRegistry.js';
import { main } from '../../src/cli/main.js';
import { FIXTURE } from '../helpers.js';
import { ROOT } from '../helpers.js';


const read = (f: string): string => readFileSync(f, 'utf8');

describe('docs/: one page per command and per method', () => {
  for (const c of COMMANDS) {
    it(`docs/commands/${c.name}.md exists with its generated flags`, () => {
      const f = join(ROOT, 'docs', 'commands', `${c.name}.md`);
      expect(existsSync(f), `${relative(ROOT, f)} is missing`).toBe(true);
      expect(blockSpecs(read(f))).toContain(`command:${c.name}`);
      expect(read(join(ROOT, 'docs', 'commands', 'README.md')), 'the commands index links to it').toContain(`](${c.name}.md)`);
    });
  }
  for (const m of Object.keys(docMethods())) {
    it(`docs/methods/${m}.md exists with its generated flags, assumptions and a worked example or published check`, () => {
      const f = join(ROOT, 'docs', 'methods', `${m}.md`);
      expect(existsSync(f), `${relative(ROOT, f)} is missing`).toBe(true);
      const t = read(f);
      expect(blockSpecs(t)).toContain(`method:${m}`);
      expect(t).toMatch(/^## Assumptions/m);
      expect(t).toMatch(/```sh|```\n(npx )?vru-eval/);
    });
  }
});

describe('generated flag sections are up to date (npm run docs)', () => {
  for (const file of docFiles(ROOT)) {
    const name = relative(ROOT, file);
    it(name, async () => {
      const text = read(file);
      const next = await regenerate(text);
      expect(next === text, `${name}: flag sections are stale; run npm run docs`).toBe(true);
    });
  }

  it('a stale section is detected and regenerated (a changed default, a dropped row)', async () => {
    const text = read(join(ROOT, 'docs', 'methods', 'micro.md'));
    const section = await flagSection('method:micro');
    expect(text).toContain(section);
    const row = section.split('\n').find((l) => l.startsWith('| `--max-imbalance'))!;
    expect(row).toBeDefined();
    for (const stale of [text.replace(row, row.replace(/`[^`]+` \|$/, '`999` |')), text.replace(row + '\n', '')]) {
      expect(stale).not.toBe(text);
      expect(await regenerate(stale)).toBe(text);
    }
  });

  it('method sections list exactly the method table\'s visible flags; command sections none of them', async () => {
    const methods = docMethods();
    // flags a command hides from help (deprecated aliases) are not documented
    const hidden = new Set<string>();
    const ctx = { io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false }, tool: { name: 'vru-eval', version: 'test' } };
    for (const c of COMMANDS) for (const o of (await c.load())(ctx).options) if (o.hidden && o.long) hidden.add(o.long);
    for (const [name, m] of Object.entries(methods)) {
      const own = await flagSection(`method:${name}`);
      const shared = await flagSection(`command:${m.command}`);
      for (const o of Object.values(m.table)) {
        const long = o.flag.split(/[ ,|]+/).find((x: string) => x.startsWith('--'))!;
        if (hidden.has(long)) {
          expect(own.includes(`\`${long}`), `hidden ${long} documented in method:${name}`).toBe(false);
          continue;
        }
        const inOwn = own.includes(`| \`${o.flag.replace(/\|/g, '\\|')}\``);
        expect(inOwn || own.includes(`\`${long}`), `${long} in method:${name}`).toBe(true);
        expect(shared.includes(`| \`${long} `) || shared.includes(`| \`${long}\``), `${long} (method ${name}) in command:${m.command}`).toBe(false);
      }
    }
    await expect(flagSection('method:nonesuch')).rejects.toThrow(/no method/);
    await expect(flagSection('command:nonesuch')).rejects.toThrow(/no command/);
  });
});

describe('links in README.md and docs/ resolve', () => {
  for (const file of docFiles(ROOT)) {
    const name = relative(ROOT, file);
    it(name, () => {
      const broken: string[] = [];
      for (const m of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const abs = resolve(dirname(file), target);
        if (existsSync(abs)) continue;
        broken.push(m[1]!);
      }
      expect(broken, `${name}: broken links`).toEqual([]);
    });
  }
});

describe('the --inference choices written on the scm pages are the ones the command accepts', () => {
  for (const m of SCM_METHODS) {
    it(m.name, async () => {
      let err = '';
      const code = await main(['node', 'vru-eval', 'scm', FIXTURE, '--outcome', 'violence_rate', '--method', m.name, '--inference', 'nonesuch'], { stdout: () => undefined, stderr: (x) => void (err += x), stderrIsTTY: false });
      expect(code).toBe(2);
      const list = /\(choose (?:one or more of )?([^)]*)\)/.exec(err)![1]!;
      const accepted = list.split(/,\s*|\s+or\s+/).map((x) => x.trim().replace(/^or /, '')).filter((x) => x !== '' && x !== 'comma-separated').sort();
      const line = read(join(ROOT, 'docs', 'methods', `${m.name}.md`)).split('\n').find((l) => l.startsWith('`--inference` takes'))!;
      expect(line, `docs/methods/${m.name}.md: the \`--inference\` takes … line`).toBeDefined();
      const written = [...line.split(' (see')[0]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!).filter((x) => x !== '--inference').sort();
      expect(written).toEqual(accepted);
      const row = read(join(ROOT, 'docs', 'commands', 'scm.md')).split('\n').find((l) => l.startsWith(`| \`${m.name}\``))!;
      const inTable = [...row.split('|')[3]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!).sort();
      expect(inTable).toEqual(accepted);
    });
  }
});
