import type { FastifyInstance } from 'fastify';
import { forbidden } from '../../core/errors.js';
import { eventObject, trackBody, type EventsService, type TrackInput } from '../../modules/events/index.js';
import { causeOf } from '../auth.js';
import { nullKeysAsAbsent } from '../../modules/customers/index.js';

/** POST /v1/events and POST /client/v1/events: the same body and answer. */
export function eventRoutes(app: FastifyInstance, deps: { events: EventsService; clientSide: boolean }): void {
  app.post<{ Body: TrackInput }>('/events', { schema: { body: trackBody } }, async (req) => {
    // Client-side events reach loyalty and referral programs only where the project lets them.
    const programs = !deps.clientSide || req.project?.settings.client_loyalty_events_enabled === true;
    if (!programs && (req.body.referral || req.body.loyalty)) {
      throw forbidden('Client-side loyalty and referral events are disabled for this project (client_loyalty_events_enabled)');
    }
    const body = { ...req.body, customer: nullKeysAsAbsent(req.body.customer, 'Property .customer') };
    const { event, customer } = await deps.events.track(causeOf(req), body, { earns: programs });
    return eventObject(event, customer);
  });
}
