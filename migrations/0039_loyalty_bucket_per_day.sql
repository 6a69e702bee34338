-- One bucket per card and expiry day: points earned that expire on the same day add up in one bucket (its
-- total_points), so that a day's expiry is one change per card. Buckets of one card and day made before are merged.
WITH g AS (
  SELECT voucher_id, expires_on, min(id) AS keep, sum(points) AS points, sum(remaining) AS remaining, max(updated_at) AS updated_at
    FROM loyalty_point_buckets GROUP BY voucher_id, expires_on HAVING count(*) > 1
)
UPDATE loyalty_point_buckets b SET points = g.points, remaining = g.remaining, updated_at = g.updated_at
  FROM g WHERE b.id = g.keep;
DELETE FROM loyalty_point_buckets b
 USING (SELECT voucher_id, expires_on, min(id) AS keep FROM loyalty_point_buckets GROUP BY voucher_id, expires_on HAVING count(*) > 1) AS g
 WHERE b.voucher_id = g.voucher_id AND b.expires_on = g.expires_on AND b.id <> g.keep;
CREATE UNIQUE INDEX loyalty_point_buckets_card_day ON loyalty_point_buckets (voucher_id, expires_on);
-- The due queue in the order the job takes it (earliest first, then id): a claim reads its batch off the index.
DROP INDEX loyalty_point_buckets_due;
CREATE INDEX loyalty_point_buckets_due ON loyalty_point_buckets (expire_at, id) WHERE remaining > 0;
