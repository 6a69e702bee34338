/**
 * Adds the JSON-schema formats (date, date-time, email...) to an Ajv. ajv-formats ships CommonJS; under NodeNext its
 * default export is the module object, so it is cast here, once.
 */
import type { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

export const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
