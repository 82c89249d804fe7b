/**
 * `vru-eval panel police-uk <path>...`: build a long area × month panel from the
 * police.uk open-data archive (folders or zips as downloaded), with a manifest of
 * everything read, counted and dropped. Flags are parsed here; the work is in src/policeuk.
 */
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { buildPoliceUkPanel, type PoliceUkOptions } from '../../policeuk/build.js';
import { manifestPathFor } from '../../policeuk/manifest.js';
import type { CliContext } from '../context.js';
import { writeFileAtomic } from '../io.js';
import { list } from '../options.js';

/** '5%' or '0.05' → 0.05. */
function shareArg(flag: string) {
  return (value: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
    const v = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
    if (!m || !(v >= 0 && v <= 1)) throw new UsageError('BAD_NUMBER', `${flag} '${value}' must be a share such as 5% or 0.05`, { flag, value });
    return v;
  };
}

function policeUkCommand(ctx: CliContext): Command {
  const cmd = new Command('police-uk')
    .description('count police.uk street-level crimes (archive folders or zips) into a long area × month panel: one column per crime type, all_crime, optional population and rates, stop and search, hotspots and treatment; writes a manifest of every file read and every record dropped')
    .argument('<path...>', 'police.uk archive folder(s) (YYYY-MM/YYYY-MM-<force>-street.csv), archive zip(s), or single files')
    .requiredOption('--out <file>', 'panel CSV to write (atomically)')
    .option('--manifest <file>', 'manifest JSON to write (default: beside --out, panel.csv → panel.manifest.json)')
    .option('--level <col>', "unit of the panel: lsoa, force (the force that filed most of an area's records), or a column of --lookup (e.g. LAD19CD)", 'lsoa')
    .option('--lookup <csv>', 'ONS LSOA lookup (LSOA → LAD / CSP / PFA ...) for --level and --treated-where')
    .option('--lookup-lsoa <col>', 'LSOA column of --lookup (default: LSOA21CD, LSOA11CD, ... recognised)')
    .option('--areas <file>', 'custom areas: a CSV mapping LSOAs to areas (many to one), or a GeoJSON FeatureCollection of polygons (records placed by coordinates)')
    .option('--areas-lsoa <col>', 'LSOA column of an --areas CSV')
    .option('--area-column <col>', "area column of an --areas CSV (default 'area')")
    .option('--area-id <prop>', 'feature property holding the area id in --areas GeoJSON (default id, code, name, area or the feature id)')
    .option('--lsoa-crosswalk <csv>', 'ONS LSOA 2011 → 2021 lookup: codes of one place before and after the change are counted as one area')
    .option('--crosswalk-from <col>', 'old-code column of --lsoa-crosswalk (default LSOA11CD)')
    .option('--crosswalk-to <col>', 'new-code column of --lsoa-crosswalk (default LSOA21CD)')
    .option('--crime-types <names>', "crime types to write as columns, police.uk names or slugs, comma-separated (default all 14; all_crime always counts every type but anti-social behaviour)", list)
    .option('--stop-search', 'add a stop_search column: the force-month count of searches (per drawn area with --areas *.geojson)')
    .option('--population <csv>', 'LSOA mid-year population estimates (LSOA, year, population): adds population and <type>_rate per 100,000')
    .option('--treated-areas <a,b,...>', 'treated areas (codes of the panel units); needs --start', list)
    .option('--treated-file <csv>', 'treated areas with their own starts (columns area, start)')
    .option('--treated-where <COL=v1,v2>', 'treat every area whose lookup column COL is one of the values (e.g. PFA19CD=E23000004), or force=<slug>,...; needs --start')
    .option('--start <YYYY-MM>', 'first treated month for --treated-areas / --treated-where')
    .option('--hotspots <share|n>', 'keep only the top areas (e.g. 10% or 200) by their mean monthly count of --by before --before; ties at the cut-off are all kept')
    .option('--by <column>', 'crime type column (slug) or all_crime that ranks --hotspots')
    .option('--before <YYYY-MM>', 'end (exclusive) of the pre-period that ranks --hotspots')
    .option('--from <YYYY-MM>', 'first month of the panel (default: the first month with a file)')
    .option('--to <YYYY-MM>', 'last month of the panel (default: the last month with a file)')
    .option('--max-unlocated <share>', 'drop the areas of any force whose share of records with no location exceeds this (e.g. 5%)', shareArg('--max-unlocated'))
    .option('--include-force <slugs>', 'keep non-territorial forces (btp), left out by default', list)
    .option('--drop-incomplete', 'drop areas with any empty month (a force-month with no file), e.g. for classic synthetic control, which needs a balanced panel');
  return cmd.action(async (paths: string[], o: Record<string, unknown>) => {
    const opts: PoliceUkOptions = { inputs: paths };
    const copy = <K extends keyof PoliceUkOptions>(k: K, v: unknown) => {
      if (v !== undefined) opts[k] = v as PoliceUkOptions[K];
    };
    copy('level', o.level);
    copy('lookup', o.lookup);
    copy('lookupLsoa', o.lookupLsoa);
    copy('areas', o.areas);
    copy('areasLsoa', o.areasLsoa);
    copy('areaColumn', o.areaColumn);
    copy('areaId', o.areaId);
    copy('lsoaCrosswalk', o.lsoaCrosswalk);
    copy('crosswalkFrom', o.crosswalkFrom);
    copy('crosswalkTo', o.crosswalkTo);
    copy('crimeTypes', o.crimeTypes);
    copy('stopSearch', o.stopSearch === true ? true : undefined);
    copy('population', o.population);
    copy('treatedAreas', o.treatedAreas);
    copy('treatedFile', o.treatedFile);
    copy('treatedWhere', o.treatedWhere);
    copy('start', o.start);
    copy('hotspots', o.hotspots);
    copy('hotspotsBy', o.by);
    copy('hotspotsBefore', o.before);
    copy('from', o.from);
    copy('to', o.to);
    copy('maxUnlocated', o.maxUnlocated);
    copy('includeForces', o.includeForce);
    copy('dropIncomplete', o.dropIncomplete === true ? true : undefined);
    const out = o.out as string;
    if (out === '-') throw new UsageError('BAD_OUT', '--out must be a file (the panel is written atomically, with its manifest beside it)');
    const manifestPath = (o.manifest as string | undefined) ?? manifestPathFor(out);
    if (manifestPath === out) throw new UsageError('BAD_OUT', '--manifest and --out name the same file');
    const r = await buildPoliceUkPanel(opts, ctx.tool);
    writeFileAtomic(manifestPath, JSON.stringify(r.manifest, null, 2) + '\n');
    writeFileAtomic(out, r.csv);
    const m = r.manifest;
    ctx.io.stdout(
      JSON.stringify(
        {
          panel: out,
          manifest: manifestPath,
          units: r.units,
          periods: r.periods,
          window: m.window,
          columns: r.columns,
          records: { read: m.records.records, used: m.records.used, duplicates: m.records.duplicates, unlocated: m.records.unlocated, outsideAreas: m.records.outsideAreas },
          missingForceMonths: m.missingForceMonths.length,
          warnings: m.warnings,
        },
        null,
        2,
      ) + '\n',
    );
  });
}

export function panelCommand(ctx: CliContext): Command {
  const cmd = new Command('panel').description('build an analysis panel from public data: police-uk (the police.uk street-level archive)');
  const sub = policeUkCommand(ctx);
  sub.exitOverride().configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: () => undefined });
  cmd.addCommand(sub);
  return cmd;
}
