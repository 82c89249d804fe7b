/**
 * `vru-eval its`: interrupted time series (segmented regression) on one unit's
 * series or an aggregate of units, with Gaussian (OLS / Newey–West / ARMA errors)
 * or Poisson / quasi-Poisson models, shock dummies, seasonality and an optional
 * comparison series. Flags are parsed here; the statistics are in src/estimators/its.
 *
 * Flag names: `--unit <col>` and `--start` keep their shared meaning (unit id
 * column; treatment start with --treated-units). The unit analysed is chosen
 * with `--series <unit>` or `--units a,b`, and interruptions with the
 * repeatable `--interruption <period>` (default: the analysed units' treatment start).
 */
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { panelFromTable, type PanelOptions } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { readCsvFile } from '../../io/csv.js';
import { DEFAULT_ITS_MAX_ITER, DEFAULT_ITS_TOL, estimateIts } from '../../estimators/its/estimate.js';
import { ARMA_METHODS, ITS_AGGREGATES, ITS_FAMILIES, parseErrors, parseSeasonality, type ItsAggregate, type ItsFamily, type ItsOptions } from '../../estimators/its/spec.js';
import type { CliContext } from '../context.js';
import { step } from '../progress.js';
import { emitDocument } from '../context.js';
import { addOutputOptions, addPanelOptions, commonFrom, list, numberArg, panelOptionsFrom, repeatable } from '../options.js';

