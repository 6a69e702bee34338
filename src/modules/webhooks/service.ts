import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound } from '../../core/errors.js';
import { newEventId, newId, newSecret } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import type { Cause, EventRecord } from '../event-log/index.js';
import { checkCustomHeaders, checkTargetUrl, isEmailTarget, sendoutOf, testEventPrefix, type BrokerKinds, type Delivery, type NewSendout, type SourceOwner } from '../delivery/index.js';
import { canonicalType, isOperational, isSubscribable, subscribesTo, subscriptionProblem } from './event-types.js';
import { checkFilter, filterSubject, passes } from './filter.js';
import { clearFailing } from './alerts.js';
import * as sql from './sql.js';
import { liveSecrets, rotationOverlapMs, type ProjectSecrets as OwnSecrets } from '../projects/index.js';
import type { WebhookInput, WebhookRow } from './types.js';

export interface WebhooksDeps {
  db: Db;
  clock: Clock;
  delivery: Pick<Delivery, 'enqueue' | 'limitRate'>;
  allowPrivateTargets: boolean;
  /** The configured message brokers by name, with their kind (rabbitmq:// and nats:// targets). */
  brokers?: BrokerKinds;
  /** A realistic sample for a test sendout of this event type (the types no registered sample source knows). */
  sampleData(type: string): Sample;
  /** Active endpoints are cached per process; every change is announced through it. */
  definitions: Pick<Definitions, 'cache' | 'changed'>;
}

const subscribes = (w: WebhookRow, type: string): boolean => subscribesTo(w.events, type);

/** A test sendout's event: the `data` a real event of its type carries, and the entity it names (event.entity_id). */
export interface Sample {
  data: Record<string, unknown>;
  entityId: string | null;
}

/**
 * The samples of the types a module above webhooks emits (campaigns, vouchers, loyalty...), registered at
 * composition; undefined for a type it does not know.
 */
export type SampleSource = (type: string, now: Date) => Sample | undefined;

