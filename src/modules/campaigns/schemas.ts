import { amountEffects, oneUnitEffects, orderOrItemsEffects, unitEffects } from '../discounts/index.js';
import { campaignTypes } from './types.js';

/** ISO 8601 durations as Voucherify takes them (P24D, PT1H, P1Y2M...). */
export const isoDuration = '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$';
const time = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' } as const;
const dateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const days = { type: ['array', 'null'], items: { type: 'integer', minimum: 0, maximum: 6 }, uniqueItems: true, maxItems: 7 } as const;

export const validityProperties = {
  start_date: dateTime,
  expiration_date: dateTime,
  validity_timeframe: {
    type: ['object', 'null'],
    additionalProperties: false,
    required: ['interval', 'duration'],
    properties: { interval: { type: 'string', pattern: isoDuration }, duration: { type: 'string', pattern: isoDuration } },
  },
  validity_day_of_week: days,
  validity_hours: {
    type: ['object', 'null'],
    properties: {
      daily: {
        type: 'array',
        maxItems: 50,
        items: { type: 'object', required: ['start_time', 'expiration_time'], properties: { start_time: time, expiration_time: time, days_of_week: days } },
      },
    },
  },
} as const;

export const codeConfigSchema = {
  type: 'object',
  properties: {
    length: { type: 'integer', minimum: 1, maximum: 100 },
    charset: { type: 'string', minLength: 1, maxLength: 1000 },
    prefix: { type: 'string', maxLength: 100 },
    postfix: { type: 'string', maxLength: 100 },
    pattern: { type: 'string', minLength: 1, maxLength: 100 },
    initial_count: { type: 'integer', minimum: 0 },
  },
} as const;

/**
 * Voucherify's expiration_rules of loyalty points, bounded so that every expiry day is a real date: MONTH with
 * period_value months (at most 100 years) and an optional rounding, or FIXED_DAY_OF_YEAR with fixed_month/fixed_day.
 */
export const expirationRulesSchema = {
  type: ['object', 'null'],
  properties: {
    period_type: { type: 'string', enum: ['MONTH', 'FIXED_DAY_OF_YEAR'] },
    period_value: { type: 'integer', minimum: 0, maximum: 1200 },
    rounding_type: { type: 'string', enum: ['END_OF_MONTH', 'END_OF_QUARTER', 'END_OF_HALF_YEAR', 'END_OF_YEAR', 'PARTICULAR_MONTH'] },
    rounding_value: { type: 'integer', minimum: 1, maximum: 12 },
    fixed_month: { type: 'integer', minimum: 1, maximum: 12 },
    fixed_day: { type: 'integer', minimum: 1, maximum: 31 },
  },
} as const;

export const discountSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['AMOUNT', 'PERCENT', 'UNIT', 'FIXED'] },
    amount_off: { type: 'number', minimum: 0 },
    percent_off: { type: 'number', minimum: 0, maximum: 100 },
    amount_limit: { type: 'number', minimum: 0 },
    unit_off: { type: 'number', minimum: 0 },
    unit_type: { type: 'string' },
    fixed_amount: { type: 'number', minimum: 0 },
    aggregated_amount_limit: { type: 'integer', minimum: 0 },
    // Which effects a type takes is checked below (allOf), so that the message lists that type's own.
    effect: { type: 'string' },
    // ADD_MANY_ITEMS: several units, each as a one-unit discount.
    units: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'object', required: ['unit_type'], properties: { unit_off: { type: 'number', minimum: 0 }, unit_type: { type: 'string', minLength: 1 }, effect: { type: 'string', enum: [...oneUnitEffects] } } },
    },
  },
  // A discount names its value and one of its type's effects (the official enums): checked here so that codes, their
  // updates, campaigns, promotion tiers and imports are refused alike. Discounts stored before are read as they are.
  allOf: [
    { if: { required: ['type'], properties: { type: { const: 'AMOUNT' } } }, then: { required: ['amount_off'], properties: { effect: { enum: [...amountEffects] } } } },
    { if: { required: ['type'], properties: { type: { const: 'PERCENT' } } }, then: { required: ['percent_off'], properties: { effect: { enum: [...orderOrItemsEffects] } } } },
    { if: { required: ['type'], properties: { type: { const: 'FIXED' } } }, then: { required: ['fixed_amount'], properties: { effect: { enum: [...orderOrItemsEffects] } } } },
    { if: { required: ['type'], properties: { type: { const: 'UNIT' } } }, then: { anyOf: [{ required: ['unit_type'] }, { required: ['units'] }], properties: { effect: { enum: [...unitEffects] } } } },
    // Several units (units) are the ADD_MANY_ITEMS effect, and that effect needs them.
    { if: { required: ['units'] }, then: { properties: { effect: { enum: ['ADD_MANY_ITEMS'] } } } },
    { if: { required: ['effect'], properties: { effect: { const: 'ADD_MANY_ITEMS' } } }, then: { required: ['units'] } },
  ],
} as const;

