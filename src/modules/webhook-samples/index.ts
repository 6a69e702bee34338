/**
 * Sample data of test sendouts (POST .../webhooks/{id}/test). Glossary:
 * - sample world: one test customer, campaigns and codes of each kind, an order (fixtures.ts), every id `..._test...`
 *   so a receiver can tell a sample from a real event.
 * - sample: what a real event of the type carries, about that world, built with the emitting module's own views
 *   (catalog.ts, activity.ts, loyalty.ts, rewards.ts), so it validates like a real payload.
 * It sits above the domains it samples and gives webhooks (below them) its samples at composition.
 */
import type { Sample, WebhooksService } from '../webhooks/index.js';
import { defineModule } from '../module.js';
import { activitySample } from './activity.js';
import { catalogSample } from './catalog.js';
import { sampleWorld } from './fixtures.js';
import { loyaltySample } from './loyalty.js';
import { rewardsSample } from './rewards.js';

const builders = [catalogSample, activitySample, loyaltySample, rewardsSample];

/** Where the entity a real event of the type names (event.entity_id) is in its data; the first match counts. */
const entityPaths: ReadonlyArray<readonly [RegExp, string]> = [
  [/^campaign\.promotion_tier\./, 'promotion_tier'],
  [/^campaign\.loyalty_tier\./, 'loyalty_tier'],
  [/^campaign\./, 'campaign'],
  [/^voucher\.(gift|loyalty_card)\.transaction\./, 'transaction'],
  [/^voucher\.loyalty_card\.pending_points\./, 'pending_points'],
  [/^voucher\./, 'voucher'],
  [/^publication\./, 'publication'],
  [/^business_validation_rule\.assignment\./, 'assignment'],
  [/^business_validation_rule\./, 'rule'],
  [/^redemption\.rollback\./, 'redemption_rollback'],
  [/^redemption\./, 'redemption'],
  [/^customer\.order\./, 'order'],
  [/^customer\.reward_redemptions\./, 'reward_redemption'],
  [/^customer\.holder\.assignment\./, 'holder'],
  [/^customer\.rewarded/, 'voucher'],
];

function entityOf(type: string, data: Record<string, unknown>): string | null {
  const key = entityPaths.find(([pattern]) => pattern.test(type))?.[1];
  const entity = key ? (data[key] as { id?: unknown } | null | undefined) : undefined;
  return typeof entity?.id === 'string' ? entity.id : null;
}

/** The sample of an event type at `now`: its data and the entity it names; undefined for a type these modules do not emit. */
export function sampleFor(type: string, now: Date): Sample | undefined {
  const world = sampleWorld(now);
  for (const build of builders) {
    const data = build(world, type);
    if (data) return { data, entityId: entityOf(type, data) };
  }
  return undefined;
}

export const webhookSamplesModule = defineModule<Record<string, never>, { webhooks: Pick<WebhooksService, 'addSamples'> }>({
  name: 'webhook-samples',
  create: ({ services }) => {
    services.webhooks.addSamples(sampleFor);
    return { services: {} };
  },
});
