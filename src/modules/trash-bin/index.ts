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
  create: ({ db, clock, definitions }) => ({ services: { trashBin: createTrashBin({ db, clock, changed: (projectId) => definitions.changed(projectId) }) } }),
});
