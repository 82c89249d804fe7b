/**
 * Worked examples printed at the end of each command's --help (and of the program's), on the
 * fixture shipped with the repository, so they run as written from the repository root.
 */
const F = 'fixtures/police_monthly.csv';

export const EXAMPLES: Record<string, string[]> = {
  '': [
    `vru-eval inspect ${F} --outcome violence_rate`,
    `vru-eval scm ${F} --outcome violence_rate --population population --out gsynth.json`,
    'vru-eval report gsynth.json --out report.html',
  ],
  scm: [
    `vru-eval scm ${F} --outcome violence_rate --population population --out gsynth.json   # gsynth, counts via population`,
    `vru-eval scm ${F} --outcome violence_rate --method synth --out synth.json --plot synth.svg`,
    `vru-eval scm ${F} --outcome violence_rate --exclude-units A01,A02 --json > gsynth-excl.json`,
  ],
  its: [
    `vru-eval its ${F} --outcome violence_rate --errors arma:1,0 --out its.json`,
    `vru-eval its ${F} --outcome violence_rate --interruption 2019-04 --interruption 2019-09 --dummy 2020-04:2020-05`,
    `vru-eval its ${F} --outcome offences --family quasipoisson --offset population --seasonality month`,
  ],
  did: [
    `vru-eval did ${F} --outcome violence_rate --event-window -12:12 --out did.json`,
    `vru-eval did ${F} --outcome violence_rate --method cs --control notyet --out cs.json`,
  ],
  cba: [
    'vru-eval cba --spec examples/home-office-vru-2022.json --format table',
    'vru-eval cba --from gsynth.json --multiplier 1.5 --outcome-type violence-without-injury --costs 20000000 --out cba.json',
    'vru-eval cba --offences-avoided 1200 --ci 400,2000 --name vwoi --unit-cost 6480 --costs 1500000',
  ],
  describe: [
    `vru-eval describe ${F} --outcome offences --baseline 2018/19 --units A07,A08,A11`,
    `vru-eval describe ${F} --outcome offences --baseline 2017 --year calendar --overlay 2016,2019 --out describe.json --plot describe.svg`,
  ],
  inspect: [`vru-eval inspect ${F} --outcome violence_rate --population population`, `vru-eval inspect ${F} --outcome offences --json > panel.json`],
  schema: ['vru-eval schema              # the top-level fields, on a terminal', 'vru-eval schema --json > schema.json'],
  plot: ['vru-eval plot gsynth.json --out gsynth.svg', 'vru-eval plot gsynth.json --kind composite --out composite.png', 'vru-eval plot its.json --mark 2020-04:lockdown --out its.svg'],
  report: ['vru-eval report gsynth.json its.json did.json cba.json --out report.html', 'vru-eval report synth.json --title "Synthetic control, VRU areas" --out synth.html'],
};

/** The examples block for --help. */
export function examplesText(name: string): string {
  const xs = EXAMPLES[name];
  if (!xs || xs.length === 0) return '';
  return `\nExamples:\n${xs.map((x) => `  $ ${x}`).join('\n')}\n`;
}
