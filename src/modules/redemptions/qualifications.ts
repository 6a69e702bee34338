/**
 * POST /v1/qualifications: which redeemables apply to a customer and an order, each checked as a validation would
 * (validity, limits, validation rules) and with what it would take off the order alone. Scenarios:
 * - ALL: the customer's codes and the promotion tiers; CUSTOMER_WALLET: the customer's codes; AUDIENCE_ONLY: the
 *   promotion tiers; PROMOTION_STACKS: stacks of active campaigns whose every tier applies, each with its tiers.
 * - PRODUCTS: promotion tiers about the order's products: a discount on items whose targets (applicable_to) take
 *   some line of the order, or a validation rule on items or products (order.items.*, product.*, sku.*) that holds.
 *   PRODUCTS_DISCOUNT: only the former. The `_BY_CUSTOMER` forms also look at the customer's codes.
 * Options: `filters` (qualification-filters.ts), `sorting_rule` (DEFAULT: newest first; BEST_DEAL / LEAST_DEAL: by
 * what each takes off the order alone), `starting_after` (the cursor `more_starting_after` gives, or a
 * date-time: only redeemables created before it), `limit` (1-50, default 10), `expand: ["validation_rules"]` (each entry's rule
 * assignments).
 */
import { invalidPayload } from '../../core/errors.js';
import { categoryObject, type CategoryRow } from '../campaigns/index.js';
import { defaultStackingRules, stackingRulesObject, type StackingRules } from './stacking.js';
import type { CustomerInput } from '../customers/index.js';
import type { Cause } from '../event-log/index.js';
import type { OrderInput } from '../orders/index.js';
import { effective } from '../vouchers/index.js';
import { applyStack, type Applicable } from './check.js';
import { compileFilters, type Facts, type Filters } from './qualification-filters.js';
import * as sql from './sql.js';
import type { RedeemableInput } from './types.js';
import { orderAfter, resultOf } from './view.js';
import { assignmentObject, targetLists } from '../validation-rules/index.js';

export const scenarios = ['ALL', 'CUSTOMER_WALLET', 'AUDIENCE_ONLY', 'PRODUCTS', 'PRODUCTS_DISCOUNT', 'PROMOTION_STACKS', 'PRODUCTS_BY_CUSTOMER', 'PRODUCTS_DISCOUNT_BY_CUSTOMER'] as const;
export const sortingRules = ['DEFAULT', 'BEST_DEAL', 'LEAST_DEAL'] as const;
const walletScenarios = ['ALL', 'CUSTOMER_WALLET', 'PRODUCTS_BY_CUSTOMER', 'PRODUCTS_DISCOUNT_BY_CUSTOMER'];
const tierScenarios = ['ALL', 'AUDIENCE_ONLY', 'PRODUCTS', 'PRODUCTS_DISCOUNT', 'PRODUCTS_BY_CUSTOMER', 'PRODUCTS_DISCOUNT_BY_CUSTOMER'];

export interface QualificationInput {
  customer?: CustomerInput;
  order?: OrderInput;
  scenario?: string;
  options?: { limit?: number; starting_after?: string | null; filters?: Filters; expand?: string[]; sorting_rule?: string };
  metadata?: Record<string, unknown>;
  tracking_id?: string;
}

/** How many candidates of each kind are read at most. */
const maxCandidates = 100;

/** A qualified redeemable with what ordering, paging and filters read. */
interface Found {
  entry: Record<string, unknown>;
  createdAt: Date;
  id: string;
  discount: number;
  facts: Facts;
}

/**
 * A paging cursor that is still a date-time, as Voucherify's schema types `more_starting_after`: the created_at of the
 * previous page's last entry, its fraction of a second extended by six digits that count the entries of that same
 * millisecond already listed, plus one (`2026-12-07T14:52:06.755000003Z`: two of them seen). Entries created at one
 * moment (a generated campaign's codes) are so paged exactly, newest first and then by id; a plain date-time lists
 * what was created before it. Read as a date, the cursor is the last entry's own time.
 */
interface Cursor {
  before: Date;
  /** Entries of the `before` millisecond already listed (none: only earlier ones follow). */
  seen?: number;
}

function cursorOf(given: string): Cursor {
  const before = new Date(given);
  if (Number.isNaN(before.getTime())) throw invalidPayload('options.starting_after must be a date-time (such as the more_starting_after of the previous page)');
  const count = /\.\d{3}(\d{6})Z$/.exec(given)?.[1];
  return count !== undefined && Number(count) > 0 ? { before, seen: Number(count) - 1 } : { before };
}

