import type { FastifyInstance } from 'fastify';
import { ApiRefusal } from '../api-client.js';
import { field, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { csrfField, postButton, settingsTabs } from '../layout.js';

/** The management API's project, as far as this screen shows and changes it. */
interface Project {
  id: string;
  name: string;
  description?: string | null;
  timezone?: string;
  currency?: string;
  case_sensitive_codes?: boolean;
  client_trusted_domains?: string[];
  [flag: string]: unknown;
}

/** What the client-side key may do, as Voucherify's project settings name the switches. */
const clientFlags = [
  ['client_redeem_enabled', 'Validate and redeem codes'],
  ['client_publish_enabled', 'Publish codes'],
  ['client_list_vouchers_enabled', 'List vouchers'],
  ['client_create_customer_enabled', 'Create customers'],
  ['client_loyalty_events_enabled', 'Track loyalty events'],
  ['client_set_voucher_expiration_date_enabled', 'Set a voucher’s expiration date'],
] as const;

const checked = (yes: unknown) => (yes === true ? ' checked' : '');

function settingsBody(c: ProjectCtx, p: Project): Html {
  const at = `${c.base}/settings`;
  return html`${settingsTabs(c.project.id, 'general')}<h1>General</h1>
<form method="post" action="${at}" class="card">${csrfField(c.session)}
<label for="project-name">Project name</label><input type="text" id="project-name" name="name" required maxlength="200" value="${p.name}">
<label for="project-description">Description</label><input type="text" id="project-description" name="description" maxlength="5000" value="${p.description ?? ''}">
<label for="project-timezone">Time zone <span class="muted">(IANA, such as Europe/Warsaw)</span></label><input type="text" id="project-timezone" name="timezone" maxlength="100" value="${p.timezone ?? ''}">
<label for="project-currency">Currency <span class="muted">(such as EUR)</span></label><input type="text" id="project-currency" name="currency" maxlength="10" value="${p.currency ?? ''}">
<div><label class="inline"><input type="checkbox" name="case_sensitive_codes" value="on"${checked(p.case_sensitive_codes)}> Codes are case-sensitive</label></div>
<fieldset><legend>Client-side key (browsers and apps)</legend>
<label for="project-domains">Trusted domains <span class="muted">(one per line; client requests must come from one of them)</span></label><textarea id="project-domains" name="client_trusted_domains" rows="3">${(p.client_trusted_domains ?? []).join('\n')}</textarea>
${clientFlags.map(([name, label]) => html`<div><label class="inline"><input type="checkbox" name="${name}" value="on"${checked(p[name])}> ${label}</label></div>`)}
</fieldset>
<p><button type="submit">Save settings</button></p></form>
<section class="card" aria-labelledby="keys-h"><h2 id="keys-h">API keys</h2>
<p class="muted">Tessera keeps only a hash of each token, so a lost one cannot be shown again: regenerate it. The old token stops working at once; the new pair is shown once, here.</p>
<div class="actions">${postButton(c.session, `${at}/keys/server/regenerate`, 'Regenerate the server-side key', { danger: true, confirm: 'Make a new server-side key? Every application using the current one stops working until it has the new one.' })}${postButton(
    c.session,
    `${at}/keys/client/regenerate`,
    'Regenerate the client-side key',
    { secondary: true, confirm: 'Make a new client-side key? Browsers and apps using the current one stop working until they have the new one.' },
  )}</div></section>`;
}

/** The API's project body from the form: every field it shows (a switch left unticked is off). */
function bodyOf(form: unknown): Record<string, unknown> {
  const text = (n: string) => field(form, n).trim();
  const domains = field(form, 'client_trusted_domains')
    .split(/\r?\n/)
    .map((d) => d.trim())
    .filter((d) => d !== '');
  return {
    name: text('name'),
    description: text('description') || null,
    ...(text('timezone') ? { timezone: text('timezone') } : {}),
    ...(text('currency') ? { currency: text('currency') } : {}),
    case_sensitive_codes: field(form, 'case_sensitive_codes') === 'on',
    client_trusted_domains: domains,
    ...Object.fromEntries(clientFlags.map(([name]) => [name, field(form, name) === 'on'])),
  };
}

/** Project settings › General: the project's name, time zone, currency and client-side switches, and its API keys. */
export function settingsRoutes(d: FastifyInstance): void {
  type P = { Params: { projectId: string; kind: string } };

  d.get<P>('/p/:projectId/settings', async (req, reply) => {
    const c = await projectCtx(req);
    const project = await c.api.must<Project>('GET', `/projects/${c.project.id}`);
    return c.render(reply, 'settings', 'General settings', settingsBody(c, project));
  });

  d.post<P>('/p/:projectId/settings', async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.call<Project>('PUT', `/projects/${c.project.id}`, bodyOf(req.body));
    // A role that may not change settings, a value the API refuses: said on the page, nothing changed.
    if (!r.ok) return c.done(reply, `${c.base}/settings`, new ApiRefusal(r.status, r.body).message, 'error');
    return c.done(reply, `${c.base}/settings`, 'Settings saved.');
  });

  d.post<P>('/p/:projectId/settings/keys/:kind/regenerate', async (req, reply) => {
    const c = await projectCtx(req);
    const kind = req.params.kind === 'server' ? 'server-side-key' : req.params.kind === 'client' ? 'client-side-key' : undefined;
    if (!kind) return c.done(reply, `${c.base}/settings`, 'There are server-side and client-side keys only.', 'error');
    const r = await c.api.call<Record<string, { app_id: string; app_token: string }>>('POST', `/projects/${c.project.id}/${kind}/regenerate`);
    if (!r.ok) return c.done(reply, `${c.base}/settings`, new ApiRefusal(r.status, r.body).message, 'error');
    const pair = r.body[kind.replaceAll('-', '_')]!;
    return c.done(reply, `${c.base}/settings#keys-h`, `New ${kind.replace('-key', '').replace('-', ' ')} key (shown once): app id ${pair.app_id}, app token ${pair.app_token}`);
  });
}
