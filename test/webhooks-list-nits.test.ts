import { describe, expect, it } from 'vitest';
import { closeAfterEach, startTessera } from './helpers/app.js';
import { createWebhook, mgmt, privateTargets } from './helpers/sendouts.js';

const closing = closeAfterEach();

describe('webhook list paging and retry-failed dates', () => {
  it('GET webhooks takes limit and page; total counts them all; a bad limit is a 400', async () => {
    const t = closing(await startTessera({ env: privateTargets }));
    const p = await t.createProject();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createWebhook(t, p.id, `http://127.0.0.1:9/${i}`)).id);
    const all = (await mgmt(t, 'GET', `/projects/${p.id}/webhooks`)).json();
    expect(all.total).toBe(5);
    expect(all.data).toHaveLength(5);
    const first = (await mgmt(t, 'GET', `/projects/${p.id}/webhooks?limit=2`)).json();
    expect(first).toMatchObject({ total: 5 });
    expect(first.data.map((w: { id: string }) => w.id)).toEqual(all.data.slice(0, 2).map((w: { id: string }) => w.id));
    const third = (await mgmt(t, 'GET', `/projects/${p.id}/webhooks?limit=2&page=3`)).json();
    expect(third.data.map((w: { id: string }) => w.id)).toEqual(all.data.slice(4).map((w: { id: string }) => w.id));
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhooks?limit=0`)).statusCode).toBe(400);
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhooks?limit=101`)).statusCode).toBe(400);
  });

  it('retry-failed with start_date after end_date is a 400', async () => {
    const t = closing(await startTessera({ env: privateTargets }));
    const p = await t.createProject();
    const w = await createWebhook(t, p.id, 'http://127.0.0.1:9/x');
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/retry-failed`, { start_date: '2026-12-02T00:00:00Z', end_date: '2026-12-01T00:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(res.json().details).toMatch(/start_date/);
    const ok = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/retry-failed`, { start_date: '2026-12-01T00:00:00Z', end_date: '2026-12-02T00:00:00Z' });
    expect(ok.statusCode).toBe(200);
  });
});
