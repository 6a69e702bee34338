/** Audit log › API calls: the project's refused and failed calls (or all, as TESSERA_API_LOG says), with their bodies. */
import type { FastifyInstance } from 'fastify';
import { ApiRefusal } from '../api-client.js';
import { projectCtx, type ProjectCtx } from '../context.js';
import { html, query, when, type Html } from '../html.js';
import { auditTabs } from '../layout.js';

interface ApiCall {
  id: string;
  request_id: string;
  created_at: string;
  method: string;
  path: string;
  route: string | null;
  status: number;
  error_key: string | null;
  channel: string;
  app_id: string | null;
  ip: string | null;
  duration_ms: number;
  request_body: string | null;
  response_body: string | null;
}

const filterNames = ['request_id', 'status', 'method', 'path', 'error_key', 'after'] as const;
type Filters = Partial<Record<(typeof filterNames)[number], string>>;
const pageSize = 25;

function pick(q: Record<string, unknown>): Filters {
  const f: Filters = {};
  for (const k of filterNames) if (typeof q[k] === 'string' && q[k] !== '') f[k] = (q[k] as string).trim();
  return f;
}

async function fetchPage(c: ProjectCtx, f: Filters) {
  const q = new URLSearchParams({ limit: String(pageSize) });
  for (const k of ['request_id', 'status', 'method', 'path', 'error_key'] as const) if (f[k]) q.set(k, f[k]!);
  if (f.after) q.set('starting_after_id', f.after);
  const r = await c.api.call<{ data: ApiCall[]; has_more: boolean; more_starting_after?: string }>('GET', `/projects/${c.project.id}/api-calls?${q}`);
  if (!r.ok) return { rows: [] as ApiCall[], more: undefined, error: new ApiRefusal(r.status, r.body).message };
  return { rows: r.body.data, more: r.body.has_more ? r.body.more_starting_after : undefined, error: undefined };
}

const badge = (status: number) => (status >= 500 ? 'failed' : status >= 400 ? 'retrying' : 'sent');

function filterForm(c: ProjectCtx, f: Filters): Html {
  const opt = (v: string, label: string, cur?: string) => html`<option value="${v}"${cur === v ? ' selected' : ''}>${label}</option>`;
  return html`<form method="get" action="${c.base}/api-calls" class="card filters" aria-label="Filters">
<div><label for="call-request">Request ID</label><input type="text" id="call-request" name="request_id" value="${f.request_id ?? ''}" placeholder="v-…"></div>
<div><label for="call-status">Status</label><select id="call-status" name="status">${opt('', 'Any')}${opt('4xx', '4xx (refused)', f.status)}${opt('5xx', '5xx (failed)', f.status)}${['400', '401', '403', '404', '409', '429'].map((s) => opt(s, s, f.status))}${
    f.status && !['4xx', '5xx', '400', '401', '403', '404', '409', '429'].includes(f.status) ? opt(f.status, f.status, f.status) : ''
  }</select></div>
<div><label for="call-method">Method</label><select id="call-method" name="method">${opt('', 'Any')}${['GET', 'POST', 'PUT', 'DELETE'].map((m) => opt(m, m, f.method))}</select></div>
<div><label for="call-path">Path starts with</label><input type="text" id="call-path" name="path" value="${f.path ?? ''}" placeholder="/v1/redemptions"></div>
<div><label for="call-key">Error key</label><input type="text" id="call-key" name="error_key" value="${f.error_key ?? ''}" placeholder="invalid_payload"></div>
<div><button type="submit">Filter</button> <a class="button secondary" href="${c.base}/api-calls">Clear</a></div></form>`;
}

