/**
 * Validators of API answers against the official response schemas of spec/api/<file>.json (fair copies, see
 * conformance.ts), when the spec folder is there; `adjust` fixes what a schema gets wrong (said where it is called).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { fairSchemas, specDir } from './conformance.js';

export function apiSpecValidator(file: string, adjust: (schemas: Record<string, any>) => void = () => undefined) {
  // `readOnly-openAPI` is the one file of all paths (the only one with some operations, such as campaign templates).
  const path = resolve(specDir, file === 'readOnly-openAPI' ? 'spec/readOnly-openAPI.json' : `spec/api/${file}.json`);
  let ajv: Ajv | undefined;
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  function validator(name: string) {
    if (!existsSync(path)) return undefined;
    if (!ajv) {
      const doc = fairSchemas(JSON.parse(readFileSync(path, 'utf8'))) as any;
      adjust(doc.components.schemas);
      ajv = (addFormatsModule as unknown as (a: Ajv) => Ajv)(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
      ajv.addSchema(doc, file);
    }
    if (!compiled.has(name)) compiled.set(name, ajv.compile({ $ref: `${file}#/components/schemas/${name}` }));
    return compiled.get(name)!;
  }
  /** Fails the test when the value does not validate against the named schema (nothing when the spec is absent). */
  return function expectOfficial(name: string, value: unknown): void {
    const validate = validator(name);
    if (!validate) return;
    expect(validate(value), `${name}: ${JSON.stringify(validate.errors, null, 1)}`).toBe(true);
  };
}
