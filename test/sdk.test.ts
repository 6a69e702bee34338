import { VoucherifyClientSide, VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

/** What the SDK returns for a customer, loosely: its typings describe a union that hides `id`. */
interface Customer {
  id: string;
  source_id: string;
  name?: string;
  [key: string]: unknown;
}
type EventParams = Parameters<ReturnType<typeof VoucherifyServerSide>['events']['create']>[1];
/** The typings also demand `event`, which the SDK overwrites with its first argument anyway. */
const eventParams = (p: object) => p as unknown as EventParams;
type EventAnswer = { object: string; type: string; customer: Record<string, unknown>; metadata: Record<string, unknown> };

/** The official SDK, unchanged, pointed at Tessera with apiUrl: what users actually run. */
describe('the official @voucherify/sdk against Tessera', () => {
  let t: TestTessera;
  let p: TestProject;
  let apiUrl: string;
  let server: ReturnType<typeof VoucherifyServerSide>;

  /** Runs a call that must fail and returns what the SDK threw. */
  async function failure(call: Promise<unknown>): Promise<{ code: number; key: string; details?: string; request_id?: string; resource_type?: string; message: string }> {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    return err as never;
  }

  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    await defineSchema(t.app, p.id, 'purchase', { amount: { type: 'number', optional: false } });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = address;
    server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  });
  afterAll(() => t.close());

  it('creates, reads, updates and lists customers', async () => {
    const created = (await server.customers.create({
      source_id: 'sdk-alice',
      name: 'Alice',
      email: 'alice@example.com',
      address: { city: 'Warsaw', country: 'PL' },
      metadata: { tier: 'gold' },
    })) as unknown as Customer;
    expect(created).toMatchObject({ object: 'customer', source_id: 'sdk-alice', name: 'Alice', metadata: { tier: 'gold' } });
    expect(created.id).toMatch(/^cust_/);

    expect(await server.customers.get(created.id)).toMatchObject({ id: created.id, email: 'alice@example.com' });
    expect(await server.customers.get('sdk-alice')).toMatchObject({ id: created.id });

    const byId = await server.customers.update({ id: created.id, name: 'Alice Smith' });
    expect(byId).toMatchObject({ id: created.id, name: 'Alice Smith', email: 'alice@example.com' });
    const bySource = await server.customers.update({ source_id: 'sdk-alice', phone: '+48 600 000 000' });
    expect(bySource).toMatchObject({ id: created.id, name: 'Alice Smith', phone: '+48 600 000 000' });

    await server.customers.create({ source_id: 'sdk-bob', name: 'Bob' });
    const list = await server.customers.list({ limit: 10, order: 'created_at' });
    expect(list).toMatchObject({ object: 'list', data_ref: 'customers' });
    expect(list.customers.map((c) => c.source_id)).toEqual(['sdk-alice', 'sdk-bob']);
    expect(list.total).toBe(2);
    const filtered = await server.customers.list({ email: 'alice@example.com' } as never);
    expect(filtered.customers.map((c) => c.id)).toEqual([created.id]);
  });

  it('tracks an event server side and shows it in the activity', async () => {
    const params = eventParams({ customer: { source_id: 'sdk-alice' }, metadata: { amount: 1200 } });
    const res = (await server.events.create('purchase', params)) as unknown as EventAnswer;
    expect(res).toMatchObject({ object: 'event', type: 'purchase', metadata: { amount: 1200 } });
    expect(res.customer).toMatchObject({ source_id: 'sdk-alice', object: 'customer' });

    const activity = await server.customers.listActivity('sdk-alice', { order: 'created_at', limit: 10 } as never);
    expect(activity).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    const types = (activity.data as Array<{ type: string }>).map((a) => a.type);
    expect(types[0]).toBe('customer.created');
    expect(types.at(-1)).toBe('customer.custom_event');
    const deprecated = await server.customers.listActivities('sdk-alice');
    expect((deprecated as unknown as { data: unknown[] }).data).toHaveLength(types.length);
  });

  it('tracks an event client side from a trusted origin', async () => {
    const client = VoucherifyClientSide({
      clientApplicationId: p.client['x-client-application-id'],
      clientSecretKey: p.client['x-client-token'],
      apiUrl,
      origin: 'shop.example.com',
    });
    const res = (await client.track('purchase', { source_id: 'sdk-carol', name: 'Carol' }, { amount: 5 })) as unknown as EventAnswer;
    expect(res).toMatchObject({ object: 'event', type: 'purchase', metadata: { amount: 5 } });
    expect(res.customer).toMatchObject({ source_id: 'sdk-carol' });

    const carol = (await server.customers.get('sdk-carol')) as unknown as Customer;
    expect(carol.name).toBe('Carol');
    const activity = await server.customers.listActivity('sdk-carol', { type: 'customer.custom_event' } as never);
    const [event] = activity.data as Array<{ data: { event_source: { channel: string; api_key: { app_id: string } } } }>;
    expect(event!.data.event_source).toMatchObject({ channel: 'CLIENT_API', api_key: { app_id: p.client['x-client-application-id'] } });
  });

  it('surfaces a refused origin as a VoucherifyError 403', async () => {
    const client = VoucherifyClientSide({
      clientApplicationId: p.client['x-client-application-id'],
      clientSecretKey: p.client['x-client-token'],
      apiUrl,
      origin: 'evil.example.io',
    });
    const err = await failure(client.track('purchase', { source_id: 'sdk-mallory' }, { amount: 1 }));
    expect(err).toMatchObject({ code: 403, key: 'forbidden' });
    await expect(server.customers.get('sdk-mallory')).rejects.toMatchObject({ code: 404 });
  });

  it("surfaces Voucherify's errors with code, key, details and request_id", async () => {
    const missing = await failure(server.customers.get('sdk-nobody'));
    expect(missing).toMatchObject({ code: 404, key: 'not_found', message: 'Resource not found', resource_type: 'customer' });
    expect(missing.details).toContain('sdk-nobody');
    expect(missing.request_id).toMatch(/^v-/);

    const invalid = await failure(server.events.create('purchase', eventParams({ customer: { source_id: 'sdk-alice' }, metadata: { amount: 'lots' } })));
    expect(invalid).toMatchObject({ code: 400, key: 'metadata_validation_failed' });

    const unknownEvent = await failure(server.events.create('never_defined', eventParams({ customer: { source_id: 'sdk-alice' } })));
    expect(unknownEvent).toMatchObject({ code: 400, key: 'invalid_payload' });

    const badKey = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: 'wrong', apiUrl });
    expect(await failure(badKey.customers.list({}))).toMatchObject({ code: 401, key: 'unauthorized', message: 'Unauthorized' });
  });

  it('lists the event schemas as metadata schemas', async () => {
    const res = await server.metadataSchemas.list();
    expect(res).toMatchObject({ object: 'list', data_ref: 'schemas' });
    expect(res.schemas.map((s) => s.related_object)).toEqual(['purchase']);
    expect(await server.metadataSchemas.get('purchase')).toMatchObject({ related_object: 'purchase', object: 'metadata_schema' });
  });

  it('deletes a customer; the next read is a 404', async () => {
    const bob = (await server.customers.get('sdk-bob')) as unknown as Customer;
    expect(await server.customers.delete(bob.id)).toBeFalsy();
    expect(await failure(server.customers.get(bob.id))).toMatchObject({ code: 404, key: 'not_found' });
    expect(await failure(server.customers.delete(bob.id))).toMatchObject({ code: 404, key: 'not_found' });
    const list = await server.customers.list({});
    expect(list.customers.map((c) => c.source_id)).not.toContain('sdk-bob');
  });
});
