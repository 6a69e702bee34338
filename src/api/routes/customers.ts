import type { Wallets, WalletListQuery } from '../../modules/wallets/index.js';
import type { CustomerBulk } from '../../modules/customer-bulk/index.js';
import type { CustomerErasure } from '../../modules/customer-erasure/index.js';
import type { FastifyInstance } from 'fastify';
import { activityObject, type ActivityQuery, type EventLog } from '../../modules/event-log/index.js';
import { customerInputSchema, customerObject, customerPropertiesNullableKeys, nullKeysAsAbsent, type CustomerInput, type CustomersService, type ListQuery } from '../../modules/customers/index.js';
import type { LoyaltiesService } from '../../modules/loyalties/index.js';
import type { ReferralsService } from '../../modules/referrals/index.js';
import { forbidden, invalidPayload } from '../../core/errors.js';
import { causeOf, projectIdOf } from '../auth.js';
import { dateParam, limitParam, listOf, oneValued, pagedListQuery, toDate, toRange, type DateRangeQuery } from '../list.js';

const idParams = {
  type: 'object',
  required: ['customerId'],
  properties: { customerId: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

// Voucherify's documented parameters (the SDK's customers.list and scroll send a subset); any other key, `filters[...]`
// included, is 400 as on the other lists rather than ignored (which would answer the unfiltered list).
const listQuery = {
  ...pagedListQuery({
    email: { type: 'string' },
    city: { type: 'string' },
    name: { type: 'string' },
    segment_id: { type: 'string' },
    order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at', 'source_id', '-source_id'] },
    starting_after: dateParam,
  }),
  additionalProperties: false,
} as const;
const oneValuedListParams = oneValued(['limit', 'page', 'email', 'city', 'name', 'segment_id', 'order', 'starting_after']);

const activityQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    order: { type: 'string', enum: ['created_at', '-created_at'], default: '-created_at' },
    starting_after_id: { type: 'string' },
    start_date: dateParam,
    end_date: dateParam,
    campaign_id: { type: 'string' },
    campaign_type: { type: 'string', enum: ['PROMOTION', 'GIFT_VOUCHERS', 'REFERRAL_PROGRAM', 'DISCOUNT_COUPONS', 'LOYALTY_PROGRAM'] },
    category: { type: 'string', enum: ['ACTION', 'EFFECT'] },
    type: { type: 'string' },
  },
} as const;


