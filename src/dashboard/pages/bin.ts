import type { FastifyInstance } from 'fastify';
import { TesseraError } from '../../core/errors.js';
import type { TrashBin } from '../../modules/trash-bin/index.js';
import { projectCtx } from '../context.js';
import { html, query, when } from '../html.js';
import { postButton } from '../layout.js';

export interface BinServices {
  trashBin: Pick<TrashBin, 'list' | 'restore' | 'remove'>;
}

const pageSize = 20;
/** Where a restored resource is seen again (campaigns and vouchers have pages; products and SKUs do not). */
const restoredAt = (base: string, e: { resource_type: string; resource_id: string; resource_name: string | null }) =>
  e.resource_type === 'campaign' ? `${base}/campaigns/${encodeURIComponent(e.resource_id)}` : e.resource_type === 'voucher' ? `${base}/vouchers/${encodeURIComponent(e.resource_name ?? e.resource_id)}` : `${base}/bin`;

/** The bin: what was deleted without force, newest first; each entry restored, or deleted for good. */
export function binRoutes(d: FastifyInstance, s: BinServices): void {
  type P = { Params: { projectId: string; entryId: string }; Querystring: Record<string, unknown> };

  d.get<P>('/p/:projectId/bin', async (req, reply) => {
    const c = await projectCtx(req);
    const after = typeof req.query.after === 'string' && req.query.after !== '' ? req.query.after : undefined;
    const list = await s.trashBin.list(c.project.id, { limit: pageSize, order: '-id', ...(after ? { starting_after_id: after } : {}) });
    const body = html`<h1>Bin</h1>
<p class="muted">Campaigns, vouchers, products and SKUs deleted without <code>force</code>, with everything their deletion took along. Restoring puts them back as they were.</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Deleted</th><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Parent</th><th scope="col">Deleted by</th><th scope="col">Actions</th></tr></thead>
<tbody>${list.data.length === 0 ? html`<tr><td colspan="6" class="muted">The bin is empty.</td></tr>` : ''}${list.data.map(
      (e) => html`<tr data-entry="${e.id}"><td>${when(e.created_at)}</td><td>${e.resource_type}</td><td>${e.resource_name ?? e.resource_id} <span class="mono muted">${e.resource_id}</span></td>
<td class="mono">${e.resource_parent_id ?? '—'}</td><td>${e.deleted_by_user_id ? html`<span class="mono">${e.deleted_by_user_id}</span>` : html`<span class="muted">the API</span>`}</td><td class="actions">${postButton(c.session, `${c.base}/bin/${encodeURIComponent(e.id)}/restore`, `Restore ${e.resource_name ?? e.resource_id}`, { secondary: true })}${postButton(
        c.session,
        `${c.base}/bin/${encodeURIComponent(e.id)}/delete`,
        `Delete ${e.resource_name ?? e.resource_id} for good`,
        { danger: true, confirm: `Delete ${e.resource_type} ${e.resource_name ?? e.resource_id} for good? This cannot be undone.` },
      )}</td></tr>`,
    )}</tbody></table></div>
<nav class="pager" aria-label="Pages">${after ? html`<a href="${c.base}/bin">« Newest</a>` : ''}${list.has_more && list.more_starting_after ? html`<a href="${c.base}/bin${query({ after: list.more_starting_after })}">Older »</a>` : ''}</nav>`;
    return c.render(reply, 'bin', 'Bin', body);
  });

  d.post<P>('/p/:projectId/bin/:entryId/restore', async (req, reply) => {
    const c = await projectCtx(req);
    try {
      const e = await s.trashBin.restore(c.project.id, req.params.entryId);
      return c.done(reply, restoredAt(c.base, e), `${e.resource_type[0]!.toUpperCase()}${e.resource_type.slice(1)} ${e.resource_name ?? e.resource_id} restored.`);
    } catch (err) {
      // A code or name taken again, a parent gone: said on the bin's page, the entry kept.
      if (err instanceof TesseraError) return c.done(reply, `${c.base}/bin`, err.details ?? err.publicMessage, 'error');
      throw err;
    }
  });

  d.post<P>('/p/:projectId/bin/:entryId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    await s.trashBin.remove(c.project.id, req.params.entryId);
    return c.done(reply, `${c.base}/bin`, 'Deleted for good.');
  });
}
