/**
 * Activity retention (TESSERA_ACTIVITY_RETENTION_DAYS): the event-log records older than the retention are deleted
 * by a job, oldest first, in steps; customers, their segments and everything else stay. Without the setting the
 * activity is kept for good and no job runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

const clock = fixedClock(new Date('2026-05-01T08:00:00Z'));
let t: TestTessera;
let p: TestProject;
const { ok } = requestsOf(() => ({ t, p }));
const day = 86_400_000;

beforeAll(async () => {
  t = await startTessera({ clock, env: { TESSERA_ACTIVITY_RETENTION_DAYS: '30' } });
  p = await t.createProject();
  await defineSchema(t.app, p.id, 'visited', {});
});
afterAll(() => t.close());

const job = () => t.tessera.services.jobs.find((j) => j.name === 'event-log.retention');
const types = async (customer: string) => (await ok('GET', `/v1/customers/${customer}/activity?limit=100`)).data.map((a: any) => a.type);

describe('activity retention', () => {
  it('deletes the records older than the retention, oldest first in steps, and keeps the customer and the rest', async () => {
    const segment = await ok('POST', '/v1/segments', { name: 'Visitors', type: 'auto-update', filter: { junction: 'and', 'metadata.visitor': { conditions: { $is: [true] } } } });
    for (let i = 0; i < 3; i++) await ok('POST', '/v1/events', { event: 'visited', customer: { source_id: `old-${i}`, metadata: { visitor: true } } });
    clock.advance(20 * day);
    await ok('POST', '/v1/events', { event: 'visited', customer: { source_id: 'old-0' } });
    const before = await types('old-0');
    expect(before.filter((x: string) => x === 'customer.custom_event')).toHaveLength(2);

    // 31 days after the first events: those go (and only those), two rows a step.
    clock.advance(11 * day);
    const step = job()!.step;
    let deleted = 0;
    for (let n = await step(2); n > 0; n = await step(2)) {
      expect(n).toBeLessThanOrEqual(2);
      deleted += n;
    }
    expect(deleted).toBeGreaterThanOrEqual(3);
    expect(await types('old-0')).toEqual(['customer.custom_event']);
    expect(await types('old-1')).toEqual([]);
    // A second run finds nothing more to delete.
    expect(await step(1000)).toBe(0);

    // The customers, their segment and the event schema stay.
    expect((await ok('GET', '/v1/customers/old-1')).source_id).toBe('old-1');
    expect((await ok('GET', `/v1/customers?segment_id=${segment.id}&limit=100`)).customers).toHaveLength(3);
    // Later records are listed and counted as before.
    await ok('POST', '/v1/events', { event: 'visited', customer: { source_id: 'old-1' } });
    expect(await types('old-1')).toEqual(['customer.custom_event']);
  });

  it('keeps activity for good when the setting is not given: no job', async () => {
    const keep = await startTessera();
    try {
      expect(keep.tessera.worker.jobs.map((j) => j.name)).not.toContain('event-log.retention');
    } finally {
      await keep.close();
    }
    expect(job()?.description).toMatch(/older than 30 days/);
  });
});
