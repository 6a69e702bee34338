/**
 * GET /v1/redemptions with Voucherify's parameters: customer (id or source_id), campaign (name or id), result,
 * created_at, order and `filters[...]`; also through the official SDK's redemptions.list.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));
let campaign: any;
let ann: any;
const ids: Record<string, string> = {};
let between: string;

const redeem = (code: string, customer: string) => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code }], customer: { source_id: customer }, order: { amount: 5000 } });
const list = async (query: string) => (await ok('GET', `/v1/redemptions?limit=100&${query}`)).redemptions as any[];

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  campaign = await ok('POST', '/v1/campaigns', { name: 'List A', campaign_type: 'DISCOUNT_COUPONS', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 1 } } });
  await ok('POST', `/v1/campaigns/${campaign.id}/vouchers/LIST-A1`, {});
  await ok('POST', '/v1/vouchers/LIST-SOLO', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  ann = await ok('POST', '/v1/customers', { source_id: 'rl-ann' });
  await ok('POST', '/v1/customers', { source_id: 'rl-bob' });
  ids.first = (await redeem('LIST-A1', 'rl-ann')).json().redemptions[0].id;
  await new Promise((r) => setTimeout(r, 20));
  between = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  const refused = await redeem('LIST-A1', 'rl-bob');
  expect(refused.json()).toMatchObject({ key: 'quantity_exceeded' });
  ids.solo = (await redeem('LIST-SOLO', 'rl-bob')).json().redemptions[0].id;
});
afterAll(() => t.close());

describe('GET /v1/redemptions', () => {
  it('lists newest first by default; order by id or voucher code', async () => {
    const all = await list('');
    expect(all).toHaveLength(3);
    expect(all[0].id).toBe(ids.solo);
    expect(all.at(-1).id).toBe(ids.first);
    expect((await list('order=created_at'))[0].id).toBe(ids.first);
    const byCode = (await list('order=voucher_code')).map((r) => r.voucher?.code);
    expect(byCode).toEqual(['LIST-A1', 'LIST-A1', 'LIST-SOLO']);
    const byId = (await list('order=-id')).map((r) => r.id);
    expect(byId).toEqual([...byId].sort().reverse());
  });

  it('narrows by customer (id or source_id), campaign (name or id), result and created_at', async () => {
    expect((await list('customer=rl-ann')).map((r) => r.id)).toEqual([ids.first]);
    expect((await list(`customer=${ann.id}`)).map((r) => r.id)).toEqual([ids.first]);
    expect(await list('customer=rl-bob')).toHaveLength(2);
    expect(await list('campaign=List A')).toHaveLength(2);
    expect(await list(`campaign=${campaign.id}`)).toHaveLength(2);
    const failed = await list('result=FAILURE');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ result: 'FAILURE', failure_code: 'quantity_exceeded' });
    expect(await list('result=SUCCESS&result=FAILURE')).toHaveLength(3);
    expect((await list(`created_at[after]=${between}`)).map((r) => r.result).sort()).toEqual(['FAILURE', 'SUCCESS']);
    expect((await list(`created_at[before]=${between}`)).map((r) => r.id)).toEqual([ids.first]);
    expect((await ok('GET', '/v1/redemptions?voucher=LIST-SOLO')).redemptions.map((r: any) => r.id)).toEqual([ids.solo]);
    expect((await ok('GET', '/v1/redemptions?campaign=List A&limit=1')).total).toBe(2);
  });

  it('takes filters[...] with $is, $in, $is_not, $not_in and refuses the rest', async () => {
    expect((await list('filters[voucher_code][conditions][$is]=LIST-SOLO')).map((r) => r.id)).toEqual([ids.solo]);
    expect(await list('filters[campaign_name][conditions][$in][0]=List A')).toHaveLength(2);
    expect((await list('filters[result][conditions][$is_not]=SUCCESS')).map((r) => r.result)).toEqual(['FAILURE']);
    expect(await list('filters[failure_code][conditions][$is]=quantity_exceeded')).toHaveLength(1);
    // A standalone code has no campaign: $not_in keeps it.
    expect((await list(`filters[related_object_parent_id][conditions][$not_in][0]=${campaign.id}`)).map((r) => r.id)).toEqual([ids.solo]);
    expect(await list(`filters[customer_id][conditions][$is]=${ann.id}&filters[junction]=and`)).toHaveLength(1);
    expect(await list('filters[object][conditions][$is]=redemption')).toHaveLength(3);
    const unknownField = await api('GET', '/v1/redemptions?filters[amount][conditions][$is]=1');
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json()).toMatchObject({ key: 'invalid_query_params' });
    expect((await api('GET', '/v1/redemptions?filters[result][conditions][$starts_with]=S')).statusCode).toBe(400);
    expect((await api('GET', '/v1/redemptions?result=MAYBE')).statusCode).toBe(400);
    expect((await api('GET', '/v1/redemptions?order=amount')).statusCode).toBe(400);
  });

  it("works through the SDK's redemptions.list", async () => {
    const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const sdk = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
    const res: any = await sdk.redemptions.list({ result: 'FAILURE', customer: 'rl-bob' } as any);
    expect(res.redemptions.map((r: any) => r.result)).toEqual(['FAILURE']);
    const paged: any = await sdk.redemptions.list({ limit: 1, page: 2 } as any);
    expect(paged.total).toBe(3);
    expect(paged.redemptions).toHaveLength(1);
  });
});