function rowsHtml(c: ProjectCtx, rows: ApiCall[]): Html {
  if (rows.length === 0) return html`<tr><td colspan="7" class="muted">No calls match.</td></tr>`;
  return html`${rows.map(
    (r) => html`<tr data-call="${r.id}"><td><span class="badge ${badge(r.status)}">${r.status}</span></td><td>${r.method}</td><td class="mono">${r.path.length > 120 ? `${r.path.slice(0, 120)}…` : r.path}</td>
<td>${r.error_key ?? ''}</td><td class="mono">${r.request_id}</td><td>${when(r.created_at)}</td><td><a class="button secondary" href="${c.base}/api-calls/${encodeURIComponent(r.id)}">Show</a></td></tr>`,
  )}`;
}

/** A body as kept: pretty when it is JSON, as is otherwise. */
function bodyBlock(label: string, text: string | null): Html {
  if (text === null) return html`<p class="muted">${label}: not kept.</p>`;
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // cut or not JSON: as kept
  }
  return html`<h2>${label}</h2><pre tabindex="0" aria-label="${label}">${shown}</pre>`;
}

export function apiCallRoutes(d: FastifyInstance): void {
  type P = { Params: { projectId: string; callId: string }; Querystring: Record<string, unknown> };

  d.get<P>('/p/:projectId/api-calls', async (req, reply) => {
    const c = await projectCtx(req);
    const f = pick(req.query);
    const page = await fetchPage(c, f);
    const { after: _after, ...firstPage } = f;
    const body = html`${auditTabs(c.project.id, 'calls')}<h1>API calls</h1>
<p class="muted">The calls of this project's keys and tokens that were refused or failed (every call when the server runs with <code>TESSERA_API_LOG=all</code>), newest first. An error answer's <code>request_id</code> finds its call.</p>
${filterForm(c, f)}${page.error ? html`<div class="notice error" role="alert">${page.error}</div>` : ''}
<div class="table-wrap"><table><caption class="visually-hidden">API calls, newest first</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Error key</th><th scope="col">Request ID</th><th scope="col">At</th><th scope="col">Details</th></tr></thead>
<tbody id="call-rows">${rowsHtml(c, page.rows)}</tbody></table></div>
<nav class="pager" aria-label="Pages">${f.after ? html`<a href="${c.base}/api-calls${query(firstPage)}">« Newest</a>` : ''}${
      page.more ? html`<a href="${c.base}/api-calls${query({ ...f, after: page.more })}">Older »</a>` : ''
    }</nav>`;
    return c.render(reply, 'sendouts', 'API calls', body);
  });

  d.get<P>('/p/:projectId/api-calls/:callId', async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.must<ApiCall>('GET', `/projects/${c.project.id}/api-calls/${encodeURIComponent(req.params.callId)}`);
    const body = html`<p class="crumb"><a href="${c.base}/api-calls">Audit log › API calls</a> › ${r.id}</p><h1>${r.method} ${r.route ?? r.path}</h1>
<div class="card"><dl class="grid2">
<div><dt>Status</dt><dd><span class="badge ${badge(r.status)}" id="call-status-badge">${r.status}</span>${r.error_key ? html` <span class="mono">${r.error_key}</span>` : ''}</dd></div>
<div><dt>Path</dt><dd class="mono">${r.path}</dd></div><div><dt>Request ID</dt><dd class="mono">${r.request_id}</dd></div>
<div><dt>At</dt><dd>${when(r.created_at)}</dd></div><div><dt>Took</dt><dd>${r.duration_ms} ms</dd></div>
<div><dt>Channel</dt><dd>${r.channel}</dd></div><div><dt>Key (app id)</dt><dd class="mono">${r.app_id ?? '—'}</dd></div>
<div><dt>Client address</dt><dd class="mono">${r.ip ?? '—'}</dd></div></dl>
<div class="actions"><a class="button secondary" href="${c.base}/sendouts?request_id=${encodeURIComponent(r.request_id)}">Webhooks this call sent</a></div></div>
${bodyBlock('Request body', r.request_body)}${bodyBlock('Answer', r.response_body)}`;
    return c.render(reply, 'sendouts', `API call ${r.id}`, body);
  });
}
