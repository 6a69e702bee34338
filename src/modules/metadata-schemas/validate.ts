import { isCalendarDate } from '../../core/time-range.js';
import type { MetadataProperty, MetadataSchemaRow } from './types.js';

const dateTimeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** 'lat, lng' with a latitude within ±90 and a longitude within ±180. */
function isGeopoint(v: unknown): boolean {
  const m = typeof v === 'string' ? /^(-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)$/.exec(v) : null;
  return m !== null && Math.abs(Number(m[1])) <= 90 && Math.abs(Number(m[2])) <= 180;
}

const typeChecks: Record<MetadataProperty['type'], { ok: (v: unknown) => boolean; text: string }> = {
  string: { ok: (v) => typeof v === 'string', text: 'must be a string' },
  number: { ok: (v) => typeof v === 'number' && Number.isFinite(v), text: 'must be a number' },
  boolean: { ok: (v) => typeof v === 'boolean', text: 'must be a boolean' },
  object: { ok: (v) => typeof v === 'object' && v !== null && !Array.isArray(v), text: 'must be an object' },
  date: { ok: (v) => typeof v === 'string' && isCalendarDate(v), text: 'must be a date in the format YYYY-MM-DD' },
  datetime: { ok: (v) => typeof v === 'string' && dateTimeRe.test(v) && !Number.isNaN(Date.parse(v)) && isCalendarDate(v.slice(0, 10)), text: 'must be a datetime in ISO 8601 format' },
  geopoint: { ok: isGeopoint, text: "must be a geopoint 'lat, lng'" },
  image_url: { ok: (v) => typeof v === 'string' && /^https?:\/\/\S+\.(jpe?g|png)$/i.test(v), text: 'must be a URL pointing to JPG/JPEG or PNG resource' },
};

/** The reasons one value breaks its definition, in Voucherify's words. */
function problems(d: MetadataProperty, v: unknown): string[] {
  const out: string[] = [];
  const check = typeChecks[d.type];
  if (!check.ok(v)) return [check.text];
  if (typeof v === 'string') {
    if (d.min_length !== undefined && v.length < d.min_length) out.push(`must be at least ${d.min_length} characters long`);
    if (d.max_length !== undefined && v.length > d.max_length) out.push(`must be at most ${d.max_length} characters long`);
    if (d.exact_length !== undefined && v.length !== d.exact_length) out.push(`must be exactly ${d.exact_length} characters long`);
  }
  if (typeof v === 'number') {
    if (d.lt !== undefined && !(v < d.lt)) out.push(`must be less than ${d.lt}`);
    if (d.lte !== undefined && !(v <= d.lte)) out.push(`must be less than or equal to ${d.lte}`);
    if (d.gt !== undefined && !(v > d.gt)) out.push(`must be greater than ${d.gt}`);
    if (d.gte !== undefined && !(v >= d.gte)) out.push(`must be greater than or equal to ${d.gte}`);
    if (d.ne?.includes(v)) out.push(`must not be equal to ${d.ne.join(',')}`);
  }
  if (d.eq && d.eq.length > 0 && (typeof v === 'string' || typeof v === 'number') && !d.eq.includes(v)) out.push(`must be equal to one of ${d.eq.join(',')}`);
  return out;
}

function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

/**
 * Voucherify's metadata validation: required (not optional) keys present, each defined key of its type (arrays
 * element by element) and within its constraints, and with allow_defined_only no other keys. Returns the
 * violations as `<key>: <reasons> (actual value is '<value>')`.
 */
export function violations(schema: MetadataSchemaRow, metadata: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, d] of Object.entries(schema.properties)) {
    if (d.deleted) continue;
    const v = Object.hasOwn(metadata, key) ? metadata[key] : undefined;
    if (v === undefined || v === null) {
      if (!d.optional) out.push(`${key}: is required`);
      continue;
    }
    let reasons: string[];
    if (d.array) reasons = Array.isArray(v) ? [...new Set(v.flatMap((x) => problems(d, x)))].map((r) => `every element: ${r}`) : ['must be an array'];
    else reasons = problems(d, v);
    if (reasons.length > 0) out.push(`${key}: ${reasons.join(', ')} (actual value is '${shown(v)}')`);
  }
  if (schema.allow_defined_only) {
    for (const key of Object.keys(metadata)) if (!Object.hasOwn(schema.properties, key) || schema.properties[key]!.deleted) out.push(`${key}: is not defined in the ${schema.related_object} metadata schema`);
  }
  return out;
}
