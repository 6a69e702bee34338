/**
 * The official-schema conformance machinery shared by the webhook suites: OpenAPIWebhooks.json and
 * webhooks-index.json read from ../shared (never copied into the repository), relaxed by the fair rules of
 * spec/README.md, compiled with Ajv by component name, and the official Standard Webhooks verifier.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { expect, vi } from 'vitest';
import type { Received } from './sink.js';

export type { ValidateFunction };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const specDir = resolve(repoRoot, '../shared/voucherify');
export const specPresent = existsSync(resolve(specDir, 'spec/OpenAPIWebhooks.json')) && existsSync(resolve(specDir, 'webhooks-index.json'));

/** Says, once per suite, that the official-schema checks are skipped and why. */
export function warnIfSpecAbsent(suite: string): void {
  if (!specPresent) {
    console.warn(`[${suite}] ${specDir}/spec/OpenAPIWebhooks.json or webhooks-index.json is absent: skipping the official-schema checks`);
  }
}

/**
 * The fair conformance check of spec/README.md: null is accepted wherever a type is given (the official examples
 * send null for unset fields; `nullable` goes, it is subsumed), every other type, required key, data enum and
 * additionalProperties:false still counts.
 */
export function fairSchemas(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fairSchemas);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable' && typeof v === 'boolean') continue;
    out[k] = k === 'example' || k === 'examples' || k === 'default' ? v : fairSchemas(v);
  }
  const typed = typeof out.type === 'string' || (Array.isArray(out.type) && out.type.every((x) => typeof x === 'string'));
  if (typed) {
    const types = ([] as string[]).concat(out.type as string | string[]);
    out.type = types.includes('null') ? types : [...types, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** One entry of webhooks-index.json (the fields the suites read). */
export interface IndexEntry {
  name: string;
  type: string;
  group: string;
  schema_ref: string;
  envelope_schema_ref: string | null;
  required_data_keys: string[];
}

export interface Spec {
  /** OpenAPIWebhooks.json as published. */
  doc: any;
  index: { webhooks: IndexEntry[] };
  /** The fair copy's component schemas: masks are applied here, before compiling. */
  schemas: Record<string, any>;
  /** The index entry of a webhook type (undefined when the index lacks it). */
  entry(type: string): IndexEntry | undefined;
  /** The request-body schema reference of a webhook, as OpenAPIWebhooks.json declares it. */
  requestBodyRef(entry: IndexEntry): string;
  /** A validator for one component schema of the fair copy (with whatever masks were applied so far). */
  compile(name: string): ValidateFunction;
}

export function loadSpec(): Spec {
  const doc = JSON.parse(readFileSync(resolve(specDir, 'spec/OpenAPIWebhooks.json'), 'utf8'));
  const index = JSON.parse(readFileSync(resolve(specDir, 'webhooks-index.json'), 'utf8'));
  const fair = fairSchemas(doc) as any;
  let ajv: Ajv2020 | undefined;
  return {
    doc,
    index,
    schemas: fair.components.schemas,
    entry: (type) => index.webhooks.find((w: IndexEntry) => w.type === type),
    requestBodyRef: (entry) => doc.webhooks[entry.name].post.requestBody.content['application/json'].schema.$ref,
    compile(name) {
      if (!ajv) {
        ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateSchema: false }));
        ajv.addSchema(fair, 'voucherify-webhooks');
      }
      return ajv.compile({ $ref: `voucherify-webhooks#/components/schemas/${name}` });
    },
  };
}

export function expectValid(validate: ValidateFunction, value: unknown, what: string): void {
  const ok = validate(value);
  expect(ok, `${what}: ${JSON.stringify(validate.errors, null, 1)}`).toBe(true);
}

/** The official library, with the receiver's clock set to the sender's `now` (the library checks the timestamp). */
export function standardVerify(secret: string, r: Pick<Received, 'body' | 'headers'>, now: Date): boolean {
  vi.setSystemTime(now);
  try {
    new Webhook(secret).verify(r.body, {
      'webhook-id': r.headers['webhook-id'] as string,
      'webhook-timestamp': r.headers['webhook-timestamp'] as string,
      'webhook-signature': r.headers['webhook-signature'] as string,
    });
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}
