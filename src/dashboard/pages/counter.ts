import type { FastifyInstance } from 'fastify';
import type { RedemptionsService } from '../../modules/redemptions/index.js';
import type { VouchersService } from '../../modules/vouchers/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { html, money, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import { userCause } from '../v1.js';

/** Redeeming a discount code or a gift card at the counter, from the voucher's page, as the signed-in user. */
export interface CounterServices {
  redemptions: Pick<RedemptionsService, 'redeem' | 'validate'>;
  vouchers: Pick<VouchersService, 'find'>;
}

/** Hundredths of the currency from the form's decimal; undefined when empty, NaN when not a number. */
function centsOf(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? Math.round(n * 100) : Number.NaN;
}

/** The form on an active discount code's or gift card's page (loyalty cards pay with rewards: their own section). */
export function counterForm(c: ProjectCtx, v: { code: string; type: string; active: boolean }): Html {
  if (!v.active || v.type === 'LOYALTY_CARD') return html``;
  const gift = v.type === 'GIFT_VOUCHER';
  return html`<section class="card" aria-labelledby="counter-h"><h2 id="counter-h">Redeem at the counter</h2>
<form method="post" action="${c.base}/vouchers/${encodeURIComponent(v.code)}/redeem">${csrfField(c.session)}
<label for="counter-amount">Order amount <span class="muted">(50 is 50.00)</span></label><input type="number" id="counter-amount" name="amount" min="0" step="0.01" required>
<label for="counter-customer">Customer source ID <span class="muted">(optional)</span></label><input type="text" id="counter-customer" name="customer" maxlength="200">
${gift ? html`<label for="counter-credits">Credits to use <span class="muted">(empty: as much as the order)</span></label><input type="number" id="counter-credits" name="credits" min="0" step="0.01">` : ''}
<p><button type="submit" name="action" value="check" class="secondary">Check</button> <button type="submit" name="action" value="redeem">Redeem</button></p></form></section>`;
}

export function counterRoutes(d: FastifyInstance, s: CounterServices): void {
  d.post<{ Params: { projectId: string; code: string } }>('/p/:projectId/vouchers/:code/redeem', async (req, reply) => {
    const c = await projectCtx(req);
    const v = await s.vouchers.find(c.project.id, req.params.code);
    const at = `${c.base}/vouchers/${encodeURIComponent(v.code)}`;
    const amount = centsOf(field(req.body, 'amount'));
    if (amount === undefined || !(amount >= 0) || amount > 1e12) return c.done(reply, at, 'The order amount is a number, 0 or more.', 'error');
    const credits = centsOf(field(req.body, 'credits'));
    if (credits !== undefined && !(credits > 0)) return c.done(reply, at, 'The credits to use are a number above 0, or empty.', 'error');
    const customer = field(req.body, 'customer').trim();
    const redeemable = { object: 'voucher' as const, id: v.code, ...(v.type === 'GIFT_VOUCHER' ? { gift: { credits: credits ?? amount } } : {}) };
    const input = { redeemables: [redeemable], order: { amount }, ...(customer ? { customer: { source_id: customer } } : {}) };
    const cause = userCause(req, c.project.id, dashOf(req).session);
    type Out = { valid?: boolean; order?: { total_discount_amount?: number; total_amount?: number } | null; inapplicable_redeemables?: Array<{ result?: { error?: { message?: string; details?: string } } }> };
    const sums = (out: Out) => `${money(Number(out.order?.total_discount_amount ?? 0))} off, ${money(Number(out.order?.total_amount ?? amount))} to pay`;
    // Expired, used up, a rule not met...: said on the page, and kept as a failed redemption.
    return c.attempt(reply, at, async () => {
      // Check: a validation, which spends nothing (and is not a failed redemption when refused).
      if (field(req.body, 'action') === 'check') {
        const out = (await s.redemptions.validate(cause, input)) as Out;
        if (out.valid) return `Valid: ${sums(out)}.`;
        const error = out.inapplicable_redeemables?.[0]?.result?.error;
        return { text: `Not valid: ${error?.details ?? error?.message ?? 'the code does not apply to this order'}.`, kind: 'error' };
      }
      const out = (await s.redemptions.redeem(cause, input)) as Out;
      return `Redeemed: ${sums(out)}.`;
    });
  });
}
