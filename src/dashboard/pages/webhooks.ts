import type { FastifyInstance, FastifyReply } from 'fastify';
import { accessNeeded, allows } from '../../modules/team/index.js';
import { operationalTypes, subscribableTypes } from '../../modules/webhooks/index.js';
import { ApiRefusal } from '../api-client.js';
import { field, fields, projectCtx, type ProjectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';
import { csrfField, postButton, settingsTabs } from '../layout.js';

interface Webhook {
  id: string;
  target_url: string;
  events: string[];
  active: boolean;
  description: string | null;
  headers: Record<string, string>;
  rate_limit: number | null;
  filter: Record<string, unknown> | null;
  disabled_reason: string | null;
  own_secret?: boolean;
  created_at: string;
}

interface Stats {
  sendouts: { total: number; sent: number; failed: number; retrying: number; pending: number };
  success_rate: number | null;
  last_delivered_at: string | null;
}

/** An endpoint's last 24 hours in a line: sent, retrying, failed, and the success rate of the finished ones. */
function statsText(s: Stats | undefined): string {
  if (!s || s.sendouts.total === 0) return 'No messages in the last 24 hours';
  const parts = [`${s.sendouts.sent} sent`, ...(s.sendouts.retrying ? [`${s.sendouts.retrying} retrying`] : []), ...(s.sendouts.failed ? [`${s.sendouts.failed} failed`] : []), ...(s.sendouts.pending ? [`${s.sendouts.pending} pending`] : [])];
  return `Last 24 hours: ${parts.join(', ')}${s.success_rate === null ? '' : ` (${Math.round(s.success_rate * 1000) / 10}% delivered)`}`;
}

interface Secret {
  secret: string;
  standard_webhooks_secret: string;
  previous: { secret: string; standard_webhooks_secret: string; expires_at: string } | null;
}

type P = { Params: { projectId: string; webhookId: string } };

/** "Name: value" lines, as typed in the form, to a headers object (and back). */
function parseHeaders(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const at = line.indexOf(':');
    if (at <= 0) return `Line ${i + 1} of the custom headers needs the form "Name: value"`;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}
const headersText = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\n');

const rateLimitOf = (text: string): number | string | null => (text.trim() === '' ? null : /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text.trim());

/** The filter as typed: JSON of an object, or empty for none; a problem as text. */
function parseFilter(text: string): Record<string, unknown> | null | string {
  if (text.trim() === '') return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : 'The filter must be a JSON object, such as {"data.customer.metadata.tier": "gold"}';
  } catch {
    return 'The filter is not valid JSON';
  }
}

function formBody(form: unknown) {
  const all = field(form, 'all_events') === 'on';
  const headers = parseHeaders(field(form, 'headers'));
  const filter = parseFilter(field(form, 'filter'));
  const body = {
    target_url: field(form, 'target_url').trim(),
    events: [...(all ? ['*'] : fields(form, 'events')), ...fields(form, 'operational')],
    active: field(form, 'active') === 'on',
    description: field(form, 'description').trim() || null,
    headers: typeof headers === 'string' ? {} : headers,
    // A number as typed (the API refuses what is not a whole number from 1 to 10,000); empty: no limit.
    rate_limit: rateLimitOf(field(form, 'rate_limit')),
    filter: typeof filter === 'string' ? null : filter,
    own_secret: field(form, 'own_secret') === 'on',
  };
  return { body, problem: typeof headers === 'string' ? headers : typeof filter === 'string' ? filter : undefined };
}

