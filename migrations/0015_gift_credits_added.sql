-- Gift credits added to a voucher after it was made: its gift.amount (the total loaded) is its template's amount
-- plus these, changed in the same guarded statement as the balance.
ALTER TABLE vouchers ADD COLUMN gift_added bigint NOT NULL DEFAULT 0;
