/**
 * Idempotency keys (our extension, as Stripe and Svix have them): a POST with an `Idempotency-Key` header runs once
 * per key and project; a retry with the same key and request gets the first answer again, for 24 hours. Glossary:
 * - claim: takes the key for a request, or says to replay, that it is in use (still running), or that the key was
 *   used for a different request.
 * - lease: a running request holds its key for a minute; if its process died, a retry then runs it again.
 */
import { defineModule } from '../module.js';
import { createIdempotency, type Idempotency } from './service.js';
export { createIdempotency, fingerprintOf, type Claim, type Idempotency } from './service.js';

const hour = 60 * 60 * 1000;

export const idempotencyModule = defineModule<{ idempotency: Idempotency }>({
  name: 'idempotency',
  create: ({ db, clock }) => {
    const idempotency = createIdempotency({ db, clock, ttlMs: 24 * hour, leaseMs: 60_000 });
    return {
      services: { idempotency },
      jobs: [
        {
          name: 'idempotency.retention',
          description: 'deletes idempotency keys older than 24 hours',
          step: (batchSize) => idempotency.prune(batchSize),
          defaults: { idleMs: 60_000, batchSize: 1000 },
          runsOnPglite: true,
        },
      ],
    };
  },
});
