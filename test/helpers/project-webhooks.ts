/**
 * Validators for project-settings webhook payloads of any type, under the fair rules of spec/README.md: the
 * envelope WebhookProjectSettingPayload (its incomplete type enums masked), the per-event envelope where one exists
 * (its `name` required where `project_id` is meant, DIGEST j.9, swapped), and the data schema of webhooks-index.json.
 */
import { expect } from 'vitest';
import { expectValid, loadSpec, type ValidateFunction } from './conformance.js';

export interface PayloadValidators {
  /** Validates a received payload of its type: envelope, per-event envelope, data. */
  check(payload: any, what?: string): void;
  data(type: string): ValidateFunction;
}

/** `mask`, when given, amends the fair copy's component schemas (a suite's own documented masks) before compiling. */
export function projectWebhookValidators(types: string[], mask?: (schemas: Record<string, any>) => void): PayloadValidators {
  const spec = loadSpec();
  const schemas = spec.schemas;
  mask?.(schemas);
  const envelope = schemas.WebhookProjectSettingPayload;
  delete envelope.properties.type.enum;
  delete envelope.properties.event.properties.type.enum;
  // ValidityHours says `format: time` (RFC 3339: seconds and an offset) and, in the same schema, "in the HH:mm
  // format" (example "12:00"), as the API takes it: the HH:mm the schema describes is checked instead.
  const daily = schemas.ValidityHours.properties.daily.items.properties;
  for (const k of ['start_time', 'expiration_time']) {
    expect(daily[k].format).toBe('time');
    delete daily[k].format;
    daily[k].pattern = '^([01]\\d|2[0-3]):[0-5]\\d$';
  }
  const perType = new Map<string, { envelope?: ValidateFunction; data: ValidateFunction }>();
  for (const type of types) {
    const entry = spec.entry(type);
    expect(entry, type).toBeDefined();
    let env: ValidateFunction | undefined;
    if (entry!.envelope_schema_ref) {
      const schema = schemas[entry!.envelope_schema_ref];
      if (Array.isArray(schema.required)) schema.required = schema.required.map((k: string) => (k === 'name' ? 'project_id' : k));
      env = spec.compile(entry!.envelope_schema_ref);
    }
    perType.set(type, { envelope: env, data: spec.compile(entry!.schema_ref) });
  }
  const projectSettings = spec.compile('WebhookProjectSettingPayload');
  return {
    check(payload, what = payload?.type) {
      const v = perType.get(payload.type);
      expect(v, `validator for ${payload.type}`).toBeDefined();
      expectValid(projectSettings, payload, `${what} envelope`);
      if (v!.envelope) expectValid(v!.envelope, payload, `${what} per-event envelope`);
      expectValid(v!.data, payload.data, `${what} data`);
    },
    data: (type) => perType.get(type)!.data,
  };
}
