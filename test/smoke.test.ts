import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

describe('tracking an event end to end', () => {
  let t: TestTessera;
  let p: TestProject;
  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject();
    await defineSchema(t.app, p.id, 'review', { rating: { type: 'number', optional: false } });
  });
  afterAll(() => t.close());

  it('creates the customer, stores the event and records both activities', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: p.server,
      payload: { event: 'review', customer: { source_id: 'alice', name: 'Alice' }, metadata: { rating: 5 } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ object: 'event', type: 'review', referral: null, loyalty: null, metadata: { rating: 5 } });
    expect(body.customer).toMatchObject({ source_id: 'alice', name: 'Alice', object: 'customer' });

    const act = await t.app.inject({ method: 'GET', url: '/v1/customers/alice/activity?order=created_at', headers: p.server });
    expect(act.statusCode).toBe(200);
    expect(act.json().data.map((a: { type: string }) => a.type)).toEqual(['customer.created', 'customer.custom_event']);
    expect(act.json().data[1].group_id).toBe(res.headers['x-request-id']);
  });
});
