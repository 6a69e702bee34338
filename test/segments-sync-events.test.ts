import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

describe('a segment still being computed', () => {
  let t: TestTessera;
  let p: TestProject;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
  const segmentEvents = async (c: string) =>
    (await t.app.inject({ method: 'GET', url: `/v1/customers/${c}/activity?limit=100`, headers: p.server })).json().data
      .map((a: { type: string }) => a.type)
      .filter((x: string) => x.startsWith('customer.segment'));

  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject();
    await post('/v1/customers', { source_id: 'early', metadata: { vip: true } });
  });
  afterAll(() => t.close());

  it('takes in customers touched meanwhile without entered events, and records them once it is done', async () => {
    const seg = (await post('/v1/segments', { name: 'VIP', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } })).json();
    expect(seg.sync.status).toBe('IN_PROGRESS');
    await post('/v1/customers', { source_id: 'during', metadata: { vip: true } });
    const members = async () => (await t.app.inject({ method: 'GET', url: `/v1/customers?segment_id=${seg.id}`, headers: p.server })).json().total;
    expect(await members()).toBe(1);
    expect(await segmentEvents('during')).toEqual([]);

    while ((await t.tessera.services.segments.syncStep()) > 0) {
      if ((await t.app.inject({ method: 'GET', url: `/v1/segments/${seg.id}`, headers: p.server })).json().sync.status === 'DONE') break;
    }
    expect(await members()).toBe(2);
    expect(await segmentEvents('early')).toEqual([]);
    await post('/v1/customers', { source_id: 'after', metadata: { vip: true } });
    expect(await segmentEvents('after')).toEqual(['customer.segment.entered']);
  });
});