export function customerRoutes(app: FastifyInstance, deps: { customers: CustomersService; log: EventLog; loyalties?: LoyaltiesService; referrals?: ReferralsService; wallets: Wallets; customerBulk: CustomerBulk; customerErasure: CustomerErasure }): void {
  const { customers, log } = deps;

  // id and source_id nullable as in the spec: a null one is not given when the other names the customer.
  const upsertBody = { ...customerInputSchema, properties: customerPropertiesNullableKeys } as const;
  app.post<{ Body: CustomerInput }>('/customers', { schema: { body: upsertBody } }, async (req) => {
    const { customer } = await customers.upsert(causeOf(req), nullKeysAsAbsent(req.body, 'Payload'));
    return customerObject(customer);
  });

  // In bulk (the SDK's customers.updateInBulk and updateMetadataInBulk): 202 with the finished async action.
  const bulkBody = { type: 'array', minItems: 1, maxItems: 1000, items: { ...customerInputSchema, required: ['source_id'] } } as const;
  app.post<{ Body: CustomerInput[] }>('/customers/bulk/async', { schema: { body: bulkBody } }, async (req, reply) => reply.code(202).send(await deps.customerBulk.updateMany(causeOf(req), req.body)));
  const metadataBody = {
    type: 'object',
    required: ['source_ids', 'metadata'],
    properties: { source_ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 500 } }, metadata: { type: 'object' } },
  } as const;
  app.post<{ Body: { source_ids: string[]; metadata: Record<string, unknown> } }>('/customers/metadata/async', { schema: { body: metadataBody } }, async (req, reply) =>
    reply.code(202).send(await deps.customerBulk.updateMetadata(causeOf(req), req.body.source_ids, req.body.metadata)),
  );

  // The customer forgotten (their data and activity erased; what other records keep names them by id only).
  app.post<{ Params: { customerId: string } }>('/customers/:customerId/permanent-deletion', { schema: { params: idParams } }, async (req) =>
    deps.customerErasure.erase(causeOf(req), req.params.customerId),
  );

  app.get<{ Params: { customerId: string } }>('/customers/:customerId', { schema: { params: idParams } }, async (req) => {
    const projectId = projectIdOf(req);
    const c = customerObject(await customers.get(projectId, req.params.customerId));
    // The loyalty and referral parts, from the modules that keep them.
    const [referredBy, referrals] = deps.referrals ? await Promise.all([deps.referrals.referredBy(projectId, c.id), deps.referrals.summaryOf(projectId, c.id)]) : [[], c.referrals];
    if (!deps.loyalties) return { ...c, referrals };
    const { loyalty, held } = await deps.loyalties.customerLoyalty(projectId, c.id, referredBy.length);
    const r = c.summary.redemptions;
    const redemptions = { ...r, gift: { ...r.gift, amount_to_go: held.amount_to_go }, loyalty_card: { redeemed_points: held.redeemed_points, points_to_go: held.points_to_go } };
    return { ...c, summary: { ...c.summary, redemptions }, loyalty, referrals };
  });

  app.put<{ Params: { customerId: string }; Body: CustomerInput }>(
    '/customers/:customerId',
    { schema: { params: idParams, body: customerInputSchema } },
    async (req) => customerObject(await customers.update(causeOf(req), req.params.customerId, req.body)),
  );

  app.delete<{ Params: { customerId: string } }>('/customers/:customerId', { schema: { params: idParams } }, async (req, reply) => {
    await customers.remove(causeOf(req), req.params.customerId);
    return reply.code(204).send();
  });

  app.get<{ Querystring: Omit<ListQuery, 'created_at' | 'updated_at' | 'starting_after'> & { created_at?: DateRangeQuery; updated_at?: DateRangeQuery; starting_after?: string } }>(
    '/customers',
    { schema: { querystring: listQuery }, preValidation: oneValuedListParams },
    async (req) => {
      const q = req.query;
      const page = await customers.list(projectIdOf(req), {
        ...q,
        created_at: toRange(q.created_at),
        updated_at: toRange(q.updated_at),
        starting_after: toDate(q.starting_after),
      });
      return listOf('customers', page.customers.map(customerObject), { total: page.total, has_more: page.hasMore });
    },
  );

  /** `counted`: the deprecated /activities answers `total` (its schema requires it); /activity pages by cursor only. */
  const listActivity = async (projectId: string, key: string, q: Record<string, unknown>, counted = false) => {
    const customer = await customers.get(projectId, key);
    const query = { ...q, start_date: toDate(q.start_date as string), end_date: toDate(q.end_date as string) } as ActivityQuery;
    const page = await log.listActivity(projectId, customer.id, query);
    const last = page.records.at(-1);
    const { limit: _l, order: _o, starting_after_id: _s, ...filter } = query;
    return listOf('data', page.records.map(activityObject), {
      ...(counted ? { total: await log.countActivity(projectId, customer.id, filter) } : {}),
      has_more: page.hasMore,
      ...(page.hasMore && last ? { more_starting_after: last.id } : {}),
    });
  };

  app.get<{ Params: { customerId: string }; Querystring: Record<string, unknown> }>(
    '/customers/:customerId/activity',
    { schema: { params: idParams, querystring: activityQuery } },
    async (req) => listActivity(projectIdOf(req), req.params.customerId, req.query),
  );

  // Deprecated in Voucherify in favour of /activity; kept for older SDK calls.
  app.get<{ Params: { customerId: string }; Querystring: Record<string, unknown> }>(
    '/customers/:customerId/activities',
    { schema: { params: idParams, querystring: activityQuery } },
    async (req) => listActivity(projectIdOf(req), req.params.customerId, req.query, true),
  );

  // The customer's wallet (the SDK's customers.listRedeemables).
  const walletQuery = {
    type: 'object',
    properties: {
      limit: limitParam,
      order: { type: 'string', enum: ['created_at', '-created_at', 'id', '-id'] },
      starting_after_id: { type: 'string', minLength: 1, maxLength: 200 },
      filters: { type: 'object' },
    },
  } as const;
  app.get<{ Params: { customerId: string }; Querystring: WalletListQuery }>(
    '/customers/:customerId/redeemables',
    { schema: { params: idParams, querystring: walletQuery } },
    async (req) => deps.wallets.list(projectIdOf(req), req.params.customerId, req.query),
  );
}

/**
 * The client side's customer creation (the SDK's client `createCustomer`), when the project turns it on
 * (`client_create_customer_enabled`): an upsert by source_id as on the server side; a customer cannot be named by
 * Tessera's id from a browser.
 */
export function clientCustomerRoutes(app: FastifyInstance, deps: { customers: CustomersService }): void {
  app.post<{ Body: CustomerInput }>('/customers', { schema: { body: customerInputSchema } }, async (req) => {
    if (req.project?.settings.client_create_customer_enabled !== true) throw forbidden('Client-side customer creation is off for this project (client_create_customer_enabled)');
    const { id, ...input } = req.body as CustomerInput & { id?: string };
    if (id !== undefined) throw invalidPayload('Client-side requests name a customer by source_id, not id');
    const { customer } = await deps.customers.upsert(causeOf(req), input);
    return customerObject(customer);
  });
}
