/**
 * The bin (`tbe_`): campaigns, vouchers, products and SKUs deleted without `force` are kept, with every row their
 * delete cascaded to, until they are restored or deleted for good. Entries emit no event.
 */
import { defineModule } from '../module.js';
import { createTrashBin, type TrashBin } from './service.js';
export { createTrashBin, type TrashBin } from './service.js';
export { binResourceTypes, type BinListQuery, type BinResourceType, type Binned } from './types.js';

export const trashBinModule = defineModule<{ trashBin: TrashBin }>({
  name: 'trash-bin',
  create: ({ db, clock, config, definitions }) => {
    const trashBin = createTrashBin({ db, clock, changed: (projectId) => definitions.changed(projectId) });
    const days = config.binRetentionDays;
    return {
      services: { trashBin },
      // TESSERA_BIN_RETENTION_DAYS=0 keeps entries until they are deleted: no job then.
      jobs:
        days > 0
          ? [{ name: 'trash-bin.retention', description: `deletes bin entries older than ${days} days`, step: (batchSize) => trashBin.purge(days, batchSize), defaults: { idleMs: 60_000, batchSize: 100 }, runsOnPglite: true }]
          : [],
    };
  },
});
