/**
 * Customers of a project. Glossary:
 * - id (`cust_`): ours; source_id: the merchant's own id (or email), unique per project, the find-or-create key.
 * - upsert: POST /v1/customers and tracked events update a known customer and create an unknown one.
 * - attributes: sent fields change, the rest stay; metadata and address merge key by key (null removes a key).
 * Emits customer.created / customer.updated (only when something changed) / customer.deleted.
 */
export { createCustomersService, type CustomersService, type ListQuery, type SegmentMembers } from './service.js';
export { customerObject, orderSummaryObject, rowOfObject, simpleCustomer, type CustomerObject } from './view.js';
export { blankCustomer } from './attributes.js';
export { customerInputSchema, customerProperties } from './schemas.js';
export type { CustomerInput, CustomerRow, OrderSummary, UpsertResult } from './types.js';
export type { ShareLock } from './sql.js';
export type { UpsertItem, UpsertOutcome } from './upsert.js';
