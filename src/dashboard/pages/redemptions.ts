import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { RedemptionsService } from '../../modules/redemptions/index.js';
import { projectCtx } from '../context.js';
import { html, query } from '../html.js';
import { redemptionTable } from './campaigns.js';
import { campaignCustomerCodeFields, pager } from './list-parts.js';

/** The Redemptions screen: every redemption of the project, newest first, filtered as Voucherify's dashboard does. */
export interface RedemptionServices {
  redemptions: Pick<RedemptionsService, 'list'>;
  campaigns: Pick<CampaignsService, 'list'>;
}

type Q = Record<string, unknown>;
/** A query parameter's text: '' when absent or given more than once (an array). */
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const pageSize = 50;

export function redemptionListRoutes(d: FastifyInstance, s: RedemptionServices): void {
  d.get<{ Params: { projectId: string }; Querystring: Q }>('/p/:projectId/redemptions', async (req, reply) => {
    const c = await projectCtx(req);
    const result = req.query.result === 'SUCCESS' || req.query.result === 'FAILURE' ? req.query.result : '';
    const campaign = str(req.query.campaign).trim();
    const customer = str(req.query.customer).trim();
    const code = str(req.query.code).trim();
    const pageNo = Math.min(1000, Math.max(1, Number.parseInt(str(req.query.page), 10) || 1));
    const [page, campaignList] = await Promise.all([
      s.redemptions.list(c.project.id, {
        limit: pageSize,
        page: pageNo,
        ...(result ? { results: [result] } : {}),
        ...(campaign ? { campaign } : {}),
        ...(customer ? { customer } : {}),
        ...(code ? { voucher: code } : {}),
      }),
      s.campaigns.list(c.project.id, { limit: 100, page: 1 }),
    ]);
    const campaigns = campaignList.campaigns as Array<{ id: string; name: string }>;
    const filters = { result, campaign, customer, code };
    const here = `${c.base}/redemptions${query({ ...filters, page: pageNo })}`;
    const filtered = Object.values(filters).some((v) => v !== '');
    const body = html`<h1>Redemptions</h1>
<form method="get" action="${c.base}/redemptions" class="card filters" aria-label="Filter redemptions">
<label for="f-result">Result</label><select id="f-result" name="result"><option value="">Any</option>${['SUCCESS', 'FAILURE'].map(
      (r) => html`<option value="${r}"${result === r ? ' selected' : ''}>${r === 'SUCCESS' ? 'Succeeded' : 'Failed'}</option>`,
    )}</select>
${campaignCustomerCodeFields(campaigns, filters)}
<p><button type="submit">Filter</button>${filtered ? html` <a href="${c.base}/redemptions">Clear</a>` : ''}</p></form>
<p class="muted" id="redemption-count">${page.total} redemption(s)${filtered ? ' match' : ''}.</p>
${redemptionTable(c, page.rows, 'all', here, filtered ? 'No redemption matches.' : 'No redemptions yet.')}
${pager(`${c.base}/redemptions`, filters, pageNo, pageSize, page.total)}`;
    return c.render(reply, 'redemptions', 'Redemptions', body);
  });
}
