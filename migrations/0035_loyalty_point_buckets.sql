-- Points that expire: each accrual under expiration rules is a bucket, spent first when points are taken (earliest
-- expiry first) and expired by the loyalties.expiry job when its day ends.
CREATE TABLE loyalty_point_buckets (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  voucher_id  text NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
  campaign_id text,
  points      bigint NOT NULL,
  remaining   bigint NOT NULL CHECK (remaining >= 0),
  -- The last day the points are valid (UTC); they expire when it ends, at expire_at.
  expires_on  date NOT NULL,
  expire_at   timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz
);
-- The due queue: the job reads the earliest open buckets, never the whole table.
CREATE INDEX loyalty_point_buckets_due ON loyalty_point_buckets (expire_at) WHERE remaining > 0;
CREATE INDEX loyalty_point_buckets_card ON loyalty_point_buckets (voucher_id, expire_at, id) WHERE remaining > 0;
