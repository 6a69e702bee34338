/**
 * Publications: codes given to customers, under concurrency (a code never has two holders; join_once holds), with
 * idempotent source_ids, AUTO_UPDATE campaigns making codes on demand, the legacy GET form, the client-side publish
 * and the webhooks they cause, validated against the official schemas.
 */
import { VoucherifyClientSide, VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { driver } from './helpers/db.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await t.testDb.db.query<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}

async function campaign(body: Record<string, unknown>): Promise<any> {
  const c = await ok('POST', '/v1/campaigns', { campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'AMOUNT', amount_off: 100 } }, ...body });
  while ((await t.tessera.services.generation.step()) > 0);
  return c;
}

const publicationTypes = ['publication.succeeded', 'voucher.published'];

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, publicationTypes);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('publications', () => {
  it('publishes a code of a campaign to a customer, created on the way, with its activity', async () => {
    const c = await campaign({ name: 'Welcome', type: 'STATIC', vouchers_count: 5, voucher: { discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'WELCOME-', length: 6 } } });
    const pub = await ok('POST', '/v1/publications', { campaign: { name: 'Welcome' }, customer: { source_id: 'pub-alice', name: 'Alice', email: 'alice@example.com' }, channel: 'Email', metadata: { batch: 7 } });
    expect(pub).toMatchObject({
      object: 'publication',
      result: 'SUCCESS',
      channel: 'Email',
      metadata: { batch: 7 },
      source_id: null,
      tracking_id: 'pub-alice',
      customer: { source_id: 'pub-alice', name: 'Alice', object: 'customer' },
      voucher: { campaign: 'Welcome', campaign_id: c.id, object: 'voucher', discount: { percent_off: 10 }, publish: { count: 1 } },
    });
    expect(pub.id).toMatch(/^pub_/);
    expect(pub.voucher.code).toMatch(/^WELCOME-/);
    expect(pub.voucher.holder_id).toBe(pub.customer_id);
    expect(pub.vouchers_id).toEqual([pub.voucher.id]);
    const activity = await ok('GET', `/v1/customers/pub-alice/activity?order=created_at`);
    expect(activity.data.map((a: any) => a.type)).toEqual(['customer.created', 'customer.publication.succeeded']);

    const list = await ok('GET', '/v1/publications?customer=pub-alice');
    expect(list).toMatchObject({ object: 'list', data_ref: 'publications', total: 1, publications: [{ id: pub.id, voucher: { code: pub.voucher.code } }] });
    expect((await ok('GET', `/v1/publications?voucher=${pub.voucher.code}`)).total).toBe(1);
    expect((await ok('GET', `/v1/publications?campaign=Welcome`)).total).toBe(1);
  });

  it('40 parallel publications of a static campaign give 40 distinct codes, each to its customer', async () => {
    const c = await campaign({ name: 'Race', type: 'STATIC', vouchers_count: 60 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api('POST', '/v1/publications', { campaign: { name: 'Race' }, customer: { source_id: `race-${i}` } })),
    );
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    const codes = results.map((r) => r.json().voucher.code);
    expect(new Set(codes).size).toBe(40);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1 AND holder_id IS NOT NULL', [c.id])).toBe(40);
    expect(await count('SELECT count(DISTINCT holder_id) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(40);
    expect(await count('SELECT count(*) AS n FROM publications WHERE campaign_id = $1', [c.id])).toBe(40);
  });

  it('parallel publications of an AUTO_UPDATE campaign (codes made as they are asked) give each customer its own new code; one customer asking twice gets two', async () => {
    const c = await campaign({ name: 'Made', type: 'AUTO_UPDATE', voucher: { discount: { type: 'AMOUNT', amount_off: 5 }, code_config: { pattern: 'MADE-######', charset: '0123456789' } } });
    const who = [...Array.from({ length: 30 }, (_, i) => `made-${i}`), 'made-0'];
    const batched = async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const figure = (name: string) => Number(new RegExp(`^tessera_group_commit_batch_size_${name}\\{path="publications"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return { items: figure('sum'), transactions: figure('count') };
    };
    const before = await batched();
    const results = await Promise.all(who.map((source_id) => api('POST', '/v1/publications', { campaign: c.id, customer: { source_id } })));
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    for (const [i, r] of results.entries()) {
      expect(r.json()).toMatchObject({ object: 'publication', customer: { source_id: who[i] }, voucher: { code: expect.stringMatching(/^MADE-\d{6}$/), campaign: 'Made' } });
    }
    expect(new Set(results.map((r) => r.json().voucher.code)).size).toBe(31);
    // Every one went through the group commit; on PostgreSQL they shared transactions (PGlite's one connection
    // lets each request's reads wait for the transaction before, so its requests reach the batch one at a time).
    const after = await batched();
    expect(after.items - before.items).toBe(31);
    if (driver === 'postgres') expect(after.transactions - before.transactions).toBeLessThan(31);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(31);
    expect(await count('SELECT count(DISTINCT holder_id) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(30);
    expect(await count(`SELECT count(*) AS n FROM vouchers v JOIN customers u ON u.id = v.holder_id WHERE v.campaign_id = $1 AND u.source_id = 'made-0'`, [c.id])).toBe(2);
    expect(await count('SELECT count(*) AS n FROM publications p JOIN vouchers v ON v.id = p.vouchers->0->>\'id\' WHERE p.campaign_id = $1 AND v.holder_id = p.customer_id', [c.id])).toBe(31);
  });

  it('parallel publications beyond a static campaign\'s codes: exactly as many succeed as there are codes, the others are refused and leave no customer behind', async () => {
    const c = await campaign({ name: 'Scarce', type: 'STATIC', vouchers_count: 5 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => api('POST', '/v1/publications', { campaign: c.id, customer: { source_id: `scarce-${i}` } })));
    const okOnes = results.filter((r) => r.statusCode === 200);
    const refused = results.filter((r) => r.statusCode !== 200);
    expect(okOnes).toHaveLength(5);
    for (const r of refused) expect(r.json()).toMatchObject({ code: 400, key: 'no_voucher_suitable_for_publication' });
    expect(await count('SELECT count(*) AS n FROM publications WHERE campaign_id = $1', [c.id])).toBe(5);
    expect(await count('SELECT count(DISTINCT holder_id) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(5);
    // A refused publication rolls back the customer it would have created, as a lone request does.
    expect(await count(`SELECT count(*) AS n FROM customers WHERE source_id LIKE 'scarce-%'`, [])).toBe(5);
  });

  it('a campaign disabled, renamed or deleted is seen at once by the next publication (the campaign is cached per process)', async () => {
    const c = await campaign({ name: 'Switch', type: 'AUTO_UPDATE' });
    await ok('POST', '/v1/publications', { campaign: 'Switch', customer: { source_id: 'sw-1' } });
    await ok('POST', `/v1/campaigns/${c.id}/disable`);
    const off = await api('POST', '/v1/publications', { campaign: 'Switch', customer: { source_id: 'sw-2' } });
    expect(off.statusCode).toBe(400);
    expect(off.json().details).toMatch(/disabled/);
    await ok('POST', `/v1/campaigns/${c.id}/enable`);
    await ok('POST', '/v1/publications', { campaign: 'Switch', customer: { source_id: 'sw-2' } });
    await ok('PUT', `/v1/campaigns/${c.id}`, { name: 'Switched' });
    expect((await api('POST', '/v1/publications', { campaign: 'Switch', customer: { source_id: 'sw-3' } })).statusCode).toBe(404);
    await ok('POST', '/v1/publications', { campaign: 'Switched', customer: { source_id: 'sw-3' } });
    expect((await api('DELETE', `/v1/campaigns/${c.id}`)).statusCode).toBe(202);
    expect((await api('POST', '/v1/publications', { campaign: 'Switched', customer: { source_id: 'sw-4' } })).statusCode).toBe(404);
  });

  it('parallel publications for one customer of a join_once campaign give one code', async () => {
    const c = await campaign({ name: 'Once', type: 'AUTO_UPDATE', join_once: true, voucher: { discount: { type: 'AMOUNT', amount_off: 5 }, code_config: { pattern: 'ONCE-#####' } } });
    await ok('POST', '/v1/customers', { source_id: 'once-bob' });
    const results = await Promise.all(Array.from({ length: 12 }, () => api('POST', '/v1/publications', { campaign: 'Once', customer: { source_id: 'once-bob' } })));
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    expect(new Set(results.map((r) => r.json().voucher.code)).size).toBe(1);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM publications WHERE campaign_id = $1', [c.id])).toBe(1);
    // ?join_once=true does the same for a campaign that is not join_once.
    await campaign({ name: 'Many', type: 'AUTO_UPDATE' });
    const a = await ok('POST', '/v1/publications?join_once=true', { campaign: { name: 'Many' }, customer: { source_id: 'once-bob' } });
    const b = await ok('POST', '/v1/publications?join_once=true', { campaign: { name: 'Many' }, customer: { source_id: 'once-bob' } });
    expect(b.voucher.code).toBe(a.voucher.code);
    const third = await ok('POST', '/v1/publications', { campaign: { name: 'Many' }, customer: { source_id: 'once-bob' } });
    expect(third.voucher.code).not.toBe(a.voucher.code);
  });

  it('AUTO_UPDATE campaigns make codes on demand; a static one without codes left refuses', async () => {
    const c = await campaign({ name: 'Grow', type: 'AUTO_UPDATE', voucher: { discount: { type: 'AMOUNT', amount_off: 5 }, code_config: { prefix: 'GROW-', pattern: '##-##', charset: '0123456789' } } });
    const pub = await ok('POST', '/v1/publications', { campaign: { name: 'Grow', count: 3 }, customer: { source_id: 'grow-carol' } });
    expect(pub.vouchers).toHaveLength(3);
    for (const v of pub.vouchers) expect(v.code).toMatch(/^GROW-\d\d-\d\d$/);
    expect((await ok('GET', `/v1/campaigns/${c.id}`)).vouchers_count).toBe(3);

    await campaign({ name: 'Tiny', type: 'STATIC', vouchers_count: 1 });
    await ok('POST', '/v1/publications', { campaign: { name: 'Tiny' }, customer: { source_id: 'tiny-1' } });
    const none = await api('POST', '/v1/publications', { campaign: { name: 'Tiny' }, customer: { source_id: 'tiny-2' } });
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ key: 'no_voucher_suitable_for_publication' });
    expect(await count("SELECT count(*) AS n FROM customers WHERE source_id = 'tiny-2'", [])).toBe(0);
  });

  it('an AUTO_UPDATE campaign gives its free codes first, then makes new ones (in one request and in parallel ones)', async () => {
    const c = await campaign({ name: 'Stocked', type: 'AUTO_UPDATE', voucher: { discount: { type: 'AMOUNT', amount_off: 5 }, code_config: { pattern: 'STK-####', charset: '0123456789' } } });
    for (const code of ['STOCK-A', 'STOCK-B', 'STOCK-C']) await ok('POST', `/v1/campaigns/${c.id}/vouchers/${code}`, {});
    const pub = await ok('POST', '/v1/publications', { campaign: { name: 'Stocked', count: 4 }, customer: { source_id: 'stock-1' } });
    const codes = pub.vouchers.map((v: any) => v.code).sort();
    expect(codes.filter((x: string) => x.startsWith('STOCK-'))).toHaveLength(3);
    expect(codes.filter((x: string) => /^STK-\d{4}$/.test(x))).toHaveLength(1);
    const more = await Promise.all(Array.from({ length: 6 }, (_, i) => ok('POST', '/v1/publications', { campaign: { id: c.id }, customer: { source_id: `stock-p${i}` } })));
    expect(more.every((p: any) => /^STK-\d{4}$/.test(p.voucher.code))).toBe(true);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(10);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1 AND holder_id IS NULL', [c.id])).toBe(0);
    expect(await count('SELECT count(DISTINCT code) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(10);
  });

  it('codes an AUTO_UPDATE campaign draws that are taken in the project are drawn again', async () => {
    // 20 of the 100 codes the pattern allows exist already (standalone).
    for (let i = 0; i < 20; i++) await ok('POST', `/v1/vouchers/COL-${String(i * 5).padStart(2, '0')}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } });
    const c = await campaign({ name: 'Collide', type: 'AUTO_UPDATE', voucher: { discount: { type: 'AMOUNT', amount_off: 5 }, code_config: { pattern: 'COL-##', charset: '0123456789' } } });
    const pubs = await Promise.all(Array.from({ length: 5 }, (_, i) => ok('POST', '/v1/publications', { campaign: { id: c.id }, customer: { source_id: `col-${i}` } })));
    const codes = pubs.map((p: any) => p.voucher.code);
    expect(new Set(codes).size).toBe(5);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1', [c.id])).toBe(5);
    expect(await count("SELECT count(*) AS n FROM vouchers WHERE code LIKE 'COL-%'", [])).toBe(25);
  });

  it("skips expired and disabled codes (the code's own expiration_date, else its campaign's); none left is the exhausted answer", async () => {
    const past = '2020-01-01T00:00:00.000Z';
    const future = '2099-01-01T00:00:00.000Z';
    const codesOf = async (id: string) => (await t.testDb.db.query<{ code: string }>('SELECT code FROM vouchers WHERE campaign_id = $1 ORDER BY id', [id])).rows.map((r) => r.code);
    const refused = async (body: Record<string, unknown>) => {
      const res = await api('POST', '/v1/publications', body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'no_voucher_suitable_for_publication' });
    };
    const c = await campaign({ name: 'Lapsing', type: 'STATIC', vouchers_count: 4 });
    const [expired, disabled, ...good] = await codesOf(c.id);
    await ok('PUT', `/v1/vouchers/${expired}`, { expiration_date: past });
    await ok('POST', `/v1/vouchers/${disabled}/disable`);
    // The group-committed path (one code, no source_id) and the one-by-one path (a source_id) skip both.
    const a = await ok('POST', '/v1/publications', { campaign: { name: 'Lapsing' }, customer: { source_id: 'lapse-1' } });
    const b = await ok('POST', '/v1/publications', { campaign: { name: 'Lapsing' }, customer: { source_id: 'lapse-2' }, source_id: 'lapse-pub-2' });
    expect([a.voucher.code, b.voucher.code].sort()).toEqual([...good].sort());
    await refused({ campaign: { name: 'Lapsing' }, customer: { source_id: 'lapse-3' } });
    await refused({ campaign: { name: 'Lapsing' }, customer: { source_id: 'lapse-3' }, source_id: 'lapse-pub-3' });
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1 AND holder_id IS NOT NULL', [c.id])).toBe(2);

    // The campaign's own expiration_date has passed: only a code that sets a later one of its own is handed out.
    const old = await campaign({ name: 'Lapsed', type: 'STATIC', vouchers_count: 2, expiration_date: future });
    await ok('PUT', `/v1/campaigns/${old.id}`, { expiration_date: past });
    const [, extended] = await codesOf(old.id);
    await ok('PUT', `/v1/vouchers/${extended}`, { expiration_date: future });
    expect((await ok('POST', '/v1/publications', { campaign: { id: old.id }, customer: { source_id: 'lapsed-1' } })).voucher.code).toBe(extended);
    await refused({ campaign: { id: old.id }, customer: { source_id: 'lapsed-2' } });

    // An expired AUTO_UPDATE campaign makes no new codes.
    const grow = await campaign({ name: 'Lapsed grow', type: 'AUTO_UPDATE', expiration_date: future });
    await ok('PUT', `/v1/campaigns/${grow.id}`, { expiration_date: past });
    await refused({ campaign: { id: grow.id }, customer: { source_id: 'lapsed-3' } });
    await refused({ campaign: { id: grow.id, count: 2 }, customer: { source_id: 'lapsed-3' } });
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1', [grow.id])).toBe(0);
  });

  it('publishes a given code to one customer only, and again to the same one', async () => {
    await ok('POST', '/v1/vouchers/GIVEN-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } });
    const first = await ok('POST', '/v1/publications', { voucher: 'given-1', customer: { source_id: 'given-dan' } });
    expect(first.voucher).toMatchObject({ code: 'GIVEN-1', campaign: null });
    const other = await api('POST', '/v1/publications', { voucher: 'GIVEN-1', customer: { source_id: 'given-eve' } });
    expect(other.statusCode).toBe(400);
    expect(other.json()).toMatchObject({ key: 'voucher_already_published', resource_type: 'voucher' });
    const again = await ok('POST', '/v1/publications', { voucher: 'GIVEN-1', customer: { id: first.customer_id } });
    expect(again.voucher.publish.count).toBe(2);
  });

  it('a source_id makes a publication idempotent; reusing it for another customer is refused', async () => {
    await campaign({ name: 'Idem', type: 'AUTO_UPDATE' });
    const body = { campaign: { name: 'Idem' }, customer: { source_id: 'idem-fay' }, source_id: 'order-1001' };
    const [a, b] = await Promise.all([api('POST', '/v1/publications', body), api('POST', '/v1/publications', body)]);
    expect(a.statusCode, a.body).toBe(200);
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json().id).toBe(a.json().id);
    expect(b.json().voucher.code).toBe(a.json().voucher.code);
    expect(await count("SELECT count(*) AS n FROM publications WHERE source_id = 'order-1001'", [])).toBe(1);
    const clash = await api('POST', '/v1/publications', { ...body, customer: { source_id: 'idem-gus' } });
    expect(clash.statusCode).toBe(400);
    expect(clash.json()).toMatchObject({ key: 'duplicate_source_id' });
  });

  it('the legacy GET /v1/publications/create publishes from query parameters', async () => {
    await campaign({ name: 'Legacy', type: 'AUTO_UPDATE' });
    const res = await ok('GET', '/v1/publications/create?campaign[name]=Legacy&customer[source_id]=legacy-hal&metadata[from]=link&channel=Link');
    expect(res).toMatchObject({ channel: 'Link', metadata: { from: 'link' }, customer: { source_id: 'legacy-hal' }, voucher: { campaign: 'Legacy' } });
  });

  it('answers bad requests in the error shape', async () => {
    const cases: Array<[unknown, number, string, string?]> = [
      [{ customer: { source_id: 'x' } }, 400, 'missing_vouchers'],
      [{ voucher: 'A', campaign: 'B', customer: { source_id: 'x' } }, 400, 'missing_vouchers'],
      [{ campaign: 'Nope', customer: { source_id: 'x' } }, 404, 'not_found', 'campaign'],
      [{ voucher: 'NOPE-CODE', customer: { source_id: 'x' } }, 404, 'not_found', 'voucher'],
      [{ campaign: { name: 'Idem', count: 99 }, customer: { source_id: 'x' } }, 400, 'too_many_vouchers_requested'],
      [{ campaign: 'Idem' }, 400, 'invalid_payload'],
    ];
    for (const [body, code, key, type] of cases) {
      const res = await api('POST', '/v1/publications', body);
      expect(res.statusCode, JSON.stringify(body) + res.body).toBe(code);
      expect(res.json()).toMatchObject({ code, key, ...(type ? { resource_type: type } : {}) });
    }
  });

  it('the SDK publishes (distributions.publications) and the client-side publish works when the project allows it', async () => {
    const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
    const pub: any = await server.distributions.publications.create({ campaign: { name: 'Idem' }, customer: { source_id: 'sdk-ivy' } } as never);
    expect(pub).toMatchObject({ object: 'publication', voucher: { campaign: 'Idem' } });
    const list: any = await server.distributions.publications.list({ customer: pub.customer_id } as never);
    expect(list.publications.map((x: any) => x.id)).toEqual([pub.id]);

    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_trusted_domains: ['shop.example.com'] } });
    const client = VoucherifyClientSide({ clientApplicationId: p.client['x-client-application-id'], clientSecretKey: p.client['x-client-token'], apiUrl, origin: 'shop.example.com' });
    await expect(client.publish('Idem', { customer: { source_id: 'client-jo' } } as never)).rejects.toMatchObject({ code: 403 });
    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_publish_enabled: true } });
    const published: any = await client.publish('Idem', { customer: { source_id: 'client-jo' } } as never);
    expect(published).toMatchObject({ object: 'publication', channel: 'Voucherify.js', customer: { source_id: 'client-jo' } });
  });
});

