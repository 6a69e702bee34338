-- The promotion stack a redemption came from (the parent and each tier's redemption), for the stack's webhooks.
ALTER TABLE redemptions ADD COLUMN promotion_stack_id text;