/** The cursor after a page: its last entry's time, counting that millisecond's entries listed so far. */
function nextCursor(page: Found[], cursor: Cursor | undefined): string {
  const last = page.at(-1)!.createdAt;
  const onPage = page.filter((f) => f.createdAt.getTime() === last.getTime()).length;
  const before = cursor?.seen !== undefined && cursor.before.getTime() === last.getTime() ? cursor.seen : 0;
  return last.toISOString().replace(/Z$/, `${String(before + onPage + 1).padStart(6, '0')}Z`);
}

const newestFirst = (a: Found, b: Found) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The entries after the cursor in the newest-first order (those of its millisecond past the ones seen). */
function afterCursor(found: Found[], c: Cursor): Found[] {
  const at = c.before.getTime();
  const sameMoment = found.filter((f) => f.createdAt.getTime() === at).sort(newestFirst);
  const rest = new Set(c.seen === undefined ? [] : sameMoment.slice(c.seen));
  return found.filter((f) => f.createdAt.getTime() < at || rest.has(f));
}

const some = (...xs: (string | null | undefined)[]) => xs.filter((x): x is string => typeof x === 'string' && x !== '');

/** What the filters see of a voucher or a tier (its campaign's type and category, the customer's role). */
function factsOf(c: Applicable, customerId: string | null): Facts {
  const campaign = c.campaign;
  if (c.voucher) {
    const v = c.voucher;
    const referral = campaign?.campaign_type === 'REFERRAL_PROGRAM';
    return {
      resource_type: ['voucher'],
      resource_id: some(v.id, v.code),
      code: some(v.code),
      campaign_id: some(v.campaign_id),
      campaign_type: some(campaign?.campaign_type),
      category_id: some(effective(v, campaign).category_id),
      voucher_type: some(v.type),
      holder_role: customerId && v.holder_id === customerId ? [referral ? 'REFERRER' : 'OWNER'] : [],
    };
  }
  return { resource_type: ['promotion_tier'], resource_id: some(c.objectId), campaign_id: some(campaign?.id), campaign_type: some(campaign?.campaign_type), category_id: some(c.tier?.category_id ?? campaign?.category_id) };
}

