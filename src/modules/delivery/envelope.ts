import type { EventSource } from '../event-log/index.js';
import type { NewSendout, SourceObject } from './types.js';

export interface EnvelopeInput {
  id: string;
  projectId: string;
  createdAt: Date;
  /** Project settings: the event type; distributions: the channel's event name. */
  type: string;
  data: unknown;
  source: { id: string; object: SourceObject; targetUrl: string };
  event: { id: string; type: string; createdAt: Date; entityId: string | null; groupId: string; eventSource: EventSource };
}

/** The v2024-01-01 envelope (DIGEST e.2), serialized once, compactly: these bytes are signed and sent every time. */
export function envelopeBody(e: EnvelopeInput): string {
  return JSON.stringify({
    id: e.id,
    project_id: e.projectId,
    created_at: e.createdAt.toISOString(),
    type: e.type,
    data: e.data,
    source: { id: e.source.id, object: e.source.object, target_url: e.source.targetUrl },
    event: {
      id: e.event.id,
      type: e.event.type,
      created_at: e.event.createdAt.toISOString(),
      ...(e.event.entityId !== null ? { entity_id: e.event.entityId } : {}),
      group_id: e.event.groupId,
      event_source: e.event.eventSource,
    },
  });
}

/** What a sendout is about: an event record (activity) or a message made for the occasion. */
export interface SendoutEvent {
  id: string;
  projectId: string;
  type: string;
  entityId: string | null;
  data: unknown;
  eventSource: EventSource;
  groupId: string;
  createdAt: Date;
}

/**
 * One sendout of an event to one source (webhook or distribution): the envelope's `type` and `data` default to
 * the event's; `raw` sends `data` alone, without the envelope. The body is built here, once.
 */
export function sendoutOf(
  e: SendoutEvent,
  source: { id: string; object: SourceObject; targetUrl: string },
  now: Date,
  id: string,
  options: { type?: string; data?: unknown; raw?: boolean } = {},
): NewSendout {
  const data = options.data ?? e.data;
  const body = options.raw
    ? JSON.stringify(data)
    : envelopeBody({
        id,
        projectId: e.projectId,
        createdAt: now,
        type: options.type ?? e.type,
        data,
        source,
        event: { id: e.id, type: e.type, createdAt: e.createdAt, entityId: e.entityId, groupId: e.groupId, eventSource: e.eventSource },
      });
  return {
    id,
    projectId: e.projectId,
    sourceObject: source.object,
    sourceId: source.id,
    targetUrl: source.targetUrl,
    eventId: e.id,
    eventType: e.type,
    groupId: e.groupId,
    eventCreatedAt: e.createdAt,
    body,
  };
}
