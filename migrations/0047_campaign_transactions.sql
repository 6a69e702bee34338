-- A campaign's transactions, newest first (GET /v1/campaigns/{id}/transactions).
CREATE INDEX voucher_transactions_campaign ON voucher_transactions (campaign_id, created_at, id) WHERE campaign_id IS NOT NULL;
CREATE INDEX loyalty_transactions_campaign ON loyalty_transactions (campaign_id, id) WHERE campaign_id IS NOT NULL;
