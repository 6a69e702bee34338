import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound, resourceInUse } from '../../core/errors.js';
import { newEventId, newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import type { Cause, EventRecord } from '../event-log/index.js';
import { customerObject, sampleCustomer, type CustomersService } from '../customers/index.js';
import { checkCustomHeaders, checkTargetUrl, isEmailTarget, distributionTriggers, loyaltyTriggers as loyaltyTriggerTypes, sendoutOf, testEventPrefix, type BrokerKinds, type Delivery, type NewSendout, type SourceOwner } from '../delivery/index.js';
import type { CampaignsService } from '../campaigns/index.js';
import type { PublicationsService } from '../publications/index.js';
import type { EventSchemasService } from '../event-schemas/index.js';
import type { SegmentsService } from '../segments/index.js';
import { evaluateRules, ruleLines, type CatalogLines, type RuleContext, type RuleItem, type ValidationRulesService } from '../validation-rules/index.js';
import * as sql from './sql.js';
import { renderEmail, renderTemplate } from './template.js';
import type { DistributionInput, DistributionRow } from './types.js';
import { testData } from './test-send.js';
import { simpleDistribution } from './view.js';

const orderTriggers: readonly string[] = ['customer.order.created', 'customer.order.updated', 'customer.order.paid', 'customer.order.canceled'];
export const triggerTypes = [...distributionTriggers, 'manual'] as const;
/** Loyalty triggers (optionally narrowed to one program by trigger.campaign_id). */
const loyaltyTriggers: readonly string[] = loyaltyTriggerTypes;
/** Triggers that send a plain message only. */
const plainTriggers: readonly string[] = ['customer.publication.succeeded', 'customer.redemption.succeeded', 'customer.redemption.rollback.succeeded', ...loyaltyTriggers];
const redemptionTriggers: readonly string[] = ['customer.redemption.succeeded', 'customer.redemption.rollback.succeeded'];
export const eventTriggers: readonly string[] = ['customer.custom_event', 'customer.segment.entered', 'customer.segment.left', 'customer.publication.succeeded', ...orderTriggers, ...redemptionTriggers, ...loyaltyTriggers];
/** Triggers a distribution may publish codes on. */
const publishingTriggers: readonly string[] = ['customer.custom_event', 'customer.segment.entered', 'customer.segment.left'];
/** Triggers whose optional segment narrows them to its members: every event trigger but the segment ones, which name theirs as what happened. */
const narrowedBySegment = (type: string) => eventTriggers.includes(type) && type !== 'customer.segment.entered' && type !== 'customer.segment.left';

/** Voucherify sends manual messages after 10 minutes; a request may choose from 0 to 7 days. */
export const defaultManualDelaySeconds = 600;
export const maxManualDelaySeconds = 7 * 24 * 3600;

export interface DistributionsDeps {
  db: Db;
  clock: Clock;
  delivery: Pick<Delivery, 'enqueue'>;
  segments: Pick<SegmentsService, 'get' | 'hold' | 'membersAmong' | 'memberIds' | 'segmentsOf'>;
  /** A custom event trigger names an event with a schema (only those are tracked). */
  schemas: Pick<EventSchemasService, 'hold'>;
  customers: Pick<CustomersService, 'get' | 'byIds'>;
  /** Validation rules assigned to a distribution (related_object_type distribution) decide whom it sends to. */
  validationRules?: Pick<ValidationRulesService, 'assignedTo'>;
  /** An order's lines as validations read them (catalog keys, collection membership), for item rules. */
  catalogLines?: CatalogLines;
  campaigns: Pick<CampaignsService, 'get' | 'byIds' | 'simple'>;
  publications: Pick<PublicationsService, 'publishFor'>;
  allowPrivateTargets: boolean;
  /** The configured message brokers by name, with their kind: a channel may publish to one, as webhooks may. */
  brokers?: BrokerKinds;
  /** Live distributions are cached per process; every change is announced through it. */
  definitions: Pick<Definitions, 'cache' | 'changed'>;
}


export function createDistributionsService(deps: DistributionsDeps) {
  const { db, clock } = deps;
  const live = deps.definitions.cache((ex, projectIds) => sql.selectLive(ex, projectIds));

  async function build(projectId: string, input: DistributionInput, current?: DistributionRow): Promise<DistributionRow> {
    const t = input.trigger;
    if (t.type === 'customer.custom_event' && !t.event) throw invalidPayload("Property .trigger should have required property 'event' for a custom event trigger");
    if (t.type !== 'customer.custom_event' && t.event !== undefined) throw invalidPayload('Property .trigger.event applies only to customer.custom_event');
    if ((t.type === 'customer.segment.entered' || t.type === 'customer.segment.left') && !t.segment_id) {
      throw invalidPayload(`Property .trigger should have required property 'segment_id' for ${t.type}`);
    }
    if (t.type === 'manual' && t.segment_id !== undefined) throw invalidPayload('Property .trigger.segment_id does not apply to a manual distribution: name the segment when sending');
    if (t.segment_id) {
      const seg = await deps.segments.get(projectId, t.segment_id);
      // Only auto-update segments record entered/left: on a passive or static one the trigger would never fire.
      if (seg.type !== 'auto-update' && !narrowedBySegment(t.type) && t.type !== 'manual') {
        throw invalidPayload(`Segment ${seg.id} is ${seg.type} and records no entered or left events: make it an auto-update segment`);
      }
    }
    const purpose = input.purpose ?? 'plain_message';
    if (purpose !== 'plain_message') {
      if (!input.campaign_id) throw invalidPayload(`Payload should have required property 'campaign_id' for purpose ${purpose}`);
      if (purpose === 'publish_unique_codes' && !publishingTriggers.includes(t.type)) {
        throw invalidPayload(`Purpose publish_unique_codes needs a custom event or segment trigger, not ${t.type}`);
      }
      if (plainTriggers.includes(t.type)) throw invalidPayload(`A ${t.type} trigger sends a plain_message, not ${purpose}`);
      const campaign = await deps.campaigns.get(projectId, input.campaign_id);
      if (purpose === 'publish_unique_codes' && !campaign.definition.voucher) throw invalidPayload(`Campaign ${campaign.id} is a ${campaign.campaign_type} and has no codes to publish`);
    } else if (input.campaign_id !== undefined) {
      throw invalidPayload('Property .campaign_id applies to the purposes publish_unique_codes and notify_promotion');
    }
    if (t.campaign_id !== undefined) {
      if (t.type !== 'customer.publication.succeeded' && !loyaltyTriggers.includes(t.type)) throw invalidPayload('Property .trigger.campaign_id applies only to customer.publication.succeeded and the loyalty and reward triggers');
      await deps.campaigns.get(projectId, t.campaign_id);
    }
    const now = clock.now();
    return {
      id: current?.id ?? newId('distr'),
      project_id: projectId,
      name: input.name,
      status: input.status ?? 'TO SEND',
      paused_reason: null,
      trigger: { type: t.type, ...(t.event ? { event: t.event } : {}), ...(t.segment_id ? { segment_id: t.segment_id } : {}), ...(t.campaign_id ? { campaign_id: t.campaign_id } : {}) },
      purpose,
      campaign_id: input.campaign_id ?? null,
      channel: {
        type: 'webhook',
        target_url: await checkTargetUrl(input.channel.target_url, deps.allowPrivateTargets, '.channel.target_url', deps.brokers ?? {}),
        event_name: input.channel.event_name,
        headers: checkCustomHeaders(input.channel.headers, '.channel.headers'),
        template: input.channel.template ?? null,
        raw_payload: input.channel.raw_payload ?? false,
      },
      created_at: current?.created_at ?? now,
      updated_at: current ? now : null,
    };
  }

  async function get(projectId: string, id: string): Promise<DistributionRow> {
    const row = await sql.selectDistribution(db, projectId, id);
    if (!row) throw notFound('distribution', id);
    return row;
  }

  /** What a channel must hold to send: a template for a raw payload; for e-mail, a template that writes one. */
  function checkChannel(c: DistributionRow['channel']): void {
    if (c.raw_payload && !c.template) throw invalidPayload('Property .channel.raw_payload needs a .channel.template to send');
    if (!isEmailTarget(c.target_url)) return;
    const t = c.template as Record<string, unknown> | null;
    const text = (k: string) => typeof t?.[k] === 'string' && (t[k] as string).trim() !== '';
    if (!t || !c.raw_payload || !text('to') || !text('subject') || !(text('text') || text('html'))) {
      throw invalidPayload('Property .channel: an smtp:// target sends the e-mail its template writes: set raw_payload to true and a template with to (such as "{{customer.email}}"), subject, and text or html');
    }
    const unknown = Object.keys(t).find((k) => !['to', 'subject', 'text', 'html', 'reply_to'].includes(k));
    if (unknown !== undefined) throw invalidPayload(`Property .channel.template.${unknown}: an e-mail template has to, subject, text, html and reply_to only`);
  }

  /** Its segment and event schema held until saved: a deletion of either meanwhile finds this distribution or comes first (404). */
  async function holdReferences(tx: Executor, projectId: string, row: DistributionRow): Promise<void> {
    if (row.trigger.event) await deps.schemas.hold(tx, projectId, row.trigger.event);
    if (row.trigger.segment_id) await deps.segments.hold(tx, projectId, row.trigger.segment_id);
  }

  async function create(projectId: string, input: DistributionInput): Promise<DistributionRow> {
    const row = await build(projectId, input);
    checkChannel(row.channel);
    await db.transaction(async (tx) => {
      await holdReferences(tx, projectId, row);
      await sql.insertDistribution(tx, row);
    });
    await deps.definitions.changed(projectId);
    return row;
  }

  /** PUT replaces the definition; setting status TO SEND resumes a paused distribution. */
  async function update(projectId: string, id: string, input: DistributionInput): Promise<DistributionRow> {
    const current = await get(projectId, id);
    const row = await build(projectId, input, current);
    checkChannel(row.channel);
    await db.transaction(async (tx) => {
      await holdReferences(tx, projectId, row);
      await sql.updateDistribution(tx, row);
      if (row.status !== current.status) await sql.clearFailingMark(tx, id);
    });
    await deps.definitions.changed(projectId);
    return row;
  }

  async function remove(projectId: string, id: string): Promise<void> {
    if (!(await sql.deleteDistribution(db, projectId, id))) throw notFound('distribution', id);
    await deps.definitions.changed(projectId);
  }

  function sendout(record: EventRecord, d: DistributionRow, now: Date): NewSendout {
    const c = d.channel;
    return sendoutOf({ ...record, entityId: record.customerId }, { id: d.id, object: 'distribution', targetUrl: c.target_url }, now, newEventId('whs', now), {
      type: c.event_name,
      data: c.template ? (isEmailTarget(c.target_url) ? renderEmail(c.template, record.data) : renderTemplate(c.template, record.data)) : record.data,
      raw: c.raw_payload,
    });
  }

  function triggers(d: DistributionRow, r: EventRecord): boolean {
    if (d.project_id !== r.projectId || d.trigger.type !== r.type) return false;
    if (r.type === 'customer.custom_event') return (r.data.event as { type?: string } | undefined)?.type === d.trigger.event;
    if (r.type === 'customer.publication.succeeded' || loyaltyTriggers.includes(r.type)) return !d.trigger.campaign_id || (r.data.campaign as { id?: string } | null)?.id === d.trigger.campaign_id;
    if (orderTriggers.includes(r.type) || redemptionTriggers.includes(r.type)) return true;
    return r.entityId === d.trigger.segment_id;
  }

  /**
   * What a distribution's purpose adds to the trigger's data: the code it publishes to the customer (campaign,
   * voucher, publication), or the campaign it tells about. Undefined when no code could be published: nothing
   * is sent then.
   */
  /** What notify_promotion adds: the campaign it tells about (null once deleted). */
  async function promotionData(ex: Executor, d: DistributionRow): Promise<Record<string, unknown>> {
    const c = d.campaign_id ? (await deps.campaigns.byIds(ex, d.project_id, [d.campaign_id]))[0] : undefined;
    return { campaign: c ? deps.campaigns.simple(c) : null, promotion_tier: null };
  }

  async function purposeData(tx: Executor, d: DistributionRow, r: EventRecord): Promise<Record<string, unknown> | undefined> {
    if (d.purpose === 'plain_message' || !d.campaign_id) return {};
    if (d.purpose === 'notify_promotion') return promotionData(tx, d);
    const cause: Cause = { projectId: r.projectId, groupId: r.groupId, source: r.eventSource };
    const published = await deps.publications.publishFor(tx, cause, { campaignId: d.campaign_id, customerId: r.customerId!, distributionId: d.id });
    return published && { campaign: published.campaign, voucher: published.voucher, publication: published.publication };
  }

  /**
   * The records whose customer (metadata, segments), custom event (metadata) and order pass the validation rules
   * assigned to the distribution; all of them when none is.
   */
  async function passingRules(tx: Executor, d: DistributionRow, hits: EventRecord[], now: Date): Promise<EventRecord[]> {
    if (hits.length === 0 || !deps.validationRules) return hits;
    const guards = await deps.validationRules.assignedTo(tx, d.project_id, [{ type: 'distribution', id: d.id }]);
    if (guards.length === 0) return hits;
    const bySegment = guards.some((g) => JSON.stringify(g.rule.rules).includes('"customer.segment"'));
    const out: EventRecord[] = [];
    for (const r of hits) {
      const data = r.data as { customer?: { metadata?: Record<string, unknown> }; event?: { metadata?: Record<string, unknown> }; order?: Record<string, unknown> | null };
      const segments = bySegment && r.customerId ? (await deps.segments.segmentsOf(r.projectId, r.customerId, tx)).map((s) => s.id) : undefined;
      const items = (Array.isArray(data.order?.items) ? data.order.items : []) as RuleItem[];
      const { lines, inCollection } = data.order ? await ruleLines(deps.catalogLines, tx, r.projectId, items, guards.map((g) => g.rule)) : { lines: [], inCollection: undefined };
      const ctx: RuleContext = {
        customer: { id: r.customerId ?? undefined, metadata: data.customer?.metadata ?? {}, ...(segments ? { segments } : {}) },
        custom_event: data.event ? { metadata: data.event.metadata ?? {} } : null,
        order: data.order ? { amount: data.order.amount as number | undefined, total_amount: data.order.total_amount as number | undefined, metadata: (data.order.metadata as Record<string, unknown> | undefined) ?? {}, items: lines } : null,
        ...(inCollection ? { inCollection } : {}),
      };
      if (guards.every((g) => evaluateRules(g.rule.rules, ctx, now, g.rule.error, g.rule.locations).valid)) out.push(r);
    }
    return out;
  }

  /** Event-log subscriber: one sendout per live distribution each event triggers, in the event's transaction. */
  async function emit(tx: Executor, records: EventRecord[]): Promise<void> {
    const relevant = records.filter((r) => eventTriggers.includes(r.type) && r.customerId);
    if (relevant.length === 0) return;
    const types = new Set(relevant.map((r) => r.type));
    const triggered = (await live.get(tx, [...new Set(relevant.map((r) => r.projectId))])).filter((d) => types.has(d.trigger.type));
    if (triggered.length === 0) return;
    const now = clock.now();
    const out: NewSendout[] = [];
    for (const d of triggered) {
      let hits = relevant.filter((r) => triggers(d, r));
      if (hits.length > 0 && narrowedBySegment(d.trigger.type) && d.trigger.segment_id) {
        const members = await deps.segments.membersAmong(tx, d.trigger.segment_id, [...new Set(hits.map((r) => r.customerId!))]);
        hits = hits.filter((r) => members.has(r.customerId!));
      }
      hits = await passingRules(tx, d, hits, now);
      for (const r of hits) {
        const extra = await purposeData(tx, d, r);
        if (extra) out.push(sendout({ ...r, data: { ...r.data, ...extra } }, d, now));
      }
    }
    await deps.delivery.enqueue(tx, out);
  }

  /**
   * Manual sending: the distribution's message to one customer or to every current member of a segment, due after
   * `delaySeconds` (event type manual_distribution_schedule, data {distribution, customer}). Returns how many.
   */
  async function sendManual(
    cause: Cause,
    id: string,
    to: { customer?: string; segment_id?: string; delay_seconds?: number },
  ): Promise<{ count: number; scheduledAt: Date }> {
    const d = await get(cause.projectId, id);
    if (d.trigger.type !== 'manual') throw invalidPayload(`Distribution ${id} is triggered by ${d.trigger.type}, not sent by hand`);
    if (d.status !== 'TO SEND') throw resourceInUse(`Distribution ${id} is ${d.status}: set its status to TO SEND first`, { resourceId: id, resourceType: 'distribution' });
    if ((to.customer === undefined) === (to.segment_id === undefined)) throw invalidPayload("Payload must have exactly one of 'customer' and 'segment_id'");
    const ids = to.customer !== undefined ? [(await deps.customers.get(cause.projectId, to.customer)).id] : await deps.segments.memberIds(cause.projectId, to.segment_id!);
    const now = clock.now();
    const scheduledAt = new Date(now.getTime() + (to.delay_seconds ?? defaultManualDelaySeconds) * 1000);
    // A manual message that tells about a campaign carries it, as its test message does.
    const extra = d.purpose === 'notify_promotion' ? await promotionData(db, d) : {};
    for (let i = 0; i < ids.length; i += 500) {
      await db.transaction(async (tx) => {
        const rows = await deps.customers.byIds(tx, cause.projectId, ids.slice(i, i + 500));
        const out = rows.map((c) => {
          const record: EventRecord = {
            seq: '0',
            id: newEventId('evdis', now),
            projectId: cause.projectId,
            type: 'manual_distribution_schedule',
            customerId: c.id,
            entityId: d.id,
            data: { distribution: simpleDistribution(d), customer: customerObject(c), ...extra },
            eventSource: cause.source,
            groupId: cause.groupId,
            createdAt: now,
          };
          return { ...sendout(record, d, now), dueAt: scheduledAt };
        });
        await deps.delivery.enqueue(tx, out);
      });
    }
    return { count: ids.length, scheduledAt };
  }

  /**
   * A test message: what the distribution would send, with its trigger's data for one customer (a sample one when
   * none is named; `email` stands in for the customer's address), queued now whatever the distribution's status.
   * Nothing is published or recorded. Returns the queued sendout and its body.
   */
  async function sendTest(cause: Cause, id: string, to: { customer?: string; email?: string }): Promise<{ sendout: NewSendout; distribution: DistributionRow }> {
    const d = await get(cause.projectId, id);
    const now = clock.now();
    const customer = to.customer !== undefined ? await deps.customers.get(cause.projectId, to.customer) : sampleCustomer(now);
    const campaign = d.campaign_id ? await deps.campaigns.get(cause.projectId, d.campaign_id).then(deps.campaigns.simple, () => null) : null;
    const record: EventRecord = {
      seq: '0',
      id: newEventId(testEventPrefix, now),
      projectId: cause.projectId,
      type: d.trigger.type === 'manual' ? 'manual_distribution_schedule' : d.trigger.type,
      customerId: customer.id,
      entityId: d.id,
      data: testData(d, to.email !== undefined ? { ...customer, email: to.email } : customer, campaign, now),
      eventSource: cause.source,
      groupId: cause.groupId,
      createdAt: now,
    };
    const s = sendout(record, d, now);
    await db.transaction((tx) => deps.delivery.enqueue(tx, [s]));
    return { sendout: s, distribution: d };
  }

  /**
   * Answers the delivery engine: a paused or draft distribution sends nothing but tests; its last failed retry
   * pauses it (not a test's).
   */
  const owner: SourceOwner = {
    async state(_projectIds, ids) {
      const rows = await sql.selectByIds(db, ids);
      return new Map(rows.map((d) => [d.id, { active: d.status === 'TO SEND', sendsTests: true, headers: d.channel.headers, failing: d.failing }]));
    },
    async disable(id, reason) {
      const paused = await sql.pause(db, id, reason, clock.now());
      if (paused) await deps.definitions.changed();
      return paused;
    },
  };

  return {
    create,
    get,
    list: (projectId: string) => sql.selectDistributions(db, projectId),
    update,
    remove,
    emit,
    sendManual,
    sendTest,
    owner,
    /** The ids of the project's distributions whose trigger names the segment (a segment is not deleted under them). */
    namingSegment: (ex: Executor, projectId: string, segmentId: string) => sql.namingSegment(ex, projectId, segmentId),
    namingEvent: (ex: Executor, projectId: string, eventName: string) => sql.namingEvent(ex, projectId, eventName),
  };
}

export type DistributionsService = ReturnType<typeof createDistributionsService>;
