/**
 * The HTML report opens in headless Chromium (Debian's `chromium` package) with no console
 * messages, no page errors and no network request other than the page itself. Driven with
 * playwright-core against the system browser (fresh temporary profile, no background
 * networking). Skipped, saying why, only where Chromium is not installed; in CI (CI=true)
 * a missing Chromium is a failure, since .ci/run installs it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => typeof p === 'string' && p !== '');
const CHROMIUM = CANDIDATES.find((p) => existsSync(p)) ?? null;
if (!CHROMIUM && process.env.CI) throw new Error(`Chromium not found (looked for ${CANDIDATES.join(', ')}): .ci/run must install Debian's chromium package before npm test`);
const SKIP_REASON = 'SKIPPED: Chromium is not installed here (Debian: apt-get install chromium, or set CHROMIUM_PATH)';
if (!CHROMIUM) console.warn(`tests/report/chromium.test.ts ${SKIP_REASON}`);

const FIX = join(ROOT, 'tests', 'fixtures', 'results');

interface PageLog {
  console: string[];
  errors: string[];
  requests: string[];
  failed: string[];
  info: { sections: number; svgs: number; unrendered: number; duplicateIds: string[]; title: string };
}

describe.skipIf(!CHROMIUM)(`HTML report in headless Chromium${CHROMIUM ? '' : ` (${SKIP_REASON})`}`, () => {
  // playwright-core is imported lazily so that machines without Chromium never load it
  let browser: import('playwright-core').Browser;
  const dir = tempDir();
  const report = join(dir, 'report.html');

  beforeAll(async () => {
    const r = runCli(['report', ...['synth', 'gsynth', 'its', 'did', 'cba'].map((n) => join(FIX, `${n}.json`)), '--mark', '2020-04:lockdown', '--out', report]);
    expect(r.code, r.stderr).toBe(0);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string): Promise<PageLog> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log: PageLog = { console: [], errors: [], requests: [], failed: [], info: { sections: 0, svgs: 0, unrendered: 0, duplicateIds: [], title: '' } };
    page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.errors.push(String(e)));
    page.on('request', (req) => log.requests.push(req.url()));
    page.on('requestfailed', (req) => log.failed.push(req.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // a string, evaluated in the page (the project's TypeScript has no DOM types)
    log.info = (await page.evaluate(`(() => {
      const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
      const svgs = [...document.querySelectorAll('svg')];
      return {
        sections: document.querySelectorAll('section').length,
        svgs: svgs.length,
        unrendered: svgs.filter((s) => s.getBoundingClientRect().width < 50 || s.getBoundingClientRect().height < 50).length,
        duplicateIds: ids.filter((id, k) => ids.indexOf(id) !== k),
        title: document.title,
      };
    })()`)) as PageLog['info'];
    await context.close();
    return log;
  }

  it('opens without console messages, page errors or network requests, and draws every chart', async () => {
    const log = await open(report);
    expect(log.console).toEqual([]);
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([pathToFileURL(report).href]);
    expect(log.failed).toEqual([]);
    const html = readFileSync(report, 'utf8');
    expect(log.info.sections).toBe(6); // the summary and 5 analyses
    expect(log.info.svgs).toBe(html.match(/<svg /g)!.length);
    expect(log.info.svgs).toBeGreaterThanOrEqual(15);
    expect(log.info.unrendered).toBe(0);
    expect(log.info.duplicateIds).toEqual([]);
    expect(log.info.title).toBe('Impact evaluation: 5 analyses');
  });

  it('would notice a network request (the check can fail)', async () => {
    // negative control: the same page with an external image added must be caught
    const bad = join(dir, 'bad.html');
    writeFileSync(bad, readFileSync(report, 'utf8').replace('<main>', '<main><img src="https://example.invalid/x.png" alt="">'));
    const log = await open(bad);
    expect(log.console.join('\n')).toMatch(/Content Security Policy|example\.invalid/);
  });
});
