-- Entering and leaving a segment flip `active` on the membership row. While the customer index was partial on
-- `active`, every flip wrote new entries in both indexes. Indexed on customer_id alone, a flip changes no indexed
-- column, so PostgreSQL updates the row in place (a HOT update: no index writes) when its page has room, which a
-- fillfactor of 80 leaves on the pages written from now on.
DROP INDEX segment_members_customer;
CREATE INDEX segment_members_customer ON segment_members (customer_id);
ALTER TABLE segment_members SET (fillfactor = 80);
