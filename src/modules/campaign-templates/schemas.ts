import { campaignInputSchema, codeConfigSchema, redemptionSchema } from '../campaigns/index.js';
import { tierInputSchema } from '../promotions/index.js';

const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const description = { type: ['string', 'null'], maxLength: 5000 } as const;
const id = { type: ['string', 'null'], minLength: 1, maxLength: 200 } as const;

export const templateInputSchema = {
  type: 'object',
  required: ['name'],
  properties: { name, description, campaign_id: id, promotion_tier_id: id },
} as const;

export const templateUpdateSchema = { type: 'object', properties: { name, description } } as const;

export const copyInputSchema = {
  type: 'object',
  required: ['name', 'destination_project_id'],
  properties: { name, description, destination_project_id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const { campaign_type: _type, promotion: _promotion, referral_program: _referral, loyalty_tiers_expiration: _tiers, voucher: _voucher, ...campaignProperties } = campaignInputSchema.properties;

/** A campaign setup: the new campaign's name and what it changes of the template. */
export const campaignSetupSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    ...campaignProperties,
    voucher: { type: ['object', 'null'], properties: { code_config: codeConfigSchema, redemption: redemptionSchema } },
  },
} as const;

/** A tier setup: the PROMOTION campaign, the tier's name, and what it changes of the template. */
export const tierSetupSchema = {
  type: 'object',
  required: ['campaign_id', 'name'],
  properties: { ...tierInputSchema.properties, campaign_id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const templateListQuery = (limitParam: Record<string, unknown>) => {
  const conditions = { type: 'object', properties: { conditions: { type: 'object' } } } as const;
  return {
    type: 'object',
    properties: {
      limit: limitParam,
      order: { type: 'string', enum: ['id', '-id'] },
      starting_after_id: { type: 'string', maxLength: 200 },
      include_total: { type: 'boolean' },
      filters: { type: 'object', properties: { id: conditions, name: conditions, campaign_type: conditions, junction: { type: 'string', enum: ['and', 'AND'] } } },
    },
  } as const;
};
