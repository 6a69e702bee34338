import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidPayload, payloadTooLarge, TesseraError, unsupportedMediaType } from '../../core/errors.js';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import { maxCsvBytes, vouchersFromCsv, voucherInputSchema, type VoucherInput, type VouchersService } from '../../modules/vouchers/index.js';
import { customersFromCsv, type CustomerBulk } from '../../modules/customer-bulk/index.js';
import { customerInputSchema } from '../../modules/customers/index.js';
import type { CatalogImport } from '../../modules/products/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { bodyAjv, describeValidation } from '../validation.js';

const checkVoucher = bodyAjv.compile(voucherInputSchema);
const checkCustomer = bodyAjv.compile(customerInputSchema);

/** The `file` part of a multipart request, as text; 413 over the size limit, 400/415 when there is none. */
async function csvText(req: FastifyRequest): Promise<string> {
  if (!req.isMultipart()) throw unsupportedMediaType('Send the CSV file as multipart/form-data, in a part named file');
  let buffer: Buffer | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file' && part.fieldname === 'file' && buffer === undefined) buffer = await part.toBuffer();
      else if (part.type === 'file') await part.toBuffer();
    }
  } catch (err) {
    if (err instanceof TesseraError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw payloadTooLarge(`The CSV file is larger than ${maxCsvBytes / 1024 / 1024} MB`);
    throw invalidPayload(`The multipart body cannot be read: ${(err as Error).message}`);
  }
  if (buffer === undefined) throw invalidPayload('Payload should have a file part named file (multipart/form-data)');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw invalidPayload('The CSV file is not UTF-8 text: save it as CSV UTF-8 and send it again');
  }
}

/** CSV rows as import items; rows the voucher schema refuses are reported like other failed rows. */
function itemsOf(text: string, mode: 'standalone' | 'campaign', campaignId?: string) {
  const { items, failed } = vouchersFromCsv(text, mode);
  const valid: VoucherInput[] = [];
  for (const item of items) {
    const full = campaignId ? { ...item, campaign_id: campaignId } : item;
    if (checkVoucher(full)) valid.push(full);
    else failed.push({ code: item.code ?? null, reason: describeValidation(checkVoucher.errors ?? [], 'body') });
  }
  return { valid, failed };
}

/**
 * POST /v1/vouchers/importCSV, /v1/campaigns/{id}/importCSV, /v1/customers/importCSV, /v1/products/importCSV and
 * /v1/skus/importCSV: a CSV file (multipart/form-data, part `file`, at
 * most 10 MB) imported as the JSON imports are; 202 with the async action that reports the result. Multipart is
 * parsed in this scope only: the other routes keep taking JSON.
 */
export async function csvImportRoutes(app: FastifyInstance, deps: { vouchers: VouchersService; campaigns: CampaignsService; customerBulk: CustomerBulk; catalogImport: CatalogImport }): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: maxCsvBytes, files: 2, fields: 10, parts: 12, fieldSize: 1024 }, throwFileSizeLimit: true });
    scope.post('/vouchers/importCSV', async (req, reply) => {
      const { valid, failed } = itemsOf(await csvText(req), 'standalone');
      return reply.code(202).send(await deps.vouchers.importMany(causeOf(req), valid, failed));
    });
    scope.post<{ Params: { campaignId: string } }>('/campaigns/:campaignId/importCSV', async (req, reply) => {
      const campaign = await deps.campaigns.get(projectIdOf(req), req.params.campaignId);
      const { valid, failed } = itemsOf(await csvText(req), 'campaign', campaign.id);
      return reply.code(202).send(await deps.vouchers.importMany(causeOf(req), valid, failed));
    });
    // Products and SKUs (products/csv.ts says which columns go where).
    scope.post('/products/importCSV', async (req, reply) => reply.code(202).send(await deps.catalogImport.products(causeOf(req), await csvText(req))));
    scope.post('/skus/importCSV', async (req, reply) => reply.code(202).send(await deps.catalogImport.skus(causeOf(req), await csvText(req))));
    // Customers: Voucherify's columns (Source_id, Name, Email, Phone, Birthdate, Description, Address_*), the rest metadata.
    scope.post('/customers/importCSV', async (req, reply) => {
      const { items, failed } = customersFromCsv(await csvText(req));
      const valid = items.filter((c) => {
        if (checkCustomer(c)) return true;
        failed.push({ row: 0, source_id: (c as { source_id?: string }).source_id ?? null, reason: describeValidation(checkCustomer.errors ?? [], 'body') });
        return false;
      });
      return reply.code(202).send(await deps.customerBulk.importMany(causeOf(req), valid, failed.map(({ row, source_id, reason }) => ({ source_id, reason: row > 0 ? `Row ${row}: ${reason}` : reason }))));
    });
  });
}
