/**
 * The one error catalog. Every failure a client can see is one of these keys; the API maps a TesseraError to
 * Voucherify's error body ({code, key, message, details, request_id, resource_id, resource_type}) in one place.
 */
export const errorCatalog = {
  invalid_payload: { code: 400, message: 'Invalid payload' },
  invalid_query_params: { code: 400, message: 'Invalid query params' },
  invalid_customer: { code: 400, message: 'Invalid customer' },
  invalid_order: { code: 400, message: 'Invalid order' },
  invalid_product: { code: 400, message: 'Invalid product' },
  invalid_sku: { code: 400, message: 'Invalid SKU' },
  invalid_validation_rules: { code: 400, message: 'Invalid validation rules' },
  metadata_validation_failed: { code: 400, message: 'Metadata validation failed' },
  invalid_campaign: { code: 400, message: 'Invalid Campaign' },
  invalid_code_config: { code: 400, message: 'Invalid code config' },
  invalid_voucher: { code: 400, message: 'Invalid voucher' },
  missing_vouchers: { code: 400, message: 'Missing vouchers' },
  voucher_already_published: { code: 400, message: 'Voucher already published' },
  no_voucher_suitable_for_publication: { code: 400, message: 'No voucher suitable for publication' },
  too_many_vouchers_requested: { code: 400, message: 'Too many vouchers requested' },
  duplicate_source_id: { code: 400, message: 'Duplicated source_id' },
  voucher_disabled: { code: 400, message: 'Voucher is disabled' },
  invalid_add_balance_params: { code: 400, message: 'Invalid add balance params' },
  gift_amount_exceeded: { code: 400, message: 'Gift amount exceeded' },
  loyalty_card_points_exceeded: { code: 400, message: 'Loyalty card points exceeded' },
  invalid_earning_rule: { code: 400, message: 'Invalid earning rule' },
  quantity_exceeded: { code: 400, message: 'Quantity exceeded' },
  customer_rules_violated: { code: 400, message: 'Customer does not match validation rules' },
  redemption_rules_violated: { code: 400, message: 'Redemption does not match validation rules' },
  order_rules_violated: { code: 400, message: 'Order does not match validation rules' },
  voucher_expired: { code: 400, message: 'Voucher expired' },
  voucher_not_active: { code: 400, message: 'Voucher not active' },
  voucher_not_active_now: { code: 400, message: 'voucher not active now' },
  campaign_disabled: { code: 400, message: 'Campaign is disabled' },
  invalid_redeemables: { code: 400, message: 'Invalid redeemables' },
  duplicated_redeemables: { code: 400, message: 'Duplicated redeemables' },
  missing_order: { code: 400, message: 'Missing order' },
  missing_reward: { code: 400, message: 'Missing reward' },
  invalid_gift: { code: 400, message: 'Invalid gift' },
  already_rolled_back: { code: 400, message: 'Already rolled back' },
  invalid_redemption: { code: 400, message: 'Invalid redemption' },
  invalid_redemption_parent: { code: 400, message: 'Invalid redemption parent' },
  promotion_inactive: { code: 400, message: 'Promotion is inactive' },
  promotion_not_active_now: { code: 400, message: 'Promotion not active now' },
  referrer_not_permitted_to_redeem: { code: 400, message: 'Referrer not permitted to redeem' },
  invalid_referral_holder: { code: 400, message: 'Invalid referral holder' },
  unauthorized: { code: 401, message: 'Unauthorized' },
  forbidden: { code: 403, message: 'Forbidden' },
  missing_required_permission: { code: 403, message: 'Missing required permission' },
  not_found: { code: 404, message: 'Resource not found' },
  method_not_allowed: { code: 405, message: 'Method not allowed' },
  duplicate_found: { code: 409, message: 'Duplicated resource found' },
  resource_in_use: { code: 409, message: 'Resource in use' },
  idempotency_key_reused: { code: 422, message: 'Idempotency key reused' },
  payload_too_large: { code: 413, message: 'Payload too large' },
  request_timeout: { code: 408, message: 'Request timeout' },
  headers_too_large: { code: 431, message: 'Request header fields too large' },
  unsupported_media_type: { code: 415, message: 'Unsupported media type' },
  too_many_requests: { code: 429, message: 'Too many requests' },
  internal_error: { code: 500, message: 'Internal error' },
  service_unavailable: { code: 503, message: 'Service unavailable' },
} as const satisfies Record<string, { code: number; message: string }>;

export type ErrorKey = keyof typeof errorCatalog;

export interface ErrorExtra {
  resourceId?: string;
  resourceType?: string;
  /** A validation rule's own message (the body's `error.message`). */
  ruleMessage?: string;
}