export function itsCommand(ctx: CliContext): Command {
  const cmd = new Command('its')
    .description('interrupted time series: level and slope changes at one or more interruptions, shock dummies, seasonality; Gaussian (OLS, Newey–West, ARMA errors by exact ML) or Poisson/quasi-Poisson with a log-population offset; optional comparison series')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  cmd
    .option('--series <unit>', 'analyse this one unit (default: the treated units, aggregated; or the only unit)')
    .option('--units <a,b,...>', 'aggregate these units into the analysed series', list)
    .addOption(new Option('--aggregate <how>', 'combine several units by their mean or their sum').choices(ITS_AGGREGATES).default('mean'))
    .option('--interruption <period>', 'interruption period, repeatable, each with its own level and slope change (default: the treatment start)', repeatable)
    .option('--no-slope', 'step (level) changes only, no slope changes')
    .option('--dummy <from:to>', 'shock window, e.g. a lockdown 2020-04:2020-05 (repeatable; kept in the counterfactual)', repeatable)
    .option('--seasonality <spec>', 'none, month (quarter dummies for quarterly data) or fourier:K (K sin/cos pairs)', 'none')
    .addOption(new Option('--family <name>', 'outcome model').choices(ITS_FAMILIES).default('gaussian'))
    .option('--offset <col>', 'population column: log(col) is the offset of a count model')
    .option('--errors <spec>', 'Gaussian errors: ols, newey-west[:lag], ar:p or arma:p,q', 'ols')
    .addOption(new Option('--arma-method <m>', 'estimation of ARMA error parameters: exact restricted ML (default, as nlme::gls; less biased in short series) or exact maximum likelihood').choices(ARMA_METHODS).default('reml'))
    .option('--control [a,b,...]', 'controlled ITS: comparison units (aggregated like the series); without a list (then put it after <csv>), every never-treated unit')
    .option('--max-iter <n>', 'iteration limit of IRLS / the ARMA likelihood maximisation', numberArg('--max-iter', { integer: true, min: 1 }), DEFAULT_ITS_MAX_ITER)
    .option('--tol <x>', 'convergence tolerance (relative change of deviance / log-likelihood)', numberArg('--tol', { min: 0, exclusiveMin: true }), DEFAULT_ITS_TOL);
  return cmd.action((file: string, o: Record<string, unknown>) => {
    const common = commonFrom(o);
    const family = o.family as ItsFamily;
    // Validate the compact specs before reading the data (usage errors first).
    const seasonality = parseSeasonality(o.seasonality as string);
    const errors = parseErrors(o.errors as string);
    if (o.start !== undefined && o.treatedUnits === undefined) {
      throw new UsageError('START_NEEDS_TREATED_UNITS', "in 'its', --start only goes with --treated-units (the treatment start); give interruption periods with --interruption <period> (repeatable)", { flag: '--start' });
    }
    const panelOpts: PanelOptions = panelOptionsFrom(o);
    const offset = o.offset as string | undefined;
    if (o.population !== undefined) {
      if (offset === undefined || offset !== o.population) {
        throw new UsageError('POPULATION_NOT_USED', "'its' takes the population of a count model as --offset <col> (its log is the offset); --population is not used here", { flag: '--population' });
      }
    }
    if (offset !== undefined) panelOpts.population = offset;
    if (o.series !== undefined && o.units !== undefined) throw new UsageError('CONFLICTING_SERIES', 'give either --series <unit> or --units <a,b,...>, not both', {});
    const interruptions = (o.interruption as string[] | undefined) ?? [];

    const table = step(ctx, `reading ${file}`, () => readCsvFile(file));
    // A file without a treatment column is fine when the interruptions are given:
    // the analysed units are then marked treated from the first interruption.
    const treatedCol = panelOpts.treated ?? 'treated';
    if (panelOpts.treatedUnits === undefined && !table.header.includes(treatedCol) && panelOpts.treated === undefined && interruptions.length > 0) {
      let analysed: string[];
      if (o.series !== undefined) analysed = [o.series as string];
      else if (o.units !== undefined) analysed = o.units as string[];
      else {
        const ui = table.header.indexOf(panelOpts.unit ?? 'unit');
        const distinct = ui < 0 ? [] : [...new Set(table.rows.map((r) => r[ui]!))];
        if (distinct.length !== 1) {
          throw new UsageError('NO_SERIES', `${file} has no treatment column '${treatedCol}' and ${distinct.length} units; name the analysed unit with --series <unit> (or --units a,b)`, { file });
        }
        analysed = distinct;
      }
      panelOpts.treatedUnits = analysed;
      const numeric = interruptions.every((p) => /^-?\d+$/.test(p.trim()));
      panelOpts.start = [...interruptions].sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0))[0]!;
    }
    if (panelOpts.treatedUnits === undefined && panelOpts.treated === undefined && !table.header.includes(treatedCol) && interruptions.length === 0) {
      throw new UsageError('NO_INTERRUPTION', `${file} has no treatment column '${treatedCol}': give the interruption period(s) with --interruption <period> (and --series <unit> when the file holds several units), or name the 0/1 treatment column with --treated <col>`, { file });
    }
    const panel = panelFromTable(table, panelOpts);
    let control: string[] | undefined;
    if (o.control === true) control = [];
    else if (typeof o.control === 'string') {
      if (/\.(csv|tsv|txt|gz)$/i.test(o.control) || o.control.includes('/') || o.control === '-') {
        // `its --control data.csv ...`: the optional value took the file name
        throw new UsageError('CONTROL_TOOK_FILE', `--control took '${o.control}' as its list of comparison units; to use every never-treated unit put --control after the <csv> argument with no value (its <csv> --outcome y --control), or give unit names (--control A01,A02)`, { flag: '--control', value: o.control });
      }
      control = list(o.control);
      if (control.length === 0) throw new UsageError('BAD_CONTROL', '--control needs unit names separated by commas, or no value for every never-treated unit', {});
    }
    const options: ItsOptions = {
      series: o.series as string | undefined,
      units: o.units as string[] | undefined,
      aggregate: o.aggregate as ItsAggregate,
      interruptions,
      slope: o.slope as boolean,
      dummies: (o.dummy as string[] | undefined) ?? [],
      seasonality,
      family,
      offset: offset !== undefined,
      errors,
      armaMethod: o.armaMethod as 'ml' | 'reml',
      control,
      level: common.level,
      seed: common.seed,
      maxIter: o.maxIter as number,
      tol: o.tol as number,
    };
    const analysis = step(ctx, `its: fitting ${options.family} model${errors.type !== 'ols' ? `, ${o.errors as string} errors` : ''}`, () => estimateIts(panel, options));
    emitDocument(ctx, 'its', inputInfo(panel), analysis, common.out);
  });
}
