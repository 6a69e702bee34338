-- Memberships keyed by customer first. A change moves one customer in or out of several segments at once; keyed
-- (segment_id, customer_id), its new memberships went to as many scattered pages of the primary key, each read and
-- written back (and logged whole after a checkpoint) on its own, and with millions of memberships most of them not
-- in memory. Keyed (customer_id, segment_id), a customer's memberships share a page of the key, which also serves
-- every read by customer, so the customer index goes. Reads by segment (its members, deleting it) use an index on
-- segment_id alone: a new row has the highest row pointer of the table, so its entry goes at the end of its
-- segment's entries, on a page that stays in memory; entering and leaving change no indexed column, so they stay
-- updates in place (0008).
ALTER TABLE segment_members DROP CONSTRAINT segment_members_pkey;
ALTER TABLE segment_members ADD CONSTRAINT segment_members_pkey PRIMARY KEY (customer_id, segment_id);
DROP INDEX segment_members_customer;
CREATE INDEX segment_members_segment ON segment_members (segment_id);
