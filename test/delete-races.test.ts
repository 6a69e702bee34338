/**
 * Requests racing the deletion of what they name (PostgreSQL: requests run at once): a publication from a campaign
 * or of a code being deleted, a gift card's balance changed while it is deleted. Each answers as it would a moment
 * later, 404 not found (or succeeds, when it came first): never a 500, nor a refusal that names another cause.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { driver } from './helpers/db.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

/** Statuses with the error keys of the refusals, e.g. `200`, `404 not_found`. */
const outcomes = (answers: Array<{ statusCode: number; json(): any }>) => answers.map((a) => (a.statusCode < 300 ? String(a.statusCode) : `${a.statusCode} ${a.json().key}`));

describe.runIf(driver === 'postgres')('requests racing a deletion', () => {
  it('publications from an AUTO_UPDATE campaign being deleted are made or not found', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await ok('POST', '/v1/campaigns', { name: `Going ${round}`, campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => api('POST', '/v1/publications', { campaign: { id: c.id }, customer: { source_id: `race-${round}-${i}` } })),
        api('DELETE', `/v1/campaigns/${c.id}?force=true`),
      ]);
      for (const o of outcomes(answers)) expect(['200', '202', '204', '404 not_found']).toContain(o);
    }
  });

  it('a code published while it is deleted is published or not found, never "published to another customer"', async () => {
    for (let round = 0; round < 3; round++) {
      await ok('POST', `/v1/vouchers/GOING-CODE-${round}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
      const answers = await Promise.all([
        api('DELETE', `/v1/vouchers/GOING-CODE-${round}?force=true`),
        ...Array.from({ length: 5 }, () => api('POST', '/v1/publications', { voucher: `GOING-CODE-${round}`, customer: { source_id: `going-${round}` } })),
      ]);
      for (const o of outcomes(answers)) expect(['200', '204', '404 not_found']).toContain(o);
    }
  });

  it("a gift card's balance changed while it is deleted is changed or not found", async () => {
    for (let round = 0; round < 4; round++) {
      await ok('POST', `/v1/vouchers/GOING-GIFT-${round}`, { type: 'GIFT_VOUCHER', gift: { amount: 10000 } });
      const answers = await Promise.all([
        api('DELETE', `/v1/vouchers/GOING-GIFT-${round}?force=true`),
        api('POST', `/v1/vouchers/GOING-GIFT-${round}/balance`, { amount: 500 }),
        api('POST', `/v1/vouchers/GOING-GIFT-${round}/balance`, { amount: -500 }),
      ]);
      for (const o of outcomes(answers)) expect(['200', '204', '404 not_found']).toContain(o);
    }
  });
});
