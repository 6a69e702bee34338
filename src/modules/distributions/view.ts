import type { DistributionRow } from './types.js';

/** Our distribution object (Voucherify keeps distributions in its dashboard; statuses as its SimpleDistribution). */
export function distributionObject(d: DistributionRow) {
  return {
    id: d.id,
    object: 'distribution',
    name: d.name,
    status: d.status,
    paused_reason: d.paused_reason,
    trigger: d.trigger,
    purpose: d.purpose,
    campaign_id: d.campaign_id,
    channel: d.channel,
    distribution_channels: ['webhook'],
    created_at: d.created_at.toISOString(),
    updated_at: d.updated_at ? d.updated_at.toISOString() : null,
  };
}

/** SimpleDistribution, as manual_distribution_schedule payloads carry it. */
export function simpleDistribution(d: DistributionRow) {
  return {
    id: d.id,
    created_at: d.created_at.toISOString(),
    updated_at: d.updated_at ? d.updated_at.toISOString() : null,
    status: d.status,
    parameters: { method: 'direct' },
    consents: { disabled: true },
    set_live_at: null,
    distribution_channels: ['webhook'],
  };
}
