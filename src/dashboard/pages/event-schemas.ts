import type { FastifyInstance } from 'fastify';
import { ApiRefusal } from '../api-client.js';
import { field, projectCtx, type ProjectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';
import { csrfField, postButton, settingsTabs } from '../layout.js';

interface Schema {
  id: string;
  name: string;
  schema: { properties: Record<string, { type: string; optional: boolean; deleted?: boolean }> };
  created_at: string;
}

/** The management API's property types (kept in step with it: the API refuses anything else). */
const types = ['string', 'number', 'date', 'datetime', 'boolean'];

function propertyFields(prefix: string): Html {
  return html`<div class="filters"><div><label for="${prefix}-name">Property name</label><input type="text" id="${prefix}-name" name="property"></div>
<div><label for="${prefix}-type">Type</label><select id="${prefix}-type" name="type">${types.map((t) => html`<option value="${t}">${t}</option>`)}</select></div>
<div><label class="inline"><input type="checkbox" name="required"> Required</label></div></div>`;
}

function schemaCard(c: ProjectCtx, s: Schema): Html {
  const at = `${c.base}/event-schemas/${encodeURIComponent(s.id)}`;
  const props = Object.entries(s.schema.properties);
  return html`<section class="card" data-schema="${s.name}" aria-labelledby="schema-${s.id}"><h2 id="schema-${s.id}">${s.name}</h2>
<p class="muted">${s.id} · created ${when(s.created_at)}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Property</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
<tbody>${props.length === 0 ? html`<tr><td colspan="5" class="muted">No properties.</td></tr>` : ''}${props.map(
    ([name, p]) => html`<tr data-property="${name}"><td class="mono">${name}</td><td>${p.type}</td><td>${p.optional ? 'No' : 'Yes'}</td>
<td><span class="badge ${p.deleted ? 'deleted' : 'active'}">${p.deleted ? 'Deleted' : 'Active'}</span></td>
<td class="actions">${postButton(c.session, `${at}/properties`, p.deleted ? `Restore ${name}` : `Delete ${name}`, {
      secondary: !p.deleted ? false : true,
      danger: !p.deleted,
      extra: { property: name, deleted: p.deleted ? 'false' : 'true' },
    })}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${at}/properties" aria-label="Add a property to ${s.name}">${csrfField(c.session)}${propertyFields(`add-${s.id}`)}<p><button type="submit">Add property</button></p></form>
${postButton(c.session, `${at}/delete`, 'Delete schema', { danger: true, confirm: `Delete the schema ${s.name}?` })}</section>`;
}

export function eventSchemaRoutes(d: FastifyInstance): void {
  type P = { Params: { projectId: string; schemaId: string } };

  /** The list with the form to add one (and, after a refusal, why and the name as typed). */
  async function listPage(c: ProjectCtx, refused?: { why: string; name: string }): Promise<Html> {
    const list = await c.api.must<{ data: Schema[] }>('GET', `/projects/${c.project.id}/custom-event-schemas`);
    return html`${settingsTabs(c.project.id, 'schemas')}<h1>Event schemas</h1>
<p>A tracked custom event whose name has a schema must carry its required properties with the right types; deleted properties are ignored and can be restored.</p>
${refused ? html`<div class="notice error" role="alert">${refused.why}</div>` : ''}<form method="post" action="${c.base}/event-schemas" class="card" aria-label="New event schema">${csrfField(c.session)}<h2>New event schema</h2>
<label for="schema-name">Event name</label><input type="text" id="schema-name" name="name" required value="${refused?.name ?? ''}">${propertyFields('new')}
<p><button type="submit">Create schema</button></p></form>
${list.data.length === 0 ? html`<p class="muted">No event schemas yet.</p>` : ''}${list.data.map((s) => schemaCard(c, s))}`;
  }

  d.get<P>('/p/:projectId/event-schemas', async (req, reply) => {
    const c = await projectCtx(req);
    return c.render(reply, 'schemas', 'Event schemas', await listPage(c));
  });

  d.post<P>('/p/:projectId/event-schemas', async (req, reply) => {
    const c = await projectCtx(req);
    const property = field(req.body, 'property').trim();
    const properties = property ? { [property]: { type: field(req.body, 'type'), optional: field(req.body, 'required') !== 'on' } } : {};
    const r = await c.api.call('POST', `/projects/${c.project.id}/custom-event-schemas`, { name: field(req.body, 'name').trim(), schema: { properties } });
    // Refused (no name, a name taken): the list and the form again, with why (4xx).
    if (!r.ok && r.status < 500 && r.status !== 401) {
      return c.render(reply.code(r.status), 'schemas', 'Event schemas', await listPage(c, { why: new ApiRefusal(r.status, r.body).message, name: field(req.body, 'name').trim() }));
    }
    if (!r.ok) throw new ApiRefusal(r.status, r.body);
    return c.done(reply, `${c.base}/event-schemas`, `Event schema ${field(req.body, 'name').trim()} created.`);
  });

  // Adds a property (name, type, required), or soft-deletes / restores one (deleted=true|false).
  d.post<P>('/p/:projectId/event-schemas/:schemaId/properties', async (req, reply) => {
    const c = await projectCtx(req);
    const property = field(req.body, 'property').trim();
    const deleted = field(req.body, 'deleted');
    const def = deleted ? { deleted: deleted === 'true' } : { type: field(req.body, 'type'), optional: field(req.body, 'required') !== 'on', deleted: false };
    const r = await c.api.call('PUT', `/projects/${c.project.id}/custom-event-schemas/${encodeURIComponent(req.params.schemaId)}`, { schema: { properties: { [property]: def } } });
    if (!r.ok) return c.done(reply, `${c.base}/event-schemas`, new ApiRefusal(r.status, r.body).message, 'error');
    const what = deleted === 'true' ? 'deleted' : deleted === 'false' ? 'restored' : 'added';
    return c.done(reply, `${c.base}/event-schemas`, `Property ${property} ${what}.`);
  });

  d.post<P>('/p/:projectId/event-schemas/:schemaId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    await c.api.must('DELETE', `/projects/${c.project.id}/custom-event-schemas/${encodeURIComponent(req.params.schemaId)}`);
    return c.done(reply, `${c.base}/event-schemas`, 'Event schema deleted.');
  });
}
