-- A tier's own terms: points of an earning rule (by rule id) and prices of rewards (by reward or assignment id),
-- each {"type": "MULTIPLY", "multiplier": n} or {"type": "CUSTOM", "points": n}.
ALTER TABLE loyalty_tiers ADD COLUMN earning_rules jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE loyalty_tiers ADD COLUMN rewards jsonb NOT NULL DEFAULT '{}'::jsonb;
