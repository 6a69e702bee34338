/**
 * Customer erasure: a customer permanently deleted with what is kept about them elsewhere (service.ts says what
 * goes and what stays). A coordinator: it writes, in one transaction, tables that other modules own.
 */
import type { CustomersService } from '../customers/index.js';
import type { EventLog } from '../event-log/index.js';
import type { ApiCalls } from '../api-calls/index.js';
import { defineModule } from '../module.js';
import { createCustomerErasure } from './service.js';
export { type CustomerErasure } from './service.js';

export const customerErasureModule = defineModule<{ customerErasure: ReturnType<typeof createCustomerErasure> }, { log: EventLog; customers: CustomersService; apiCalls: ApiCalls }>({
  name: 'customer-erasure',
  create: ({ db, clock, services }) => ({ services: { customerErasure: createCustomerErasure({ db, clock, log: services.log, customers: services.customers, apiCalls: services.apiCalls }) } }),
});
