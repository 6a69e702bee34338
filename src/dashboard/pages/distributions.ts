import type { FastifyInstance, FastifyReply } from 'fastify';
import { distributionBody, distributionObject, maxManualDelaySeconds, triggerTypes, type DistributionRow } from '../../modules/distributions/index.js';
import { dashOf, field, projectCtx, type ProjectCtx, refusalText } from '../context.js';
import { html, when, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { bodyProblem, userCause, type V1Services } from '../v1.js';
import type { CampaignServices } from './campaigns.js';

type Values = Record<
  'name' | 'status' | 'trigger_type' | 'event' | 'segment_id' | 'trigger_campaign_id' | 'purpose' | 'campaign_id' | 'target_url' | 'event_name' | 'headers' | 'template' | 'raw_payload',
  string
>;
type Choice = { id: string; name: string };
const purposes = ['plain_message', 'publish_unique_codes', 'notify_promotion'] as const;

function valuesOf(d?: DistributionRow): Values {
  return {
    name: d?.name ?? '',
    status: d?.status === 'DONE' ? 'TO SEND' : (d?.status ?? 'TO SEND'),
    trigger_type: d?.trigger.type ?? 'customer.custom_event',
    event: d?.trigger.event ?? '',
    segment_id: d?.trigger.segment_id ?? '',
    trigger_campaign_id: d?.trigger.campaign_id ?? '',
    purpose: d?.purpose ?? 'plain_message',
    campaign_id: d?.campaign_id ?? '',
    target_url: d?.channel.target_url ?? '',
    event_name: d?.channel.event_name ?? '',
    headers: Object.entries(d?.channel.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n'),
    template: d?.channel.template ? JSON.stringify(d.channel.template, null, 2) : '',
    raw_payload: d?.channel.raw_payload ? 'on' : '',
  };
}

/** The form's fields to a distribution body; a string when a field cannot be read. */
function inputOf(v: Values): Record<string, unknown> | string {
  const headers: Record<string, string> = {};
  for (const line of v.headers.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const at = line.indexOf(':');
    if (at <= 0) return 'Custom headers need one "Name: value" a line';
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  let template: unknown = null;
  if (v.template.trim() !== '') {
    try {
      template = JSON.parse(v.template);
    } catch (err) {
      return `The payload template is not valid JSON: ${(err as Error).message}`;
    }
  }
  const purpose = v.purpose || 'plain_message';
  return {
    name: v.name.trim(),
    status: v.status,
    purpose,
    // A plain message names no campaign: one left chosen from another purpose is dropped rather than refused.
    ...(purpose !== 'plain_message' && v.campaign_id ? { campaign_id: v.campaign_id } : {}),
    trigger: {
      type: v.trigger_type,
      ...(v.event.trim() ? { event: v.event.trim() } : {}),
      ...(v.segment_id.trim() ? { segment_id: v.segment_id.trim() } : {}),
      ...(v.trigger_campaign_id ? { campaign_id: v.trigger_campaign_id } : {}),
    },
    channel: { type: 'webhook', target_url: v.target_url.trim(), event_name: v.event_name.trim(), headers, template, raw_payload: v.raw_payload === 'on' },
  };
}

function form(c: ProjectCtx, action: string, v: Values, segments: Choice[], campaigns: Choice[], error?: string): Html {
  const opt = (value: string, label: string, cur: string) => html`<option value="${value}"${value === cur ? ' selected' : ''}>${label}</option>`;
  return html`${error ? html`<div class="notice error" role="alert">${error}</div>` : ''}<form method="post" action="${action}" class="card">${csrfField(c.session)}
<label for="d-name">Name</label><input type="text" id="d-name" name="name" required value="${v.name}">
<label for="d-status">Status</label><select id="d-status" name="status">${['TO SEND', 'PAUSED', 'DRAFT'].map((s) => opt(s, s, v.status))}</select>
<fieldset><legend>Trigger</legend><label for="d-trigger">When</label><select id="d-trigger" name="trigger_type">${triggerTypes.map((t) => opt(t, t, v.trigger_type))}</select>
<label for="d-event">Custom event name (customer.custom_event)</label><input type="text" id="d-event" name="event" value="${v.event}">
<label for="d-segment">Segment (segment triggers; optional narrowing for the others)</label><select id="d-segment" name="segment_id">${opt('', 'None', v.segment_id)}${segments.map((g) => opt(g.id, g.name, v.segment_id))}</select>
<label for="d-trigger-campaign">Only for the campaign (publication, loyalty and reward triggers)</label><select id="d-trigger-campaign" name="trigger_campaign_id">${opt('', 'Any campaign', v.trigger_campaign_id)}${campaigns.map((x) => opt(x.id, x.name, v.trigger_campaign_id))}</select></fieldset>
<fieldset><legend>Purpose and channel</legend><p class="muted">Sent through a webhook channel.</p>
<label for="d-purpose">Purpose</label><select id="d-purpose" name="purpose">${purposes.map((p) => opt(p, p, v.purpose))}</select>
<label for="d-campaign">Campaign (publish_unique_codes publishes one of its codes; notify_promotion tells about it)</label><select id="d-campaign" name="campaign_id">${opt('', 'None', v.campaign_id)}${campaigns.map((x) => opt(x.id, x.name, v.campaign_id))}</select>
<label for="d-url">Target URL <span class="muted">(https://…, a broker's, or smtp://NAME to send e-mail: then a template with to, subject and text, sent as the whole body)</span></label><input type="url" id="d-url" name="target_url" required value="${v.target_url}">
<label for="d-event-name">Event name sent (the envelope's type)</label><input type="text" id="d-event-name" name="event_name" required value="${v.event_name}">
<label for="d-headers">Custom headers (one "Name: value" a line)</label><textarea id="d-headers" name="headers" rows="2">${v.headers}</textarea>
<label for="d-template">Payload template (JSON with {{path}} placeholders; empty for the event's data)</label><textarea id="d-template" name="template" rows="5">${v.template}</textarea>
<label class="inline"><input type="checkbox" name="raw_payload"${v.raw_payload === 'on' ? ' checked' : ''}> Send the template as the whole body (no envelope)</label></fieldset>
<p><button type="submit">Save</button> <a class="button secondary" href="${c.base}/distributions">Cancel</a></p></form>`;
}

export function distributionRoutes(d: FastifyInstance, s: V1Services & Pick<CampaignServices, 'campaigns'>): void {
  type P = { Params: { projectId: string; distributionId: string } };
  const names: Array<keyof Values> = ['name', 'status', 'trigger_type', 'event', 'segment_id', 'trigger_campaign_id', 'purpose', 'campaign_id', 'target_url', 'event_name', 'headers', 'template', 'raw_payload'];
  const segmentsOf = async (projectId: string) => (await s.segments.list(projectId, { ascending: false, limit: 100, page: 1 })).segments;
  /** The form with the project's segments and campaigns to choose from. */
  const formOf = async (c: ProjectCtx, action: string, v: Values, error?: string) => {
    const [segments, list] = await Promise.all([segmentsOf(c.project.id), s.campaigns.list(c.project.id, { limit: 100, page: 1 })]);
    const campaigns = (list.campaigns as Choice[]).map((x) => ({ id: x.id, name: x.name }));
    // A campaign beyond the first 100 stays chosen rather than silently dropped on save.
    for (const id of [v.campaign_id, v.trigger_campaign_id]) if (id && !campaigns.some((x) => x.id === id)) campaigns.push({ id, name: id });
    return form(c, action, v, segments, campaigns, error);
  };

  d.get<P>('/p/:projectId/distributions', async (req, reply) => {
    const c = await projectCtx(req);
    const rows = (await s.distributions.list(c.project.id)).map(distributionObject);
    const body = html`<h1>Distributions</h1><p><a class="button" href="${c.base}/distributions/new">Create distribution</a></p>
<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Channel</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="6" class="muted">No distributions yet.</td></tr>` : ''}${rows.map((x) => {
      const at = `${c.base}/distributions/${encodeURIComponent(x.id)}`;
      const paused = x.status === 'PAUSED';
      return html`<tr data-distribution="${x.name}"><td><a href="${at}/edit">${x.name}</a></td><td><span class="badge ${paused ? 'paused' : x.status === 'TO SEND' ? 'active' : ''}">${x.status}</span>${x.paused_reason ? html`<br><span class="muted">${x.paused_reason}</span>` : ''}</td>
<td>${x.trigger.type}${x.trigger.event ? html` <span class="mono">${x.trigger.event}</span>` : ''}</td><td class="mono">${x.channel.event_name} → ${x.channel.target_url}</td><td>${when(x.created_at)}</td>
<td class="actions">${x.status === 'TO SEND' || paused ? postButton(c.session, `${at}/status`, paused ? 'Resume' : 'Pause', { secondary: true, extra: { status: paused ? 'TO SEND' : 'PAUSED' } }) : ''}
<a class="button secondary" href="${c.base}/sendouts?webhook_id=${encodeURIComponent(x.id)}" aria-label="Sendouts of ${x.name}">Sendouts</a>
${postButton(c.session, `${at}/delete`, 'Delete', { danger: true, confirm: `Delete the distribution ${x.name}?` })}</td></tr>
${x.trigger.type === 'manual' ? html`<tr><td colspan="6"><form method="post" action="${at}/send" class="filters" aria-label="Send ${x.name} manually">${csrfField(c.session)}
<div><label for="send-customer-${x.id}">Customer (id or source id)</label><input type="text" id="send-customer-${x.id}" name="customer"></div>
<div><label for="send-segment-${x.id}">or segment id</label><input type="text" id="send-segment-${x.id}" name="segment_id"></div>
<div><label for="send-delay-${x.id}">Delay (seconds)</label><input type="number" id="send-delay-${x.id}" name="delay_seconds" min="0" max="${maxManualDelaySeconds}" value="0"></div>
<div><button type="submit">Send manually</button></div></form></td></tr>` : ''}`;
    })}</tbody></table></div>`;
    return c.render(reply, 'distributions', 'Distributions', body);
  });

  async function save(c: ProjectCtx, reply: FastifyReply, body: unknown, id?: string) {
    const v = Object.fromEntries(names.map((n) => [n, field(body, n)])) as Values;
    const action = id ? `${c.base}/distributions/${encodeURIComponent(id)}` : `${c.base}/distributions`;
    const fail = async (error: string) =>
      c.render(reply.code(400), 'distributions', 'Distribution', html`<h1>${id ? 'Edit distribution' : 'Create distribution'}</h1>${await formOf(c, action, v, error)}`);
    const input = inputOf(v);
    if (typeof input === 'string') return fail(input);
    const problem = bodyProblem(distributionBody, input);
    if (problem) return fail(problem);
    try {
      const row = id ? await s.distributions.update(c.project.id, id, input as never) : await s.distributions.create(c.project.id, input as never);
      return c.done(reply, `${c.base}/distributions`, `Distribution ${row.name} saved.`);
    } catch (err) {
      const why = refusalText(err);
      if (why !== undefined) return fail(why);
      throw err;
    }
  }

  d.get<P>('/p/:projectId/distributions/new', async (req, reply) => {
    const c = await projectCtx(req);
    return c.render(reply, 'distributions', 'Create distribution', html`<h1>Create distribution</h1>${await formOf(c, `${c.base}/distributions`, valuesOf())}`);
  });
  d.post<P>('/p/:projectId/distributions', async (req, reply) => save(await projectCtx(req), reply, req.body));
  d.get<P>('/p/:projectId/distributions/:distributionId/edit', async (req, reply) => {
    const c = await projectCtx(req);
    const row = await s.distributions.get(c.project.id, req.params.distributionId);
    const at = `${c.base}/distributions/${encodeURIComponent(row.id)}`;
    return c.render(
      reply,
      'distributions',
      row.name,
      html`<h1>Edit distribution</h1>${await formOf(c, at, valuesOf(row))}
<h2>Send a test</h2><p class="muted">Sends the saved message once, now, whatever the status: for the customer named, or a sample one. Nothing is published or recorded.</p>
<form method="post" action="${at}/test" class="filters" aria-label="Send a test of ${row.name}">${csrfField(c.session)}
<div><label for="test-customer">Customer (id or source id; empty for a sample)</label><input type="text" id="test-customer" name="customer"></div>
<div><label for="test-email">E-mail address instead of theirs</label><input type="email" id="test-email" name="email"></div>
<div><button type="submit">Send a test</button></div></form>`,
    );
  });
  d.post<P>('/p/:projectId/distributions/:distributionId/test', async (req, reply) => {
    const c = await projectCtx(req);
    const to: { customer?: string; email?: string } = {};
    if (field(req.body, 'customer').trim()) to.customer = field(req.body, 'customer').trim();
    if (field(req.body, 'email').trim()) to.email = field(req.body, 'email').trim();
    const back = `${c.base}/distributions/${encodeURIComponent(req.params.distributionId)}/edit`;
    if (to.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(to.email)) return c.done(reply, back, 'The e-mail address is not valid', 'error');
    return c.attempt(reply, back, async () => {
      const r = await s.distributions.sendTest(userCause(req, c.project.id, dashOf(req).session), req.params.distributionId, to);
      return { to: `${c.base}/sendouts/${encodeURIComponent(r.sendout.id)}`, text: 'Test message queued.' };
    });
  });
  d.post<P>('/p/:projectId/distributions/:distributionId', async (req, reply) => save(await projectCtx(req), reply, req.body, req.params.distributionId));

  d.post<P>('/p/:projectId/distributions/:distributionId/status', async (req, reply) => {
    const c = await projectCtx(req);
    const row = await s.distributions.get(c.project.id, req.params.distributionId);
    const status = field(req.body, 'status') === 'PAUSED' ? 'PAUSED' : 'TO SEND';
    // Only the status changes: the rest is the row as stored (its purpose, campaign and trigger included).
    const { name, trigger, purpose, campaign_id, channel } = row;
    await s.distributions.update(c.project.id, row.id, { name, status, trigger, purpose, ...(campaign_id ? { campaign_id } : {}), channel });
    return c.done(reply, `${c.base}/distributions`, `Distribution ${row.name} ${status === 'PAUSED' ? 'paused' : 'resumed'}.`);
  });

  d.post<P>('/p/:projectId/distributions/:distributionId/send', async (req, reply) => {
    const c = await projectCtx(req);
    const to: { customer?: string; segment_id?: string; delay_seconds?: number } = {};
    if (field(req.body, 'customer').trim()) to.customer = field(req.body, 'customer').trim();
    if (field(req.body, 'segment_id').trim()) to.segment_id = field(req.body, 'segment_id').trim();
    const delay = Number(field(req.body, 'delay_seconds') || '0');
    if (!Number.isInteger(delay) || delay < 0 || delay > maxManualDelaySeconds) return c.done(reply, `${c.base}/distributions`, `The delay must be a whole number of seconds from 0 to ${maxManualDelaySeconds}`, 'error');
    to.delay_seconds = delay;
    return c.attempt(reply, `${c.base}/distributions`, async () => {
      const r = await s.distributions.sendManual(userCause(req, c.project.id, dashOf(req).session), req.params.distributionId, to);
      return `${r.count} message(s) scheduled for ${when(r.scheduledAt.toISOString())}.`;
    });
  });

  d.post<P>('/p/:projectId/distributions/:distributionId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    await s.distributions.remove(c.project.id, req.params.distributionId);
    return c.done(reply, `${c.base}/distributions`, 'Distribution deleted.');
  });
}
