/**
 * `vru-eval scm --method <m> --help` shows the shared flags and m's own flags only; plain
 * `scm --help` shows the shared flags and lists the methods with the command for their help
 * (likewise `did --method twfe|cs --help`). Generic over SCM_METHODS and the option tables, so
 * renamed or new flags stay covered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { longFlag } from '../../src/core/optionTable.js';
import { main } from '../../src/cli/main.js';
import { methodOptionKeys } from '../../src/cli/commands/scmMethods.js';
import { SCM_METHODS } from '../../src/cli/commands/scmRegistry.js';
import { SCM_SHARED_FLAGS } from '../../src/cli/commands/scm.js';
import { SCM_OPTIONS } from '../../src/cli/commands/scmOptions.js';
import { CS_OPTIONS, TWFE_OPTIONS } from '../../src/estimators/did/options.js';

async function help(args: string[]): Promise<string> {
  let out = '';
  const code = await main(['node', 'vru-eval', ...args], { stdout: (s) => void (out += s), stderr: () => undefined, stderrIsTTY: false });
  expect(code).toBe(0);
  return out;
}

/** Flags the commands hide from help (deprecated aliases): never expected in help. */
const hidden = new Set<string>();
beforeAll(async () => {
  const ctx = { io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false }, tool: { name: 'vru-eval', version: 'test' } };
  for (const c of COMMANDS.filter((x) => x.name === 'scm' || x.name === 'did')) for (const o of (await c.load())(ctx).options) if (o.hidden && o.long) hidden.add(o.long);
});

/** The long flags of a method's table that help shows. */
function flagsOf(name: string): string[] {
  const m = SCM_METHODS.find((x) => x.name === name)!;
  return Object.values(m.options ?? {}).map((o) => longFlag(o.flag)).filter((f) => !hidden.has(f));
}

/** Whether another table's `flag` is one that method `name` also reads (SCM_SHARED_FLAGS: e.g. --rate-per for sdid and ascm). */
function sharedWith(flag: string, name: string): boolean {
  const key = flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return SCM_SHARED_FLAGS[key]?.includes(name) ?? false;
}

/** Whether the help lists `flag` as an option (at the start of an options line). */
function lists(text: string, flag: string): boolean {
  return new RegExp(`^\\s+${flag.replace(/[-]/g, '\\-')}(\\s|,|$)`, 'm').test(text);
}

describe('scm --help, one method at a time', () => {
  it('plain scm --help lists the shared flags and each method, but no method-only flag', async () => {
    const h = await help(['scm', '--help']);
    for (const f of ['--outcome', '--method', '--inference', '--donors', '--seed']) expect(lists(h, f), f).toBe(true);
    for (const m of SCM_METHODS) {
      expect(h).toContain(`vru-eval scm --method ${m.name} --help`);
      for (const f of flagsOf(m.name)) {
        const shared = SCM_METHODS.every((x) => flagsOf(x.name).includes(f));
        if (!shared) expect(lists(h, f), `${f} (${m.name}) in plain scm --help`).toBe(false);
      }
    }
    expect(lists(h, longFlag(SCM_OPTIONS.outcomeScale.flag))).toBe(false);
  });

  for (const m of SCM_METHODS) {
    it(`scm --method ${m.name} --help shows ${m.name}'s flags and no other method's`, async () => {
      for (const args of [['scm', '--method', m.name, '--help'], ['scm', '--help', '--method', m.name]]) {
        const h = await help(args);
        expect(h).toContain(`scm --method ${m.name}:`);
        for (const f of flagsOf(m.name)) expect(lists(h, f), `${f} in ${args.join(' ')}`).toBe(true);
        for (const other of SCM_METHODS) {
          if (other === m) continue;
          for (const f of flagsOf(other.name)) if (!flagsOf(m.name).includes(f)) expect(lists(h, f), `${f} (${other.name}) in ${args.join(' ')}`).toBe(sharedWith(f, m.name));
        }
        expect(lists(h, '--outcome')).toBe(true);
        expect(lists(h, longFlag(SCM_OPTIONS.outcomeScale.flag))).toBe(SCM_SHARED_FLAGS.outcomeScale!.includes(m.name));
        expect(lists(h, '--population'), '--population: only methods that read it').toBe(SCM_SHARED_FLAGS.population!.includes(m.name));
        expect(methodOptionKeys(m).length).toBeGreaterThan(0);
      }
    });
  }

  it('is much shorter than the help of all methods at once (186 lines before)', async () => {
    const lines = (await help(['scm', '--method', 'micro', '--help'])).split('\n').length;
    expect(lines).toBeLessThan(120);
  });

  it('did --method twfe|cs --help shows that method\'s flags only; did --help lists both methods; --population (rejected by did) is not offered', async () => {
    const twfe = Object.values(TWFE_OPTIONS).map((o) => longFlag(o.flag)).filter((f) => !hidden.has(f));
    const cs = Object.values(CS_OPTIONS).map((o) => longFlag(o.flag)).filter((f) => !hidden.has(f));
    const plain = await help(['did', '--help']);
    for (const f of [...twfe, ...cs]) expect(lists(plain, f), f).toBe(false);
    expect(plain).toContain('vru-eval did --method cs --help');
    for (const [m, own, other] of [['twfe', twfe, cs], ['cs', cs, twfe]] as const) {
      const h = await help(['did', '--method', m, '--help']);
      expect(h).toContain(`did --method ${m}:`);
      for (const f of own) expect(lists(h, f), `${f} in did --method ${m} --help`).toBe(true);
      for (const f of other) if (!own.includes(f)) expect(lists(h, f), `${f} in did --method ${m} --help`).toBe(false);
      expect(lists(h, '--population')).toBe(false);
      expect(lists(h, '--outcome')).toBe(true);
    }
  });
});
