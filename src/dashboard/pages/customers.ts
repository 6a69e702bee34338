import type { FastifyInstance } from 'fastify';
import { activityObject } from '../../modules/event-log/index.js';
import { customerInputSchema, customerObject, type CustomerRow } from '../../modules/customers/index.js';
import { TesseraError } from '../../core/errors.js';
import type { PublicationsService } from '../../modules/publications/index.js';
import { dashOf, field, projectCtx, type ProjectCtx, refusalText } from '../context.js';
import { csrfField, postButton } from '../layout.js';
import { bodyProblem, userCause } from '../v1.js';
import { html, query, when, type Html } from '../html.js';
import type { CustomerReferral } from '../../modules/referrals/index.js';
import type { V1Services } from '../v1.js';
import { redemptionTable, type CampaignServices } from './campaigns.js';

const activityTypes = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.custom_event',
  'customer.segment.entered',
  'customer.segment.left',
  'customer.publication.succeeded',
  'customer.redemption.succeeded',
  'customer.rewarded.loyalty_points',
  'customer.voucher.loyalty_card.points_added',
];
const pageSize = 20;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The campaigns whose codes can be published to a customer (promotions have none; referral and loyalty codes do). */
const publishable = new Set(['DISCOUNT_COUPONS', 'GIFT_VOUCHERS', 'LOYALTY_PROGRAM', 'REFERRAL_PROGRAM']);

/** Who referred the customer and whom they referred, in which program and when. */
function referralList(c: ProjectCtx, rows: CustomerReferral[]): Html {
  if (rows.length === 0) return html``;
  const person = (r: CustomerReferral) => html`<a href="${c.base}/customers/${encodeURIComponent(r.other_id)}">${r.other_source_id ?? r.other_id}</a>`;
  const program = (r: CustomerReferral) => html`<a href="${c.base}/campaigns/${encodeURIComponent(r.campaign_id)}">${r.campaign_name ?? r.campaign_id}</a>`;
  return html`<h2>Referrals</h2><ul id="customer-referrals">${rows.map(
    (r) => html`<li>${r.direction === 'referred_by' ? html`Referred by ${person(r)}` : html`Referred ${person(r)}`} in ${program(r)} <span class="muted">${when(r.created_at.toISOString())}</span></li>`,
  )}</ul>`;
}

