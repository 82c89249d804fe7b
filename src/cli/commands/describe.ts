/**
 * `vru-eval describe`: descriptive comparisons of monthly counts (rolling 12 months against a
 * baseline, year on year, monthly overlays of two years). No counterfactual: every table and chart
 * says so. The arithmetic is in src/describe/describe.ts.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { panelFromTable } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { readTextTable } from '../../io/read.js';
import { AGGREGATES, YEAR_KINDS, describe, type Aggregate, type YearKind } from '../../describe/describe.js';
import type { CliContext } from '../context.js';
import { emitDocument } from '../context.js';
import { list } from '../options.js';
import { step } from '../progress.js';

export function describeCommand(ctx: CliContext): Command {
  const cmd = new Command('describe')
    .description('descriptive comparisons of monthly counts, as VRUs report them: rolling 12 months to the last complete month against a baseline year, calendar or financial year on year, monthly overlays of two years (descriptive: no counterfactual)')
    .argument('<file>', "panel file (CSV, Parquet or Arrow), one row per unit × month ('-' for stdin)")
    .option('--unit <col>', 'unit id column', 'unit')
    .option('--time <col>', 'month column (YYYY-MM)', 'period')
    .requiredOption('--outcome <a,b,...>', 'outcome column(s), e.g. offences or knife_crime,homicide', list)
    .option('--units <a,b,...>', 'the areas to add up (default: every unit in the file)', list)
    .addOption(new Option('--aggregate <how>', "combine the areas: auto sums counts and averages rates (a rate is never summed); sum; or mean").choices([...AGGREGATES]).default('auto'))
    .option('--rates <a,b,...>', 'outcomes that are rates (per N population) although their names do not say so (names with rate, per_100k, percent, pct or ratio are rates already)', list)
    .option('--population <col>', 'population column: rates are averaged weighted by it (the rate of the areas together)')
    .requiredOption('--baseline <year>', "baseline: a financial year (2018/19 = April 2018 – March 2019) or a year (2018 = the same 12 months as the latest, ending in 2018)")
    .addOption(new Option('--year <kind>', 'years for year-on-year comparisons and overlays').choices([...YEAR_KINDS]).default('financial'))
    .option('--overlay <a,b>', 'two years to overlay month by month, e.g. 2018/19,2019/20 (default: the baseline year and the latest)', list)
    .option('--out <file>', 'write the JSON document here (atomically) instead of stdout')
    .option('--plot <file>', 'also draw the overlay chart (.svg or .png)');
  return cmd.action((file: string, o: Record<string, unknown>) => {
    const outcomes = o.outcome as string[];
    if (outcomes.length === 0) throw new UsageError('MISSING_OUTCOME', '--outcome needs at least one column name', { flag: '--outcome' });
    const overlay = o.overlay as string[] | undefined;
    if (overlay !== undefined && overlay.length !== 2) throw new UsageError('BAD_OVERLAY', `--overlay takes two years separated by a comma, e.g. 2018/19,2019/20 (got ${overlay.length})`, { flag: '--overlay' });
    let table = step(ctx, `reading ${file}`, () => readTextTable(file)); // CSV, Parquet or Arrow
    // treatment plays no part in a descriptive comparison: a file without a treatment column is read as untreated
    let treated = 'treated';
    if (!table.header.includes(treated)) {
      treated = '\u0000untreated';
      table = { ...table, header: [...table.header, treated], rows: table.rows.map((r) => [...r, '0']) };
    }
    const population = o.population as string | undefined;
    const panels = outcomes.map((outcome) => panelFromTable(table, { unit: o.unit as string, time: o.time as string, outcome, treated, ...(population !== undefined ? { population } : {}) }));
    const analysis = describe(panels, {
      units: (o.units as string[] | undefined) ?? null,
      aggregate: o.aggregate as Aggregate,
      rates: (o.rates as string[] | undefined) ?? null,
      baseline: o.baseline as string,
      year: o.year as YearKind,
      overlay: overlay ? [overlay[0]!, overlay[1]!] : null,
    });
    emitDocument(ctx, 'describe', inputInfo(panels[0]!), analysis, o.out as string | undefined);
  });
}
