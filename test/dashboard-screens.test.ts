import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestProject } from './helpers/app.js';
import { noBrowser, openTab, shot, signIn, startRig, type Rig, type Tab } from './helpers/browser.js';
import { mgmt } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

/** The dashboard's other screens in headless Chromium: event schemas, customers, segments, distributions. */
describe.skipIf(noBrowser)('dashboard: schemas, customers, segments, distributions', { timeout: 120_000 }, () => {
  let rig: Rig;
  let p: TestProject;
  let tab: Tab;
  let sink: Sink;

  const v1 = async (method: 'POST' | 'PUT', url: string, payload: object) => {
    const res = await rig.t.app.inject({ method, url, headers: p.server, payload });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  beforeAll(async () => {
    rig = await startRig();
    p = await rig.t.createProject({ name: 'Store' });
    sink = await startSink();
    tab = await openTab(rig);
    await signIn(tab);
  });
  afterAll(async () => {
    await sink?.close();
    await rig?.close();
  });

  it('defines an event schema, adds a property, soft-deletes and restores it', async () => {
    const { page } = tab;
    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    await page.getByRole('link', { name: 'Event schemas' }).click();
    await page.getByLabel('Event name').fill('signup');
    const create = page.getByRole('form', { name: 'New event schema' });
    await create.getByLabel('Property name').fill('plan');
    await create.getByLabel('Required').check();
    await page.getByRole('button', { name: 'Create schema' }).click();
    await page.getByText('Event schema signup created.').waitFor();
    const card = page.locator('section[data-schema="signup"]');
    const add = card.getByRole('form', { name: 'Add a property to signup' });
    await add.getByLabel('Property name').fill('visits');
    await add.getByLabel('Type').selectOption('number');
    await page.getByRole('button', { name: 'Add property' }).click();
    await page.getByText('Property visits added.').waitFor();
    const schema = async () => (await mgmt(rig.t, 'GET', `/projects/${p.id}/custom-event-schemas`)).json().data[0].schema.properties;
    expect(await schema()).toEqual({ plan: { type: 'string', optional: false }, visits: { type: 'number', optional: true } });
    await shot(page, 'event-schemas');

    await card.getByRole('button', { name: 'Delete visits' }).click();
    await page.getByText('Property visits deleted.').waitFor();
    expect((await schema()).visits.deleted).toBe(true);
    expect(await page.locator('tr[data-property="visits"] .badge').textContent()).toBe('Deleted');
    await page.locator('section[data-schema="signup"]').getByRole('button', { name: 'Restore visits' }).click();
    await page.getByText('Property visits restored.').waitFor();
    expect((await schema()).visits.deleted ?? false).toBe(false);
    expect(await page.locator('tr[data-property="visits"] .badge').textContent()).toBe('Active');
    // The schema holds: an event without its required property is refused by the API.
    const res = await rig.t.app.inject({ method: 'POST', url: '/v1/events', headers: p.server, payload: { event: 'signup', customer: { source_id: 'x' }, metadata: {} } });
    expect(res.statusCode).toBe(400);
    expect(tab.errors).toEqual([]);
  });

  it('creates a segment with the filter editor (errors shown next to the field) and a customer enters it', async () => {
    const { page } = tab;
    await page.goto(`/dashboard/p/${p.id}/segments`);
    await page.getByLabel('Name', { exact: true }).fill('Gold members');
    const filter = page.getByLabel(/^Filter/);
    await filter.fill('{"junction": "xor"}');
    await expect.poll(() => page.locator('#segment-filter-error').textContent()).toMatch(/junction/);
    await filter.fill('{"junction": "and", "metadata.plan": {"conditions": {"$is": ["gold"]}}}');
    await expect.poll(() => page.locator('#segment-filter-error').textContent()).toBe('');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByText('Segment Gold members created').waitFor();
    const row = page.locator('tr[data-segment="Gold members"]');
    expect(await row.locator('[data-members]').textContent()).toBe('0');
    await expect.poll(() => row.locator('.badge').textContent(), { timeout: 30_000 }).toBe('Computed');

    // A customer who matches enters the segment; the open list follows without a reload.
    await v1('POST', '/v1/customers', { source_id: 'grace', name: 'Grace Hopper', email: 'grace@example.com', metadata: { plan: 'gold' } });
    await expect.poll(() => row.locator('[data-members]').textContent(), { timeout: 30_000 }).toBe('1');
    await shot(page, 'segments');

    // A server-side refusal lands next to the filter field too.
    await page.getByLabel('Name', { exact: true }).fill('Broken');
    await page.getByLabel(/^Filter/).fill('{"junction": "and", "metadata.plan": {"conditions": {"$nope": [1]}}}');
    await page.getByRole('button', { name: 'Create segment' }).click();
    expect(await page.locator('#segment-filter-error').textContent()).toMatch(/\$nope/);
    // The refused form comes back as a 400, which Chromium notes in the console: that one is expected.
    expect(tab.errors.splice(0)).toEqual([expect.stringContaining('status of 400')]);
  });

  it('finds a customer and shows the profile, the segments and the activity filtered by type', async () => {
    const { page } = tab;
    await v1('POST', '/v1/events', { event: 'signup', customer: { source_id: 'grace' }, metadata: { plan: 'gold' } });
    await page.goto(`/dashboard/p/${p.id}/customers`);
    expect(await page.locator('tr[data-customer]').count()).toBe(1);
    await page.getByLabel('Search by id, source id, email or name').fill('grace');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    expect(await page.locator('#customer-segments').textContent()).toContain('Gold members');
    const types = await page.locator('#activity li').evaluateAll((els) => els.map((e) => e.getAttribute('data-activity')));
    expect(types).toEqual(expect.arrayContaining(['customer.created', 'customer.segment.entered', 'customer.custom_event']));
    await shot(page, 'customer');
    await page.getByLabel('Type').selectOption('customer.custom_event');
    await page.waitForURL(/type=customer.custom_event/);
    expect(await page.locator('#activity li').evaluateAll((els) => els.map((e) => e.getAttribute('data-activity')))).toEqual(['customer.custom_event']);
    // Search by email lists the match.
    await page.goto(`/dashboard/p/${p.id}/customers?q=${encodeURIComponent('grace@example.com')}`);
    expect(await page.locator('tr[data-customer]').count()).toBe(1);
    expect(tab.errors).toEqual([]);
  });

  it('creates, edits, pauses, resumes and sends a distribution by hand', async () => {
    const { page } = tab;
    await page.goto(`/dashboard/p/${p.id}/distributions`);
    await page.getByRole('link', { name: 'Create distribution' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome');
    await page.getByLabel('When').selectOption('manual');
    await page.getByLabel('Target URL').fill(sink.url);
    await page.getByLabel(/Event name sent/).fill('welcome.sent');
    await page.getByLabel(/Payload template/).fill('{"hello": "{{customer.name}}"}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Distribution Welcome saved.').waitFor();
    const [dist] = (await rig.t.app.inject({ method: 'GET', url: '/v1/distributions', headers: p.server })).json().data;
    expect(dist).toMatchObject({ name: 'Welcome', status: 'TO SEND', trigger: { type: 'manual' }, channel: { target_url: sink.url, event_name: 'welcome.sent', template: { hello: '{{customer.name}}' } } });

    await page.getByRole('link', { name: 'Welcome', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome v2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Distribution Welcome v2 saved.').waitFor();
    const row = page.locator('tr[data-distribution="Welcome v2"]');
    await row.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Distribution Welcome v2 paused.').waitFor();
    await page.locator('tr[data-distribution="Welcome v2"]').getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Distribution Welcome v2 resumed.').waitFor();

    const send = page.getByRole('form', { name: 'Send Welcome v2 manually' });
    await send.getByLabel('Customer (id or source id)').fill('grace');
    await send.getByRole('button', { name: 'Send manually' }).click();
    await page.getByText('1 message(s) scheduled').waitFor();
    await sink.waitFor(1, 30_000);
    expect(sink.received[0]!.json).toMatchObject({ type: 'welcome.sent', data: { hello: 'Grace Hopper' } });
    await shot(page, 'distributions');
    // A test of the saved message, for the sample customer, lands on its sendout.
    await page.locator('tr[data-distribution="Welcome v2"]').getByRole('link', { name: 'Welcome v2', exact: true }).click();
    const test = page.getByRole('form', { name: 'Send a test of Welcome v2' });
    await test.getByLabel(/E-mail address instead/).fill('me@example.com');
    await test.getByRole('button', { name: 'Send a test' }).click();
    await page.getByText('Test message queued.').waitFor();
    expect(page.url()).toMatch(/\/sendouts\/whs_/);
    await sink.waitFor(2, 30_000);
    expect(sink.received[1]!.json).toMatchObject({ type: 'welcome.sent', data: { hello: 'Test Customer' } });
    // The distribution's row links to its sendouts: the manual one and the test.
    await page.goto(`/dashboard/p/${p.id}/distributions`);
    await page.getByRole('link', { name: 'Sendouts of Welcome v2' }).click();
    await page.locator('tbody tr').nth(1).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);
    // Bad input is the API's refusal, shown on the form.
    await page.goto(`/dashboard/p/${p.id}/distributions/new`);
    await page.getByLabel('Name', { exact: true }).fill('Broken');
    await page.getByLabel('Target URL').fill(sink.url);
    await page.getByLabel(/Event name sent/).fill('x');
    await page.getByLabel(/Payload template/).fill('{not json');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/not valid JSON/);
    expect(tab.errors.splice(0)).toEqual([expect.stringContaining('status of 400')]);
  });

  it('lists campaigns, follows the code generation of a campaign, lists its vouchers and opens one', async () => {
    const { page } = tab;
    const campaign = await v1('POST', '/v1/campaigns', {
      name: 'Summer',
      campaign_type: 'DISCOUNT_COUPONS',
      type: 'STATIC',
      vouchers_count: 5,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'SUM-', pattern: '####', charset: '0123456789' } },
    });
    await page.goto(`/dashboard/p/${p.id}/campaigns`);
    await page.getByRole('link', { name: 'Summer' }).click();
    // The generation runs in the background; the page follows it without a reload.
    await expect.poll(() => page.locator('#generation-status').textContent(), { timeout: 30_000 }).toBe('DONE');
    expect(await page.locator('#generation-count').textContent()).toBe('5');
    await page.reload();
    const codes = await page.locator('tr[data-voucher]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-voucher')));
    expect(codes).toHaveLength(5);
    for (const code of codes) expect(code).toMatch(/^SUM-\d{4}$/);
    // A redemption (while the campaign is active) shows on the voucher's page and on its customer's.
    const redeemed = await v1('POST', '/v1/redemptions', { customer: { source_id: 'grace' }, order: { amount: 5000 }, redeemables: [{ object: 'voucher', id: codes[3] }] });
    const { id: redemptionId, amount } = (redeemed.redemptions as Array<{ id: string; amount: number }>)[0]!;
    expect(amount).toBe(500);
    await shot(page, 'campaign');
    // Edited: a description and an expiry (UTC); an expiry before the start is refused on the page, nothing changed.
    const summer = async () => (await rig.t.app.inject({ method: 'GET', url: `/v1/campaigns/${campaign.id}`, headers: p.server })).json();
    await page.getByText('Edit campaign').click();
    await page.getByLabel('Description').fill('Ten off all summer');
    await page.getByLabel(/^Starts/).fill('2031-06-01T00:00');
    await page.getByLabel(/^Expires/).fill('2031-05-01T00:00');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await page.getByText('The campaign must expire after it starts.').waitFor();
    expect((await summer()).description).toBeNull();
    await page.getByText('Edit campaign').click();
    await page.getByLabel('Description').fill('Ten off all summer');
    await page.getByLabel(/^Starts/).fill('');
    await page.getByLabel(/^Expires/).fill('2031-08-31T23:59');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await page.getByText('Campaign saved.').waitFor();
    expect(await summer()).toMatchObject({ description: 'Ten off all summer', start_date: null, expiration_date: '2031-08-31T23:59:00.000Z' });
    expect(await page.getByText('Ten off all summer').count()).toBeGreaterThan(0);
    // The expiry taken away again: never expires.
    await page.getByText('Edit campaign').click();
    expect(await page.getByLabel(/^Expires/).inputValue()).toBe('2031-08-31T23:59');
    await page.getByLabel(/^Expires/).fill('');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await page.getByText('Campaign saved.').waitFor();
    expect((await summer()).expiration_date).toBeNull();
    await page.getByRole('button', { name: 'Disable campaign' }).click();
    await page.getByText('Campaign disabled.').waitFor();
    expect((await rig.t.app.inject({ method: 'GET', url: `/v1/campaigns/${campaign.id}`, headers: p.server })).json().active).toBe(false);
    await page.getByRole('link', { name: codes[0]! }).click();
    expect(await page.locator('h1').textContent()).toBe(`Voucher ${codes[0]}`);
    expect(await page.locator('#redeemed').textContent()).toBe('0');
    // Finding by code opens the same page; an unknown code is a 404 page, not an error.
    await page.goto(`/dashboard/p/${p.id}/campaigns`);
    await page.getByLabel('Find a voucher by code').fill(codes[1]!);
    await page.getByRole('button', { name: 'Find' }).click();
    expect(await page.locator('h1').textContent()).toBe(`Voucher ${codes[1]}`);
    // A code published to a customer shows on the customer's page.
    await v1('POST', '/v1/publications', { customer: { source_id: 'grace' }, voucher: codes[2] });
    await page.goto(`/dashboard/p/${p.id}/customers?q=grace`);
    expect(await page.locator('#customer-vouchers').textContent()).toContain(codes[2]);
    const onCustomer = page.locator(`tr[data-redemption="${redemptionId}"]`);
    expect(await onCustomer.textContent()).toContain('SUCCEEDED');
    expect(await onCustomer.getByRole('link', { name: codes[3]! }).count()).toBe(1);
    await onCustomer.getByRole('link', { name: codes[3]! }).click();
    expect(await page.locator('#redeemed').textContent()).toBe('1');
    const onVoucher = page.locator(`tr[data-redemption="${redemptionId}"]`);
    expect(await onVoucher.textContent()).toContain('5.00');
    expect(await onVoucher.getByRole('link').textContent()).toMatch(/^cust_/);
    // A loyalty card shows with its points on the customer's page.
    const club = await v1('POST', '/v1/loyalties', { name: 'Club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'CLUB-', length: 6 } } });
    const card = await v1('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id: 'grace' } });
    await v1('POST', `/v1/loyalties/members/${card.code}/balance`, { points: 120 });
    await page.goto(`/dashboard/p/${p.id}/customers?q=grace`);
    const shown = page.locator(`#customer-cards li[data-card="${card.code}"]`);
    expect(await shown.textContent()).toMatch(/120\s+points/);
    expect(await page.locator('#customer-vouchers').textContent()).not.toContain(card.code);
    // The program's page: its earning rules, tiers and cards with their balances and holders.
    await v1('POST', `/v1/loyalties/${club.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 15 } }]);
    await v1('POST', `/v1/loyalties/${club.id}/tiers`, [{ name: 'Bronze', points: { from: 0, to: 499 } }, { name: 'Gold', points: { from: 500 } }]);
    await page.goto(`/dashboard/p/${p.id}/campaigns/${club.id}`);
    expect(await page.locator('tr[data-earning-rule]').textContent()).toMatch(/order\.paid\s*15 points\s*Yes/);
    expect(await page.locator('tr[data-tier="Gold"]').textContent()).toContain('500 and more');
    expect(await page.locator('tr[data-tier="Bronze"]').textContent()).toContain('0 – 499');
    const row = page.locator(`tr[data-voucher="${card.code}"]`);
    expect(await row.textContent()).toContain('120 points');
    expect(await row.getByRole('link', { name: /^cust_/ }).count()).toBe(1);
    const missing = await page.goto(`/dashboard/p/${p.id}/vouchers/NOPE-0000`);
    expect(missing?.status()).toBe(404);
    expect(tab.errors.splice(0)).toEqual([expect.stringContaining('status of 404')]);
  });

  it('lists every redemption on the Redemptions screen, filters them, and rolls one back from there', async () => {
    const { page } = tab;
    const make = (name: string) =>
      v1('POST', '/v1/campaigns', { name, campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 300 }, redemption: { quantity: 1 } } });
    const autumn = await make('Harvest');
    const winter = await make('Frost');
    const code = async (campaignId: string) => (await v1('POST', `/v1/campaigns/${campaignId}/vouchers`, {})).code as string;
    const [a1, a2, w1] = [await code(autumn.id), await code(autumn.id), await code(winter.id)];
    const redeem = (who: string, c: string) => rig.t.app.inject({ method: 'POST', url: '/v1/redemptions', headers: p.server, payload: { customer: { source_id: who }, order: { amount: 2000 }, redeemables: [{ object: 'voucher', id: c }] } });
    const ok1 = (await redeem('hana', a1)).json().redemptions[0];
    await redeem('ivan', a2);
    await redeem('ivan', w1);
    // A code redeemed once already: refused, and kept as a failed redemption.
    expect((await redeem('juno', a1)).statusCode).toBe(400);

    await page.goto(`/dashboard/p/${p.id}/overview`);
    await page.getByRole('link', { name: 'Redemptions', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('Redemptions');
    const all = await page.locator('tr[data-redemption]').count();
    expect(all).toBeGreaterThanOrEqual(4);
    // Failed ones, with why.
    await page.getByLabel('Result').selectOption('FAILURE');
    await page.getByRole('button', { name: 'Filter' }).click();
    const failed = page.locator('tr[data-redemption]');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toContain('FAILED');
    expect(await failed.textContent()).toContain('quantity_exceeded');
    // One campaign's, of one customer.
    await page.goto(`/dashboard/p/${p.id}/redemptions`);
    await page.getByLabel('Campaign').selectOption({ label: 'Harvest' });
    await page.getByLabel(/^Customer/).fill('ivan');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('#redemption-count').textContent()).toBe('1 redemption(s) match.');
    expect(await page.locator('tr[data-redemption]').getByRole('link', { name: a2 }).count()).toBe(1);
    // Rolled back from the list: back on the same filtered page, and the code can be redeemed again.
    await page.goto(`/dashboard/p/${p.id}/redemptions?code=${a1}&result=SUCCESS`);
    await page.getByRole('button', { name: `Roll back ${ok1.id}` }).click();
    await page.getByText(`Redemption ${ok1.id} rolled back.`).waitFor();
    expect(page.url()).toContain(`code=${a1}`);
    expect(await page.locator(`tr[data-redemption="${ok1.id}"]`).textContent()).toContain('ROLLED_BACK');
    expect((await redeem('juno', a1)).statusCode).toBe(200);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('adds codes to a campaign from its page, and redeems a code and a gift card at the counter; a used-up code is refused there', async () => {
    const { page } = tab;
    const get = async (url: string) => (await rig.t.app.inject({ method: 'GET', url, headers: p.server })).json();
    const once = await v1('POST', '/v1/campaigns', { name: 'Counter ten', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, redemption: { quantity: 1 }, code_config: { prefix: 'CT-', length: 5 } } });
    // Codes added on the campaign's page: one as typed, a taken one refused there, one made by the pattern.
    await page.goto(`/dashboard/p/${p.id}/campaigns/${once.id}`);
    await page.getByLabel(/^Add a code/).fill('COUNTER-10');
    await page.getByRole('button', { name: 'Add code' }).click();
    await page.getByText('Code COUNTER-10 added to Counter ten.').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Voucher COUNTER-10');
    await page.goto(`/dashboard/p/${p.id}/campaigns/${once.id}`);
    await page.getByLabel(/^Add a code/).fill('COUNTER-10');
    await page.getByRole('button', { name: 'Add code' }).click();
    await page.locator('.notice.error').filter({ hasText: /COUNTER-10/ }).waitFor();
    await page.getByRole('button', { name: 'Add code' }).click();
    const made = /Code (CT-[0-9A-Za-z]{5}) added/.exec((await page.getByText(/Code CT-.* added to Counter ten\./).textContent()) ?? '')![1]!;
    expect((await get(`/v1/vouchers/${made}`)).campaign_id).toBe(once.id);
    const code = 'COUNTER-10';
    expect((await get(`/v1/vouchers/${code}`)).campaign_id).toBe(once.id);
    await page.goto(`/dashboard/p/${p.id}/vouchers/${code}`);
    // Check first: a validation, nothing spent.
    await page.getByLabel(/^Order amount/).fill('80');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByText('Valid: 8.00 off, 72.00 to pay.').waitFor();
    expect(await page.locator('#redeemed').textContent()).toBe('0');
    await page.getByLabel(/^Order amount/).fill('80');
    await page.getByLabel(/^Customer source ID/).fill('quinn');
    await page.getByRole('button', { name: 'Redeem', exact: true }).click();
    await page.getByText('Redeemed: 8.00 off, 72.00 to pay.').waitFor();
    expect(await page.locator('#redeemed').textContent()).toBe('1');
    const [r] = (await get(`/v1/redemptions?voucher=${code}`)).redemptions;
    expect(r).toMatchObject({ result: 'SUCCESS', amount: 800, customer: { source_id: 'quinn' }, channel: { channel_type: 'USER' } });
    await page.getByLabel(/^Order amount/).fill('80');
    await page.getByRole('button', { name: 'Redeem', exact: true }).click();
    await page.locator('.notice.error').filter({ hasText: /quantity|redeemed/i }).waitFor();
    expect((await get(`/v1/redemptions?voucher=${code}`)).redemptions.map((x: { result: string }) => x.result).sort()).toEqual(['FAILURE', 'SUCCESS']);
    await page.getByLabel(/^Order amount/).fill('80');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.notice.error').filter({ hasText: /^Not valid: / }).waitFor();
    // A check that fails is not a failed redemption.
    expect((await get(`/v1/redemptions?voucher=${code}`)).redemptions).toHaveLength(2);

    const gifts = await v1('POST', '/v1/campaigns', { name: 'Counter gift', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 3000 } } });
    const card = (await v1('POST', `/v1/campaigns/${gifts.id}/vouchers`, {})).code as string;
    await page.goto(`/dashboard/p/${p.id}/vouchers/${card}`);
    await page.getByLabel(/^Order amount/).fill('50');
    await page.getByLabel(/^Credits to use/).fill('12.5');
    await page.getByRole('button', { name: 'Redeem', exact: true }).click();
    await page.getByText('Redeemed: 12.50 off, 37.50 to pay.').waitFor();
    expect(await page.locator('#gift-balance').textContent()).toBe('17.50');
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('adds a customer from the Customers screen; junk and a taken source ID are refused on the form', async () => {
    const { page } = tab;
    const get = async (url: string) => rig.t.app.inject({ method: 'GET', url, headers: p.server });
    await page.goto(`/dashboard/p/${p.id}/customers`);
    const fill = async (v: Record<string, string>) => {
      for (const [label, value] of Object.entries(v)) await page.getByLabel(new RegExp(`^${label}`)).fill(value);
      await page.getByRole('button', { name: 'Add customer' }).click();
    };
    await fill({ 'Source ID': 'rosa-1', Name: 'Rosa Parks', Email: 'rosa@example.com', Metadata: '{"tier": ' });
    await page.getByText('The metadata is not valid JSON').waitFor();
    expect(await page.getByLabel(/^Name/).inputValue()).toBe('Rosa Parks');
    await fill({ Metadata: '{"tier": "gold"}' });
    await page.getByText('Customer Rosa Parks added.').waitFor();
    const rosa = (await get('/v1/customers/rosa-1')).json();
    expect(rosa).toMatchObject({ source_id: 'rosa-1', name: 'Rosa Parks', email: 'rosa@example.com', metadata: { tier: 'gold' } });
    expect(page.url()).toContain(`/customers/${rosa.id}`);
    // Edited on her page: a key left out of the metadata is removed, bad JSON is refused there.
    await page.getByText('Edit customer').click();
    await page.getByLabel('Phone').fill('+48 600 100 200');
    await page.getByLabel(/^Metadata \(JSON; keys left out/).fill('{"vip": true');
    await page.getByRole('button', { name: 'Save customer' }).click();
    await page.getByText('The metadata is not valid JSON').waitFor();
    await page.getByText('Edit customer').click();
    await page.getByLabel('Phone').fill('+48 600 100 200');
    await page.getByLabel(/^Metadata \(JSON; keys left out/).fill('{"vip": true}');
    await page.getByRole('button', { name: 'Save customer' }).click();
    await page.getByText('Customer saved.').waitFor();
    expect((await get('/v1/customers/rosa-1')).json()).toMatchObject({ name: 'Rosa Parks', phone: '+48 600 100 200', metadata: { vip: true } });
    expect((await get('/v1/customers/rosa-1')).json().metadata.tier).toBeUndefined();
    // Made as the signed-in user: the customer.created activity says the dashboard.
    const activity = (await get(`/v1/customers/${rosa.id}/activity`)).json().data;
    expect(activity.find((a: { type: string }) => a.type === 'customer.created')).toBeDefined();
    await page.goto(`/dashboard/p/${p.id}/customers`);
    await fill({ 'Source ID': 'rosa-1', Name: 'Someone else' });
    await page.getByText('A customer with the source ID rosa-1 exists already.').waitFor();
    expect((await get('/v1/customers/rosa-1')).json().name).toBe('Rosa Parks');
    // Junk past the browser's own checks is a 400 page, never a 500, and makes nobody.
    const csrf = (await page.locator('meta[name=csrf-token]').getAttribute('content'))!;
    for (const form of [{ source_id: '' }, { source_id: 'rosa-2', metadata: '[1]' }, { source_id: 'rosa-2', name: 'n'.repeat(501) }, { source_id: 's'.repeat(501) }]) {
      const res = await page.request.post(`/dashboard/p/${p.id}/customers`, { form: { _csrf: csrf, ...form } });
      expect(res.status(), JSON.stringify(form)).toBe(400);
    }
    expect((await get('/v1/customers/rosa-2')).statusCode).toBe(404);

    // Deleted from their page (confirmed): back on the list, gone from the API.
    const gone = (await rig.t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'gone-1', name: 'Gone Soon' } })).json();
    await page.goto(`/dashboard/p/${p.id}/customers/${gone.id}`);
    await page.getByRole('button', { name: 'Delete customer' }).click();
    await page.getByText('Customer Gone Soon deleted.').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/p/${p.id}/customers`);
    expect((await get('/v1/customers/gone-1')).statusCode).toBe(404);
    tab.errors.splice(0);
  });

  it('lists publications newest first and filters them by campaign, customer and code', async () => {
    const { page } = tab;
    const mk = (name: string) => v1('POST', '/v1/campaigns', { name, campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    const [north, south] = [await mk('Pub north'), await mk('Pub south')];
    const publish = (campaign: string, who: string) => v1('POST', '/v1/publications', { campaign: { name: campaign }, customer: { source_id: who, name: who.toUpperCase() }, channel: 'API', source_id: `pub-${campaign}-${who}` });
    const first = await publish('Pub north', 'olga');
    await publish('Pub north', 'pavel');
    const last = await publish('Pub south', 'olga');
    await page.goto(`/dashboard/p/${p.id}/overview`);
    await page.getByRole('link', { name: 'Publications', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('Publications');
    // Newest first.
    expect(await page.locator('tr[data-publication]').first().getAttribute('data-publication')).toBe(last.id);
    await page.getByLabel('Campaign').selectOption({ label: 'Pub north' });
    await page.getByLabel(/^Customer/).fill('olga');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('#publication-count').textContent()).toBe('1 publication(s) match.');
    const row = page.locator(`tr[data-publication="${first.id}"]`);
    expect(await row.textContent()).toMatch(/Pub north\s*OLGA\s*API\s*pub-Pub north-olga/);
    await row.getByRole('link', { name: first.voucher.code }).click();
    expect(await page.locator('h1').textContent()).toBe(`Voucher ${first.voucher.code}`);
    await page.goto(`/dashboard/p/${p.id}/publications?code=${last.voucher.code}`);
    expect(await page.locator('tr[data-publication]').count()).toBe(1);
    await page.goto(`/dashboard/p/${p.id}/publications?campaign=${south.id}&customer=nobody`);
    expect(await page.locator('#publications').textContent()).toContain('No publication matches.');
    expect(north.id).not.toBe(south.id);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('lists orders and shows one with its items, totals and the redemption that discounted it', async () => {
    const { page } = tab;
    const camp = await v1('POST', '/v1/campaigns', { name: 'Order test', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } } });
    const code = (await v1('POST', `/v1/campaigns/${camp.id}/vouchers`, {})).code as string;
    const redeemed = await v1('POST', '/v1/redemptions', {
      customer: { source_id: 'lena' },
      order: { source_id: 'ORD-77', items: [{ source_id: 'tea', quantity: 2, price: 1250, product: { name: 'Green tea' } }, { source_id: 'cup', quantity: 1, price: 900 }] },
      redeemables: [{ object: 'voucher', id: code }],
    });
    const redemptionId = redeemed.redemptions[0].id as string;
    await v1('POST', '/v1/orders', { source_id: 'ORD-78', status: 'PAID', amount: 1000, customer: { source_id: 'lena' } });

    await page.goto(`/dashboard/p/${p.id}/overview`);
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('Orders');
    const rows = page.locator('tr[data-order]');
    // Newest first.
    expect(await rows.first().textContent()).toContain('ORD-78');
    const row = page.locator('tr[data-order]', { hasText: 'ORD-77' });
    expect(await row.textContent()).toMatch(/34\.00\s*5\.00\s*29\.00/);
    await row.getByRole('link', { name: 'ORD-77' }).click();
    expect(await page.locator('h1').textContent()).toBe('Order ORD-77');
    expect(await page.locator('#order-total').textContent()).toBe('29.00');
    const items = await page.locator('#order-items tbody tr').allTextContents();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatch(/Green tea\s*2\s*12\.50\s*25\.00/);
    expect(await page.locator(`tr[data-redemption="${redemptionId}"]`).getByRole('link', { name: code }).count()).toBe(1);
    expect((await page.goto(`/dashboard/p/${p.id}/orders/ord_nope`))?.status()).toBe(404);
    expect(tab.errors.splice(0)).toEqual([expect.stringContaining('status of 404')]);
  });

  it("adds rewards and tiers to a loyalty program from its page (refusals said there), a member buys a reward, one of each is taken out", async () => {
    const { page } = tab;
    const get = async (url: string) => (await rig.t.app.inject({ method: 'GET', url, headers: p.server })).json();
    const club = await v1('POST', '/v1/campaigns', { name: 'Beans Club', campaign_type: 'LOYALTY_PROGRAM', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const giftCards = await v1('POST', '/v1/campaigns', { name: 'Beans Gift', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 0 } } });
    await page.goto(`/dashboard/p/${p.id}/campaigns/${club.id}`);
    expect(await page.locator('#program-rewards').textContent()).toContain('No rewards yet.');
    await page.getByLabel('Add a reward: name').fill('Mug');
    await page.getByLabel('Price in points').fill('100');
    await page.getByLabel(/^Stock/).fill('2');
    await page.getByRole('button', { name: 'Add reward' }).click();
    await page.getByText('Reward Mug added for 100 points.').waitFor();
    // Credits of a gift campaign need their amount: refused on the page, nothing made.
    await page.getByLabel('Add a reward: name').fill('Ten credits');
    await page.getByLabel('What the reward gives').selectOption({ label: 'Credits on a gift card of Beans Gift' });
    await page.getByLabel('Price in points').fill('300');
    await page.getByRole('button', { name: 'Add reward' }).click();
    await page.getByText('Say how many credits the reward gives (more than 0).').waitFor();
    await page.getByLabel('Add a reward: name').fill('Ten credits');
    await page.getByLabel('What the reward gives').selectOption({ label: 'Credits on a gift card of Beans Gift' });
    await page.getByLabel(/^Credits or points the reward gives/).fill('10');
    await page.getByLabel('Price in points').fill('300');
    await page.getByRole('button', { name: 'Add reward' }).click();
    await page.getByText('Reward Ten credits added for 300 points.').waitFor();
    // The program's assignments, each with its reward.
    const rewardsOf = async () => {
      const assignments = (await get(`/v1/loyalties/${club.id}/rewards`)).data as Array<{ reward_id: string; parameters: { loyalty: { points: number } } }>;
      return Promise.all(assignments.map(async (a) => ({ reward: await get(`/v1/rewards/${a.reward_id}`), assignment: a })));
    };
    const byName = new Map((await rewardsOf()).map((x) => [x.reward.name as string, x]));
    expect(byName.get('Mug')).toMatchObject({ reward: { type: 'MATERIAL', stock: 2 }, assignment: { parameters: { loyalty: { points: 100 } } } });
    expect(byName.get('Ten credits')).toMatchObject({ reward: { type: 'CAMPAIGN', stock: null, parameters: { campaign: { id: giftCards.id, balance: 1000 } } }, assignment: { parameters: { loyalty: { points: 300 } } } });
    expect(await page.locator(`tr[data-reward="${byName.get('Ten credits')!.reward.id}"]`).textContent()).toContain('10.00 credits on a gift card of Beans Gift');

    // A member with 150 points buys the mug through the API; the page counts the stock down.
    const card = await v1('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id: 'kira' } });
    await v1('POST', `/v1/loyalties/members/${card.code}/balance`, { points: 150 });
    await v1('POST', `/v1/loyalties/${club.id}/members/${card.code}/redemption`, { reward: { id: byName.get('Mug')!.reward.id } });
    await page.reload();
    const mug = page.locator(`tr[data-reward="${byName.get('Mug')!.reward.id}"]`);
    expect(await mug.textContent()).toContain('1 of 2 left');
    await mug.getByRole('button', { name: 'Remove Mug' }).click();
    await page.getByText('Reward taken out of the program.').waitFor();
    expect((await rewardsOf()).map((x) => x.reward.name)).toEqual(['Ten credits']);

    // Earning rules: points per 10.00 of a paid order, and fixed points on entering a segment; a proportional rule
    // without what it is proportional to is refused on the page.
    const fans = await v1('POST', '/v1/segments', { name: 'Beans fans', type: 'auto-update', filter: { junction: 'and', 'metadata.beans': { conditions: { $is: ['yes'] } } } });
    await page.reload();
    const addRule = async (on: string, how: string, points: string, every = '', property = '') => {
      await page.getByLabel('Add a rule: when').selectOption({ label: on });
      await page.getByLabel('How many points').selectOption({ label: how });
      await page.getByLabel('Points it gives').fill(points);
      await page.getByLabel(/^Per /).fill(every);
      await page.getByLabel(/^Metadata property/).fill(property);
      await page.getByRole('button', { name: 'Add earning rule' }).click();
    };
    await addRule('an order is paid', 'so many per amount of the order', '1', '10');
    await page.getByText('Earning rule added.').waitFor();
    await addRule('the customer enters the segment Beans fans', 'a fixed number', '25');
    await page.getByText('Earning rule added.').waitFor();
    await addRule('an order is paid', "so many per unit of the event's metadata property", '1', '2');
    await page.getByText("Name the event's metadata property the points follow.").waitFor();
    const rules = (await get(`/v1/loyalties/${club.id}/earning-rules`)).data as Array<{ event: string; segment?: { id: string }; loyalty: any }>;
    expect(rules.map((r) => [r.event, r.segment?.id ?? null, r.loyalty]).sort()).toEqual([
      ['customer.segment.entered', fans.id, { type: 'FIXED', points: 25 }],
      ['order.paid', null, expect.objectContaining({ type: 'PROPORTIONAL', calculation_type: 'ORDER_AMOUNT', order: { amount: { every: 1000, points: 1 } } })],
    ]);
    expect(await page.locator('#earning-h').locator('..').textContent()).toContain('1 point(s) per 10.00 of order amount');
    // Kira enters the segment and earns its 25 points.
    await v1('PUT', `/v1/customers/${card.holder_id}`, { metadata: { beans: 'yes' } });
    await expect.poll(async () => (await get(`/v1/loyalties/members/${card.code}`)).loyalty_card.balance).toBe(75);

    // Tiers: added from the form, an overlapping one refused there, one deleted.
    const addTier = async (name: string, from: string, to: string) => {
      await page.getByLabel('Add a tier: name').fill(name);
      await page.getByLabel('From points').fill(from);
      await page.getByLabel(/^To points/).fill(to);
      await page.getByRole('button', { name: 'Add tier' }).click();
    };
    await addTier('Silver', '0', '99');
    await page.getByText('Tier Silver added.').waitFor();
    await addTier('Gold', '100', '');
    await page.getByText('Tier Gold added.').waitFor();
    await addTier('Bronze', '50', '150');
    await page.locator('[role=alert], .notice.error').filter({ hasText: /overlap/i }).first().waitFor();
    const tiers = async () => ((await get(`/v1/loyalties/${club.id}/tiers`)).data as Array<{ name: string; points: { from: number; to?: number | null } }>).map((t) => [t.name, t.points.from, t.points.to ?? null]);
    expect(await tiers()).toEqual([['Silver', 0, 99], ['Gold', 100, null]]);
    expect(await page.locator('tr[data-tier="Gold"]').textContent()).toContain('100 and more');
    // Kira's 50 points hold Silver: it stays, and why is said on the page; Gold, held by nobody, goes.
    await page.getByRole('button', { name: 'Delete tier Silver' }).click();
    await page.getByText('Loyalty tier Silver is held by 1 member of the program', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Delete tier Gold' }).click();
    await page.getByText('Tier deleted.').waitFor();
    expect(await tiers()).toEqual([['Silver', 0, 99]]);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it("adds promotion tiers on a promotion's page (a minimum order amount as the tier's rule), switches one off and deletes one", async () => {
    const { page } = tab;
    const get = async (url: string) => (await rig.t.app.inject({ method: 'GET', url, headers: p.server })).json();
    const promo = await v1('POST', '/v1/campaigns', { name: 'Tier sale', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Everyone', banner: 'Tier sale: 10% off', action: { discount: { type: 'PERCENT', percent_off: 10 } } }] } });
    const other = await v1('POST', '/v1/campaigns', { name: 'Tier sale elsewhere', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Elsewhere', action: { discount: { type: 'PERCENT', percent_off: 5 } } }] } });
    const banners = async (amount: number) => {
      const res = await rig.t.app.inject({ method: 'POST', url: '/v1/promotions/validation', headers: p.server, payload: { customer: { source_id: 'tiers-1' }, order: { amount } } });
      return ((res.json().promotions ?? []) as Array<{ banner?: string; campaign?: { id: string } }>).filter((x) => x.campaign?.id === promo.id).map((x) => x.banner).sort();
    };
    await page.goto(`/dashboard/p/${p.id}/campaigns/${promo.id}`);
    // A promotion has tiers, not codes.
    expect(await page.getByRole('heading', { name: /^Vouchers/ }).count()).toBe(0);
    expect(await page.locator('#promotion-tiers tbody tr').allTextContents()).toEqual([expect.stringMatching(/Everyone.*Tier sale: 10% off\s*10% off\s*Every order\s*1\s*0 \(0\.00 off\)\s*Active/)]);

    // A tier without its discount is refused on the page; then 5.00 off orders of 100.00 or more.
    await page.getByLabel('Add a tier: name').fill('Big baskets');
    await page.getByLabel('Discount type').selectOption('AMOUNT');
    await page.getByLabel('Percent or amount off').fill('0');
    await page.getByRole('button', { name: 'Add tier' }).click();
    await page.getByText('Give the percent or amount off (more than 0).').waitFor();
    await page.getByLabel('Add a tier: name').fill('Big baskets');
    await page.getByLabel('Discount type').selectOption('AMOUNT');
    await page.getByLabel('Percent or amount off').fill('5');
    await page.getByLabel('Minimum order amount').fill('100');
    await page.getByRole('button', { name: 'Add tier' }).click();
    await page.getByText('Tier Big baskets added.').waitFor();
    const tiers = (await get(`/v1/promotions/${promo.id}/tiers`)).tiers as Array<{ id: string; name: string; banner: string; hierarchy: number; action: unknown; validation_rule_assignments?: unknown }>;
    const big = tiers.find((t) => t.name === 'Big baskets')!;
    expect(big).toMatchObject({ banner: 'Big baskets', hierarchy: 2, action: { discount: { type: 'AMOUNT', amount_off: 500 } } });
    expect(await page.locator(`tr[data-tier="${big.id}"]`).textContent()).toMatch(/5\.00 off\s*order\.amount ≥ 100\.00\s*2/);
    expect(await banners(12_000)).toEqual(['Big baskets', 'Tier sale: 10% off']);
    expect(await banners(6_000)).toEqual(['Tier sale: 10% off']);

    // Switched off: no longer offered, and the page says so.
    const everyone = tiers.find((t) => t.name === 'Everyone')!;
    await page.getByRole('button', { name: 'Disable Everyone' }).click();
    await page.getByText('Tier Everyone disabled.').waitFor();
    expect(await page.locator(`tr[data-tier="${everyone.id}"]`).textContent()).toContain('Inactive');
    expect((await get(`/v1/promotions/tiers/${everyone.id}`)).active).toBe(false);
    expect(await banners(12_000)).toEqual(['Big baskets']);
    await page.getByRole('button', { name: 'Enable Everyone' }).click();
    await page.getByText('Tier Everyone enabled.').waitFor();
    expect(await banners(6_000)).toEqual(['Tier sale: 10% off']);

    // Another promotion's tier cannot be switched or deleted through this page's address.
    const csrf = (await page.locator('meta[name=csrf-token]').getAttribute('content'))!;
    const elsewhere = (await get(`/v1/promotions/${other.id}/tiers`)).tiers[0].id as string;
    const refused = await page.request.post(`/dashboard/p/${p.id}/campaigns/${promo.id}/promotion-tiers/${elsewhere}/delete`, { form: { _csrf: csrf } });
    expect(await refused.text()).toContain('That tier is not on this promotion.');
    expect((await get(`/v1/promotions/tiers/${elsewhere}`)).id).toBe(elsewhere);

    await page.getByRole('button', { name: 'Delete Big baskets' }).click();
    await page.getByText('Tier Big baskets deleted.').waitFor();
    expect(((await get(`/v1/promotions/${promo.id}/tiers`)).tiers as Array<{ name: string }>).map((t) => t.name)).toEqual(['Everyone']);
    expect(await banners(12_000)).toEqual(['Tier sale: 10% off']);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it("lists validation rules with what each guards; a rule's page unassigns it from one object and deletes it", async () => {
    const { page } = tab;
    const get = async (url: string) => rig.t.app.inject({ method: 'GET', url, headers: p.server });
    const camp = await v1('POST', '/v1/campaigns', { name: 'Ruled codes', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    const code = (await v1('POST', `/v1/campaigns/${camp.id}/vouchers`, {})).code as string;
    const voucherId = (await (await get(`/v1/vouchers/${code}`)).json()).id as string;
    const guarded = await v1('POST', '/v1/validation-rules', { name: 'Baskets of 30.00', rules: { '1': { name: 'order.amount', conditions: { $more_than_or_equal: [3000] } }, logic: '1' }, error: { message: 'Spend 30.00 first' } });
    const idle = await v1('POST', '/v1/validation-rules', { name: 'Idle rule', rules: { '1': { name: 'redemption.count.per_customer', conditions: { $less_than_or_equal: [2] } }, logic: '1' } });
    await v1('POST', `/v1/validation-rules/${guarded.id}/assignments`, { related_object_type: 'campaign', related_object_id: camp.id });
    await v1('POST', `/v1/validation-rules/${guarded.id}/assignments`, { related_object_type: 'voucher', related_object_id: voucherId });

    await page.goto(`/dashboard/p/${p.id}/campaigns`);
    await page.getByRole('link', { name: 'Validation rules' }).click();
    expect(await page.locator('h1').textContent()).toBe('Validation rules');
    expect(await page.locator(`tr[data-rule="${guarded.id}"]`).textContent()).toMatch(/Baskets of 30\.00\s*order\.amount ≥ 30\.00\s*Spend 30\.00 first\s*2/);
    expect(await page.locator(`tr[data-rule="${idle.id}"]`).textContent()).toMatch(/Idle rule\s*redemption\.count\.per_customer ≤ 2\s*0/);

    await page.getByRole('link', { name: 'Baskets of 30.00' }).click();
    expect(await page.locator('#rule-conditions').textContent()).toBe('order.amount ≥ 30.00');
    const rows = page.locator('#rule-assignments tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('#rule-assignments').getByRole('link', { name: camp.id }).getAttribute('href')).toBe(`/dashboard/p/${p.id}/campaigns/${camp.id}`);
    await page.getByRole('button', { name: `Unassign from ${voucherId}` }).click();
    await page.getByText('Assignment removed.').waitFor();
    const left = (await (await get(`/v1/validation-rules/${guarded.id}/assignments`)).json()).data as Array<{ related_object_id: string }>;
    expect(left.map((a) => a.related_object_id)).toEqual([camp.id]);
    // The code is no longer checked by it; the campaign still is.
    const validate = async () => (await rig.t.app.inject({ method: 'POST', url: '/v1/validations', headers: p.server, payload: { redeemables: [{ object: 'voucher', id: code }], order: { amount: 1000 } } })).json();
    expect((await validate()).valid).toBe(false);

    await page.getByRole('button', { name: 'Delete rule' }).click();
    await page.getByText('Rule Baskets of 30.00 deleted.').waitFor();
    expect(await page.locator(`tr[data-rule="${guarded.id}"]`).count()).toBe(0);
    expect((await get(`/v1/validation-rules/${guarded.id}`)).statusCode).toBe(404);
    expect((await validate()).valid).toBe(true);
    expect((await page.goto(`/dashboard/p/${p.id}/validation-rules/val_nope`))?.status()).toBe(404);
    expect(tab.errors.splice(0)).toEqual([expect.stringContaining('status of 404')]);
  });

  it("changes a project's name, currency and client-side switches in Project settings › General, regenerates its keys and sets its stacking rules", async () => {
    const { page } = tab;
    const q = await rig.t.createProject({ name: 'Settings shop' });
    await page.goto(`/dashboard/p/${q.id}/webhooks`);
    await page.getByRole('link', { name: 'General', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('General');
    expect(await page.getByLabel('Project name').inputValue()).toBe('Settings shop');
    await page.getByLabel('Project name').fill('Settings shop EU');
    await page.getByLabel(/^Currency/).fill('EUR');
    await page.getByLabel(/^Trusted domains/).fill('https://shop.example\nhttps://m.shop.example\n');
    await page.getByLabel('Validate and redeem codes').check();
    // Codes compare without case until the project asks otherwise.
    expect(await page.getByLabel('Codes are case-sensitive').isChecked()).toBe(false);
    await page.getByLabel('Codes are case-sensitive').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const project = (await mgmt(rig.t, 'GET', `/projects/${q.id}`)).json();
    expect(project).toMatchObject({ name: 'Settings shop EU', currency: 'EUR', client_trusted_domains: ['https://shop.example', 'https://m.shop.example'], client_redeem_enabled: true, client_publish_enabled: false, case_sensitive_codes: true });
    expect(await page.locator('#project-switch option:checked').textContent()).toBe('Settings shop EU');
    expect(await page.getByLabel('Validate and redeem codes').isChecked()).toBe(true);
    // Unticked is off.
    await page.getByLabel('Validate and redeem codes').uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect((await mgmt(rig.t, 'GET', `/projects/${q.id}`)).json().client_redeem_enabled).toBe(false);
    // API call limits: blank is the instance's default (none here); a limit set is answered in the API's headers.
    expect(await page.getByLabel(/^Server-side API calls at most/).inputValue()).toBe('');
    await page.getByLabel(/^Server-side API calls at most/).fill('500');
    await page.getByLabel('… per this many seconds').first().fill('3600');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect((await mgmt(rig.t, 'GET', `/projects/${q.id}`)).json()).toMatchObject({ api_rate_limit: { calls: 500, seconds: 3600 }, client_rate_limit: null });
    const limited = await rig.t.app.inject({ method: 'GET', url: '/v1/customers', headers: q.server });
    expect(limited.headers).toMatchObject({ 'x-rate-limit-limit': '500', 'x-rate-limit-remaining': '499' });
    expect(await page.getByLabel(/^Server-side API calls at most/).inputValue()).toBe('500');
    await page.getByLabel(/^Server-side API calls at most/).fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect((await mgmt(rig.t, 'GET', `/projects/${q.id}`)).json().api_rate_limit).toBeNull();
    // What the API refuses is said on the page, and nothing changes.
    const csrf = (await page.locator('meta[name=csrf-token]').getAttribute('content'))!;
    const refused = await page.request.post(`/dashboard/p/${q.id}/settings`, { form: { _csrf: csrf, name: 'Renamed', currency: 'EUROS-AND-CENTS' } });
    expect(await refused.text()).toMatch(/currency/);
    expect((await mgmt(rig.t, 'GET', `/projects/${q.id}`)).json()).toMatchObject({ name: 'Settings shop EU', currency: 'EUR' });

    // A new server-side key, shown once: the old one stops working at once.
    const customers = (headers: Record<string, string>) => rig.t.app.inject({ method: 'GET', url: '/v1/customers', headers });
    expect((await customers(q.server)).statusCode).toBe(200);
    await page.getByRole('button', { name: 'Regenerate the server-side key' }).click();
    const notice = (await page.locator('.notice.ok').textContent())!;
    const [, appId, appToken] = notice.match(/app id (\S+), app token (\S+)$/)!;
    expect((await customers(q.server)).statusCode).toBe(401);
    expect((await customers({ 'x-app-id': appId!, 'x-app-token': appToken! })).statusCode).toBe(200);
    // Shown on the answer to the change only: back on the settings, no message carries it.
    await page.getByRole('link', { name: 'Back', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('General');
    expect(await page.locator('.notice').count()).toBe(0);

    // Stacking rules: Voucherify's defaults until the project sets its own.
    const stacking = async () => (await mgmt(rig.t, 'GET', `/projects/${q.id}/stacking-rules`)).json().data[0];
    // The rules name categories the project has.
    const sale = await rig.t.app.inject({ method: 'POST', url: '/v1/categories', headers: { 'x-app-id': appId!, 'x-app-token': appToken! }, payload: { name: 'Sale', hierarchy: 1 } });
    expect(sale.statusCode, sale.body).toBe(200);
    const saleId: string = sale.json().id;
    expect(await page.getByLabel(/^Of those, applied to one order at most/).inputValue()).toBe('5');
    await page.getByLabel(/^Codes and promotions one request may name/).fill('3');
    await page.getByLabel(/^Of those, applied to one order at most/).fill('2');
    await page.getByLabel(/^Exclusive categories/).fill(`${saleId}\n`);
    await page.getByLabel('When one of them does not apply').selectOption('PARTIAL');
    await page.getByRole('button', { name: 'Save stacking rules' }).click();
    await page.getByText('Stacking rules saved.').waitFor();
    expect(await stacking()).toMatchObject({ redeemables_limit: 3, applicable_redeemables_limit: 2, applicable_exclusive_redeemables_limit: 1, exclusive_categories: [saleId], joint_categories: [], redeemables_application_mode: 'PARTIAL', redeemables_sorting_rule: 'REQUESTED_ORDER' });
    expect(await page.getByLabel('When one of them does not apply').inputValue()).toBe('PARTIAL');
    // A limit the API refuses is said on the page; the rules stay as they were.
    const tooMany = await page.request.post(`/dashboard/p/${q.id}/settings/stacking`, {
      form: { _csrf: csrf, redeemables_limit: '3', applicable_redeemables_limit: '2', applicable_redeemables_per_category_limit: '1', applicable_exclusive_redeemables_limit: '9', redeemables_application_mode: 'ALL', redeemables_sorting_rule: 'REQUESTED_ORDER' },
    });
    expect(await tooMany.text()).toMatch(/applicable_exclusive_redeemables_limit/);
    expect(await stacking()).toMatchObject({ applicable_exclusive_redeemables_limit: 1, redeemables_application_mode: 'PARTIAL' });
    await page.getByRole('button', { name: 'Back to the defaults' }).click();
    await page.getByText('Stacking rules are back to the defaults.').waitFor();
    expect(await stacking()).toMatchObject({ redeemables_limit: 30, applicable_redeemables_limit: 5, exclusive_categories: [], redeemables_application_mode: 'ALL' });
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('creates a campaign of discount codes from the form (a refusal keeps what was typed), then one of gift cards', async () => {
    const { page } = tab;
    await page.goto(`/dashboard/p/${p.id}/campaigns`);
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Winter');
    await page.getByLabel('Percent or amount off').fill('150');
    await page.getByLabel('How many codes to generate').fill('12');
    await page.getByLabel('Prefix', { exact: true }).fill('WIN-');
    await page.getByLabel('Random characters after the prefix').fill('6');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('A percent off is at most 100.').waitFor();
    expect(await page.getByLabel('Prefix', { exact: true }).inputValue()).toBe('WIN-');
    await page.getByLabel('Percent or amount off').fill('15');
    await page.getByLabel('Expires').fill('2031-01-31T23:59');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('Campaign Winter created.').waitFor();
    await expect.poll(() => page.locator('#generation-status').textContent(), { timeout: 30_000 }).toBe('DONE');
    expect(await page.locator('#generation-count').textContent()).toBe('12');
    const get = async (url: string) => (await rig.t.app.inject({ method: 'GET', url, headers: p.server })).json();
    const winter = await get('/v1/campaigns/Winter');
    expect(winter).toMatchObject({ campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 12, expiration_date: '2031-01-31T23:59:00.000Z', voucher: { discount: { type: 'PERCENT', percent_off: 15 } } });
    const codes = (await get(`/v1/vouchers?campaign_id=${winter.id}&limit=100`)).vouchers.map((x: { code: string }) => x.code);
    expect(codes).toHaveLength(12);
    for (const code of codes) expect(code).toMatch(/^WIN-[0-9A-Z]{6}$/);

    // Its codes exported to CSV from its page: the export is followed until its file is ready, then downloaded.
    await page.goto(`/dashboard/p/${p.id}/campaigns/${winter.id}`);
    await page.getByRole('button', { name: 'Export codes (CSV)' }).click();
    await page.waitForURL(/\/exports\/exp_/);
    await expect.poll(() => page.locator('#export-status').textContent(), { timeout: 30_000 }).toBe('DONE');
    const href = (await page.locator('#export-download').getAttribute('href'))!;
    const csv = await (await page.request.get(href)).text();
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([...codes].sort());

    // Validation rules on its page: a minimum order amount with its message, then taken off again.
    await page.goto(`/dashboard/p/${p.id}/campaigns/${winter.id}`);
    const validate = async (amount: number) =>
      (await rig.t.app.inject({ method: 'POST', url: '/v1/validations', headers: p.server, payload: { redeemables: [{ object: 'voucher', id: codes[0] }], order: { amount } } })).json();
    expect((await validate(4000)).valid).toBe(true);
    await page.getByLabel('Add a condition').selectOption('redemption.count.per_customer');
    await page.getByLabel('Amount or count').fill('0');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByText('Give the redemptions per customer as a whole number from 1 to 1,000,000.').waitFor();
    await page.getByLabel('Add a condition').selectOption('order.amount');
    await page.getByLabel('Amount or count').fill('50');
    await page.getByLabel('Message when refused').fill('Spend 50.00 first');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByText('Rule added: Winter: order amount at least 50.00.').waitFor();
    expect(await page.locator('#campaign-rules tbody tr').first().textContent()).toContain('order.amount ≥ 50.00');
    const refused = await validate(4000);
    expect(refused.valid).toBe(false);
    expect(JSON.stringify(refused)).toContain('Spend 50.00 first');
    expect((await validate(6000)).valid).toBe(true);
    const ruleId = (await page.locator('#campaign-rules tbody tr').first().getAttribute('data-rule'))!;
    expect((await get(`/v1/validation-rules/${ruleId}`)).name).toBe('Winter: order amount at least 50.00');
    await page.locator(`tr[data-rule="${ruleId}"]`).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Rule removed from the campaign.').waitFor();
    expect((await validate(4000)).valid).toBe(true);
    expect(await page.locator('#campaign-rules').textContent()).toContain('No rules');

    // A second campaign with the same name is refused on the form.
    await page.goto(`/dashboard/p/${p.id}/campaigns/new`);
    await page.getByLabel('Name', { exact: true }).fill('Winter');
    await page.getByLabel('Percent or amount off').fill('5');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('#form-error').waitFor();
    expect(await page.locator('#form-error').textContent()).toMatch(/Winter/);

    await page.getByLabel('Name', { exact: true }).fill('Gift cards 2031');
    await page.getByLabel('Kind').selectOption('GIFT_VOUCHERS');
    await page.getByLabel('Amount on each card').fill('25.50');
    await page.getByLabel('How many codes to generate').fill('0');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('Campaign Gift cards 2031 created.').waitFor();
    const gifts = await get('/v1/campaigns/Gift%20cards%202031');
    expect(gifts).toMatchObject({ campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 2550 } } });
    // A loyalty program from the same form; its earning rules added and deleted on its page.
    await page.goto(`/dashboard/p/${p.id}/campaigns/new`);
    await page.getByLabel('Name', { exact: true }).fill('Stars');
    await page.getByLabel('Kind').selectOption('LOYALTY_PROGRAM');
    await page.getByLabel('Points on a new card').fill('10');
    await page.getByLabel('How many codes to generate').fill('0');
    await page.getByLabel('Prefix', { exact: true }).fill('STAR-');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('Campaign Stars created.').waitFor();
    const stars = await get('/v1/loyalties/Stars');
    expect(stars).toMatchObject({ campaign_type: 'LOYALTY_PROGRAM', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 10 } } });
    await page.getByLabel('Add a rule: when').selectOption('signup');
    await page.getByLabel('Points it gives').fill('25');
    await page.getByRole('button', { name: 'Add earning rule' }).click();
    await page.getByText('Earning rule added.').waitFor();
    await page.getByLabel('Add a rule: when').selectOption('order.paid');
    await page.getByLabel('Points it gives').fill('5');
    await page.getByRole('button', { name: 'Add earning rule' }).click();
    await page.getByText('Earning rule added.').waitFor();
    const rules = (await get(`/v1/loyalties/${stars.id}/earning-rules`)).data as Array<{ id: string; event: string; loyalty: { points: number } }>;
    expect(rules.map((r) => [r.event, r.loyalty.points]).sort()).toEqual([['custom_event', 25], ['order.paid', 5]]);
    // A member earns by the rule at once: a card published to Grace, then her signup event.
    const starCard = (await rig.t.app.inject({ method: 'POST', url: `/v1/loyalties/${stars.id}/members`, headers: p.server, payload: { customer: { source_id: 'grace' } } })).json().code as string;
    await rig.t.app.inject({ method: 'POST', url: '/v1/events', headers: p.server, payload: { event: 'signup', customer: { source_id: 'grace' }, metadata: { plan: 'gold' } } });
    expect((await get(`/v1/loyalties/members/${starCard}`)).loyalty_card.balance).toBe(35);
    const signupRule = rules.find((r) => r.event === 'custom_event')!;
    await page.getByRole('button', { name: `Delete rule ${signupRule.id}` }).click();
    await page.getByText('Earning rule deleted.').waitFor();
    expect((await get(`/v1/loyalties/${stars.id}/earning-rules`)).data.map((r: { id: string }) => r.id)).not.toContain(signupRule.id);

    // A promotion (no code): 10% off orders of 50.00 or more; the minimum is a validation rule on its tier.
    await page.goto(`/dashboard/p/${p.id}/campaigns/new`);
    await page.getByLabel('Name', { exact: true }).fill('Spring sale');
    await page.getByLabel('Kind').selectOption('PROMOTION');
    await page.getByLabel('Percent or amount off').fill('10');
    await page.getByLabel('Promotion: minimum order amount').fill('50');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('Campaign Spring sale created.').waitFor();
    const offered = async (amount: number) => {
      const res = await rig.t.app.inject({ method: 'POST', url: '/v1/promotions/validation', headers: p.server, payload: { customer: { source_id: 'grace' }, order: { amount } } });
      return (res.json().promotions ?? []).map((x: { name?: string; banner?: string }) => x.banner ?? x.name);
    };
    expect(await offered(6000)).toContain('Spring sale');
    expect(await offered(4999)).not.toContain('Spring sale');
    // The same name again is refused on the form, and the rule made for it is not left behind.
    await page.goto(`/dashboard/p/${p.id}/campaigns/new`);
    await page.getByLabel('Name', { exact: true }).fill('Spring sale');
    await page.getByLabel('Kind').selectOption('PROMOTION');
    await page.getByLabel('Percent or amount off').fill('20');
    await page.getByLabel('Promotion: minimum order amount').fill('10');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('#form-error').waitFor();
    const minimumRules = (await get('/v1/validation-rules?limit=100')).data.filter((r: { name: string }) => r.name === 'Minimum order of Spring sale');
    expect(minimumRules).toHaveLength(1);

    // A referral program: a referee converts with a signup event carrying the code and gets 5.00 on a gift card;
    // the referrer gets 100 points after one referral.
    await page.goto(`/dashboard/p/${p.id}/campaigns/new`);
    await page.getByLabel('Name', { exact: true }).fill('Friends');
    await page.getByLabel('Kind').selectOption('REFERRAL_PROGRAM');
    await page.getByLabel('Percent or amount off').fill('10');
    await page.getByLabel('How many codes to generate').fill('0');
    await page.getByLabel('A referee converts when').selectOption('custom_event');
    await page.getByLabel('Custom event name').fill('signup');
    await page.getByLabel("The referee's reward from").selectOption({ label: 'Gift cards 2031 (gift card credits)' });
    await page.getByLabel("The referee's reward amount").fill('0');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText("Give the referee's reward as an amount of credits, more than 0.").waitFor();
    await page.getByLabel("The referee's reward amount").fill('5');
    await page.getByLabel('After this many referrals', { exact: true }).fill('1');
    await page.getByLabel("The referrer's reward from").selectOption({ label: 'Stars (loyalty points)' });
    await page.getByLabel("The referrer's reward amount").fill('100');
    // A second tier must come after more referrals than the first.
    await page.getByLabel('After this many referrals in all').fill('1');
    await page.getByLabel("The referrer's further reward from").selectOption({ label: 'Gift cards 2031 (gift card credits)' });
    await page.getByLabel("The referrer's further reward amount").fill('5');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('The further referrer reward comes after more referrals than the first.').waitFor();
    await page.getByLabel('After this many referrals in all').fill('3');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByText('Campaign Friends created.').waitFor();
    // Its page says its terms.
    expect(await page.locator('#referral-conversion').textContent()).toBe('When a custom event signup of the referee carries the code');
    expect(await page.locator('#referee-reward').textContent()).toBe('5.00 in credits from Gift cards 2031');
    expect(await page.locator('#referrer-rewards').textContent()).toBe('After 1 referral: 100 points from StarsAfter 3 referrals: 5.00 in credits from Gift cards 2031');
    const friends = await get('/v1/campaigns/Friends');
    expect(friends).toMatchObject({
      campaign_type: 'REFERRAL_PROGRAM',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      referral_program: {
        conversion_event_type: 'custom_event',
        custom_event: { name: 'signup' },
        referee_reward: { related_object_parent: { id: gifts.id }, type: 'GIFT_VOUCHER', amount: 500 },
        referrer_rewards: [
          { conversions: 1, reward: { related_object_parent: { id: stars.id }, type: 'LOYALTY_CARD', amount: 100 } },
          { conversions: 3, reward: { related_object_parent: { id: gifts.id }, type: 'GIFT_VOUCHER', amount: 500 } },
        ],
      },
    });
    const referralCode = (
      await rig.t.app.inject({ method: 'POST', url: '/v1/publications', headers: p.server, payload: { campaign: { name: 'Friends' }, customer: { source_id: 'ada' } } })
    ).json().voucher.code as string;
    const signup = await rig.t.app.inject({ method: 'POST', url: '/v1/events', headers: p.server, payload: { event: 'signup', customer: { source_id: 'linus' }, metadata: { plan: 'basic' }, referral: { code: referralCode } } });
    expect(signup.statusCode).toBe(200);
    const [linus, ada] = [await get('/v1/customers/linus'), await get('/v1/customers/ada')];
    const linusCards = (await get(`/v1/vouchers?campaign_id=${gifts.id}&customer=${linus.id}&limit=10`)).vouchers;
    // A new card of the campaign (25.50) with the reward on it.
    expect(linusCards.map((x: { gift: { balance: number } }) => x.gift.balance)).toEqual([2550 + 500]);
    const adaCards = (await get(`/v1/vouchers?campaign_id=${stars.id}&customer=${ada.id}&limit=10`)).vouchers;
    expect(adaCards.map((x: { loyalty_card: { balance: number } }) => x.loyalty_card.balance)).toEqual([110]);
    // The program's page counts its conversions and lists them: who referred whom, with which code.
    await page.goto(`/dashboard/p/${p.id}/campaigns/${friends.id}`);
    expect(await page.locator('#referral-total').textContent()).toBe('1');
    expect(await page.locator('#referrer-total').textContent()).toBe('1');
    expect(await page.locator(`#top-referrers tr[data-referrer="${ada.id}"]`).textContent()).toMatch(/^ada1/);
    expect(await page.locator(`#referral-conversions tr[data-referee="${linus.id}"]`).textContent()).toMatch(new RegExp(`linusada${referralCode}$`));
    await page.locator(`#referral-conversions tr[data-referee="${linus.id}"]`).getByRole('link', { name: 'linus' }).click();
    await page.waitForURL(new RegExp(`/customers/${linus.id}$`));
    // Each customer's page says it, from their side.
    expect(await page.locator('#customer-referrals').textContent()).toMatch(/^Referred by ada in Friends/);
    await page.locator('#customer-referrals').getByRole('link', { name: 'ada' }).click();
    expect(await page.locator('#customer-referrals').textContent()).toMatch(/^Referred linus in Friends/);

    // A code of the new campaign published to a customer from their page, as the signed-in user.
    const grace = await get('/v1/customers/grace');
    await page.goto(`/dashboard/p/${p.id}/customers/${grace.id}`);
    await page.getByLabel('Publish a code of').selectOption({ label: 'Winter' });
    await page.getByRole('button', { name: 'Publish' }).click();
    const flash = await page.getByText(/Code WIN-[0-9A-Z]{6} published to Grace Hopper\./).textContent();
    const code = /WIN-[0-9A-Z]{6}/.exec(flash ?? '')![0];
    expect(await page.locator('#customer-vouchers').textContent()).toContain(code);
    const held = await get(`/v1/vouchers/${code}`);
    expect(held).toMatchObject({ holder_id: grace.id, campaign_id: winter.id });
    const pubs = await get(`/v1/publications?customer=${grace.id}`);
    expect(pubs.publications.find((x: { voucher?: { code: string } }) => x.voucher?.code === code)).toMatchObject({ channel: 'USER_PORTAL' });

    // Junk in every field is refused with a 400 page, never a 500.
    const csrf = (await page.locator('meta[name=csrf-token]').getAttribute('content'))!;
    for (const junk of [
      { name: 'J1', discount_value: '10', start_date: 'yesterday' },
      { name: 'J2', discount_value: '10', vouchers_count: 'many' },
      { name: 'J3', discount_value: '10', length: '999' },
      { name: 'J4', discount_value: '1e400' },
      { name: '', discount_value: '10' },
      { name: 'J5', discount_value: '10', vouchers_count: '-1' },
      { name: 'J6', campaign_type: 'GIFT_VOUCHERS', gift_amount: 'NaN' },
      { name: 'J7', campaign_type: 'REFERRAL_PROGRAM', discount_value: '10', referee_reward_campaign: 'camp_nope', referee_reward_amount: '5' },
      { name: 'J8', campaign_type: 'REFERRAL_PROGRAM', discount_value: '10', referrer_reward_campaign: gifts.id, referrer_reward_amount: '5', referrer_conversions: '0' },
      { name: 'J9', campaign_type: 'REFERRAL_PROGRAM', discount_value: '10', conversion_event: 'x'.repeat(400), conversion: 'custom_event' },
    ]) {
      const res = await page.request.post(`/dashboard/p/${p.id}/campaigns/new`, { form: { _csrf: csrf, ...junk } });
      expect(res.status(), JSON.stringify(junk)).toBe(400);
    }
    // The refused forms came back as 400 pages (which the browser reports); nothing else went wrong.
    expect(tab.errors.splice(0).filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  it('adds and removes a loyalty card\'s points and a gift card\'s credits from their pages; more than held is refused', async () => {
    const { page } = tab;
    const get = async (url: string) => (await rig.t.app.inject({ method: 'GET', url, headers: p.server })).json();
    const club = (await get('/v1/loyalties')).campaigns.find((x: { name: string }) => x.name === 'Club');
    const card = (await get(`/v1/loyalties/${club.id}/members`)).vouchers[0].code as string;
    const before = (await get(`/v1/loyalties/members/${card}`)).loyalty_card.balance as number;
    await page.goto(`/dashboard/p/${p.id}/vouchers/${card}`);
    await page.getByLabel('Points (negative to remove)').fill('30');
    await page.locator('#balance-reason').fill('Goodwill');
    await page.getByRole('button', { name: 'Change the points' }).click();
    await page.getByText('Added 30 point(s).').waitFor();
    expect(await page.locator('#card-balance').textContent()).toBe(String(before + 30));
    await page.getByLabel('Points (negative to remove)').fill(String(-(before + 31)));
    await page.getByRole('button', { name: 'Change the points' }).click();
    await page.locator('.notice.error').waitFor();
    expect(await page.locator('#card-balance').textContent()).toBe(String(before + 30));
    const txs = (await get(`/v1/loyalties/members/${card}/transactions`)).data;
    expect(txs[0]).toMatchObject({ reason: 'Goodwill', details: { balance: { points: 30 } } });

    // A reward the card pays for is redeemed from its page: its points spent; one it cannot pay for has no button.
    const post = async (url: string, payload: object) => (await rig.t.app.inject({ method: 'POST', url, headers: p.server, payload })).json();
    const mug = await post('/v1/products', { name: 'Mug', source_id: 'mug' });
    const mugReward = await post('/v1/rewards', { name: 'Mug', type: 'MATERIAL', parameters: { product: { id: mug.id } } });
    const trip = await post('/v1/rewards', { name: 'Trip', type: 'MATERIAL', parameters: { product: { id: mug.id } } });
    await post(`/v1/loyalties/${club.id}/rewards`, { reward: mugReward.id, parameters: { loyalty: { points: 100 } } });
    await post(`/v1/loyalties/${club.id}/rewards`, { reward: trip.id, parameters: { loyalty: { points: 1_000_000 } } });
    await page.goto(`/dashboard/p/${p.id}/vouchers/${card}`);
    expect(await page.locator('#card-rewards').textContent()).toMatch(/Mug[\s\S]*100 points[\s\S]*Trip[\s\S]*1000000 points/);
    expect(await page.getByRole('button', { name: 'Redeem Trip' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Redeem Mug' }).click();
    await page.getByText('Reward redeemed.').waitFor();
    expect(await page.locator('#card-balance').textContent()).toBe(String(before + 30 - 100));
    expect((await get(`/v1/loyalties/members/${card}`)).loyalty_card.balance).toBe(before + 30 - 100);

    const gifts = (await rig.t.app.inject({ method: 'POST', url: '/v1/campaigns', headers: p.server, payload: { name: 'Gift wall', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', vouchers_count: 1, voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } } })).json();
    await expect.poll(async () => (await get(`/v1/vouchers?campaign_id=${gifts.id}`)).vouchers.length, { timeout: 30_000 }).toBe(1);
    const giftCode = (await get(`/v1/vouchers?campaign_id=${gifts.id}`)).vouchers[0].code as string;
    await page.goto(`/dashboard/p/${p.id}/vouchers/${giftCode}`);
    expect(await page.locator('#gift-balance').textContent()).toBe('10.00');
    await page.getByLabel('Amount (negative to remove; 10 is 10.00)').fill('2.50');
    await page.getByRole('button', { name: 'Change the balance' }).click();
    await page.getByText('Added 2.50 of credit.').waitFor();
    expect(await page.locator('#gift-balance').textContent()).toBe('12.50');
    expect((await get(`/v1/vouchers/${giftCode}`)).gift).toMatchObject({ balance: 1250 });
    await page.getByLabel('Amount (negative to remove; 10 is 10.00)').fill('-20');
    await page.getByRole('button', { name: 'Change the balance' }).click();
    await page.locator('.notice.error').waitFor();
    expect((await get(`/v1/vouchers/${giftCode}`)).gift).toMatchObject({ balance: 1250 });

    // A redemption rolled back from the voucher's page: the code is free again; a second rollback is refused.
    const redeemed = (await rig.t.app.inject({ method: 'POST', url: '/v1/redemptions', headers: p.server, payload: { customer: { source_id: 'grace' }, order: { amount: 3000 }, redeemables: [{ object: 'voucher', id: giftCode, gift: { credits: 500 } }] } })).json();
    const redemptionId = redeemed.redemptions[0].id as string;
    expect((await get(`/v1/vouchers/${giftCode}`)).gift).toMatchObject({ balance: 750 });
    await page.goto(`/dashboard/p/${p.id}/vouchers/${giftCode}`);
    await page.getByRole('button', { name: `Roll back ${redemptionId}` }).click();
    await page.getByText(`Redemption ${redemptionId} rolled back.`).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/p/${p.id}/vouchers/${giftCode}`);
    expect((await get(`/v1/redemptions/${redemptionId}`)).status).toBe('ROLLED_BACK');
    expect((await get(`/v1/vouchers/${giftCode}`)).gift).toMatchObject({ balance: 1250 });
    expect(await page.locator(`tr[data-redemption="${redemptionId}"]`).textContent()).toContain('ROLLED_BACK');
    expect(await page.getByRole('button', { name: `Roll back ${redemptionId}` }).count()).toBe(0);

    // A code disabled from its page is refused at redemption, then enabled again.
    await page.getByRole('button', { name: 'Disable voucher' }).click();
    await page.getByText(`Voucher ${giftCode} disabled.`).waitFor();
    expect((await get(`/v1/vouchers/${giftCode}`)).active).toBe(false);
    const refused = await rig.t.app.inject({ method: 'POST', url: '/v1/redemptions', headers: p.server, payload: { customer: { source_id: 'grace' }, order: { amount: 3000 }, redeemables: [{ object: 'voucher', id: giftCode, gift: { credits: 100 } }] } });
    expect(refused.statusCode).toBe(400);
    await page.getByRole('button', { name: 'Enable voucher' }).click();
    await page.getByText(`Voucher ${giftCode} enabled.`).waitFor();
    expect((await get(`/v1/vouchers/${giftCode}`)).active).toBe(true);

    // The campaign's figures, all time and over the chosen days: what its cards started with, got and gave.
    await page.goto(`/dashboard/p/${p.id}/campaigns/${gifts.id}`);
    const figure = async (label: string) => (await page.locator('#campaign-figures tr', { has: page.getByRole('rowheader', { name: label, exact: true }) }).textContent())!.replace(label, '');
    // The redemption refused while the code was disabled counts as failed.
    expect(await figure('Redemptions (succeeded / failed)')).toBe('1 / 11 / 1');
    expect(await figure('Rollbacks')).toBe('11');
    expect(await figure('Credits on new cards')).toBe('10.0010.00');
    expect(await figure('Credits added')).toBe('2.502.50');
    expect(await figure('Credits redeemed')).toBe('5.005.00');
    expect(await figure('Credits given back')).toBe('5.005.00');
    // A period before anything happened: all time keeps the figures, the period has none; junk is said, not refused.
    await page.getByLabel('From (UTC day)').fill('2020-01-01');
    await page.getByLabel('To (UTC day, counted)').fill('2020-01-31');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/from=2020-01-01/);
    expect(await figure('Credits added')).toBe('2.500.00');
    const junk = await page.goto(`/dashboard/p/${p.id}/campaigns/${gifts.id}?from=2020-02-30&to=x`);
    expect(junk?.status()).toBe(200);
    await page.getByText('Choose two days from 0001-01-01 to 9999-12-30, the first not after the second.').waitFor();
    expect(await figure('Credits added')).toBe('2.50—');

    // The overview counts redemptions per minute by result: one more of each shows.
    const totals = async () => {
      await page.goto(`/dashboard/p/${p.id}/overview`);
      return Promise.all(['succeeded', 'failed'].map(async (k) => Number(await page.locator(`#redemptions-chart [data-total="${k}"]`).textContent())));
    };
    const [ok0, failed0] = await totals();
    expect(ok0).toBeGreaterThan(0);
    const redeem = (credits: number) => rig.t.app.inject({ method: 'POST', url: '/v1/redemptions', headers: p.server, payload: { customer: { source_id: 'grace' }, order: { amount: 100_000 }, redeemables: [{ object: 'voucher', id: giftCode, gift: { credits } }] } });
    expect((await redeem(100)).statusCode).toBe(200);
    expect((await redeem(1_000_000)).statusCode).toBe(400);
    expect(await totals()).toEqual([ok0 + 1, failed0 + 1]);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it("shows a card's transactions, pending points (added now or canceled there) and the points that will expire", async () => {
    const { page } = tab;
    const ok = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await rig.t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };
    expect((await mgmt(rig.t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: 'hist_visit', schema: { properties: {} } })).statusCode).toBe(200);
    const program = await ok('POST', '/v1/loyalties', { name: 'History club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 2, rounding_type: 'END_OF_MONTH' } }, code_config: { prefix: 'HIST-', length: 6 } } });
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [
      { event: 'order.paid', loyalty: { type: 'FIXED', points: 25 }, pending_points: { period_type: 'DAY', period_value: 30 } },
      { event: 'hist_visit', loyalty: { type: 'FIXED', points: 70 }, source: { banner: 'Visit bonus' } },
    ]);
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'hist-ann' } })).code as string;
    for (const n of [1, 2]) await ok('POST', '/v1/orders', { source_id: `hist-${n}`, amount: 1000, status: 'PAID', customer: { source_id: 'hist-ann' } });
    await ok('POST', '/v1/events', { event: 'hist_visit', customer: { source_id: 'hist-ann' } });
    const [first, second] = (await ok('GET', `/v1/loyalties/members/${code}/pending-points?order=created_at`)).data as Array<{ id: string }>;
    const bucket = (await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`)).data[0];

    await page.goto(`/dashboard/p/${p.id}/vouchers/${code}`);
    expect(await page.locator('#card-transactions tbody tr').count()).toBe(1);
    expect(await page.locator('#card-transactions tbody tr').first().textContent()).toMatch(/Earned\s*\+70\s*70\s*earning rule Visit bonus/);
    expect(await page.locator('#card-pending li').count()).toBe(2);
    expect(await page.locator('#card-expiring').textContent()).toContain(`70 points at the end of ${bucket.expires_at}`);

    // The first pending points added now: on the card, in its history, no longer pending.
    await page.locator(`li[data-pending="${first!.id}"]`).getByRole('button', { name: 'Add 25 points now' }).click();
    await page.getByText('Added 25 pending point(s) to the card.').waitFor();
    expect(await page.locator('#card-balance').textContent()).toBe('95');
    expect(await page.locator('#card-transactions tbody tr').first().textContent()).toMatch(/Pending points added\s*\+25\s*95/);
    // The second canceled: never added.
    await page.locator(`li[data-pending="${second!.id}"]`).getByRole('button', { name: 'Cancel 25 pending points' }).click();
    await page.getByText('The pending points are canceled.').waitFor();
    expect(await page.locator('#card-pending li').count()).toBe(0);
    expect(await page.getByText('No points are waiting.').count()).toBe(1);
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toMatchObject({ points: 95, balance: 95 });
    // Points added by hand are taken away again, in the history with the reason given.
    await page.getByLabel('Points (negative to remove)').fill('-15');
    await page.locator('#balance-reason').fill('Damaged parcel');
    await page.getByRole('button', { name: 'Change the points' }).click();
    await page.getByText('Removed 15 point(s).').waitFor();
    expect(await page.locator('#card-transactions tbody tr').first().textContent()).toMatch(/Removed\s*−15\s*80\s*Damaged parcel/);
    // Both were already done: a second click (an old page) is refused on the page, nothing changes.
    const again = await page.request.post(`/dashboard/p/${p.id}/vouchers/${code}/pending/${first!.id}/activate`, { form: { _csrf: (await page.locator('meta[name=csrf-token]').getAttribute('content'))! } });
    expect(await again.text()).toMatch(/Cannot find pending_points/i);
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card.balance).toBe(80);

    // Points moved here from the customer's card of another program; more than it holds is refused, nothing moves.
    const side = await ok('POST', '/v1/loyalties', { name: 'History side club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'SIDE-', length: 6 } } });
    const sideCode = (await ok('POST', `/v1/loyalties/${side.id}/members`, { customer: { source_id: 'hist-ann' } })).code as string;
    await ok('POST', `/v1/loyalties/members/${sideCode}/balance`, { points: 40 });
    await page.goto(`/dashboard/p/${p.id}/vouchers/${code}`);
    await page.getByLabel("From the customer's card").selectOption(sideCode);
    await page.getByLabel('Points', { exact: true }).fill('100');
    await page.getByRole('button', { name: 'Move the points' }).click();
    await page.locator('.notice.error').waitFor();
    expect((await ok('GET', `/v1/loyalties/members/${sideCode}`)).loyalty_card.balance).toBe(40);
    await page.getByLabel('Points', { exact: true }).fill('15');
    await page.locator('#transfer-reason').fill('Merged cards');
    await page.getByRole('button', { name: 'Move the points' }).click();
    await page.getByText(`Moved 15 point(s) from ${sideCode}.`).waitFor();
    expect(await page.locator('#card-balance').textContent()).toBe('95');
    expect(await page.locator('#card-transactions tbody tr').first().textContent()).toMatch(/Transferred in\s*\+15\s*95/);
    expect((await ok('GET', `/v1/loyalties/members/${sideCode}`)).loyalty_card.balance).toBe(25);

    // A gift card's history: credits in amounts.
    const gifts = await ok('POST', '/v1/campaigns', { name: 'History gifts', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', vouchers_count: 1, voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } });
    await expect.poll(async () => (await ok('GET', `/v1/vouchers?campaign_id=${gifts.id}`)).vouchers.length, { timeout: 30_000 }).toBe(1);
    const giftCode = (await ok('GET', `/v1/vouchers?campaign_id=${gifts.id}`)).vouchers[0].code as string;
    await ok('POST', `/v1/vouchers/${giftCode}/balance`, { amount: 250, reason: 'Apology' });
    await page.goto(`/dashboard/p/${p.id}/vouchers/${giftCode}`);
    expect(await page.locator('#card-transactions tbody tr').first().textContent()).toMatch(/Added\s*\+2\.50\s*12\.50\s*Apology/);
    expect(await page.locator('#card-pending').count()).toBe(0);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('adds products and their SKUs from the Products screen (refusals said on the form) and moves them to the bin', async () => {
    const { page } = tab;
    const get = async (url: string) => rig.t.app.inject({ method: 'GET', url, headers: p.server });
    await page.goto(`/dashboard/p/${p.id}/overview`);
    await page.getByRole('link', { name: 'Products', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('Products');
    await page.getByLabel('Name', { exact: true }).fill('Espresso beans');
    await page.getByLabel(/^Source ID/).fill('beans-1kg');
    await page.getByLabel(/^Price/).fill('24.90');
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByText('Product Espresso beans added.').waitFor();
    const product = (await get('/v1/products/beans-1kg')).json();
    expect(product).toMatchObject({ name: 'Espresso beans', source_id: 'beans-1kg', price: 2490 });
    // The same source ID again is refused on the form (the API would update that product instead).
    await page.goto(`/dashboard/p/${p.id}/products`);
    await page.getByLabel('Name', { exact: true }).fill('Other beans');
    await page.getByLabel(/^Source ID/).fill('beans-1kg');
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByText('A product with the source ID beans-1kg exists already.').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Other beans');
    expect((await get('/v1/products/beans-1kg')).json().name).toBe('Espresso beans');

    await page.goto(`/dashboard/p/${p.id}/products/${product.id}`);
    await page.getByLabel('SKU', { exact: true }).fill('Whole bean');
    await page.getByLabel(/^Source ID/).fill('beans-1kg-whole');
    await page.getByRole('button', { name: 'Add SKU' }).click();
    await page.getByText('SKU Whole bean added.').waitFor();
    await page.getByLabel('SKU', { exact: true }).fill('Ground');
    await page.locator('#sku-price').fill('26');
    await page.getByRole('button', { name: 'Add SKU' }).click();
    await page.getByText('SKU Ground added.').waitFor();
    const skus = (await get(`/v1/products/${product.id}/skus`)).json();
    expect(skus.skus.map((k: { sku: string; price: number | null }) => [k.sku, k.price]).sort()).toEqual([['Ground', 2600], ['Whole bean', null]]);
    expect(await page.locator('#skus tbody tr').count()).toBe(2);
    // The product's price stands for an SKU without its own.
    expect(await page.locator('#skus tbody tr', { hasText: 'Whole bean' }).textContent()).toContain('24.90');

    // Junk is a 400 page, never a 500.
    const csrf = (await page.locator('meta[name=csrf-token]').getAttribute('content'))!;
    for (const [url, form] of [
      [`/dashboard/p/${p.id}/products`, { name: '' }],
      [`/dashboard/p/${p.id}/products`, { name: 'x', price: 'cheap' }],
      [`/dashboard/p/${p.id}/products`, { name: 'x', price: '-1' }],
      [`/dashboard/p/${p.id}/products`, { name: 'y'.repeat(1001) }],
      [`/dashboard/p/${p.id}/products/${product.id}/skus`, { sku: '', price: '1' }],
      [`/dashboard/p/${p.id}/products/${product.id}/skus`, { sku: 'z', price: '1e400' }],
    ] as const) {
      const res = await page.request.post(url, { form: { _csrf: csrf, ...form } });
      expect(res.status(), JSON.stringify(form)).toBe(400);
    }
    expect((await page.request.post(`/dashboard/p/${p.id}/products/prod_nope/skus`, { form: { _csrf: csrf, sku: 'a' } })).status()).toBe(404);

    // Edited: name, price and metadata; junk is said on the page and changes nothing.
    await page.goto(`/dashboard/p/${p.id}/products/${product.id}`);
    await page.getByText('Edit product').click();
    expect(await page.locator('#edit-product-price').inputValue()).toBe('24.90');
    await page.locator('#edit-product-metadata').fill('[1]');
    await page.getByRole('button', { name: 'Save product' }).click();
    await page.getByText('The metadata is a JSON object, such as {"color": "blue"}.').waitFor();
    await page.getByText('Edit product').click();
    await page.locator('#edit-product-name').fill('Espresso beans, dark');
    await page.locator('#edit-product-price').fill('26.5');
    await page.locator('#edit-product-metadata').fill('{"roast": "dark"}');
    await page.getByRole('button', { name: 'Save product' }).click();
    await page.getByText('Product Espresso beans, dark saved.').waitFor();
    expect((await get(`/v1/products/${product.id}`)).json()).toMatchObject({ name: 'Espresso beans, dark', price: 2650, metadata: { roast: 'dark' }, source_id: 'beans-1kg' });
    expect(await page.locator('#skus tbody tr', { hasText: 'Whole bean' }).textContent()).toContain('26.50');

    await page.locator('#skus tbody tr', { hasText: 'Ground' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('SKU moved to the bin.').waitFor();
    expect((await get(`/v1/products/${product.id}/skus`)).json().skus.map((k: { sku: string }) => k.sku)).toEqual(['Whole bean']);
    await page.getByRole('button', { name: 'Delete product' }).click();
    await page.getByText('Product Espresso beans, dark moved to the bin.').waitFor();
    expect((await get('/v1/products/beans-1kg')).statusCode).toBe(404);
    const bin = (await get('/v1/trash-bin')).json();
    expect(JSON.stringify(bin)).toContain(product.id);
    const binned = bin.data.filter((e: { resource_type: string }) => e.resource_type === 'product' || e.resource_type === 'sku');
    expect(binned.map((e: { deleted_by_user_id: string }) => e.deleted_by_user_id)).toEqual(['mgmt_test', 'mgmt_test']);
    expect(tab.errors.splice(0).filter((e) => !e.includes('status of 400') && !e.includes('status of 404'))).toEqual([]);
  });

  it('makes collections of ticked products and of a filter, shows their products, refuses junk on the form, and deletes one', async () => {
    const { page } = tab;
    const get = async (url: string) => (await rig.t.app.inject({ method: 'GET', url, headers: p.server })).json();
    await v1('POST', '/v1/products', { name: 'Cheap mug', source_id: 'mug-cheap', price: 500 });
    await v1('POST', '/v1/products', { name: 'Fine mug', source_id: 'mug-fine', price: 4500 });
    await page.goto(`/dashboard/p/${p.id}/products`);
    await page.getByRole('link', { name: 'Collections' }).click();
    expect(await page.locator('h1').textContent()).toBe('Collections');
    await page.getByLabel('Name', { exact: true }).fill('Mugs');
    await page.getByRole('button', { name: 'Add collection' }).click();
    await page.getByText('Tick the products of the collection.').waitFor();
    await page.getByLabel('Cheap mug').check();
    await page.getByLabel('Fine mug').check();
    await page.getByRole('button', { name: 'Add collection' }).click();
    await page.getByText('Collection Mugs added.').waitFor();
    expect((await page.locator('#collection-products li').allTextContents()).sort()).toEqual(['Cheap mug', 'Fine mug']);

    await page.goto(`/dashboard/p/${p.id}/collections`);
    await page.getByLabel('Name', { exact: true }).fill('Premium');
    await page.getByLabel('Products', { exact: true }).selectOption('AUTO_UPDATE');
    await page.getByLabel(/^Filter/).fill('{"junction": "and", "colour": {"conditions": {"$is": ["red"]}}}');
    await page.getByRole('button', { name: 'Add collection' }).click();
    await page.getByText("unknown field 'colour'", { exact: false }).waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Premium');
    await page.getByLabel(/^Filter/).fill('{"junction": "and", "price": {"conditions": {"$more_than": [1000]}}}');
    await page.getByRole('button', { name: 'Add collection' }).click();
    await page.getByText('Collection Premium added.').waitFor();
    expect(await page.locator('#collection-products li').allTextContents()).toEqual(['Fine mug']);
    // A filter follows the catalog: a new dear product is in at once.
    await v1('POST', '/v1/products', { name: 'Teapot', source_id: 'teapot', price: 9000 });
    await page.reload();
    expect((await page.locator('#collection-products li').allTextContents()).sort()).toEqual(['Fine mug', 'Teapot']);
    const premium = (await get('/v1/product-collections')).data.find((x: { name: string }) => x.name === 'Premium');
    expect(premium).toMatchObject({ type: 'AUTO_UPDATE', filter: { price: { conditions: { $more_than: [1000] } } } });
    await page.getByRole('button', { name: 'Delete collection' }).click();
    await page.getByText('Collection Premium deleted.').waitFor();
    expect((await get('/v1/product-collections')).data.map((x: { name: string }) => x.name)).toEqual(['Mugs']);
    expect(tab.errors.splice(0)).toEqual([expect.stringContaining('status of 400'), expect.stringContaining('status of 400')]);
  });

  it('deletes a campaign into the bin from its page, restores it from the bin, and deletes an entry for good', async () => {
    const { page } = tab;
    const autumn = await v1('POST', '/v1/campaigns', { name: 'Autumn', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    await v1('POST', `/v1/campaigns/${autumn.id}/vouchers/AUT-ONE`, {});
    const get = (url: string) => rig.t.app.inject({ method: 'GET', url, headers: p.server });
    await page.goto(`/dashboard/p/${p.id}/campaigns/${autumn.id}`);
    await page.getByRole('button', { name: 'Delete campaign' }).click();
    await page.getByText('Campaign Autumn moved to the bin.').waitFor();
    expect((await get(`/v1/campaigns/${autumn.id}`)).statusCode).toBe(404);
    expect((await get('/v1/vouchers/AUT-ONE')).statusCode).toBe(404);

    await page.getByRole('link', { name: 'Bin' }).click();
    const entry = (await get('/v1/trash-bin?order=-id')).json().data[0];
    // Who deleted it from the dashboard (here the management sign-in); deletions through the API name nobody.
    expect(entry).toMatchObject({ resource_type: 'campaign', resource_id: autumn.id, deleted_by_user_id: 'mgmt_test' });
    expect(await page.locator(`tr[data-entry="${entry.id}"]`).textContent()).toMatch(/Autumn.*mgmt_test/s);
    await shot(page, 'bin');
    await page.getByRole('button', { name: 'Restore Autumn' }).click();
    await page.getByText('Campaign Autumn restored.').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Autumn');
    expect((await get('/v1/vouchers/AUT-ONE')).json()).toMatchObject({ campaign_id: autumn.id });

    // A code taken again blocks the restore: said on the bin's page, the entry kept; then deleted for good.
    expect((await rig.t.app.inject({ method: 'DELETE', url: '/v1/vouchers/AUT-ONE', headers: p.server })).statusCode).toBe(204);
    expect((await get('/v1/trash-bin?order=-id')).json().data[0]).toMatchObject({ resource_name: 'AUT-ONE', deleted_by_user_id: null });
    await v1('POST', '/v1/vouchers/AUT-ONE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    await page.goto(`/dashboard/p/${p.id}/bin`);
    await page.getByRole('button', { name: 'Restore AUT-ONE' }).click();
    await page.getByText(/Cannot restore voucher AUT-ONE/).waitFor();
    await page.getByRole('button', { name: 'Delete AUT-ONE for good' }).click();
    await page.getByText('Deleted for good.').waitFor();
    expect((await get('/v1/trash-bin?limit=100')).json().data.map((e: { resource_name: string }) => e.resource_name)).not.toContain('AUT-ONE');
    // A voucher's page deletes it into the bin too.
    await page.goto(`/dashboard/p/${p.id}/vouchers/AUT-ONE`);
    await page.getByRole('button', { name: 'Delete voucher' }).click();
    await page.getByText('Voucher AUT-ONE moved to the bin.').waitFor();
    expect((await get('/v1/vouchers/AUT-ONE')).statusCode).toBe(404);
    await page.getByRole('link', { name: 'Bin' }).click();
    expect(await page.locator('tbody').textContent()).toContain('AUT-ONE');
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('defines a metadata schema in Project settings › Metadata schemas; customers are checked against it; junk is said on the page', async () => {
    const { page } = tab;
    const post = (url: string, payload: object) => rig.t.app.inject({ method: 'POST', url, headers: p.server, payload });
    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    await page.getByRole('link', { name: 'Metadata schemas' }).click();
    expect(await page.locator('h1').textContent()).toBe('Metadata schemas');
    const form = page.getByRole('form', { name: 'New metadata schema' });
    await form.getByLabel('Object').fill('customer');
    await form.getByLabel('Property name').fill('tier');
    await form.getByLabel('Type').selectOption('string');
    await form.getByLabel('Required').check();
    await form.getByLabel('Refuse keys the schema does not define').check();
    await form.getByRole('button', { name: 'Create schema' }).click();
    await page.getByText('Metadata schema of customer created.').waitFor();
    const card = page.locator('section[data-metadata-schema="customer"]');
    expect(await card.locator('tr[data-property="tier"]').textContent()).toMatch(/tier\s*string\s*Yes\s*—\s*Active/);
    expect(await card.textContent()).toContain('other keys are refused');
    // The API now checks customers' metadata against it.
    expect((await post('/v1/customers', { source_id: 'meta-1', metadata: { tier: 5 } })).json()).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    expect((await post('/v1/customers', { source_id: 'meta-1', metadata: { tier: 'gold', extra: 1 } })).statusCode).toBe(400);
    expect((await post('/v1/customers', { source_id: 'meta-1', metadata: { tier: 'gold' } })).statusCode).toBe(200);

    // A list of booleans added; the required one deleted (no longer checked) and restored.
    await card.getByLabel('Property name').fill('badges');
    await card.getByLabel('Type').selectOption('boolean');
    await card.getByLabel('A list').check();
    await card.getByRole('button', { name: 'Add property' }).click();
    await page.getByText('Property badges added.').waitFor();
    expect(await card.locator('tr[data-property="badges"]').textContent()).toMatch(/badges\s*boolean \(list\)\s*No/);
    await card.getByRole('button', { name: 'Delete tier' }).click();
    await page.getByText('Property tier deleted.').waitFor();
    expect((await post('/v1/customers', { source_id: 'meta-2', metadata: { badges: [true] } })).statusCode).toBe(200);
    await card.getByRole('button', { name: 'Restore tier' }).click();
    await page.getByText('Property tier restored.').waitFor();
    expect((await post('/v1/customers', { source_id: 'meta-3', metadata: { badges: [true] } })).statusCode).toBe(400);
    await card.getByRole('button', { name: 'Allow other keys' }).click();
    await page.getByText('Keys the schema does not define are now allowed.').waitFor();
    expect((await post('/v1/customers', { source_id: 'meta-4', metadata: { tier: 'silver', extra: 1 } })).statusCode).toBe(200);

    // A second schema of the same object, and a property type the API does not know: said on the page.
    await form.getByLabel('Object').fill('customer');
    await form.getByLabel('Property name').fill('other');
    await form.getByRole('button', { name: 'Create schema' }).click();
    await page.locator('.notice.error').waitFor();
    expect(await page.locator('.notice.error').textContent()).toMatch(/customer/);
    const csrf = (await page.locator('meta[name=csrf-token]').getAttribute('content'))!;
    const schemaId = (await card.getAttribute('aria-labelledby'))!.replace(/^ms-/, '');
    const junk = await page.request.post(`/dashboard/p/${p.id}/metadata-schemas/${schemaId}/properties`, { form: { _csrf: csrf, property: 'x', type: 'money' } });
    expect(junk.status()).toBe(200);
    expect(await junk.text()).toMatch(/notice error/);
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}/metadata-schemas/${schemaId}`)).json().properties.x).toBeUndefined();

    // Deleted: customers are no longer checked.
    await card.getByRole('button', { name: 'Delete schema' }).click();
    await page.getByText('Metadata schema deleted.').waitFor();
    expect(await page.locator('section[data-metadata-schema="customer"]').count()).toBe(0);
    expect((await post('/v1/customers', { source_id: 'meta-5', metadata: { tier: 5 } })).statusCode).toBe(200);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('invites a teammate from Project settings › Team; they open the link, choose a password and, as a VIEWER, read but change nothing', async () => {
    const { page } = tab;
    await page.goto(`/dashboard/p/${p.id}/webhooks`);
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByLabel('Email').fill('grace@store.example');
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Role', { exact: true }).selectOption('VIEWER');
    await page.getByRole('button', { name: 'Add' }).click();
    const notice = await page.getByText(/grace@store\.example is invited as VIEWER/).textContent();
    const link = /(http:\/\/\S+\/dashboard\/invitation\/\S+)/.exec(notice ?? '')?.[1];
    expect(link, notice ?? '').toBeDefined();
    // Shown once, on the answer to the form: back on the list, the link is not said again.
    await page.getByRole('link', { name: 'Back', exact: true }).click();
    expect(await page.locator('main').textContent()).not.toContain(link!);
    expect(await page.locator('tbody').textContent()).toContain('invited');
    await shot(page, 'team');

    // The teammate, in a browser of their own.
    const mate = await openTab(rig);
    await mate.page.goto(link!);
    await mate.page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await mate.page.getByLabel('Password again').fill('a long enough password');
    await mate.page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await mate.page.waitForURL(/\/overview$/);
    await mate.page.goto(`/dashboard/p/${p.id}/segments`);
    expect(await mate.page.locator('h1').first().textContent()).toBe('Segments');
    // The changes their role does not allow are turned off, and the page says why.
    await mate.page.getByText('Your role in this project (VIEWER) does not allow the changes on this screen').waitFor();
    expect(await mate.page.getByRole('button', { name: 'Create segment' }).isDisabled()).toBe(true);
    // A change is refused with 403 and says why.
    const refused = await mate.page.request.post(`/dashboard/p/${p.id}/segments`, { form: { _csrf: (await mate.page.locator('meta[name=csrf-token]').getAttribute('content'))!, name: 'Nope', type: 'static', customers: '' } });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('VIEWER');
    await mate.page.goto(`/dashboard/p/${p.id}/team`);
    expect(await mate.page.getByRole('button', { name: 'Add' }).count()).toBe(0);
    expect(mate.errors.splice(0)).toEqual([]);
    // Project settings are readable, not changeable; a change posted anyway is refused, and nothing changes.
    await mate.page.goto(`/dashboard/p/${p.id}/settings`);
    expect(await mate.page.getByLabel('Project name').inputValue()).toBe('Store');
    expect(await mate.page.getByLabel('Project name').isDisabled()).toBe(true);
    expect(await mate.page.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    expect(await mate.page.getByRole('button', { name: 'Regenerate', exact: false }).count()).toBe(0);
    const rename = await mate.page.request.post(`/dashboard/p/${p.id}/settings`, { form: { _csrf: (await mate.page.locator('meta[name=csrf-token]').getAttribute('content'))!, name: 'Renamed by a viewer' } });
    expect(rename.status()).toBe(403);
    expect((await mgmt(rig.t, 'GET', `/projects/${p.id}`)).json().name).toBe('Store');
    // The browser logs that refusal (403) and the plain refusal page's missing icon (404), and nothing else.
    expect(mate.errors.filter((e) => !/status of 40[34]/.test(e))).toEqual([]);
    await mate.context.close();

    await page.reload();
    expect(await page.locator('tbody').textContent()).toContain('active');
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('finds a refused API call by its request id in Audit log › API calls and shows what was sent and answered', async () => {
    const { page } = tab;
    const refused = await rig.t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'typo', email: { nested: true } } });
    expect(refused.statusCode).toBe(400);
    const requestId = refused.headers['x-request-id'] as string;
    await page.goto(`/dashboard/p/${p.id}/sendouts`);
    await page.getByRole('link', { name: 'API calls' }).click();
    expect(await page.locator('h1').textContent()).toBe('API calls');
    await page.getByLabel('Request ID').fill(requestId);
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.locator('#call-rows tr[data-call]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/400.*POST.*\/v1\/customers.*invalid_payload/s);
    await rows.first().getByRole('link', { name: 'Show' }).click();
    expect(await page.locator('h1').textContent()).toBe('POST /v1/customers');
    expect(await page.getByLabel('Request body').textContent()).toContain('"nested": true');
    expect(await page.getByLabel('Answer').textContent()).toContain(requestId);
    // A filter that matches nothing says so; junk in a filter is said on the page, not a 500.
    await page.goto(`/dashboard/p/${p.id}/api-calls?status=5xx`);
    expect(await page.locator('#call-rows').textContent()).toContain('No calls match.');
    const junk = await page.goto(`/dashboard/p/${p.id}/api-calls?path=nonsense`);
    expect(junk?.status()).toBe(200);
    expect(await page.locator('.notice.error').textContent()).toMatch(/path/);
    expect(tab.errors.splice(0)).toEqual([]);
  });

  it('signs in with the keyboard alone, and every screen loads with no console error and fits a phone screen', async () => {
    const tab = await openTab(rig, { width: 390, height: 844 });
    const { page } = tab;
    await page.goto('/dashboard');
    // Tab order: the id, the token, the button; Enter submits.
    await page.keyboard.press('Tab');
    await page.keyboard.type('mgmt_test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('test-management-token-0123456789');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/overview$/);
    const customer = (await rig.t.app.inject({ method: 'GET', url: '/v1/customers/grace', headers: p.server })).json();
    const club = (await rig.t.app.inject({ method: 'GET', url: '/v1/loyalties', headers: p.server })).json().campaigns[0];
    const cardCode = (await rig.t.app.inject({ method: 'GET', url: `/v1/loyalties/${club.id}/members`, headers: p.server })).json().vouchers[0].code;
    const screens = ['overview', 'campaigns', 'campaigns/new', `campaigns/${club.id}`, `vouchers/${cardCode}`, 'customers', `customers/${customer.id}`, 'redemptions', 'publications', 'orders', 'products', 'collections', 'validation-rules', 'segments', 'distributions', 'distributions/new', 'sendouts', 'api-calls', 'bin', 'webhooks', 'webhooks/new', 'event-schemas', 'metadata-schemas', 'team', 'settings', 'account'];
    for (const screen of screens) {
      const res = await page.goto(`/dashboard/p/${p.id}/${screen}`);
      expect(res?.status(), screen).toBe(200);
      expect(await page.locator('h1').count(), screen).toBe(1);
      const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.outerHTML.slice(0, 120)).slice(0, 3));
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${screen}: ${wide.join(' | ')}`).toBe(true);
      // Every form control has a label (its own, an aria-label, or a wrapping label).
      const unlabelled = await page.locator('input:not([type=hidden]), select, textarea').evaluateAll((els) =>
        els.filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label')).map((e) => e.outerHTML.slice(0, 80)),
      );
      expect(unlabelled, screen).toEqual([]);
    }
    // The project switcher moves to the same screen of another project.
    const other = await rig.t.createProject({ name: 'Other' });
    await page.goto(`/dashboard/p/${p.id}/segments`);
    await page.getByLabel('Project').selectOption(other.id);
    await page.waitForURL(new RegExp(`/dashboard/p/${other.id}/segments$`));
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });
});
