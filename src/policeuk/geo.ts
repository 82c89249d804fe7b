/**
 * Drawn areas (GeoJSON Polygon / MultiPolygon features, holes allowed) and the
 * assignment of a record's coordinates to the area containing it: candidate areas
 * from a packed Hilbert R-tree over the polygons' bounding boxes (flatbush), then an
 * exact point-in-polygon test (@turf/boolean-point-in-polygon, which honours holes).
 * A point on a boundary counts as inside. When areas overlap, a point is given to the
 * first area in id order and counted in `overlaps` (the manifest reports it).
 */
import { readFileSync } from 'node:fs';
import Flatbush from 'flatbush';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { InputError } from '../core/errors.js';

export interface GeoAreas {
  file: string;
  idProperty: string;
  /** Area ids, sorted (code point order); index = area index. */
  ids: string[];
  /** Area index containing (lon, lat), or −1. */
  locate: (lon: number, lat: number) => number;
  /** Points that fell in more than one area so far. */
  overlaps: () => number;
}

/** One drawn area: its id, polygon(s) and bounding box [x0, y0, x1, y1]. */
interface DrawnArea {
  id: string;
  geom: Polygon | MultiPolygon;
  bbox: [number, number, number, number];
}

/**
 * Read drawn areas from a GeoJSON FeatureCollection: parse → each feature's id, geometry and bounding
 * box (checked) → sorted by id → an R-tree over the boxes and the exact point-in-polygon locator.
 * @throws InputError BAD_GEOJSON naming the file, feature and fix
 */
export function readGeoAreas(file: string, idProperty: string | undefined): GeoAreas {
  const features = readFeatureCollection(file);
  const found: DrawnArea[] = [];
  const seen = new Set<string>();
  let usedProp = idProperty ?? '';
  features.forEach((f0, k) => {
    const f = f0 as GeoFeature;
    const { id: sid, prop } = featureId(file, f, k, idProperty);
    if (prop !== null) usedProp = prop;
    if (seen.has(sid)) throw new InputError('BAD_GEOJSON', `${file}: area id '${sid}' is used by two features; ids must be unique (merge them into one MultiPolygon)`, { file, feature: k, id: sid });
    seen.add(sid);
    found.push(drawnArea(file, sid, f.geometry));
  });
  if (found.length === 0) throw new InputError('BAD_GEOJSON', `${file} has no features`, { file });
  found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { file, idProperty: usedProp, ids: found.map((f) => f.id), ...locator(found) };
}

type GeoFeature = { id?: unknown; properties?: Record<string, unknown> | null; geometry?: { type?: string; coordinates?: unknown } | null };

/** The features of a GeoJSON FeatureCollection file. */
function readFeatureCollection(file: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError('BAD_GEOJSON', `${file} cannot be read as GeoJSON (${(e as Error).message}); give a FeatureCollection of Polygon/MultiPolygon features`, { file });
  }
  const fc = data as { type?: string; features?: unknown[] };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new InputError('BAD_GEOJSON', `${file} is not a GeoJSON FeatureCollection; give a FeatureCollection of Polygon/MultiPolygon features with an id property`, { file });
  }
  return fc.features;
}

/** A feature's area id: the --area-id property, else the first of id, code, name, area, else the feature id; `prop` is the property found (null when given). */
function featureId(file: string, f: GeoFeature, k: number, prop: string | undefined): { id: string; prop: string | null } {
  const props = f.properties ?? {};
  let id: unknown;
  let found: string | null = null;
  if (prop !== undefined) id = props[prop];
  else {
    for (const c of ['id', 'code', 'name', 'area']) {
      if (props[c] !== undefined && props[c] !== null && props[c] !== '') {
        id = props[c];
        found = c;
        break;
      }
    }
    if (id === undefined && f.id !== undefined) {
      id = f.id;
      found = '(feature id)';
    }
  }
  if (id === undefined || id === null || String(id) === '') throw new InputError('BAD_GEOJSON', `${file}: feature ${k} has no area id${prop ? ` (property '${prop}')` : ' (properties id, code, name, area or the feature id)'}; name the property with --area-id`, { file, feature: k });
  return { id: String(id), prop: found };
}

/** A Polygon or MultiPolygon area with the bounding box of its outer rings. */
function drawnArea(file: string, sid: string, g: GeoFeature['geometry']): DrawnArea {
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon') || !Array.isArray(g.coordinates)) {
    throw new InputError('BAD_GEOJSON', `${file}: feature '${sid}' has geometry ${g?.type ?? 'null'}; only Polygon and MultiPolygon are areas`, { file, id: sid });
  }
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const poly of polys) {
    if (!Array.isArray(poly) || poly.length === 0) throw new InputError('BAD_GEOJSON', `${file}: feature '${sid}' has an empty polygon`, { file, id: sid });
    for (const p of poly[0]!) {
      const [x, y] = p as [number, number];
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new InputError('BAD_GEOJSON', `${file}: feature '${sid}' has a non-numeric coordinate`, { file, id: sid });
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
  }
  return { id: sid, geom: g as Polygon | MultiPolygon, bbox: [x0, y0, x1, y1] };
}

/** Candidate areas from a packed Hilbert R-tree of the boxes, then the exact test; the first area in id order wins and overlaps are counted. */
function locator(found: readonly DrawnArea[]): Pick<GeoAreas, 'locate' | 'overlaps'> {
  const index = new Flatbush(found.length);
  for (const f of found) index.add(f.bbox[0], f.bbox[1], f.bbox[2], f.bbox[3]);
  index.finish();
  let overlaps = 0;
  const pt: [number, number] = [0, 0];
  return {
    locate: (lon, lat) => {
      const cands = index.search(lon, lat, lon, lat);
      if (cands.length === 0) return -1;
      if (cands.length > 1) cands.sort((a, b) => a - b);
      pt[0] = lon;
      pt[1] = lat;
      let hit = -1;
      for (const c of cands) {
        if (booleanPointInPolygon(pt, found[c]!.geom)) {
          if (hit < 0) hit = c;
          else {
            overlaps++;
            break;
          }
        }
      }
      return hit;
    },
    overlaps: () => overlaps,
  };
}
