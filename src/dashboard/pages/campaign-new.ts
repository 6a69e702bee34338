import type { FastifyInstance } from 'fastify';
import { campaignInputSchema, type CampaignInput, type CampaignsService } from '../../modules/campaigns/index.js';
import type { Cause } from '../../modules/event-log/index.js';
import type { LoyaltiesService } from '../../modules/loyalties/index.js';
import type { PromotionsService } from '../../modules/promotions/index.js';
import type { ValidationRuleInput, ValidationRulesService } from '../../modules/validation-rules/index.js';
import { dashOf, field, projectCtx, type ProjectCtx, refusalText } from '../context.js';
import { cents, html, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import type { Executor } from '../../store/db.js';
import { bodyProblem, userCause } from '../v1.js';

type P = { Params: { projectId: string } };
type Values = Record<string, string>;

const kinds = [
  ['DISCOUNT_COUPONS', 'Discount codes'],
  ['GIFT_VOUCHERS', 'Gift cards'],
  ['LOYALTY_PROGRAM', 'Loyalty program'],
  ['PROMOTION', 'Promotion (applied to every order that qualifies, no code)'],
  ['REFERRAL_PROGRAM', 'Referral program (codes referrers share; a referee gets the discount)'],
] as const;

/** A campaign a referral reward can come from: credits on a gift card, or points on a loyalty card. */
interface RewardCampaign {
  id: string;
  name: string;
  campaign_type: string;
}

function rewardFields(prefix: string, whose: string, v: Values, rewards: RewardCampaign[]): Html {
  return html`<label for="${prefix}_campaign">The ${whose} reward from</label><select id="${prefix}_campaign" name="${prefix}_campaign"><option value="">No reward</option>${rewards.map(
    (r) => html`<option value="${r.id}"${selected(v[`${prefix}_campaign`] === r.id)}>${r.name} (${r.campaign_type === 'GIFT_VOUCHERS' ? 'gift card credits' : 'loyalty points'})</option>`,
  )}</select>
<label for="${prefix}_amount">The ${whose} reward amount <span class="muted">(credits: 5 is 5.00; or points)</span></label><input type="number" id="${prefix}_amount" name="${prefix}_amount" min="0" step="0.01" value="${v[`${prefix}_amount`] ?? ''}">`;
}

const selected = (yes: boolean) => (yes ? ' selected' : '');

function form(c: ProjectCtx, v: Values, rewards: RewardCampaign[], error?: string): Html {
  return html`<p class="crumb"><a href="${c.base}/campaigns">Campaigns</a> › New campaign</p><h1>New campaign</h1>
${error ? html`<div class="notice error" role="alert" id="form-error">${error}</div>` : ''}
<form method="post" action="${c.base}/campaigns/new" class="card">${csrfField(c.session)}
<label for="name">Name</label><input type="text" id="name" name="name" required maxlength="200" value="${v.name ?? ''}">
<label for="description">Description</label><input type="text" id="description" name="description" value="${v.description ?? ''}">
<label for="campaign_type">Kind</label><select id="campaign_type" name="campaign_type">${kinds.map(([k, label]) => html`<option value="${k}"${selected(v.campaign_type === k)}>${label}</option>`)}</select>
<fieldset><legend>Discount (discount codes, promotion, a referee's discount)</legend>
<label for="discount_type">Discount type</label><select id="discount_type" name="discount_type"><option value="PERCENT"${selected(v.discount_type !== 'AMOUNT')}>Percent off</option><option value="AMOUNT"${selected(v.discount_type === 'AMOUNT')}>Amount off</option></select>
<label for="discount_value">Percent or amount off <span class="muted">(10 is 10% or 10.00)</span></label><input type="number" id="discount_value" name="discount_value" min="0" step="0.01" value="${v.discount_value ?? ''}">
<label for="min_amount">Promotion: minimum order amount <span class="muted">(empty: every order)</span></label><input type="number" id="min_amount" name="min_amount" min="0" step="0.01" value="${v.min_amount ?? ''}">
</fieldset>
<fieldset><legend>Balance (gift cards)</legend>
<label for="gift_amount">Amount on each card <span class="muted">(25 is 25.00)</span></label><input type="number" id="gift_amount" name="gift_amount" min="0" step="0.01" value="${v.gift_amount ?? ''}">
</fieldset>
<fieldset><legend>Cards (loyalty program)</legend>
<label for="initial_points">Points on a new card</label><input type="number" id="initial_points" name="initial_points" min="0" step="1" value="${v.initial_points ?? '0'}">
</fieldset>
<fieldset><legend>Referrals (referral program)</legend>
<label for="conversion">A referee converts when</label><select id="conversion" name="conversion"><option value="redemption"${selected(v.conversion !== 'custom_event')}>they redeem the referral code</option><option value="custom_event"${selected(v.conversion === 'custom_event')}>a custom event of theirs carries the code</option></select>
<label for="conversion_event">Custom event name <span class="muted">(empty: any custom event)</span></label><input type="text" id="conversion_event" name="conversion_event" maxlength="300" value="${v.conversion_event ?? ''}">
<fieldset><legend>The referee's reward</legend>${rewardFields('referee_reward', "referee's", v, rewards)}</fieldset>
<fieldset><legend>The referrer's reward</legend>
<label for="referrer_conversions">After this many referrals</label><input type="number" id="referrer_conversions" name="referrer_conversions" min="1" step="1" value="${v.referrer_conversions ?? '1'}">
${rewardFields('referrer_reward', "referrer's", v, rewards)}</fieldset>
<fieldset><legend>A further referrer reward <span class="muted">(optional: a second tier)</span></legend>
<label for="referrer2_conversions">After this many referrals in all</label><input type="number" id="referrer2_conversions" name="referrer2_conversions" min="1" step="1" value="${v.referrer2_conversions ?? ''}">
${rewardFields('referrer2_reward', "referrer's further", v, rewards)}</fieldset>
</fieldset>
<fieldset><legend>Codes</legend>
<label for="vouchers_count">How many codes to generate <span class="muted">(0: one each time a code is published)</span></label><input type="number" id="vouchers_count" name="vouchers_count" min="0" max="10000000" step="1" value="${v.vouchers_count ?? '100'}">
<label for="prefix">Prefix</label><input type="text" id="prefix" name="prefix" maxlength="50" value="${v.prefix ?? ''}">
<label for="length">Random characters after the prefix</label><input type="number" id="length" name="length" min="1" max="50" step="1" value="${v.length ?? '8'}">
</fieldset>
<label for="start_date">Starts <span class="muted">(UTC; empty: now)</span></label><input type="datetime-local" id="start_date" name="start_date" value="${v.start_date ?? ''}">
<label for="expiration_date">Expires <span class="muted">(UTC; empty: never)</span></label><input type="datetime-local" id="expiration_date" name="expiration_date" value="${v.expiration_date ?? ''}">
<p><button type="submit">Create campaign</button> <a class="button secondary" href="${c.base}/campaigns">Cancel</a></p></form>`;
}

/** A datetime-local value read as UTC, in ISO form; null when it is not a date. */
export function utc(s: string): string | undefined | null {
  if (!s) return undefined;
  const d = new Date(`${s.length === 16 ? `${s}:00` : s}Z`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The discount of the form's `discount_type` and `discount_value` (percent, or an amount in hundredths); a problem as text. */
export function discountOf(v: Values): Record<string, unknown> | string {
  const value = Number(v.discount_value);
  if (!(value > 0)) return 'Give the percent or amount off (more than 0).';
  if (v.discount_type !== 'AMOUNT' && value > 100) return 'A percent off is at most 100.';
  return v.discount_type === 'AMOUNT' ? { type: 'AMOUNT', amount_off: cents(v.discount_value ?? '') } : { type: 'PERCENT', percent_off: value };
}

/** The form's `min_amount` in hundredths: undefined when empty, null when it is not an amount. */
export function minimumOf(v: Values): number | undefined | null {
  const min = v.min_amount?.trim() ? cents(v.min_amount) : undefined;
  return min !== undefined && !(min >= 0) ? null : min;
}

/** A referral reward from the form's campaign and amount (credits in hundredths, or points); a problem as text. */
function rewardOf(v: Values, prefix: string, rewards: RewardCampaign[], who: string): Record<string, unknown> | string | undefined {
  const id = v[`${prefix}_campaign`] ?? '';
  if (id === '') return undefined;
  const from = rewards.find((r) => r.id === id);
  if (!from) return `The ${who}'s reward campaign is not a gift card or loyalty campaign of this project.`;
  const gift = from.campaign_type === 'GIFT_VOUCHERS';
  const amount = gift ? cents(v[`${prefix}_amount`] ?? '') : Number(v[`${prefix}_amount`] || 'NaN');
  if (!(amount > 0) || !Number.isInteger(amount)) return `Give the ${who}'s reward as ${gift ? 'an amount of credits' : 'a whole number of points'}, more than 0.`;
  return { related_object_parent: { id: from.id }, type: gift ? 'GIFT_VOUCHER' : 'LOYALTY_CARD', amount };
}

/** The referral_program of a referral campaign from the form. */
function referralProgramOf(v: Values, rewards: RewardCampaign[]): Record<string, unknown> | string {
  const referee = rewardOf(v, 'referee_reward', rewards, 'referee');
  if (typeof referee === 'string') return referee;
  const tiers: Array<{ conversions: number; reward: Record<string, unknown> }> = [];
  for (const [prefix, count, who] of [['referrer_reward', 'referrer_conversions', 'referrer'], ['referrer2_reward', 'referrer2_conversions', 'further referrer']] as const) {
    const reward = rewardOf(v, prefix, rewards, who);
    if (typeof reward === 'string') return reward;
    if (!reward) continue;
    const conversions = Number(v[count] || (prefix === 'referrer_reward' ? '1' : 'NaN'));
    if (!Number.isInteger(conversions) || conversions < 1) return `The referrals before the ${who}'s reward are a whole number, 1 or more.`;
    tiers.push({ conversions, reward });
  }
  if (tiers.length === 2 && tiers[1]!.conversions <= tiers[0]!.conversions) return 'The further referrer reward comes after more referrals than the first.';
  const event = (v.conversion_event ?? '').trim();
  return {
    conversion_event_type: v.conversion === 'custom_event' ? 'custom_event' : 'redemption',
    ...(v.conversion === 'custom_event' && event ? { custom_event: { name: event } } : {}),
    ...(referee ? { referee_reward: referee } : {}),
    ...(tiers.length > 0 ? { referrer_rewards: tiers } : {}),
  };
}

/** The API's campaign body from the form, or what is wrong with the form. */
function inputOf(v: Values, rewards: RewardCampaign[]): { input?: CampaignInput; problem?: string; minAmount?: number } {
  const count = Number(v.vouchers_count || '0');
  const length = Number(v.length || '8');
  if (!Number.isInteger(count) || count < 0) return { problem: 'The number of codes is a whole number, 0 or more.' };
  if (!Number.isInteger(length) || length < 1 || length > 50) return { problem: 'The random characters are a whole number from 1 to 50.' };
  const codeConfig = { prefix: v.prefix ?? '', length, charset: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' };
  let voucher: Record<string, unknown>;
  if (v.campaign_type === 'LOYALTY_PROGRAM') {
    const points = Number(v.initial_points || '0');
    if (!Number.isInteger(points) || points < 0) return { problem: 'The points on a new card are a whole number, 0 or more.' };
    voucher = { type: 'LOYALTY_CARD', loyalty_card: { points }, code_config: codeConfig };
  } else if (v.campaign_type === 'GIFT_VOUCHERS') {
    const amount = cents(v.gift_amount ?? '');
    if (!(amount > 0)) return { problem: 'Give the amount on each gift card (more than 0).' };
    voucher = { type: 'GIFT_VOUCHER', gift: { amount }, code_config: codeConfig };
  } else {
    const discount = discountOf(v);
    if (typeof discount === 'string') return { problem: discount };
    voucher = { type: 'DISCOUNT_VOUCHER', discount, code_config: codeConfig };
  }
  if (v.campaign_type === 'PROMOTION') {
    const min = minimumOf(v);
    if (min === null) return { problem: 'The minimum order amount is a number, 0 or more.' };
    const name = (v.name ?? '').trim();
    const input = {
      name,
      ...(v.description?.trim() ? { description: v.description.trim() } : {}),
      campaign_type: 'PROMOTION',
      promotion: { tiers: [{ name, banner: name, action: { discount: (voucher as { discount: unknown }).discount } }] },
    };
    return withDates(input, v, min);
  }
  let referral: Record<string, unknown> | undefined;
  if (v.campaign_type === 'REFERRAL_PROGRAM') {
    const made = referralProgramOf(v, rewards);
    if (typeof made === 'string') return { problem: made };
    referral = made;
  }
  return withDates(
    {
      name: (v.name ?? '').trim(),
      ...(v.description?.trim() ? { description: v.description.trim() } : {}),
      campaign_type: v.campaign_type === 'GIFT_VOUCHERS' || v.campaign_type === 'LOYALTY_PROGRAM' || v.campaign_type === 'REFERRAL_PROGRAM' ? v.campaign_type : 'DISCOUNT_COUPONS',
      type: count > 0 ? 'STATIC' : 'AUTO_UPDATE',
      ...(count > 0 ? { vouchers_count: count } : {}),
      voucher,
      ...(referral ? { referral_program: referral } : {}),
    },
    v,
  );
}

/** The input with its start and expiry (from the form, read as UTC), checked against the API's campaign schema. */
function withDates(base: Record<string, unknown>, v: Values, minAmount?: number): { input?: CampaignInput; problem?: string; minAmount?: number } {
  const start = utc(v.start_date ?? '');
  const end = utc(v.expiration_date ?? '');
  if (start === null || end === null) return { problem: 'Give the dates as a day and a time (UTC).' };
  if (start && end && end <= start) return { problem: 'The campaign must expire after it starts.' };
  const input = { ...base, ...(start ? { start_date: start } : {}), ...(end ? { expiration_date: end } : {}) };
  const problem = bodyProblem(campaignInputSchema, input);
  return problem ? { problem } : { input: input as unknown as CampaignInput, ...(minAmount !== undefined ? { minAmount } : {}) };
}

/**
 * Campaigns › New campaign: discount codes, gift cards, a loyalty program, a promotion or a referral program, codes
 * generated in the background, as the signed-in user.
 */
export interface NewCampaignServices {
  campaigns: CampaignsService;
  loyalties: Pick<LoyaltiesService, 'changeBalance' | 'createProgram'>;
  promotions: Pick<PromotionsService, 'createCampaign'>;
  validationRules: Pick<ValidationRulesService, 'create' | 'remove' | 'assignNamed' | 'changed'>;
}

/**
 * Makes a promotion tier (`make`) with a minimum order amount: a validation rule, assigned to the tier in the
 * transaction that makes it (as the API does with a tier's `validation_rules`), and deleted again when the tier
 * cannot be made. Without a minimum, `make` alone.
 */
export async function withMinimumOrder<T>(
  s: Pick<NewCampaignServices, 'validationRules'>,
  cause: Cause,
  name: string,
  minAmount: number | undefined,
  make: (assign?: (tx: Executor, tierId: string) => Promise<void>) => Promise<T>,
): Promise<T> {
  if (minAmount === undefined) return make();
  const minimum: ValidationRuleInput & { name: string } = {
    name: `Minimum order of ${name}`,
    rules: { '1': { name: 'order.amount', conditions: { $more_than_or_equal: [minAmount] } }, logic: '1' },
  };
  const rule = await s.validationRules.create(cause, minimum);
  try {
    const made = await make((tx, tierId) => s.validationRules.assignNamed(tx, cause, [rule.id], 'promotion_tier', tierId));
    await s.validationRules.changed(cause.projectId);
    return made;
  } catch (err) {
    await s.validationRules.remove(cause, rule.id).catch(() => undefined);
    throw err;
  }
}

/** A promotion with its one tier, the minimum order amount a rule of that tier. */
const createPromotion = (s: NewCampaignServices, cause: Cause, input: CampaignInput, minAmount: number | undefined) =>
  withMinimumOrder(s, cause, input.name ?? '', minAmount, (assign) => s.promotions.createCampaign(cause, input, assign && ((tx, _c, tiers) => assign(tx, tiers[0]!.id))));

export function campaignNewRoutes(d: FastifyInstance, s: NewCampaignServices): void {
  /** The project's gift card and loyalty campaigns: where referral rewards can come from. */
  async function rewardCampaigns(projectId: string): Promise<RewardCampaign[]> {
    const { campaigns } = await s.campaigns.list(projectId, { limit: 100, page: 1 });
    return (campaigns as RewardCampaign[]).filter((x) => x.campaign_type === 'GIFT_VOUCHERS' || x.campaign_type === 'LOYALTY_PROGRAM');
  }

  d.get<P>('/p/:projectId/campaigns/new', async (req, reply) => {
    const c = await projectCtx(req);
    return c.render(reply, 'campaigns', 'New campaign', form(c, {}, await rewardCampaigns(c.project.id)));
  });

  d.post<P>('/p/:projectId/campaigns/new', async (req, reply) => {
    const c = await projectCtx(req);
    const names = ['name', 'description', 'campaign_type', 'discount_type', 'discount_value', 'min_amount', 'gift_amount', 'initial_points', 'vouchers_count', 'prefix', 'length', 'start_date', 'expiration_date'];
    const referralNames = ['conversion', 'conversion_event', 'referee_reward_campaign', 'referee_reward_amount', 'referrer_conversions', 'referrer_reward_campaign', 'referrer_reward_amount', 'referrer2_conversions', 'referrer2_reward_campaign', 'referrer2_reward_amount'];
    const values: Values = Object.fromEntries([...names, ...referralNames].map((n) => [n, field(req.body, n)]));
    const rewards = await rewardCampaigns(c.project.id);
    const fail = (error: string) => c.render(reply.code(400), 'campaigns', 'New campaign', form(c, values, rewards, error));
    const { input, problem, minAmount } = inputOf(values, rewards);
    if (!input) return fail(problem!);
    try {
      const cause = userCause(req, c.project.id, dashOf(req).session);
      // A loyalty program is made as POST /v1/loyalties makes it (its cards, their points and expiry).
      const created =
        input.campaign_type === 'LOYALTY_PROGRAM'
          ? await s.loyalties.createProgram(cause, input)
          : input.campaign_type === 'PROMOTION'
            ? await createPromotion(s, cause, input, minAmount)
            : await s.campaigns.create(cause, input);
      return c.done(reply, `${c.base}/campaigns/${encodeURIComponent(created.id)}`, `Campaign ${created.name} created.`);
    } catch (err) {
      // A name taken, a code pattern too small for the count...: said on the form, which keeps what was typed.
      const why = refusalText(err);
      if (why !== undefined) return fail(why);
      throw err;
    }
  });
}
