import type { FastifyInstance, FastifyReply } from 'fastify';
import { createSegmentBody, FilterError, parseFilter, segmentObject, type SegmentRow } from '../../modules/segments/index.js';
import { field, projectCtx, type ProjectCtx, refusalText } from '../context.js';
import { html, when, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { bodyProblem, type V1Services } from '../v1.js';

const example = JSON.stringify({ junction: 'and', 'metadata.plan': { conditions: { $is: ['gold'] } } }, null, 2);

function progress(s: SegmentRow): Html {
  const o = segmentObject(s);
  if (o.sync.status === 'DONE') return html`<span class="badge completed">Computed</span>`;
  return html`<span class="badge running">Computing</span> <progress max="${Math.max(1, o.sync.total)}" value="${o.sync.processed}" aria-label="Computation progress of ${s.name}">${o.sync.processed} of ${o.sync.total}</progress>
<span class="muted">${o.sync.processed} / ${o.sync.total}</span>`;
}

export function segmentRoutes(d: FastifyInstance, s: V1Services): void {
  type P = { Params: { projectId: string; segmentId: string } };

  async function rows(c: ProjectCtx): Promise<{ html: Html; busy: boolean }> {
    const page = await s.segments.list(c.project.id, { ascending: false, limit: 100, page: 1 });
    const counts = await Promise.all(page.segments.map((g) => s.segments.memberIds(c.project.id, g.id).then((ids) => ids.length)));
    const out = html`${page.segments.length === 0 ? html`<tr><td colspan="5" class="muted">No segments yet.</td></tr>` : ''}${page.segments.map(
      (g, i) => html`<tr data-segment="${g.name}"><td><a href="${c.base}/segments/${encodeURIComponent(g.id)}">${g.name}</a></td><td>${g.type}</td>
<td data-members>${counts[i]}</td><td>${progress(g)}</td><td>${when(g.created_at.toISOString())}</td></tr>`,
    )}`;
    return { html: out, busy: page.segments.some((g) => g.sync_status !== 'DONE') };
  }

  function createForm(c: ProjectCtx, values: { name?: string; type?: string; filter?: string; customers?: string }, error?: string): Html {
    const type = values.type ?? 'auto-update';
    return html`<form method="post" action="${c.base}/segments" class="card" aria-labelledby="new-segment-h">${csrfField(c.session)}<h2 id="new-segment-h">New segment</h2>
<label for="segment-name">Name</label><input type="text" id="segment-name" name="name" required value="${values.name ?? ''}">
<label for="segment-type">Type</label><select id="segment-type" name="type">${['auto-update', 'passive', 'static'].map((t) => html`<option value="${t}"${t === type ? ' selected' : ''}>${t}</option>`)}</select>
<label for="segment-filter">Filter (JSON, for auto-update and passive segments)</label>
<textarea id="segment-filter" name="filter" rows="8" aria-describedby="segment-filter-error segment-filter-help" data-validate="${c.base}/segments/check">${values.filter ?? example}</textarea>
<div id="segment-filter-error" class="field-error" role="status" aria-live="polite">${error ?? ''}</div>
<p id="segment-filter-help" class="muted">Checked as you type, by the same parser the API uses.</p>
<label for="segment-customers">Customers (static segments: ids or source ids, one a line)</label><textarea id="segment-customers" name="customers" rows="3">${values.customers ?? ''}</textarea>
<p><button type="submit">Create segment</button></p></form>`;
  }

  async function listPage(c: ProjectCtx, reply: FastifyReply, form: Html) {
    const r = await rows(c);
    const body = html`<h1>Segments</h1><div class="table-wrap"><table><caption class="visually-hidden">Segments</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Members</th><th scope="col">Computation</th><th scope="col">Created</th></tr></thead>
<tbody id="segment-rows" data-poll="${c.base}/segments/rows" data-every="2000">${r.html}</tbody></table></div>${form}`;
    return c.render(reply, 'segments', 'Segments', body);
  }

  d.get<P>('/p/:projectId/segments', async (req, reply) => {
    const c = await projectCtx(req);
    return listPage(c, reply, createForm(c, {}));
  });

  d.get<P>('/p/:projectId/segments/rows', async (req, reply) => {
    const c = await projectCtx(req);
    return reply.type('text/html; charset=utf-8').send((await rows(c)).html.text);
  });

  // The filter editor's live check: the API's own parser, its message shown next to the field.
  d.post<P>('/p/:projectId/segments/check', async (req) => {
    await projectCtx(req);
    try {
      parseFilter((req.body as { filter?: unknown } | undefined)?.filter);
      return { error: null };
    } catch (err) {
      if (err instanceof FilterError) return { error: err.message };
      throw err;
    }
  });

  d.post<P>('/p/:projectId/segments', async (req, reply) => {
    const c = await projectCtx(req);
    const values = { name: field(req.body, 'name').trim(), type: field(req.body, 'type'), filter: field(req.body, 'filter'), customers: field(req.body, 'customers') };
    const fail = (error: string) => listPage(c, reply.code(400), createForm(c, values, error));
    const input: Record<string, unknown> = { name: values.name, type: values.type };
    if (values.type === 'static') {
      input.customers = values.customers.split(/[\s,]+/).filter(Boolean);
    } else {
      try {
        input.filter = JSON.parse(values.filter);
      } catch (err) {
        return fail(`Not valid JSON: ${(err as Error).message}`);
      }
    }
    const problem = bodyProblem(createSegmentBody, input);
    if (problem) return fail(problem);
    try {
      const g = await s.segments.create(c.project.id, input as never);
      return c.done(reply, `${c.base}/segments`, `Segment ${g.name} created; its members are being computed.`);
    } catch (err) {
      const why = refusalText(err);
      if (why !== undefined) return fail(why);
      throw err;
    }
  });

  d.get<P>('/p/:projectId/segments/:segmentId', async (req, reply) => {
    const c = await projectCtx(req);
    const g = await s.segments.get(c.project.id, req.params.segmentId);
    const members = await s.customers.list(c.project.id, { limit: 50, page: 1, order: '-created_at', segment_id: g.id } as never);
    const body = html`<p class="crumb"><a href="${c.base}/segments">Segments</a> › ${g.name}</p><h1>${g.name}</h1>
<div class="card"><p>${g.type} · ${g.id} · created ${when(g.created_at.toISOString())}</p><p>${progress(g)}</p>
${g.filter ? html`<h2>Filter</h2><pre tabindex="0">${JSON.stringify(g.filter, null, 2)}</pre>` : ''}
${postButton(c.session, `${c.base}/segments/${encodeURIComponent(g.id)}/delete`, 'Delete segment', { danger: true, confirm: `Delete the segment ${g.name}?` })}</div>
<h2>Members (${members.total})</h2><ul class="card">${members.customers.map(
      (m) => html`<li><a href="${c.base}/customers/${encodeURIComponent(m.id)}">${m.name || m.source_id || m.id}</a></li>`,
    )}</ul>`;
    return c.render(reply, 'segments', g.name, body);
  });

  d.post<P>('/p/:projectId/segments/:segmentId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    await s.segments.remove(c.project.id, req.params.segmentId);
    return c.done(reply, `${c.base}/segments`, 'Segment deleted.');
  });
}
