/**
 * Readiness and the database-backed metrics, wired at composition: the API's /ready and /metrics ask these.
 */
import { metrics } from './core/metrics.js';
import type { Delivery } from './modules/delivery/index.js';
import type { Db } from './store/db.js';
import { checkReadiness } from './store/health.js';

export function createOperations(db: Db, delivery: Pick<Delivery, 'stats'>) {
  return {
    readiness: () => checkReadiness(db),
    async sample(): Promise<void> {
      const pool = db.poolStats?.() ?? { total: 1, idle: 1, waiting: 0 };
      for (const [state, n] of Object.entries(pool)) metrics.dbPool.set({ state }, n);
      const stats = await delivery.stats();
      for (const [status, n] of Object.entries(stats.byStatus)) metrics.sendouts.set({ status }, n);
      metrics.sendoutsDue.set(stats.due);
      metrics.sendoutsRetrying.set(stats.byStatus.retrying);
    },
  };
}
