import type { FastifyInstance } from 'fastify';
import { orderInputSchema, orderObject, type OrderInput, type OrderListQuery, type OrdersService } from '../../modules/orders/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { limitParam, listOf } from '../list.js';

const idParams = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

const listQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    page: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
    order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at'] },
  },
} as const;

export function orderRoutes(app: FastifyInstance, deps: { orders: OrdersService }): void {
  const { orders } = deps;

  app.post<{ Body: OrderInput }>('/orders', { schema: { body: orderInputSchema } }, async (req) => orderObject(await orders.create(causeOf(req), req.body)));

  app.get<{ Params: { orderId: string } }>('/orders/:orderId', { schema: { params: idParams } }, async (req) =>
    orderObject(await orders.get(projectIdOf(req), req.params.orderId)),
  );

  app.put<{ Params: { orderId: string }; Body: OrderInput }>('/orders/:orderId', { schema: { params: idParams, body: orderInputSchema } }, async (req) =>
    orderObject(await orders.update(causeOf(req), req.params.orderId, req.body)),
  );

  app.post<{ Body: OrderInput[] }>(
    '/orders/import',
    { schema: { body: { type: 'array', minItems: 1, maxItems: 2000, items: orderInputSchema } } },
    async (req, reply) => reply.code(202).send(await orders.importMany(causeOf(req), req.body)),
  );

  app.get<{ Querystring: OrderListQuery }>('/orders', { schema: { querystring: listQuery } }, async (req) => {
    const page = await orders.list(projectIdOf(req), req.query);
    return listOf('orders', page.orders.map(orderObject), { total: page.total, has_more: page.hasMore });
  });
}