function webhookForm(c: ProjectCtx, action: string, w: Omit<Partial<Webhook>, 'rate_limit'> & { headersText?: string; filterText?: string; rate_limit?: number | string | null }, error?: string): Html {
  const all = (w.events ?? ['*']).includes('*');
  const chosen = new Set(w.events ?? []);
  return html`${error ? html`<div class="notice error" role="alert" id="form-error">${error}</div>` : ''}
<form method="post" action="${action}" class="card">${csrfField(c.session)}
<p class="muted">API version v2024-01-01: every message is the v2024-01-01 envelope, signed with the project's secret (below on the list), or with the endpoint's own when it has one.</p>
<label for="target_url">Target URL <span class="muted">(https://…, or a broker configured in TESSERA_BROKERS: rabbitmq://BROKER/EXCHANGE?routing_key=KEY, nats://BROKER/SUBJECT or redis://BROKER/STREAM)</span></label><input type="url" id="target_url" name="target_url" required value="${w.target_url ?? ''}" placeholder="https://example.com/webhooks/voucherify">
<label for="description">Description</label><input type="text" id="description" name="description" value="${w.description ?? ''}">
<label class="inline"><input type="checkbox" name="active"${w.active !== false ? ' checked' : ''}> Is active?</label>
<fieldset><legend>Events</legend>
<label class="inline"><input type="checkbox" name="all_events" data-all-events="event-list"${all ? ' checked' : ''}> Send me all events</label>
<fieldset id="event-list" class="events" aria-label="Event types">${subscribableTypes.map(
    (t) => html`<label class="inline"><input type="checkbox" name="events" value="${t}"${chosen.has(t) ? ' checked' : ''}> ${t}</label>`,
  )}</fieldset>
<fieldset class="events" aria-label="Operational alerts"><legend>Alerts about this project's endpoints <span class="muted">(Tessera's own messages; not part of all events)</span></legend>${operationalTypes.map(
    (t) => html`<label class="inline"><input type="checkbox" name="operational" value="${t}"${chosen.has(t) ? ' checked' : ''}> ${t}</label>`,
  )}</fieldset></fieldset>
<label for="rate_limit">Rate limit <span class="muted">(messages per second at most, retries included; empty for no limit)</span></label>
<input type="number" id="rate_limit" name="rate_limit" min="1" max="10000" step="1" value="${w.rate_limit ?? ''}">
<label for="filter">Filter <span class="muted">(JSON; only messages it matches are sent, e.g. {"data.customer.metadata.tier": {"$in": ["gold"]}}; empty for all)</span></label>
<textarea id="filter" name="filter" rows="3" class="mono">${w.filterText ?? (w.filter ? JSON.stringify(w.filter, null, 2) : '')}</textarea>
<label for="headers">Custom headers <span class="muted">(one "Name: value" a line, sent with every message)</span></label>
<textarea id="headers" name="headers" rows="3">${w.headersText ?? headersText(w.headers ?? {})}</textarea>
<label class="inline"><input type="checkbox" name="own_secret"${w.own_secret ? ' checked' : ''}> Sign with a secret of its own, not the project's <span class="muted">(shown on its edit page once saved)</span></label>
<p><button type="submit">Save</button> <a class="button secondary" href="${c.base}/webhooks">Cancel</a></p></form>`;
}

/** Where the secret card's buttons go: the project's secret on the list, an endpoint's own on its edit page. */
interface SecretLinks {
  reveal: string;
  hide: string;
  rotate: string;
  whose: string;
}

/**
 * "Reveal secret" is shown to those whose role may read the signing secrets (by the rule that refuses the others:
 * the project's and an endpoint's own are alike), as buttons a role cannot use are not shown.
 */
function mayReveal(c: ProjectCtx): boolean {
  return !c.role || allows(c.role, accessNeeded('GET', '/webhook-secret'));
}

function secretCard(c: ProjectCtx, secret: Secret | undefined, links?: SecretLinks): Html {
  const to: SecretLinks = links ?? { reveal: `${c.base}/webhooks?reveal=1#secret-h`, hide: `${c.base}/webhooks`, rotate: `${c.base}/webhook-secret/rotate`, whose: "this project's" };
  return html`<section class="card" aria-labelledby="secret-h"><h2 id="secret-h">Signing secret</h2>
<p>Every message carries <code>x-voucherify-signature</code> (HMAC-SHA256 of the body) and Standard Webhooks headers,
signed with ${to.whose} secret${links ? " (the project's secret does not sign them)" : ''}. After a rotation, the previous secret keeps signing for 24 hours beside the new one
(<code>x-voucherify-signature-previous</code>, and a second <code>webhook-signature</code> entry), so receivers can switch
without losing a message.</p>
${secret
  ? html`<dl><dt>Secret</dt><dd class="mono" id="secret-value">${secret.secret}</dd>
<dt>Standard Webhooks secret</dt><dd class="mono">${secret.standard_webhooks_secret}</dd>
${secret.previous ? html`<dt>Previous secret (signs until ${when(secret.previous.expires_at)})</dt><dd class="mono">${secret.previous.secret}</dd>` : ''}</dl>
<p><a class="button secondary" href="${to.hide}">Hide secret</a></p>`
  : mayReveal(c)
    ? html`<p><a class="button secondary" href="${to.reveal}">Reveal secret</a></p>`
    : ''}
${postButton(c.session, to.rotate, 'Rotate secret', {
  secondary: true,
  confirm: 'Rotate the signing secret? The current one keeps signing beside the new one for 24 hours.',
})}</section>`;
}

