/** POST /v1/loyalties/{id}/qualifications: the points an order paid would earn in a program (an estimate). */
import { TesseraError } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import { simpleCustomer, type CustomerInput, type CustomersService } from '../customers/index.js';
import type { createEarning } from './earning.js';
import type { LoyaltiesService } from './service.js';

export interface EstimateInput {
  customer?: CustomerInput;
  order?: { amount?: number; total_amount?: number; discount_amount?: number; metadata?: Record<string, unknown>; items?: Array<{ quantity?: number }> };
}

export function createPointsEstimate(deps: { db: Db; loyalties: Pick<LoyaltiesService, 'program'>; customers: Pick<CustomersService, 'get'>; earning: Pick<ReturnType<typeof createEarning>, 'estimate'> }) {
  return {
    async estimate(projectId: string, programIdOrName: string, input: EstimateInput) {
      const program = await deps.loyalties.program(projectId, programIdOrName);
      const key = input.customer?.id ?? input.customer?.source_id;
      // A known customer is checked with their stored metadata; an unknown one with what the request says.
      const stored = key
        ? await deps.customers.get(projectId, key).catch((err) => {
            if (err instanceof TesseraError && err.key === 'not_found') return undefined;
            throw err;
          })
        : undefined;
      const customer: ReturnType<typeof simpleCustomer> = stored
        ? simpleCustomer(stored)
        : { id: '', source_id: input.customer?.source_id ?? null, name: null, email: null, metadata: input.customer?.metadata ?? {}, object: 'customer' };
      const o = input.order ?? {};
      const order = { ...o, total_amount: o.total_amount ?? (o.amount !== undefined ? o.amount - (o.discount_amount ?? 0) : undefined) };
      const points = await deps.earning.estimate(deps.db, projectId, program, { customer, order });
      return { campaign: { id: program.id, name: program.name, object: 'campaign' as const }, points_estimation: points };
    },
  };
}

export type PointsEstimate = ReturnType<typeof createPointsEstimate>;