export const giftSchema = {
  type: 'object',
  required: ['amount'],
  additionalProperties: false,
  properties: {
    amount: { type: 'integer', minimum: 0, maximum: 1e15 },
    balance: { type: 'integer', minimum: 0, maximum: 1e15 },
    effect: { type: 'string', enum: ['APPLY_TO_ORDER', 'APPLY_TO_ITEMS'] },
  },
} as const;

export const loyaltyCardSchema = {
  type: 'object',
  required: ['points'],
  properties: { points: { type: 'integer', minimum: 0, maximum: 1e15 }, expiration_rules: expirationRulesSchema },
} as const;

export const redemptionSchema = {
  type: 'object',
  // The redeemed count is a 32-bit integer: a larger limit could never be checked.
  properties: { quantity: { type: ['integer', 'null'], minimum: 1, maximum: 2_147_483_647 } },
} as const;

const metadata = { type: ['object', 'null'] } as const;

/** A referral reward: points on a loyalty card or credits on a gift card of a campaign. */
const rewardSchema = {
  type: 'object',
  required: ['related_object_parent', 'type', 'amount'],
  properties: {
    related_object_parent: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, name: { type: 'string' }, object: { type: 'string', enum: ['CAMPAIGN'] } } },
    type: { type: 'string', enum: ['LOYALTY_CARD', 'GIFT_VOUCHER'] },
    amount: { type: 'integer', minimum: 1, maximum: 1e12 },
  },
} as const;

export const campaignInputSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: ['string', 'null'], maxLength: 5000 },
    // The rule to assign to the new campaign (Voucherify takes one).
    validation_rules: { type: 'array', maxItems: 1, items: { type: 'string', minLength: 1, maxLength: 200 } },
    campaign_type: { type: 'string', enum: [...campaignTypes] },
    type: { type: 'string', enum: ['AUTO_UPDATE', 'STATIC', 'STANDALONE'] },
    join_once: { type: 'boolean' },
    auto_join: { type: 'boolean' },
    use_voucher_metadata_schema: { type: 'boolean' },
    vouchers_count: { type: 'integer', minimum: 0, maximum: 10_000_000 },
    activity_duration_after_publishing: { type: ['string', 'null'], pattern: isoDuration },
    category_id: { type: ['string', 'null'], maxLength: 200 },
    category: { type: ['string', 'null'], maxLength: 200 },
    metadata,
    ...validityProperties,
    voucher: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['DISCOUNT_VOUCHER', 'GIFT_VOUCHER', 'LOYALTY_CARD'] },
        discount: discountSchema,
        gift: giftSchema,
        loyalty_card: loyaltyCardSchema,
        code_config: codeConfigSchema,
        redemption: redemptionSchema,
        is_referral_code: { type: 'boolean' },
        code: { type: 'string', minLength: 1, maxLength: 100 },
      },
    },
    promotion: { type: 'object', properties: { tiers: { type: 'array', maxItems: 100 } } },
    loyalty_tiers_expiration: {
      type: 'object',
      required: ['qualification_type'],
      properties: {
        qualification_type: { type: 'string', enum: ['BALANCE', 'POINTS_IN_PERIOD'] },
        qualification_period: { type: 'string', enum: ['MONTH', 'QUARTER', 'HALF_YEAR', 'YEAR'] },
        start_date: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['IMMEDIATE', 'NEXT_PERIOD'] } } },
        expiration_date: {
          type: 'object',
          required: ['type'],
          properties: {
            type: { type: 'string', enum: ['END_OF_PERIOD', 'END_OF_NEXT_PERIOD', 'BALANCE_DROP', 'CUSTOM'] },
            extend: { type: 'string', maxLength: 20 },
            rounding: {
              type: 'object',
              properties: {
                type: { type: 'string', enum: ['MONTH', 'QUARTER', 'HALF_YEAR', 'YEAR', 'CUSTOM'] },
                strategy: { type: 'string', enum: ['START', 'END'] },
                unit: { type: 'string', enum: ['MONTH'] },
                value: { type: 'integer', minimum: 0, maximum: 11 },
              },
            },
          },
        },
      },
    },
    referral_program: {
      type: 'object',
      properties: {
        conversion_event_type: { type: 'string', enum: ['redemption', 'custom_event'] },
        custom_event: { type: 'object', properties: { id: { type: 'string', maxLength: 200 }, name: { type: 'string', minLength: 1, maxLength: 300 } } },
        referee_reward: rewardSchema,
        // Tessera's extension: what a referrer gets when their conversions in the program reach a number.
        referrer_rewards: {
          type: 'array',
          maxItems: 20,
          items: { type: 'object', required: ['conversions', 'reward'], properties: { conversions: { type: 'integer', minimum: 1, maximum: 1e6 }, reward: rewardSchema } },
        },
      },
    },
  },
} as const;

export const categoryInputSchema = {
  type: 'object',
  required: ['name', 'hierarchy'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, hierarchy: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
} as const;
