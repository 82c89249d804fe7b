/**
 * Screenshots for the README (docs/img/), taken with headless Chromium (Debian `chromium`,
 * driven by playwright-core like tests/report/chromium.test.ts): the first printed page of the
 * report of five analyses of the fixture (run here) (A4 at 96 dpi, print media), and the composite chart of the
 * gsynth analysis. Run after `npm run build`:
 *   node dist/scripts/screenshots.js [chromium path]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'bin', 'vru-eval.js');
const fix = (n: string) => join(root, 'tests', 'fixtures', 'results', `${n}.json`);
const dir = mkdtempSync(join(tmpdir(), 'vru-eval-shots-'));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vru-eval ${args.join(' ')}: ${r.stderr}`);
};
// real analyses of the fixture, as the README runs them
const F = join(root, 'fixtures', 'police_monthly.csv');
const o = (n: string) => join(dir, n);
run(['scm', F, '--outcome', 'violence_rate', '--population', 'population', '--out', o('gsynth.json')]);
run(['scm', F, '--outcome', 'violence_rate', '--method', 'synth', '--out', o('synth.json')]);
run(['its', F, '--outcome', 'violence_rate', '--errors', 'arma:1,0', '--out', o('its.json')]);
run(['did', F, '--outcome', 'violence_rate', '--event-window', '-12:12', '--out', o('did.json')]);
run(['cba', '--from', o('gsynth.json'), '--multiplier', '1.5', '--outcome-type', 'violence-without-injury', '--costs', '20000000', '--out', o('cba.json')]);
run(['report', ...['gsynth', 'synth', 'its', 'did', 'cba'].map((n) => o(`${n}.json`)), '--out', o('report.html')]);
run(['plot', o('gsynth.json'), '--kind', 'composite', '--out', o('composite.svg')]);
void fix;

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: process.argv[2] ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
try {
  // A4 = 210 mm × 297 mm = 794 × 1123 CSS px; the print stylesheet's margins are 14 mm × 12 mm
  const page = await browser.newPage({ viewport: { width: 794 - 2 * 45, height: 1123 - 2 * 53 }, deviceScaleFactor: 1.5 });
  await page.emulateMedia({ media: 'print' });
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  await page.screenshot({ path: join(root, 'docs', 'img', 'report-first-page.png') });
  const chart = await browser.newPage({ viewport: { width: 900, height: 900 }, deviceScaleFactor: 1.5 });
  await chart.goto(pathToFileURL(join(dir, 'composite.svg')).href);
  await chart.locator('svg').screenshot({ path: join(root, 'docs', 'img', 'composite.png') });
} finally {
  await browser.close();
}
console.log('wrote docs/img/report-first-page.png and docs/img/composite.png');
