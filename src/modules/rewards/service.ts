import type { Clock } from '../../core/clock.js';
import { invalidPayload, missingReward, notFound, resourceInUse } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import { type CampaignRow, type CampaignsService } from '../campaigns/index.js';
import type { Cause, CausedEvent } from '../event-log/index.js';
import { mapPoints, type LoyaltiesService, type TierRow } from '../loyalties/index.js';
import { productObject, skuObject, type ProductsService } from '../products/index.js';
import type { PublicationsService } from '../publications/index.js';
import type { simpleCustomer } from '../customers/index.js';
import { simpleVoucher, type Balances, type VoucherRow } from '../vouchers/index.js';
import { createMemberRewards } from './member-rewards.js';
import { createRewardRedemptions } from './reward-redemptions.js';
import * as sql from './sql.js';
import { assignmentObject, rewardObject } from './view.js';

export interface RewardInput {
  name?: string;
  type?: 'CAMPAIGN' | 'MATERIAL' | 'COIN';
  parameters?: sql.RewardRow['parameters'];
  attributes?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  stock?: number | null;
}

export interface AssignmentInput {
  campaign?: string;
  reward?: string;
  parameters?: { loyalty?: { points?: number } };
}

/**
 * Rewards (`rew_`) that members of loyalty programs buy with points, assigned to programs with a price
 * (`rewa_`); redeeming one spends the points (one guarded statement), takes a unit of a limited stock (one guarded
 * statement) and gives what the reward is: a CAMPAIGN reward publishes a code of a discount campaign to the member,
 * adds credits to their gift card of a gift campaign or points to their card of another loyalty program. The card's
 * redemption itself is the redemptions module's; this one records the reward redemption with it.
 */
