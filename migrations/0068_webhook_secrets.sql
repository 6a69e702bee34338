-- An endpoint may sign with a secret of its own instead of the project's (our extension, as Svix's endpoints do):
-- null signs with the project's. The previous secret keeps signing for a day after a rotation.
ALTER TABLE webhooks ADD COLUMN secret text;
ALTER TABLE webhooks ADD COLUMN previous_secret text;
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at timestamptz;
