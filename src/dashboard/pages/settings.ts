import type { FastifyInstance } from 'fastify';
import type { StackingRules } from '../../modules/redemptions/index.js';
import { ApiRefusal } from '../api-client.js';
import { field, projectCtx, type ProjectCtx, refusalText } from '../context.js';
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

/** The project's API call limits, as the form names them (blank: the instance's default). */
const rateLimits = [
  ['api_rate_limit', 'api', 'Server-side API calls', 'per project'],
  ['client_rate_limit', 'client', 'Client-side API calls', 'per IP address'],
  ['bulk_api_rate_limit', 'bulk', 'Bulk API calls (imports, bulk and metadata updates)', 'per project'],
] as const;

interface RateLimit {
  calls: number;
  seconds: number;
}

function limitFields(p: Project): Html {
  return html`<fieldset><legend>API call limits <span class="muted">(blank: the instance's default; over the limit, calls are answered 429)</span></legend>
${rateLimits.map(([key, id, label, scope]) => {
  const v = p[key] as RateLimit | null | undefined;
  return html`<label for="project-${id}-calls">${label} at most <span class="muted">(${scope})</span></label><input type="number" id="project-${id}-calls" name="${id}_calls" min="1" step="1" value="${v?.calls ?? ''}">
<label for="project-${id}-seconds">… per this many seconds</label><input type="number" id="project-${id}-seconds" name="${id}_seconds" min="1" max="86400" step="1" value="${v?.seconds ?? 60}">`;
})}</fieldset>`;
}

/** A limit from the form: null when its calls are blank; a value that is not a whole number is sent as typed, for the API to refuse. */
function limitOf(form: unknown, id: string): RateLimit | Record<string, unknown> | null {
  const calls = field(form, `${id}_calls`).trim();
  if (calls === '') return null;
  const seconds = field(form, `${id}_seconds`).trim() || '60';
  const whole = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
  return { calls: whole(calls), seconds: whole(seconds) };
}

const checked = (yes: unknown) => (yes === true ? ' checked' : '');
const selected = (yes: boolean) => (yes ? ' selected' : '');

/** The project's stacking-rules record (Voucherify's defaults until it sets its own). */
interface Stacking extends StackingRules {
  id: string;
}

/** The limits the form sets: the record's key, its label and the API's upper bound. */
const stackingLimits = [
  ['redeemables_limit', 'Codes and promotions one request may name', 30],
  ['applicable_redeemables_limit', 'Of those, applied to one order at most', 30],
  ['applicable_redeemables_per_category_limit', 'Applied per category at most', 30],
  ['applicable_exclusive_redeemables_limit', 'Exclusive ones applied at most', 5],
] as const;

function stackingSection(c: ProjectCtx, r: Stacking): Html {
  const at = `${c.base}/settings/stacking`;
  return html`<section class="card" aria-labelledby="stacking-h"><h2 id="stacking-h">Stacking rules</h2>
<p class="muted">How many codes and promotions one validation or redemption may combine, and which apply together.</p>
<form method="post" action="${at}">${csrfField(c.session)}
${stackingLimits.map(([key, label, max]) => html`<label for="stacking-${key}">${label} <span class="muted">(1 to ${max})</span></label><input type="number" id="stacking-${key}" name="${key}" min="1" max="${max}" step="1" required value="${r[key]}">`)}
<label for="stacking-exclusive">Exclusive categories <span class="muted">(category ids, one per line: a code of one applies alone)</span></label><textarea id="stacking-exclusive" name="exclusive_categories" rows="2">${r.exclusive_categories.join('\n')}</textarea>
<label for="stacking-joint">Joint categories <span class="muted">(category ids, one per line: they apply beside exclusive ones)</span></label><textarea id="stacking-joint" name="joint_categories" rows="2">${r.joint_categories.join('\n')}</textarea>
<label for="stacking-mode">When one of them does not apply</label><select id="stacking-mode" name="redeemables_application_mode"><option value="ALL"${selected(r.redeemables_application_mode === 'ALL')}>Refuse them all</option><option value="PARTIAL"${selected(r.redeemables_application_mode === 'PARTIAL')}>Apply the others</option></select>
<label for="stacking-order">Order they apply in</label><select id="stacking-order" name="redeemables_sorting_rule"><option value="REQUESTED_ORDER"${selected(r.redeemables_sorting_rule === 'REQUESTED_ORDER')}>As the request lists them</option><option value="CATEGORY_HIERARCHY"${selected(r.redeemables_sorting_rule === 'CATEGORY_HIERARCHY')}>By their categories' hierarchy</option></select>
<p><button type="submit">Save stacking rules</button></p></form>
${postButton(c.session, `${at}/reset`, 'Back to the defaults', { secondary: true, confirm: 'Put the stacking rules back to the defaults?' })}</section>`;
}

/** The stacking rules the form sets (a limit that is not a whole number is sent as typed, for the API to refuse). */
function stackingOf(form: unknown): Record<string, unknown> {
  const lines = (n: string) =>
    field(form, n)
      .split(/\r?\n/)
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const limit = (n: string) => {
    const v = field(form, n).trim();
    return /^\d+$/.test(v) ? Number(v) : v;
  };
  return {
    ...Object.fromEntries(stackingLimits.map(([key]) => [key, limit(key)])),
    exclusive_categories: lines('exclusive_categories'),
    joint_categories: lines('joint_categories'),
    redeemables_application_mode: field(form, 'redeemables_application_mode'),
    redeemables_sorting_rule: field(form, 'redeemables_sorting_rule'),
  };
}

