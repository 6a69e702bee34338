import { Ajv, type ErrorObject } from 'ajv';
import { addFormats } from '../core/ajv-formats.js';
import { isStorableTime, storableRange } from '../core/time-range.js';

/** Bodies are JSON: types are checked as sent, never coerced ("5" is not a number). */
export const bodyAjv = addFormats(new Ajv({ coerceTypes: false, useDefaults: true, strict: false, allErrors: false }));
/** Query strings and path parameters are text: numbers and booleans are coerced from it. */
export const queryAjv = addFormats(new Ajv({ coerceTypes: 'array', useDefaults: true, strict: false, allErrors: false }));

/** A date or date-time naming an instant both stores hold: years 0001 to 9999 once read in UTC. */
export const storableTimeFormat = 'storable-time';
for (const ajv of [bodyAjv, queryAjv]) ajv.addFormat(storableTimeFormat, { type: 'string', validate: (s: string) => isStorableTime(Date.parse(s)) });

function subject(path: string, part: string): string {
  if (path === '') return part === 'body' ? 'Payload' : part === 'querystring' ? 'Query' : 'Path';
  return `Property ${path.replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~')}`;
}

/** Formats ajv errors the way Voucherify words them: "Property .customer.email must be string". */
export function describeValidation(errors: ErrorObject[], part: string): string {
  const anyOf = errors.find((e) => e.keyword === 'anyOf');
  if (anyOf) {
    const missing = errors
      .filter((e) => e.keyword === 'required' && e.instancePath === anyOf.instancePath)
      .map((e) => `'${(e.params as { missingProperty: string }).missingProperty}'`);
    if (missing.length > 0) return `${subject(anyOf.instancePath, part)} should have required property ${missing.join(' or ')}`;
  }
  const e = errors[0]!;
  const who = subject(e.instancePath, part);
  switch (e.keyword) {
    case 'required':
      return `${who} should have required property '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `${who} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'type':
      return `${who} must be ${String((e.params as { type: string | string[] }).type).replace(',null', ' or null')}`;
    case 'format':
      if ((e.params as { format: string }).format === storableTimeFormat) return `${who} must be a date ${storableRange}`;
      return `${who} ${e.message ?? 'is invalid'}`;
    case 'additionalProperties':
      return `${who} must NOT have additional property '${(e.params as { additionalProperty: string }).additionalProperty}' (unknown key: check its spelling)`;
    default:
      return `${who} ${e.message ?? 'is invalid'}`;
  }
}
