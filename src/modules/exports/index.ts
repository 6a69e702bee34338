/**
 * Exports: CSV files of vouchers, redemptions, publications, customers, orders, gift and loyalty transactions and
 * points due to expire, made in the background (Voucherify's /v1/exports). Glossary:
 * - export (`exp_`): what to export (exported_object), its fields, order and filters; SCHEDULED, IN_PROGRESS, DONE
 *   or ERROR; a DONE export's `result.url` downloads the file with the export's token.
 * - chunk: a part of the file, written by one step of the `exports.build` job (the header starts the first).
 * - position: where the build got to (the last row's order value and id), so the next chunk starts after it.
 */
import type { CampaignsService } from '../campaigns/index.js';
import { defineModule } from '../module.js';
import { createExportsService, defaultChunkRows } from './service.js';
export { type ExportsService, exportObject } from './service.js';
export { exportedObjects, type ExportInput, type ExportFilters, type ExportParameters } from './types.js';

export const exportsModule = defineModule<{ exports: ReturnType<typeof createExportsService> }, { campaigns: CampaignsService }>({
  name: 'exports',
  create: ({ db, clock, services }) => {
    const exports = createExportsService({ db, clock, campaigns: services.campaigns });
    return {
      services: { exports },
      jobs: [
        {
          name: 'exports.build',
          description: 'writes the CSV files of exports, a chunk of rows per step',
          step: (n) => exports.step(n),
          defaults: { idleMs: 1000, batchSize: defaultChunkRows },
          runsOnPglite: true,
        },
      ],
    };
  },
});