function listBody(c: ProjectCtx, hooks: Webhook[], secret: Secret | undefined, stats: Map<string, Stats>): Html {
  return html`${settingsTabs(c.project.id, 'webhooks')}<h1>Webhooks</h1>
<p><a class="button" href="${c.base}/webhooks/new">Add webhook</a></p>
<div class="table-wrap"><table><caption class="visually-hidden">Webhook endpoints</caption>
<thead><tr><th scope="col">Target URL</th><th scope="col">Events</th><th scope="col">Is active?</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
<tbody>${hooks.length === 0 ? html`<tr><td colspan="6" class="muted">No webhooks yet.</td></tr>` : ''}${hooks.map((w) => {
    const at = `${c.base}/webhooks/${encodeURIComponent(w.id)}`;
    return html`<tr data-webhook="${w.id}"><td class="mono">${w.target_url}${Object.keys(w.headers).length ? html`<br><span class="muted">${Object.keys(w.headers).length} custom header(s)</span>` : ''}</td>
<td>${w.events.includes('*') ? `All events${w.events.length > 1 ? ` and ${w.events.length - 1} alert(s)` : ''}` : html`${w.events.length} event(s): <span class="muted">${w.events.slice(0, 3).join(', ')}${w.events.length > 3 ? '…' : ''}</span>`}</td>
<td><span class="badge ${w.active ? 'active' : 'inactive'}">${w.active ? 'Active' : 'Inactive'}</span>${w.disabled_reason ? html`<br><span class="muted">${w.disabled_reason}</span>` : ''}<br><span class="muted" data-stats>${statsText(stats.get(w.id))}</span></td>
<td>${w.description ?? ''}${w.own_secret ? html`${w.description ? html`<br>` : ''}<span class="muted">own secret</span>` : ''}${w.rate_limit ? html`${w.description ? html`<br>` : ''}<span class="muted">at most ${w.rate_limit}/s</span>` : ''}${w.filter ? html`${w.description || w.rate_limit ? html`<br>` : ''}<span class="muted">filtered</span>` : ''}</td><td>${when(w.created_at)}</td>
<td class="actions"><a class="button secondary" href="${at}/edit" aria-label="Edit webhook ${w.target_url}">✎ Edit</a>
${postButton(c.session, `${at}/active`, w.active ? 'Deactivate' : 'Activate', { secondary: true, extra: { active: w.active ? 'off' : 'on' } })}
${postButton(c.session, `${at}/test`, 'Send a test', { secondary: true })}
${postButton(c.session, `${at}/retry-failed`, 'Retry failed', { secondary: true, confirm: 'Send every failed message of this endpoint again?' })}
<a class="button secondary" href="${c.base}/sendouts?webhook_id=${encodeURIComponent(w.id)}">Sendouts</a>
${postButton(c.session, `${at}/delete`, 'Delete', { danger: true, confirm: `Delete the webhook to ${w.target_url}?` })}</td></tr>`;
  })}</tbody></table></div>${secretCard(c, secret)}`;
}

