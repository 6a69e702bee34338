import type { Clock } from '../../core/clock.js';
import { invalidEarningRule, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import { lockProjectUntilCommit } from '../../store/locks.js';
import { checkValidity, expirationRulesProblem } from '../campaigns/index.js';
import type { SegmentsService } from '../segments/index.js';
import type { ValidationRulesService } from '../validation-rules/index.js';
import * as sql from './sql.js';
import { itemsProblem, itemTargets, type ItemsCatalog } from './items.js';
import { maxEarnedPoints, type EarningLoyalty, type EarningRuleInput, type EarningRuleRow } from './types.js';
import { earningRuleObject } from './view.js';

/** Voucherify's limit of earning rules per project. */
export const maxRulesPerProject = 100;

/** Events a rule may earn on besides custom events (named as sent). */
export const builtInEvents = ['customer.order.paid', 'customer.segment.entered'] as const;

// Points of one accrual are at most maxEarnedPoints (1e12); `every` at least a millionth, so that its quotient stays finite.
const positive = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= maxEarnedPoints;

function checkLoyalty(l: EarningLoyalty | undefined, event: string, at: string): void {
  if (!l) throw invalidEarningRule(`Property ${at}.loyalty is required`);
  if (l.type === 'FIXED') {
    if (!positive(l.points)) throw invalidEarningRule(`Property ${at}.loyalty.points must be a positive integer, at most 1,000,000,000,000`);
    return;
  }
  if (l.type !== 'PROPORTIONAL') throw invalidEarningRule(`Property ${at}.loyalty.type must be FIXED or PROPORTIONAL`);
  const proportion = (p: { every?: unknown; points?: unknown } | undefined, name: string, property: boolean) => {
    if (!p || !positive(p.points) || typeof p.every !== 'number' || !(p.every >= 1e-6) || !Number.isFinite(p.every)) throw invalidEarningRule(`Property ${at}.loyalty.${name} needs every (at least 0.000001) and points (a positive integer, at most 1,000,000,000,000)`);
    if (property && (typeof (p as { property?: unknown }).property !== 'string' || !(p as { property: string }).property)) throw invalidEarningRule(`Property ${at}.loyalty.${name}.property names the numeric metadata property`);
  };
  const custom = event !== 'customer.order.paid' && event !== 'customer.segment.entered';
  switch (l.calculation_type) {
    case 'CUSTOM_EVENT_METADATA':
      if (!custom) throw invalidEarningRule(`Property ${at}.loyalty.calculation_type CUSTOM_EVENT_METADATA needs a custom event rule`);
      return proportion(l.custom_event?.metadata, 'custom_event.metadata', true);
    case 'CUSTOMER_METADATA':
      return proportion(l.customer?.metadata, 'customer.metadata', true);
    case 'ORDER_AMOUNT':
    case 'ORDER_TOTAL_AMOUNT':
    case 'ORDER_METADATA':
    case 'ORDER_ITEMS_QUANTITY':
      if (event !== 'customer.order.paid') throw invalidEarningRule(`Property ${at}.loyalty.calculation_type ${l.calculation_type} needs an order.paid rule`);
      if (l.calculation_type === 'ORDER_AMOUNT') return proportion(l.order?.amount, 'order.amount', false);
      if (l.calculation_type === 'ORDER_TOTAL_AMOUNT') return proportion(l.order?.total_amount, 'order.total_amount', false);
      if (l.calculation_type === 'ORDER_METADATA') return proportion(l.order?.metadata, 'order.metadata', true);
      proportion(l.order_items?.quantity, 'order_items.quantity', false);
      {
        const problem = itemsProblem(l.order_items!.quantity!);
        if (problem) throw invalidEarningRule(`Property ${at}.loyalty.order_items.quantity: ${problem}`);
      }
      return;
    default:
      throw invalidEarningRule(`Property ${at}.loyalty.calculation_type must be one of CUSTOM_EVENT_METADATA, CUSTOMER_METADATA, ORDER_AMOUNT, ORDER_TOTAL_AMOUNT, ORDER_METADATA, ORDER_ITEMS_QUANTITY`);
  }
}

const isDays = (d: unknown) => d === undefined || d === null || (Array.isArray(d) && d.length <= 7 && new Set(d).size === d.length && d.every((x) => Number.isInteger(x) && x >= 0 && x <= 6));

/** Days of the week as Voucherify numbers them (0 Sunday to 6 Saturday), each once: what is wrong, if anything. */
function daysProblem(v: EarningRuleInput): string | undefined {
  if (!isDays(v.validity_day_of_week)) return 'validity_day_of_week must list days of the week, each once, from 0 (Sunday) to 6 (Saturday)';
  const daily = v.validity_hours?.daily;
  if (daily !== undefined && !Array.isArray(daily)) return 'validity_hours.daily must be an array';
  const bad = (daily ?? []).findIndex((d) => typeof d !== 'object' || d === null || !isDays(d.days_of_week));
  return bad >= 0 ? `validity_hours.daily[${bad}].days_of_week must list days of the week, each once, from 0 (Sunday) to 6 (Saturday)` : undefined;
}

/** Tier events a rule can earn on. */
export const tierEarningEvents = ['customer.loyalty.tier.joined', 'customer.loyalty.tier.left', 'customer.loyalty.tier.upgraded', 'customer.loyalty.tier.downgraded', 'customer.loyalty.tier.prolonged'] as const;
const tierEvent = (e: string): e is (typeof tierEarningEvents)[number] => (tierEarningEvents as readonly string[]).includes(e);

/**
 * The event a rule earns on, as stored: a custom event's name, customer.order.paid or customer.segment.entered.
 * A custom event is named by `event` (its name, as Voucherify's guide sends it) or by `custom_event.schema_id`
 * (with `event: "custom_event"`, as its schema has it); either way its schema must exist, and the rule keeps its id.
 */
async function eventOf(input: EarningRuleInput, at: string, schemas: SchemaLookup, projectId: string): Promise<{ event: string; schemaId?: string }> {
  const e = input.event;
  if (e === 'order.paid' || e === 'customer.order.paid') return { event: 'customer.order.paid' };
  if (e === 'customer.segment.entered') {
    if (!input.segment?.id) throw invalidEarningRule(`Property ${at}.segment.id is required for customer.segment.entered`);
    return { event: e };
  }
  if (typeof e === 'string' && tierEvent(e)) {
    const tier = input.loyalty_tier?.id;
    if (typeof tier !== 'string' || tier.length === 0) throw invalidEarningRule(`Property ${at}.loyalty_tier.id is required for ${e} (a tier's id, or __ANY__)`);
    if (tier !== '__ANY__' && !(await schemas.tierExists(projectId, tier))) throw invalidEarningRule(`Property ${at}.loyalty_tier.id: no loyalty tier ${tier} in this project`);
    if (input.loyalty?.type !== 'FIXED') throw invalidEarningRule(`Property ${at}.loyalty: tier-event rules give FIXED points`);
    return { event: e };
  }
  if (typeof e === 'string' && e.startsWith('customer.loyalty.tier.')) throw invalidEarningRule(`Property ${at}.event: ${e} is not a tier event rules earn on (${tierEarningEvents.join(', ')})`);
  const schemaId = input.custom_event?.schema_id;
  if (schemaId !== undefined && (e === undefined || e === 'custom_event')) {
    const schema = await schemas.get(projectId, schemaId).catch(() => undefined);
    if (!schema) throw invalidEarningRule(`Property ${at}.custom_event.schema_id: no custom event schema ${schemaId} in this project`);
    return { event: schema.name, schemaId: schema.id };
  }
  if (typeof e !== 'string' || e.length === 0 || e.length > 300 || e === 'custom_event') {
    throw invalidEarningRule(`Property ${at}.event is required: a custom event's name (or custom_event with custom_event.schema_id), order.paid or customer.segment.entered`);
  }
  const schema = await schemas.byName(projectId, e);
  if (!schema) throw invalidEarningRule(`Property ${at}.event: custom event '${e}' has no schema in this project: define it first (custom-event-schemas)`);
  return { event: e, schemaId: schema.id };
}

interface SchemaLookup {
  get(projectId: string, id: string): Promise<{ id: string; name: string }>;
  byName(projectId: string, name: string): Promise<{ id: string; name: string } | undefined>;
  tierExists(projectId: string, id: string): Promise<boolean>;
}

/** Earning rules of loyalty programs: CRUD, with the active ones of a project cached per process for the deriver. */
export function createEarningRules(deps: { db: Db; clock: Clock; definitions: Pick<Definitions, 'cache' | 'changed'>; validationRules: Pick<ValidationRulesService, 'get'>; schemas: SchemaLookup; catalog: Pick<ItemsCatalog, 'resolveTargets'>; segments: Pick<SegmentsService, 'get'> }) {
  const { db, clock } = deps;
  const active = deps.definitions.cache((ex, projectIds) => sql.selectActiveRules(ex, projectIds));

  async function build(projectId: string, campaignId: string, input: EarningRuleInput, at: string, current?: EarningRuleRow): Promise<EarningRuleRow> {
    const kept: EarningRuleInput | undefined = current && { ...current.definition, event: current.event, active: current.active };
    // An update that names its event again (or another) resolves it anew; otherwise the stored one stands.
    const merged: EarningRuleInput = kept ? { ...kept, ...input, ...(input.event === undefined && input.custom_event === undefined ? { event: current!.event } : {}) } : input;
    if (kept && input.event !== undefined && input.custom_event === undefined) delete merged.custom_event;
    // An update naming a custom event schema alone moves the rule to it (resolved below: an unknown one is refused).
    if (kept && input.event === undefined && input.custom_event?.schema_id !== undefined) delete merged.event;
    const { event, schemaId } = await eventOf(merged, at, deps.schemas, projectId);
    if (schemaId) merged.custom_event = { schema_id: schemaId };
    checkLoyalty(merged.loyalty, event, at);
    // The products, SKUs and collections an items rule names must exist (404 naming the first that does not).
    const items = merged.loyalty?.type === 'PROPORTIONAL' ? itemTargets(merged.loyalty.order_items?.quantity) : undefined;
    if (items && merged.loyalty?.type === 'PROPORTIONAL' && merged.loyalty.calculation_type === 'ORDER_ITEMS_QUANTITY') await deps.catalog.resolveTargets(db, projectId, items, `${at}.loyalty.order_items.quantity`);
    const days = daysProblem(merged);
    if (days) throw invalidEarningRule(`Property ${at}.${days}`);
    // A segment.entered rule names a segment of the project (404 otherwise, as distributions answer).
    if (event === 'customer.segment.entered' && (!current || input.segment !== undefined)) await deps.segments.get(projectId, merged.segment!.id);
    if (merged.active !== undefined && typeof merged.active !== 'boolean') throw invalidEarningRule(`Property ${at}.active must be true or false`);
    const expiry = expirationRulesProblem((merged as { expiration_rules?: unknown }).expiration_rules);
    if (expiry) throw invalidEarningRule(`Property ${at}.expiration_rules ${expiry}`);
    const pending = (merged as { pending_points?: { period_type?: string; period_value?: number } }).pending_points;
    if (pending !== undefined && pending !== null) {
      if (event !== 'customer.order.paid') throw invalidEarningRule(`Property ${at}.pending_points: only order.paid rules give pending points`);
      if (pending.period_type !== 'DAY' || !Number.isInteger(pending.period_value) || pending.period_value! < 1 || pending.period_value! > 90) {
        throw invalidEarningRule(`Property ${at}.pending_points must be { period_type: "DAY", period_value: 1 to 90 }`);
      }
    }
    try {
      checkValidity(merged);
    } catch (err) {
      throw invalidEarningRule(`${at}: ${(err as Error).message}`);
    }
    if (merged.validation_rule_id) await deps.validationRules.get(projectId, merged.validation_rule_id);
    const { event: _e, active: a, ...definition } = merged;
    const now = clock.now();
    return {
      id: current?.id ?? newId('ern'),
      project_id: projectId,
      campaign_id: campaignId,
      event,
      active: a ?? true,
      definition,
      created_at: current?.created_at ?? now,
      updated_at: current ? now : null,
    };
  }

  async function get(projectId: string, campaignId: string, id: string): Promise<EarningRuleRow> {
    const r = await sql.selectRule(db, projectId, id);
    if (!r || r.campaign_id !== campaignId) throw notFound('earning_rule', id);
    return r;
  }

  async function save(row: EarningRuleRow) {
    await sql.updateRule(db, row);
    await deps.definitions.changed(row.project_id);
    return earningRuleObject(row);
  }

  return {
    /** The active rules of a project, from the per-process cache (in the caller's transaction when not cached). */
    active: active.get,
    /** The rules earning on a custom event schema (a schema deletion is refused while any does). */
    namingEventSchema: (ex: Executor, projectId: string, schema: { id: string; name: string }) => sql.namingEventSchema(ex, projectId, schema),
    async create(projectId: string, campaignId: string, inputs: EarningRuleInput[]) {
      if (!Array.isArray(inputs) || inputs.length === 0) throw invalidEarningRule('The body is an array of earning rules');
      const full = (existing: number) => invalidEarningRule(`A project holds at most ${maxRulesPerProject} earning rules (${existing} exist)`);
      const before = await sql.countProjectRules(db, projectId);
      if (before + inputs.length > maxRulesPerProject) throw full(before);
      const rows: EarningRuleRow[] = [];
      for (const [i, input] of inputs.entries()) rows.push(await build(projectId, campaignId, input, `[${i}]`));
      // Counted again under the project's lock, with the insert: creates at once never pass the limit together.
      await db.transaction(async (tx) => {
        await lockProjectUntilCommit(tx, 'earningRuleLimit', projectId);
        const existing = await sql.countProjectRules(tx, projectId);
        if (existing + rows.length > maxRulesPerProject) throw full(existing);
        await sql.insertRules(tx, rows);
      });
      await deps.definitions.changed(projectId);
      return rows.map(earningRuleObject);
    },
    async list(projectId: string, campaignId: string, q: { limit: number; page: number; order?: string }) {
      const { rows, total } = await sql.selectCampaignRules(db, projectId, campaignId, q.limit, (q.page - 1) * q.limit, q.order);
      return { object: 'list' as const, data_ref: 'data' as const, data: rows.map(earningRuleObject), total };
    },
    get: async (projectId: string, campaignId: string, id: string) => earningRuleObject(await get(projectId, campaignId, id)),
    async update(projectId: string, campaignId: string, id: string, input: EarningRuleInput) {
      return save(await build(projectId, campaignId, input, '', await get(projectId, campaignId, id)));
    },
    async setActive(projectId: string, campaignId: string, id: string, on: boolean) {
      const current = await get(projectId, campaignId, id);
      return save({ ...current, active: on, updated_at: clock.now() });
    },
    async remove(projectId: string, campaignId: string, id: string): Promise<void> {
      await get(projectId, campaignId, id);
      await sql.deleteRule(db, projectId, id);
      await deps.definitions.changed(projectId);
    },
  };
}

export type EarningRules = ReturnType<typeof createEarningRules>;
