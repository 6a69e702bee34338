/**
 * GET /v1/campaigns/{id}/summary: a campaign's figures over a period (whole days, UTC; all time by default), by its
 * type: redemptions, rollbacks and validations for all; codes and publications for code campaigns; discounts for
 * discount and promotion campaigns; credits for gift cards; points for loyalty programs; referees for referral
 * programs. What Tessera does not record is 0 and said so in the README: failed rollbacks and publications (refused
 * requests leave no row), deleted codes and what they held.
 */
import { invalidQueryParams } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import type { CampaignsService } from '../campaigns/index.js';
import * as sql from './sql.js';

export interface SummaryQuery {
  start_date?: string;
  end_date?: string;
}

const day = 86_400_000;
const magnitude = (m: Map<string, number>, type: string) => Math.abs(m.get(type) ?? 0);

/** The days a period may name: the database's timestamps have no year 0, and the day after end_date is its bound. */
export const firstSummaryDay = '0001-01-01';
export const lastSummaryDay = '9999-12-30';

/** Whether a text is a day (YYYY-MM-DD) a summary's period may start or end on. */
export const isSummaryDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && v >= firstSummaryDay && v <= lastSummaryDay;

function periodOf(q: SummaryQuery): sql.Period {
  const parse = (v: string, what: string) => {
    if (!isSummaryDay(v)) throw invalidQueryParams(`Query ${what} must be a date (YYYY-MM-DD) from ${firstSummaryDay} to ${lastSummaryDay}`);
    return new Date(`${v}T00:00:00Z`);
  };
  const from = q.start_date ? parse(q.start_date, 'start_date') : new Date(Date.UTC(1970, 0, 1));
  // end_date is the last day counted.
  const to = q.end_date ? new Date(parse(q.end_date, 'end_date').getTime() + day) : new Date(Date.UTC(9999, 0, 1));
  if (to <= from) throw invalidQueryParams('Query end_date must not be before start_date');
  return { from, to };
}

export function createCampaignSummary(deps: { db: Db; campaigns: Pick<CampaignsService, 'counted' | 'view'>; flushValidations?: () => Promise<void> }) {
  const { db } = deps;
  return {
    async summary(projectId: string, idOrName: string, q: SummaryQuery) {
      const p = periodOf(q);
      // Counted: the campaign shown has its vouchers_count, as GET /v1/campaigns/{id} answers it.
      const c = await deps.campaigns.counted(projectId, idOrName);
      // This process's latest validation counts, so that a summary read right after validating shows them.
      await deps.flushValidations?.();
      const r = await sql.redemptionFigures(db, c.id, p);
      const rollbacks = await sql.rollbackCount(db, c.id, p);
      const base = {
        object: 'campaign_summary' as const,
        campaign: await deps.campaigns.view(projectId, c),
        redemptions: r.redemptions,
        redemptions_succeeded: r.redemptions_succeeded,
        redemptions_failed: r.redemptions_failed,
        rollbacks,
        rollbacks_succeeded: rollbacks,
        rollbacks_failed: 0,
        ...(await sql.validationFigures(db, c.id, p)),
        orders_amount: r.orders_amount,
        orders_rolledback_amount: r.orders_rolledback_amount,
      };
      const discounts = { discounted_amount: r.discounted_amount, rolledback_discounted_amount: r.rolledback_discounted_amount };
      if (c.campaign_type === 'PROMOTION') return { ...base, ...discounts };
      const t = c.definition.voucher;
      const codes = await sql.voucherFigures(db, c.id, p, { gift: t?.gift?.amount ?? 0, points: t?.loyalty_card?.points ?? 0 });
      const publications = await sql.publicationCount(db, c.id, p);
      const common = { ...base, vouchers_created: codes.vouchers_created, vouchers_deleted: 0, publications, publications_succeeded: publications, publications_failed: 0 };
      if (c.campaign_type === 'GIFT_VOUCHERS') {
        const g = await sql.ledgerSums(db, 'voucher_transactions', c.id, p);
        return {
          ...common,
          created_vouchers_amount: codes.created_vouchers_amount,
          amount_added: magnitude(g, 'CREDITS_ADDITION'),
          amount_deleted: 0,
          amount_redeemed: magnitude(g, 'CREDITS_REDEMPTION'),
          amount_rolledback: magnitude(g, 'CREDITS_REFUND'),
          amount_subtracted: magnitude(g, 'CREDITS_REMOVAL'),
        };
      }
      if (c.campaign_type === 'LOYALTY_PROGRAM') {
        const l = await sql.ledgerSums(db, 'loyalty_transactions', c.id, p);
        return {
          ...common,
          created_vouchers_points: codes.created_vouchers_points,
          points_deleted: 0,
          points_subtracted: magnitude(l, 'POINTS_REMOVAL'),
          points_added: magnitude(l, 'POINTS_ADDITION'),
          points_rewarded: magnitude(l, 'POINTS_ACCRUAL'),
          points_redeemed: magnitude(l, 'POINTS_REDEMPTION'),
          points_rolledback: magnitude(l, 'POINTS_REFUND'),
          points_expired: magnitude(l, 'POINTS_EXPIRATION'),
          points_transferred_out: magnitude(l, 'POINTS_TRANSFER_OUT'),
          points_transferred_in: magnitude(l, 'POINTS_TRANSFER_IN'),
          ...(await sql.pendingFigures(db, c.id, p)),
          pending_points_subtracted: 0,
        };
      }
      if (c.campaign_type === 'REFERRAL_PROGRAM') return { ...common, referred_customers: await sql.refereeCount(db, c.id, p) };
      return { ...common, ...discounts };
    },
  };
}

export type CampaignSummary = ReturnType<typeof createCampaignSummary>;
