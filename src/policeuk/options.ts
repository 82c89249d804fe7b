/**
 * The options of `vru-eval panel police-uk`, declared once (see src/core/optionTable.ts).
 */
import { UsageError } from '../core/errors.js';
import { bool, custom, defineOptions, str, strList, choice } from '../core/optionTable.js';

/** '5%' or '0.05' → 0.05. @throws UsageError */
export function parseShare(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  const v = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!m || !(v >= 0 && v <= 1)) throw new UsageError('BAD_NUMBER', `${flag} '${value}' must be a share such as 5% or 0.05`, { flag, value });
  return v;
}

export const POLICEUK_OPTIONS = defineOptions({
  out: str({ flag: '--out <file>', help: 'panel CSV to write (atomically)', required: true, plan: false }),
  manifest: str({ flag: '--manifest <file>', help: 'manifest JSON to write (default: beside --out, panel.csv → panel.manifest.json)', plan: false }),
  level: str({ flag: '--level <col>', help: "unit of the panel: lsoa, force (the area's police force, ONS PFA), LAD19CD, CSP19CD or PFA19CD (shipped ONS geography), or a column of --lookup", default: 'lsoa' }),
  lookup: str({ flag: '--lookup <csv>', help: 'ONS LSOA lookup (LSOA → LAD / CSP / PFA ...) for --level and --treated-where' }),
  lookupLsoa: str({ flag: '--lookup-lsoa <col>', help: 'LSOA column of --lookup (default: LSOA21CD, LSOA11CD, ... recognised)' }),
  areas: str({ flag: '--areas <file>', help: 'custom areas: a CSV mapping LSOAs to areas (many to one), or a GeoJSON FeatureCollection of polygons (records placed by coordinates)' }),
  areasLsoa: str({ flag: '--areas-lsoa <col>', help: 'LSOA column of an --areas CSV' }),
  areaColumn: str({ flag: '--area-column <col>', help: "area column of an --areas CSV (default 'area')" }),
  areaId: str({ flag: '--area-id <prop>', help: 'feature property holding the area id in --areas GeoJSON (default id, code, name, area or the feature id)' }),
  lsoaCrosswalk: str({ flag: '--lsoa-crosswalk <csv|ons>', help: "ONS LSOA 2011 → 2021 lookup ('ons': the one shipped with vru-eval): codes of one place before and after the change are counted as one area" }),
  crosswalkFrom: str({ flag: '--crosswalk-from <col>', help: 'old-code column of --lsoa-crosswalk (default LSOA11CD)' }),
  crosswalkTo: str({ flag: '--crosswalk-to <col>', help: 'new-code column of --lsoa-crosswalk (default LSOA21CD)' }),
  crimeTypes: strList({ flag: '--crime-types <names>', help: 'crime types to write as columns, police.uk names or slugs, comma-separated (default all 14; all_crime always counts every type but anti-social behaviour)' }),
  stopSearch: bool({ flag: '--stop-search', help: 'add a stop_search column: the force-month count of searches (per drawn area with --areas *.geojson)', default: false }),
  population: str({ flag: '--population <csv>', help: 'LSOA mid-year population estimates (LSOA, year, population): adds population and <type>_rate per 100,000' }),
  treatedAreas: strList({ flag: '--treated-areas <a,b,...>', help: 'treated areas (codes of the panel units); needs --start' }),
  treatedFile: str({ flag: '--treated-file <csv>', help: 'treated areas with their own starts (columns area, start)' }),
  treatedWhere: str({ flag: '--treated-where <COL=v1,v2>', help: 'treat every area whose lookup column COL is one of the values (e.g. PFA19CD=E23000004), or force=<slug>,...; needs --start' }),
  start: str({ flag: '--start <YYYY-MM>', help: 'first treated month for --treated-areas / --treated-where' }),
  hotspots: str({ flag: '--hotspots <share|n>', help: 'keep only the top areas (e.g. 10% or 200) by their mean monthly count of --by before --before; ties at the cut-off are all kept' }),
  by: str({ flag: '--by <column>', help: 'crime type column (slug) or all_crime that ranks --hotspots' }),
  before: str({ flag: '--before <YYYY-MM>', help: 'end (exclusive) of the pre-period that ranks --hotspots' }),
  hotspotsWithin: choice(['all', 'force'] as const, { flag: '--hotspots-within <all|force>', help: 'rank --hotspots over all areas (default) or within each area\'s home force (the top share of every force)', default: 'all' }),
  from: str({ flag: '--from <YYYY-MM>', help: 'first month of the panel (default: the first month with a file)' }),
  to: str({ flag: '--to <YYYY-MM>', help: 'last month of the panel (default: the last month with a file)' }),
  maxUnlocated: custom<number>({
    flag: '--max-unlocated <share>',
    help: 'drop the areas of any force whose share of records with no location exceeds this (e.g. 5%)',
    parse: (v: string) => parseShare('--max-unlocated', v),
    schema: { type: 'number', minimum: 0, maximum: 1 },
    toArgs: (v: number) => [[String(v)]],
  }),
  includeForce: strList({ flag: '--include-force <slugs>', help: 'keep non-territorial forces (btp), left out by default' }),
  otherForceAreas: choice(['drop', 'keep'] as const, { flag: '--other-force-areas <drop|keep>', help: "areas whose own police force has no file in the archive (seen only through other forces' cross-border records): drop them (default) or keep them with every cell empty", default: 'drop' }),
  populationColumn: str({ flag: '--population-column <col>', help: "population column of --population (e.g. 'All Ages', or the GLA atlas's 'Mid-year Population Estimates;All Ages;2013')" }),
  populationYear: custom<number>({
    flag: '--population-year <YYYY>',
    help: 'mid-year of the estimates in a --population file with no year column (e.g. one ONS small-area estimates sheet)',
    parse: (v: string) => {
      if (!/^\d{4}$/.test(v.trim())) throw new UsageError('BAD_NUMBER', `--population-year '${v}' must be a year such as 2019`, { flag: '--population-year', value: v });
      return Number(v);
    },
    schema: { type: 'integer', minimum: 1900, maximum: 2100 },
    toArgs: (v: number) => [[String(v)]],
  }),
  dropIncomplete: bool({ flag: '--drop-incomplete', help: 'drop areas with any empty month (a force-month with no file), e.g. for classic synthetic control, which needs a balanced panel', default: false }),
});
