/**
 * Publications: codes given to customers. Glossary:
 * - publication (`pub_`): one request's codes (a given voucher, or `count` codes of a campaign) for one customer,
 *   with channel, metadata and an optional source_id that makes repeating it answer the first.
 * - holder: the customer a code is published to; a code has at most one (a given code may be published to its
 *   holder again).
 * - join_once: a customer gets one code of the campaign; publishing again answers the first publication.
 * - AUTO_UPDATE: a campaign whose codes are made when a publication finds none left.
 * Emits publication.succeeded, voucher.published and customer.publication.succeeded (customer activity and the
 * distribution trigger), with the customer's own customer.created when the publication created the customer.
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import type { EventLog } from '../event-log/index.js';
import { defineModule, writeConcurrency } from '../module.js';
import type { VouchersService } from '../vouchers/index.js';
import { createPublicationsService } from './service.js';
export { publicationBase } from './view.js';
export { maxPublicationCount, type PublicationsService, type PublishOptions } from './service.js';
export { publicationInputSchema } from './schemas.js';
export type { PublicationInput, PublicationListQuery, PublicationRow } from './types.js';

export const publicationsModule = defineModule<
  { publications: ReturnType<typeof createPublicationsService> },
  { log: EventLog; customers: CustomersService; campaigns: CampaignsService; vouchers: VouchersService }
>({
  name: 'publications',
  create: (ctx) => {
    const { db, clock, services } = ctx;
    const publications = createPublicationsService({ db, clock, log: services.log, customers: services.customers, campaigns: services.campaigns, vouchers: services.vouchers, concurrency: writeConcurrency(ctx) });
    return { services: { publications }, drain: () => publications.drain() };
  },
});
