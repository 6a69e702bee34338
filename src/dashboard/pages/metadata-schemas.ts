import type { FastifyInstance } from 'fastify';
import { field, projectCtx, type ProjectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';
import { csrfField, postButton, settingsTabs } from '../layout.js';

interface Property {
  type: string;
  optional: boolean;
  array: boolean;
  deleted?: boolean;
  [constraint: string]: unknown;
}

interface Schema {
  id: string;
  related_object: string;
  allow_defined_only: boolean;
  properties: Record<string, Property>;
  created_at: string;
}

/** The management API's property types (it refuses anything else). */
const types = ['string', 'number', 'boolean', 'date', 'datetime', 'object', 'geopoint', 'image_url'];
/** Objects with metadata that a schema may describe; Tessera checks the first four on create and update. */
const objects = ['customer', 'campaign', 'voucher', 'publication', 'order', 'order_item', 'product', 'sku', 'redemption', 'promotion_tier', 'loyalty_tier', 'earning_rule', 'reward'];
const checked = new Set(['customer', 'campaign', 'voucher', 'publication']);

/** A property's constraints in words: `min_length 3`, `one of a, b`... (those the API keeps beside type and flags). */
function constraints(p: Property): string {
  const words: Record<string, string> = { min_length: 'at least', max_length: 'at most', exact_length: 'exactly', lt: '<', lte: '≤', gt: '>', gte: '≥' };
  const out: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || v === null || ['type', 'optional', 'array', 'deleted', 'object_type'].includes(k)) continue;
    if (k === 'eq') out.push(`one of ${(v as unknown[]).join(', ')}`);
    else if (k === 'ne') out.push(`none of ${(v as unknown[]).join(', ')}`);
    else out.push(`${words[k] ?? k} ${String(v)}${k.endsWith('_length') ? ' characters' : ''}`);
  }
  return out.join('; ') || '—';
}

function propertyFields(prefix: string): Html {
  return html`<div class="filters"><div><label for="${prefix}-name">Property name</label><input type="text" id="${prefix}-name" name="property" maxlength="200" required></div>
<div><label for="${prefix}-type">Type</label><select id="${prefix}-type" name="type">${types.map((t) => html`<option value="${t}">${t}</option>`)}</select></div>
<div><label class="inline"><input type="checkbox" name="required"> Required</label> <label class="inline"><input type="checkbox" name="array"> A list</label></div></div>`;
}

