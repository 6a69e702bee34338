import type { FastifyInstance } from 'fastify';
import type { OrderItem, OrderRow, OrdersService } from '../../modules/orders/index.js';
import type { RedemptionsService } from '../../modules/redemptions/index.js';
import { projectCtx, type ProjectCtx } from '../context.js';
import { html, money, when, type Html } from '../html.js';
import { pager } from './list-parts.js';
import { redemptionTable } from './campaigns.js';

/** Orders: what customers bought, with the discounts their redemptions gave (read only, as in Voucherify). */
export interface OrderServices {
  orders: Pick<OrdersService, 'list' | 'get'>;
  redemptions: Pick<RedemptionsService, 'list'>;
}

type P = { Params: { projectId: string; orderId: string }; Querystring: { page?: string } };
const pageSize = 50;

function customerLink(c: ProjectCtx, id: string | null): Html | string {
  return id ? html`<a class="mono" href="${c.base}/customers/${encodeURIComponent(id)}">${id}</a>` : '—';
}

/** An item's name: its product's (and SKU's) as the catalog had them, or its source id. */
function itemName(i: OrderItem): string {
  const product = typeof i.product?.name === 'string' ? i.product.name : undefined;
  const sku = typeof i.sku?.sku === 'string' ? i.sku.sku : undefined;
  return [product, sku].filter(Boolean).join(' › ') || i.source_id || i.product_id || i.sku_id || '—';
}

function orderTable(c: ProjectCtx, rows: OrderRow[]): Html {
  return html`<div class="table-wrap"><table id="orders"><caption class="visually-hidden">Orders</caption>
<thead><tr><th scope="col">Order</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Discount</th><th scope="col">Total</th><th scope="col">Customer</th><th scope="col">Created</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="7" class="muted">No orders yet.</td></tr>` : ''}${rows.map(
    (o) => html`<tr data-order="${o.id}"><td><a class="mono" href="${c.base}/orders/${encodeURIComponent(o.id)}">${o.source_id ?? o.id}</a></td><td><span class="badge ${o.status === 'CANCELED' ? 'inactive' : o.status === 'CREATED' ? 'running' : 'completed'}">${o.status}</span></td>
<td>${money(o.amount)}</td><td>${money(o.total_discount_amount)}</td><td>${money(o.total_amount)}</td><td>${customerLink(c, o.customer_id)}</td><td>${when(o.created_at.toISOString())}</td></tr>`,
  )}</tbody></table></div>`;
}

export function orderRoutes(d: FastifyInstance, s: OrderServices): void {
  d.get<P>('/p/:projectId/orders', async (req, reply) => {
    const c = await projectCtx(req);
    const pageNo = Math.min(1000, Math.max(1, Number.parseInt(req.query.page ?? '', 10) || 1));
    const { orders, total } = await s.orders.list(c.project.id, { limit: pageSize, page: pageNo });
    const body = html`<h1>Orders</h1>
<p class="muted">Orders your application sent (with redemptions, or <code>POST /v1/orders</code>), newest first; ${total} in all.</p>
${orderTable(c, orders)}
${pager(`${c.base}/orders`, {}, pageNo, pageSize, total)}`;
    return c.render(reply, 'orders', 'Orders', body);
  });

  d.get<P>('/p/:projectId/orders/:orderId', async (req, reply) => {
    const c = await projectCtx(req);
    const o = await s.orders.get(c.project.id, req.params.orderId);
    // The redemptions that applied to it, as the order records them (a stack: its parent and each redeemable's).
    const ids = Object.entries(o.redemptions ?? {}).flatMap(([id, entry]) => [id, ...((entry as { stacked?: unknown }).stacked as string[] | undefined ?? [])]);
    const { rows: redemptions } = await s.redemptions.list(c.project.id, { ids: [...new Set(ids)], limit: 100, page: 1 });
    const at = `${c.base}/orders/${encodeURIComponent(o.id)}`;
    const body = html`<p class="crumb"><a href="${c.base}/orders">Orders</a> › ${o.source_id ?? o.id}</p><h1>Order <span class="mono">${o.source_id ?? o.id}</span></h1>
<div class="card"><dl class="grid2"><div><dt>ID</dt><dd class="mono">${o.id}</dd></div><div><dt>Source ID</dt><dd class="mono">${o.source_id ?? '—'}</dd></div>
<div><dt>Status</dt><dd id="order-status">${o.status}</dd></div><div><dt>Customer</dt><dd>${customerLink(c, o.customer_id)}</dd></div>
<div><dt>Amount</dt><dd>${money(o.amount)}</dd></div><div><dt>Discount</dt><dd id="order-discount">${money(o.total_discount_amount)}</dd></div>
<div><dt>Total</dt><dd id="order-total">${money(o.total_amount)}</dd></div><div><dt>Created</dt><dd>${when(o.created_at.toISOString())}</dd></div>
${o.referrer_id ? html`<div><dt>Referrer</dt><dd>${customerLink(c, o.referrer_id)}</dd></div>` : ''}</dl>
${Object.keys(o.metadata ?? {}).length > 0 ? html`<h2>Metadata</h2><pre class="mono">${JSON.stringify(o.metadata, null, 2)}</pre>` : ''}</div>
<h2>Items (${o.items.length})</h2>
<div class="table-wrap"><table id="order-items"><thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Price</th><th scope="col">Amount</th><th scope="col">Discount</th></tr></thead>
<tbody>${o.items.length === 0 ? html`<tr><td colspan="5" class="muted">No items.</td></tr>` : ''}${o.items.map(
      (i) => html`<tr><td>${itemName(i)}</td><td>${i.quantity ?? '—'}</td><td>${money(i.price)}</td><td>${money(i.amount)}</td><td>${money(i.discount_amount)}</td></tr>`,
    )}</tbody></table></div>
<h2>Redemptions</h2>
${redemptionTable(c, redemptions, 'all', at, 'No redemption applied to this order.')}`;
    return c.render(reply, 'orders', `Order ${o.source_id ?? o.id}`, body);
  });
}
