import { describe, expect, it } from 'vitest';
import { closeAfterEach, managementHeaders, startTessera } from './helpers/app.js';
import { privateTargets } from './helpers/sendouts.js';

/**
 * Custom headers and target query strings of webhooks and distributions carry receivers' credentials: a refused call
 * keeps its body in the API call log, but never their values (README: they are never logged).
 */
const closing = closeAfterEach();

describe('the API call log keeps no custom header values or target query strings', () => {
  it('of a refused distribution, nor of a refused project webhook', async () => {
    const t = closing(await startTessera({ env: privateTargets }));
    const p = await t.createProject();
    const channel = { type: 'webhook', target_url: 'https://hooks.example.com/in?sig=QUERYSECRET#FRAGSECRET', event_name: 'welcome', headers: { Authorization: 'Bearer DISTSECRET', 'X-Flow': 'FLOWSECRET' } };
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/distributions',
      headers: p.server,
      payload: { name: 'Welcome', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel, bogus: 1 },
    });
    expect(refused.statusCode).toBe(400);
    const hook = await t.app.inject({
      method: 'POST',
      url: `/management/v1/projects/${p.id}/webhooks`,
      headers: managementHeaders,
      payload: { target_url: 'https://hooks.example.com/w?token=HOOKQUERY', events: ['customer.created'], headers: { 'X-Key': 'HOOKSECRET' }, bogus: 1 },
    });
    expect(hook.statusCode).toBe(400);

    const list = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/api-calls`, headers: managementHeaders });
    expect(list.statusCode).toBe(200);
    const kept = list.json().data;
    const call = kept.find((c: { path: string }) => c.path === '/v1/distributions');
    expect(call).toBeDefined();
    const body = JSON.parse(call.request_body);
    // What the call was is still there: the header names, the target without its query.
    expect(body.channel.headers).toEqual({ Authorization: '[redacted]', 'X-Flow': '[redacted]' });
    expect(body.channel.target_url).toBe('https://hooks.example.com/in?[redacted]');
    expect(body.bogus).toBe(1);
    const text = JSON.stringify(kept);
    for (const secret of ['DISTSECRET', 'FLOWSECRET', 'QUERYSECRET', 'FRAGSECRET', 'HOOKSECRET', 'HOOKQUERY']) expect(text).not.toContain(secret);
  });
});