export function createWebhooksService(deps: WebhooksDeps) {
  const { db, clock } = deps;
  const sampleSources: SampleSource[] = [];
  const sampleOf = (type: string, now: Date): Sample => {
    for (const source of sampleSources) {
      const sample = source(type, now);
      if (sample) return sample;
    }
    return deps.sampleData(type);
  };
  const active = deps.definitions.cache((ex, projectIds) => sql.selectActive(ex, projectIds));

  const checkTarget = async (raw: string) => {
    const url = await checkTargetUrl(raw, deps.allowPrivateTargets, '.target_url', deps.brokers ?? {});
    // A webhook's message is the envelope, not an e-mail: e-mail goes out through a distribution's template.
    if (isEmailTarget(url)) throw invalidPayload("Property .target_url: an smtp:// target sends e-mail, which a distribution's channel writes with its template (channel.template with to, subject and text); a project webhook cannot target it");
    return url;
  };

  function normalizeEvents(events: string[]): string[] {
    events.forEach((name, i) => {
      const problem = subscriptionProblem(name);
      if (problem) throw invalidPayload(`Property .events.${i}: ${problem}`);
    });
    const out = [...new Set(events.map(canonicalType))];
    if (out.includes('*') && out.some((t) => t !== '*' && !isOperational(t))) {
      throw invalidPayload("Property .events must hold either '*' (with operational types, if any) or event types");
    }
    return out;
  }

  async function build(projectId: string, input: WebhookInput, current?: WebhookRow): Promise<WebhookRow> {
    const now = clock.now();
    const active = input.active ?? true;
    return {
      id: current?.id ?? newId('wh'),
      project_id: projectId,
      target_url: await checkTarget(input.target_url),
      events: normalizeEvents(input.events),
      description: input.description ?? null,
      headers: checkCustomHeaders(input.headers),
      rate_limit: input.rate_limit ?? null,
      filter: input.filter ? (checkFilter(input.filter), input.filter) : null,
      active,
      disabled_reason: active ? null : (current?.disabled_reason ?? null),
      ...ownSecret(input.own_secret, current),
      created_at: current?.created_at ?? now,
      updated_at: current ? now : null,
    };
  }

  /** own_secret true keeps the endpoint's secret or makes one; false drops it (the project's signs); absent keeps. */
  function ownSecret(wanted: boolean | undefined, current?: WebhookRow): Pick<WebhookRow, 'secret' | 'previous_secret' | 'previous_secret_expires_at'> {
    const kept = { secret: current?.secret ?? null, previous_secret: current?.previous_secret ?? null, previous_secret_expires_at: current?.previous_secret_expires_at ?? null };
    if (wanted === undefined || (wanted && kept.secret !== null)) return kept;
    return { secret: wanted ? newSecret() : null, previous_secret: null, previous_secret_expires_at: null };
  }

  /** The endpoint's own signing secrets (the previous one while it still signs); undefined when the project's sign. */
  function secretsOf(w: WebhookRow, now: Date): OwnSecrets | undefined {
    return w.secret === null ? undefined : liveSecrets(w.secret, w.previous_secret, w.previous_secret_expires_at, now);
  }

  /** An endpoint's own secrets; 400 when it signs with the project's. */
  async function ownSecrets(projectId: string, id: string): Promise<OwnSecrets> {
    const s = secretsOf(await get(projectId, id), clock.now());
    if (!s) throw invalidPayload(`Webhook ${id} signs with the project's secret (GET /management/v1/projects/${projectId}/webhook-secret); PUT it with own_secret: true to give it one of its own`);
    return s;
  }

  /** A new own secret for the endpoint; the old one signs too for the next 24 hours. */
  async function rotateSecret(projectId: string, id: string): Promise<OwnSecrets> {
    await ownSecrets(projectId, id);
    const now = clock.now();
    const row = await sql.rotateSecret(db, projectId, id, newSecret(), new Date(now.getTime() + rotationOverlapMs), now);
    if (!row) throw notFound('webhook', id);
    await deps.definitions.changed(projectId);
    return secretsOf(row, now)!;
  }

  async function get(projectId: string, id: string): Promise<WebhookRow> {
    const row = await sql.selectWebhook(db, projectId, id);
    if (!row) throw notFound('webhook', id);
    return row;
  }

  async function create(projectId: string, input: WebhookInput): Promise<WebhookRow> {
    const row = await build(projectId, input);
    await db.transaction(async (tx) => {
      await sql.insertWebhook(tx, row);
      await deps.delivery.limitRate(tx, projectId, row.id, row.rate_limit);
    });
    await deps.definitions.changed(projectId);
    return row;
  }

  /**
   * PUT: replaces the configuration (events included; a rate limit left out is removed); setting active re-enables
   * a disabled endpoint.
   */
  async function update(projectId: string, id: string, input: WebhookInput): Promise<WebhookRow> {
    const current = await get(projectId, id);
    const row = await build(projectId, input, current);
    await db.transaction(async (tx) => {
      await sql.updateWebhook(tx, row, (row.secret === null) !== (current.secret === null));
      await deps.delivery.limitRate(tx, projectId, row.id, row.rate_limit);
      // Disabling or re-enabling ends a failing episode: the next one is announced again.
      if (row.active !== current.active) await clearFailing(tx, [row.id]);
    });
    await deps.definitions.changed(projectId);
    return row;
  }

  async function remove(projectId: string, id: string): Promise<void> {
    const deleted = await db.transaction(async (tx) => {
      if (!(await sql.deleteWebhook(tx, projectId, id))) return false;
      await deps.delivery.limitRate(tx, projectId, id, null);
      return true;
    });
    if (!deleted) throw notFound('webhook', id);
    await deps.definitions.changed(projectId);
  }

  function sendout(record: EventRecord, w: WebhookRow, now: Date): NewSendout {
    return sendoutOf(record, { id: w.id, object: 'webhook', targetUrl: w.target_url }, now, newEventId('whs', now));
  }

  /** Event-log subscriber: one sendout per active endpoint subscribed to each event, in the event's transaction. */
  async function emit(tx: Executor, records: EventRecord[]): Promise<void> {
    const relevant = records.filter((r) => isSubscribable(r.type));
    if (relevant.length === 0) return;
    const endpoints = await active.get(tx, [...new Set(relevant.map((r) => r.projectId))]);
    if (endpoints.length === 0) return;
    const now = clock.now();
    const sendouts = relevant.flatMap((r) =>
      endpoints.filter((w) => w.project_id === r.projectId && subscribes(w, r.type) && (w.filter === null || passes(w.filter, filterSubject(r)))).map((w) => sendout(r, w, now)),
    );
    await deps.delivery.enqueue(tx, sendouts);
  }

  /** Whether an active endpoint of the project subscribes to this type (from the per-process copies). */
  async function wants(tx: Executor, projectId: string, type: string): Promise<boolean> {
    if (!isSubscribable(type)) return false;
    return (await active.get(tx, [projectId])).some((w) => w.project_id === projectId && subscribes(w, type));
  }

  /** Queues a test sendout to one endpoint, with sample data of an event type it subscribes to (a disabled endpoint fails it). */
  async function sendTest(cause: Cause, webhookId: string, type?: string, field = '.type'): Promise<string> {
    const w = await get(cause.projectId, webhookId);
    const eventType = canonicalType(type ?? (w.events[0] === '*' || !w.events[0] ? 'customer.created' : w.events[0]));
    const problem = eventType === '*' ? `'*' is not one event type` : subscriptionProblem(eventType);
    if (problem) throw invalidPayload(`Property ${field}: ${problem}`);
    const now = clock.now();
    const sample = sampleOf(eventType, now);
    const record: EventRecord = {
      seq: '0',
      id: newEventId(testEventPrefix, now),
      projectId: cause.projectId,
      type: eventType,
      customerId: null,
      entityId: sample.entityId,
      data: sample.data,
      eventSource: cause.source,
      groupId: cause.groupId,
      createdAt: now,
    };
    const s = sendout(record, { ...w, active: true }, now);
    await db.transaction((tx) => deps.delivery.enqueue(tx, [s]));
    return s.id;
  }

  /** Answers the delivery engine about webhook sources. */
  const owner: SourceOwner = {
    async state(_projectIds, ids) {
      const rows = await sql.selectByIds(db, ids);
      const now = clock.now();
      return new Map(rows.map((w) => [w.id, { active: w.active, headers: w.headers, secrets: secretsOf(w, now), failing: w.failing }]));
    },
    async disable(id, reason) {
      const disabled = await sql.disableWebhook(db, id, reason, clock.now());
      if (disabled) await deps.definitions.changed();
      return disabled;
    },
  };

  /** Registers the sample data of the types a module emits, for test sendouts. */
  const addSamples = (source: SampleSource): void => {
    sampleSources.push(source);
  };

  return { create, get, list: (projectId: string) => sql.selectWebhooks(db, projectId), update, remove, emit, wants, sendTest, addSamples, ownSecrets, rotateSecret, owner, endpoints: active };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
