import { isCalendarDate } from '../../core/time-range.js';
import type { PropertyDefinition } from './types.js';

const dateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const isDate = isCalendarDate;

const checks: Record<PropertyDefinition['type'], { ok: (v: unknown) => boolean; expected: string }> = {
  string: { ok: (v) => typeof v === 'string', expected: 'must be a string' },
  number: { ok: (v) => typeof v === 'number' && Number.isFinite(v), expected: 'must be a number' },
  boolean: { ok: (v) => typeof v === 'boolean', expected: 'must be a boolean' },
  date: { ok: (v) => typeof v === 'string' && isDate(v), expected: 'must be a date in the format YYYY-MM-DD' },
  datetime: {
    ok: (v) => typeof v === 'string' && dateTimePattern.test(v) && !Number.isNaN(Date.parse(v)) && isDate(v.slice(0, 10)),
    expected: 'must be a datetime in ISO 8601 format, e.g. 2024-01-31T09:30:00.000Z',
  },
};

function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

export interface MetadataViolation {
  property: string;
  problem: 'required' | 'type';
  message: string;
}

/**
 * Checks event metadata against the schema's live (not soft-deleted) properties: required ones must be present and
 * not null, and every present one must have its type. Keys the schema does not define are accepted as they are.
 */
export function validateMetadata(
  properties: Record<string, PropertyDefinition>,
  metadata: Record<string, unknown>,
): MetadataViolation[] {
  const out: MetadataViolation[] = [];
  for (const [name, def] of Object.entries(properties)) {
    if (def.deleted) continue;
    const value = Object.hasOwn(metadata, name) ? metadata[name] : undefined;
    if (value === undefined || value === null) {
      if (!def.optional) out.push({ property: name, problem: 'required', message: `${name}: is required` });
      continue;
    }
    const check = checks[def.type];
    if (!check.ok(value)) {
      out.push({ property: name, problem: 'type', message: `${name}: ${check.expected} (actual value is '${shown(value)}')` });
    }
  }
  return out;
}