export function customerRoutes(d: FastifyInstance, s: V1Services & CampaignServices & { publications: Pick<PublicationsService, 'publish'> }): void {
  type Q = { Params: { projectId: string; customerId: string }; Querystring: Record<string, unknown> };

  /** The New customer form, with what was typed and why it was refused. */
  const newCustomerForm = (c: ProjectCtx, error?: string, v: Record<string, string> = {}) => html`<form method="post" action="${c.base}/customers" class="card" aria-labelledby="new-customer-h">${csrfField(c.session)}<h2 id="new-customer-h">New customer</h2>
${error ? html`<div class="notice error" role="alert" id="form-error">${error}</div>` : ''}
<label for="nc-source">Source ID <span class="muted">(your system's id for them)</span></label><input type="text" id="nc-source" name="source_id" required maxlength="200" value="${v.source_id ?? ''}">
<label for="nc-name">Name</label><input type="text" id="nc-name" name="name" maxlength="200" value="${v.name ?? ''}">
<label for="nc-email">Email</label><input type="email" id="nc-email" name="email" maxlength="320" value="${v.email ?? ''}">
<label for="nc-phone">Phone</label><input type="text" id="nc-phone" name="phone" maxlength="50" value="${v.phone ?? ''}">
<label for="nc-metadata">Metadata <span class="muted">(JSON, optional, e.g. {"tier": "gold"})</span></label><textarea id="nc-metadata" name="metadata" rows="2">${v.metadata ?? ''}</textarea>
<p><button type="submit">Add customer</button></p></form>`;

  /** A customer added as the signed-in user; a source ID already taken is refused rather than updating them. */
  d.post<Q>('/p/:projectId/customers', async (req, reply) => {
    const c = await projectCtx(req);
    const v = Object.fromEntries(['source_id', 'name', 'email', 'phone', 'metadata'].map((n) => [n, field(req.body, n).trim()]));
    const fail = (error: string) => c.render(reply.code(400), 'customers', 'New customer', html`<p class="crumb"><a href="${c.base}/customers">Customers</a> › New customer</p><h1>New customer</h1>${newCustomerForm(c, error, v)}`);
    if (!v.source_id) return fail('Give the customer a source ID.');
    let metadata: unknown;
    if (v.metadata) {
      try {
        metadata = JSON.parse(v.metadata);
      } catch {
        return fail('The metadata is not valid JSON, such as {"tier": "gold"}.');
      }
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return fail('The metadata is a JSON object, such as {"tier": "gold"}.');
    }
    const body = { source_id: v.source_id, ...(v.name ? { name: v.name } : {}), ...(v.email ? { email: v.email } : {}), ...(v.phone ? { phone: v.phone } : {}), ...(metadata ? { metadata } : {}) };
    const problem = bodyProblem(customerInputSchema, body);
    if (problem) return fail(problem);
    if (await s.customers.get(c.project.id, v.source_id).catch(() => undefined)) return fail(`A customer with the source ID ${v.source_id} exists already.`);
    try {
      const { customer } = await s.customers.upsert(userCause(req, c.project.id, dashOf(req).session), body as never);
      return c.done(reply, `${c.base}/customers/${encodeURIComponent(customer.id)}`, `Customer ${customer.name ?? customer.source_id} added.`);
    } catch (err) {
      const why = refusalText(err);
      if (why !== undefined) return fail(why);
      throw err;
    }
  });

  d.get<Q>('/p/:projectId/customers', async (req, reply) => {
    const c = await projectCtx(req);
    const q = str(req.query.q).trim();
    const pageNo = Math.min(99, Math.max(1, Number.parseInt(str(req.query.page), 10) || 1));
    if (q) {
      // An id or source id opens the customer; otherwise an exact email or name.
      const found = await s.customers.get(c.project.id, q).catch((err) => (err instanceof TesseraError && err.code === 404 ? undefined : Promise.reject(err)));
      if (found) return reply.redirect(`${c.base}/customers/${encodeURIComponent(found.id)}`, 303);
    }
    const byField = q ? (q.includes('@') ? { email: q } : { name: q }) : {};
    const list = await s.customers.list(c.project.id, { limit: pageSize, page: pageNo, order: '-created_at', ...byField } as never);
    const body = html`<h1>Customers</h1>
<form method="get" action="${c.base}/customers" class="card" role="search"><label for="customer-q">Search by id, source id, email or name</label>
<input type="search" id="customer-q" name="q" value="${q}"> <button type="submit">Search</button></form>
<p class="muted">${list.total} customer(s)</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Source ID</th><th scope="col">Email</th><th scope="col">Created</th></tr></thead>
<tbody>${list.customers.length === 0 ? html`<tr><td colspan="4" class="muted">No customers match.</td></tr>` : ''}${list.customers.map(
      (x: CustomerRow) => html`<tr data-customer="${x.id}"><td><a href="${c.base}/customers/${encodeURIComponent(x.id)}">${x.name || x.id}</a></td><td class="mono">${x.source_id ?? ''}</td><td>${x.email ?? ''}</td><td>${when(x.created_at.toISOString())}</td></tr>`,
    )}</tbody></table></div>
<nav class="pager" aria-label="Pages">${pageNo > 1 ? html`<a href="${c.base}/customers${query({ q, page: pageNo - 1 })}">« Previous</a>` : ''}${
      list.hasMore && pageNo < 99 ? html`<a href="${c.base}/customers${query({ q, page: pageNo + 1 })}">Next »</a>` : ''
    }</nav>
${newCustomerForm(c)}`;
    return c.render(reply, 'customers', 'Customers', body);
  });

  d.get<Q>('/p/:projectId/customers/:customerId', async (req, reply) => {
    const c = await projectCtx(req);
    const row = await s.customers.get(c.project.id, req.params.customerId);
    const customer = customerObject(row);
    const type = activityTypes.includes(str(req.query.type)) ? str(req.query.type) : undefined;
    const after = str(req.query.after) || undefined;
    const [segments, activity, held, redemptions, campaignList, referrals] = await Promise.all([
      s.segments.segmentsOf(c.project.id, row.id),
      s.log.listActivity(c.project.id, row.id, { limit: pageSize, order: '-created_at', type, starting_after_id: after }),
      s.vouchers.list(c.project.id, { limit: 50, page: 1, customer: row.id }),
      s.redemptions.list(c.project.id, { customer: row.id, limit: pageSize, page: 1 }),
      s.campaigns.list(c.project.id, { limit: 100, page: 1 }),
      s.referrals.ofCustomer(c.project.id, row.id, pageSize),
    ]);
    const campaigns = (campaignList.campaigns as Array<{ id: string; name: string; campaign_type: string; active: boolean }>).filter((x) => publishable.has(x.campaign_type) && x.active);
    const all = held.vouchers as Array<{ code: string; type: string; campaign: string | null; active: boolean; publish: { count: number }; redemption: { quantity: number | null; redeemed_quantity: number }; loyalty_card: { points: number; balance: number } | null }>;
    const cards = all.filter((v) => v.type === 'LOYALTY_CARD');
    const vouchers = all.filter((v) => v.type !== 'LOYALTY_CARD');
    const items = activity.records.map(activityObject);
    const at = `${c.base}/customers/${encodeURIComponent(row.id)}`;
    const profile: Array<[string, unknown]> = [
      ['ID', customer.id],
      ['Source ID', customer.source_id],
      ['Name', customer.name],
      ['Email', customer.email],
      ['Phone', customer.phone],
      ['Birthdate', customer.birthdate],
      ['Address', customer.address ? Object.values(customer.address).filter(Boolean).join(', ') : null],
      ['Created', when(customer.created_at)],
      ['Updated', when(customer.updated_at)],
    ];
    const body = html`<p class="crumb"><a href="${c.base}/customers">Customers</a> › ${customer.name || customer.id}</p><h1>${customer.name || customer.id}</h1>
<div class="grid2"><section class="card" aria-labelledby="profile-h"><h2 id="profile-h">Profile</h2><dl>${profile.map(
      ([k, v]) => html`<dt>${k}</dt><dd>${v === null || v === undefined || v === '' ? '—' : String(v)}</dd>`,
    )}</dl>${Object.keys(customer.metadata ?? {}).length ? html`<h3>Metadata</h3><pre tabindex="0">${JSON.stringify(customer.metadata, null, 2)}</pre>` : ''}
<details><summary>Edit customer</summary><form method="post" action="${at}/edit">${csrfField(c.session)}
<label for="ec-name">Name</label><input type="text" id="ec-name" name="name" maxlength="500" value="${customer.name ?? ''}">
<label for="ec-email">Email</label><input type="email" id="ec-email" name="email" maxlength="500" value="${customer.email ?? ''}">
<label for="ec-phone">Phone</label><input type="text" id="ec-phone" name="phone" maxlength="100" value="${customer.phone ?? ''}">
<label for="ec-metadata">Metadata <span class="muted">(JSON; keys left out are removed)</span></label><textarea id="ec-metadata" name="metadata" rows="3">${JSON.stringify(customer.metadata ?? {})}</textarea>
<p><button type="submit" class="secondary">Save customer</button></p></form></details>
<div class="actions">${postButton(c.session, `${at}/delete`, 'Delete customer', { danger: true, confirm: `Delete ${customer.name || customer.source_id || customer.id}? This cannot be undone.` })}</div></section>
<section class="card" aria-labelledby="segments-h"><h2 id="segments-h">Segments</h2><ul id="customer-segments">${segments.length === 0 ? html`<li class="muted">In no segment.</li>` : ''}${segments.map(
      (g: { id: string; name: string }) => html`<li><a href="${c.base}/segments/${encodeURIComponent(g.id)}">${g.name}</a></li>`,
    )}</ul><h2>Vouchers</h2><ul id="customer-vouchers">${vouchers.length === 0 ? html`<li class="muted">No vouchers published to this customer.</li>` : ''}${vouchers.map(
      (v) => html`<li><a class="mono" href="${c.base}/vouchers/${encodeURIComponent(v.code)}">${v.code}</a> <span class="muted">${v.campaign ?? ''} · redeemed ${v.redemption.redeemed_quantity} / ${v.redemption.quantity ?? '∞'}</span></li>`,
    )}</ul>${
      campaigns.length > 0
        ? html`<form method="post" action="${at}/publish" class="publish"><input type="hidden" name="_csrf" value="${c.session.csrf}">
<label for="publish-campaign">Publish a code of</label><select id="publish-campaign" name="campaign">${campaigns.map((x) => html`<option value="${x.id}">${x.name}</option>`)}</select>
<button type="submit" class="secondary">Publish</button></form>`
        : ''
    }<h2>Loyalty cards</h2><ul id="customer-cards">${cards.length === 0 ? html`<li class="muted">No loyalty card.</li>` : ''}${cards.map(
      (v) => html`<li data-card="${v.code}"><a class="mono" href="${c.base}/vouchers/${encodeURIComponent(v.code)}">${v.code}</a> <span class="muted">${v.campaign ?? ''}</span> · <strong>${v.loyalty_card?.balance ?? 0}</strong> points <span class="muted">(${v.loyalty_card?.points ?? 0} earned)</span></li>`,
    )}</ul>${referralList(c, referrals)}</section></div>
<section aria-labelledby="redemptions-h"><h2 id="redemptions-h">Redemptions (${redemptions.total})</h2>${redemptionTable(c, redemptions.rows, 'customer', at)}</section>
<section aria-labelledby="activity-h"><h2 id="activity-h">Activity</h2>
<form method="get" action="${at}" class="card filters"><div><label for="activity-type">Type</label><select id="activity-type" name="type" data-autosubmit>
<option value="">All types</option>${activityTypes.map((t) => html`<option value="${t}"${t === type ? ' selected' : ''}>${t}</option>`)}</select></div>
<div><button type="submit" class="secondary">Filter</button></div></form>
<ol class="card" id="activity" reversed>${items.length === 0 ? html`<li class="muted">No activity.</li>` : ''}${items.map(
      (a) => html`<li data-activity="${a.type}"><strong>${a.type}</strong> <span class="muted">${when(a.created_at)} · ${a.data.event_source.channel}</span>
<a href="${c.base}/sendouts${query({ event_id: a.id })}" aria-label="Webhook sendouts of ${a.type} ${a.id}">Sendouts</a>
<details><summary>Data</summary><pre>${JSON.stringify(a.data.data, null, 2)}</pre></details></li>`,
    )}</ol>${activity.hasMore ? html`<nav class="pager"><a href="${at}${query({ type, after: items.at(-1)?.id })}">Older »</a></nav>` : ''}</section>`;
    return c.render(reply, 'customers', customer.name || customer.id, body);
  });

  // A code of a campaign published to this customer by the signed-in user (channel USER_PORTAL, as Voucherify's dashboard).
  /** The profile changed as the signed-in user (customer.updated); a refusal, such as the metadata schema's, is said on the page. */
  d.post<{ Params: { projectId: string; customerId: string } }>('/p/:projectId/customers/:customerId/edit', async (req, reply) => {
    const c = await projectCtx(req);
    const row = await s.customers.get(c.project.id, req.params.customerId);
    const at = `${c.base}/customers/${encodeURIComponent(row.id)}`;
    const text = (name: string) => field(req.body, name).trim() || null;
    let metadata: unknown = {};
    const raw = field(req.body, 'metadata').trim();
    if (raw) {
      try {
        metadata = JSON.parse(raw);
      } catch {
        return c.done(reply, at, 'The metadata is not valid JSON, such as {"tier": "gold"}.', 'error');
      }
    }
    const body = { name: text('name'), email: text('email'), phone: text('phone'), metadata };
    const problem = bodyProblem(customerInputSchema, body) ?? (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) ? 'The metadata is a JSON object, such as {"tier": "gold"}.' : undefined);
    if (problem) return c.done(reply, at, problem, 'error');
    // The API merges metadata key by key (null removes one): keys left out of the form are sent as null.
    const removed = Object.fromEntries(Object.keys(row.metadata).filter((k) => !(k in (metadata as object))).map((k) => [k, null]));
    return c.attempt(reply, at, async () => {
      await s.customers.update(userCause(req, c.project.id, dashOf(req).session), row.id, { ...body, metadata: { ...removed, ...(metadata as object) } } as never);
      return 'Customer saved.';
    });
  });

  // Deleted as the API's DELETE does (customer.deleted), as the signed-in user.
  d.post<{ Params: { projectId: string; customerId: string } }>('/p/:projectId/customers/:customerId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const row = await s.customers.get(c.project.id, req.params.customerId);
    return c.attempt(reply, `${c.base}/customers/${encodeURIComponent(row.id)}`, async () => {
      await s.customers.remove(userCause(req, c.project.id, dashOf(req).session), row.id);
      return { to: `${c.base}/customers`, text: `Customer ${row.name ?? row.source_id ?? row.id} deleted.` };
    });
  });

  d.post<{ Params: { projectId: string; customerId: string } }>('/p/:projectId/customers/:customerId/publish', async (req, reply) => {
    const c = await projectCtx(req);
    const row = await s.customers.get(c.project.id, req.params.customerId);
    const at = `${c.base}/customers/${encodeURIComponent(row.id)}`;
    const campaignId = typeof (req.body as Record<string, unknown> | undefined)?.campaign === 'string' ? ((req.body as Record<string, string>).campaign) : '';
    return c.attempt(reply, at, async () => {
      const published = (await s.publications.publish(userCause(req, c.project.id, dashOf(req).session), { customer: { id: row.id }, campaign: { name: campaignId } }, { channel: 'USER_PORTAL' })) as { voucher?: { code: string }; vouchers?: Array<{ code: string }> };
      const code = published.voucher?.code ?? published.vouchers?.[0]?.code ?? '';
      return `Code ${code} published to ${row.name ?? row.source_id ?? row.id}.`;
    });
  });
}