export function createQualifications(deps: {
  db: import('../../store/db.js').Db;
  checkStack: (tx: import('../../store/db.js').Executor, cause: Cause, input: { redeemables: RedeemableInput[]; order?: OrderInput; customer?: CustomerInput; metadata?: Record<string, unknown> }, rules?: StackingRules) => Promise<{ checked: import('./check.js').Checked[]; order: Parameters<typeof applyStack>[1]; current: import('../orders/index.js').OrderRow | undefined; customerId: string | null }>;
  categories: (projectId: string) => Promise<CategoryRow[]>;
}) {
  // The project's stacking rules (as validations get them): answered in `stacking_rules`.
  return async function qualify(cause: Cause, input: QualificationInput, rules: StackingRules = defaultStackingRules) {
    const scenario = input.scenario ?? 'ALL';
    if (!(scenarios as readonly string[]).includes(scenario)) throw invalidPayload(`Property .scenario ${scenario} is not supported; use one of ${scenarios.join(', ')}`);
    const options = input.options ?? {};
    const sorting = options.sorting_rule ?? 'DEFAULT';
    if (!(sortingRules as readonly string[]).includes(sorting)) throw invalidPayload(`options.sorting_rule must be one of ${sortingRules.join(', ')}`);
    const cursor = options.starting_after ? cursorOf(options.starting_after) : undefined;
    const wanted = compileFilters(options.filters);
    const limit = Math.min(50, Math.max(1, options.limit ?? 10));
    const withRules = options.expand?.includes('validation_rules') === true;
    const probe = await deps.checkStack(deps.db, cause, { redeemables: [], order: input.order, customer: input.customer, metadata: input.metadata });
    const redeemables: RedeemableInput[] = [];
    if (walletScenarios.includes(scenario) && probe.customerId) {
      for (const id of await sql.selectWalletIds(deps.db, cause.projectId, probe.customerId, maxCandidates)) redeemables.push({ object: 'voucher', id });
    }
    if (tierScenarios.includes(scenario)) {
      for (const id of await sql.selectActiveTierIds(deps.db, cause.projectId, maxCandidates)) redeemables.push({ object: 'promotion_tier', id });
    }
    const { checked, order, current } = redeemables.length > 0 ? await deps.checkStack(deps.db, cause, { ...input, redeemables }) : { ...probe, checked: [] };
    const categories = new Map((await deps.categories(cause.projectId)).map((c) => [c.id, c]));
    const categoriesOf = (id: string | null | undefined) => (id && categories.has(id) ? [categoryObject(categories.get(id)!)] : []);
    // The product scenarios keep what is about the order's products.
    const aboutItems = (c: Applicable) => c.choose !== undefined || (!scenario.startsWith('PRODUCTS_DISCOUNT') && c.itemRules === true);
    const applicable = checked.filter((c): c is Applicable => c.status === 'APPLICABLE').filter((c) => !scenario.startsWith('PRODUCTS') || aboutItems(c));
    const entry = (c: Applicable, alone: ReturnType<typeof applyStack>) => {
      const createdAt = (c.voucher?.created_at ?? c.tier?.created_at)!;
      const categoryId = c.voucher ? effective(c.voucher, c.campaign).category_id : (c.tier?.category_id ?? c.campaign?.category_id);
      return {
        // A voucher by its code, as validations and redemptions name it.
        id: c.voucher ? c.voucher.code : c.input.id,
        object: c.objectType,
        created_at: createdAt.toISOString(),
        result: resultOf(c),
        order: orderAfter(current, alone),
        ...targetLists(c.targets),
        metadata: (c.voucher ? c.voucher.overrides.metadata : c.tier?.metadata) ?? {},
        categories: categoriesOf(categoryId),
        ...(c.campaign ? { campaign_id: c.campaign.id, campaign_name: c.campaign.name } : {}),
        ...(c.tier ? { name: c.tier.name, ...(c.tier.banner ? { banner: c.tier.banner } : {}) } : {}),
        ...(withRules ? { validation_rules_assignments: { object: 'list', data_ref: 'data', data: (c.assignments ?? []).map(assignmentObject), total: c.assignments?.length ?? 0 } } : {}),
      };
    };
    // Each alone on the order: what it would take off by itself (a gift card with its credits as checked, not what
    // the candidates checked together left it).
    const found: Found[] = applicable.map((one) => {
      const c: Applicable = one.gift ? { ...one, gift: { ...one.gift, credits: one.input.gift?.credits ?? one.gift.balance } } : one;
      const alone = applyStack([c], order);
      return { entry: entry(c, alone), createdAt: (c.voucher?.created_at ?? c.tier?.created_at)!, id: c.objectId, discount: alone.total_discount_amount, facts: factsOf(c, probe.customerId) };
    });
    if (scenario === 'PROMOTION_STACKS') {
      // A stack qualifies when every one of its tiers applies; the project's stacking rules leave some out (SKIPPED)
      // as its redemption would, and its order is the one after the others, in turn.
      for (const s of await sql.selectActiveStacks(deps.db, cause.projectId, maxCandidates)) {
        const one = await deps.checkStack(deps.db, cause, { ...input, redeemables: s.tier_ids.map((id) => ({ object: 'promotion_tier' as const, id })) }, rules);
        const tiers = one.checked.filter((c): c is Applicable => c.status === 'APPLICABLE');
        if (tiers.length === 0 || one.checked.some((c) => c.status === 'INAPPLICABLE')) continue;
        const campaign = tiers[0]!.campaign;
        const all = applyStack(tiers, one.order);
        found.push({
          entry: {
            id: s.id,
            object: 'promotion_stack',
            created_at: s.created_at.toISOString(),
            result: {},
            order: orderAfter(one.current, all),
            ...targetLists(undefined),
            metadata: {},
            categories: categoriesOf(s.category_id),
            ...(campaign ? { campaign_id: campaign.id, campaign_name: campaign.name } : {}),
            name: s.name,
            redeemables: tiers.map((c) => entry(c, applyStack([c], one.order))),
          },
          createdAt: s.created_at,
          id: s.id,
          discount: all.total_discount_amount,
          facts: { resource_type: ['promotion_stack'], resource_id: [s.id], campaign_id: some(s.campaign_id), campaign_type: some(campaign?.campaign_type), category_id: some(s.category_id) },
        });
      }
    }
    const byDeal = sorting === 'BEST_DEAL' ? (a: Found, b: Found) => b.discount - a.discount : sorting === 'LEAST_DEAL' ? (a: Found, b: Found) => a.discount - b.discount : () => 0;
    const matching = found.filter((f) => wanted(f.facts));
    const kept = (cursor ? afterCursor(matching, cursor) : matching).sort((a, b) => byDeal(a, b) || newestFirst(a, b));
    const page = kept.slice(0, limit);
    const hasMore = kept.length > limit;
    return {
      redeemables: {
        object: 'list',
        data_ref: 'data',
        data: page.map((f) => f.entry),
        total: page.length,
        has_more: hasMore,
        ...(hasMore ? { more_starting_after: nextCursor(page, cursor) } : {}),
      },
      tracking_id: input.tracking_id ?? null,
      order: orderAfter(current, applyStack([], order)),
      stacking_rules: stackingRulesObject(rules),
    };
  };
}
