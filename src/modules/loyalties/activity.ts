import { activityObject, type EventLog } from '../event-log/index.js';
import type { LoyaltiesService } from './service.js';

/** Tier moves name the program, not the card: a member holds one card per program, so they are the card's too. */
const tierTypes = ['customer.loyalty.tier.joined', 'customer.loyalty.tier.upgraded', 'customer.loyalty.tier.downgraded', 'customer.loyalty.tier.prolonged', 'customer.loyalty.tier.left', 'customer.loyalty.tier.expiration.changed'];

export interface MemberActivityQuery {
  limit: number;
  order: 'created_at' | '-created_at';
  starting_after_id?: string;
}

/**
 * A member's activity: the records of the card holder's activity that concern the card (those naming it: points
 * added, expired, pending, rewards bought, redemptions, its publication) and the holder's tier moves in its program.
 * The event log is read, not copied: the card's activity is a filter on the holder's.
 */
export function createMemberActivity(deps: { log: Pick<EventLog, 'listActivity' | 'countActivity'>; loyalties: Pick<LoyaltiesService, 'program' | 'card'> }) {
  /** The card (of the program, when one is named: an unknown program is a 404 of its own) and its filter. */
  async function scope(projectId: string, memberId: string, programId: string | undefined) {
    const program = programId !== undefined ? await deps.loyalties.program(projectId, programId) : undefined;
    const { card } = await deps.loyalties.card(projectId, memberId, program?.id);
    const voucher = { id: card.id, ...(card.campaign_id ? { campaign: { id: card.campaign_id, types: tierTypes } } : {}) };
    return { holderId: card.holder_id, voucher };
  }

  /** GET /v1/loyalties/{id}/members/{code}/activity (and without the program): MemberActivity, paged by cursor. */
  async function list(projectId: string, memberId: string, q: MemberActivityQuery, programId?: string) {
    const { holderId, voucher } = await scope(projectId, memberId, programId);
    const page = holderId ? await deps.log.listActivity(projectId, holderId, { ...q, voucher }) : { records: [], hasMore: false };
    const data = page.records.map(activityObject);
    return { object: 'list' as const, data_ref: 'data' as const, data, has_more: page.hasMore, ...(page.hasMore ? { more_starting_after: data.at(-1)!.id } : {}) };
  }

  /** The deprecated .../activities, in the envelope the SDK's getMemberActivities declares (`activities`, `total`). */
  async function legacyList(projectId: string, memberId: string, q: MemberActivityQuery, programId?: string) {
    const { holderId, voucher } = await scope(projectId, memberId, programId);
    if (!holderId) return { object: 'list' as const, data_ref: 'activities' as const, activities: [], total: 0, has_more: false };
    const [page, total] = await Promise.all([deps.log.listActivity(projectId, holderId, { ...q, voucher }), deps.log.countActivity(projectId, holderId, { voucher })]);
    const activities = page.records.map((r) => ({ ...activityObject(r), object: 'event' as const }));
    return { object: 'list' as const, data_ref: 'activities' as const, activities, total, has_more: page.hasMore, ...(page.hasMore ? { more_starting_after: activities.at(-1)!.id } : {}) };
  }

  return { list, legacyList };
}

export type MemberActivity = ReturnType<typeof createMemberActivity>;
