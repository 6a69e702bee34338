import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, type TestProject } from './helpers/app.js';
import { noBrowser, openTab, shot, signIn, startRig, type Rig } from './helpers/browser.js';
import { allSendouts, createCustomer, mgmt } from './helpers/sendouts.js';
import { startSink, type Answer, type Sink } from './helpers/sink.js';

/** The dashboard's webhook screens and the audit log, in headless Chromium, following the seed's steps. */
describe.skipIf(noBrowser)('dashboard: webhooks and the audit log', { timeout: 120_000 }, () => {
  let rig: Rig;
  let p: TestProject;
  let sink: Sink & { answer: Answer };

  beforeAll(async () => {
    rig = await startRig();
    p = await rig.t.createProject({ name: 'Shop' });
    const s = await startSink(() => s2.answer);
    const s2 = Object.assign(s, { answer: { status: 500, body: 'receiver broken' } as Answer });
    sink = s2;
  });
  afterAll(async () => {
    await sink?.close();
    await rig?.close();
  });

  it('signs in with the management credentials and shows the webhook screens with no console error', async () => {
    const tab = await openTab(rig);
    await signIn(tab);
    // Signing in lands on the first project's overview.
    expect(await tab.page.locator('h1').textContent()).toBe('Overview');
    await tab.page.goto(`/dashboard/p/${p.id}/webhooks`);
    expect(await tab.page.locator('h1').textContent()).toBe('Webhooks');
    await tab.page.goto(`/dashboard/p/${p.id}/sendouts`);
    expect(await tab.page.locator('h1').textContent()).toBe('Webhook sendouts');
    // The project switcher lists every project.
    const options = await tab.page.locator('#project-switch option').allTextContents();
    expect(options).toContain('Shop');
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('wrong credentials do not sign in', async () => {
    const tab = await openTab(rig);
    await tab.page.goto('/dashboard/sign-in');
    await tab.page.getByLabel('Management ID').fill(managementHeaders['x-management-id']);
    await tab.page.getByLabel('Management token').fill('not-the-token-at-all');
    await tab.page.getByRole('button', { name: 'Sign in with the management credentials' }).click();
    await tab.page.getByText('Wrong management ID or token.').waitFor();
    await tab.page.goto(`/dashboard/p/${p.id}/webhooks`);
    expect(new URL(tab.page.url()).pathname).toBe('/dashboard/sign-in');
    await tab.context.close();
  });

  it('adds a webhook through the form, a failing delivery appears live in the audit log, and a retry through the UI delivers it once the receiver is fixed', async () => {
    const tab = await openTab(rig);
    const { page } = tab;
    await signIn(tab);
    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    await page.getByRole('link', { name: 'Add webhook' }).click();
    await page.getByLabel('Target URL').fill(sink.url);
    await page.getByLabel('Description').fill('CRM sync');
    await page.getByLabel('Send me all events').uncheck();
    await page.getByLabel('customer.created', { exact: true }).check();
    await page.getByLabel(/Custom headers/).fill('X-Team: growth');
    await shot(page, 'webhook-form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Webhook to ${sink.url} added.`).waitFor();
    expect(await page.locator('tr[data-webhook]').count()).toBe(1);
    const hooks = (await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks`)).json().data;
    expect(hooks).toMatchObject([{ target_url: sink.url, events: ['customer.created'], active: true, description: 'CRM sync', headers: { 'X-Team': 'growth' } }]);
    await shot(page, 'webhooks');

    // The audit log is open while the event happens: the failed attempt shows up without a reload.
    await page.getByRole('link', { name: 'Audit log' }).click();
    expect(await page.locator('tr[data-sendout]').count()).toBe(0);
    await createCustomer(rig.t, p, 'ada');
    const row = page.locator('tr[data-sendout][data-status="retrying"]');
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('customer.created');
    expect(await row.locator('td').nth(4).textContent()).toBe(sink.url);
    await shot(page, 'sendouts');

    await row.getByRole('link', { name: 'Show data' }).click();
    const payload = JSON.parse((await page.getByLabel('Payload').textContent())!);
    expect(payload).toMatchObject({ type: 'customer.created', data: { customer: { source_id: 'ada' } } });
    expect(await page.locator('tbody tr').first().textContent()).toContain('500');
    expect(await page.locator('tbody tr').first().textContent()).toContain('receiver broken');
    await shot(page, 'sendout-data');

    sink.answer = { status: 200 };
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Sendout queued to be sent again now.').waitFor();
    await expect.poll(async () => {
      await page.reload();
      return page.locator('#sendout-status').textContent();
    }, { timeout: 30_000 }).toBe('sent');
    const [s] = await allSendouts(rig.t, p.id);
    expect(s.status).toBe('sent');
    expect(sink.received.filter((r) => r.headers['webhook-id'] === s.id).length).toBeGreaterThanOrEqual(2);
    expect(sink.received.at(-1)!.headers['x-team']).toBe('growth');
    // The list says how the endpoint fared over the last day.
    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    expect(await page.locator(`tr[data-webhook="${hooks[0].id}"] [data-stats]`).textContent()).toBe('Last 24 hours: 1 sent (100% delivered)');
    // From the customer's activity to the sendouts of one of its events.
    const ada = (await rig.t.app.inject({ method: 'GET', url: '/v1/customers/ada', headers: p.server })).json();
    await page.goto(`/dashboard/p/${p.id}/customers/${ada.id}`);
    await page.locator('li[data-activity="customer.created"]').getByRole('link', { name: /Webhook sendouts of customer.created/ }).click();
    expect(await page.locator('h1').textContent()).toBe('Webhook sendouts');
    expect(await page.locator('tr[data-sendout]').count()).toBe(1);
    expect(await page.locator('tr[data-sendout]').getAttribute('data-sendout')).toBe(s.id);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('filters the audit log, pages newest first, and retries all failed of an endpoint', async () => {
    const tab = await openTab(rig);
    const { page } = tab;
    await signIn(tab);
    sink.answer = { status: 500 };
    const [hook] = (await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks`)).json().data;
    const before = (await allSendouts(rig.t, p.id)).length;
    for (let i = 0; i < 22; i++) await createCustomer(rig.t, p, `bulk-${i}`);
    await expect.poll(async () => (await allSendouts(rig.t, p.id, 'status=retrying')).length, { timeout: 30_000 }).toBe(22);
    await page.goto(`/dashboard/p/${p.id}/sendouts`);
    await page.getByLabel('Status').selectOption('retrying');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tr[data-sendout][data-status="retrying"]').count()).toBe(20);
    const firstPage = await page.locator('tr[data-sendout]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sendout')));
    await page.getByRole('link', { name: 'Older »' }).click();
    expect(await page.locator('tr[data-sendout]').count()).toBe(2);
    const all = (await allSendouts(rig.t, p.id, 'status=retrying')).map((s: any) => s.id);
    expect(firstPage).toEqual(all.slice(0, 20));
    // A request id finds exactly its sendout.
    const one = (await allSendouts(rig.t, p.id, 'status=retrying'))[5];
    await page.goto(`/dashboard/p/${p.id}/sendouts`);
    await page.getByLabel('Request ID').fill(one.request_id);
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tr[data-sendout]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sendout')))).toEqual([one.id]);
    // An invalid date range is the API's refusal, shown on the page.
    await page.goto(`/dashboard/p/${p.id}/sendouts?created_from=yesterday`);
    expect(await page.getByRole('alert').textContent()).toMatch(/created_at/);

    // Retrying all failed of an endpoint covers only failed ones: exhaust them by making them fail for good.
    await rig.t.testDb.db.query(`UPDATE sendouts SET status = 'failed', next_attempt_at = NULL WHERE project_id = $1 AND status = 'retrying'`, [p.id]);
    sink.answer = { status: 200 };
    // From the audit log filtered to the webhook (the webhooks list has the same button).
    await page.goto(`/dashboard/p/${p.id}/sendouts?webhook_id=${hook.id}&status=failed`);
    expect(await page.locator('tr[data-sendout][data-status="failed"]').count()).toBe(20);
    await page.getByRole('button', { name: 'Retry all failed of this webhook' }).click();
    await page.getByText('22 failed message(s) queued again.').waitFor();
    await expect.poll(async () => (await allSendouts(rig.t, p.id, 'status=sent')).length, { timeout: 30_000 }).toBe(before + 22);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('edits, deactivates and reactivates, sends a test, reveals and rotates the secret, and deletes', async () => {
    const tab = await openTab(rig);
    const { page } = tab;
    await signIn(tab);
    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    const [hook] = (await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks`)).json().data;
    const row = page.locator(`tr[data-webhook="${hook.id}"]`);
    await row.getByRole('link', { name: /Edit webhook/ }).click();
    await page.getByLabel('Description').fill('CRM sync v2');
    await page.getByLabel('Send me all events').check();
    await page.getByLabel('tessera.endpoint.disabled', { exact: true }).check();
    await page.getByLabel(/Rate limit/).fill('25');
    await page.getByLabel(/^Filter/).fill('{"data.customer.metadata.tier": ');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The filter is not valid JSON').waitFor();
    await page.getByLabel(/^Filter/).fill('{"data.customer.metadata.tier": {"$regex": "g"}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/\$regex is not an operator/).waitFor();
    await page.getByLabel(/^Filter/).fill('{"data.customer.metadata.tier": {"$in": ["gold"]}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('saved.').waitFor();
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks/${hook.id}`)).json()).toMatchObject({
      description: 'CRM sync v2',
      events: ['*', 'tessera.endpoint.disabled'],
      rate_limit: 25,
      filter: { 'data.customer.metadata.tier': { $in: ['gold'] } },
    });
    await row.getByText('at most 25/s').waitFor();

    // Deactivating and reactivating keeps the rest of the configuration, the rate limit included.
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('deactivated.').waitFor();
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks/${hook.id}`)).json()).toMatchObject({ active: false, rate_limit: 25 });
    await row.getByRole('button', { name: 'Activate' }).click();
    await page.getByText('activated.').waitFor();
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks/${hook.id}`)).json()).toMatchObject({ active: true, rate_limit: 25, description: 'CRM sync v2', filter: { 'data.customer.metadata.tier': { $in: ['gold'] } } });

    const received = sink.received.length;
    await row.getByRole('button', { name: 'Send a test' }).click();
    await page.getByText(/Test message \(.*\) queued\./).waitFor();
    await sink.waitFor(received + 1, 30_000);

    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    expect(await page.locator('#secret-value').count()).toBe(0);
    await page.getByRole('link', { name: 'Reveal secret' }).click();
    expect(await page.locator('#secret-value').textContent()).toBe(p.webhookToken);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/keeps signing beside it for 24 hours/).first().waitFor();
    const secret = (await mgmt(rig.t, 'GET', `/projects/${p.id}/webhook-secret`)).json();
    expect(secret.previous.secret).toBe(p.webhookToken);
    expect(await page.locator('#secret-value').textContent()).toBe(secret.secret);

    // An endpoint of its own secret: ticked on the form, shown and rotated on its edit page, not the project's.
    await page.locator(`tr[data-webhook="${hook.id}"]`).getByRole('link', { name: /Edit webhook/ }).click();
    await page.getByLabel(/Sign with a secret of its own/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('saved.').waitFor();
    await page.locator(`tr[data-webhook="${hook.id}"]`).getByText('own secret').waitFor();
    await page.locator(`tr[data-webhook="${hook.id}"]`).getByRole('link', { name: /Edit webhook/ }).click();
    await page.getByRole('link', { name: 'Reveal secret' }).click();
    const own = (await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks/${hook.id}/secret`)).json();
    expect(await page.locator('#secret-value').textContent()).toBe(own.secret);
    expect(own.secret).not.toBe(secret.secret);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText("The endpoint's secret is rotated").waitFor();
    const rotated = (await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks/${hook.id}/secret`)).json();
    expect(rotated.previous.secret).toBe(own.secret);
    expect(await page.locator('#secret-value').textContent()).toBe(rotated.secret);
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}/webhook-secret`)).json().secret).toBe(secret.secret);

    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    await page.locator(`tr[data-webhook="${hook.id}"]`).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Webhook deleted.').waitFor();
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks`)).json().data).toEqual([]);
    // The two refused forms came back as 400 pages (which the browser reports); nothing else went wrong.
    expect(tab.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    expect(tab.errors).toHaveLength(2);
    await tab.context.close();
  });

  it('the overview charts the last hour of events and deliveries by status, delivery latency and failing endpoints', async () => {
    const down = await startSink(() => ({ status: 503, body: 'maintenance' }));
    try {
      const hook = (await mgmt(rig.t, 'POST', `/projects/${p.id}/webhooks`, { target_url: down.url, events: ['customer.created'] })).json();
      await createCustomer(rig.t, p, 'overview-1');
      await expect.poll(async () => (await allSendouts(rig.t, p.id, `webhook_id=${hook.id}&status=retrying`)).length, { timeout: 30_000 }).toBe(1);
      const tab = await openTab(rig);
      const { page } = tab;
      await signIn(tab);
      await page.getByRole('link', { name: 'Overview' }).click();
      const events = Number(await page.locator('#events-chart [data-total="events"]').textContent());
      // Every customer.created of this file so far (ada, 22 bulk, overview-1), and their other events.
      expect(events).toBeGreaterThanOrEqual(24);
      const sent = Number(await page.locator('#deliveries-chart [data-total="sent"]').textContent());
      expect(sent).toBe((await allSendouts(rig.t, p.id, 'status=sent')).length);
      expect(Number(await page.locator('#deliveries-chart [data-total="retrying"]').textContent())).toBe(1);
      expect(await page.locator('#latency-p50').textContent()).toMatch(/^\d+ ms$/);
      expect(await page.locator('#latency-p99').textContent()).toMatch(/^\d+ ms$/);
      const failing = page.locator(`tr[data-failing="${hook.id}"]`);
      expect(await failing.textContent()).toContain('503');
      expect(await failing.locator('td').nth(3).textContent()).toBe('1');
      await shot(page, 'overview');
      // Readable at phone width: nothing wider than the screen but the scrollable tables.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await shot(page, 'overview-phone');
      expect(tab.errors).toEqual([]);
      await tab.context.close();
      await mgmt(rig.t, 'DELETE', `/projects/${p.id}/webhooks/${hook.id}`);
    } finally {
      await down.close();
    }
  });

  it('gives a signed-out request no data, and refuses a write without the CSRF token', async () => {
    const hook = (await mgmt(rig.t, 'POST', `/projects/${p.id}/webhooks`, { target_url: sink.url, events: ['*'] })).json();
    const base = `${rig.url}/dashboard/p/${p.id}`;
    for (const path of ['/webhooks', '/webhooks?reveal=1', '/sendouts', `/webhooks/${hook.id}/edit`]) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/dashboard/sign-in');
      const text = await res.text();
      expect(text).not.toContain(sink.url);
      expect(text).not.toContain(p.webhookToken);
    }
    const rows = await fetch(`${base}/sendouts/rows`, { headers: { 'x-requested-with': 'fetch' } });
    expect(rows.status).toBe(401);
    expect(await rows.text()).toBe('Sign in first');
    const anon = await fetch(`${base}/webhooks/${hook.id}/delete`, { method: 'POST', redirect: 'manual' });
    expect(anon.status).toBe(401);

    // Signed in, but the write carries no (or a wrong) CSRF token.
    const tab = await openTab(rig);
    await signIn(tab);
    const cookie = (await tab.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await tab.context.cookies()).find((c) => c.name === 'tessera_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    for (const body of ['', '_csrf=wrong']) {
      const res = await fetch(`${base}/webhooks/${hook.id}/delete`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(res.status).toBe(403);
    }
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}/webhooks/${hook.id}`)).statusCode).toBe(200);
    // The same session reads fine, and sign-out ends it.
    expect((await fetch(`${base}/webhooks`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    await tab.page.goto(`/dashboard/p/${p.id}/webhooks`);
    await tab.page.getByRole('button', { name: 'Sign out' }).click();
    await tab.page.waitForURL(/sign-in/);
    expect((await fetch(`${base}/webhooks`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${rig.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/dashboard');
    await tab.context.close();
  });
});
