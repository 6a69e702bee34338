import { html, raw, type Html } from './html.js';
import type { Session } from './session.js';
import { accessNeeded, allows, type Role } from '../modules/team/index.js';

export interface ProjectRef {
  id: string;
  name: string;
}

export type Screen = 'overview' | 'campaigns' | 'redemptions' | 'publications' | 'orders' | 'products' | 'customers' | 'segments' | 'distributions' | 'sendouts' | 'bin' | 'webhooks' | 'schemas' | 'team' | 'settings' | 'account';

/** Marks the link of the page shown (an attribute: Html, so that its quotes are not escaped). */
const current = (yes: boolean) => (yes ? raw(' aria-current="page"') : '');

const screens: Array<{ id: Screen; label: string; path: string }> = [
  { id: 'overview', label: 'Overview', path: 'overview' },
  { id: 'campaigns', label: 'Campaigns', path: 'campaigns' },
  { id: 'redemptions', label: 'Redemptions', path: 'redemptions' },
  { id: 'publications', label: 'Publications', path: 'publications' },
  { id: 'orders', label: 'Orders', path: 'orders' },
  { id: 'products', label: 'Products', path: 'products' },
  { id: 'customers', label: 'Customers', path: 'customers' },
  { id: 'segments', label: 'Segments', path: 'segments' },
  { id: 'distributions', label: 'Distributions', path: 'distributions' },
  { id: 'sendouts', label: 'Audit log', path: 'sendouts' },
  { id: 'bin', label: 'Bin', path: 'bin' },
  { id: 'webhooks', label: 'Project settings', path: 'webhooks' },
];

export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
}

/** A one-button POST form (every change is a POST carrying the CSRF token). */
export function postButton(session: Session, action: string, label: string, opts: { danger?: boolean; secondary?: boolean; confirm?: string; extra?: Record<string, string> } = {}): Html {
  const cls = opts.danger ? 'danger' : opts.secondary ? 'secondary' : '';
  return html`<form method="post" action="${action}"${opts.confirm ? html` data-confirm="${opts.confirm}"` : ''}>${csrfField(session)}${Object.entries(opts.extra ?? {}).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}<button type="submit" class="${cls}">${label}</button></form>`;
}

function shell(title: string, head: Html | string, body: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Tessera</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/dashboard/assets/dashboard.css">${head}</head>
<body>${body}<script src="/dashboard/assets/dashboard.js"></script></body></html>`;
}

export function signedOutPage(title: string, body: Html): string {
  return shell(title, '', html`<header class="top"><span class="brand">Tessera</span></header><main>${body}</main>`).text;
}

export interface PageInput {
  session: Session;
  projects: ProjectRef[];
  project: ProjectRef;
  screen: Screen;
  title: string;
  body: Html;
  /** A team user's role in the project (none for management credentials, which may do everything). */
  role?: Role;
}

export function page(p: PageInput): string {
  const flash = p.session.flash;
  p.session.flash = undefined;
  const base = `/dashboard/p/${encodeURIComponent(p.project.id)}`;
  const top = html`<a class="visually-hidden" href="#content">Skip to content</a>
<header class="top"><span class="brand">Tessera</span>
<form method="get" action="/dashboard/switch"><label for="project-switch" class="visually-hidden">Project</label>
<select id="project-switch" name="project" data-autosubmit>${p.projects.map(
    (x) => html`<option value="${x.id}"${x.id === p.project.id ? ' selected' : ''}>${x.name}</option>`,
  )}</select><input type="hidden" name="screen" value="${p.screen}"><button type="submit" class="secondary">Switch</button></form>
<a href="${base}/account" aria-label="Your account">${p.session.user.kind === 'user' ? p.session.user.login : p.session.user.id}</a>
<form method="post" action="/dashboard/sign-out">${csrfField(p.session)}<button type="submit" class="secondary">Sign out</button></form></header>
<nav class="main" aria-label="Screens">${screens.map(
    (s) =>
      html`<a href="${base}/${s.path}"${current(s.id === p.screen || (s.id === 'webhooks' && (p.screen === 'schemas' || p.screen === 'team' || p.screen === 'settings')))}>${s.label}</a>`,
  )}</nav>`;
  const notice = flash ? html`<div class="notice ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</div>` : '';
  const body = withinRole(p.body, base, p.role);
  return shell(p.title, html`<meta name="csrf-token" content="${p.session.csrf}">`, html`${top}<main id="content">${notice}${body}</main>`).text;
}

/**
 * The page with the project's changes that the user's role does not allow (the same rule that refuses them when
 * posted) turned off: a form of fields stays readable with its fields and buttons disabled, a form of buttons alone
 * (Delete, Disable...) is left out; a line says so. Every change is a POST form, and HTML forms do not nest.
 */
export function withinRole(body: Html, base: string, role: Role | undefined): Html {
  if (!role) return body;
  let off = 0;
  const text = body.text.replace(/(<form method="post" action="([^"?]*)[^"]*"[^>]*>)([\s\S]*?)<\/form>/g, (form, open: string, action: string, inner: string) => {
    if (!action.startsWith(`${base}/`) && action !== base) return form;
    if (allows(role, accessNeeded('POST', action.slice(base.length)))) return form;
    off++;
    const fields = /<(textarea|select)\b|<input\b(?![^>]*type="hidden")/.test(inner);
    return fields ? `${open}<fieldset class="read-only" disabled>${inner}</fieldset></form>` : '';
  });
  if (off === 0) return body;
  return html`<p class="notice info" role="note">Your role in this project (${role}) does not allow the changes on this screen: they are turned off. A project admin can change your role.</p>${raw(text)}`;
}

/** Project settings' sub-navigation (General, Webhooks, Event schemas, Metadata schemas, Team). */
/** Audit log's two tabs: webhook sendouts and API calls. */
export function auditTabs(projectId: string, tab: 'sendouts' | 'calls'): Html {
  const base = `/dashboard/p/${encodeURIComponent(projectId)}`;
  return html`<p class="crumb">Audit log › <a href="${base}/sendouts"${current(tab === 'sendouts')}>Webhook sendouts</a> · <a href="${base}/api-calls"${current(tab === 'calls')}>API calls</a></p>`;
}

export function settingsTabs(projectId: string, tab: 'general' | 'webhooks' | 'schemas' | 'metadata' | 'team'): Html {
  const base = `/dashboard/p/${encodeURIComponent(projectId)}`;
  return html`<p class="crumb">Project settings ›
<a href="${base}/settings"${current(tab === 'general')}>General</a> ·
<a href="${base}/webhooks"${current(tab === 'webhooks')}>Webhooks</a> ·
<a href="${base}/event-schemas"${current(tab === 'schemas')}>Event schemas</a> ·
<a href="${base}/metadata-schemas"${current(tab === 'metadata')}>Metadata schemas</a> ·
<a href="${base}/team"${current(tab === 'team')}>Team</a></p>`;
}
