import { isDeepStrictEqual } from 'node:util';
import type { Address, CustomerInput, CustomerRow } from './types.js';

const scalarFields = ['name', 'description', 'email', 'phone', 'birthdate'] as const;
const addressFields = ['city', 'state', 'line_1', 'line_2', 'country', 'postal_code'] as const;

/** Merges sent keys into an object; a key sent as null is removed. */
function mergeObject<T extends Record<string, unknown>>(current: T, patch: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** A customer's metadata once `sent` is merged into it (null empties it; none sent leaves it). */
export function mergedMetadata(current: Record<string, unknown>, sent: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return sent === undefined ? current : sent === null ? {} : mergeObject(current, sent);
}

/** An address always carries all six keys (null when unset), as Voucherify shows it; one with none set is null. */
function mergeAddress(current: Address | null, patch: Address | null | undefined): Address | null {
  if (patch === undefined) return current;
  if (patch === null) return null;
  const merged: Address = {};
  for (const f of addressFields) merged[f] = patch[f] !== undefined ? patch[f] : (current?.[f] ?? null);
  return addressFields.some((f) => merged[f] !== null) ? merged : null;
}

/** Key order does not count: jsonb gives nested keys back in its own order, not as they were sent. */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

/**
 * Applies sent attributes to a customer: only sent fields change; metadata and address merge key by key
 * (null removes a key; `address: null` clears the address). Returns whether anything changed, and what: field
 * names, `address`, and `metadata.<key>` per top-level metadata key (what segment filters depend on).
 */
export function applyAttributes(current: CustomerRow, input: CustomerInput): { row: CustomerRow; changed: boolean; fields: string[] } {
  const next: CustomerRow = { ...current };
  const birthdate = input.birthdate !== undefined ? input.birthdate : input.birthday;
  const sent = { ...input, birthdate };
  for (const f of scalarFields) if (sent[f] !== undefined) next[f] = sent[f] ?? null;
  next.address = mergeAddress(current.address, input.address);
  if (input.metadata !== undefined) next.metadata = mergedMetadata(current.metadata, input.metadata);
  const fields: string[] = scalarFields.filter((f) => next[f] !== current[f]);
  if (!sameJson(next.address, current.address)) fields.push('address');
  if (next.metadata !== current.metadata) {
    for (const k of new Set([...Object.keys(current.metadata), ...Object.keys(next.metadata)])) {
      if (!sameJson(next.metadata[k], current.metadata[k])) fields.push(`metadata.${k}`);
    }
  }
  return { row: next, changed: fields.length > 0, fields };
}

export function blankCustomer(id: string, projectId: string, sourceId: string | null, now: Date): CustomerRow {
  return {
    id,
    project_id: projectId,
    source_id: sourceId,
    name: null,
    description: null,
    email: null,
    phone: null,
    birthdate: null,
    address: null,
    metadata: {},
    system_metadata: {},
    created_at: now,
    updated_at: null,
  };
}

/** The customer test messages carry when none is named (a webhook's test send, a distribution's test): never stored. */
export function sampleCustomer(now: Date): CustomerRow {
  return { ...blankCustomer('cust_test0000000000000000000', '', 'test-customer', now), name: 'Test Customer', email: 'test.customer@example.com' };
}