export function webhookRoutes(d: FastifyInstance): void {
  const base = '/p/:projectId/webhooks';

  d.get<P & { Querystring: { reveal?: string } }>(base, async (req, reply) => {
    const c = await projectCtx(req);
    const hooks = await c.api.must<{ data: Webhook[] }>('GET', `/projects/${c.project.id}/webhooks`);
    const secret = req.query.reveal === '1' ? await c.api.must<Secret>('GET', `/projects/${c.project.id}/webhook-secret`) : undefined;
    const stats = new Map(
      await Promise.all(hooks.data.map(async (w) => [w.id, await c.api.must<Stats>('GET', `/projects/${c.project.id}/webhooks/${encodeURIComponent(w.id)}/stats`)] as const)),
    );
    return c.render(reply, 'webhooks', 'Webhooks', listBody(c, hooks.data, secret, stats));
  });

  d.get<P>(`${base}/new`, async (req, reply) => {
    const c = await projectCtx(req);
    return c.render(reply, 'webhooks', 'Add webhook', html`${settingsTabs(c.project.id, 'webhooks')}<h1>Add webhook</h1>${webhookForm(c, `${c.base}/webhooks`, {})}`);
  });

  async function save(c: ProjectCtx, reply: FastifyReply, form: unknown, id?: string) {
    const { body, problem } = formBody(form);
    const fail = (error: string) =>
      c.render(reply.code(400), 'webhooks', id ? 'Edit webhook' : 'Add webhook', html`${settingsTabs(c.project.id, 'webhooks')}<h1>${id ? 'Edit webhook' : 'Add webhook'}</h1>${webhookForm(
        c,
        id ? `${c.base}/webhooks/${encodeURIComponent(id)}` : `${c.base}/webhooks`,
        { ...body, headersText: field(form, 'headers'), filterText: field(form, 'filter') },
        error,
      )}`);
    if (problem) return fail(problem);
    if (body.events.length === 0) return fail('Choose at least one event, or "Send me all events".');
    const r = id
      ? await c.api.call<Webhook>('PUT', `/projects/${c.project.id}/webhooks/${encodeURIComponent(id)}`, body)
      : await c.api.call<Webhook>('POST', `/projects/${c.project.id}/webhooks`, body);
    if (!r.ok) return fail(new ApiRefusal(r.status, r.body).message);
    return c.done(reply, `${c.base}/webhooks`, id ? `Webhook to ${r.body.target_url} saved.` : `Webhook to ${r.body.target_url} added.`);
  }

  d.post<P>(base, async (req, reply) => save(await projectCtx(req), reply, req.body));

  d.get<P & { Querystring: { reveal?: string } }>(`${base}/:webhookId/edit`, async (req, reply) => {
    const c = await projectCtx(req);
    const path = `/projects/${c.project.id}/webhooks/${encodeURIComponent(req.params.webhookId)}`;
    const w = await c.api.must<Webhook>('GET', path);
    const secret = w.own_secret && req.query.reveal === '1' ? await c.api.must<Secret>('GET', `${path}/secret`) : undefined;
    const at = `${c.base}/webhooks/${encodeURIComponent(w.id)}`;
    return c.render(
      reply,
      'webhooks',
      'Edit webhook',
      html`${settingsTabs(c.project.id, 'webhooks')}<h1>Edit webhook</h1>${webhookForm(c, at, w)}${w.own_secret ? secretCard(c, secret, { reveal: `${at}/edit?reveal=1#secret-h`, hide: `${at}/edit`, rotate: `${at}/secret/rotate`, whose: "this endpoint's own" }) : ''}`,
    );
  });

  d.post<P>(`${base}/:webhookId/secret/rotate`, async (req, reply) => {
    const c = await projectCtx(req);
    await c.api.must('POST', `/projects/${c.project.id}/webhooks/${encodeURIComponent(req.params.webhookId)}/secret/rotate`);
    return c.done(reply, `${c.base}/webhooks/${encodeURIComponent(req.params.webhookId)}/edit?reveal=1`, "The endpoint's secret is rotated; the previous one signs too for 24 hours.");
  });

  d.post<P>(`${base}/:webhookId`, async (req, reply) => save(await projectCtx(req), reply, req.body, req.params.webhookId));

  d.post<P>(`${base}/:webhookId/active`, async (req, reply) => {
    const c = await projectCtx(req);
    const path = `/projects/${c.project.id}/webhooks/${encodeURIComponent(req.params.webhookId)}`;
    const w = await c.api.must<Webhook>('GET', path);
    const active = field(req.body, 'active') === 'on';
    await c.api.must('PUT', path, { target_url: w.target_url, events: w.events, description: w.description, headers: w.headers, rate_limit: w.rate_limit, filter: w.filter, active });
    return c.done(reply, `${c.base}/webhooks`, `Webhook to ${w.target_url} ${active ? 'activated' : 'deactivated'}.`);
  });

  d.post<P>(`${base}/:webhookId/delete`, async (req, reply) => {
    const c = await projectCtx(req);
    await c.api.must('DELETE', `/projects/${c.project.id}/webhooks/${encodeURIComponent(req.params.webhookId)}`);
    return c.done(reply, `${c.base}/webhooks`, 'Webhook deleted.');
  });

  d.post<P>(`${base}/:webhookId/test`, async (req, reply) => {
    const c = await projectCtx(req);
    const s = await c.api.must<{ id: string; type: string }>('POST', `/projects/${c.project.id}/webhooks/${encodeURIComponent(req.params.webhookId)}/test`);
    return c.done(reply, `${c.base}/sendouts/${encodeURIComponent(s.id)}`, `Test message (${s.type}) queued.`);
  });

  d.post<P>(`${base}/:webhookId/retry-failed`, async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.call<{ retried: number }>('POST', `/projects/${c.project.id}/webhooks/${encodeURIComponent(req.params.webhookId)}/retry-failed`);
    if (!r.ok) return c.done(reply, `${c.base}/webhooks`, new ApiRefusal(r.status, r.body).message, 'error');
    return c.done(reply, `${c.base}/sendouts?webhook_id=${encodeURIComponent(req.params.webhookId)}`, `${r.body.retried} failed message(s) queued again.`);
  });

  d.post<P>('/p/:projectId/webhook-secret/rotate', async (req, reply) => {
    const c = await projectCtx(req);
    await c.api.must('POST', `/projects/${c.project.id}/webhook-secret/rotate`);
    return c.done(reply, `${c.base}/webhooks?reveal=1#secret-h`, 'Secret rotated: the previous one keeps signing beside it for 24 hours.');
  });
}
