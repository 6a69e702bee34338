/**
 * Location shapes and whether a point lies in one: a circle (`geo:<lat>,<lng>` and a radius in km, m or mi, on the
 * sphere) or a GeoJSON Polygon or MultiPolygon (positions `[lng, lat]`; the first ring bounds, later rings are
 * holes; tested on the plane of longitude and latitude). Pure.
 */
import { invalidPayload } from '../../core/errors.js';

export type Position = [number, number];
export type CircleShape = { type: 'circle'; format: 'distance'; distance: { center: string; radius: string } };
export type PolygonShape = { type: 'polygon'; format: 'geojson'; geojson: { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] } };
export type Shape = CircleShape | PolygonShape;

const earthKm = 6371.0088;
const unitKm: Record<string, number> = { km: 1, m: 0.001, mi: 1.609344 };
const number = String.raw`-?\d+(?:\.\d+)?`;

/** `"lat, lng"` (how geopoint metadata is stored), `geo:lat,lng`, or `{lat, lng}`; undefined for anything else. */
export function pointOf(v: unknown): { lat: number; lng: number } | undefined {
  let lat: number;
  let lng: number;
  if (typeof v === 'string') {
    const m = new RegExp(`^\\s*(?:geo:)?(${number})\\s*,\\s*(${number})\\s*$`).exec(v);
    if (!m) return undefined;
    lat = Number(m[1]);
    lng = Number(m[2]);
  } else if (v && typeof v === 'object' && typeof (v as { lat?: unknown }).lat === 'number' && typeof (v as { lng?: unknown }).lng === 'number') {
    ({ lat, lng } = v as { lat: number; lng: number });
  } else return undefined;
  return Math.abs(lat) <= 90 && Math.abs(lng) <= 180 ? { lat, lng } : undefined;
}

function radiusKm(r: string): number | undefined {
  const m = new RegExp(`^\\s*(${number})\\s*(km|m|mi)\\s*$`).exec(r);
  return m && Number(m[1]) > 0 ? Number(m[1]) * unitKm[m[2]!]! : undefined;
}

/** A shape as given, checked (400 invalid_payload naming what is wrong), with its `format` filled in. */
export function checkShape(shape: Shape): Shape {
  const fail = (why: string): never => {
    throw invalidPayload(`Property .shape ${why}`);
  };
  if (shape.type === 'circle') {
    if (!pointOf(shape.distance.center)) fail(`.distance.center must be 'geo:<latitude>,<longitude>' (got '${shape.distance.center}')`);
    if (radiusKm(shape.distance.radius) === undefined) fail(`.distance.radius must be a positive distance in km, m or mi, such as '1.5 km' (got '${shape.distance.radius}')`);
    return { type: 'circle', format: 'distance', distance: { center: shape.distance.center, radius: shape.distance.radius } };
  }
  const isPosition = (p: unknown) => Array.isArray(p) && p.length >= 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n));
  const isRing = (r: unknown) => Array.isArray(r) && r.every(isPosition);
  const isPolygon = (rings: unknown) => Array.isArray(rings) && rings.every(isRing);
  const c: unknown = shape.geojson.coordinates;
  if (shape.geojson.type === 'Polygon' ? !isPolygon(c) : !(Array.isArray(c) && c.every(isPolygon))) {
    fail(`.geojson.coordinates must be ${shape.geojson.type === 'Polygon' ? 'rings' : 'polygons of rings'} of [longitude, latitude] positions`);
  }
  const polygons = shape.geojson.type === 'Polygon' ? [shape.geojson.coordinates] : shape.geojson.coordinates;
  if (polygons.length === 0) fail('.geojson.coordinates must hold a polygon');
  for (const rings of polygons) {
    if (rings.length === 0) fail('.geojson.coordinates: a polygon needs its outer ring');
    for (const ring of rings) {
      if (ring.length < 4) fail('.geojson.coordinates: a ring needs at least 4 positions (the first repeated last)');
      if (ring.some(([lng, lat]) => Math.abs(lat) > 90 || Math.abs(lng) > 180)) fail('.geojson.coordinates: positions are [longitude, latitude] within ±180 and ±90');
      const [a, z] = [ring[0]!, ring.at(-1)!];
      if (a[0] !== z[0] || a[1] !== z[1]) fail('.geojson.coordinates: a ring must end where it starts');
    }
  }
  return { type: 'polygon', format: 'geojson', geojson: shape.geojson };
}

/** Great-circle distance in km. */
function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * earthKm * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Even-odd ray casting on [lng, lat]. */
function inRing(p: { lat: number; lng: number }, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p.lat !== yj > p.lat && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether the point (a geopoint value) lies in the shape; a value that is no point lies in none. */
export function contains(shape: Shape, value: unknown): boolean {
  const p = pointOf(value);
  if (!p) return false;
  if (shape.type === 'circle') {
    const center = pointOf(shape.distance.center);
    const r = radiusKm(shape.distance.radius);
    return center !== undefined && r !== undefined && distanceKm(center, p) <= r;
  }
  const polygons = shape.geojson.type === 'Polygon' ? [shape.geojson.coordinates] : shape.geojson.coordinates;
  return polygons.some(([outer, ...holes]) => outer !== undefined && inRing(p, outer) && !holes.some((h) => inRing(p, h)));
}
