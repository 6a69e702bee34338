/**
 * JSON imports (POST /v1/vouchers/import, /v1/campaigns/{id}/import) check each item on its own, as the CSV import
 * checks each row: an item with a bad attribute is listed among the refused codes and the others go in. A body that
 * is not an array (or has too many items) is still refused whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { ok, api } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

const discount = { type: 'AMOUNT', amount_off: 100 };

describe('JSON imports, item by item', () => {
  it('imports the good items of /v1/vouchers/import and lists the bad ones', async () => {
    const res = await api('POST', '/v1/vouchers/import', [
      { code: 'JI-1', type: 'DISCOUNT_VOUCHER', discount },
      { code: 'JI-2', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 'ten' } },
      42,
      { code: 'JI-3', type: 'DISCOUNT_VOUCHER', discount },
    ]);
    expect(res.statusCode, res.body).toBe(202);
    const action = await ok('GET', `/v1/async-actions/${res.json().async_action_id}`);
    expect(action.result).toMatchObject({ done_count: 2, failed_count: 2 });
    const failed = action.result.failed as Array<{ code: string | null; reason: string }>;
    expect(failed.find((f) => f.code === 'JI-2')?.reason).toMatch(/Item 1.*amount_off/);
    expect(failed.find((f) => f.code === null)?.reason).toMatch(/Item 2/);
    await ok('GET', '/v1/vouchers/JI-1');
    await ok('GET', '/v1/vouchers/JI-3');
    expect((await api('GET', '/v1/vouchers/JI-2')).statusCode).toBe(404);
  });

  it('still refuses a body that is not an array of items', async () => {
    const res = await api('POST', '/v1/vouchers/import', { code: 'JI-X' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ key: 'invalid_payload' });
    expect((await api('POST', '/v1/vouchers/import', [])).statusCode).toBe(400);
  });

  it('imports the good items of /v1/campaigns/{id}/import and lists the bad ones', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Gifts', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'GIFT_VOUCHER', gift: { amount: 100 } } });
    const res = await api('POST', `/v1/campaigns/${c.id}/import`, [{ code: 'JG-1', gift: { amount: 300 } }, { code: 'JG-2', gift: { amount: -1 } }]);
    expect(res.statusCode, res.body).toBe(202);
    const action = await ok('GET', `/v1/async-actions/${res.json().async_action_id}`);
    expect(action.result).toMatchObject({ done_count: 1, failed_count: 1, failed: [{ code: 'JG-2' }] });
    expect((await ok('GET', '/v1/vouchers/JG-1')).campaign_id).toBe(c.id);
  });
});