export class TesseraError extends Error {
  readonly key: ErrorKey;
  readonly code: number;
  readonly details: string | undefined;
  readonly resourceId: string | undefined;
  readonly resourceType: string | undefined;
  readonly ruleMessage: string | undefined;

  constructor(key: ErrorKey, details?: string, extra: ErrorExtra = {}) {
    const entry = errorCatalog[key];
    super(details ?? entry.message);
    this.name = 'TesseraError';
    this.key = key;
    this.code = entry.code;
    this.details = details;
    this.resourceId = extra.resourceId;
    this.resourceType = extra.resourceType;
    this.ruleMessage = extra.ruleMessage;
  }

  get publicMessage(): string {
    return errorCatalog[this.key].message;
  }
}

/** The one way to raise each entry of the catalog (so a key is never spelled at the throw site). */
const raise = (key: ErrorKey) => (details: string, extra?: ErrorExtra) => new TesseraError(key, details, extra);

export const invalidPayload = raise('invalid_payload');
export const invalidQueryParams = raise('invalid_query_params');
export const invalidCustomer = raise('invalid_customer');
export const invalidOrder = raise('invalid_order');
export const invalidProduct = raise('invalid_product');
export const invalidSku = raise('invalid_sku');
export const invalidValidationRules = raise('invalid_validation_rules');
export const metadataValidationFailed = raise('metadata_validation_failed');
export const unauthorized = raise('unauthorized');
export const forbidden = raise('forbidden');
export const missingRequiredPermission = raise('missing_required_permission');
export const methodNotAllowed = raise('method_not_allowed');
export const resourceInUse = raise('resource_in_use');
export const payloadTooLarge = raise('payload_too_large');
export const unsupportedMediaType = raise('unsupported_media_type');
export const tooManyRequests = raise('too_many_requests');
export const internalError = raise('internal_error');
export const serviceUnavailable = raise('service_unavailable');
export const invalidCampaign = raise('invalid_campaign');
export const invalidCodeConfig = raise('invalid_code_config');
export const invalidVoucher = raise('invalid_voucher');
export const missingVouchers = raise('missing_vouchers');
export const voucherAlreadyPublished = raise('voucher_already_published');
export const noVoucherSuitableForPublication = raise('no_voucher_suitable_for_publication');
export const tooManyVouchersRequested = raise('too_many_vouchers_requested');
export const duplicateSourceId = raise('duplicate_source_id');
export const voucherDisabled = raise('voucher_disabled');
export const invalidAddBalanceParams = raise('invalid_add_balance_params');
export const giftAmountExceeded = raise('gift_amount_exceeded');
export const loyaltyCardPointsExceeded = raise('loyalty_card_points_exceeded');
export const invalidEarningRule = raise('invalid_earning_rule');
export const quantityExceeded = raise('quantity_exceeded');
export const voucherExpired = raise('voucher_expired');
export const voucherNotActive = raise('voucher_not_active');
export const voucherNotActiveNow = raise('voucher_not_active_now');
export const campaignDisabled = raise('campaign_disabled');
export const invalidRedeemables = raise('invalid_redeemables');
export const duplicatedRedeemables = raise('duplicated_redeemables');
export const missingOrder = raise('missing_order');
export const missingReward = raise('missing_reward');
export const invalidGift = raise('invalid_gift');
export const alreadyRolledBack = raise('already_rolled_back');
export const invalidRedemption = raise('invalid_redemption');
export const invalidRedemptionParent = raise('invalid_redemption_parent');
export const promotionInactive = raise('promotion_inactive');
export const promotionNotActiveNow = raise('promotion_not_active_now');
export const referrerNotPermittedToRedeem = raise('referrer_not_permitted_to_redeem');
export const invalidReferralHolder = raise('invalid_referral_holder');
/** A validation rule failed: its key (customer, order or redemption rules), the rule ids, its own message. */
export function rulesViolated(key: 'customer_rules_violated' | 'order_rules_violated' | 'redemption_rules_violated', details: string, ruleMessage?: string): TesseraError {
  return new TesseraError(key, details, { ruleMessage });
}

export function notFound(resourceType: string, id: string): TesseraError {
  return new TesseraError('not_found', `Cannot find ${resourceType} with id ${id}`, { resourceId: id, resourceType });
}

export function duplicate(resourceType: string, field: string, value: string): TesseraError {
  return new TesseraError('duplicate_found', `Duplicated ${resourceType} exists with ${field} ${value}`, {
    resourceId: value,
    resourceType,
  });
}
