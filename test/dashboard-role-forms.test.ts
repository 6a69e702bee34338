import { describe, expect, it } from 'vitest';
import { html } from '../src/dashboard/html.js';
import { postButton, withinRole } from '../src/dashboard/layout.js';
import type { Session } from '../src/dashboard/session.js';

// What a team user sees of a screen's changes: those their role does not allow are turned off (forms of fields stay
// readable, disabled) or left out (forms of buttons alone), by the rule the server refuses them with.
const session = { csrf: 'token' } as Session;
const base = '/dashboard/p/proj_1';
const screen = html`<h1>Settings</h1>
<form method="post" action="${base}/settings" class="card"><input type="hidden" name="_csrf" value="t"><label>Project name <input name="name" value="Store"></label><button type="submit">Save settings</button></form>
${postButton(session, `${base}/segments/seg_1/delete`, 'Delete segment', { danger: true })}
<form method="post" action="${base}/customers?from=list"><label>Email <input name="email"></label><button type="submit">Create</button></form>
<form method="post" action="${base}/account/password"><label>Password <input name="password" type="password"></label><button type="submit">Change</button></form>
<form method="get" action="${base}/customers"><label>Search <input name="q"></label></form>`;

describe('changes a role does not allow', () => {
  it('are left as they are for management credentials and for an ADMIN', () => {
    expect(withinRole(screen, base, undefined).text).toBe(screen.text);
    expect(withinRole(screen, base, 'ADMIN').text).toBe(screen.text);
  });

  it('for a VIEWER: forms of fields are disabled but readable, button-only forms are left out, the own account and searches stay', () => {
    const out = withinRole(screen, base, 'VIEWER').text;
    expect(out).toContain('Your role in this project (VIEWER) does not allow the changes on this screen');
    expect(out).toMatch(/action="\/dashboard\/p\/proj_1\/settings" class="card"><fieldset class="read-only" disabled>.*value="Store".*<\/fieldset><\/form>/);
    expect(out).toMatch(/action="\/dashboard\/p\/proj_1\/customers\?from=list"><fieldset class="read-only" disabled>/);
    expect(out).not.toContain('Delete segment');
    expect(out).toMatch(/action="\/dashboard\/p\/proj_1\/account\/password"><label>/);
    expect(out).toContain('<form method="get" action="/dashboard/p/proj_1/customers"><label>Search');
  });

  it("for a USER: the project's settings are turned off, its data's changes stay", () => {
    const out = withinRole(screen, base, 'USER').text;
    expect(out).toContain('(USER)');
    expect(out).toMatch(/settings" class="card"><fieldset class="read-only" disabled>/);
    expect(out).toContain('Delete segment');
    expect(out).toMatch(/customers\?from=list"><label>/);
  });

  it('say nothing when the screen offers no change the role lacks', () => {
    const reading = html`<h1>Customers</h1><form method="get" action="${base}/customers"><input name="q" aria-label="Search"></form>`;
    expect(withinRole(reading, base, 'VIEWER').text).toBe(reading.text);
  });
});
