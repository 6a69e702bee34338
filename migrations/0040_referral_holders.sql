-- Holders of referral codes: the referrer it was published to (REFERRER) and the referees assigned to it, by the
-- referral holders API or by a conversion (REFEREE). A customer holds a code once.
CREATE TABLE referral_holders (
  id             text PRIMARY KEY,
  project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id    text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  voucher_id     text NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
  customer_id    text NOT NULL,
  holder_role    text NOT NULL,
  publication_id text,
  metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL,
  CONSTRAINT referral_holders_once UNIQUE (voucher_id, customer_id)
);
CREATE INDEX referral_holders_code ON referral_holders (voucher_id, id);
-- Codes published and referees converted before: their holders.
INSERT INTO referral_holders (id, project_id, campaign_id, voucher_id, customer_id, holder_role, created_at)
SELECT 'rh_' || substr(md5(v.id || v.holder_id), 1, 20), v.project_id, v.campaign_id, v.id, v.holder_id, 'REFERRER', COALESCE(v.updated_at, v.created_at)
  FROM vouchers v JOIN campaigns c ON c.id = v.campaign_id
 WHERE c.campaign_type = 'REFERRAL_PROGRAM' AND v.holder_id IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO referral_holders (id, project_id, campaign_id, voucher_id, customer_id, holder_role, created_at)
SELECT 'rh_' || substr(md5(r.voucher_id || r.referee_id), 1, 20), r.project_id, r.campaign_id, r.voucher_id, r.referee_id, 'REFEREE', r.created_at
  FROM referrals r JOIN vouchers v ON v.id = r.voucher_id
ON CONFLICT DO NOTHING;
