-- Payload filters of webhook endpoints: conditions on the message (type, data, event) that must hold for it to be sent.
ALTER TABLE webhooks ADD COLUMN filter jsonb;
