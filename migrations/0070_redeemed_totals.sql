-- What a code has paid out over its life, as Voucherify's voucher.redemption.redeemed_amount (gift credits) and
-- redeemed_points (loyalty points spent on rewards): kept in the statement that spends them, taken back by rollbacks.
ALTER TABLE vouchers ADD COLUMN gift_redeemed bigint NOT NULL DEFAULT 0;
ALTER TABLE vouchers ADD COLUMN loyalty_redeemed bigint NOT NULL DEFAULT 0;

-- The totals of what was spent before this migration: credits of redemptions that still stand, points of the
-- loyalty ledger (redemptions less refunds).
UPDATE vouchers v SET gift_redeemed = s.total
  FROM (SELECT voucher_id, SUM((spent->>'gift')::bigint) AS total FROM redemptions
         WHERE status = 'SUCCEEDED' AND voucher_id IS NOT NULL AND spent ? 'gift' GROUP BY voucher_id) s
 WHERE v.id = s.voucher_id AND s.total > 0;
UPDATE vouchers v SET loyalty_redeemed = GREATEST(s.total, 0)
  FROM (SELECT voucher_id, -SUM(points) AS total FROM loyalty_transactions
         WHERE type IN ('POINTS_REDEMPTION', 'POINTS_REFUND') GROUP BY voucher_id) s
 WHERE v.id = s.voucher_id AND s.total > 0;
