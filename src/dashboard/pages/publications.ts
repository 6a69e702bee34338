import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { PublicationsService } from '../../modules/publications/index.js';
import { projectCtx } from '../context.js';
import { html, when } from '../html.js';
import { campaignCustomerCodeFields, pager } from './list-parts.js';

/** The Publications screen: which codes went to which customers, through which channel, newest first. */
export interface PublicationListServices {
  publications: Pick<PublicationsService, 'list'>;
  campaigns: Pick<CampaignsService, 'list'>;
}

type Q = Record<string, unknown>;
/** A query parameter's text: '' when absent or given more than once (an array). */
const str = (v: unknown) => (typeof v === 'string' ? v : '');
type Shown = {
  id: string;
  created_at: string;
  channel: string;
  source_id: string | null;
  customer_id: string;
  customer: { name?: string | null; email?: string | null; source_id?: string | null };
  voucher?: { code: string; campaign?: string | null };
  vouchers?: Array<{ code: string; campaign?: string | null }>;
};
const pageSize = 50;

export function publicationListRoutes(d: FastifyInstance, s: PublicationListServices): void {
  d.get<{ Params: { projectId: string }; Querystring: Q }>('/p/:projectId/publications', async (req, reply) => {
    const c = await projectCtx(req);
    const campaign = str(req.query.campaign).trim();
    const customer = str(req.query.customer).trim();
    const code = str(req.query.code).trim();
    const pageNo = Math.min(1000, Math.max(1, Number.parseInt(str(req.query.page), 10) || 1));
    const [page, campaignList] = await Promise.all([
      s.publications.list(c.project.id, { limit: pageSize, page: pageNo, order: '-created_at', ...(campaign ? { campaign } : {}), ...(customer ? { customer } : {}), ...(code ? { voucher: code } : {}) }),
      s.campaigns.list(c.project.id, { limit: 100, page: 1 }),
    ]);
    const rows = page.publications as unknown as Shown[];
    const campaigns = campaignList.campaigns as Array<{ id: string; name: string }>;
    const filters = { campaign, customer, code };
    const filtered = Object.values(filters).some((v) => v !== '');
    const body = html`<h1>Publications</h1>
<form method="get" action="${c.base}/publications" class="card filters" aria-label="Filter publications">
${campaignCustomerCodeFields(campaigns, filters)}
<p><button type="submit">Filter</button>${filtered ? html` <a href="${c.base}/publications">Clear</a>` : ''}</p></form>
<p class="muted" id="publication-count">${page.total} publication(s)${filtered ? ' match' : ''}.</p>
<div class="table-wrap"><table id="publications"><thead><tr><th scope="col">When</th><th scope="col">Code</th><th scope="col">Campaign</th><th scope="col">Customer</th><th scope="col">Channel</th><th scope="col">Source ID</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="6" class="muted">${filtered ? 'No publication matches.' : 'No publications yet.'}</td></tr>` : ''}${rows.map((p) => {
      const codes = p.voucher ? [p.voucher] : (p.vouchers ?? []);
      return html`<tr data-publication="${p.id}"><td>${when(p.created_at)}</td><td>${codes.map((v) => html`<a class="mono" href="${c.base}/vouchers/${encodeURIComponent(v.code)}">${v.code}</a> `)}</td>
<td>${codes[0]?.campaign ?? '—'}</td><td><a href="${c.base}/customers/${encodeURIComponent(p.customer_id)}">${p.customer.name ?? p.customer.email ?? p.customer.source_id ?? p.customer_id}</a></td><td>${p.channel}</td><td class="mono">${p.source_id ?? '—'}</td></tr>`;
    })}</tbody></table></div>
${pager(`${c.base}/publications`, filters, pageNo, pageSize, page.total)}`;
    return c.render(reply, 'publications', 'Publications', body);
  });
}
