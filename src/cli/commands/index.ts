/**
 * Every subcommand, in help order. Add a command by adding an entry here: its name, a one-line
 * summary for `vru-eval --help`, and how to load its factory. Commands are loaded only when run
 * (or when their own --help is asked), so start-up does not pay for every estimator (main.ts).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export interface CommandEntry {
  name: string;
  /** One line for the overview in `vru-eval --help`. */
  summary: string;
  load: () => Promise<(ctx: CliContext) => Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'scm', summary: 'synthetic control: gsynth (default), synth, sdid, ascm or micro (scm --method <m> --help)', load: async () => (await import('./scm.js')).scmCommand },
  { name: 'its', summary: 'interrupted time series: level and slope changes of one series or an aggregate', load: async () => (await import('./its.js')).itsCommand },
  { name: 'did', summary: "difference-in-differences: two-way fixed effects or Callaway & Sant'Anna", load: async () => (await import('./did.js')).didCommand },
  { name: 'power', summary: 'minimum detectable effect and power curve of a design, simulated on the panel (any method)', load: async () => (await import('./power.js')).powerCommand },
  { name: 'cba', summary: 'cost-benefit: offences avoided × unit costs against programme costs', load: async () => (await import('./cba.js')).cbaCommand },
  { name: 'describe', summary: 'descriptive comparisons: rolling 12 months vs a baseline, year on year (no counterfactual)', load: async () => (await import('./describe.js')).describeCommand },
  { name: 'panel', summary: 'build the area × month panel from the police.uk street-level archive', load: async () => (await import('./panel.js')).panelCommand },
  { name: 'inspect', summary: 'validate a panel CSV and summarise it', load: async () => (await import('./inspect.js')).inspectCommand },
  { name: 'schema', summary: 'the JSON Schema of the result document', load: async () => (await import('./schema.js')).schemaCommand },
  { name: 'plot', summary: 'draw a chart of a result document (SVG or PNG)', load: async () => (await import('./plot.js')).plotCommand },
  { name: 'report', summary: 'one self-contained HTML page from result documents', load: async () => (await import('./report.js')).reportCommand },
  { name: 'run', summary: 'run an analysis plan (YAML or JSON): analyses, cost-benefit, robustness, comparisons, charts, report', load: async () => (await import('./run.js')).runCommand },
  { name: 'robustness', summary: 'robustness suite around a result: placebos, leave-one-out, donor pools, start dates', load: async () => (await import('./robustness.js')).robustnessCommand },
  { name: 'pretrends', summary: 'pre-trend placebo test: hold out the last pre-periods and predict them (any method)', load: async () => (await import('./pretrends.js')).pretrendsCommand },
  { name: 'compare', summary: 'compare the estimates of several result documents on one scale', load: async () => (await import('./compare.js')).compareCommand },
];