function schemaCard(c: ProjectCtx, s: Schema): Html {
  const at = `${c.base}/metadata-schemas/${encodeURIComponent(s.id)}`;
  const props = Object.entries(s.properties);
  return html`<section class="card" data-metadata-schema="${s.related_object}" aria-labelledby="ms-${s.id}"><h2 id="ms-${s.id}">${s.related_object}</h2>
<p class="muted">${s.id} · created ${when(s.created_at)} · ${s.allow_defined_only ? 'other keys are refused' : 'other keys are allowed'}${checked.has(s.related_object) ? '' : ' · kept, not checked by Tessera'}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Property</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Constraints</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
<tbody>${props.length === 0 ? html`<tr><td colspan="6" class="muted">No properties.</td></tr>` : ''}${props.map(
    ([name, p]) => html`<tr data-property="${name}"><td class="mono">${name}</td><td>${p.type}${p.array ? ' (list)' : ''}</td><td>${p.optional ? 'No' : 'Yes'}</td><td>${constraints(p)}</td>
<td><span class="badge ${p.deleted ? 'deleted' : 'active'}">${p.deleted ? 'Deleted' : 'Active'}</span></td>
<td class="actions">${postButton(c.session, `${at}/properties`, p.deleted ? `Restore ${name}` : `Delete ${name}`, { danger: !p.deleted, secondary: Boolean(p.deleted), extra: { property: name, deleted: p.deleted ? 'false' : 'true' } })}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${at}/properties" aria-label="Add a property to ${s.related_object}">${csrfField(c.session)}${propertyFields(`add-${s.id}`)}<p><button type="submit">Add property</button></p></form>
<div class="actions">${postButton(c.session, `${at}/defined-only`, s.allow_defined_only ? 'Allow other keys' : 'Refuse other keys', { secondary: true, extra: { allow_defined_only: s.allow_defined_only ? 'false' : 'true' } })}${postButton(
    c.session,
    `${at}/delete`,
    'Delete schema',
    { danger: true, confirm: `Delete the metadata schema of ${s.related_object}?` },
  )}</div></section>`;
}

const propertyOf = (form: unknown): Property => ({ type: field(form, 'type'), optional: field(form, 'required') !== 'on', array: field(form, 'array') === 'on', deleted: false });

/**
 * Project settings › Metadata schemas: a schema per object (customer, campaign, voucher...) with its properties, made
 * and changed through the management API in-process, as the signed-in user.
 */
export function metadataSchemaRoutes(d: FastifyInstance): void {
  type P = { Params: { projectId: string; schemaId: string } };
  const list = (c: ProjectCtx) => `${c.base}/metadata-schemas`;
  const path = (c: ProjectCtx, id: string) => `/projects/${c.project.id}/metadata-schemas/${encodeURIComponent(id)}`;

  d.get<P>('/p/:projectId/metadata-schemas', async (req, reply) => {
    const c = await projectCtx(req);
    const schemas = (await c.api.must<{ data: Schema[] }>('GET', `/projects/${c.project.id}/metadata-schemas`)).data;
    const body = html`${settingsTabs(c.project.id, 'metadata')}<h1>Metadata schemas</h1>
<p>A schema says which metadata keys an object has and what they hold. Customers, campaigns, vouchers and publications are checked against theirs when they are created or changed; a refusal says which key is wrong.</p>
<form method="post" action="${list(c)}" class="card" aria-label="New metadata schema">${csrfField(c.session)}<h2>New metadata schema</h2>
<label for="ms-object">Object</label><input type="text" id="ms-object" name="related_object" list="ms-objects" required maxlength="200"><datalist id="ms-objects">${objects.map((o) => html`<option value="${o}"></option>`)}</datalist>
${propertyFields('new-ms')}<label class="inline"><input type="checkbox" name="allow_defined_only"> Refuse keys the schema does not define</label>
<p><button type="submit">Create schema</button></p></form>
${schemas.length === 0 ? html`<p class="muted">No metadata schemas yet.</p>` : ''}${schemas.map((s) => schemaCard(c, s))}`;
    return c.render(reply, 'schemas', 'Metadata schemas', body);
  });

  d.post<P>('/p/:projectId/metadata-schemas', async (req, reply) => {
    const c = await projectCtx(req);
    const object = field(req.body, 'related_object').trim();
    const name = field(req.body, 'property').trim();
    return c.attempt(reply, list(c), async () => {
      await c.api.must('POST', `/projects/${c.project.id}/metadata-schemas`, {
        related_object: object,
        allow_defined_only: field(req.body, 'allow_defined_only') === 'on',
        properties: name ? { [name]: propertyOf(req.body) } : {},
      });
      return `Metadata schema of ${object} created.`;
    });
  });

  // Adds a property, or soft-deletes / restores one (deleted=true|false): its definition sent again with the flag.
  d.post<P>('/p/:projectId/metadata-schemas/:schemaId/properties', async (req, reply) => {
    const c = await projectCtx(req);
    const name = field(req.body, 'property').trim();
    const deleted = field(req.body, 'deleted');
    return c.attempt(reply, list(c), async () => {
      if (!name) return { text: 'Give the property a name.', kind: 'error' };
      let def = propertyOf(req.body);
      if (deleted) {
        const current = (await c.api.must<Schema>('GET', path(c, req.params.schemaId))).properties[name];
        if (!current) return { text: `The schema has no property ${name}.`, kind: 'error' };
        def = { ...current, deleted: deleted === 'true' };
      }
      await c.api.must('PUT', path(c, req.params.schemaId), { properties: { [name]: def } });
      return `Property ${name} ${deleted === 'true' ? 'deleted' : deleted === 'false' ? 'restored' : 'added'}.`;
    });
  });

  d.post<P>('/p/:projectId/metadata-schemas/:schemaId/defined-only', async (req, reply) => {
    const c = await projectCtx(req);
    const on = field(req.body, 'allow_defined_only') === 'true';
    return c.attempt(reply, list(c), async () => {
      await c.api.must('PUT', path(c, req.params.schemaId), { allow_defined_only: on });
      return on ? 'Keys the schema does not define are now refused.' : 'Keys the schema does not define are now allowed.';
    });
  });

  d.post<P>('/p/:projectId/metadata-schemas/:schemaId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    return c.attempt(reply, list(c), async () => {
      await c.api.must('DELETE', path(c, req.params.schemaId));
      return 'Metadata schema deleted.';
    });
  });
}
