/**
 * `vru-eval panel police-uk <path>...`: build a long area × month panel from the
 * police.uk open-data archive (folders or zips as downloaded), with a manifest of
 * everything read, counted and dropped. Flags are parsed here; the work is in src/policeuk.
 */
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { readOptions } from '../../core/optionTable.js';
import { buildPoliceUkPanel, type PoliceUkOptions } from '../../policeuk/build.js';
import { manifestPathFor } from '../../policeuk/manifest.js';
import { POLICEUK_OPTIONS } from '../../policeuk/options.js';
import { emitData, writeOutputFile, type CliContext } from '../context.js';
import { addOptions } from '../optionFlags.js';
import { writeFileAtomic } from '../io.js';

/** Write the panel's text pieces atomically (never one string) and list the file in the summary. */
function writeChunksAtomic(ctx: CliContext, file: string, chunks: Iterable<string>, what: string): void {
  writeFileAtomic(file, chunks);
  (ctx.wrote ??= []).push({ file, what });
}

/** Data sources `vru-eval panel` can read. */
export const PANEL_SOURCES = ['police-uk'] as const;

export function panelCommand(ctx: CliContext): Command {
  const cmd = new Command('panel')
    .description('build an analysis panel from public data. police-uk: count police.uk street-level crimes (archive folders or zips) into a long area × month panel, one column per crime type and all_crime, optional population and rates, stop and search, hotspots and treatment, with a manifest of every file read and every record dropped')
    .argument('<source>', `data source: ${PANEL_SOURCES.join(', ')}`)
    .argument('<path...>', 'police.uk archive folder(s) (YYYY-MM/YYYY-MM-<force>-street.csv), archive zip(s), or single files');
  addOptions(cmd, POLICEUK_OPTIONS);
  return cmd.action(async (source: string, paths: string[], o: Record<string, unknown>) => {
    if (!(PANEL_SOURCES as readonly string[]).includes(source)) throw new UsageError('UNKNOWN_SOURCE', `vru-eval panel ${source}: unknown data source (choose ${PANEL_SOURCES.join(', ')}), e.g. vru-eval panel police-uk latest.zip --out panel.csv`, { source });
    const v = readOptions(POLICEUK_OPTIONS, o);
    const opts: PoliceUkOptions = { inputs: paths, level: v.level, stopSearch: v.stopSearch, dropIncomplete: v.dropIncomplete };
    const copy = <K extends keyof PoliceUkOptions>(k: K, x: PoliceUkOptions[K] | undefined) => {
      if (x !== undefined) opts[k] = x;
    };
    copy('lookup', v.lookup);
    copy('lookupLsoa', v.lookupLsoa);
    copy('areas', v.areas);
    copy('areasLsoa', v.areasLsoa);
    copy('areaColumn', v.areaColumn);
    copy('areaId', v.areaId);
    copy('lsoaCrosswalk', v.lsoaCrosswalk);
    copy('crosswalkFrom', v.crosswalkFrom);
    copy('crosswalkTo', v.crosswalkTo);
    copy('crimeTypes', v.crimeTypes);
    copy('population', v.population);
    copy('treatedAreas', v.treatedAreas);
    copy('treatedFile', v.treatedFile);
    copy('treatedWhere', v.treatedWhere);
    copy('start', v.start);
    copy('hotspots', v.hotspots);
    copy('hotspotsBy', v.by);
    copy('hotspotsBefore', v.before);
    if (v.hotspotsWithin !== 'all') copy('hotspotsWithin', v.hotspotsWithin);
    copy('from', v.from);
    copy('to', v.to);
    copy('maxUnlocated', v.maxUnlocated);
    copy('includeForces', v.includeForce);
    copy('populationColumn', v.populationColumn);
    copy('populationYear', v.populationYear);
    if (v.otherForceAreas !== 'drop') copy('otherForceAreas', v.otherForceAreas);
    const out = v.out;
    if (out === '-') throw new UsageError('BAD_OUT', '--out must be a file (the panel is written atomically, with its manifest beside it)');
    const manifestPath = v.manifest ?? manifestPathFor(out);
    if (manifestPath === out) throw new UsageError('BAD_OUT', '--manifest and --out name the same file');
    const r = await buildPoliceUkPanel(opts, ctx.tool);
    writeOutputFile(ctx, manifestPath, JSON.stringify(r.manifest, null, 2) + '\n', 'the panel manifest');
    writeChunksAtomic(ctx, out, r.chunks(), 'the panel');
    const m = r.manifest;
    const summary = {
      panel: out,
      manifest: manifestPath,
      units: r.units,
      periods: r.periods,
      window: m.window,
      columns: r.columns,
      records: { read: m.records.records, used: m.records.used, duplicates: m.records.duplicates, unlocated: m.records.unlocated, outsideAreas: m.records.outsideAreas },
      missingForceMonths: m.missingForceMonths.length,
      warnings: m.warnings,
    };
    emitData(ctx, summary, undefined, async (output) => {
      const { renderBuiltPanelSummary } = await import('../summary.js');
      return renderBuiltPanelSummary({ ...summary, treated: m.treated, unitsFound: m.units, droppedForces: m.droppedForces, hotspots: m.hotspots }, output);
    });
  });
}
