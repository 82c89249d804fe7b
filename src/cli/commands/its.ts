/**
 * `vru-eval its`: interrupted time series (segmented regression) on one unit's
 * series or an aggregate of units, with Gaussian (OLS / Newey–West / ARMA errors)
 * or Poisson / quasi-Poisson models, shock dummies, seasonality and an optional
 * comparison series. Options are declared in src/estimators/its/options.ts; the statistics
 * are in src/estimators/its.
 *
 * Flag names: `--unit <col>` and `--start` keep their shared meaning (unit id
 * column; treatment start with --treated-units). The unit analysed is chosen
 * with `--series <unit>` or `--units a,b`, and interruptions with the
 * repeatable `--interruption <period>` (default: the analysed units' treatment start).
 */
import { Command } from 'commander';
import { PANEL_OPTIONS } from '../../core/commonOptions.js';
import { readOptions } from '../../core/optionTable.js';
import { InputError, UsageError } from '../../core/errors.js';
import { panelColumnRequests, panelFromColumns, type PanelOptions } from '../../core/panel.js';
import { inputInfo } from '../../core/result.js';
import { cellCounts, withCells } from '../../core/degenerate.js';
import { readColumns } from '../../io/read.js';
import { estimateIts } from '../../estimators/its/estimate.js';
import { ITS_OPTIONS } from '../../estimators/its/options.js';
import { parseErrors, parseSeasonality, type ItsOptions } from '../../estimators/its/spec.js';
import type { CliContext } from '../context.js';
import { step } from '../progress.js';
import { emitDocument } from '../context.js';
import { addOptions } from '../optionFlags.js';
import { addOutputOptions, addPanelOptions, commonFrom, list, panelOptionsFrom } from '../options.js';

export function itsCommand(ctx: CliContext): Command {
  const cmd = new Command('its')
    .description('interrupted time series: level and slope changes at one or more interruptions, shock dummies, seasonality; Gaussian (OLS, Newey–West, ARMA errors by exact ML) or Poisson/quasi-Poisson with a log-population offset; optional comparison series')
    .argument('<csv>', "panel file, one row per unit × period ('-' for stdin)");
  addPanelOptions(cmd);
  addOutputOptions(cmd);
  addOptions(cmd, ITS_OPTIONS);
  return cmd.action((file: string, o: Record<string, unknown>) => {
    const common = commonFrom(o);
    const v = readOptions(ITS_OPTIONS, o);
    const pv = readOptions(PANEL_OPTIONS, o);
    const family = v.family;
    // Validate the compact specs before reading the data (usage errors first).
    const seasonality = parseSeasonality(v.seasonality);
    const errors = parseErrors(v.errors);
    if (pv.start !== undefined && pv.treatedUnits === undefined) {
      throw new UsageError('START_NEEDS_TREATED_UNITS', "in 'its', --start only goes with --treated-units (the treatment start); give interruption periods with --interruption <period> (repeatable)", { flag: '--start' });
    }
    const panelOpts: PanelOptions = panelOptionsFrom(o);
    const offset = v.offset;
    if (pv.population !== undefined) {
      if (offset === undefined || offset !== pv.population) {
        throw new UsageError('POPULATION_NOT_USED', "'its' takes the population of a count model as --offset <col> (its log is the offset); --population is not used here", { flag: '--population' });
      }
    }
    if (offset !== undefined) panelOpts.population = offset;
    if (v.series !== undefined && v.units !== undefined) throw new UsageError('CONFLICTING_SERIES', 'give either --series <unit> or --units <a,b,...>, not both', {});
    const interruptions = v.interruption ?? [];

    const table = step(ctx, `reading ${file}`, () => readColumns(file, panelColumnRequests(panelOpts)));
    // A file without a treatment column is fine when the interruptions are given:
    // the analysed units are then marked treated from the first interruption.
    const treatedCol = panelOpts.treated ?? 'treated';
    if (panelOpts.treatedUnits === undefined && !table.header.includes(treatedCol) && panelOpts.treated === undefined && interruptions.length > 0) {
      let analysed: string[];
      if (v.series !== undefined) analysed = [v.series];
      else if (v.units !== undefined) analysed = v.units;
      else {
        const distinct = table.keys.get(panelOpts.unit ?? 'unit')?.values ?? [];
        if (distinct.length !== 1) {
          throw new InputError('NO_SERIES', `${file} has no treatment column '${treatedCol}' and ${distinct.length} units; name the analysed unit with --series <unit> (or --units a,b)`, { file });
        }
        analysed = [...distinct];
      }
      panelOpts.treatedUnits = analysed;
      const numeric = interruptions.every((p) => /^-?\d+$/.test(p.trim()));
      panelOpts.start = [...interruptions].sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0))[0]!;
    }
    if (panelOpts.treatedUnits === undefined && panelOpts.treated === undefined && !table.header.includes(treatedCol) && interruptions.length === 0) {
      throw new InputError('NO_INTERRUPTION', `${file} has no treatment column '${treatedCol}': give the interruption period(s) with --interruption <period> (and --series <unit> when the file holds several units), or name the 0/1 treatment column with --treated <col>`, { file });
    }
    const panel = panelFromColumns(table, panelOpts);
    let control: string[] | undefined;
    if (v.control === true) control = [];
    else if (typeof v.control === 'string') {
      if (/\.(csv|tsv|txt|gz)$/i.test(v.control) || v.control.includes('/') || v.control === '-') {
        // `its --control data.csv ...`: the optional value took the file name
        throw new UsageError('CONTROL_TOOK_FILE', `--control took '${v.control}' as its list of comparison units; to use every never-treated unit put --control after the <csv> argument with no value (its <csv> --outcome y --control), or give unit names (--control A01,A02)`, { flag: '--control', value: v.control });
      }
      control = list(v.control);
      if (control.length === 0) throw new UsageError('BAD_CONTROL', '--control needs unit names separated by commas, or no value for every never-treated unit', {});
    }
    const options: ItsOptions = {
      series: v.series,
      units: v.units,
      aggregate: v.aggregate,
      interruptions,
      slope: v.slope,
      dummies: v.dummy ?? [],
      seasonality,
      family,
      offset: offset !== undefined,
      errors,
      armaMethod: v.armaMethod,
      control,
      ...(v.controlModel !== undefined ? { controlModel: v.controlModel } : {}),
      level: common.level,
      seed: common.seed,
      maxIter: v.maxIter,
      tol: v.tol,
    };
    const analysis = step(ctx, `its: fitting ${options.family} model${errors.type !== 'ols' ? `, ${o.errors as string} errors` : ''}`, () => estimateIts(panel, options));
    // input.cells: the analysed and comparison units' cells (ITS needs them complete, so used = observed).
    const names = [...((analysis.options.units as string[] | null) ?? []), ...((analysis.options.control as string[] | null) ?? [])];
    const idx = names.map((u) => panel.units.indexOf(u)).filter((i) => i >= 0);
    emitDocument(ctx, 'its', withCells(inputInfo(panel), cellCounts(panel, [], idx)), analysis, common.out);
  });
}