describe('the publications list', () => {
  it('narrows by voucher type, referral codes and filters[...], and orders by code, customer or channel', async () => {
    const loyalty = await ok('POST', '/v1/loyalties', { name: 'Pub list club', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const referral = await ok('POST', '/v1/campaigns', { name: 'Pub list referral', campaign_type: 'REFERRAL_PROGRAM', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    const coupons = await campaign({ name: 'Pub list coupons' });
    const card = await ok('POST', '/v1/publications', { campaign: { id: loyalty.id }, customer: { source_id: 'pl-ann' } });
    const ref = await ok('POST', '/v1/publications', { campaign: { id: referral.id }, customer: { source_id: 'pl-ann' }, channel: 'Zapier' });
    const coupon = await ok('POST', '/v1/publications', { campaign: { id: coupons.id }, customer: { source_id: 'pl-bob' }, source_id: 'pl-src' });
    const ids = async (query: string) => (await ok('GET', `/v1/publications?limit=100&${query}`)).publications.map((x: any) => x.id);
    const mine = [card.id, ref.id, coupon.id];
    const only = async (query: string) => (await ids(query)).filter((id: string) => mine.includes(id));
    expect(await only('voucher_type=loyalty')).toEqual([card.id]);
    expect((await only('voucher_type=discount')).sort()).toEqual([ref.id, coupon.id].sort());
    expect(await only('is_referral_code=true')).toEqual([ref.id]);
    expect(await only('filters[campaign_name][conditions][$is]=Pub list coupons')).toEqual([coupon.id]);
    expect(await only(`filters[parent_object_id][conditions][$in][0]=${loyalty.id}&filters[parent_object_id][conditions][$in][1]=${referral.id}`)).toHaveLength(2);
    expect(await only('filters[source_id][conditions][$is]=pl-src')).toEqual([coupon.id]);
    expect(await only('filters[voucher_type][conditions][$is_not]=discount')).toEqual([card.id]);
    expect(await only(`filters[related_object_id][conditions][$is]=${coupon.voucher.id}`)).toEqual([coupon.id]);
    expect(await only('filters[is_referral_code][conditions][$is]=true')).toEqual([ref.id]);
    expect(await only('filters[failure_code][conditions][$is]=x')).toEqual([]);
    const byChannel = await only('order=-channel');
    expect(byChannel[0]).toBe(ref.id);
    // Ann's two by code one way, then the other: reversed (ignored, the order would be the same both times).
    const annByCode = await ids('customer=pl-ann&order=voucher_code');
    expect(annByCode).toHaveLength(2);
    expect(await ids('customer=pl-ann&order=-voucher_code')).toEqual([...annByCode].reverse());
    expect((await api('GET', '/v1/publications?filters[amount][conditions][$is]=1')).statusCode).toBe(400);
    expect((await api('GET', '/v1/publications?filters[source_id][conditions][$starts_with]=pl')).statusCode).toBe(400);
    expect((await api('GET', '/v1/publications?voucher_type=gift')).statusCode).toBe(400);
  });
});

describe.skipIf(!specPresent)('publication webhooks conform to OpenAPIWebhooks.json', () => {
  it('publication.succeeded and voucher.published validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(publicationTypes);
    const got = sink.received.map((r) => r.json);
    for (const type of publicationTypes) expect(got.map((g) => g.type)).toContain(type);
    for (const payload of got) v.check(payload);
    const one = got.find((g) => g.type === 'voucher.published')!;
    expect(one.data).toMatchObject({ customer: { object: 'customer' }, publication: { object: 'publication' }, voucher: { object: 'voucher' } });
  });

  it('customer.publication.succeeded, as the customer activity records it, validates', async () => {
    const spec = (await import('./helpers/conformance.js')).loadSpec();
    const validate = spec.compile(spec.entry('customer.publication.succeeded')!.schema_ref);
    const activity = await ok('GET', '/v1/customers/pub-alice/activity?type=customer.publication.succeeded');
    const data = activity.data[0].data;
    const ok2 = validate(data.data ?? data);
    expect(ok2, JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('publishing again to a customer who holds a join_once code', () => {
  it("records the customer's new attributes as customer.updated and re-evaluates segments (publication and loyalty program)", async () => {
    const q = await t.createProject();
    const call = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: q.server, ...(payload ? { payload } : {}) });
    const seg = (await call('POST', '/v1/segments', { name: 'Gold', type: 'auto-update', filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } } })).json();
    expect(seg.sync.status).toBe('DONE');
    const camp = await call('POST', '/v1/campaigns', { name: 'camp-j1', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', join_once: true, voucher: { discount: { type: 'AMOUNT', amount_off: 5 } } });
    expect(camp.statusCode, camp.body).toBe(200);
    const program = await call('POST', '/v1/loyalties', { name: 'Club', type: 'AUTO_UPDATE', join_once: true, voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    expect(program.statusCode, program.body).toBe(200);
    const memberOf = async (c: string) => (await call('GET', `/v1/customers/${c}/segments`)).json().data.map((s: { id: string }) => s.id);
    const activity = async (c: string) => (await call('GET', `/v1/customers/${c}/activity?limit=100`)).json().data.map((a: { type: string }) => a.type);
    const cases: Array<[string, (metadata: object) => Promise<{ statusCode: number; body: string }>]> = [
      ['c1', (metadata) => call('POST', '/v1/publications', { campaign: { name: 'camp-j1' }, customer: { source_id: 'c1', metadata } })],
      ['c2', (metadata) => call('POST', `/v1/loyalties/${program.json().id}/members`, { customer: { source_id: 'c2', metadata } })],
    ];
    for (const [c, publish] of cases) {
      const first = await publish({ tier: 'gold' });
      expect(first.statusCode, first.body).toBe(200);
      expect(await memberOf(c)).toEqual([seg.id]);
      const again = await publish({ tier: 'silver' });
      expect(again.statusCode, again.body).toBe(200);
      expect((await call('GET', `/v1/customers/${c}`)).json().metadata).toEqual({ tier: 'silver' });
      expect(await memberOf(c), c).toEqual([]);
      const types = await activity(c);
      expect(types, c).toContain('customer.updated');
      expect(types.filter((x: string) => x === 'customer.segment.left'), c).toHaveLength(1);
    }
  });
});
