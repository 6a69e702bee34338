/**
 * Operational webhooks (our extension, as Svix has them): endpoints subscribed to Tessera's `tessera.*` types hear
 * how the project's webhooks and distributions fare, from delivery's incidents:
 * - tessera.endpoint.failing: a sendout failed its 4th attempt; once per episode (the endpoint is marked);
 * - tessera.endpoint.recovered: a sendout was delivered while the endpoint was marked failing (the mark is cleared;
 *   delivery reads the mark with the endpoint's state, so a manual retry's or a new message's delivery counts too);
 * - tessera.endpoint.disabled: a failure disabled the endpoint (410 Gone, last retry, blocked target);
 * - tessera.sendout.exhausted: a sendout failed for good.
 * The messages are written in one transaction with the marks, as sendouts like any other (signed, retried,
 * audited, filtered); their own failures announce nothing.
 */
import type { Clock } from '../../core/clock.js';
import { newEventId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { ProjectCache } from '../../store/definitions.js';
import { failingAttempt, sendoutOf, withoutQuery, type Delivery, type DeliveryIncident, type NewSendout, type SendoutEvent } from '../delivery/index.js';
import { isOperational, subscribesTo } from './event-types.js';
import { filterSubject, passes } from './filter.js';
import type { WebhookRow } from './types.js';

export interface AlertsDeps {
  db: Db;
  clock: Clock;
  /** The active endpoints of projects (the webhooks service's per-process cache). */
  endpoints: ProjectCache<WebhookRow>;
  delivery: Pick<Delivery, 'enqueue'>;
}

/** Marks these sources failing unless they are already; returns those this call marked. */
async function markFailing(tx: Executor, sources: Array<{ source_id: string; project_id: string }>, now: Date): Promise<Set<string>> {
  const { rows } = await tx.query<{ source_id: string }>(
    `INSERT INTO endpoint_alerts (source_id, project_id, failing_since)
     SELECT source_id, project_id, $2 FROM jsonb_to_recordset($1::jsonb) AS s(source_id text, project_id text)
     ON CONFLICT (source_id) DO NOTHING RETURNING source_id`,
    [JSON.stringify(sources), now],
  );
  return new Set(rows.map((r) => r.source_id));
}

/** Clears the failing marks of these sources; returns when each cleared one started failing. */
export async function clearFailing(tx: Executor, sourceIds: string[]): Promise<Map<string, Date>> {
  const { rows } = await tx.query<{ source_id: string; failing_since: Date }>(
    `DELETE FROM endpoint_alerts WHERE source_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) RETURNING source_id, failing_since`,
    [JSON.stringify(sourceIds)],
  );
  return new Map(rows.map((r) => [r.source_id, new Date(r.failing_since)]));
}

function incidentData(i: DeliveryIncident, extra: Record<string, unknown> = {}) {
  const s = i.sendout;
  return {
    endpoint: { id: s.source_id, object: s.source_object, target_url: withoutQuery(s.target_url) },
    sendout: {
      id: s.id,
      event_type: s.event_type,
      attempts: s.attempts,
      last_attempt: { at: i.attempt.at.toISOString(), status_code: i.attempt.status_code, error: i.attempt.error, outcome: i.attempt.outcome },
    },
    ...extra,
  };
}

/** What a test send of an operational type carries: a made-up endpoint's failure. */
export function operationalSample(type: string, now: Date): Record<string, unknown> {
  const incident: DeliveryIncident = {
    kind: 'exhausted',
    sendout: { id: 'whs_test0000000000000000000', project_id: '', source_object: 'webhook', source_id: 'wh_test0000000000000000000', target_url: 'https://example.com/webhooks', event_type: 'customer.created', attempts: failingAttempt },
    attempt: { at: now, status_code: 500, error: null, outcome: 'retry' },
    disabled: null,
  };
  if (type === 'tessera.endpoint.recovered') return incidentData(incident, { failing_since: new Date(now.getTime() - 7 * 60_000).toISOString() });
  if (type === 'tessera.endpoint.disabled') return incidentData(incident, { disabled_reason: 'the endpoint answered 410 Gone' });
  return incidentData(incident);
}

export function createAlerts(deps: AlertsDeps) {
  const { db, clock } = deps;

  /** Delivery's watcher: turns incidents into messages for the endpoints subscribed to them. */
  async function announce(incidents: DeliveryIncident[]): Promise<void> {
    const projectIds = [...new Set(incidents.map((i) => i.sendout.project_id))];
    const listeners = (await deps.endpoints.get(db, projectIds)).filter((w) => w.events.some(isOperational));
    if (listeners.length === 0) return;
    const listens = (projectId: string, type: string) => listeners.some((w) => w.project_id === projectId && subscribesTo(w.events, type));
    // Marks are kept for projects that hear of failing or recovered endpoints.
    const tracked = incidents.filter((i) => listens(i.sendout.project_id, 'tessera.endpoint.failing') || listens(i.sendout.project_id, 'tessera.endpoint.recovered'));
    const heard = (i: DeliveryIncident) => i.kind === 'exhausted' && (listens(i.sendout.project_id, 'tessera.sendout.exhausted') || listens(i.sendout.project_id, 'tessera.endpoint.disabled'));
    if (tracked.length === 0 && !incidents.some(heard)) return;
    await db.transaction(async (tx) => {
      const now = clock.now();
      const failing = tracked.filter((i) => i.kind === 'failing');
      const marked = failing.length > 0 ? await markFailing(tx, failing.map((i) => ({ source_id: i.sendout.source_id, project_id: i.sendout.project_id })), now) : new Set<string>();
      const ending = tracked.filter((i) => i.kind === 'recovered' || (i.kind === 'exhausted' && i.disabled !== null));
      const cleared = ending.length > 0 ? await clearFailing(tx, [...new Set(ending.map((i) => i.sendout.source_id))]) : new Map<string, Date>();

      const messages: Array<{ type: string; incident: DeliveryIncident; data: unknown }> = [];
      for (const i of incidents) {
        const source = i.sendout.source_id;
        if (i.kind === 'failing' && marked.delete(source)) messages.push({ type: 'tessera.endpoint.failing', incident: i, data: incidentData(i) });
        if (i.kind === 'recovered' && cleared.has(source)) {
          messages.push({ type: 'tessera.endpoint.recovered', incident: i, data: incidentData(i, { failing_since: cleared.get(source)!.toISOString() }) });
          cleared.delete(source);
        }
        if (i.kind === 'exhausted') {
          messages.push({ type: 'tessera.sendout.exhausted', incident: i, data: incidentData(i) });
          if (i.disabled !== null) messages.push({ type: 'tessera.endpoint.disabled', incident: i, data: incidentData(i, { disabled_reason: i.disabled }) });
        }
      }
      const sendouts: NewSendout[] = [];
      for (const m of messages) {
        const event: SendoutEvent = {
          id: newEventId('evop', now),
          projectId: m.incident.sendout.project_id,
          type: m.type,
          entityId: m.incident.sendout.source_id,
          data: m.data,
          eventSource: { channel: 'INTERNAL' },
          groupId: m.incident.sendout.id,
          createdAt: now,
        };
        for (const w of listeners) {
          if (w.project_id !== event.projectId || !subscribesTo(w.events, m.type) || !passes(w.filter, filterSubject(event))) continue;
          sendouts.push(sendoutOf(event, { id: w.id, object: 'webhook', targetUrl: w.target_url }, now, newEventId('whs', now)));
        }
      }
      await deps.delivery.enqueue(tx, sendouts);
    });
  }

  return { announce };
}
