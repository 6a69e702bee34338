import type { EventSource } from '../activity/index.js';
import type { SourceObject } from './types.js';

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
