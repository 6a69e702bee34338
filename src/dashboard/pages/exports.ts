import type { FastifyInstance } from 'fastify';
import { exportObject, type ExportInput, type ExportsService } from '../../modules/exports/index.js';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import { dashOf, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { userCause } from '../v1.js';

type P = { Params: { projectId: string; campaignId: string; exportId: string } };

export interface ExportServices {
  exports: Pick<ExportsService, 'create' | 'get'>;
  campaigns: CampaignsService;
}

/** An export's state, and its file's link once it is written (the API's download, with the export's own token). */
function state(e: ReturnType<typeof exportObject>): Html {
  if (e.status === 'DONE' && e.result && 'url' in e.result) return html`<span class="badge completed" id="export-status">DONE</span> <a class="button" id="export-download" href="${e.result.url}" download>Download the CSV</a>`;
  if (e.status === 'ERROR') return html`<span class="badge failed" id="export-status">ERROR</span> ${e.result && 'error' in e.result ? (e.result.error ?? '') : ''}`;
  return html`<span class="badge running" id="export-status">${e.status}</span> the file is being written…`;
}

async function view(c: ProjectCtx, s: ExportServices, id: string) {
  return exportObject(await s.exports.get(c.project.id, id), '');
}

/** A campaign's codes exported to CSV from its page (the API's voucher export), followed until the file is ready. */
export function exportRoutes(d: FastifyInstance, s: ExportServices): void {
  d.post<P>('/p/:projectId/campaigns/:campaignId/export', async (req, reply) => {
    const c = await projectCtx(req);
    const campaign = await s.campaigns.get(c.project.id, req.params.campaignId);
    const input: ExportInput = { exported_object: 'voucher', parameters: { order: 'code', filters: { junction: 'and', campaign_id: { conditions: { $in: [campaign.id] } } } } };
    const e = await s.exports.create(userCause(req, c.project.id, dashOf(req).session), input);
    return reply.redirect(`${c.base}/exports/${encodeURIComponent(e.id)}`, 303);
  });

  d.get<P>('/p/:projectId/exports/:exportId', async (req, reply) => {
    const c = await projectCtx(req);
    const e = await view(c, s, req.params.exportId);
    const at = `${c.base}/exports/${encodeURIComponent(e.id)}`;
    const body = html`<p class="crumb"><a href="${c.base}/campaigns">Campaigns</a> › Export</p><h1>Export <span class="mono">${e.id}</span></h1>
<div class="card"><p>${e.exported_object} · ${(e.parameters.fields ?? []).length} columns</p>
<p data-poll="${at}/status" data-every="1500" aria-live="polite">${state(e)}</p></div>`;
    return c.render(reply, 'campaigns', 'Export', body);
  });

  d.get<P>('/p/:projectId/exports/:exportId/status', async (req, reply) => {
    const c = await projectCtx(req);
    return reply.type('text/html; charset=utf-8').send(state(await view(c, s, req.params.exportId)).text);
  });
}
