-- Tiers that start with the next period and end at the end of the one after (start_date NEXT_PERIOD with
-- END_OF_NEXT_PERIOD): a tier reached in a period is held through the two periods after it, so a member's points of
-- the period before the previous one still count when a period starts.
ALTER TABLE loyalty_tier_members ADD COLUMN earlier_points bigint NOT NULL DEFAULT 0;
