/**
 * Wallets: what a customer holds, read across vouchers (codes published to them) and referral holders (referral
 * codes they refer with or were referred by). A read model: it writes nothing, reacts to nothing, runs no job.
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import { defineModule } from '../module.js';
import type { VouchersService } from '../vouchers/index.js';
import { createWallets } from './service.js';
export { type Wallets, type WalletListQuery } from './service.js';

export const walletsModule = defineModule<{ wallets: ReturnType<typeof createWallets> }, { customers: CustomersService; vouchers: VouchersService; campaigns: CampaignsService }>({
  name: 'wallets',
  create: ({ db, clock, services }) => ({ services: { wallets: createWallets({ db, clock, customers: services.customers, vouchers: services.vouchers, campaigns: services.campaigns }) } }),
});