export function createRewardsService(deps: { db: Db; clock: Clock; campaigns: CampaignsService; loyalties: LoyaltiesService; publications: Pick<PublicationsService, 'publishFor' | 'heldOrPublished'>; balances: Pick<Balances, 'changeIn'>; products: Pick<ProductsService, 'getProduct' | 'getSku'> }) {
  const { db, clock } = deps;

  async function get(projectId: string, id: string): Promise<sql.RewardRow> {
    const r = await sql.selectReward(db, projectId, id);
    if (!r) throw notFound('reward', id);
    return r;
  }

  async function check(projectId: string, input: RewardInput, current?: sql.RewardRow): Promise<sql.RewardRow> {
    const type = current?.type ?? input.type;
    if (type !== 'CAMPAIGN' && type !== 'MATERIAL' && type !== 'COIN') throw invalidPayload('Property .type must be CAMPAIGN, MATERIAL or COIN');
    let parameters = input.parameters ?? current?.parameters ?? {};
    if (type === 'CAMPAIGN') {
      const id = parameters.campaign?.id;
      if (!id) throw invalidPayload('A CAMPAIGN reward needs parameters.campaign.id');
      const c = await deps.campaigns.get(projectId, id);
      const balance = parameters.campaign?.balance;
      if (c.campaign_type === 'GIFT_VOUCHERS' || c.campaign_type === 'LOYALTY_PROGRAM') {
        // Credits on the member's gift card, or points on their card of another program.
        const what = c.campaign_type === 'GIFT_VOUCHERS' ? 'credits (in the smallest currency unit)' : 'points';
        if (!Number.isInteger(balance) || (balance as number) < 1 || (balance as number) > 1e12) {
          throw invalidPayload(`A CAMPAIGN reward of ${c.campaign_type} campaign ${c.name} needs parameters.campaign.balance: the ${what} it gives, a positive integer (at most 1,000,000,000,000)`);
        }
        parameters = { ...parameters, campaign: { id: c.id, balance: balance as number, type: c.campaign_type } };
      } else if (c.campaign_type === 'DISCOUNT_COUPONS') {
        parameters = { ...parameters, campaign: { id: c.id, type: c.campaign_type } };
      } else {
        throw invalidPayload(`A CAMPAIGN reward gives a code of a DISCOUNT_COUPONS campaign, credits of a GIFT_VOUCHERS campaign or points of a LOYALTY_PROGRAM (${c.name} is ${c.campaign_type})`);
      }
    }
    if (type === 'MATERIAL' && input.parameters?.product !== undefined) {
      // The product (by id or source_id) and its SKU, when named, must exist: the member is given them.
      const named = parameters.product as { id?: unknown; sku_id?: unknown } | null;
      if (typeof named?.id !== 'string' || named.id === '') throw invalidPayload('A MATERIAL reward names its product in parameters.product.id');
      const product = await deps.products.getProduct(projectId, named.id);
      let skuId: string | null = null;
      if (named.sku_id !== undefined && named.sku_id !== null) {
        if (typeof named.sku_id !== 'string') throw invalidPayload('Property .parameters.product.sku_id must be a string or null');
        const sku = await deps.products.getSku(projectId, named.sku_id);
        if (sku.product_id !== product.id) throw invalidPayload(`SKU ${named.sku_id} is not a SKU of product ${product.name ?? product.id}`);
        skuId = sku.id;
      }
      parameters = { ...parameters, product: { id: product.id, sku_id: skuId } };
    }
    if (type === 'COIN') {
      const coin = parameters.coin ?? {};
      const ratio = coin.exchange_ratio;
      const per = coin.points_ratio ?? 1;
      // Payments count a millionth of a cent at the finest (exchange_ratio x 100 to 6 decimals): a finer ratio pays nothing.
      const fine = typeof ratio === 'number' ? Math.abs(ratio * 1e8 - Math.round(ratio * 1e8)) < 1e-6 : false;
      if (typeof ratio !== 'number' || !(ratio >= 1e-8) || ratio > 1e9 || !fine) {
        throw invalidPayload('A COIN reward needs parameters.coin.exchange_ratio: what points_ratio points are worth, in the currency (0.1 = ten cents), from 0.00000001 to 1,000,000,000 with at most 8 decimal places');
      }
      if (!Number.isInteger(per) || per < 1 || per > 1e12) throw invalidPayload('Property .parameters.coin.points_ratio must be a positive integer (the points worth exchange_ratio; 1 by default)');
      parameters = { ...parameters, coin: { exchange_ratio: ratio, points_ratio: per } };
    }
    const stock = input.stock !== undefined ? input.stock : (current?.stock ?? null);
    if (stock !== null && (!Number.isInteger(stock) || stock < 0)) throw invalidPayload('Property .stock must be a whole number of at least 0, or null');
    const name = input.name ?? current?.name;
    if (!name) throw invalidPayload("Property .name is required");
    const now = clock.now();
    return {
      id: current?.id ?? newId('rew'),
      project_id: projectId,
      name,
      type,
      parameters,
      attributes: input.attributes ?? current?.attributes ?? {},
      metadata: input.metadata ?? current?.metadata ?? {},
      stock,
      redeemed: current?.redeemed ?? 0,
      created_at: current?.created_at ?? now,
      updated_at: current ? now : null,
    };
  }

  /** An assignment row for a reward priced in a program, checked (the reward and the program read, the price valid). */
  async function assignmentRow(projectId: string, rewardId: string, campaignId: string, points: unknown): Promise<sql.AssignmentRow> {
    const reward = await get(projectId, rewardId);
    // A COIN reward has no price: the member chooses the points to pay with.
    if (reward.type === 'COIN' && points === undefined) points = 0;
    else if (!Number.isInteger(points) || (points as number) < 1 || (points as number) > 1e12) throw invalidPayload('Property .parameters.loyalty.points must be a positive integer (at most 1,000,000,000,000)');
    const program = await deps.loyalties.program(projectId, campaignId);
    // Points of a program bought with that program's points would pay for themselves: another program's only.
    if (reward.type === 'CAMPAIGN' && reward.parameters.campaign?.id === program.id) {
      throw invalidPayload(`Reward ${reward.name} gives points of ${program.name}: a CAMPAIGN reward of a program's points is sold by another program`);
    }
    return { id: newId('rewa'), project_id: projectId, reward_id: rewardId, campaign_id: program.id, points: points as number, created_at: clock.now(), updated_at: null };
  }

  async function insertAssignment(ex: Executor, row: sql.AssignmentRow) {
    if (!(await sql.insertAssignment(ex, row))) throw resourceInUse(`Reward ${row.reward_id} is assigned to ${row.campaign_id} already`);
    return assignmentObject(row);
  }

  async function assign(projectId: string, rewardId: string, campaignId: string, points: unknown) {
    return insertAssignment(db, await assignmentRow(projectId, rewardId, campaignId, points));
  }

  /** Several rewards priced in one program at once (the SDK's createRewardAssignments): all of them or none. */
  async function assignMany(projectId: string, campaignId: string, items: Array<{ reward?: string; points?: unknown }>) {
    const rows: sql.AssignmentRow[] = [];
    for (const item of items) rows.push(await assignmentRow(projectId, item.reward ?? '', campaignId, item.points));
    return db.transaction(async (tx) => {
      const out = [];
      for (const row of rows) out.push(await insertAssignment(tx, row));
      return out;
    });
  }

  async function assignment(projectId: string, id: string, by: { rewardId?: string; campaignId?: string }) {
    const a = (await sql.selectAssignments(db, projectId, by)).find((x) => x.id === id);
    if (!a) throw notFound('reward_assignment', id);
    return a;
  }

  /** What a MATERIAL reward gives: its product and SKU as they are now (none when deleted since). */
  async function materialOf(tx: Executor, reward: sql.RewardRow): Promise<{ given?: Record<string, unknown> }> {
    const named = reward.parameters.product;
    if (!named?.id) return {};
    const product = await deps.products.getProduct(reward.project_id, named.id, tx).catch(() => undefined);
    const sku = named.sku_id ? await deps.products.getSku(reward.project_id, named.sku_id, tx).catch(() => undefined) : undefined;
    if (!product) return {};
    const { skus: _s, ...shown } = productObject(product);
    return { given: { product: shown, sku: sku ? skuObject(sku) : null } };
  }

  /**
   * Gives what a reward is to the member, in the caller's transaction: takes a unit of a limited stock (one guarded
   * statement; resource_in_use when none is left), then publishes a code, adds gift credits or points of another
   * program. MATERIAL rewards are only counted; COIN rewards are given as the order's discount by the redemption.
   */
  async function giveIn(tx: Executor, cause: Cause, reward: sql.RewardRow, holder: ReturnType<typeof simpleCustomer> | undefined): Promise<{ given?: Record<string, unknown>; events: CausedEvent[]; counted: boolean }> {
    const took = await sql.takeStock(tx, reward);
    if (!took) throw resourceInUse(`Reward ${reward.name} is out of stock`);
    const counted = took === 'counted';
    return { ...(await give(tx, cause, reward, holder)), counted };
  }

  async function give(tx: Executor, cause: Cause, reward: sql.RewardRow, holder: ReturnType<typeof simpleCustomer> | undefined): Promise<{ given?: Record<string, unknown>; events: CausedEvent[] }> {
    const events: CausedEvent[] = [];
    if (reward.type === 'MATERIAL') return { events, ...(await materialOf(tx, reward)) };
    const target = reward.parameters.campaign;
    if (reward.type !== 'CAMPAIGN' || !holder || !target) return { events };
    const metadata = { source_type: 'reward', source_id: reward.id };
    const owner = (await deps.campaigns.byIds(tx, cause.projectId, [target.id]))[0];
    if (target.type === 'GIFT_VOUCHERS' && target.balance) {
      const card = await deps.publications.heldOrPublished(tx, cause, { campaignId: target.id, customerId: holder.id, metadata });
      if (!card || card.type !== 'GIFT_VOUCHER') throw resourceInUse(`The gift campaign of reward ${reward.name} has no card to give`);
      const credited = await deps.balances.changeIn(tx, cause, card, { amount: target.balance, reason: `Reward ${reward.name}` });
      return { given: { voucher: simpleVoucher(credited.voucher, owner) }, events: credited.events };
    }
    if (target.type === 'LOYALTY_PROGRAM' && target.balance) {
      const awarded = await deps.loyalties.awardIn(tx, cause, { programId: target.id, customerId: holder.id, points: target.balance, reason: `Reward ${reward.name}`, holder, metadata });
      if (!awarded) throw resourceInUse(`The loyalty program of reward ${reward.name} has no card to give`);
      return { given: { voucher: simpleVoucher(awarded.card, owner) }, events: awarded.events };
    }
    const published = await deps.publications.publishFor(tx, cause, { campaignId: target.id, customerId: holder.id, channel: 'API', metadata });
    if (!published) throw resourceInUse(`The campaign of reward ${reward.name} has no code to give`);
    return { given: { voucher: published.voucher }, events };
  }

  /**
   * The reward a loyalty card names in a validation or redemption (`reward.id`), with its assignment in the card's
   * program: missing_reward without an id, 404 for a reward the program does not offer.
   */
  async function quote(tx: Executor, projectId: string, card: VoucherRow, program: CampaignRow | undefined, input: { id?: unknown } | undefined): Promise<{ reward: sql.RewardRow; assignment: sql.AssignmentRow; price: number }> {
    const programId = program?.id ?? null;
    const rewardId = input?.id;
    if (typeof rewardId !== 'string' || rewardId === '') throw missingReward('A loyalty card pays for a reward: name it in the redeemable (reward.id)');
    const reward = await sql.selectReward(tx, projectId, rewardId);
    if (!reward) throw notFound('reward', rewardId);
    const a = programId ? (await sql.selectAssignments(tx, projectId, { rewardId, campaignId: programId }))[0] : undefined;
    if (!a) throw notFound('reward_assignment', `${rewardId} in ${programId ?? 'a card without a program'}`);
    const price = await deps.loyalties.rewardPrice(tx, projectId, { card, campaign: program }, Number(a.points), [reward.id, a.id]);
    return { reward, assignment: a, price };
  }

  return {
    async create(projectId: string, input: RewardInput) {
      const row = await check(projectId, input);
      await sql.insertReward(db, row);
      return rewardObject(row);
    },
    get: async (projectId: string, id: string) => rewardObject(await get(projectId, id)),
    async update(projectId: string, id: string, input: RewardInput) {
      const current = await get(projectId, id);
      const row = await check(projectId, input, current);
      // Points of a program it is sold by would pay for themselves (as at assignment).
      const gives = row.type === 'CAMPAIGN' ? row.parameters.campaign?.id : undefined;
      if (gives && gives !== current.parameters.campaign?.id && (await sql.selectAssignments(db, projectId, { rewardId: id })).some((a) => a.campaign_id === gives)) {
        throw invalidPayload(`Reward ${row.name} is sold by the program ${gives}: a CAMPAIGN reward of a program's points is sold by another program`);
      }
      if (!(await db.transaction((tx) => sql.updateReward(tx, row)))) throw invalidPayload(`Property .stock cannot be below the ${current.redeemed} units of reward ${current.name} redeemed already`);
      return rewardObject(row);
    },
    async remove(projectId: string, id: string) {
      if (!(await sql.deleteReward(db, projectId, id))) throw notFound('reward', id);
    },
    async list(projectId: string, q: { limit: number; page: number; assignment_id?: string }) {
      const { rows, total } = await sql.selectRewards(db, projectId, q.limit, (q.page - 1) * q.limit, q.assignment_id);
      return { object: 'list' as const, data_ref: 'data' as const, data: rows.map(rewardObject), total };
    },
    assign,
    assignMany,
    /** A program's assignments with their rewards, oldest assignment first, in one read. */
    async programRewards(projectId: string, campaignId: string) {
      return (await sql.selectProgramRewards(db, projectId, campaignId)).map((o) => ({ assignment: assignmentObject(o.assignment), reward: rewardObject(o.reward) }));
    },
    /** A reward's or a program's assignments, oldest first, a page at a time (`total` counts them all). */
    async assignments(projectId: string, by: { rewardId?: string; campaignId?: string; assignmentId?: string }, page: { limit: number; page: number } = { limit: 100, page: 1 }) {
      if (by.rewardId) await get(projectId, by.rewardId);
      const rows = await sql.selectAssignments(db, projectId, by, { limit: page.limit, offset: (page.page - 1) * page.limit });
      const total = await sql.countAssignments(db, projectId, by);
      return { object: 'list' as const, data_ref: 'data' as const, data: rows.map(assignmentObject), total };
    },
    /** GET /v1/loyalties/{id}/tiers/{tierId}/rewards: the program's rewards, priced as the tier sets. */
    async tierRewards(projectId: string, programId: string, tier: TierRow) {
      const assignments = await sql.selectAssignments(db, projectId, { campaignId: programId });
      const data = [];
      for (const a of assignments) {
        const reward = await sql.selectReward(db, projectId, a.reward_id);
        if (!reward) continue;
        const points = mapPoints(Number(a.points), tier.rewards?.[reward.id] ?? tier.rewards?.[a.id]);
        data.push({ reward: rewardObject(reward), assignment: assignmentObject({ ...a, points }), object: 'loyalty_tier_reward' as const });
      }
      return { object: 'list' as const, data_ref: 'data' as const, data, total: data.length };
    },
    getAssignment: async (projectId: string, id: string, by: { rewardId?: string; campaignId?: string }) => assignmentObject(await assignment(projectId, id, by)),
    async updateAssignment(projectId: string, id: string, by: { rewardId?: string; campaignId?: string }, points: unknown) {
      if (!Number.isInteger(points) || (points as number) < 1 || (points as number) > 1e12) throw invalidPayload('Property .parameters.loyalty.points must be a positive integer (at most 1,000,000,000,000)');
      const a = { ...(await assignment(projectId, id, by)), points: points as number, updated_at: clock.now() };
      await sql.updateAssignment(db, a);
      return assignmentObject(a);
    },
    async unassign(projectId: string, id: string, by: { rewardId?: string; campaignId?: string }) {
      await assignment(projectId, id, by);
      await sql.deleteAssignment(db, projectId, id);
    },
    ...createMemberRewards({ db, loyalties: deps.loyalties }),
    ...createRewardRedemptions({ clock }),
    quote,
    giveIn,
    rewardObject,
    assignmentObject,
  };
}

export type RewardsService = ReturnType<typeof createRewardsService>;
