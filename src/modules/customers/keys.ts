import { invalidPayload } from '../../core/errors.js';
import { customerProperties } from './schemas.js';

/**
 * A customer's properties with `id` and `source_id` nullable, as the spec marks them (customers.json, readOnly
 * openAPI): the bodies of POST /v1/customers and of an event's customer take them so.
 */
export const customerPropertiesNullableKeys = {
  ...customerProperties,
  id: { ...customerProperties.id, type: ['string', 'null'] },
  source_id: { ...customerProperties.source_id, type: ['string', 'null'] },
} as const;

type Keyed = { id?: string | null; source_id?: string | null };

/**
 * The input with a null `id` or `source_id` taken as not given, which it is only when the other key names the
 * customer: null for both, or a null key without the other, is 400 (`where` is the customer's place in the body).
 */
export function nullKeysAsAbsent<T extends Keyed>(input: T, where: string): T & { id?: string; source_id?: string } {
  if (input.id !== null && input.source_id !== null) return input as T & { id?: string; source_id?: string };
  if (typeof input.id !== 'string' && typeof input.source_id !== 'string') {
    const what = input.id === null && input.source_id === null ? 'id and source_id are null'
      : input.id === null ? 'id is null and there is no source_id' : 'source_id is null and there is no id';
    throw invalidPayload(`${where} names no customer: ${what}; send one of them`);
  }
  const { id, source_id: sourceId, ...rest } = input;
  return { ...rest, ...(typeof id === 'string' ? { id } : {}), ...(typeof sourceId === 'string' ? { source_id: sourceId } : {}) } as T & { id?: string; source_id?: string };
}
