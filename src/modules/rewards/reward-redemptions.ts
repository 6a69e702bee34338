/**
 * Reward redemptions (`rwrd_`): the record of a loyalty card paying for a reward, written in the card's redemption
 * transaction, and turned ROLLEDBACK by that redemption's rollback (a limited reward's unit given back). Emits
 * customer.reward_redemptions.created (webhook), .completed and .rolledback (the holder's activity, distributions).
 */
import type { Clock } from '../../core/clock.js';
import { newSortableId } from '../../core/ids.js';
import type { Executor } from '../../store/db.js';
import { simpleCampaign, type CampaignRow } from '../campaigns/index.js';
import type { simpleCustomer } from '../customers/index.js';
import type { Cause, CausedEvent } from '../event-log/index.js';
import { simpleProduct, simpleSku } from '../products/index.js';
import { simpleVoucher, type VoucherRow } from '../vouchers/index.js';
import * as sql from './sql.js';
import { assignmentObject, rewardObject } from './view.js';

type Holder = ReturnType<typeof simpleCustomer> | undefined;

/** What a card paid for, as the reward_redemptions events carry it. */
export interface Paid {
  card: VoucherRow;
  campaign: CampaignRow | undefined;
  holder: Holder;
  reward: sql.RewardRow | undefined;
  assignment: sql.AssignmentRow | undefined;
  /** What the reward gave (a code, a card, a product). */
  given?: Record<string, unknown>;
}

/** Voucherify's RewardRedemption object (the schema has no nulls: absent ids are left out). */
function rewardRedemptionObject(x: sql.RewardRedemptionRow, state: 'CREATED' | sql.RewardRedemptionRow['state'] = x.state) {
  return {
    id: x.id,
    state,
    created_at: x.created_at.toISOString(),
    updated_at: x.updated_at.toISOString(),
    voucher_id: x.voucher_id,
    ...(x.campaign_id ? { campaign_id: x.campaign_id } : {}),
    ...(x.customer_id ? { customer_id: x.customer_id } : {}),
    reward_assignment_id: x.assignment_id,
    source_id: x.redemption_id,
    source_type: 'redemption',
  };
}

/** What a reward gave, as webhooks embed it (a product and SKU in their simple forms). */
export function simpleGiven(given: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!given) return {};
  const out = { ...given };
  if (given.product) out.product = simpleProduct(given.product as Parameters<typeof simpleProduct>[0]);
  if (given.sku) out.sku = simpleSku(given.sku as Parameters<typeof simpleSku>[0]);
  return out;
}

/** The reward redemption's events' data (also a test sendout's sample). */
export function eventData(x: Paid, row: sql.RewardRedemptionRow, state?: 'CREATED') {
  // The webhook schema's reward.parameters is a oneOf of three schemas without required properties, which no
  // parameters object can match exactly once: the events leave it out (the API's answers keep it).
  const reward = x.reward
    ? (({ parameters: _p, ...rest }) => rest)({ ...rewardObject(x.reward), customer: x.holder ?? null, assignment_id: row.assignment_id, voucher: null, product: null, sku: null, loyalty_tier_id: null, ...simpleGiven(x.given) })
    : null;
  return {
    customer: x.holder ?? null,
    holder: x.holder ?? null,
    voucher: simpleVoucher(x.card, x.campaign),
    campaign: x.campaign ? simpleCampaign(x.campaign) : null,
    reward_redemption: rewardRedemptionObject(row, state),
    reward,
    reward_assignment: x.assignment ? assignmentObject(x.assignment) : null,
  };
}

export function createRewardRedemptions(deps: { clock: Clock }) {
  return {
    /**
     * Records that a card's redemption paid `points` for a reward (its stock unit taken already: `counted` when it went
     * to the reward's counter); the events to record with it.
     */
    async recordIn(tx: Executor, cause: Cause, x: Paid & { redemptionId: string; points: number; counted: boolean; reward: sql.RewardRow; assignment: sql.AssignmentRow }): Promise<CausedEvent[]> {
      const now = deps.clock.now();
      const row: sql.RewardRedemptionRow = {
        id: newSortableId('rwrd', now),
        project_id: cause.projectId,
        redemption_id: x.redemptionId,
        reward_id: x.reward.id,
        assignment_id: x.assignment.id,
        voucher_id: x.card.id,
        campaign_id: x.campaign?.id ?? null,
        customer_id: x.holder?.id ?? null,
        points: x.points,
        counted: x.counted,
        state: 'COMPLETED',
        created_at: now,
        updated_at: now,
      };
      await sql.insertRewardRedemption(tx, row);
      const source = { id: x.redemptionId, type: 'redemption' };
      const created = eventData(x, row, 'CREATED');
      const events: CausedEvent[] = [{ cause, event: { type: 'customer.reward_redemptions.created', customerId: x.holder?.id ?? null, entityId: row.id, data: { ...created, source, balance: null } } }];
      if (x.holder) events.push({ cause, event: { type: 'customer.reward_redemptions.completed', customerId: x.holder.id, entityId: row.id, data: { ...eventData(x, row), source, balance: null, publication: null } } });
      return events;
    },

    /**
     * Turns the reward redemptions of a rolled-back redemption ROLLEDBACK, a limited reward's unit given back; the
     * holder's customer.reward_redemptions.rolledback for each.
     */
    async rollBackIn(tx: Executor, cause: Cause, x: { redemptionId: string; rollbackId: string; card: VoucherRow | undefined; campaign: CampaignRow | undefined; holder: Holder }): Promise<CausedEvent[]> {
      const rows = await sql.rollBackRewardRedemptions(tx, x.redemptionId, deps.clock.now());
      const card = x.card;
      if (!x.holder || !card) return [];
      const events: CausedEvent[] = [];
      for (const row of rows) {
        const reward = await sql.selectReward(tx, cause.projectId, row.reward_id);
        const assignment = (await sql.selectAssignments(tx, cause.projectId, { assignmentId: row.assignment_id }))[0];
        // The activity's schema: the source is the rollback's id, the balance a number (none here).
        const data = { ...eventData({ ...x, card, reward, assignment }, row), source: x.rollbackId, balance: null };
        events.push({ cause, event: { type: 'customer.reward_redemptions.rolledback', customerId: x.holder.id, entityId: row.id, data } });
      }
      return events;
    },
  };
}

export type RewardRedemptions = ReturnType<typeof createRewardRedemptions>;