function settingsBody(c: ProjectCtx, p: Project, stacking: Stacking): Html {
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
${limitFields(p)}
<p><button type="submit">Save settings</button></p></form>
<section class="card" aria-labelledby="keys-h"><h2 id="keys-h">API keys</h2>
<p class="muted">Tessera keeps only a hash of each token, so a lost one cannot be shown again: regenerate it. The old token stops working at once; the new pair is shown once, here.</p>
<div class="actions">${postButton(c.session, `${at}/keys/server/regenerate`, 'Regenerate the server-side key', { danger: true, confirm: 'Make a new server-side key? Every application using the current one stops working until it has the new one.' })}${postButton(
    c.session,
    `${at}/keys/client/regenerate`,
    'Regenerate the client-side key',
    { secondary: true, confirm: 'Make a new client-side key? Browsers and apps using the current one stop working until they have the new one.' },
  )}</div></section>
${stackingSection(c, stacking)}`;
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
    ...Object.fromEntries(rateLimits.map(([key, id]) => [key, limitOf(form, id)])),
  };
}

/** Project settings › General: the project's name, time zone, currency, client-side switches and call limits, and its API keys. */
export function settingsRoutes(d: FastifyInstance): void {
  type P = { Params: { projectId: string; kind: string } };

  d.get<P>('/p/:projectId/settings', async (req, reply) => {
    const c = await projectCtx(req);
    const [project, stacking] = await Promise.all([
      c.api.must<Project>('GET', `/projects/${c.project.id}`),
      c.api.must<{ data: Stacking[] }>('GET', `/projects/${c.project.id}/stacking-rules`),
    ]);
    return c.render(reply, 'settings', 'General settings', settingsBody(c, project, stacking.data[0]!));
  });

  /** The record is read first: its id is what PUT takes (the same before and after the project sets its own). */
  async function stackingPath(c: ProjectCtx) {
    const { data } = await c.api.must<{ data: Stacking[] }>('GET', `/projects/${c.project.id}/stacking-rules`);
    return `/projects/${c.project.id}/stacking-rules/${encodeURIComponent(data[0]!.id)}`;
  }

  // A role that may not change settings, a value the API refuses: said on the page, nothing changed.
  d.post<P>('/p/:projectId/settings/stacking', async (req, reply) => {
    const c = await projectCtx(req);
    return c.attempt(reply, `${c.base}/settings#stacking-h`, async () => {
      await c.api.must('PUT', await stackingPath(c), stackingOf(req.body));
      return 'Stacking rules saved.';
    });
  });

  d.post<P>('/p/:projectId/settings/stacking/reset', async (req, reply) => {
    const c = await projectCtx(req);
    return c.attempt(reply, `${c.base}/settings#stacking-h`, async () => {
      await c.api.must('DELETE', await stackingPath(c));
      return 'Stacking rules are back to the defaults.';
    });
  });

  // A value the API refuses (an empty name, an unknown time zone): the form again with what was typed, and why (4xx).
  d.post<P>('/p/:projectId/settings', async (req, reply) => {
    const c = await projectCtx(req);
    const body = bodyOf(req.body);
    const r = await c.api.call<Project>('PUT', `/projects/${c.project.id}`, body);
    if (r.ok) return c.done(reply, `${c.base}/settings`, 'Settings saved.');
    if (r.status >= 500 || r.status === 401) throw new ApiRefusal(r.status, r.body);
    const [project, stacking] = await Promise.all([
      c.api.must<Project>('GET', `/projects/${c.project.id}`),
      c.api.must<{ data: Stacking[] }>('GET', `/projects/${c.project.id}/stacking-rules`),
    ]);
    const typed = { ...project, ...body, ...(field(req.body, 'timezone').trim() === '' ? {} : { timezone: field(req.body, 'timezone').trim() }) } as Project;
    const why = new ApiRefusal(r.status, r.body).message;
    return c.render(reply.code(r.status), 'settings', 'General settings', html`<div class="notice error" role="alert">${why}</div>${settingsBody(c, typed, stacking.data[0]!)}`);
  });

  d.post<P>('/p/:projectId/settings/keys/:kind/regenerate', async (req, reply) => {
    const c = await projectCtx(req);
    const kind = req.params.kind === 'server' ? 'server-side-key' : req.params.kind === 'client' ? 'client-side-key' : undefined;
    if (!kind) return c.done(reply, `${c.base}/settings`, 'There are server-side and client-side keys only.', 'error');
    let made: Record<string, { app_id: string; app_token: string }>;
    try {
      made = await c.api.must('POST', `/projects/${c.project.id}/${kind}/regenerate`);
    } catch (err) {
      const why = refusalText(err);
      if (why === undefined) throw err;
      return c.done(reply, `${c.base}/settings#keys-h`, why, 'error');
    }
    const pair = made[kind.replaceAll('-', '_')]!;
    const name = kind.replace('-key', '').replace('-', ' ');
    return c.reveal(reply, 'settings', `New ${name} key`, `New ${name} key (shown once): app id ${pair.app_id}, app token ${pair.app_token}`, `${c.base}/settings#keys-h`);
  });
}
