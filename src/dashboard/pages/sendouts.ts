import type { FastifyInstance } from 'fastify';
import { ApiRefusal } from '../api-client.js';
import { projectCtx, type ProjectCtx } from '../context.js';
import { html, query, when, type Html } from '../html.js';
import { auditTabs, postButton } from '../layout.js';

interface Sendout {
  id: string;
  status: string;
  type: string;
  source: { object: string; id: string };
  target_url: string;
  request_id: string;
  attempts: number;
  event_created_at: string;
  executed_at: string | null;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
}

interface Attempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  error: string | null;
  outcome: string;
}

type Filters = Partial<Record<'status' | 'type' | 'webhook_id' | 'source_object' | 'request_id' | 'event_id' | 'id' | 'created_from' | 'created_to' | 'after', string>>;
const filterNames = ['status', 'type', 'webhook_id', 'source_object', 'request_id', 'event_id', 'id', 'created_from', 'created_to', 'after'] as const;
const pageSize = 20;

function pick(q: Record<string, unknown>): Filters {
  const f: Filters = {};
  for (const k of filterNames) if (typeof q[k] === 'string' && q[k] !== '') f[k] = q[k] as string;
  return f;
}

/** A datetime-local value (no zone) is read as UTC; a full ISO time is passed as given. */
const utc = (v: string | undefined) => (v === undefined ? undefined : /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00Z` : v);

function apiQuery(f: Filters): string {
  const q = new URLSearchParams({ limit: String(pageSize) });
  for (const k of ['status', 'type', 'webhook_id', 'source_object', 'request_id', 'event_id', 'id'] as const) if (f[k]) q.set(k, f[k]!);
  if (f.created_from) q.set('created_at[after]', utc(f.created_from)!);
  if (f.created_to) q.set('created_at[before]', utc(f.created_to)!);
  if (f.after) q.set('starting_after_id', f.after);
  return q.toString();
}

async function fetchPage(c: ProjectCtx, f: Filters) {
  const r = await c.api.call<{ data: Sendout[]; has_more: boolean; more_starting_after?: string }>('GET', `/projects/${c.project.id}/webhook-sendouts?${apiQuery(f)}`);
  if (!r.ok) return { rows: [] as Sendout[], more: undefined, error: new ApiRefusal(r.status, r.body).message };
  return { rows: r.body.data, more: r.body.has_more ? r.body.more_starting_after : undefined, error: undefined };
}

function rowsHtml(c: ProjectCtx, rows: Sendout[]): Html {
  if (rows.length === 0) return html`<tr><td colspan="9" class="muted">No sendouts match.</td></tr>`;
  return html`${rows.map((s) => {
    const at = `${c.base}/sendouts/${encodeURIComponent(s.id)}`;
    return html`<tr data-sendout="${s.id}" data-status="${s.status}"><td><span class="badge ${s.status}">${s.status}</span>${s.last_status_code ? html` <span class="muted">${s.last_status_code}</span>` : ''}</td>
<td>${s.type}</td><td class="mono">${s.id}</td><td>${s.source.object}<br><span class="mono">${s.source.id}</span></td><td class="mono">${s.target_url}</td>
<td class="mono">${s.request_id}</td><td>${when(s.event_created_at)}</td><td>${when(s.executed_at)}</td>
<td class="actions"><a class="button secondary" href="${at}">Show data</a>${s.status === 'failed' || s.status === 'retrying' ? postButton(c.session, `${at}/retry`, 'Retry') : ''}</td></tr>`;
  })}`;
}

function filterForm(c: ProjectCtx, f: Filters, hooks: Array<{ id: string; target_url: string }>): Html {
  const opt = (v: string, label: string, cur?: string) => html`<option value="${v}"${cur === v ? ' selected' : ''}>${label}</option>`;
  return html`<form method="get" action="${c.base}/sendouts" class="card filters" aria-label="Filters">
<div><label for="f-status">Status</label><select id="f-status" name="status">${opt('', 'Any')}${['pending', 'sent', 'retrying', 'failed'].map((s) => opt(s, s, f.status))}</select></div>
<div><label for="f-type">Type</label><input type="text" id="f-type" name="type" value="${f.type ?? ''}" placeholder="customer.created"></div>
<div><label for="f-webhook">Webhook</label><select id="f-webhook" name="webhook_id">${opt('', 'Any')}${hooks.map((w) => opt(w.id, w.target_url, f.webhook_id))}${
    f.webhook_id && !hooks.some((w) => w.id === f.webhook_id) ? opt(f.webhook_id, f.webhook_id, f.webhook_id) : ''
  }</select></div>
<div><label for="f-source">Source</label><select id="f-source" name="source_object">${opt('', 'Any')}${opt('webhook', 'Webhook', f.source_object)}${opt('distribution', 'Distribution', f.source_object)}</select></div>
<div><label for="f-from">Event created from (UTC)</label><input type="datetime-local" id="f-from" name="created_from" value="${f.created_from ?? ''}"></div>
<div><label for="f-to">Event created until (UTC)</label><input type="datetime-local" id="f-to" name="created_to" value="${f.created_to ?? ''}"></div>
<div><label for="f-request">Request ID</label><input type="text" id="f-request" name="request_id" value="${f.request_id ?? ''}"></div>
<div><label for="f-event">Event ID</label><input type="text" id="f-event" name="event_id" value="${f.event_id ?? ''}"></div>
<div><label for="f-id">Sendout ID</label><input type="text" id="f-id" name="id" value="${f.id ?? ''}"></div>
<div><button type="submit">Filter</button> <a class="button secondary" href="${c.base}/sendouts">Clear</a></div></form>`;
}

export function sendoutRoutes(d: FastifyInstance): void {
  type P = { Params: { projectId: string; sendoutId: string }; Querystring: Record<string, unknown> };

  d.get<P>('/p/:projectId/sendouts', async (req, reply) => {
    const c = await projectCtx(req);
    const f = pick(req.query);
    const [pageData, hooks] = await Promise.all([fetchPage(c, f), c.api.must<{ data: Array<{ id: string; target_url: string }> }>('GET', `/projects/${c.project.id}/webhooks`)]);
    const { after: _after, ...firstPage } = f;
    // Only the first page follows new sendouts live: later pages stay put while being read.
    const live = f.after === undefined;
    const body = html`${auditTabs(c.project.id, 'sendouts')}<h1>Webhook sendouts</h1>
${filterForm(c, f, hooks.data)}${pageData.error ? html`<div class="notice error" role="alert">${pageData.error}</div>` : ''}
${f.webhook_id && hooks.data.some((w) => w.id === f.webhook_id)
      ? html`<div class="actions">${postButton(c.session, `${c.base}/webhooks/${encodeURIComponent(f.webhook_id)}/retry-failed`, 'Retry all failed of this webhook', {
          secondary: true,
          confirm: 'Send every failed message of this webhook again?',
        })}</div>`
      : ''}
<p class="muted" aria-live="polite">${live ? 'Newest first; this page updates itself every few seconds.' : 'Older sendouts (not updated live).'}</p>
<div class="table-wrap"><table><caption class="visually-hidden">Webhook sendouts, newest first</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Type</th><th scope="col">ID</th><th scope="col">Source</th><th scope="col">Target URL</th><th scope="col">Request ID</th><th scope="col">Event created at</th><th scope="col">Executed at</th><th scope="col">Actions</th></tr></thead>
<tbody id="sendout-rows"${live ? html` data-poll="${c.base}/sendouts/rows${query(f)}" data-every="2000"` : ''}>${rowsHtml(c, pageData.rows)}</tbody></table></div>
<nav class="pager" aria-label="Pages">${f.after ? html`<a href="${c.base}/sendouts${query(firstPage)}">« Newest</a>` : ''}${
      pageData.more ? html`<a href="${c.base}/sendouts${query({ ...f, after: pageData.more })}">Older »</a>` : ''
    }</nav>`;
    return c.render(reply, 'sendouts', 'Webhook sendouts', body);
  });

  d.get<P>('/p/:projectId/sendouts/rows', async (req, reply) => {
    const c = await projectCtx(req);
    const pageData = await fetchPage(c, pick(req.query));
    return reply.type('text/html; charset=utf-8').send(rowsHtml(c, pageData.rows).text);
  });

  d.get<P>('/p/:projectId/sendouts/:sendoutId', async (req, reply) => {
    const c = await projectCtx(req);
    const s = await c.api.must<Sendout & { payload: unknown; attempts_log: Attempt[] }>('GET', `/projects/${c.project.id}/webhook-sendouts/${encodeURIComponent(req.params.sendoutId)}`);
    const at = `${c.base}/sendouts/${encodeURIComponent(s.id)}`;
    const body = html`<p class="crumb"><a href="${c.base}/sendouts">Audit log › Webhook sendouts</a> › ${s.id}</p><h1>Sendout ${s.id}</h1>
<div class="card"><dl class="grid2">
<div><dt>Status</dt><dd><span class="badge ${s.status}" id="sendout-status">${s.status}</span>${s.next_attempt_at ? html` <span class="muted">next attempt ${when(s.next_attempt_at)}</span>` : ''}</dd></div>
<div><dt>Type</dt><dd>${s.type}</dd></div><div><dt>Source</dt><dd>${s.source.object} <span class="mono">${s.source.id}</span></dd></div>
<div><dt>Target URL</dt><dd class="mono">${s.target_url}</dd></div><div><dt>Request ID</dt><dd class="mono">${s.request_id}</dd></div>
<div><dt>Event created at</dt><dd>${when(s.event_created_at)}</dd></div><div><dt>Executed at</dt><dd>${when(s.executed_at)}</dd></div>
<div><dt>Attempts</dt><dd>${s.attempts}</dd></div></dl>
<div class="actions">${postButton(c.session, `${at}/retry`, 'Retry')}<a class="button secondary" href="${c.base}/sendouts?webhook_id=${encodeURIComponent(s.source.id)}">All of this ${s.source.object}</a></div></div>
<h2>Payload</h2><pre tabindex="0" aria-label="Payload">${JSON.stringify(s.payload, null, 2)}</pre>
<h2>Attempts</h2><div class="table-wrap"><table><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Duration</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Response</th></tr></thead>
<tbody>${s.attempts_log.length === 0 ? html`<tr><td colspan="6" class="muted">No attempt yet.</td></tr>` : ''}${s.attempts_log.map(
      (a) => html`<tr><td>${a.attempt}</td><td>${when(a.started_at)}</td><td>${a.duration_ms} ms</td><td>${a.status_code ?? '—'}</td><td>${a.outcome}</td>
<td>${a.error ? html`<span class="field-error">${a.error}</span>` : ''}${a.response_body ? html`<pre>${a.response_body}</pre>` : ''}${
        a.response_headers && Object.keys(a.response_headers).length
          ? html`<details><summary>Response headers</summary><pre>${Object.entries(a.response_headers).map(([k, v]) => `${k}: ${v}\n`).join('')}</pre></details>`
          : ''
      }</td></tr>`,
    )}</tbody></table></div>`;
    return c.render(reply, 'sendouts', `Sendout ${s.id}`, body);
  });

  d.post<P>('/p/:projectId/sendouts/:sendoutId/retry', async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.call<Sendout>('POST', `/projects/${c.project.id}/webhook-sendouts/${encodeURIComponent(req.params.sendoutId)}/retry`);
    const back = `${c.base}/sendouts/${encodeURIComponent(req.params.sendoutId)}`;
    if (!r.ok) return c.done(reply, back, new ApiRefusal(r.status, r.body).message, 'error');
    return c.done(reply, back, 'Sendout queued to be sent again now.');
  });
}
