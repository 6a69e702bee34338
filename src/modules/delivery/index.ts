/**
 * Delivery: the outbox and the engine that empties it. Glossary:
 * - sendout (`whs_`): one message to one endpoint, its body built once (the exact bytes of every attempt).
 * - claim: a worker leases due sendouts in one FOR UPDATE SKIP LOCKED statement; an expired lease frees them.
 * - attempt: one POST; its result is classified (delivered, retry, retry_after, give_up, drop, disable_endpoint).
 * - source owner: webhooks or distributions, asked at send time whether the source is active, and told when it
 *   failed for good (given at composition: delivery does not import them).
 * - audit log: sendouts and their attempts, searchable, retryable.
 * - target checks: http(s) only, no credentials, loopback/private/link-local/metadata addresses refused unless
 *   allowed; custom headers may not set framing or signature headers. Shared by webhooks and distributions.
 */
import { defineModule } from '../module.js';
import type { SigningSecretsService } from '../projects/index.js';
import { createAudit } from './audit.js';
import { createSender } from './sender.js';
import { createDelivery } from './service.js';
export { createDelivery, type Delivery, type DeliveryDeps, userAgent, withoutQuery } from './service.js';
export { createAudit, type Audit, sendoutObject } from './audit.js';
export { createSender, type Sender } from './sender.js';
export { envelopeBody, sendoutOf, type EnvelopeInput, type SendoutEvent } from './envelope.js';
export { signatureHeaders, standardSignature, standardWebhooksSecret, voucherifySignature, type SigningSecrets } from './signing.js';
export { classify, decide } from './classify.js';
export { checkTargetUrl, checkCustomHeaders, isEmailTarget, headersSchema, reservedHeaders, brokerTarget, brokerKinds, type BrokerTarget, type BrokerKinds } from './targets.js';
export { notifyChannel, type SendoutFilter } from './sql.js';
export type { DeliveryIncident, NewSendout, SourceObject, SourceOwner, SourceState, SendoutStatus } from './types.js';
export { failingAttempt, testEventPrefix, isTestSendout } from './types.js';

const day = 24 * 60 * 60 * 1000;

export const deliveryModule = defineModule<
  { delivery: ReturnType<typeof createDelivery>; audit: ReturnType<typeof createAudit> },
  { secrets: Pick<SigningSecretsService, 'forProjects'> }
>({
  name: 'delivery',
  create: ({ db, clock, logger, config, services }) => {
    const sender = createSender({ allowPrivateTargets: config.allowPrivateTargets, timeoutMs: config.delivery.timeoutMs, brokers: config.brokers });
    const delivery = createDelivery({
      db,
      clock,
      logger,
      sender,
      secrets: services.secrets.forProjects,
      owners: {},
      leaseMs: config.delivery.leaseMs,
      batchSize: config.delivery.batchSize,
    });
    return {
      services: { delivery, audit: createAudit({ db, clock }) },
      // Sending itself is the delivery worker's (woken by NOTIFY, many sends in flight), not a catalog job.
      jobs: [
        {
          name: 'delivery.retention',
          description: `deletes finished sendouts older than ${config.delivery.retentionDays} days`,
          step: (batchSize) => delivery.prune(new Date(clock.now().getTime() - config.delivery.retentionDays * day), batchSize),
          defaults: { idleMs: 60_000, batchSize: 1000 },
          runsOnPglite: true,
        },
      ],
      close: () => sender.close(),
    };
  },
});
export { distributionTriggers, loyaltyTriggers } from './triggers.js';
